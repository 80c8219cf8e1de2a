/*
 * Shared by the postgres suites: a project folder every test user can
 * read, settings per role, `otto db init`, and pg_client/otto runs as a
 * test user.
 */
#ifndef OTTO_PG_TEST_H
#define OTTO_PG_TEST_H

#include "pgtest.h"

typedef struct pg_user {
	const char *name;
	int uid, gid;
	char *settings; /* <project>/<name>/.otto/settings.toml: url with user=<name> */
} pg_user;

typedef struct pg_env {
	pgt_server *server;
	char *db;       /* this test's own database */
	char *project;  /* 0755 temporary folder */
	char *owner_settings; /* as otto_dba (root runs it) */
} pg_env;

/* A fresh database on `server` (taken over), settings for the owner, and
 * `otto db init` run once (asserted). */
void pg_env_init(pg_env *e, pgt_server *server);
void pg_env_free(pg_env *e);
/* A role (and OS user) with its own settings; admin: member of otto_admin. */
void pg_env_user(pg_env *e, pg_user *u, const char *name, int admin);
void pg_user_free(pg_user *u);

/* otto --settings SETTINGS ARGS... as uid/gid (-1: root). */
tu_result pg_otto(int uid, int gid, const char *settings, const char *const *args);
#define PG_OTTO(uid, gid, settings, ...) pg_otto((uid), (gid), (settings), (const char *const[]){__VA_ARGS__, NULL})
/* pg_client SETTINGS ARGS... as the user. */
tu_result pg_client(const pg_user *u, const char *const *args);
#define PG_CLIENT(u, ...) pg_client((u), (const char *const[]){__VA_ARGS__, NULL})

#endif
