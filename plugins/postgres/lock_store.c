/*
 * The `postgres` lock store: machine locks in the team store's otto.locks
 * (pg_schema.c, step 3), shared by every machine of a lab team.
 *
 *   [locks]
 *   store = "postgres"
 *   url = "postgresql:///otto?host=/run/postgresql"
 *
 * Every change is one statement, atomic in the database: a new lock is an
 * INSERT ... ON CONFLICT DO NOTHING; taking over a lock (its lease ran out,
 * its holder is dead, it is the claimant's own, or --force) is an UPDATE
 * conditioned on the fence the client judged, so a lock that changed in
 * between is never overwritten; release is DELETE ... RETURNING with the
 * ownership test in its WHERE; a renewal is an UPDATE that only matches
 * the claimant's unexpired lock. The write comes first: the common cycle,
 * a free name taken and released by its taker, is two statements, and a
 * row is read only when a write matched nothing.
 *
 * Identity is the database's: the holder is current_user (set by a
 * trigger), never the client's claimed user, and row-level security lets
 * a role write only its own locks (docs/team-store.md). Time is the
 * server's clock, so every machine agrees on expiry. No session state (the
 * one advisory lock is transaction-level and ends with its statement; no
 * prepared statements): it works behind a transaction pooler.
 */
#include "pg_lock.h"
#include "lock_sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Attempts at a name that keeps changing between the read and the write. */
#define CHANGE_ATTEMPTS 8

static int lk_create(const otto_config *config, void **self, otto_error *err)
{
	pg_conn *c = NULL;
	int rc = pg_conn_new(&c, config, PG_SCHEMA_LOCKS, err);
	*self = c;
	return rc;
}

static void lk_destroy(void *self)
{
	pg_conn_free(self);
}

static const char *lk_where(void *self)
{
	return ((pg_conn *)self)->server;
}

static void row_of(PGresult *res, int i, pg_lock_row *r)
{
	memset(r, 0, sizeof *r);
	r->name = PQgetvalue(res, i, 0);
	r->holder = PQgetvalue(res, i, 1);
	r->host = PQgetvalue(res, i, 2);
	pg_int64_parse(PQgetvalue(res, i, 3), &r->pid);
	r->pid_start = strtoull(PQgetvalue(res, i, 4), NULL, 10);
	r->boot_id = PQgetvalue(res, i, 5);
	r->pidns = PQgetvalue(res, i, 6);
	r->token_sha256 = PQgetvalue(res, i, 7);
	pg_int64_parse(PQgetvalue(res, i, 8), &r->taken);
	pg_int64_parse(PQgetvalue(res, i, 9), &r->expiry);
	int64_t fence = 0;
	pg_int64_parse(PQgetvalue(res, i, 10), &fence);
	r->fence = fence > 0 ? (uint64_t)fence : 0;
	r->ran_out = PQgetvalue(res, i, 11)[0] == 't';
}

/* The lock folder's states, judged from here: held while unexpired or
 * while its holder lives; a holder this machine cannot see counts as alive. */
static otto_lock_state state_of(const pg_lock_row *r, const otto_lock_claim *claim)
{
	pg_liveness live = pg_holder_liveness(r, claim->holder);
	if (r->ran_out)
		return claim->check_pid && live == PG_HOLDER_ALIVE ? OTTO_LOCK_HELD : OTTO_LOCK_EXPIRED;
	if (r->expiry)
		return OTTO_LOCK_HELD;
	return live == PG_HOLDER_DEAD ? OTTO_LOCK_STALE : OTTO_LOCK_HELD;
}

static const char *state_word(otto_lock_state s)
{
	switch (s) {
	case OTTO_LOCK_HELD:
		return "held";
	case OTTO_LOCK_EXPIRED:
		return "expired";
	case OTTO_LOCK_STALE:
		return "stale";
	case OTTO_LOCK_CORRUPT:
		return "corrupt";
	default:
		return "free";
	}
}

static int report(pg_conn *c, const pg_lock_row *r, otto_lock_state state, otto_lock_out *out, otto_error *err)
{
	otto_lock_record rec = OTTO_LOCK_RECORD_INIT;
	rec.name = r->name;
	rec.state = state;
	rec.user = r->holder;
	rec.uid = -1;
	rec.host = r->host;
	rec.pid = r->pid;
	rec.taken = r->taken;
	rec.expiry = r->expiry;
	rec.where = c->server;
	rec.fence = r->fence;
	return otto_lock_out_add(out, &rec, err);
}

