/*
 * The connection helper of the postgres plugin: one libpq connection per
 * backend instance, opened lazily from [reservations] url (or [locks] url),
 * any libpq connection string, URI or `service=NAME`.
 *
 * Why it looks so:
 *   - Identity is the server's: passwords never come from settings (a url
 *     naming one is refused; use ~/.pgpass, a service file or peer auth).
 *   - Every error is one sentence naming the server (socket or host, port,
 *     database, never a password) and the call, e.g.
 *     "PostgreSQL server /run/postgresql port 5432 database otto:
 *     get_reserved_resources: server closed the connection unexpectedly".
 *   - Limits: connect_timeout, TCP keepalives (a cut network is noticed),
 *     a statement_timeout for the session. Serialization failures and
 *     deadlocks are retried a few times, then the call fails closed.
 *   - A call that loses its connection fails: it is never retried on a new
 *     connection, because the caller (the reservation gate) must fail
 *     closed. The next call connects again.
 */
#include "pg_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const otto_setting_decl pg_settings_keys[] = {
    {"connect_timeout", OTTO_VALUE_INTEGER, 0, "seconds to wait for the server (default 10)"},
    {"statement_timeout", OTTO_VALUE_INTEGER, 0, "seconds one statement may run (default 30)"},
    {"retries", OTTO_VALUE_INTEGER, 0, "serialization failures and deadlocks retried (default 5)"},
    {NULL, 0, 0, NULL},
};

/* Keep only the first lines of a libpq message, joined, without the
 * trailing newline. */
static void one_sentence(const char *in, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *p = in ? in : ""; *p && used + 1 < size; p++) {
		char ch = *p;
		if (ch == '\n') {
			if (!p[1])
				break;
			if (used + 3 >= size)
				break;
			out[used++] = ';';
			ch = ' ';
		}
		out[used++] = ch;
	}
	out[used] = '\0';
	if (!out[0])
		snprintf(out, size, "no message from libpq");
}

/* "PostgreSQL server <host> port <port> database <db>" from what libpq
 * parsed or, once a connection was tried, from the connection itself. */
static void describe(pg_conn *c, const char *host, const char *port, const char *db, const char *service)
{
	char buf[sizeof c->server];
	int n = snprintf(buf, sizeof buf, "PostgreSQL server");
	if (service && *service && n >= 0 && (size_t)n < sizeof buf)
		n += snprintf(buf + n, sizeof buf - (size_t)n, " service %s", service);
	if (n >= 0 && (size_t)n < sizeof buf)
		n += snprintf(buf + n, sizeof buf - (size_t)n, " %s", host && *host ? host : "(default socket)");
	if (port && *port && n >= 0 && (size_t)n < sizeof buf)
		n += snprintf(buf + n, sizeof buf - (size_t)n, " port %s", port);
	if (db && *db && n >= 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - (size_t)n, " database %s", db);
	memcpy(c->server, buf, sizeof buf);
}

static int int_setting(const otto_config *cfg, const char *key, int def, int lo, int hi, int *out, otto_error *err)
{
	const otto_setting *s = otto_config_find(cfg, key);
	char where[512];
	*out = def;
	if (!s)
		return OTTO_OK;
	if (s->integer < lo || s->integer > hi) {
		otto_setting_where(s, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: key '%s' in [%s] must be between %d and %d", where, key,
				      cfg->section ? cfg->section : "?", lo, hi);
	}
	*out = (int)s->integer;
	return OTTO_OK;
}

