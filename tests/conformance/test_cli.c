/*
 * otto-conformance's command line: formats, rule selection, exit codes,
 * usage errors, --output, --from-settings.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GOOD CORPUS_DIR "/broken_none.so"
#define BAD_L9 CORPUS_DIR "/broken_l9.so"

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;
	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(cli, list_rules_prints_every_id_kind_and_statement)
{
	static const char *const args[] = {"--list-rules", NULL};
	tu_result r = ct_run(args);
	cr_expect_eq(r.status, 0);
	static const char *const ids[] = {"C1 ", "C7 ", "E1 ", "L1 ", "L14 ", "S1 ", "S13 ", "R1 ", "R13 ", "W1 ",
					  "W6 ", "U1 ", "U2 ", NULL};
	for (size_t i = 0; ids[i]; i++)
		cr_expect(tu_contains(r.out, ids[i]), "missing %s in\n%s", ids[i], r.out);
	cr_expect(tu_contains(r.out, "L9   structural   every host key equals the host's id"), "%s", r.out);
	cr_expect(tu_contains(r.out, "L13  ground truth"), "%s", r.out);
	cr_expect(tu_contains(r.out, "S1   capability"), "%s", r.out);
	tu_result_free(&r);
}

Test(cli, only_and_skip_select_rules)
{
	static const char *const only[] = {"--list-rules", "--only", "S,L12", NULL};
	tu_result r = ct_run(only);
	cr_expect_eq(count(r.out, "\n"), 14, "%s", r.out);
	cr_expect(tu_contains(r.out, "L12 ") && !tu_contains(r.out, "L1 "), "%s", r.out);
	tu_result_free(&r);

	static const char *const run_only[] = {BAD_L9, "--format", "tap", "--only", "L9", "--kind", "lab", NULL};
	r = ct_run(run_only);
	cr_expect(tu_contains(r.out, "1..1\n"), "%s", r.out);
	cr_expect_eq(r.status, 1);
	tu_result_free(&r);

	static const char *const skip[] = {BAD_L9, "--format", "tap", "--skip", "l9", NULL};
	r = ct_run(skip);
	char *failed = ct_failed_rules(r.out);
	cr_expect_str_eq(failed, "", "%s", r.out);
	cr_expect_eq(r.status, 0, "%s", r.err);
	free(failed);
	tu_result_free(&r);
}

Test(cli, tap_is_well_formed_with_yaml_diagnostics)
{
	static const char *const args[] = {BAD_L9, "--format", "tap", NULL};
	tu_result r = ct_run(args);
	char *why;
	cr_expect(ct_tap_well_formed(r.out, &why), "%s\n%s", why, r.out);
	free(why);
	cr_expect(tu_contains(r.out, "not ok "), "%s", r.out);
	cr_expect(tu_contains(r.out, "  ---\n  rule: L9\n  kind: structural\n"), "%s", r.out);
	cr_expect(tu_contains(r.out, "# SKIP ground truth not given: pass --expect-lab NAME to check it"), "%s", r.out);
	cr_expect(tu_contains(r.out, "# 60 passed, 1 failed, 0 skipped") || tu_contains(r.out, " failed, "), "%s",
		  r.out);
	tu_result_free(&r);
}

Test(cli, junit_is_well_formed)
{
	char *dir = tu_mkdtemp();
	char *out = tu_fmt("%s/report.xml", dir);
	const char *args[] = {BAD_L9, "--format", "junit", "--output", out, NULL};
	tu_result r = ct_run(args);
	cr_expect_eq(r.status, 1);
	/* The JUnit report went to --output; the console still shows the text
	 * (one run gives CI its log and its report). */
	cr_expect(tu_contains(r.out, "  FAIL  L9   every host key equals the host's id\n"), "%s", r.out);
	char *xml = tu_read(out);
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ";
	cr_expect(strncmp(xml, head, strlen(head)) == 0, "%s", xml);
	cr_expect(tu_contains(xml, "<failure type=\"L9\" message=\"lab &quot;east&quot;: a host is stored under key"),
		  "%s", xml);
	cr_expect_eq(count(xml, "<testsuite "), count(xml, "</testsuite>"));
	cr_expect_eq(count(xml, "<testcase "), count(xml, "</testcase>"));
	cr_expect(tu_contains(xml, "</testsuites>\n"));
	/* A real XML parser agrees, when one is installed. */
	if (access("/usr/bin/xmllint", X_OK) == 0) {
		const char *lint[] = {"/usr/bin/xmllint", "--noout", out, NULL};
		tu_result l = tu_run(lint, NULL, NULL, 30);
		cr_expect_eq(l.status, 0, "%s", l.err);
		tu_result_free(&l);
	}
	free(xml);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(out);
}

