/*
 * `otto reservation check` with the postgres backend fails closed: exit 1
 * with a sentence naming the server and the call, never a pass, when the
 * server is stopped, when the connection is cut mid-call
 * (pg_terminate_backend), when the role is unknown, and when the schema
 * is newer than the plugin (which `otto db init` then refuses to touch).
 * One private server for all cases (it is stopped on the way).
 */
#include "pg_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

TestSuite(pg_fail_closed, .timeout = 300);

static void assert_fails_closed(tu_result *r, const char *call, const char *why)
{
	cr_assert_eq(r->status, 1, "the check must fail (exit 1), got %d:\n%s%s", r->status, r->out, r->err);
	cr_assert(tu_contains(r->err, "reservation backend 'postgres': PostgreSQL server /"), "%s", r->err);
	cr_assert(tu_contains(r->err, call), "no '%s' in: %s", call, r->err);
	cr_assert(tu_contains(r->err, why), "no '%s' in: %s", why, r->err);
	cr_assert(!tu_contains(r->out, "holds every") && !tu_contains(r->err, "holds every"), "%s", r->out);
}

Test(pg_fail_closed, every_failure_is_a_refusal)
{
	pg_env e;
	pg_user alice, nobody;
	pg_env_init(&e, pgt_private());
	pg_env_user(&e, &alice, "otto-pgalice", 0);
	long long now = (long long)time(NULL);
	char *start = tu_fmt("%lld", now - 60), *end = tu_fmt("%lld", now + 3600);
	tu_result r = PG_CLIENT(&alice, "reserve", "otto-pgalice", start, end, "-", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
#define CHECK(u) PG_OTTO((u).uid, (u).gid, (u).settings, "--as-user", "otto-pgalice", "reservation", "check", "--lab", "east")
	r = CHECK(alice);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	/* An OS user whose role does not exist. */
	tu_test_user("otto-pgnorole", &nobody.uid, &nobody.gid);
	nobody.name = "otto-pgnorole";
	char *url = pgt_url_db(e.server, e.db, "otto-pgnorole");
	char *dir = tu_fmt("%s/otto-pgnorole", e.project);
	nobody.settings = pgt_settings(dir, url, NULL);
	tu_result chmod_r = tu_run((const char *const[]){"/bin/chmod", "-R", "a+rX", dir, NULL}, NULL, NULL, 30);
	tu_result_free(&chmod_r);
	r = CHECK(nobody);
	assert_fails_closed(&r, "get_reserved_resources", "role \"otto-pgnorole\" does not exist");
	tu_result_free(&r);

	/* The connection cut mid-call: the reservations table is locked by
	 * the superuser, the check's SELECT waits, and the admin terminates
	 * its backend. */
	char *script = tu_fmt(
	    "set -u\n"
	    "psql() { %s/psql -X -q -At -h %s -U %s -d %s \"$@\"; }\n"
	    "psql -c 'BEGIN' -c 'LOCK TABLE otto.reservations IN ACCESS EXCLUSIVE MODE' -c 'SELECT pg_sleep(600)' "
	    ">/dev/null 2>&1 & locker=$!\n"
	    "until [ \"$(psql -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
	    "WHERE c.relname = 'reservations' AND l.mode = 'AccessExclusiveLock' AND l.granted\")\" = 1 ]; do sleep 0.05; done\n"
	    "( until [ \"$(psql -c \"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
	    "WHERE application_name = 'otto' AND wait_event_type = 'Lock'\")\" = 1 ]; do sleep 0.05; done ) & killer=$!\n"
	    "runuser -u otto-pgalice -- %s --settings %s --as-user otto-pgalice reservation check --lab east\n"
	    "rc=$?\n"
	    "kill $locker 2>/dev/null; psql -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%%pg_sleep%%' AND pid <> pg_backend_pid()\" >/dev/null\n"
	    "wait $killer; wait $locker 2>/dev/null\n"
	    "exit $rc\n",
	    e.server->bin, e.server->dir, e.server->superuser, e.db, OTTO_BIN, alice.settings);
	r = tu_run((const char *const[]){"/bin/bash", "-c", script, NULL}, "/", NULL, 120);
	assert_fails_closed(&r, "get_reserved_resources", "terminat");
	tu_result_free(&r);
	free(script);
	/* The next call connects again and answers. */
	r = CHECK(alice);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	/* A statement that runs past statement_timeout is cancelled: a
	 * failure, not an answer. */
	char *slow_dir = tu_fmt("%s/slow", e.project);
	char *alice_url = pgt_url_db(e.server, e.db, "otto-pgalice");
	char *slow = pgt_settings(slow_dir, alice_url, "\n[reservations.postgres]\nstatement_timeout = 1\n");
	tu_result chmod_s = tu_run((const char *const[]){"/bin/chmod", "-R", "a+rX", slow_dir, NULL}, NULL, NULL, 30);
	tu_result_free(&chmod_s);
	script = tu_fmt("%s/psql -X -q -h %s -U %s -d %s -c 'BEGIN' -c 'LOCK TABLE otto.reservations IN ACCESS "
			"EXCLUSIVE MODE' -c 'SELECT pg_sleep(20)' >/dev/null 2>&1 & sleep 1\n"
			"runuser -u otto-pgalice -- %s --settings %s --as-user otto-pgalice reservation check --lab east\n"
			"rc=$?; kill %%1; wait; exit $rc\n",
			e.server->bin, e.server->dir, e.server->superuser, e.db, OTTO_BIN, slow);
	r = tu_run((const char *const[]){"/bin/bash", "-c", script, NULL}, "/", NULL, 120);
	assert_fails_closed(&r, "get_reserved_resources", "statement timeout");
	tu_result_free(&r);
	free(script);

	/* A schema from the future: refused by the check and by db init,
	 * which writes nothing. */
	free(pgt_sql_db(e.server, e.db, "UPDATE otto.otto_schema SET version = 99"));
	r = CHECK(alice);
	assert_fails_closed(&r, "get_reserved_resources", "the otto schema is version 99, newer than this postgres plugin understands (3)");
	tu_result_free(&r);
	r = PG_OTTO(-1, -1, e.owner_settings, "db", "init");
	cr_assert_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_assert(tu_contains(r.err, "version 99, newer than this postgres plugin understands (3); nothing was changed"),
		  "%s", r.err);
	tu_result_free(&r);
	char *out = pgt_sql_db(e.server, e.db, "SELECT version FROM otto.otto_schema");
	cr_assert_str_eq(out, "99\n");
	free(out);
	free(pgt_sql_db(e.server, e.db, "UPDATE otto.otto_schema SET version = 2"));

	/* The server stopped. */
	pgt_halt(e.server);
	r = CHECK(alice);
	assert_fails_closed(&r, "get_reserved_resources", "No such file or directory");
	tu_result_free(&r);
	pgt_resume(e.server);
	r = CHECK(alice);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);

	free(slow);
	free(slow_dir);
	free(alice_url);
	free(url);
	free(dir);
	free(nobody.settings);
	free(start);
	free(end);
	pg_user_free(&alice);
	pg_env_free(&e);
}
