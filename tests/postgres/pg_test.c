/*
 * Helpers of the postgres suites (pg_test.h).
 */
#include "pg_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

tu_result pg_otto(int uid, int gid, const char *settings, const char *const *args)
{
	const char *argv[32] = {OTTO_BIN, "--settings", settings};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return tu_run_as(uid, gid, argv, "/", NULL, 120);
}

void pg_env_init(pg_env *e, pgt_server *server)
{
	memset(e, 0, sizeof *e);
	e->server = server;
	e->db = pgt_database(server);
	e->project = tu_mkdtemp();
	cr_assert(chmod(e->project, 0755) == 0);
	char *url = pgt_url_db(server, e->db, NULL);
	char *dir = tu_fmt("%s/owner", e->project);
	e->owner_settings = pgt_settings(dir, url, NULL);
	free(dir);
	free(url);
	tu_result r = PG_OTTO(-1, -1, e->owner_settings, "db", "init");
	cr_assert(r.status == 0, "otto db init: %s%s", r.out, r.err);
	tu_result_free(&r);
}

void pg_env_free(pg_env *e)
{
	tu_rm_rf(e->project);
	free(e->project);
	free(e->owner_settings);
	free(e->db);
	pgt_free(e->server);
}

void pg_env_user(pg_env *e, pg_user *u, const char *name, int admin)
{
	u->name = name;
	pgt_role(e->server, name, admin, &u->uid, &u->gid);
	char *url = pgt_url_db(e->server, e->db, name);
	char *dir = tu_fmt("%s/%s", e->project, name);
	u->settings = pgt_settings(dir, url, NULL);
	/* Every folder on the way readable by the user. */
	chmod(dir, 0755);
	char *otto_dir = tu_fmt("%s/.otto", dir);
	chmod(otto_dir, 0755);
	chmod(u->settings, 0644);
	free(otto_dir);
	free(dir);
	free(url);
}

void pg_user_free(pg_user *u)
{
	free(u->settings);
	u->settings = NULL;
}

tu_result pg_client(const pg_user *u, const char *const *args)
{
	const char *argv[32] = {PG_CLIENT_BIN, u->settings};
	size_t n = 2;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	char *logname = tu_fmt("LOGNAME=%s", u->name);
	tu_result r = tu_run_as(u->uid, u->gid, argv, "/", (const char *const[]){logname, NULL}, 120);
	free(logname);
	return r;
}
