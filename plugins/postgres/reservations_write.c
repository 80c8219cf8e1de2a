/*
 * The write capability of the `postgres` reservation backend (ABI 1.2
 * reserve/cancel). The client never reads to decide: reserve is one
 * INSERT of every resource (all or none) and the database refuses an
 * overlap through the exclusion constraints of otto.reservations; cancel
 * is one DELETE, and row-level security decides whose rows it may touch.
 * The only read is after a refusal, to name the holder and the window.
 *
 * Identity is the connecting role (current_user), never the request's
 * `user`: a request in another name is refused here unless it carries
 * OTTO_RESERVE_FORCE, and then the database refuses it too unless the role
 * is a member of otto_admin (docs/team-store.md).
 */
#include "pg_plugin.h"

#include <stdlib.h>
#include <string.h>

/* Who the request is for: the caller's own role unless it names another
 * user with FORCE. */
static int request_holder(pg_conn *c, const char *call, const otto_reservation_request *req, const char **holder,
			  otto_error *err)
{
	*holder = NULL;
	if (!req || req->struct_size < sizeof(otto_reservation_request) || !req->resources || req->n_resources == 0)
		return otto_error_set(err, OTTO_EINVALID, "%s: %s: the request names no resource", c->server, call);
	for (size_t i = 0; i < req->n_resources; i++)
		if (!req->resources[i] || !*req->resources[i])
			return otto_error_set(err, OTTO_EINVALID, "%s: %s: resource %zu of the request is empty",
					      c->server, call, i + 1);
	int rc = pg_conn_ready(c, call, err);
	if (rc != OTTO_OK)
		return rc;
	if (!req->user || !*req->user || strcmp(req->user, c->role) == 0) {
		*holder = c->role;
		return OTTO_OK;
	}
	if (!(req->flags & OTTO_RESERVE_FORCE))
		return otto_error_set(err, OTTO_EINVALID,
				      "%s: %s: you connect as role '%s', so you act as '%s' only; acting for '%s' "
				      "needs --force and membership of %s",
				      c->server, call, c->role, c->role, req->user, PG_ADMIN_ROLE);
	*holder = req->user;
	return OTTO_OK;
}

