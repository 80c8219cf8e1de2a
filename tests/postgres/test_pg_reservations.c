/*
 * The `postgres` reservation backend against the fixture's real server:
 * `otto db init` (idempotent, versioned), identity from the database role
 * (row-level security: nobody writes in another's name; the admin may, and
 * is named), conflicts refused by the database naming the holder and the
 * window, and otto-conformance with ground truth.
 */
#include "pg_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

TestSuite(pg_reservations, .timeout = 240);

static char *num(long long v)
{
	return tu_fmt("%lld", v);
}

Test(pg_reservations, db_init_is_idempotent_and_versioned)
{
	pg_env e;
	pgt_server *s = pgt_shared();
	char *db = pgt_database(s);
	char *url = pgt_url_db(s, db, NULL);
	char *project = tu_mkdtemp();
	char *settings = pgt_settings(project, url, NULL);

	tu_result r = PG_OTTO(-1, -1, settings, "db", "init");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "reservation backend 'postgres': schema version 1: "), "%s", r.out);
	cr_assert(tu_contains(r.out, "reservation backend 'postgres': schema version 2: "), "%s", r.out);
	cr_assert(tu_contains(r.out, "reservation backend 'postgres': schema version 3: "), "%s", r.out);
	cr_assert(tu_contains(r.out, "schema migrated from version 0 to 3 on PostgreSQL server "), "%s", r.out);
	cr_assert(tu_contains(r.out, "lock store 'files': this backend has nothing to prepare"), "%s", r.out);
	tu_result_free(&r);

	r = PG_OTTO(-1, -1, settings, "db", "init");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "schema up to date (version 3)"), "%s", r.out);
	cr_assert(!tu_contains(r.out, "migrated"), "a second run changed something: %s", r.out);
	tu_result_free(&r);
	char *out = pgt_sql_db(s, db, "SELECT count(*) || ' ' || max(version) FROM otto.otto_schema");
	cr_assert_str_eq(out, "1 3\n");
	free(out);

	/* A database at version 1 migrates to 3: steps 2 and 3 run, not 1. */
	free(pgt_sql_db(s, db,
			"DROP TABLE otto.reservations, otto.reservation_log, otto.locks; DROP FUNCTION "
			"otto.log_reservation(), otto.reserve(text[], text, bigint, bigint, boolean), "
			"otto.lock_resources(text[]), otto.lock_grant(); DROP SEQUENCE otto.lock_fence; "
			"UPDATE otto.otto_schema SET version = 1"));
	r = PG_OTTO(-1, -1, settings, "db", "init");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(!tu_contains(r.out, "schema version 1:"), "%s", r.out);
	cr_assert(tu_contains(r.out, "schema version 2: "), "%s", r.out);
	cr_assert(tu_contains(r.out, "schema version 3: "), "%s", r.out);
	cr_assert(tu_contains(r.out, "migrated from version 1 to 3"), "%s", r.out);
	tu_result_free(&r);

	(void)e;
	tu_rm_rf(project);
	free(project);
	free(settings);
	free(url);
	free(db);
	pgt_free(s);
}

Test(pg_reservations, a_backend_without_prepare_says_so)
{
	char *project = tu_mkdtemp();
	char *settings = tu_write(project, ".otto/settings.toml", "[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"example\"\n");
	tu_result r = PG_OTTO(-1, -1, settings, "db", "init");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "reservation backend 'example': this backend has nothing to prepare"), "%s", r.out);
	cr_assert(tu_contains(r.out, "lock store 'files': this backend has nothing to prepare"), "%s", r.out);
	tu_result_free(&r);
	tu_rm_rf(project);
	free(project);
	free(settings);
}

