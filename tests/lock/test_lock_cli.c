/* otto lock ... and the `lock` reservation backend, through the real otto,
 * as root and as two real users made for the test. */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SETTINGS                                                                                                      \
	"[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[locks]\ndir = \"locks\"\n"

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

/* Per test; scaled by the time scale of the run (tests/support/testutil.h). */
TestSuite(lock_cli, .init = setup, .fini = teardown, .timeout = 120);

/* otto as `pw` (NULL: this process's user), words after "otto". LOGNAME
 * says who the user is for the reservation commands; the lock commands
 * record the uid's own name whatever it says. */
static tu_result run_as(const struct passwd *pw, const char *const *words)
{
	const char *argv[32] = {OTTO_BIN};
	size_t n = 1;
	for (; words[n - 1]; n++)
		argv[n] = words[n - 1];
	argv[n] = NULL;
	char *logname = tu_fmt("LOGNAME=%s", pw ? pw->pw_name : lt_me());
	const char *env[] = {logname, "OTTO_PLUGIN_PATH=", "USER=", NULL};
	tu_result r = pw ? tu_run_as(pw->pw_uid, pw->pw_gid, argv, project, env, 20) : tu_run(argv, project, env, 20);
	free(logname);
	return r;
}
#define OTTO(...) run_as(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define OTTO_AS(pw, ...) run_as((pw), (const char *const[]){__VA_ARGS__, NULL})

/* The project readable by all, its lock folder made by root, shared. */
static void share_project(void)
{
	free(lt_shared_folder(project));
}

Test(lock_cli, acquire_list_release)
{
	tu_result r = OTTO("lock", "acquire", "router1", "router2", "--expiry", "30m");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "acquired router1 (expiry "), "%s", r.out);
	cr_assert(lt_contains_fmt(r.out, "held while pid %ld lives; release token ", (long)getpid()), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("lock", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "NAME"), "%s", r.out);
	cr_assert(tu_contains(r.out, "router1 "), "%s", r.out);
	cr_assert(lt_contains_fmt(r.out, " %s ", lt_me()), "%s", r.out);
	cr_assert(lt_contains_fmt(r.out, " %ld ", (long)getpid()), "the holder is the caller: %s", r.out);
	cr_assert(tu_contains(r.out, " held\n"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("lock", "list", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"name\": \"router2\""), "%s", r.out);
	cr_assert(lt_contains_fmt(r.out, "\"holder\": \"%s\"", lt_me()), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"state\": \"held\""), "%s", r.out);
	tu_result_free(&r);

	/* Released from the same caller: this process is the holder. */
	r = OTTO("lock", "release", "router1", "router2");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released router1\nreleased router2\n"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("lock", "list");
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	cr_assert(tu_contains(r.err, "no locks in "), "%s", r.err);
	tu_result_free(&r);
}

Test(lock_cli, another_users_lock_is_refused_and_force_says_whose)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	share_project();
	tu_result r = OTTO_AS(&a, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	r = OTTO_AS(&b, "lock", "acquire", "free-one", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "lock 'board' is held by otto-lk-a on "), "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&b, "lock", "list");
	cr_assert_not(tu_contains(r.out, "free-one"), "all names or none: %s", r.out);
	tu_result_free(&r);

	r = OTTO_AS(&b, "lock", "release", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "lock 'board' is held by otto-lk-a (pid"), "%s", r.err);
	cr_assert(tu_contains(r.err, "--force"), "%s", r.err);
	tu_result_free(&r);

	r = OTTO_AS(&b, "lock", "release", "--force", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released board by force: it is held by otto-lk-a on "), "%s", r.out);
	tu_result_free(&r);

	r = OTTO_AS(&b, "lock", "release", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "lock 'board' is not held by anyone"), "%s", r.err);
	tu_result_free(&r);
}

Test(lock_cli, run_holds_the_locks_while_the_command_runs)
{
	tu_result r = OTTO("lock", "run", "r1", "--expiry", "1h", "--", "sh", "-c",
			   "\"$0\" lock list; exit 7", OTTO_BIN);
	cr_assert_eq(r.status, 7, "exit with the command's status: %s", r.err);
	cr_assert(tu_contains(r.out, "r1 "), "%s", r.out);
	cr_assert(tu_contains(r.out, " held\n"), "%s", r.out);
	tu_result_free(&r);
	r = OTTO("lock", "list");
	cr_assert_str_eq(r.out, "", "released when the command ended");
	tu_result_free(&r);

	r = OTTO("lock", "run", "r1", "--", "/no/such/command");
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
	tu_result r = OTTO("lock", "list");
	cr_assert_str_eq(r.out, "", "released on SIGTERM: %s", r.out);
	tu_result_free(&r);
	free(marker);
}

Test(lock_cli, reservation_check_follows_the_locks)
{
	lt_need_root();
	struct passwd b = lt_user("otto-lk-b");
	tu_result r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "no lock folder yet: fail closed");
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	tu_result_free(&r);
	share_project();
	r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "nothing locked yet: %s %s", r.out, r.err);
	cr_assert(tu_contains(r.out, "router1 (unreserved)") || tu_contains(r.err, "router1 (unreserved)"), "%s%s",
		  r.out, r.err);
	tu_result_free(&r);

	r = OTTO("lock", "acquire", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "who", "router1");
	cr_assert(lt_contains_fmt(r.out, "%s\n", lt_me()), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("lock", "release", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&b, "lock", "acquire", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.out, "router1 (held by otto-lk-b)") || tu_contains(r.err, "router1 (held by otto-lk-b)"),
		  "%s%s", r.out, r.err);
	tu_result_free(&r);
}

