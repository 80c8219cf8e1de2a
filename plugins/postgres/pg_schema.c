/*
 * The schema the postgres plugin owns, as a versioned list of migration
 * steps, and `prepare` (otto db init), which applies the missing ones.
 *
 * Rules:
 *   - The version lives in one row of otto.otto_schema. Steps run in order,
 *     all missing ones in ONE transaction with the version update: a
 *     failure leaves the database as it was.
 *   - Concurrent `otto db init` runs serialize on a transaction-level
 *     advisory lock (no session state: it works behind a transaction
 *     pooler), then re-read the version under that lock.
 *   - A database whose version is newer than PG_SCHEMA_LATEST is refused
 *     before anything is written; so is it by every backend call
 *     (pg_conn_ready).
 *   - A step is never edited once released: a change is a new step.
 *
 * Adding a step: write its SQL below, append {version, summary, sql} to
 * `steps` (versions 1, 2, 3 ... with no gaps), define PG_SCHEMA_<NAME> in
 * pg_plugin.h and move PG_SCHEMA_LATEST to it.
 */
#include "pg_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1: the schema's frame. otto_schema itself is created by prepare() (it
 * must exist to hold version 0). */
static const char step_base[] =
    "DO $$ BEGIN\n"
    "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" PG_ADMIN_ROLE "') THEN\n"
    "    CREATE ROLE " PG_ADMIN_ROLE " NOLOGIN;\n"
    "  END IF;\n"
    /* Roles are per cluster, the advisory lock per database: an init of
     * another database may have created it meanwhile. */
    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;\n"
    "END $$;\n"
    "COMMENT ON SCHEMA otto IS 'otto team store (docs/team-store.md); owned by the otto postgres plugin';\n"
    "GRANT USAGE ON SCHEMA otto TO PUBLIC;\n"
    "GRANT SELECT ON otto.otto_schema TO PUBLIC;\n";

/* 2: reservations. The two exclusion constraints are the invariant:
 * exclusive windows of one resource never overlap (reservations_exclusive),
 * and a shared window never overlaps an exclusive one (a pair conflicts
 * when resource is equal, windows overlap and `shared` differs). PostgreSQL
 * checks an exclusion constraint against every row, committed or not (an
 * insert waits for a conflicting in-flight one to commit or abort), so two
 * racing inserts can never both succeed, at any isolation level.
 * Row-level security: everyone reads; a role inserts only rows in its own
 * name (made_by is always the inserting role) and deletes only its own;
 * members of otto_admin may do both for others. Every insert and delete is
 * logged with the acting role. */
