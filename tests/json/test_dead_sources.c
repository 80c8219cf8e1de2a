/*
 * Dead lab sources are loud. A lab's hosts come from the lab.json of every
 * configured folder (its own only: sub-folders are not searched, as
 * upstream); one that cannot be read must stop the command with an error
 * naming the path, because a lab that silently lost hosts makes `otto
 * reservation check` pass on the rest. Upstream skips such a file: this is
 * deviation D1 of docs/upstream.md.
 *
 * Each case takes the real otto command through a real repository: lab
 * "veggies" has host carrot (labs/good/lab.json) and host tomato
 * (labs/more/lab.json); alice holds carrot only, so the check must fail.
 * Then labs/more is broken in one way or another: the check must still
 * fail, now with an error naming the broken path, never pass on carrot.
 */
#include "json_test.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static const char lab_good[] =
    "{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"carrot\", \"labs\": [\"veggies\"], \"resources\": [\"carrot\"]}]}\n";
static const char lab_more[] =
    "{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"tomato\", \"labs\": [\"veggies\"], \"resources\": [\"tomato\"]}]}\n";

static void make_repo(void)
{
	dir = tu_mkdtemp();
	cr_assert_eq(chmod(dir, 0755), 0); /* the unprivileged case reads it too */
	free(tu_write(dir, ".otto/settings.toml",
		      "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"labs/good\", \"labs/more\", \"not-there\"]\n\n[reservations]\n"
		      "backend = \"json\"\n[reservations.json]\npath = \"reservations.json\"\n"));
	free(tu_write(dir, "reservations.json",
		      "{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"carrot\"]}]}\n"));
	free(tu_write(dir, "labs/good/lab.json", lab_good));
	free(tu_write(dir, "labs/more/lab.json", lab_more));
}

static void remove_repo(void)
{
	char *more = tu_fmt("%s/labs/more", dir);
	chmod(more, 0755); /* so that it can be removed */
	free(more);
	tu_rm_rf(dir);
	free(dir);
}

TestSuite(dead_sources, .init = make_repo, .fini = remove_repo);

static char *path(const char *name)
{
	return tu_fmt("%s/%s", dir, name);
}