Test(lock_cli, a_corrupt_lock_fails_the_check_naming_its_file)
{
	char *dir = tu_fmt("%s/locks", project);
	lt_write(project, "locks/router1.lock.4", "otto-lock 2\nkind=lo");
	tu_result r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "lock 'router1' is corrupt (%s/router1.lock.4: ", dir), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("lock", "list");
	cr_assert(tu_contains(r.out, " corrupt\n"), "%s", r.out);
	cr_assert(lt_contains_fmt(r.err, "%s/router1.lock.4: the file is truncated", dir), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("lock", "acquire", "router1");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "only 'otto lock release --force router1' replaces it"), "%s", r.err);
	tu_result_free(&r);
	free(dir);
}

Test(lock_cli, an_unreadable_lock_folder_fails_the_backend)
{
	tu_result r = OTTO("reservation", "who", "router1");
	cr_assert_neq(r.status, 0);
	cr_assert(lt_contains_fmt(r.err, "lock folder %s/locks: No such file or directory", project), "%s", r.err);
	tu_result_free(&r);
	free(tu_write(project, "locks", "a file"));
	r = OTTO("lock", "list");
	cr_assert_neq(r.status, 0);
	cr_assert(lt_contains_fmt(r.err, "refusing lock folder %s/locks: %s/locks is not a folder", project, project),
		  "%s", r.err);
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
		{{"lock", "release", "x", "--token"}, "--token needs the TOKEN acquire printed"},
		{{"lock", "acquire", "x", "--token", "y"}, "unknown option '--token'"},
		{{"lock", "run", "x"}, "missing '-- COMMAND'"},
		{{"lock", "list", "x"}, "unexpected argument 'x'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		tu_result r = run_as(NULL, cases[i].words);
		cr_assert_eq(r.status, 2, "case %zu", i);
		cr_assert(tu_contains(r.err, cases[i].msg), "case %zu: %s", i, r.err);
		tu_result_free(&r);
	}
	tu_result r = OTTO("lock", "acquire", "../x");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "invalid lock name '../x'"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("lock", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert(tu_contains(r.out, "run NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND"), "%s", r.out);
	tu_result_free(&r);
	/* Each subcommand's --help is its own usage, not the family's. */
	static const char *const sub_usage[][2] = {
	    {"acquire", "Usage: otto lock acquire NAME... [--expiry DURATION] [--wait DURATION]"},
	    {"release", "Usage: otto lock release NAME... [--token TOKEN] [--force]"},
	    {"list", "Usage: otto lock list [--json]"},
	    {"run", "Usage: otto lock run NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND [ARGS]"},
	};
	for (size_t i = 0; i < sizeof sub_usage / sizeof *sub_usage; i++) {
		r = OTTO("lock", sub_usage[i][0], "--help");
		cr_assert_eq(r.status, 0, "%s", sub_usage[i][0]);
		cr_assert(tu_contains(r.out, sub_usage[i][1]), "%s: %s", sub_usage[i][0], r.out);
		cr_assert_not(tu_contains(r.out, "Usage: otto lock COMMAND"), "%s: %s", sub_usage[i][0], r.out);
		tu_result_free(&r);
	}
}

/* Issue 12: [locks] is the one place naming the lock store. With only
 * [locks] dir set, the gate once read the default folder while `otto lock`
 * wrote to dir, so a held board was reported unreserved. */
Test(lock_cli, the_gate_reads_the_folder_locks_dir_names)
{
	free(tu_write(project, ".otto/settings.toml",
		      "[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[locks]\ndir = "
		      "\"elsewhere\"\n"));
	tu_result r = OTTO("lock", "acquire", "router1", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "who", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(lt_contains_fmt(r.out, "%s\n", lt_me()), "the gate must see the lock in [locks] dir: '%s'", r.out);
	tu_result_free(&r);
	r = OTTO("lock", "release", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "who", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

/* A [reservations.lock] table would be a second place: refused, naming
 * where it was written and where it belongs, and the check fails closed. */
Test(lock_cli, a_reservations_lock_table_is_refused_naming_locks)
{
	free(tu_write(project, ".otto/settings.toml",
		      "[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[reservations.lock]\n"
		      "dir = \"locks\"\n"));
	tu_result r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_neq(r.status, 0, "%s %s", r.out, r.err);
	cr_assert(tu_contains(r.err, "settings.toml:8: [reservations.lock] dir is not read: the lock backend reads the "
				     "lock store that [locks] names"),
		  "%s", r.err);
	cr_assert(tu_contains(r.err, "write it under [locks]"), "%s", r.err);
	tu_result_free(&r);
}

/* [locks] store names a store no plugin provides: `otto lock` and the gate
 * both fail, naming it (never falling back to the folder). */
Test(lock_cli, an_unknown_lock_store_fails_both_ways)
{
	free(tu_write(project, ".otto/settings.toml",
		      "[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[locks]\ndir = "
		      "\"locks\"\nstore = \"nosuch\"\n"));
	tu_result r = OTTO("lock", "acquire", "router1");
	cr_assert_neq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.err, "no lock store backend named 'nosuch'"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "who", "router1");
	cr_assert_neq(r.status, 0, "%s", r.out);
	cr_assert(tu_contains(r.err, "no lock store backend named 'nosuch'"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("lock", "list");
	cr_assert_neq(r.status, 0, "%s", r.out);
	tu_result_free(&r);
}
