/*
 * Every shipped plugin passes, with ground truth where we know it.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void expect_all_pass(const char *what, tu_result *r)
{
	char *failed = ct_failed_rules(r->out);
	cr_expect_str_eq(failed, "", "%s: failed rules %s\n%s\n%s", what, failed, r->out, r->err);
	cr_expect_eq(r->status, 0, "%s: exit %d\n%s", what, r->status, r->err);
	free(failed);
}

Test(shipped, example_with_ground_truth)
{
	static const char *const args[] = {OTTO_PLUGIN_BUILD_DIR "/example.so", "--format", "tap", "--expect-lab",
					   "east", "--expect-lab", "west", "--known-user", "alice",
					   "--known-resource", "shared", NULL};
	tu_result r = ct_run(args);
	expect_all_pass("example", &r);
	/* Ground truth given: no ground-truth rule is skipped. */
	cr_expect(!tu_contains(r.out, "ground truth not given"), "%s", r.out);
	tu_result_free(&r);
}

Test(shipped, example_by_backend_name)
{
	static const char *const args[] = {"example", "--plugin-dir", OTTO_PLUGIN_BUILD_DIR, "--format", "tap", NULL};
	tu_result r = ct_run(args);
	expect_all_pass("example by name", &r);
	cr_expect(tu_contains(r.out, "lab backend 'example'") && tu_contains(r.out, "reservation backend 'example'"),
		  "%s", r.out);
	tu_result_free(&r);
}

Test(shipped, builtin_none)
{
	static const char *const args[] = {"none", "--format", "tap", NULL};
	tu_result r = ct_run(args);
	expect_all_pass("none", &r);
	tu_result_free(&r);
}

Test(shipped, json_with_upstream_data)
{
	char *dir = tu_mkdtemp();
	char *res = tu_write(dir, "reservations.json",
			     "{\"version\": 1, \"reservations\": ["
			     "{\"user\": \"alice\", \"resources\": [\"shared\", \"lab-a\"]},"
			     "{\"user\": \"bob\", \"resources\": [\"shared\"], \"expires\": \"2999-01-01T00:00:00Z\"}]}");
	char *settings = tu_fmt("[lab.json]\npaths = \"%s/upstream-lab-data/tech1\"\n"
				"[reservations.json]\npath = \"%s\"\n",
				OTTO_FIXTURES_DIR, res);
	char *file = tu_write(dir, ".otto/settings.toml", settings);
	static const char *fmt[] = {"--format", "tap", "--known-user", "alice", "--known-resource", "shared", NULL};
	const char *args[] = {OTTO_PLUGIN_BUILD_DIR "/json.so", "--settings", file, fmt[0], fmt[1], fmt[2], fmt[3],
			      fmt[4], fmt[5], "--expect-lab", "veggies", NULL};
	tu_result r = ct_run(args);
	expect_all_pass("json", &r);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(res);
	free(settings);
	free(file);
}

/* Built into libotto since issue 12: checked by name, as none is. */
Test(shipped, lock)
{
	char *dir = tu_mkdtemp();
	char *set = tu_fmt("dir=%s", dir);
	const char *args[] = {"lock", "--set", set, "--format", "tap", NULL};
	tu_result r = ct_run(args);
	expect_all_pass("lock", &r);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(set);
}