Test(pg_reservations, two_roles_and_the_admin)
{
	pg_env e;
	pg_user alice, bob, admin;
	pg_env_init(&e, pgt_shared());
	pg_env_user(&e, &alice, "otto-pgalice", 0);
	pg_env_user(&e, &bob, "otto-pgbob", 0);
	pg_env_user(&e, &admin, "otto-pgadmin", 1);
	long long now = (long long)time(NULL);
	char *start = num(now - 60), *end = num(now + 3600), *later = num(now + 600);

	tu_result r = PG_CLIENT(&alice, "reserve", "otto-pgalice", start, end, "-", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "router1 "), "%s", r.out);
	tu_result_free(&r);

	/* The gate sees it, through the real otto command, as alice. */
	r = PG_OTTO(alice.uid, alice.gid, alice.settings, "--as-user", "otto-pgalice", "reservation", "check", "--lab",
		    "east");
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	tu_result_free(&r);
	r = PG_OTTO(bob.uid, bob.gid, bob.settings, "--as-user", "otto-pgbob", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(tu_contains(r.err, "router1 (held by otto-pgalice)"), "%s", r.err);
	tu_result_free(&r);

	/* Bob's overlapping reservation: refused by the database, naming
	 * alice and her window. */
	r = PG_CLIENT(&bob, "reserve", "otto-pgbob", later, end, "-", "router1");
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert(tu_contains(r.err, "'router1' is reserved by otto-pgalice from "), "%s", r.err);
	cr_assert(tu_contains(r.err, "(exclusive); nothing was reserved"), "%s", r.err);
	tu_result_free(&r);

	/* Bob in alice's name: refused by the client without --force ... */
	r = PG_CLIENT(&bob, "reserve", "otto-pgalice", later, end, "-", "switch9");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "you connect as role 'otto-pgbob'"), "%s", r.err);
	tu_result_free(&r);
	/* ... and by the database with it. */
	r = PG_CLIENT(&bob, "reserve", "otto-pgalice", later, end, "f", "switch9");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "role 'otto-pgbob' may not reserve in the name of 'otto-pgalice'"), "%s", r.err);
	tu_result_free(&r);
	/* Straight SQL does no better: row-level security is the server's. */
	r = pgt_sql_as_db(e.server, e.db, bob.uid, bob.gid, "otto-pgbob",
			  "INSERT INTO otto.reservations (resource, holder, during) "
			  "VALUES ('x', 'otto-pgalice', tstzrange(now(), now() + interval '1 hour'))");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "row-level security"), "%s", r.err);
	tu_result_free(&r);
	r = pgt_sql_as_db(e.server, e.db, bob.uid, bob.gid, "otto-pgbob",
			  "DELETE FROM otto.reservations WHERE holder = 'otto-pgalice' RETURNING id");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "", "bob deleted alice's rows");
	tu_result_free(&r);
	r = pgt_sql_as_db(e.server, e.db, bob.uid, bob.gid, "otto-pgbob",
			  "UPDATE otto.reservations SET holder = 'otto-pgbob'");
	cr_assert_neq(r.status, 0, "bob may update rows");
	tu_result_free(&r);
	/* Bob cancelling alice's, with --force: refused, and said so. */
	r = PG_CLIENT(&bob, "cancel", "otto-pgalice", start, "f", "router1");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "role 'otto-pgbob' may not cancel reservations of 'otto-pgalice'"), "%s", r.err);
	tu_result_free(&r);
	char *out = pgt_sql_db(e.server, e.db, "SELECT count(*) FROM otto.reservations WHERE holder = 'otto-pgalice'");
	cr_assert_str_eq(out, "1\n");
	free(out);

	/* The admin breaks alice's reservation and is named for it. */
	r = PG_CLIENT(&admin, "cancel", "otto-pgalice", start, "f", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "router1 "), "%s", r.out);
	tu_result_free(&r);
	out = pgt_sql_db(e.server, e.db,
			 "SELECT actor || ' ' || action || ' ' || holder || ' ' || resource FROM otto.reservation_log "
			 "ORDER BY id");
	cr_assert(tu_contains(out, "otto-pgalice reserve otto-pgalice router1\n"), "%s", out);
	cr_assert(tu_contains(out, "otto-pgadmin cancel otto-pgalice router1\n"), "%s", out);
	free(out);
	/* ... and may reserve for bob, recorded as made by the admin. */
	r = PG_CLIENT(&admin, "reserve", "otto-pgbob", start, end, "f", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	out = pgt_sql_db(e.server, e.db, "SELECT holder || ' ' || made_by FROM otto.reservations");
	cr_assert_str_eq(out, "otto-pgbob otto-pgadmin\n");
	free(out);
	/* Without --force even the admin acts as itself only. */
	r = PG_CLIENT(&admin, "cancel", "otto-pgbob", start, "-", "router1");
	cr_assert_eq(r.status, 1);
	tu_result_free(&r);

	/* Bob's own cancel works, and the window comes back. */
	r = PG_CLIENT(&bob, "cancel", "otto-pgbob", start, "-", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *line = tu_fmt("router1 %s %s\n", start, end);
	cr_assert_str_eq(r.out, line);
	free(line);
	tu_result_free(&r);

	free(start);
	free(end);
	free(later);
	pg_user_free(&alice);
	pg_user_free(&bob);
	pg_user_free(&admin);
	pg_env_free(&e);
}

Test(pg_reservations, shared_and_exclusive_windows)
{
	pg_env e;
	pg_user alice, bob;
	pg_env_init(&e, pgt_shared());
	pg_env_user(&e, &alice, "otto-pgalice", 0);
	pg_env_user(&e, &bob, "otto-pgbob", 0);
	long long now = (long long)time(NULL);
	char *t0 = num(now + 1000), *t1 = num(now + 2000), *t2 = num(now + 3000), *t3 = num(now + 4000);

	/* Shared with shared: both. */
	tu_result r = PG_CLIENT(&alice, "reserve", "otto-pgalice", t0, t2, "s", "bench", "scope");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = PG_CLIENT(&bob, "reserve", "otto-pgbob", t1, t3, "s", "bench");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	/* Exclusive over a shared one: refused; all or none (scope too). */
	r = PG_CLIENT(&bob, "reserve", "otto-pgbob", t1, t2, "-", "probe", "scope");
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert(tu_contains(r.err, "'scope' is reserved by otto-pgalice from "), "%s", r.err);
	cr_assert(tu_contains(r.err, "(shared)"), "%s", r.err);
	tu_result_free(&r);
	char *out = pgt_sql_db(e.server, e.db, "SELECT count(*) FROM otto.reservations WHERE resource = 'probe'");
	cr_assert_str_eq(out, "0\n", "a refused request left a row");
	free(out);
	/* Back to back is no overlap ([start, end)). */
	r = PG_CLIENT(&bob, "reserve", "otto-pgbob", t2, t3, "-", "scope");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	/* Windows come back, future ones included. */
	r = PG_OTTO(alice.uid, alice.gid, alice.settings, "--as-user", "otto-pgalice", "reservation", "held",
		    "--windows", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	free(t0);
	free(t1);
	free(t2);
	free(t3);
	pg_user_free(&alice);
	pg_user_free(&bob);
	pg_env_free(&e);
}

Test(pg_reservations, conformance_with_ground_truth)
{
	pg_env e;
	pg_user alice;
	pg_env_init(&e, pgt_shared());
	pg_env_user(&e, &alice, "otto-pgalice", 0);
	long long now = (long long)time(NULL);
	char *start = num(now - 60), *end = num(now + 3600);
	tu_result r = PG_CLIENT(&alice, "reserve", "otto-pgalice", start, end, "-", "router1", "board2");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = tu_run_as(alice.uid, alice.gid,
		      (const char *const[]){OTTO_CONFORMANCE_BIN, "--from-settings", "--settings", alice.settings,
					    "--kind", "reservation", "--known-user", "otto-pgalice", "--known-resource",
					    "router1", "--known-resource", "board2", "--timeout", "30", NULL},
		      "/", NULL, 180);
	cr_assert_eq(r.status, 0, "otto-conformance failed:\n%s%s", r.out, r.err);
	tu_result_free(&r);
	free(start);
	free(end);
	pg_user_free(&alice);
	pg_env_free(&e);
}