static int add_windows(pg_conn *c, const char *call, PGresult *res, otto_window_out *out, otto_error *err)
{
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t start, end;
		if (!pg_int64_parse(PQgetvalue(res, i, 1), &start) || !pg_int64_parse(PQgetvalue(res, i, 2), &end))
			return otto_error_set(err, OTTO_ERROR, "%s: %s: a window bound is not a whole number of seconds",
					      c->server, call);
		int rc = otto_window_out_add(out, PQgetvalue(res, i, 0), start, end, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* After a refusal by the constraints: name the first reservation in the
 * way. *found is false when it went away meanwhile (then try again). */
static int name_conflict(pg_conn *c, const char *call, const char *const *params, bool *found, otto_error *err)
{
	PGresult *res = NULL;
	char from[32], to[32];
	int64_t start = 0, end = 0;
	/* params: resources, holder, start, end, shared (see pg_reserve). */
	const char *const p[] = {params[0], params[2], params[3], params[4]};
	int rc = pg_query(c, call,
			  "SELECT holder, resource, extract(epoch FROM lower(during))::bigint, "
			  "extract(epoch FROM upper(during))::bigint, shared FROM otto.reservations "
			  "WHERE resource = ANY($1::text[]) "
			  "AND during && tstzrange(to_timestamp($2::bigint), to_timestamp($3::bigint), '[)') "
			  "AND (NOT shared OR NOT $4::boolean) ORDER BY lower(during), resource, holder LIMIT 1",
			  4, p, &res, NULL, err);
	*found = false;
	if (rc != OTTO_OK)
		return rc;
	if (PQntuples(res) == 1) {
		*found = true;
		pg_int64_parse(PQgetvalue(res, 0, 2), &start);
		pg_int64_parse(PQgetvalue(res, 0, 3), &end);
		rc = otto_error_set(err, OTTO_ECONFLICT, "%s: reserve: '%s' is reserved by %s from %s to %s (%s); nothing was reserved",
				    c->server, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0), pg_time_text(start, from),
				    pg_time_text(end, to), strcmp(PQgetvalue(res, 0, 4), "t") == 0 ? "shared" : "exclusive");
	}
	PQclear(res);
	return rc;
}

int pg_reserve(pg_conn *c, const otto_reservation_request *req, otto_window_out *made, otto_error *err)
{
	static const char call[] = "reserve";
	const char *holder = NULL;
	char *array = NULL, start[24], end[24], state[6];
	PGresult *res = NULL;
	int rc = request_holder(c, call, req, &holder, err);
	if (rc != OTTO_OK)
		return rc;
	if (req->start >= req->end)
		return otto_error_set(err, OTTO_EINVALID, "%s: %s: the window ends before it starts", c->server, call);
	if (!(array = pg_text_array(req->resources, req->n_resources)))
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const char *const params[] = {array, holder, pg_int64_text(req->start, start), pg_int64_text(req->end, end),
				      (req->flags & OTTO_RESERVE_SHARED) ? "true" : "false"};
	for (int attempt = 0;; attempt++) {
		/* otto.reserve (pg_schema.c): per-resource advisory locks in
		 * one order, then one INSERT of every resource, all or none. */
		rc = pg_query(c, call, "SELECT * FROM otto.reserve($1::text[], $2, $3::bigint, $4::bigint, $5::boolean)",
			      5, params, &res, state, err);
		if (rc == OTTO_OK) {
			rc = add_windows(c, call, res, made, err);
			break;
		}
		if (strcmp(state, "42501") == 0) {
			rc = otto_error_set(err, OTTO_ERROR,
					    "%s: %s: role '%s' may not reserve in the name of '%s' (only members of %s "
					    "may act for others); nothing was reserved",
					    c->server, call, c->role, holder, PG_ADMIN_ROLE);
			break;
		}
		if (strcmp(state, "23P01") != 0)
			break;
		bool found = false;
		rc = name_conflict(c, call, params, &found, err);
		if (found || rc != OTTO_OK)
			break;
		if (attempt >= c->retries) {
			rc = otto_error_set(err, OTTO_ECONFLICT,
					    "%s: %s: the reservations in the way kept changing (%d attempts); nothing was "
					    "reserved",
					    c->server, call, attempt + 1);
			break;
		}
	}
	PQclear(res);
	free(array);
	return rc;
}

int pg_cancel(pg_conn *c, const otto_reservation_request *req, otto_window_out *cancelled, otto_error *err)
{
	static const char call[] = "cancel";
	const char *holder = NULL;
	char *array = NULL, start[24];
	PGresult *res = NULL;
	int rc = request_holder(c, call, req, &holder, err);
	if (rc != OTTO_OK)
		return rc;
	if (!(array = pg_text_array(req->resources, req->n_resources)))
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const char *const params[] = {array, holder, pg_int64_text(req->start, start)};
	rc = pg_query(c, call,
		      "WITH locked AS MATERIALIZED (SELECT otto.lock_resources($1::text[])), "
		      "gone AS (DELETE FROM otto.reservations WHERE holder = $2 AND resource = ANY($1::text[]) "
		      "AND upper(during) > to_timestamp($3::bigint) AND (SELECT count(*) FROM locked) = 1 "
		      "RETURNING resource, during) "
		      "SELECT resource, extract(epoch FROM lower(during))::bigint, "
		      "extract(epoch FROM upper(during))::bigint FROM gone ORDER BY lower(during), resource",
		      3, params, &res, NULL, err);
	if (rc != OTTO_OK)
		goto done;
	if (PQntuples(res) == 0 && holder != c->role) {
		/* Row-level security hides others' rows from a DELETE: say so
		 * rather than "nothing to cancel". */
		PQclear(res);
		res = NULL;
		rc = pg_query(c, call, "SELECT pg_has_role(current_user, '" PG_ADMIN_ROLE "', 'MEMBER')", 0, NULL, &res,
			      NULL, err);
		if (rc == OTTO_OK && strcmp(PQgetvalue(res, 0, 0), "t") != 0)
			rc = otto_error_set(err, OTTO_ERROR,
					    "%s: %s: role '%s' may not cancel reservations of '%s' (only members of %s "
					    "may); nothing was cancelled",
					    c->server, call, c->role, holder, PG_ADMIN_ROLE);
		goto done;
	}
	rc = add_windows(c, call, res, cancelled, err);
done:
	PQclear(res);
	free(array);
	return rc;
}
