/*
 * Leases and fencing tokens (issue 12): otto_lock_manager_renew on the lock
 * folder (renewed only while the lock is still the caller's and
 * unexpired), `otto lock run --expiry` renewing its lease while COMMAND
 * runs and stopping COMMAND when a lock is lost, through the folder and
 * through a plugin's lock store in its worker (frame LOCK_RENEW), a store
 * without renew (and what `otto plugins inspect` says of it), and the
 * fencing token in acquire, release and list.
 */
#include "lock_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

static char *root, *dir;

static void setup(void)
{
	root = lt_folder(&dir);
}

static void teardown(void)
{
	tu_rm_rf(root);
	free(root);
	free(dir);
}

TestSuite(lock_lease, .init = setup, .fini = teardown, .timeout = 120);

Test(lock_lease, renew_moves_the_expiry_and_keeps_the_grant)
{
	int64_t now = 1000;
	otto_lock_options o = lt_options(dir, false, &now);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	bool got = false;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 60, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert(got);
	now = 1050;
	cr_assert_eq(otto_lock_manager_renew(m, 60, &err), OTTO_OK, "%s", err.message);
	otto_lock_info info;
	cr_assert_eq(otto_lock_manager_get(m, "board", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.expiry, 1110, "renewed to 60 s after now: %lld", (long long)info.expiry);
	cr_assert_eq(info.taken, 1000, "a renewal is the same grant: taken stays");
	otto_lock_info_clear(&info);
	/* Past the first expiry, still held: the lease was renewed. */
	now = 1100;
	cr_assert_eq(otto_lock_manager_get(m, "board", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	otto_lock_info_clear(&info);
	cr_assert_eq(otto_lock_manager_fence(m, "board"), 0, "the lock folder gives no fencing token");
	cr_assert_eq(otto_lock_manager_renew(m, 0, &err), OTTO_EINVALID);
	otto_lock_manager_free(m);
}

Test(lock_lease, a_lease_that_ran_out_is_not_renewed)
{
	int64_t now = 1000;
	otto_lock_options o = lt_options(dir, false, &now);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	bool got = false;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 60, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	now = 1061;
	cr_assert_eq(otto_lock_manager_renew(m, 60, &err), OTTO_ENOTFOUND);
	cr_assert(tu_contains(err.message, "lease of lock 'board' ran out"), "%s", err.message);
	/* Forgotten: a second renewal has nothing to do. */
	cr_assert_eq(otto_lock_manager_renew(m, 60, &err), OTTO_OK, "%s", err.message);
	otto_lock_manager_free(m);
}

Test(lock_lease, a_lock_taken_over_is_lost_and_left_to_its_new_holder)
{
	int64_t now = 1000;
	otto_lock_options o = lt_options(dir, false, &now);
	otto_lock_manager *m = lt_manager(&o, 0);
	pid_t other_pid = lt_sleeper();
	otto_lock_manager *other = lt_manager(&o, other_pid);
	otto_error err = {0};
	bool got = false;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 60, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	now = 1100; /* expired: the other takes it */
	cr_assert_eq(otto_lock_manager_acquire(other, "board", 60, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert(got);
	cr_assert_eq(otto_lock_manager_renew(m, 60, &err), OTTO_ENOTFOUND);
	cr_assert(tu_contains(err.message, "lease was lost"), "%s", err.message);
	otto_lock_manager_free(m); /* must not release the other's lock */
	otto_lock_info info;
	cr_assert_eq(otto_lock_manager_get(other, "board", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.pid, other_pid);
	otto_lock_info_clear(&info);
	otto_lock_manager_free(other);
	lt_kill(other_pid);
}

/* ------------------------------------------------------------- the CLI -- */

static char *project_with(const char *locks_table)
{
	char *p = tu_mkdtemp();
	char *s = tu_fmt("[lab]\nbackend = \"example\"\n\n[locks]\n%s", locks_table);
	free(tu_write(p, ".otto/settings.toml", s));
	free(s);
	return p;
}

static tu_result otto_in(const char *project, const char *plugin_dir, const char *const *words)
{
	const char *argv[40] = {OTTO_BIN};
	size_t n = 1;
	for (; words[n - 1] && n < 39; n++)
		argv[n] = words[n - 1];
	argv[n] = NULL;
	char *path = tu_fmt("OTTO_PLUGIN_PATH=%s", plugin_dir ? plugin_dir : "");
	char *logname = tu_fmt("LOGNAME=%s", lt_me());
	const char *env[] = {path, logname, "USER=", NULL};
	tu_result r = tu_run(argv, project, env, tu_scaled_seconds(60));
	free(path);
	free(logname);
	return r;
}
#define OTTO_IN(project, plugins, ...) otto_in((project), (plugins), (const char *const[]){__VA_ARGS__, NULL})

/* COMMAND outlives the first expiry and still finds its lock held: the
 * lease was renewed (PID checking off, so only the expiry keeps it). */
static void run_outlives_its_first_expiry(const char *project, const char *plugins)
{
	int lease = tu_scaled_seconds(2);
	char *expiry = tu_fmt("%ds", lease);
	char *script = tu_fmt("sleep %d; exec %s lock list --json", lease + 2, OTTO_BIN);
	tu_result r = OTTO_IN(project, plugins, "lock", "run", "board", "--expiry", expiry, "--", "sh", "-c", script);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"name\": \"board\""), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"state\": \"held\""), "renewed, so still held: %s", r.out);
	tu_result_free(&r);
	free(expiry);
	free(script);
}

Test(lock_lease, run_renews_its_lease_on_the_folder)
{
	char *project = project_with("dir = \"locks\"\ncheck_pid = false\n");
	run_outlives_its_first_expiry(project, NULL);
	tu_rm_rf(project);
	free(project);
}

Test(lock_lease, run_renews_its_lease_through_a_plugin_store_in_its_worker)
{
	char *project = project_with("store = \"tstore\"\nurl = \"store\"\n");
	char *store = tu_fmt("%s/store", project);
	free(tu_write(project, "store/names", "board\n"));
	char *plugins = tu_fmt("%s/lock_tstore", OTTO_TEST_PLUGIN_DIR);
	char *settings = tu_fmt("[lab]\nbackend = \"example\"\n\n[locks]\nstore = \"tstore\"\nurl = \"%s\"\n", store);
	free(tu_write(project, ".otto/settings.toml", settings));
	run_outlives_its_first_expiry(project, plugins);
	tu_rm_rf(project);
	free(project);
	free(store);
	free(plugins);
	free(settings);
}

/* A store without renew: said once, COMMAND runs to its end. */
Test(lock_lease, a_store_that_cannot_renew_is_said_and_the_command_runs_on)
{
	char *project = tu_mkdtemp();
	char *store = tu_fmt("%s/store", project);
	free(tu_write(project, "store/names", "board\n"));
	char *settings = tu_fmt("[lab]\nbackend = \"example\"\n\n[locks]\nstore = \"tstore\"\nurl = \"%s\"\n", store);
	free(tu_write(project, ".otto/settings.toml", settings));
	char *plugins = tu_fmt("%s/lock_tstore_norenew", OTTO_TEST_PLUGIN_DIR);
	int lease = tu_scaled_seconds(2);
	char *expiry = tu_fmt("%ds", lease);
	char *script = tu_fmt("sleep %d; echo done", lease);
	tu_result r = OTTO_IN(project, plugins, "lock", "run", "board", "--expiry", expiry, "--", "sh", "-c", script);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "done"), "%s", r.out);
	cr_assert(tu_contains(r.err, "cannot renew a lease"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(project);
	free(project);
	free(store);
	free(settings);
	free(plugins);
	free(expiry);
	free(script);
}

/* `otto plugins inspect` says, before anything is called, whether a store
 * renews leases (and has nothing to prepare), by its backend name too. */
Test(lock_lease, plugins_inspect_says_whether_a_store_renews)
{
	char *project = tu_mkdtemp();
	const struct {
		const char *folder, *line;
	} cases[] = {{"lock_tstore", "    optional capabilities: prepare no, renew yes\n"},
		     {"lock_tstore_norenew", "    optional capabilities: prepare no, renew no\n"}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *plugins = tu_fmt("%s/%s", OTTO_TEST_PLUGIN_DIR, cases[i].folder);
		tu_result r = OTTO_IN(project, plugins, "plugins", "inspect", "tstore");
		cr_assert_eq(r.status, 0, "%s: %s", cases[i].folder, r.err);
		cr_assert(tu_contains(r.out, "  lock store tstore: "), "%s: %s", cases[i].folder, r.out);
		cr_assert(tu_contains(r.out, cases[i].line), "%s: %s", cases[i].folder, r.out);
		tu_result_free(&r);
		free(plugins);
	}
	tu_rm_rf(project);
	free(project);
}

/* The lock is released under COMMAND's feet: the next renewal finds it
 * lost and stops COMMAND with SIGTERM, saying so. */
Test(lock_lease, a_lost_lock_stops_the_command)
{
	char *project = project_with("dir = \"locks\"\n");
	int lease = tu_scaled_seconds(3);
	char *expiry = tu_fmt("%ds", lease);
	char *script = tu_fmt("%s lock release board --force >/dev/null || exit 9; exec sleep %d", OTTO_BIN, lease * 10);
	tu_result r = OTTO_IN(project, NULL, "lock", "run", "board", "--expiry", expiry, "--", "sh", "-c", script);
	cr_assert_eq(r.status, 128 + 15, "stopped with SIGTERM: exit %d\n%s", r.status, r.err);
	cr_assert(tu_contains(r.err, "a lock is lost"), "%s", r.err);
	cr_assert(tu_contains(r.err, "stopping 'sh' (SIGTERM)"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(project);
	free(project);
	free(expiry);
	free(script);
}

Test(lock_lease, print_token_json_and_release_say_the_fence)
{
	char *project = project_with("dir = \"locks\"\n");
	tu_result r = OTTO_IN(project, NULL, "lock", "acquire", "board", "--expiry", "1h", "--print-token");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "; fencing token none)"), "%s", r.out);
	cr_assert(tu_contains(r.err, "gives no fencing tokens"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO_IN(project, NULL, "lock", "acquire", "board2", "--expiry", "1h", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"fence\": null"), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"token\": \""), "%s", r.out);
	tu_result_free(&r);
	r = OTTO_IN(project, NULL, "lock", "list");
	cr_assert(!tu_contains(r.out, "FENCE"), "no FENCE column for a store without fences: %s", r.out);
	tu_result_free(&r);
	r = OTTO_IN(project, NULL, "lock", "release", "board", "--force", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(lt_contains_fmt(r.out, "\"holder\": \"%s\"", lt_me()), "says whose: %s", r.out);
	cr_assert(tu_contains(r.out, "\"forced\": true"), "%s", r.out);
	tu_result_free(&r);
	tu_rm_rf(project);
	free(project);
}
