/*
 * The postgres lock store through the real otto, as real users each
 * connecting as the database role of their own name (peer authentication):
 * otto lock acquire/release/list/run work as on the lock folder, fencing
 * tokens only grow, one role can neither take nor release another's lock
 * (not through otto, not with raw SQL), a member of otto_admin breaks it
 * with --force and the holder is named, and the `lock` reservation view
 * (the gate) sees the team store's locks. The schema is set up as an
 * administrator would: `otto db init` as the database owner.
 */
#include "pgtest.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct who {
	const char *name;
	int uid, gid;
	char *project;
} who;

static pgt_server *server;
static who alice = {"otto-pla", 0, 0, NULL}, bob = {"otto-plb", 0, 0, NULL}, admin = {"otto-pladm", 0, 0, NULL};

static void project_for(who *w)
{
	w->project = tu_mkdtemp();
	chmod(w->project, 0755);
	char *url = pgt_url(server, w->name);
	char *text = tu_fmt("[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n"
			    "[locks]\nstore = \"postgres\"\nurl = \"%s\"\n",
			    url);
	char *path = tu_write(w->project, ".otto/settings.toml", text);
	char *dotdir = tu_fmt("%s/.otto", w->project);
	chmod(dotdir, 0755);
	chmod(path, 0644);
	free(dotdir);
	free(path);
	free(text);
	free(url);
}

/* The schema, as an administrator sets it up: `otto db init` as the
 * database owner (root connects as it), with the lock store the only
 * backend that keeps anything, so the store's own prepare does it. Other
 * suites share this database: it may be up to date already. */