/* The claimant's own lock: its token (held or given), or the very same
 * holder process under the same role. */
static bool owns(pg_conn *c, const otto_lock_claim *claim, const pg_lock_row *r)
{
	const otto_lock_holder *h = claim->holder;
	if ((claim->held_sha256[0] && strcmp(r->token_sha256, claim->held_sha256) == 0) ||
	    (claim->given_sha256[0] && strcmp(r->token_sha256, claim->given_sha256) == 0))
		return true;
	return strcmp(r->holder, c->role) == 0 && strcmp(r->host, h->host) == 0 && strcmp(r->boot_id, h->boot_id) == 0 &&
	       strcmp(r->pidns, h->pidns) == 0 && r->pid == h->pid && r->pid_start == h->pid_start;
}

typedef struct params {
	char pid[24], start[24], expiry[24], fence[24];
	const char *v[10];
} params;

/* $1 name, $2 host, $3 pid, $4 pid_start, $5 boot_id, $6 pidns, $7 token,
 * $8 expiry seconds (0 none), $9 the fence judged (UPDATE only). */
static void params_of(params *p, const otto_lock_claim *claim, uint64_t fence)
{
	const otto_lock_holder *h = claim->holder;
	pg_int64_text(h->pid, p->pid);
	snprintf(p->start, sizeof p->start, "%" PRIu64, h->pid_start);
	pg_int64_text(claim->expiry_seconds, p->expiry);
	pg_int64_text((int64_t)fence, p->fence);
	const char *v[] = {claim->name, h->host, p->pid, p->start, h->boot_id, h->pidns, claim->new_sha256, p->expiry,
			   p->fence};
	memcpy(p->v, v, sizeof v);
}

/* Read `name`: *res keeps the row (0 or 1 tuples). */
static int read_row(pg_conn *c, const char *call, const char *name, PGresult **res, otto_error *err)
{
	const char *v[] = {name};
	return pg_query(c, call, LOCK_SQL_GET, 1, v, res, NULL, err);
}

/* After a refused write: why. Row-level security kept this role from a
 * lock that is still the one judged (same fence), or it changed in between
 * (*changed: look again). */
static int refused_write(pg_conn *c, const otto_lock_claim *claim, const pg_lock_row *judged, uint32_t *outcome,
			 otto_lock_out *info, bool *changed, otto_error *err)
{
	PGresult *again = NULL;
	int rc = read_row(c, "acquire", claim->name, &again, err);
	*changed = true;
	if (rc == OTTO_OK && PQntuples(again) == 1) {
		pg_lock_row now;
		row_of(again, 0, &now);
		if (now.fence == judged->fence) {
			*changed = false;
			if (claim->flags & OTTO_LOCK_CLAIM_FORCE)
				rc = otto_error_set(err, OTTO_ERROR,
						    "%s: acquire: lock '%s' is held by %s; only that role or a member of " PG_ADMIN_ROLE
						    " may break it (you are %s)",
						    c->server, claim->name, now.holder, c->role);
			else {
				*outcome = OTTO_LOCK_REFUSED;
				rc = report(c, &now, state_of(&now, claim), info, err);
			}
		}
	}
	PQclear(again);
	return rc;
}

/* Write first: a free name is taken by the one INSERT, and only a name
 * with a row is read, judged and taken over by fence. */