static const char step_reservations[] =
    "CREATE EXTENSION IF NOT EXISTS btree_gist;\n"
    "CREATE TABLE otto.reservations (\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  resource text NOT NULL CHECK (resource <> ''),\n"
    "  holder text NOT NULL DEFAULT current_user CHECK (holder <> ''),\n"
    "  during tstzrange NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),\n"
    "  shared boolean NOT NULL DEFAULT false,\n"
    "  made_by text NOT NULL DEFAULT current_user,\n"
    "  made_at timestamptz NOT NULL DEFAULT now(),\n"
    "  CONSTRAINT reservations_exclusive EXCLUDE USING gist (resource WITH =, during WITH &&) WHERE (NOT shared),\n"
    "  CONSTRAINT reservations_shared_exclusive EXCLUDE USING gist (resource WITH =, during WITH &&, shared WITH <>)\n"
    ");\n"
    "CREATE INDEX reservations_holder ON otto.reservations (holder, resource);\n"
    "CREATE TABLE otto.reservation_log (\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  at timestamptz NOT NULL DEFAULT now(),\n"
    "  actor text NOT NULL DEFAULT current_user,\n"
    "  action text NOT NULL CHECK (action IN ('reserve', 'cancel')),\n"
    "  holder text NOT NULL,\n"
    "  resource text NOT NULL,\n"
    "  during tstzrange NOT NULL,\n"
    "  shared boolean NOT NULL\n"
    ");\n"
    "CREATE FUNCTION otto.log_reservation() RETURNS trigger LANGUAGE plpgsql\n"
    "  SET search_path = pg_catalog, pg_temp AS $f$\n"
    "BEGIN\n"
    "  IF TG_OP = 'INSERT' THEN\n"
    "    INSERT INTO otto.reservation_log (action, holder, resource, during, shared)\n"
    "      VALUES ('reserve', NEW.holder, NEW.resource, NEW.during, NEW.shared);\n"
    "    RETURN NEW;\n"
    "  END IF;\n"
    "  INSERT INTO otto.reservation_log (action, holder, resource, during, shared)\n"
    "    VALUES ('cancel', OLD.holder, OLD.resource, OLD.during, OLD.shared);\n"
    "  RETURN OLD;\n"
    "END $f$;\n"
    /* Racing multi-resource inserts can deadlock inside the exclusion
     * checks (each waits for the other's uncommitted row). Writers first
     * take one transaction-level advisory lock per resource, in one global
     * order, so they queue instead (no session state: pooler-safe). */
    "CREATE FUNCTION otto.lock_resources(resources text[]) RETURNS void LANGUAGE plpgsql\n"
    "  SET search_path = pg_catalog, pg_temp AS $f$\n"
    "DECLARE k integer;\n"
    "BEGIN\n"
    "  FOR k IN SELECT DISTINCT hashtext(r) FROM unnest(resources) AS u(r) ORDER BY 1 LOOP\n"
    "    PERFORM pg_advisory_xact_lock(7028412, k);\n"
    "  END LOOP;\n"
    "END $f$;\n"
    "CREATE FUNCTION otto.reserve(resources text[], who text, first bigint, last bigint, is_shared boolean)\n"
    "  RETURNS TABLE (resource text, lo bigint, hi bigint) LANGUAGE plpgsql\n"
    "  SET search_path = pg_catalog, pg_temp AS $f$\n"
    "BEGIN\n"
    "  PERFORM otto.lock_resources(resources);\n"
    "  RETURN QUERY INSERT INTO otto.reservations AS t (resource, holder, during, shared)\n"
    "    SELECT s.r, who, tstzrange(to_timestamp(first), to_timestamp(last), '[)'), is_shared\n"
    "    FROM (SELECT DISTINCT u.r FROM unnest(resources) AS u(r) ORDER BY u.r) AS s\n"
    "    RETURNING t.resource, extract(epoch FROM lower(t.during))::bigint, extract(epoch FROM upper(t.during))::bigint;\n"
    "END $f$;\n"
    "CREATE TRIGGER reservations_log AFTER INSERT OR DELETE ON otto.reservations\n"
    "  FOR EACH ROW EXECUTE FUNCTION otto.log_reservation();\n"
    "ALTER TABLE otto.reservations ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE otto.reservations FORCE ROW LEVEL SECURITY;\n"
    "CREATE POLICY reservations_read ON otto.reservations FOR SELECT USING (true);\n"
    "CREATE POLICY reservations_make ON otto.reservations FOR INSERT WITH CHECK (\n"
    "  made_by = current_user AND\n"
    "  (holder = current_user OR pg_has_role(current_user, '" PG_ADMIN_ROLE "', 'MEMBER')));\n"
    "CREATE POLICY reservations_remove ON otto.reservations FOR DELETE USING (\n"
    "  holder = current_user OR pg_has_role(current_user, '" PG_ADMIN_ROLE "', 'MEMBER'));\n"
    "GRANT SELECT, DELETE ON otto.reservations TO PUBLIC;\n"
    "GRANT INSERT (resource, holder, during, shared) ON otto.reservations TO PUBLIC;\n"
    "ALTER TABLE otto.reservation_log ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE otto.reservation_log FORCE ROW LEVEL SECURITY;\n"
    "CREATE POLICY reservation_log_read ON otto.reservation_log FOR SELECT USING (true);\n"
    "CREATE POLICY reservation_log_write ON otto.reservation_log FOR INSERT WITH CHECK (actor = current_user);\n"
    "GRANT SELECT ON otto.reservation_log TO PUBLIC;\n"
    "GRANT INSERT (action, holder, resource, during, shared) ON otto.reservation_log TO PUBLIC;\n";