static void db_init(void)
{
	char *project = tu_mkdtemp();
	char *url = pgt_url(server, NULL);
	char *text = tu_fmt("[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n"
			    "[locks]\nstore = \"postgres\"\nurl = \"%s\"\n",
			    url);
	char *settings = tu_write(project, ".otto/settings.toml", text);
	char *path = tu_fmt("OTTO_PLUGIN_PATH=%s", OTTO_PLUGIN_BUILD_DIR);
	const char *env[] = {path, "HOME=/", NULL};
	const char *argv[] = {OTTO_BIN, "--settings", settings, "db", "init", NULL};
	tu_result r = tu_run(argv, project, env, tu_scaled_seconds(120));
	cr_assert_eq(r.status, 0, "otto db init: %s%s", r.out, r.err);
	cr_assert(tu_contains(r.out, "reservation backend 'lock': this backend has nothing to prepare\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "lock store 'postgres': schema "), "%s", r.out);
	cr_assert(tu_contains(r.out, " on PostgreSQL server "), "%s", r.out);
	tu_result_free(&r);
	tu_rm_rf(project);
	free(project);
	free(path);
	free(settings);
	free(text);
	free(url);
}

static void setup(void)
{
	server = pgt_shared();
	db_init();
	pgt_role(server, alice.name, 0, &alice.uid, &alice.gid);
	pgt_role(server, bob.name, 0, &bob.uid, &bob.gid);
	pgt_role(server, admin.name, 1, &admin.uid, &admin.gid);
	project_for(&alice);
	project_for(&bob);
	project_for(&admin);
}

static void teardown(void)
{
	who *all[] = {&alice, &bob, &admin};
	for (int i = 0; i < 3; i++) {
		tu_rm_rf(all[i]->project);
		free(all[i]->project);
	}
	pgt_free(server);
}

TestSuite(pg_locks, .init = setup, .fini = teardown, .timeout = 120);

/* `argv` as `w`, in w's project, with the build's plugins. */
static tu_result run_as(const who *w, const char *const *argv)
{
	char *path = tu_fmt("OTTO_PLUGIN_PATH=%s", OTTO_PLUGIN_BUILD_DIR);
	char *logname = tu_fmt("LOGNAME=%s", w->name);
	const char *env[] = {path, logname, "USER=", "HOME=/", NULL};
	tu_result r = tu_run_as(w->uid, w->gid, argv, w->project, env, tu_scaled_seconds(60));
	free(path);
	free(logname);
	return r;
}

static tu_result otto_as(const who *w, const char *const *words)
{
	const char *argv[32] = {OTTO_BIN};
	size_t n = 1;
	for (; words[n - 1] && n < 31; n++)
		argv[n] = words[n - 1];
	argv[n] = NULL;
	return run_as(w, argv);
}
#define OTTO_AS(w, ...) otto_as((w), (const char *const[]){__VA_ARGS__, NULL})

/* A shell as `w` runs `script`: otto's parent is then the shell. */
static tu_result sh_as(const who *w, const char *script)
{
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	return run_as(w, argv);
}

/* The fencing token printed by acquire --print-token. */
static unsigned long long fence_in(const char *out)
{
	const char *p = strstr(out, "fencing token ");
	cr_assert(p, "no fencing token in: %s", out);
	return strtoull(p + strlen("fencing token "), NULL, 10);
}

Test(pg_locks, acquire_list_release_and_growing_fences)
{
	tu_result r = OTTO_AS(&alice, "lock", "acquire", "fboard", "--expiry", "1h", "--print-token");
	cr_assert_eq(r.status, 0, "%s", r.err);
	unsigned long long first = fence_in(r.out);
	cr_assert(first > 0, "%s", r.out);
	tu_result_free(&r);

	r = OTTO_AS(&alice, "lock", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "FENCE"), "%s", r.out);
	cr_assert(tu_contains(r.out, "otto-pla"), "%s", r.out);
	cr_assert(tu_contains(r.out, " held\n"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO_AS(&alice, "lock", "list", "--json");
	cr_assert(tu_contains(r.out, "\"fence\": "), "%s", r.out);
	cr_assert(!tu_contains(r.out, "\"fence\": null"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO_AS(&alice, "lock", "release", "fboard");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&alice, "lock", "release", "fboard");
	cr_assert_neq(r.status, 0, "released twice");
	cr_assert(tu_contains(r.err, "not held by anyone"), "%s", r.err);
	tu_result_free(&r);

	r = OTTO_AS(&bob, "lock", "acquire", "fboard", "--expiry", "1h", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *f = strstr(r.out, "\"fence\": ");
	cr_assert(f, "%s", r.out);
	cr_assert(strtoull(f + 9, NULL, 10) > first, "fences only grow: %s after %llu", r.out, first);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "release", "fboard");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
}

Test(pg_locks, one_role_cannot_take_or_release_anothers_lock_the_admin_can_and_is_named)
{
	tu_result r = OTTO_AS(&alice, "lock", "acquire", "rboard", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	r = OTTO_AS(&bob, "lock", "acquire", "rboard");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "is held by otto-pla"), "names the holder: %s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "release", "rboard");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "otto-pla"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "release", "rboard", "--force");
	cr_assert_neq(r.status, 0, "bob is no admin: %s", r.out);
	cr_assert(tu_contains(r.err, "only that role or a member of otto_admin"), "%s", r.err);
	tu_result_free(&r);

	/* Raw SQL does no better: row-level security and the trigger decide. */
	r = pgt_sql_as(server, bob.uid, bob.gid, bob.name,
		       "UPDATE otto.locks SET expiry = now() + interval '9 days', token_sha256 = 'x' "
		       "WHERE name = 'rboard' RETURNING name");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "", "bob changed alice's lock: %s", r.out);
	tu_result_free(&r);
	r = pgt_sql_as(server, bob.uid, bob.gid, bob.name, "DELETE FROM otto.locks WHERE name = 'rboard' RETURNING name");
	cr_assert_str_eq(r.out, "", "bob deleted alice's lock: %s", r.out);
	tu_result_free(&r);
	r = pgt_sql_as(server, bob.uid, bob.gid, bob.name,
		       "INSERT INTO otto.locks (name, holder, host, pid, pid_start, boot_id, pidns, token_sha256) "
		       "VALUES ('rboard2', 'otto-pla', 'h', 1, 1, 'b', 'n', 't')");
	cr_assert_neq(r.status, 0, "bob wrote a lock in alice's name");
	tu_result_free(&r);
	r = pgt_sql_as(server, bob.uid, bob.gid, bob.name,
		       "INSERT INTO otto.locks (name, host, pid, pid_start, boot_id, pidns, token_sha256) "
		       "VALUES ('rboard3', 'h', 1, 1, 'b', 'n', 't') RETURNING holder, fence > 0");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "otto-plb|t\n", "the holder is the role, the fence the database's: %s", r.out);
	tu_result_free(&r);

	r = OTTO_AS(&admin, "lock", "release", "rboard", "--force");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released rboard by force: it is held by otto-pla"), "names whose: %s", r.out);
	tu_result_free(&r);
	r = OTTO_AS(&admin, "lock", "release", "rboard3", "--force", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"holder\": \"otto-plb\""), "%s", r.out);
	tu_result_free(&r);
}

Test(pg_locks, run_holds_and_renews_and_the_gate_sees_the_store)
{
	int lease = tu_scaled_seconds(2);
	char *expiry = tu_fmt("%ds", lease);
	/* While the command runs (past its first expiry), bob is refused and
	 * the gate says alice holds the board. */
	char *script = tu_fmt("sleep %d; %s lock list --json; %s reservation who gboard", lease + 1, OTTO_BIN, OTTO_BIN);
	tu_result r = OTTO_AS(&alice, "lock", "run", "gboard", "--expiry", expiry, "--", "sh", "-c", script);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"state\": \"held\""), "renewed: %s", r.out);
	cr_assert(tu_contains(r.out, "otto-pla"), "%s", r.out);
	tu_result_free(&r);
	r = OTTO_AS(&alice, "lock", "list", "--json");
	cr_assert(!tu_contains(r.out, "\"gboard\""), "released after the command: %s", r.out);
	tu_result_free(&r);
	free(script);
	free(expiry);
}