Test(cli, text_report_and_summary_line)
{
	static const char *const args[] = {BAD_L9, "--kind", "lab", NULL};
	tu_result r = ct_run(args);
	cr_expect_eq(r.status, 1);
	cr_expect(tu_contains(r.out, "  FAIL  L9   every host key equals the host's id\n"
				     "        - lab \"east\": a host is stored under key \"router-one\" but its id is "
				     "\"router1\"\n"),
		  "%s", r.out);
	cr_expect(tu_contains(r.out, "\n35 passed, 1 failed, 2 skipped\n"), "%s", r.out);
	cr_expect(!tu_contains(r.out, "\033["), "no colour without a terminal or with NO_COLOR");
	tu_result_free(&r);
}

Test(cli, exit_codes)
{
	static const char *const good[] = {GOOD, NULL};
	tu_result r = ct_run(good);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	tu_result_free(&r);
	static const char *const bad[] = {BAD_L9, NULL};
	r = ct_run(bad);
	cr_expect_eq(r.status, 1);
	tu_result_free(&r);
}

/* Usage errors: exit 2, one clear sentence on stderr, nothing on stdout. */
static void usage(const char *const *args, const char *message)
{
	tu_result r = ct_run(args);
	cr_expect_eq(r.status, 2, "%s: exit %d", message, r.status);
	cr_expect(tu_contains(r.err, message), "expected '%s' in: %s", message, r.err);
	cr_expect_str_eq(r.out, "");
	tu_result_free(&r);
}

Test(cli, bad_command_lines)
{
	usage((const char *const[]){NULL}, "missing PLUGIN");
	usage((const char *const[]){GOOD, "--format", "xml", NULL}, "--format: 'xml' is not text, tap, junit or json");
	usage((const char *const[]){GOOD, "--timeout", "0", NULL}, "--timeout: '0' is not a number of seconds");
	usage((const char *const[]){GOOD, "--timeout", NULL}, "--timeout needs a value");
	usage((const char *const[]){GOOD, "--only", "Z9", NULL}, "--only: unknown rule 'Z9'");
	usage((const char *const[]){GOOD, "--kind", "locks", NULL}, "--kind: 'locks' is not lab or reservation");
	usage((const char *const[]){GOOD, "--set", "novalue", NULL}, "--set: 'novalue' is not KEY=VALUE");
	usage((const char *const[]){GOOD, "--bogus", NULL}, "unknown option '--bogus'");
	usage((const char *const[]){GOOD, GOOD, NULL}, "unexpected argument");
	usage((const char *const[]){GOOD, "--known-user", "alice", NULL}, "--known-user needs at least one --known-resource");
	usage((const char *const[]){CORPUS_DIR "/no_such.so", NULL}, "no_such.so: no such plugin file");
	usage((const char *const[]){"exmaple", "--plugin-dir", OTTO_PLUGIN_BUILD_DIR, NULL}, "exmaple");
	usage((const char *const[]){GOOD, "--backend", "nope", NULL}, "registers no backend named 'nope'");
	usage((const char *const[]){GOOD, "--settings", "/nonexistent/settings.toml", NULL}, "/nonexistent/settings.toml");
}

Test(cli, plugin_stdout_never_reaches_the_report)
{
	static const char *const args[] = {CORPUS_DIR "/broken_c7.so", "--format", "tap", NULL};
	tu_result r = ct_run(args);
	cr_expect(!tu_contains(r.out, "\ndebug: listing labs"), "%s", r.out);
	cr_expect(tu_contains(r.out, "list_labs() wrote 20 bytes to stdout (\\\"debug: listing labs \\\")"), "%s",
		  r.out);
	tu_result_free(&r);
}

Test(cli, from_settings_checks_what_the_settings_select)
{
	char *dir = tu_mkdtemp();
	char *settings = tu_fmt("[plugins]\npath = \"%s\"\n[lab]\nbackend = \"example\"\n"
				"[reservations]\nbackend = \"example\"\n",
				OTTO_PLUGIN_BUILD_DIR);
	char *file = tu_write(dir, ".otto/settings.toml", settings);
	const char *args[] = {"--from-settings", "--settings", file, "--format", "tap", "--expect-lab", "east", NULL};
	tu_result r = ct_run(args);
	char *failed = ct_failed_rules(r.out);
	cr_expect_str_eq(failed, "", "%s\n%s", r.out, r.err);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(tu_contains(r.out, "lab backend selected by"), "%s", r.out);
	cr_expect(tu_contains(r.out, "reservation backend selected by"), "%s", r.out);
	free(failed);
	tu_result_free(&r);
	usage((const char *const[]){"--from-settings", GOOD, NULL}, "give either PLUGIN or --from-settings, not both");
	tu_rm_rf(dir);
	free(dir);
	free(settings);
	free(file);
}