static int lk_acquire(void *self, const otto_lock_claim *claim, uint32_t *outcome, otto_lock_out *info,
		      otto_error *err)
{
	pg_conn *c = self;
	bool force = claim->flags & OTTO_LOCK_CLAIM_FORCE;
	*outcome = 0;
	for (int attempt = 0; attempt <= CHANGE_ATTEMPTS; attempt++) {
		PGresult *cur = NULL, *wrote = NULL;
		pg_lock_row row, mine;
		params p;
		int rc;
		bool have = false, changed = true;
		otto_lock_state state = OTTO_LOCK_FREE;
		if (attempt > 0) {
			if ((rc = read_row(c, "acquire", claim->name, &cur, err)) != OTTO_OK)
				return rc;
			have = PQntuples(cur) == 1;
		}
		if (have) {
			row_of(cur, 0, &row);
			state = state_of(&row, claim);
			if (claim->held_sha256[0] && strcmp(row.token_sha256, claim->held_sha256) == 0 &&
			    state == OTTO_LOCK_HELD) {
				*outcome = OTTO_LOCK_ALREADY;
				PQclear(cur);
				return OTTO_OK;
			}
			if (!force && state == OTTO_LOCK_HELD && !owns(c, claim, &row)) {
				*outcome = OTTO_LOCK_REFUSED;
				rc = report(c, &row, state, info, err);
				PQclear(cur);
				return rc;
			}
		}
		/* The write holds only if the lock is still the one judged. */
		params_of(&p, claim, have ? row.fence : 0);
		rc = have ? pg_query(c, "acquire", LOCK_SQL_TAKE, 9, p.v, &wrote, NULL, err)
			  : pg_query(c, "acquire", LOCK_SQL_INSERT, 8, p.v, &wrote, NULL, err);
		if (rc == OTTO_OK && PQntuples(wrote) == 1) {
			row_of(wrote, 0, &mine);
			if (have && force)
				rc = report(c, &row, state, info, err);
			if (rc == OTTO_OK)
				rc = report(c, &mine, OTTO_LOCK_HELD, info, err);
			if (rc == OTTO_OK)
				*outcome = OTTO_LOCK_TAKEN;
			changed = false;
		} else if (rc == OTTO_OK && have) {
			rc = refused_write(c, claim, &row, outcome, info, &changed, err);
		}
		/* An INSERT that found a row: read it on the next attempt. */
		PQclear(cur);
		PQclear(wrote);
		if (rc != OTTO_OK || !changed)
			return rc;
	}
	return otto_error_set(err, OTTO_ERROR, "%s: acquire: lock '%s' kept changing during %d attempts", c->server,
			      claim->name, CHANGE_ATTEMPTS);
}

typedef struct release_params {
	char pid[24], start[24], fence[24], all[24];
	const char *v[10];
} release_params;

/* $9: the fence of a dead holder's lock this role may tidy away (0: none). */
static void release_params_of(release_params *p, const otto_lock_claim *claim, uint64_t dead)
{
	const otto_lock_holder *h = claim->holder;
	pg_int64_text(h->pid, p->pid);
	snprintf(p->start, sizeof p->start, "%" PRIu64, h->pid_start);
	pg_int64_text((int64_t)dead, p->fence);
	pg_int64_text(claim->flags & OTTO_LOCK_CLAIM_FORCE ? -1 : 0, p->all);
	const char *v[] = {claim->name, claim->held_sha256, claim->given_sha256, h->host, h->boot_id, h->pidns,
			   p->pid, p->start, p->fence, p->all};
	memcpy(p->v, v, sizeof v);
}

/* One DELETE; *gone says whether it matched, and the row went to `out`. */
static int delete_lock(pg_conn *c, const otto_lock_claim *claim, uint64_t dead, bool *gone, otto_lock_out *out,
		       otto_error *err)
{
	release_params p;
	PGresult *res = NULL;
	release_params_of(&p, claim, dead);
	int rc = pg_query(c, "release", LOCK_SQL_RELEASE, 10, p.v, &res, NULL, err);
	*gone = rc == OTTO_OK && PQntuples(res) == 1;
	if (*gone) {
		pg_lock_row was;
		row_of(res, 0, &was);
		rc = report(c, &was, state_of(&was, claim), out, err);
	}
	PQclear(res);
	return rc;
}

/* Write first: the claimant's own lock (or any, with --force) goes in one
 * DELETE; only a lock it did not match is read, to tidy a dead holder's
 * lock of this role away or to say whose it is. */
static int lk_release(void *self, const otto_lock_claim *claim, otto_lock_out *released, otto_error *err)
{
	pg_conn *c = self;
	bool force = claim->flags & OTTO_LOCK_CLAIM_FORCE, gone = false;
	PGresult *cur = NULL;
	pg_lock_row row;
	int rc = delete_lock(c, claim, 0, &gone, released, err);
	if (rc != OTTO_OK || gone)
		return rc;
	if ((rc = read_row(c, "release", claim->name, &cur, err)) != OTTO_OK)
		return rc;
	if (PQntuples(cur) != 1) {
		PQclear(cur);
		return otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held by anyone", claim->name);
	}
	row_of(cur, 0, &row);
	otto_lock_state state = state_of(&row, claim);
	if (!force && state != OTTO_LOCK_HELD && (rc = delete_lock(c, claim, row.fence, &gone, released, err)) != OTTO_OK)
		gone = false;
	if (rc == OTTO_OK && !gone && force)
		rc = otto_error_set(err, OTTO_ERROR,
				    "%s: release: lock '%s' is held by %s; only that role or a member of " PG_ADMIN_ROLE
				    " may break it (you are %s)",
				    c->server, claim->name, row.holder, c->role);
	else if (rc == OTTO_OK && !gone)
		rc = otto_error_set(err, OTTO_ERROR,
				    "lock '%s' is %s by %s (pid %" PRId64 " on %s), not by this process: release it from "
				    "the process that took it, with the token its acquire printed (--token), or break it "
				    "with --force as a member of " PG_ADMIN_ROLE,
				    claim->name, state_word(state), row.holder, row.pid, row.host);
	PQclear(cur);
	return rc;
}

