/*
 * Issue 10, part one: a rule passes only if its checks ran and held;
 * registration faults are charged to their own rule (C8) within --timeout;
 * backend names (C9) and type sizes (C3) are judged exactly as otto judges
 * them; no cap on backends. Every case runs the real runner on a real
 * plugin of the corpus (plugins/broken.c, plugins/many.c).
 */
#include "conformance_test.h"

#include <otto/otto.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SO(name) CORPUS_DIR "/broken_" name ".so"
#define RUN(...) ct_run((const char *const[]){__VA_ARGS__, NULL})
#define MANY_SO OTTO_TEST_PLUGIN_DIR "/conformance_many/many.so"

static void expect_exit(const tu_result *r, int status)
{
	cr_assert_eq(r->status, status, "exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", r->status, status, r->out,
		     r->err);
}

static void expect_out(const tu_result *r, const char *needle)
{
	cr_assert(tu_contains(r->out, needle), "expected '%s' in the report:\n%s", needle, r->out);
}

static void expect_not_out(const tu_result *r, const char *needle)
{
	cr_assert(!tu_contains(r->out, needle), "did not expect '%s' in the report:\n%s", needle, r->out);
}

/* ------------------------------------------------ no green without running -- */

/* The issue's own case: a reservation backend whose create() fails, with
 * its create rule left out of the selection. */
Test(conformance_trust, rules_whose_create_failed_do_not_pass)
{
	tu_result r = RUN(SO("r1"), "--only", "R10,R13,C6,C7", "--kind", "reservation");
	expect_exit(&r, 3);
	expect_out(&r, "0 passed, 0 failed, 4 skipped (4 blocked: not checked because a prerequisite failed; exit 3 "
		       "unless --allow-skips)");
	expect_out(&r, "BLOCK R10  who_reserved is deterministic (same holders, same order) (not checked: a "
		       "prerequisite failed: create() (raw instance) failed with ERROR: broken: the booking service is "
		       "unreachable)");
	expect_not_out(&r, "PASS");
	tu_result_free(&r);
}

Test(conformance_trust, allow_skips_accepts_blocked_rules)
{
	tu_result r = RUN(SO("r1"), "--only", "R10,R13,C6,C7", "--kind", "reservation", "--allow-skips");
	expect_exit(&r, 0);
	expect_out(&r, "(4 blocked: not checked because a prerequisite failed; accepted with --allow-skips)");
	tu_result_free(&r);
}

Test(conformance_trust, skipping_the_create_rules_is_not_a_pass)
{
	tu_result r = RUN(SO("r1"), "--skip", "L1,R1");
	expect_exit(&r, 3);
	expect_out(&r, "BLOCK R7   get_reserved_resources succeeds");
	tu_result_free(&r);
}

/* A violation outweighs blocks: exit 1, and only the broken rule fails. */
Test(conformance_trust, a_violation_still_exits_1)
{
	tu_result r = RUN(SO("l1"), "--format", "tap");
	expect_exit(&r, 1);
	char *failed = ct_failed_rules(r.out);
	cr_expect_str_eq(failed, "L1");
	free(failed);
	expect_out(&r, " - L4 lab backend 'broken': list_labs succeeds # SKIP not checked: a prerequisite failed: "
		       "create() (raw instance) failed");
	tu_result_free(&r);
}

/* Plain skips (no ground truth, capabilities not advertised) stay exit 0. */
Test(conformance_trust, plain_skips_exit_0)
{
	tu_result r = RUN(SO("none"));
	expect_exit(&r, 0);
	expect_out(&r, "SKIP  L13  each expected lab (--expect-lab) is listed (ground truth not given");
	expect_not_out(&r, "BLOCK");
	tu_result_free(&r);
}

/* A call that crashed is not made again; the rules needing it are blocked. */
Test(conformance_trust, rules_after_a_crash_are_blocked)
{
	tu_result r = RUN(SO("crash_list_labs"), "--only", "L4,L5");
	expect_exit(&r, 1);
	expect_out(&r, "FAIL  L4 ");
	expect_out(&r, "BLOCK L5   list_labs answers a list of non-empty strings without duplicates (not checked: a "
		       "prerequisite failed: list_labs() crashed or hung in an earlier attempt");
	tu_result_free(&r);
}

/* ------------------------------------------------- registration (C8) -- */

static void expect_c8(const char *so, const char *message, const char *const *extra)
{
	const char *args[8] = {so};
	size_t n = 1;
	for (; extra && extra[n - 1]; n++)
		args[n] = extra[n - 1];
	args[n] = NULL;
	tu_result r = ct_run(args);
	expect_exit(&r, 2);
	expect_out(&r, "FAIL  C8   register_backends returns");
	char *needle = tu_fmt("- %s: %s", so, message);
	expect_out(&r, needle);
	free(needle);
	/* Never blamed on loading, never a misleading backend failure. */
	expect_out(&r, "PASS  C1 ");
	expect_not_out(&r, "constructor");
	expect_not_out(&r, "backend 'broken'");
	tu_result_free(&r);
}