int pg_conn_new(pg_conn **out, const otto_config *cfg, int schema_need, otto_error *err)
{
	pg_conn *c = NULL;
	PQconninfoOption *opts = NULL;
	char *parse_err = NULL;
	const char *host = NULL, *port = NULL, *db = NULL, *service = NULL;
	int rc;
	*out = NULL;
	rc = otto_config_check_decl(cfg, pg_settings_keys, err);
	if (rc != OTTO_OK)
		return rc;
	if (!cfg->url || !*cfg->url)
		return otto_error_set(err, OTTO_EINVALID,
				      "backend '%s' needs a url in the table that selects it: a libpq connection string "
				      "or service (e.g. url = \"postgresql:///otto?host=/run/postgresql\")",
				      cfg->backend ? cfg->backend : "postgres");
	opts = PQconninfoParse(cfg->url, &parse_err);
	if (!opts) {
		char why[300];
		one_sentence(parse_err ? parse_err : "out of memory", why, sizeof why);
		PQfreemem(parse_err);
		return otto_error_set(err, OTTO_EINVALID, "backend '%s': the url is not a libpq connection string: %s",
				      cfg->backend ? cfg->backend : "postgres", why);
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "password") == 0 && *o->val) {
			rc = otto_error_set(err, OTTO_EINVALID,
					    "backend '%s': the url holds a password; settings never hold one: use "
					    "peer authentication, ~/.pgpass or a service file (docs/team-store.md)",
					    cfg->backend ? cfg->backend : "postgres");
			goto done;
		}
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0 && !host)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
		else if (strcmp(o->keyword, "service") == 0)
			service = o->val;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->conninfo = strdup(cfg->url))) {
		rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
		goto done;
	}
	c->schema_need = schema_need;
	if ((rc = int_setting(cfg, "connect_timeout", 10, 1, 3600, &c->connect_timeout_s, err)) != OTTO_OK ||
	    (rc = int_setting(cfg, "statement_timeout", 30, 1, 86400, &c->statement_timeout_s, err)) != OTTO_OK ||
	    (rc = int_setting(cfg, "retries", 5, 0, 100, &c->retries, err)) != OTTO_OK)
		goto done;
	describe(c, host, port, db, service);
	*out = c;
	c = NULL;
	rc = OTTO_OK;
done:
	PQconninfoFree(opts);
	pg_conn_free(c);
	return rc;
}

void pg_conn_free(pg_conn *c)
{
	if (!c)
		return;
	if (c->pq)
		PQfinish(c->pq);
	free(c->conninfo);
	free(c);
}

int pg_fail(pg_conn *c, const char *call, const PGresult *res, otto_error *err)
{
	char why[700];
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !*msg)
		msg = c->pq ? PQerrorMessage(c->pq) : "not connected";
	one_sentence(msg, why, sizeof why);
	/* libpq prefixes server messages with their severity. */
	const char *shown = why;
	if (strncmp(shown, "ERROR:  ", 8) == 0 || strncmp(shown, "FATAL:  ", 8) == 0)
		shown += 8;
	return otto_error_set(err, OTTO_ERROR, "%s: %s: %s", c->server, call, shown);
}

static void drop(pg_conn *c)
{
	if (c->pq)
		PQfinish(c->pq);
	c->pq = NULL;
	c->role[0] = '\0';
	c->schema_version = 0;
}

int pg_conn_connect(pg_conn *c, const char *call, otto_error *err)
{
	char timeout[16], setup[160];
	PGresult *res = NULL;
	int rc;
	if (c->pq && PQstatus(c->pq) == CONNECTION_OK && PQtransactionStatus(c->pq) == PQTRANS_IDLE)
		return OTTO_OK;
	drop(c);
	snprintf(timeout, sizeof timeout, "%d", c->connect_timeout_s);
	/* Defaults first: what the url says wins (expand_dbname). */
	const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
				    "keepalives_count", "application_name", "dbname", NULL};
	const char *const values[] = {timeout, "1", "30", "10", "3", "otto", c->conninfo, NULL};
	c->pq = PQconnectdbParams(keys, values, 1);
	if (!c->pq)
		return otto_error_set(err, OTTO_ENOMEM, "%s: %s: out of memory", c->server, call);
	if (PQhost(c->pq) && *PQhost(c->pq))
		describe(c, PQhost(c->pq), PQport(c->pq), PQdb(c->pq), NULL);
	if (PQstatus(c->pq) != CONNECTION_OK) {
		rc = pg_fail(c, call, NULL, err);
		drop(c);
		return rc;
	}
	/* The session's limits, and who we are: one round trip. */
	snprintf(setup, sizeof setup,
		 "SET statement_timeout = %d; SET lock_timeout = %d; "
		 "SET idle_in_transaction_session_timeout = %d; SELECT current_user",
		 c->statement_timeout_s * 1000, c->statement_timeout_s * 1000, c->statement_timeout_s * 1000);
	res = PQexec(c->pq, setup);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		rc = pg_fail(c, call, res, err);
		PQclear(res);
		drop(c);
		return rc;
	}
	snprintf(c->role, sizeof c->role, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return OTTO_OK;
}

