/*
 * The `postgres` reservation backend: who holds what, from the team
 * store's otto.reservations table (pg_schema.c). Reads are one statement
 * each; "now" is the server's clock, so every machine of the team agrees
 * on which windows are current.
 *
 *   [reservations]
 *   backend = "postgres"
 *   url = "postgresql:///otto?host=/run/postgresql"
 *
 *   [reservations.postgres]      # optional
 *   connect_timeout = 10         # seconds
 *   statement_timeout = 30       # seconds
 *   retries = 5                  # serialization failures / deadlocks
 */
#include "pg_plugin.h"

#include <stdlib.h>

static int res_create(const otto_config *config, void **self, otto_error *err)
{
	pg_conn *c = NULL;
	int rc = pg_conn_new(&c, config, PG_SCHEMA_RESERVATIONS, err);
	*self = c;
	return rc;
}

static void res_destroy(void *self)
{
	pg_conn_free(self);
}

static const char *res_name(void *self)
{
	(void)self;
	return "postgres";
}

/* Add column 0 of every row to out. */
static int add_column(pg_conn *c, const char *call, PGresult *res, otto_string_out *out, otto_error *err)
{
	for (int i = 0; i < PQntuples(res); i++) {
		int rc = otto_string_out_add(out, PQgetvalue(res, i, 0), err);
		if (rc != OTTO_OK)
			return rc;
	}
	(void)c;
	(void)call;
	return OTTO_OK;
}

static int strings_query(pg_conn *c, const char *call, const char *sql, const char *param, otto_string_out *out,
			 otto_error *err)
{
	PGresult *res = NULL;
	const char *const params[] = {param};
	int rc = pg_query(c, call, sql, param ? 1 : 0, param ? params : NULL, &res, NULL, err);
	if (rc == OTTO_OK)
		rc = add_column(c, call, res, out, err);
	PQclear(res);
	return rc;
}

static int res_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	return strings_query(self, "get_reserved_resources",
			     "SELECT DISTINCT resource FROM otto.reservations "
			     "WHERE holder = $1 AND during @> now() ORDER BY resource",
			     user, out, err);
}

static int res_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	return strings_query(self, "who_reserved",
			     "SELECT DISTINCT holder FROM otto.reservations "
			     "WHERE resource = $1 AND during @> now() ORDER BY holder",
			     resource, out, err);
}

static int res_usernames(void *self, otto_string_out *out, otto_error *err)
{
	return strings_query(self, "list_usernames",
			     "SELECT DISTINCT holder FROM otto.reservations WHERE upper(during) > now() ORDER BY holder",
			     NULL, out, err);
}

/* Current and future windows: what `reserve` made and `cancel` can undo. */
static int res_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	static const char call[] = "get_reservation_windows";
	pg_conn *c = self;
	PGresult *res = NULL;
	const char *const params[] = {user};
	int rc = pg_query(c, call,
			  "SELECT resource, extract(epoch FROM lower(during))::bigint, "
			  "extract(epoch FROM upper(during))::bigint FROM otto.reservations "
			  "WHERE holder = $1 AND upper(during) > now() ORDER BY lower(during), resource",
			  1, params, &res, NULL, err);
	for (int i = 0; rc == OTTO_OK && i < PQntuples(res); i++) {
		int64_t start, end;
		if (!pg_int64_parse(PQgetvalue(res, i, 1), &start) || !pg_int64_parse(PQgetvalue(res, i, 2), &end))
			rc = otto_error_set(err, OTTO_ERROR, "%s: %s: a window bound is not a whole number of seconds",
					    c->server, call);
		else
			rc = otto_window_out_add(out, PQgetvalue(res, i, 0), start, end, err);
	}
	PQclear(res);
	return rc;
}

static int res_reserve(void *self, const otto_reservation_request *request, otto_window_out *made, otto_error *err)
{
	return pg_reserve(self, request, made, err);
}

static int res_cancel(void *self, const otto_reservation_request *request, otto_window_out *cancelled,
		      otto_error *err)
{
	return pg_cancel(self, request, cancelled, err);
}

/* otto db init: create or migrate the schema this plugin owns. */
static int res_prepare(void *self, otto_string_out *done, otto_error *err)
{
	return pg_schema_prepare(self, done, err);
}

const otto_reservation_backend_type pg_reservation_backend = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "postgres",
    .description = "reservations in a PostgreSQL team store (docs/team-store.md)",
    .create = res_create,
    .destroy = res_destroy,
    .backend_name = res_name,
    .get_reserved_resources = res_reserved,
    .who_reserved = res_who,
    .list_usernames = res_usernames,
    .get_reservation_windows = res_windows,
    .settings_keys = pg_settings_keys,
    .reserve = res_reserve,
    .cancel = res_cancel,
    .prepare = res_prepare,
};