/* The paths where the store reads after a write matched nothing: a dead
 * holder's lock whose lease ran out is anyone's to take; without a lease it is
 * its own role's to tidy away and no other role's; a live holder's lock
 * is not released by another process of the same role. */
Test(pg_locks, expired_dead_and_other_process_locks_after_the_write_misses)
{
	/* Past its lease, a lock is held only while its holder lives: taken
	 * from a shell that exits. */
	char *lease = tu_fmt("%s lock acquire eboard --expiry 1s", OTTO_BIN);
	tu_result r = sh_as(&alice, lease);
	free(lease);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	sleep(2); /* the server's clock decides; later only makes it more expired */
	r = OTTO_AS(&bob, "lock", "acquire", "eboard");
	cr_assert_eq(r.status, 0, "a lease that ran out is anyone's: %s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "list", "--json");
	cr_assert(tu_contains(r.out, "\"holder\": \"otto-plb\""), "%s", r.out);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "release", "eboard");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	/* Held by a shell that exits: a dead holder, no lease. */
	char *take = tu_fmt("%s lock acquire dboard", OTTO_BIN);
	r = sh_as(&alice, take);
	free(take);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "acquire", "dboard");
	cr_assert_eq(r.status, 1, "bob took alice's stale lock: %s", r.out);
	cr_assert(tu_contains(r.err, "otto-pla"), "names the holder: %s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&bob, "lock", "release", "dboard");
	cr_assert_neq(r.status, 0, "bob tidied alice's lock away");
	cr_assert(tu_contains(r.err, "stale by otto-pla"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&alice, "lock", "release", "dboard");
	cr_assert_eq(r.status, 0, "its own role tidies a dead holder's lock away: %s", r.err);
	tu_result_free(&r);

	/* Held by the test process (otto's parent), released from a shell. */
	r = OTTO_AS(&alice, "lock", "acquire", "pboard");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	char *drop = tu_fmt("%s lock release pboard", OTTO_BIN);
	r = sh_as(&alice, drop);
	free(drop);
	cr_assert_neq(r.status, 0, "another process released it");
	cr_assert(tu_contains(r.err, "not by this process"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO_AS(&alice, "lock", "release", "pboard");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
}
