/* `otto reservation check` through the real otto command, json backends on both seams. */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define UPSTREAM OTTO_FIXTURES_DIR "/upstream-lab-data"

static char *repo(const char *reservations)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml",
		      "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"" UPSTREAM "/tech1\", \"" UPSTREAM "/tech2\"]\n\n"
		      "[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \".otto/reservations.json\"\n"));
	if (reservations)
		free(tu_write(dir, ".otto/reservations.json", reservations));
	return dir;
}

static tu_result check(const char *dir, const char *user)
{
	const char *argv[] = {OTTO_BIN, "--as-user", user, "reservation", "check", "--lab", "veggies", NULL};
	return tu_run(argv, dir, NULL, 30);
}

static const char *const file =
    "{\"version\": 1, \"reservations\": [\n"
    " {\"user\": \"alice\", \"resources\": [\"carrot\", \"tomato\"], \"expires\": \"2099-01-01T00:00:00Z\"},\n"
    " {\"user\": \"alice\", \"resources\": [\"pepper\"]},\n"
    " {\"user\": \"bob\", \"resources\": [\"carrot\"]},\n"
    " {\"user\": \"carol\", \"resources\": [\"pepper\"], \"expires\": \"2000-01-01T00:00:00Z\"}\n]}\n";

Test(json_cli, check_passes_when_the_user_holds_carrot_tomato_and_pepper)
{
	char *dir = repo(file);
	tu_result r = check(dir, "alice");
	cr_assert_eq(r.status, 0, "stdout: %s\nstderr: %s", r.out, r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(json_cli, check_fails_with_the_missing_resources_and_their_holders)
{
	char *dir = repo(file);
	tu_result r = check(dir, "bob");
	cr_assert_eq(r.status, 1, "stdout: %s\nstderr: %s", r.out, r.err);
	const char *want = "User 'bob' does not hold all resources required by lab 'veggies'. Missing:\n"
			   "  - pepper (held by alice)\n"
			   "  - tomato (held by alice)\n";
	cr_assert(tu_contains(r.err, want), "stderr: %s", r.err);
	tu_result_free(&r);
	r = check(dir, "carol");
	cr_assert_eq(r.status, 1);
	want = "User 'carol' does not hold all resources required by lab 'veggies'. Missing:\n"
	       "  - carrot (held by alice, bob)\n"
	       "  - pepper (held by alice)\n"
	       "  - tomato (held by alice)\n";
	cr_assert(tu_contains(r.err, want), "an expired entry holds nothing; stderr: %s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(json_cli, check_fails_closed_on_a_broken_reservations_file)
{
	char *dir = repo("{\"version\": 1,\n \"reservations\": [}\n");
	tu_result r = check(dir, "alice");
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert(tu_contains(r.err, "reservations.json:2:"), "stderr: %s", r.err);
	cr_assert(tu_contains(r.err, "JSON syntax error"), "stderr: %s", r.err);
	cr_assert_not(tu_contains(r.err, "Missing:"), "stderr: %s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	dir = repo(NULL);
	r = check(dir, "alice");
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert(tu_contains(r.err, "cannot read"), "stderr: %s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(json_cli, lab_list_shows_the_upstream_labs)
{
	char *dir = repo(file);
	const char *argv[] = {OTTO_BIN, "lab", "list", NULL};
	tu_result r = tu_run(argv, dir, NULL, 30);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "busybox\nembedded\nfruits\nveggies\n");
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}