/* A renewal matches only the claimant's own, unexpired lock ($3: its
 * token); the trigger keeps holder, taken and fence. */

static int lk_renew(void *self, const otto_lock_claim *claim, otto_lock_out *renewed, otto_error *err)
{
	pg_conn *c = self;
	PGresult *res = NULL;
	char secs[24];
	const char *token = claim->held_sha256[0] ? claim->held_sha256 : claim->given_sha256;
	if (!token[0])
		return otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' was not taken by this manager: nothing to renew",
				      claim->name);
	pg_int64_text(claim->expiry_seconds, secs);
	const char *v[] = {claim->name, secs, token};
	int rc = pg_query(c, "renew", LOCK_SQL_RENEW, 3, v, &res, NULL, err);
	if (rc != OTTO_OK)
		return rc;
	pg_lock_row row;
	if (PQntuples(res) == 1) {
		row_of(res, 0, &row);
		rc = report(c, &row, OTTO_LOCK_HELD, renewed, err);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	/* Why not: say who holds it now (a read for the message only). */
	if ((rc = read_row(c, "renew", claim->name, &res, err)) != OTTO_OK)
		return rc;
	if (PQntuples(res) == 1) {
		row_of(res, 0, &row);
		if (strcmp(row.token_sha256, token) == 0)
			rc = otto_error_set(err, OTTO_ENOTFOUND, "the lease of lock '%s' ran out before it was renewed",
					    claim->name);
		else
			rc = otto_error_set(err, OTTO_ENOTFOUND,
					    "lock '%s' is held by %s (pid %" PRId64 " on %s, fence %" PRIu64
					    ") now: its lease was lost",
					    claim->name, row.holder, row.pid, row.host, row.fence);
	} else {
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held by anyone: its lease was lost",
				    claim->name);
	}
	PQclear(res);
	return rc;
}

static int lk_get(void *self, const otto_lock_claim *claim, otto_lock_out *out, otto_error *err)
{
	pg_conn *c = self;
	PGresult *res = NULL;
	int rc = read_row(c, "get", claim->name, &res, err);
	if (rc != OTTO_OK)
		return rc;
	if (PQntuples(res) == 1) {
		pg_lock_row row;
		row_of(res, 0, &row);
		rc = report(c, &row, state_of(&row, claim), out, err);
	} else {
		otto_lock_record free_rec = OTTO_LOCK_RECORD_INIT;
		free_rec.name = claim->name;
		free_rec.state = OTTO_LOCK_FREE;
		rc = otto_lock_out_add(out, &free_rec, err);
	}
	PQclear(res);
	return rc;
}

static int lk_list(void *self, const otto_lock_claim *claim, otto_lock_out *out, otto_error *err)
{
	pg_conn *c = self;
	PGresult *res = NULL;
	int rc = pg_query(c, "list", "SELECT " LOCK_SQL_COLUMNS " FROM otto.locks ORDER BY name", 0, NULL, &res, NULL, err);
	for (int i = 0; rc == OTTO_OK && i < PQntuples(res); i++) {
		pg_lock_row row;
		row_of(res, i, &row);
		rc = report(c, &row, state_of(&row, claim), out, err);
	}
	PQclear(res);
	return rc;
}

/* otto db init: the one schema, shared with the reservation backend. */
static int lk_prepare(void *self, otto_string_out *done, otto_error *err)
{
	return pg_schema_prepare(self, done, err);
}

const otto_lock_store_type pg_lock_store = {
	.struct_size = sizeof(otto_lock_store_type),
	.name = "postgres",
	.description = "machine locks in the team store on PostgreSQL (otto.locks)",
	.create = lk_create,
	.destroy = lk_destroy,
	.where = lk_where,
	.acquire = lk_acquire,
	.release = lk_release,
	.get = lk_get,
	.list = lk_list,
	.settings_keys = pg_settings_keys,
	.prepare = lk_prepare,
	.renew = lk_renew,
};
