/*
 * The PostgreSQL test fixture itself (tests/support/pgserver.sh, pgtest.c):
 * the server listens on its Unix socket only, runs as a non-root user,
 * authenticates OS users by peer as the role of their own name, and a
 * private server stops and starts again.
 */
#include "pgtest.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(pg_fixture, socket_only_as_non_root)
{
	pgt_server *s = pgt_shared();
	char *out = pgt_sql(s, "SELECT current_setting('listen_addresses') || '|' || current_user");
	cr_assert(strncmp(out, "|", 1) == 0, "listen_addresses must be empty (no TCP): %s", out);
	cr_assert(tu_contains(out, "otto_pgsuper"), "%s", out);
	free(out);
	/* The postmaster runs as otto-pg, not root. */
	char *pidfile = tu_fmt("%s/data/postmaster.pid", s->dir);
	char *pid = tu_read(pidfile);
	char *status = tu_fmt("/proc/%ld/status", strtol(pid, NULL, 10));
	char *text = tu_read(status);
	cr_assert(!tu_contains(text, "\nUid:\t0\t"), "the server runs as root");
	free(text);
	free(status);
	free(pid);
	free(pidfile);
	pgt_free(s);
}

Test(pg_fixture, peer_roles)
{
	pgt_server *s = pgt_shared();
	int uid, gid;
	pgt_role(s, "otto-pgfix", 0, &uid, &gid);
	tu_result r = pgt_sql_as(s, uid, gid, "otto-pgfix", "SELECT current_user");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "otto-pgfix\n");
	tu_result_free(&r);
	/* Peer authentication: an OS user cannot claim another role. */
	r = pgt_sql_as(s, uid, gid, s->owner, "SELECT current_user");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "Peer authentication failed") || tu_contains(r.err, "peer"), "%s", r.err);
	tu_result_free(&r);
	pgt_free(s);
}

Test(pg_fixture, private_server_stops_and_resumes, .timeout = 120)
{
	pgt_server *s = pgt_private();
	free(pgt_sql(s, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)"));
	pgt_halt(s);
	tu_result r = pgt_sql_as(s, -1, -1, s->superuser, "SELECT 1");
	cr_assert_neq(r.status, 0, "a stopped server answered");
	tu_result_free(&r);
	pgt_resume(s);
	pgt_restart(s);
	char *out = pgt_sql(s, "SELECT x FROM kept");
	cr_assert_str_eq(out, "7\n");
	free(out);
	pgt_free(s);
}
