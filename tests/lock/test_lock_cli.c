/* otto lock ... and the `lock` reservation backend, through the real otto. */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SETTINGS                                                                                                      \
	"[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[reservations.lock]\ndir = \"locks\"\n" \
	"\n[locks]\ndir = \"locks\"\n"

static char *project;

static void setup(void)
{
	project = tu_mkdtemp();
	free(tu_write(project, ".otto/settings.toml", SETTINGS));
}

static void teardown(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(lock_cli, .init = setup, .fini = teardown, .timeout = 30);

/* otto as user `user` (LOGNAME), words after "otto". */
static tu_result run_as(const char *user, const char *const *words)
{
	const char *argv[32] = {OTTO_BIN};
	size_t n = 1;
	for (; words[n - 1]; n++)
		argv[n] = words[n - 1];
	argv[n] = NULL;
	char *logname = tu_fmt("LOGNAME=%s", user);
	const char *env[] = {logname, "OTTO_PLUGIN_PATH=", "USER=", NULL};
	tu_result r = tu_run(argv, project, env, 20);
	free(logname);
	return r;
}
#define OTTO(user, ...) run_as((user), (const char *const[]){__VA_ARGS__, NULL})

Test(lock_cli, acquire_list_release)
{
	tu_result r = OTTO("tester", "lock", "acquire", "router1", "router2", "--expiry", "30m");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "acquired router1 (expiry "), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("tester", "lock", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "NAME"), "%s", r.out);
	cr_assert(tu_contains(r.out, "router1 "), "%s", r.out);
	cr_assert(lt_contains_fmt(r.out, " tester "), "%s", r.out);
	cr_assert(lt_contains_fmt(r.out, " %ld ", (long)getpid()), "the holder is the caller: %s", r.out);
	cr_assert(tu_contains(r.out, " held\n"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("tester", "lock", "list", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"name\": \"router2\""), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"holder\": \"tester\""), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"state\": \"held\""), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("tester", "lock", "release", "router1", "router2");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released router1\nreleased router2\n"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("tester", "lock", "list");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	cr_assert(tu_contains(r.err, "no locks in "), "%s", r.err);
	tu_result_free(&r);
}

Test(lock_cli, another_users_lock_is_refused_and_force_says_whose)
{
	tu_result r = OTTO("alice", "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	r = OTTO("bob", "lock", "acquire", "free-one", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "lock 'board' is held by alice on "), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("bob", "lock", "list");
	cr_assert_not(tu_contains(r.out, "free-one"), "all names or none: %s", r.out);
	tu_result_free(&r);

	r = OTTO("bob", "lock", "release", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "lock 'board' is held by alice (pid"), "%s", r.err);
	tu_result_free(&r);

	r = OTTO("bob", "lock", "release", "--force", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released board by force: it is held by alice on "), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("bob", "lock", "release", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "lock 'board' is not held by anyone"), "%s", r.err);
	tu_result_free(&r);
}

Test(lock_cli, run_holds_the_locks_while_the_command_runs)
{
	tu_result r = OTTO("tester", "lock", "run", "r1", "--expiry", "1h", "--", "sh", "-c",
			   "\"$0\" lock list; exit 7", OTTO_BIN);
	cr_assert_eq(r.status, 7, "exit with the command's status: %s", r.err);
	cr_assert(tu_contains(r.out, "r1 "), "%s", r.out);
	cr_assert(tu_contains(r.out, " held\n"), "%s", r.out);
	tu_result_free(&r);
	r = OTTO("tester", "lock", "list");
	cr_assert_str_eq(r.out, "", "released when the command ended");
	tu_result_free(&r);

	r = OTTO("tester", "lock", "run", "r1", "--", "/no/such/command");
	cr_assert_eq(r.status, 127);
	cr_assert(tu_contains(r.err, "cannot run '/no/such/command'"), "%s", r.err);
	tu_result_free(&r);
}

Test(lock_cli, run_forwards_sigterm_and_releases)
{
	char *marker = tu_fmt("%s/started", project);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(project) != 0)
			_exit(99);
		setenv("LOGNAME", "tester", 1);
		execl(OTTO_BIN, OTTO_BIN, "lock", "run", "sig", "--", "sh", "-c", "touch started; exec sleep 30",
		      (char *)NULL);
		_exit(98);
	}
	for (int i = 0; i < 200 * tu_scaled_seconds(1) && access(marker, F_OK) != 0; i++)
		usleep(20000);
	cr_assert(access(marker, F_OK) == 0, "the command never started");
	kill(pid, SIGTERM);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status), "otto itself must not die of the signal");
	cr_assert_eq(WEXITSTATUS(status), 128 + SIGTERM);
	tu_result r = OTTO("tester", "lock", "list");
	cr_assert_str_eq(r.out, "", "released on SIGTERM: %s", r.out);
	tu_result_free(&r);
	free(marker);
}