int pg_conn_ready(pg_conn *c, const char *call, otto_error *err)
{
	PGresult *res = NULL;
	int rc;
	if (c->pq && c->schema_version && PQstatus(c->pq) == CONNECTION_OK)
		return OTTO_OK;
	rc = pg_conn_connect(c, call, err);
	if (rc != OTTO_OK)
		return rc;
	/* A database without the schema is a clear "run otto db init", not a
	 * relation-does-not-exist error. */
	res = PQexec(c->pq, "SELECT coalesce(max(version), 0) FROM otto.otto_schema");
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	bool missing = state && (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0);
	if (!missing && (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)) {
		rc = pg_fail(c, call, res, err);
		PQclear(res);
		drop(c);
		return rc;
	}
	int version = missing ? 0 : atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (version > PG_SCHEMA_LATEST) {
		rc = otto_error_set(err, OTTO_ERROR,
				    "%s: %s: the otto schema is version %d, newer than this postgres plugin "
				    "understands (%d); refusing to use it: upgrade the plugin",
				    c->server, call, version, PG_SCHEMA_LATEST);
		drop(c);
		return rc;
	}
	if (version < c->schema_need) {
		rc = otto_error_set(err, OTTO_ERROR,
				    version ? "%s: %s: the otto schema is version %d, this backend needs %d: run `otto db init`"
					    : "%s: %s: the database has no otto schema (version %d, needed %d): run `otto db init`",
				    c->server, call, version, c->schema_need);
		drop(c);
		return rc;
	}
	c->schema_version = version;
	return OTTO_OK;
}

static bool retryable(const char *state)
{
	return strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0;
}

int pg_query(pg_conn *c, const char *call, const char *sql, int n, const char *const *params, PGresult **res,
	     char *sqlstate, otto_error *err)
{
	int rc;
	*res = NULL;
	if (sqlstate)
		sqlstate[0] = '\0';
	rc = pg_conn_ready(c, call, err);
	if (rc != OTTO_OK)
		return rc;
	for (int attempt = 0;; attempt++) {
		PGresult *r = PQexecParams(c->pq, sql, n, NULL, params, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			*res = r;
			return OTTO_OK;
		}
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		if (state && retryable(state) && attempt < c->retries) {
			PQclear(r);
			/* Back off a little, more each time, so the racers part. */
			struct timespec ts = {0, (long)(1 + attempt) * (2000000L + (long)(rand() % 3000000))};
			nanosleep(&ts, NULL);
			continue;
		}
		if (sqlstate && state)
			snprintf(sqlstate, 6, "%s", state);
		if (state && retryable(state)) {
			char why[600];
			one_sentence(PQresultErrorMessage(r), why, sizeof why);
			rc = otto_error_set(err, OTTO_ERROR, "%s: %s: still failing after %d retries: %s", c->server,
					    call, c->retries, strncmp(why, "ERROR:  ", 8) == 0 ? why + 8 : why);
		} else {
			rc = pg_fail(c, call, r, err);
		}
		PQclear(r);
		if (PQstatus(c->pq) != CONNECTION_OK)
			drop(c);
		return rc;
	}
}
