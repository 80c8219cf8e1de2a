/*
 * otto-conformance on a plugin whose names and messages hold control
 * characters (tests/cli/plugins/hostile_text.c): the text, TAP and JUnit
 * reports stay printable, each violation on its own line, escaped visibly.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE OTTO_TEST_PLUGIN_DIR "/cli_hostile/hostile.so"

static void assert_printable(const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i]; i++) {
		cr_assert(p[i] == '\n' || (p[i] >= 0x20 && p[i] != 0x7F), "%s: byte 0x%02x at %zu in:\n%s", what, p[i], i,
			  s);
		cr_assert(!(p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F), "%s: C1 control at %zu", what, i);
	}
}

static tu_result report(const char *format)
{
	const char *args[] = {HOSTILE, "--expect-lab", "nope", "--format", format, NULL};
	tu_result r = ct_run(args);
	cr_assert_eq(r.status, 1, "%s", r.err);
	assert_printable("stdout", r.out);
	assert_printable("stderr", r.err);
	return r;
}

Test(conformance_escape, text_report_has_one_line_per_violation)
{
	tu_result r = report("text");
	cr_assert(tu_contains(r.out, "        - expected lab \"nope\" is not listed by list_labs() [\"lab\\x1b[31mred\", "
				     "\"ok\\notto: all reservations OK\", \"plain\"]\n"),
		  "%s", r.out);
	cr_assert(tu_contains(r.out, "        - get_reserved_resources(\"__otto_conformance_probe_user__\") failed with "
				     "ERROR: cannot reach the service\\r\\notto: all reservations OK\\x1b[2K\n"),
		  "%s", r.out);
	tu_result_free(&r);
}

Test(conformance_escape, tap_report_stays_well_formed)
{
	tu_result r = report("tap");
	char *why = NULL;
	cr_assert(ct_tap_well_formed(r.out, &why), "%s\n%s", why ? why : "", r.out);
	free(why);
	cr_assert(tu_contains(r.out, "cannot reach the service\\\\r\\\\notto: all reservations OK\\\\x1b[2K\"\n"), "%s",
		  r.out);
	tu_result_free(&r);
}

Test(conformance_escape, junit_report_holds_no_control_character)
{
	tu_result r = report("junit");
	cr_assert(tu_contains(r.out, "is not listed by list_labs() [&quot;lab\\x1b[31mred&quot;"), "%s", r.out);
	tu_result_free(&r);
}