static tu_result run_as(int uid, int gid, const char *const *words)
{
	const char *argv[16] = {OTTO_BIN};
	size_t n = 1;
	for (size_t i = 0; words[i]; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	const char *env[] = {"OTTO_PLUGIN_PATH=", NULL};
	return tu_run_as(uid, gid, argv, dir, env, 60);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The check fails, and so does loading the lab, each with `needle` (which
 * names the broken path) in its message. */
static void assert_loud_as(int uid, int gid, const char *needle)
{
	tu_result r = run_as(uid, gid, WORDS("--as-user", "alice", "reservation", "check", "--lab", "veggies"));
	cr_assert_eq(r.status, 1, "the check must fail; stdout: %s stderr: %s", r.out, r.err);
	cr_assert(tu_contains(r.err, needle), "want '%s' in: %s", needle, r.err);
	cr_assert_not(tu_contains(r.out, "holds every resource"), "%s", r.out);
	tu_result_free(&r);
	r = run_as(uid, gid, WORDS("lab", "show", "veggies"));
	cr_assert_eq(r.status, 1, "lab show must fail; stdout: %s", r.out);
	cr_assert(tu_contains(r.err, needle), "want '%s' in: %s", needle, r.err);
	tu_result_free(&r);
}

static void assert_loud(const char *needle)
{
	assert_loud_as(-1, -1, needle);
}

Test(dead_sources, the_intact_repository_fails_the_check_on_tomato)
{
	tu_result r = run_as(-1, -1, WORDS("--as-user", "alice", "reservation", "check", "--lab", "veggies"));
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert(tu_contains(r.err, "  - tomato (unreserved)"), "%s", r.err);
	tu_result_free(&r);
}

Test(dead_sources, a_sub_folder_that_can_be_listed_but_not_searched)
{
	int uid, gid;
	tu_test_user("otto-test-reader", &uid, &gid);
	char *more = path("labs/more");
	cr_assert_eq(chmod(more, 0444), 0);
	char *needle = tu_fmt("cannot search lab file %s/lab.json: Permission denied", more);
	assert_loud_as(uid, gid, needle);
	free(needle);
	free(more);
}

/* Only the folder's own lab.json is read, so a folder that can be searched
 * but not listed works: nothing is lost. */
Test(dead_sources, a_folder_that_cannot_be_listed_is_still_read)
{
	int uid, gid;
	tu_test_user("otto-test-reader", &uid, &gid);
	char *more = path("labs/more");
	cr_assert_eq(chmod(more, 0311), 0);
	tu_result r = run_as(uid, gid, WORDS("--as-user", "alice", "reservation", "check", "--lab", "veggies"));
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert(tu_contains(r.err, "  - tomato (unreserved)"), "%s", r.err);
	tu_result_free(&r);
	free(more);
}

Test(dead_sources, lab_json_is_a_dangling_symlink)
{
	char *file = path("labs/more/lab.json");
	cr_assert_eq(unlink(file), 0);
	cr_assert_eq(symlink("/nonexistent/otto/lab.json", file), 0);
	char *needle = tu_fmt("lab file %s is a dangling symlink", file);
	assert_loud(needle);
	free(needle);
	free(file);
}

Test(dead_sources, lab_json_is_a_symlink_loop)
{
	char *file = path("labs/more/lab.json");
	cr_assert_eq(unlink(file), 0);
	cr_assert_eq(symlink("lab.json", file), 0);
	char *needle = tu_fmt("lab file %s is a symlink loop", file);
	assert_loud(needle);
	free(needle);
	free(file);
}

Test(dead_sources, lab_json_is_a_folder)
{
	char *file = path("labs/more/lab.json");
	cr_assert_eq(unlink(file), 0);
	cr_assert_eq(mkdir(file, 0755), 0);
	char *needle = tu_fmt("lab file %s is a folder, not a regular file", file);
	assert_loud(needle);
	free(needle);
	free(file);
}

Test(dead_sources, lab_json_is_a_fifo)
{
	char *file = path("labs/more/lab.json");
	cr_assert_eq(unlink(file), 0);
	cr_assert_eq(mkfifo(file, 0644), 0);
	char *needle = tu_fmt("lab file %s is a FIFO, not a regular file", file);
	assert_loud(needle);
	free(needle);
	free(file);
}

Test(dead_sources, a_configured_folder_is_a_dangling_symlink)
{
	char *more = path("labs/more");
	tu_rm_rf(more);
	cr_assert_eq(symlink("/nonexistent/otto/labs", more), 0);
	char *needle = tu_fmt("lab path %s is a dangling symlink", more);
	assert_loud(needle);
	free(needle);
	free(more);
}

/* The behaviour that changed (docs/json.md): a lab.json in a sub-folder of
 * a configured folder is not read, as upstream reads none. */
Test(dead_sources, sub_folders_are_not_searched)
{
	char *file = path("labs/more/lab.json");
	cr_assert_eq(unlink(file), 0);
	free(file);
	free(tu_write(dir, "labs/more/site/lab.json", lab_more));
	tu_result r = run_as(-1, -1, WORDS("lab", "show", "veggies"));
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "Hosts:     1"), "%s", r.out);
	tu_result_free(&r);
}

/* Still the upstream contract: a configured path that does not exist is
 * skipped ("not-there" in every case above), and files other than lab.json
 * (a README, a FIFO named otherwise) are not lab sources. */
Test(dead_sources, missing_paths_and_other_files_are_not_sources)
{
	free(tu_write(dir, "labs/more/README", "notes\n"));
	char *fifo = path("labs/more/pipe");
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	free(fifo);
	tu_result r = run_as(-1, -1, WORDS("lab", "show", "veggies"));
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "Hosts:     2"), "%s", r.out);
	tu_result_free(&r);
}