Test(conformance_trust, registration_crash)
{
	expect_c8(SO("c8_crash"), "register_backends crashed with SIGSEGV", NULL);
}

Test(conformance_trust, registration_exit)
{
	expect_c8(SO("c8_exit"), "register_backends ended the process (exit status 7)", NULL);
}

/* The limit is --timeout, for the scan as for the probe (no 10 s of its own):
 * the run ends, with the outcome said, though the plugin never returns. */
Test(conformance_trust, registration_hang_honours_timeout)
{
	expect_c8(SO("c8_hang"), "register_backends did not return within the 1 s limit (--timeout)",
		  (const char *const[]){"--timeout", "1", NULL});
}

/* libotto's own scan limit set to an hour: the run still ends with the
 * outcome, because --timeout governs the scan too (without that, the run
 * would outlast tu_run's limit and be killed: exit 137). */
Test(conformance_trust, registration_hang_ignores_the_scan_default)
{
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%d", tu_scaled_seconds(1));
	const char *argv[] = {OTTO_CONFORMANCE_BIN, SO("c8_hang"), "--timeout", timeout, NULL};
	static const char *const env[] = {"NO_COLOR=1", "OTTO_PLUGIN_PATH=", "OTTO_PLUGIN_SCAN_TIMEOUT=3600",
					  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:handle_segv=0", NULL};
	tu_result r = tu_run(argv, NULL, env, 60);
	expect_exit(&r, 2);
	expect_out(&r, "register_backends did not return within the");
	tu_result_free(&r);
}

Test(conformance_trust, registration_stdout)
{
	expect_c8(SO("c8_stdout"),
		  "register_backends wrote 29 bytes to stdout (\"hello from register_backends \"); otto refuses a plugin "
		  "that does",
		  NULL);
}

/* --------------------------------------------- names (C9), sizes (C3) -- */

/* What otto's registry says about the file: the same sentence as the runner. */
static char *otto_refusal(const char *so)
{
	otto_registry *reg;
	otto_error err = {0};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_file(reg, so, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	char *detail = NULL;
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
		const otto_plugin_info *p = otto_registry_plugin(reg, i);
		if (p->path && strcmp(p->path, so) == 0) {
			cr_assert_eq(p->status, OTTO_PLUGIN_FAILED, "otto loaded %s", so);
			detail = strdup(p->detail);
		}
	}
	cr_assert(detail, "otto did not list %s", so);
	otto_registry_free(reg);
	return detail;
}

static void expect_refused_as_otto_does(const char *so, const char *rule, const char *needle)
{
	tu_result r = RUN(so);
	expect_exit(&r, 2);
	char *line = tu_fmt("FAIL  %s ", rule);
	expect_out(&r, line);
	free(line);
	expect_out(&r, needle);
	char *detail = otto_refusal(so);
	cr_assert(tu_contains(r.out, detail), "otto says '%s'; the runner:\n%s", detail, r.out);
	free(detail);
	/* The plugin is unusable: no backend is exercised, so no misleading L1/R1. */
	expect_not_out(&r, "FAIL  R1");
	expect_not_out(&r, "FAIL  L1");
	expect_not_out(&r, "no lab backend named");
	tu_result_free(&r);
}

Test(conformance_trust, name_with_a_space)
{
	expect_refused_as_otto_does(SO("c9_space"), "C9",
				    "reservation backend name 'has space' is invalid: ' ' at position 4 is not allowed");
}

Test(conformance_trust, name_of_1000_characters)
{
	expect_refused_as_otto_does(SO("c9_long"), "C9", "is invalid: the name is 1000 characters long; at most 64");
}

Test(conformance_trust, oversized_type_struct)
{
	char *needle = tu_fmt("reservation backend 'broken': its type is %zu bytes (struct_size), more than the %zu",
			      sizeof(otto_reservation_backend_type) + 64, sizeof(otto_reservation_backend_type));
	expect_refused_as_otto_does(SO("c3_size"), "C3", needle);
	free(needle);
}

/* ------------------------------------------------------------- no caps -- */

Test(conformance_trust, a_thousand_backends_pass, .timeout = 600)
{
	tu_result r = RUN(MANY_SO, "--backend", "many-999");
	expect_exit(&r, 0);
	expect_out(&r, "reservation backend 'many-999'");
	tu_result_free(&r);
	r = RUN(MANY_SO, "--format", "tap");
	expect_exit(&r, 0);
	expect_out(&r, " - R13 reservation backend 'many-999': ");
	char *failed = ct_failed_rules(r.out);
	cr_expect_str_eq(failed, "");
	free(failed);
	tu_result_free(&r);
}
