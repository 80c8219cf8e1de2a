/*
 * Rules X1-X4 (the write capability) against the writes corpus: each
 * defect is reported as exactly its rule; the baseline passes; a read-only
 * backend (the broken corpus's baseline) is skipped on X2-X4, not failed.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void check_writes(const char *name, const char *expected, int exit_code)
{
	char *so = tu_fmt("%s/writes_%s.so", CORPUS_DIR, name);
	tu_result r = ct_run((const char *const[]){so, "--format", "tap", "--only", "X", NULL});
	char *failed = ct_failed_rules(r.out);
	cr_expect_str_eq(failed, expected, "%s: failed rules '%s', expected '%s'\n%s\n%s", name, failed, expected, r.out,
			 r.err);
	cr_expect_eq(r.status, exit_code, "%s: exit %d, expected %d\n%s", name, r.status, exit_code, r.err);
	if (strcmp(name, "none") == 0)
		cr_expect(!strstr(r.out, "# SKIP"), "the baseline skipped a rule:\n%s", r.out);
	free(failed);
	free(so);
	tu_result_free(&r);
}

Test(writes, baseline_passes)
{
	check_writes("none", "", 0);
}

Test(writes, only_one_of_reserve_and_cancel)
{
	check_writes("x1", "X1", 1);
}

Test(writes, reserve_does_not_report_what_it_made)
{
	check_writes("x2", "X2", 1);
}

Test(writes, overlap_is_not_refused)
{
	check_writes("x3", "X3", 1);
}

Test(writes, cancel_does_not_remove)
{
	check_writes("x4", "X4", 1);
}

Test(writes, read_only_backend_is_skipped_not_failed)
{
	char *so = tu_fmt("%s/broken_none.so", CORPUS_DIR);
	tu_result r = ct_run((const char *const[]){so, "--format", "tap", "--only", "X", "--kind", "reservation", NULL});
	cr_expect_eq(r.status, 0, "exit %d\n%s\n%s", r.status, r.out, r.err);
	cr_expect(strstr(r.out, "X2") && strstr(r.out, "# SKIP"), "X2 not skipped:\n%s", r.out);
	cr_expect(strstr(r.out, "read-only"), "the skip does not say read-only:\n%s", r.out);
	free(so);
	tu_result_free(&r);
}