/* 3: locks (lock_store.c). One row per held name. The database, not the
 * client, decides what a row says about its holder: a trigger sets holder
 * (current_user), taken and the fence on every new grant (a new token),
 * and keeps them on a renewal, so no client can forge a fence or write a
 * lock in another role's name. Fences come from one sequence: they only
 * grow, for every name, and survive restarts (a crash may skip values,
 * never repeat one). Row-level security: everyone reads; a role writes
 * rows only in its own name, and changes or deletes its own, a lock whose
 * lease ran out (anyone's to take), or, as a member of otto_admin, anyone's
 * (--force). A lock without expiry whose holder died is reclaimed by its
 * own role (or an admin) on the holder's host: the database cannot see
 * processes, so it does not take another role's word for a death. */
static const char step_locks[] =
    "CREATE SEQUENCE otto.lock_fence AS bigint;\n"
    "CREATE TABLE otto.locks (\n"
    "  name text PRIMARY KEY CHECK (name <> ''),\n"
    "  holder text NOT NULL DEFAULT current_user,\n"
    "  host text NOT NULL,\n"
    "  pid bigint NOT NULL,\n"
    "  pid_start numeric(20) NOT NULL,\n"
    "  boot_id text NOT NULL,\n"
    "  pidns text NOT NULL,\n"
    "  token_sha256 text NOT NULL,\n"
    "  taken timestamptz NOT NULL DEFAULT now(),\n"
    "  expiry timestamptz,\n"
    "  fence bigint NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE FUNCTION otto.lock_grant() RETURNS trigger LANGUAGE plpgsql\n"
    "  SET search_path = pg_catalog, pg_temp AS $f$\n"
    "BEGIN\n"
    "  NEW.holder := current_user;\n"
    "  IF TG_OP = 'INSERT' OR NEW.token_sha256 IS DISTINCT FROM OLD.token_sha256 THEN\n"
    "    NEW.fence := nextval('otto.lock_fence');\n"
    "    NEW.taken := now();\n"
    "  ELSE\n"
    "    NEW.fence := OLD.fence;\n"
    "    NEW.taken := OLD.taken;\n"
    "    NEW.holder := OLD.holder;\n"
    "  END IF;\n"
    "  RETURN NEW;\n"
    "END $f$;\n"
    "CREATE TRIGGER locks_grant BEFORE INSERT OR UPDATE ON otto.locks\n"
    "  FOR EACH ROW EXECUTE FUNCTION otto.lock_grant();\n"
    "ALTER TABLE otto.locks ENABLE ROW LEVEL SECURITY;\n"
    "ALTER TABLE otto.locks FORCE ROW LEVEL SECURITY;\n"
    "CREATE POLICY locks_read ON otto.locks FOR SELECT USING (true);\n"
    "CREATE POLICY locks_make ON otto.locks FOR INSERT WITH CHECK (holder = current_user);\n"
    "CREATE POLICY locks_change ON otto.locks FOR UPDATE USING (\n"
    "  holder = current_user OR (expiry IS NOT NULL AND expiry <= now())\n"
    "  OR pg_has_role(current_user, '" PG_ADMIN_ROLE "', 'MEMBER'))\n"
    "  WITH CHECK (holder = current_user);\n"
    "CREATE POLICY locks_remove ON otto.locks FOR DELETE USING (\n"
    "  holder = current_user OR (expiry IS NOT NULL AND expiry <= now())\n"
    "  OR pg_has_role(current_user, '" PG_ADMIN_ROLE "', 'MEMBER'));\n"
    "GRANT SELECT, DELETE ON otto.locks TO PUBLIC;\n"
    "GRANT INSERT (name, host, pid, pid_start, boot_id, pidns, token_sha256, expiry) ON otto.locks TO PUBLIC;\n"
    "GRANT UPDATE (host, pid, pid_start, boot_id, pidns, token_sha256, expiry) ON otto.locks TO PUBLIC;\n"
    "GRANT USAGE ON SEQUENCE otto.lock_fence TO PUBLIC;\n";

typedef struct pg_step {
	int version;
	const char *summary; /* what `otto db init` says it did */
	const char *sql;
} pg_step;

