/*
 * Test support for a real PostgreSQL server (pgtest.h): wraps
 * pgserver.sh, reads its state file, and runs psql as the superuser or as
 * a test user's own role.
 */
#include "pgtest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef OTTO_PG_STATE
#define OTTO_PG_STATE OTTO_BUILD_DIR "/tests/postgres/pgserver.env"
#endif
#define PGSERVER_SH OTTO_SOURCE_DIR "/tests/support/pgserver.sh"

/* A variable of the state file, or NULL. */
static char *state_var(const char *text, const char *name)
{
	size_t len = strlen(name);
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (n > len && strncmp(line, name, len) == 0 && line[len] == '=')
			return strndup(line + len + 1, n - len - 1);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static pgt_server *load(const char *state, int private_server)
{
	cr_assert(access(state, R_OK) == 0,
		  "no PostgreSQL test server: %s is missing (the CTest fixture pg_server_start writes it; "
		  "run the test through ctest, or tests/support/pgserver.sh start %s)",
		  state, state);
	char *text = tu_read(state);
	pgt_server *s = calloc(1, sizeof *s);
	cr_assert(s);
	s->state = strdup(state);
	s->dir = state_var(text, "OTTO_PG_DIR");
	s->bin = state_var(text, "OTTO_PG_BIN");
	s->owner = state_var(text, "OTTO_PG_OWNER");
	s->superuser = state_var(text, "OTTO_PG_SUPERUSER");
	s->private_server = private_server;
	cr_assert(s->dir && s->bin && s->owner && s->superuser, "%s: incomplete state file", state);
	free(text);
	return s;
}

static void script(const char *action, const char *state)
{
	tu_result r = tu_run((const char *const[]){"/bin/bash", PGSERVER_SH, action, state, NULL}, NULL, NULL, 180);
	cr_assert(r.status == 0, "pgserver.sh %s %s failed (%d): %s%s", action, state, r.status, r.out, r.err);
	tu_result_free(&r);
}

pgt_server *pgt_shared(void)
{
	const char *env = getenv("OTTO_PG_STATE");
	return load(env && *env ? env : OTTO_PG_STATE, 0);
}

pgt_server *pgt_private(void)
{
	char *dir = tu_mkdtemp();
	char *state = tu_fmt("%s/pgserver.env", dir);
	script("start", state);
	pgt_server *s = load(state, 1);
	free(state);
	/* The state file's folder goes with the server. */
	free(s->state);
	s->state = tu_fmt("%s/pgserver.env", dir);
	free(dir);
	return s;
}

void pgt_free(pgt_server *s)
{
	if (!s)
		return;
	if (s->private_server) {
		script("stop", s->state);
		char *dir = strdup(s->state);
		*strrchr(dir, '/') = '\0';
		tu_rm_rf(dir);
		free(dir);
	}
	free(s->state);
	free(s->dir);
	free(s->bin);
	free(s->owner);
	free(s->superuser);
	free(s);
}

void pgt_halt(pgt_server *s)
{
	cr_assert(s->private_server, "never stop the shared server: use pgt_private()");
	script("halt", s->state);
}

void pgt_resume(pgt_server *s)
{
	script("resume", s->state);
}

void pgt_restart(pgt_server *s)
{
	cr_assert(s->private_server, "never restart the shared server: use pgt_private()");
	script("restart", s->state);
}

char *pgt_url_db(const pgt_server *s, const char *db, const char *role)
{
	return tu_fmt("postgresql:///%s?host=%s&user=%s", db, s->dir, role ? role : s->owner);
}

char *pgt_url(const pgt_server *s, const char *role)
{
	return pgt_url_db(s, "otto", role);
}

tu_result pgt_sql_as_db(const pgt_server *s, const char *db, int uid, int gid, const char *role, const char *sql)
{
	char *psql = tu_fmt("%s/psql", s->bin);
	tu_result r = tu_run_as(uid, gid,
				(const char *const[]){psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", s->dir, "-U",
						      role, "-d", db, "-c", sql, NULL},
				"/", (const char *const[]){"PGCONNECT_TIMEOUT=20", NULL}, 60);
	free(psql);
	return r;
}

tu_result pgt_sql_as(const pgt_server *s, int uid, int gid, const char *role, const char *sql)
{
	return pgt_sql_as_db(s, "otto", uid, gid, role, sql);
}

char *pgt_sql_db(const pgt_server *s, const char *db, const char *sql)
{
	tu_result r = pgt_sql_as_db(s, db, -1, -1, s->superuser, sql);
	cr_assert(r.status == 0, "psql as %s failed (%d) on: %s\n%s", s->superuser, r.status, sql, r.err);
	char *out = r.out;
	r.out = NULL;
	tu_result_free(&r);
	return out;
}

char *pgt_sql(const pgt_server *s, const char *sql)
{
	return pgt_sql_db(s, "otto", sql);
}

char *pgt_database(const pgt_server *s)
{
	static int serial;
	char *db = tu_fmt("otto_t%ld_%d", (long)getpid(), ++serial);
	char *sql = tu_fmt("CREATE DATABASE %s OWNER %s", db, s->owner);
	free(pgt_sql_db(s, "postgres", sql));
	free(sql);
	return db;
}

void pgt_role(const pgt_server *s, const char *name, int admin, int *uid, int *gid)
{
	tu_test_user(name, uid, gid);
	/* Criterion runs a suite's tests (each with its own .init) at once:
	 * two sessions creating the same role race past IF NOT EXISTS ("duplicate
	 * key value violates unique constraint", seen in pg_locks), so the check
	 * and the creation go under one transaction-level advisory lock. */
	char *sql = tu_fmt("DO $$ BEGIN PERFORM pg_advisory_xact_lock(7028499); "
			   "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN "
			   "CREATE ROLE \"%s\" LOGIN; END IF;%s%s%s END $$;",
			   name, name, admin ? " GRANT otto_admin TO \"" : "", admin ? name : "", admin ? "\";" : "");
	free(pgt_sql(s, sql));
	free(sql);
}

char *pgt_settings(const char *dir, const char *url, const char *extra)
{
	char *text = tu_fmt("[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"postgres\"\nurl = \"%s\"\n%s", url,
			    extra ? extra : "");
	char *path = tu_write(dir, ".otto/settings.toml", text);
	free(text);
	return path;
}