Test(lock_cli, reservation_check_follows_the_locks)
{
	tu_result r = OTTO("tester", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "no lock folder yet: fail closed");
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("tester", "lock", "list"); /* creates the folder */
	tu_result_free(&r);
	r = OTTO("tester", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "nothing locked yet: %s %s", r.out, r.err);
	cr_assert(tu_contains(r.out, "router1 (unreserved)") || tu_contains(r.err, "router1 (unreserved)"), "%s%s",
		  r.out, r.err);
	tu_result_free(&r);

	r = OTTO("tester", "lock", "acquire", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("tester", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	tu_result_free(&r);
	r = OTTO("tester", "reservation", "who", "router1");
	cr_assert_str_eq(r.out, "tester\n");
	tu_result_free(&r);

	r = OTTO("tester", "lock", "release", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("bob", "lock", "acquire", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("tester", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.out, "router1 (held by bob)") || tu_contains(r.err, "router1 (held by bob)"), "%s%s",
		  r.out, r.err);
	tu_result_free(&r);
}

Test(lock_cli, a_corrupt_lock_fails_the_check_naming_its_file)
{
	char *dir = tu_fmt("%s/locks", project);
	lt_write(project, "locks/router1.lock.4", "otto-lock 1\nkind=lo");
	tu_result r = OTTO("tester", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "lock 'router1' is corrupt (%s/router1.lock.4: ", dir), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("tester", "lock", "list");
	cr_assert(tu_contains(r.out, " corrupt\n"), "%s", r.out);
	cr_assert(lt_contains_fmt(r.err, "%s/router1.lock.4: the file is truncated", dir), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("tester", "lock", "acquire", "router1");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "only 'otto lock release --force router1' replaces it"), "%s", r.err);
	tu_result_free(&r);
	free(dir);
}

Test(lock_cli, an_unreadable_lock_folder_fails_the_backend)
{
	tu_result r = OTTO("tester", "reservation", "who", "router1");
	cr_assert_neq(r.status, 0);
	cr_assert(lt_contains_fmt(r.err, "lock folder %s/locks: No such file or directory", project), "%s", r.err);
	tu_result_free(&r);
	free(tu_write(project, "locks", "a file"));
	r = OTTO("tester", "lock", "list");
	cr_assert_neq(r.status, 0);
	cr_assert(lt_contains_fmt(r.err, "lock folder %s/locks exists but is not a folder", project), "%s", r.err);
	tu_result_free(&r);
}

Test(lock_cli, usage_errors)
{
	struct {
		const char *words[6];
		const char *msg;
	} cases[] = {
		{{"lock", "frob"}, "unknown subcommand 'frob'"},
		{{"lock", "acquire"}, "lock acquire: missing NAME"},
		{{"lock", "acquire", "x", "--expiry", "soon"}, "invalid duration 'soon'"},
		{{"lock", "acquire", "x", "--wait"}, "--wait needs a DURATION"},
		{{"lock", "release", "x", "--expiry", "1h"}, "unknown option '--expiry'"},
		{{"lock", "run", "x"}, "missing '-- COMMAND'"},
		{{"lock", "list", "x"}, "unexpected argument 'x'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		tu_result r = run_as("tester", cases[i].words);
		cr_assert_eq(r.status, 2, "case %zu", i);
		cr_assert(tu_contains(r.err, cases[i].msg), "case %zu: %s", i, r.err);
		tu_result_free(&r);
	}
	tu_result r = OTTO("tester", "lock", "acquire", "../x");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "invalid lock name '../x'"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("tester", "lock", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert(tu_contains(r.out, "run NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND"), "%s", r.out);
	tu_result_free(&r);
	/* Each subcommand's --help is its own usage, not the family's. */
	static const char *const sub_usage[][2] = {
	    {"acquire", "Usage: otto lock acquire NAME... [--expiry DURATION] [--wait DURATION]"},
	    {"release", "Usage: otto lock release NAME... [--force]"},
	    {"list", "Usage: otto lock list [--json]"},
	    {"run", "Usage: otto lock run NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND [ARGS]"},
	};
	for (size_t i = 0; i < sizeof sub_usage / sizeof *sub_usage; i++) {
		r = OTTO("tester", "lock", sub_usage[i][0], "--help");
		cr_assert_eq(r.status, 0, "%s", sub_usage[i][0]);
		cr_assert(tu_contains(r.out, sub_usage[i][1]), "%s: %s", sub_usage[i][0], r.out);
		cr_assert_not(tu_contains(r.out, "Usage: otto lock COMMAND"), "%s: %s", sub_usage[i][0], r.out);
		tu_result_free(&r);
	}
}