static const pg_step steps[] = {
    {PG_SCHEMA_BASE, "created the otto schema, its version row and the otto_admin role", step_base},
    {PG_SCHEMA_RESERVATIONS, "created otto.reservations (exclusion constraints, row-level security, log)",
     step_reservations},
    {PG_SCHEMA_LOCKS, "created otto.locks (fences from a sequence, row-level security)", step_locks},
};

_Static_assert(sizeof steps / sizeof steps[0] == PG_SCHEMA_LATEST, "one step per schema version, no gaps");

/* Run SQL text (no parameters); false and err set on failure. */
static int run(pg_conn *c, const char *call, const char *sql, PGresult **keep, otto_error *err)
{
	PGresult *res = PQexec(c->pq, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int rc = pg_fail(c, call, res, err);
		PQclear(res);
		return rc;
	}
	if (keep)
		*keep = res;
	else
		PQclear(res);
	return OTTO_OK;
}

static int say(otto_string_out *done, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
static int say(otto_string_out *done, const char *fmt, ...)
{
	char line[512];
	otto_error ignored;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return otto_string_out_add(done, line, &ignored);
}

int pg_schema_prepare(pg_conn *c, otto_string_out *done, otto_error *err)
{
	static const char call[] = "prepare (otto db init)";
	PGresult *res = NULL;
	bool in_tx = false;
	int version = 0, rc;
	char sql[128];
	rc = pg_conn_connect(c, call, err);
	if (rc != OTTO_OK)
		return rc;
	if ((rc = run(c, call, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, err)) != OTTO_OK)
		goto done;
	in_tx = true;
	if ((rc = run(c, call, "SELECT pg_advisory_xact_lock(7028411, 1)", NULL, err)) != OTTO_OK ||
	    (rc = run(c, call, "SELECT to_regclass('otto.otto_schema') IS NOT NULL", &res, err)) != OTTO_OK)
		goto done;
	version = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? 0 : -1;
	PQclear(res);
	res = NULL;
	if (version == 0) {
		if ((rc = run(c, call, "SELECT coalesce(max(version), 0) FROM otto.otto_schema", &res, err)) != OTTO_OK)
			goto done;
		version = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		res = NULL;
	}
	if (version > PG_SCHEMA_LATEST) {
		rc = otto_error_set(err, OTTO_ERROR,
				    "%s: %s: the otto schema is version %d, newer than this postgres plugin "
				    "understands (%d); nothing was changed: upgrade the plugin",
				    c->server, call, version, PG_SCHEMA_LATEST);
		goto done;
	}
	if (version == PG_SCHEMA_LATEST) {
		rc = run(c, call, "ROLLBACK", NULL, err);
		in_tx = false;
		if (rc == OTTO_OK)
			rc = say(done, "schema up to date (version %d) on %s as role %s", version, c->server, c->role);
		goto done;
	}
	if (version < 0) {
		if ((rc = run(c, call,
			      "CREATE SCHEMA IF NOT EXISTS otto; "
			      "CREATE TABLE otto.otto_schema (singleton boolean PRIMARY KEY DEFAULT true "
			      "CHECK (singleton), version integer NOT NULL); "
			      "INSERT INTO otto.otto_schema (version) VALUES (0)",
			      NULL, err)) != OTTO_OK)
			goto done;
		version = 0;
	}
	int from = version;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (steps[i].version <= version)
			continue;
		if ((rc = run(c, call, steps[i].sql, NULL, err)) != OTTO_OK)
			goto done;
		version = steps[i].version;
	}
	snprintf(sql, sizeof sql, "UPDATE otto.otto_schema SET version = %d", version);
	if ((rc = run(c, call, sql, NULL, err)) != OTTO_OK || (rc = run(c, call, "COMMIT", NULL, err)) != OTTO_OK)
		goto done;
	in_tx = false;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i].version > from && (rc = say(done, "schema version %d: %s", steps[i].version,
							 steps[i].summary)) != OTTO_OK)
			goto done;
	rc = say(done, "schema migrated from version %d to %d on %s as role %s", from, version, c->server, c->role);
done:
	PQclear(res);
	if (in_tx && c->pq) {
		PGresult *r = PQexec(c->pq, "ROLLBACK");
		PQclear(r);
	}
	/* The next call re-reads the version. */
	c->schema_version = 0;
	return rc;
}
