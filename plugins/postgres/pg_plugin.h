/*
 * The postgres plugin's private header: the connection helper (pg_conn.c),
 * the schema it owns (pg_schema.c), small text helpers (pg_params.c,
 * pg_time.c) and the backend types it registers. Plugins include only the
 * SDK: nothing here comes from core/.
 */
#ifndef OTTO_PG_PLUGIN_H
#define OTTO_PG_PLUGIN_H

#include <otto/plugin.h>

#include <libpq-fe.h>

/* ------------------------------------------------------------ pg_conn.c -- */

/* One connection to the team store, opened lazily and reopened by the next
 * call after a failure (never within a call: a call that loses its
 * connection fails closed). Every error names the server (socket or host,
 * port, database; never a password) and the call. */
typedef struct pg_conn {
	PGconn *pq;            /* NULL until the first call, and after a lost connection */
	char *conninfo;        /* the url as configured */
	char server[512];      /* "PostgreSQL server <socket|host> port P database D" */
	char role[128];        /* current_user, once connected */
	int schema_need;       /* the schema version the backend needs (PG_SCHEMA_*) */
	int schema_version;    /* what the database has, once connected */
	int connect_timeout_s; /* libpq connect_timeout */
	int statement_timeout_s;
	int retries;           /* serialization failures / deadlocks retried this often */
} pg_conn;

/* The settings keys both backends accept (declared in pg_conn.c). */
extern const otto_setting_decl pg_settings_keys[];

/* Check cfg (keys, url), and make a connection object; nothing is
 * connected yet. `schema_need`: the schema version below which the caller
 * refuses to work (it asks for `otto db init`). */
int pg_conn_new(pg_conn **out, const otto_config *cfg, int schema_need, otto_error *err);
void pg_conn_free(pg_conn *c);

/* Connect (if not connected), set the session's limits, learn current_user
 * and check the schema version: missing or older than schema_need asks for
 * `otto db init`; newer than this plugin understands is refused. `call`
 * names the operation for messages. */
int pg_conn_ready(pg_conn *c, const char *call, otto_error *err);
/* Connect without the schema check (otto db init). */
int pg_conn_connect(pg_conn *c, const char *call, otto_error *err);

/* Run one statement with text parameters (n may be 0) as its own
 * transaction, retrying serialization failures and deadlocks (40001,
 * 40P01) up to c->retries times; then fail closed. On success *res holds
 * the result (PQclear it). On failure *res is NULL, `sqlstate` (6 bytes,
 * may be NULL) gets the SQLSTATE ("" when the connection failed) and err
 * a sentence naming the server and the call. */
int pg_query(pg_conn *c, const char *call, const char *sql, int n, const char *const *params, PGresult **res,
	     char *sqlstate, otto_error *err);

/* Set err from a failed result or connection: "<server>: <call>: <why>". */
int pg_fail(pg_conn *c, const char *call, const PGresult *res, otto_error *err);

/* ---------------------------------------------------------- pg_schema.c -- */

/* Schema versions: each step of pg_schema.c's migration list. */
#define PG_SCHEMA_BASE 1         /* the otto schema, otto_schema, the otto_admin role */
#define PG_SCHEMA_RESERVATIONS 2 /* otto.reservations and its rules */
#define PG_SCHEMA_LOCKS 3        /* otto.locks (lock_store.c) */
#define PG_SCHEMA_LATEST PG_SCHEMA_LOCKS

/* The role whose members may act for others (OTTO_RESERVE_FORCE). */
#define PG_ADMIN_ROLE "otto_admin"

/* Create or migrate the schema to PG_SCHEMA_LATEST in one transaction
 * (idempotent; concurrent runs serialize on a transaction-level advisory
 * lock), adding one line per thing done to `done` ("up to date" when
 * nothing was). A database newer than this plugin is refused, untouched. */
int pg_schema_prepare(pg_conn *c, otto_string_out *done, otto_error *err);

/* ----------------------------------------------------- pg_params.c/time -- */

/* A text[] literal of items ('{"a","b"}', quoted and escaped); malloc'd,
 * NULL when out of memory. */
char *pg_text_array(const char *const *items, size_t n);
/* Decimal text of v into buf (24 bytes). */
const char *pg_int64_text(int64_t v, char buf[24]);
/* Parse a decimal int64 field; false when it is not one. */
bool pg_int64_parse(const char *s, int64_t *out);
/* 2026-12-01T09:00:00Z (buf: 32 bytes). */
const char *pg_time_text(int64_t t, char buf[32]);

/* ---------------------------------------------------------- the backends -- */

extern const otto_reservation_backend_type pg_reservation_backend;
/* lock_store.c: the `postgres` lock store. */
extern const otto_lock_store_type pg_lock_store;

/* reservations_write.c: the write capability of the reservation backend. */
int pg_reserve(pg_conn *c, const otto_reservation_request *req, otto_window_out *made, otto_error *err);
int pg_cancel(pg_conn *c, const otto_reservation_request *req, otto_window_out *cancelled, otto_error *err);

#endif
