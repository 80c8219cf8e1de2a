/*
 * A real PostgreSQL 15 server for tests (pgserver.sh does the work; see
 * docs/testing.md, "PostgreSQL"). Two ways to get one:
 *   - the shared server of the CTest fixture `postgres` (tests/postgres/
 *     CMakeLists.txt: FIXTURES_SETUP pg_server_start, FIXTURES_CLEANUP
 *     pg_server_stop): pgt_shared(). Never stop or restart it.
 *   - a private server for a test that stops, restarts or cuts it:
 *     pgt_private() ... pgt_free().
 * Roles: every OS user made with pgt_role() connects as the role of its own
 * name (peer authentication on the Unix socket); root connects as the
 * superuser (pgt_sql) or as the schema owner otto_dba (pgt_url(s, NULL),
 * which `otto db init` uses). Failures abort the test (cr_assert).
 */
#ifndef OTTO_PGTEST_H
#define OTTO_PGTEST_H

#include "testutil.h"

typedef struct pgt_server {
	char *state;    /* pgserver.sh's state file */
	char *dir;      /* its folder: data/, server.log, the socket */
	char *bin;      /* /usr/lib/postgresql/15/bin */
	char *owner;    /* otto_dba: owns the database `otto` */
	char *superuser;
	int private_server;
} pgt_server;

/* The fixture's server (state file OTTO_PG_STATE, written by the fixture
 * before any test of the `postgres` fixture runs). Free with pgt_free(),
 * which leaves that server running. */
pgt_server *pgt_shared(void);
/* A fresh server of this test's own (a few seconds: initdb). pgt_free()
 * stops it and removes its folder. */
pgt_server *pgt_private(void);
void pgt_free(pgt_server *s);

/* pg_ctl stop -m fast / start again / restart -m fast (private servers). */
void pgt_halt(pgt_server *s);
void pgt_resume(pgt_server *s);
void pgt_restart(pgt_server *s);

/* The libpq URL of database `otto` on s as `role` (NULL: otto_dba, the
 * owner). Caller frees. */
char *pgt_url(const pgt_server *s, const char *role);

/* A fresh, empty database owned by otto_dba (each test its own, so tests
 * of the shared server never see each other's schema). Caller frees. */
char *pgt_database(const pgt_server *s);
/* pgt_url for database `db`. */
char *pgt_url_db(const pgt_server *s, const char *db, const char *role);
/* As pgt_sql, in database `db`. */
char *pgt_sql_db(const pgt_server *s, const char *db, const char *sql);

/* Run SQL as the superuser (root's peer mapping); asserts success and
 * returns psql's unaligned, tuples-only output (caller frees). */
char *pgt_sql(const pgt_server *s, const char *sql);
/* Run SQL as OS user uid/gid connecting as role `role`; returns the
 * result (status, output) without asserting. */
tu_result pgt_sql_as(const pgt_server *s, int uid, int gid, const char *role, const char *sql);
/* As pgt_sql_as, in database `db`. */
tu_result pgt_sql_as_db(const pgt_server *s, const char *db, int uid, int gid, const char *role, const char *sql);

/* The OS user `name` (created with useradd if missing) and a LOGIN role of
 * the same name (created if missing); `admin` also grants it otto_admin
 * (which needs the schema: run `otto db init` first). */
void pgt_role(const pgt_server *s, const char *name, int admin, int *uid, int *gid);

/* A settings file (.otto/settings.toml under dir) selecting the postgres
 * reservation backend at url, plus `extra` (may be NULL) appended. Returns
 * its path (caller frees). */
char *pgt_settings(const char *dir, const char *url, const char *extra);

#endif
