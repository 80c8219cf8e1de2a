/*
 * Test plugin: a lock store ("tstore", ABI 1.2) that keeps one line per
 * lock in a file under the folder [locks] url names, every change under
 * flock(2) on that folder's "guard" file. Only SDK headers: it shows the
 * third backend kind working through the real discovery path and the
 * lock manager's plugin store, without a database. Special urls make it
 * misbehave on purpose: "fail-create", and names starting "bad-" (get and
 * acquire answer about another name), "err-" (the call fails), "crash-"
 * (acquire aborts: the store runs in otto-worker, so otto survives).
 * Built with TSTORE_NO_LIST it lacks a required entry: the registry refuses it.
 * A line: user uid host pid pid_start boot pidns taken expiry sha256
 */
#include <otto/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct ts {
	char dir[512];
	char where[600];
} ts;

typedef struct line {
	char user[64], host[256], boot[40], pidns[24], sha[65];
	int64_t uid, pid, taken, expiry;
	uint64_t start;
} line;

static int ts_create(const otto_config *cfg, void **self, otto_error *err)
{
	if (!cfg->url || !cfg->url[0])
		return otto_error_set(err, OTTO_EINVALID, "tstore needs [locks] url (a folder)");
	if (strcmp(cfg->url, "fail-create") == 0)
		return otto_error_set(err, OTTO_ERROR, "cannot reach the test store at %s", cfg->url);
	ts *t = calloc(1, sizeof *t);
	if (!t)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	snprintf(t->dir, sizeof t->dir, "%s", cfg->url);
	snprintf(t->where, sizeof t->where, "tstore:%s", cfg->url);
	*self = t;
	return OTTO_OK;
}

static void ts_destroy(void *self)
{
	free(self);
}

static const char *ts_where(void *self)
{
	return ((ts *)self)->where;
}

static int guard(const ts *t, otto_error *err)
{
	char p[600];
	snprintf(p, sizeof p, "%s/guard", t->dir);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		if (fd >= 0)
			close(fd);
		return otto_error_set(err, OTTO_ERROR, "tstore: %s: %s", p, strerror(errno));
	}
	return fd;
}

static bool load(const ts *t, const char *name, line *l)
{
	char p[800];
	snprintf(p, sizeof p, "%s/%s", t->dir, name);
	FILE *f = fopen(p, "re");
	if (!f)
		return false;
	memset(l, 0, sizeof *l);
	int n = fscanf(f, "%63s %" SCNd64 " %255s %" SCNd64 " %" SCNu64 " %39s %23s %" SCNd64 " %" SCNd64 " %64s",
		       l->user, &l->uid, l->host, &l->pid, &l->start, l->boot, l->pidns, &l->taken, &l->expiry, l->sha);
	fclose(f);
	return n == 10;
}

static int store(const ts *t, const char *name, const line *l, otto_error *err)
{
	char p[800];
	snprintf(p, sizeof p, "%s/%s", t->dir, name);
	FILE *f = fopen(p, "we");
	if (!f)
		return otto_error_set(err, OTTO_ERROR, "tstore: %s: %s", p, strerror(errno));
	fprintf(f, "%s %" PRId64 " %s %" PRId64 " %" PRIu64 " %s %s %" PRId64 " %" PRId64 " %s\n", l->user, l->uid, l->host,
		l->pid, l->start, l->boot, l->pidns, l->taken, l->expiry, l->sha);
	return fclose(f) == 0 ? OTTO_OK : otto_error_set(err, OTTO_ERROR, "tstore: writing %s failed", p);
}

/* Held while unexpired; without expiry, held (this store cannot tell death). */
static otto_lock_state state_of(const line *l, int64_t now)
{
	return l->expiry && l->expiry <= now ? OTTO_LOCK_EXPIRED : OTTO_LOCK_HELD;
}

static int report(otto_lock_out *out, const char *name, const line *l, otto_lock_state st, otto_error *err)
{
	otto_lock_record r = OTTO_LOCK_RECORD_INIT;
	r.name = name;
	r.state = st;
	if (l) {
		r.user = l->user;
		r.uid = l->uid;
		r.host = l->host;
		r.pid = l->pid;
		r.taken = l->taken;
		r.expiry = l->expiry;
	}
	return otto_lock_out_add(out, &r, err);
}

static bool owns(const otto_lock_claim *c, const line *l)
{
	return (c->held_sha256[0] && strcmp(c->held_sha256, l->sha) == 0) ||
	       (c->given_sha256[0] && strcmp(c->given_sha256, l->sha) == 0) ||
	       (l->uid == c->holder->uid && l->pid == c->holder->pid && l->start == c->holder->pid_start &&
		strcmp(l->host, c->holder->host) == 0);
}

static int ts_acquire(void *self, const otto_lock_claim *c, uint32_t *outcome, otto_lock_out *info, otto_error *err)
{
	const ts *t = self;
	line l, mine;
	*outcome = 0;
	if (strncmp(c->name, "err-", 4) == 0)
		return otto_error_set(err, OTTO_ERROR, "tstore: the store is down");
	if (strncmp(c->name, "bad-", 4) == 0)
		return report(info, "other", NULL, OTTO_LOCK_HELD, err);
	if (strncmp(c->name, "crash-", 6) == 0)
		abort(); /* in its worker: otto must survive and say so */
	int fd = guard(t, err);
	if (fd < 0)
		return OTTO_ERROR;
	int rc = OTTO_OK;
	bool have = load(t, c->name, &l);
	if (have && c->held_sha256[0] && strcmp(l.sha, c->held_sha256) == 0) {
		*outcome = OTTO_LOCK_ALREADY;
	} else if (have && state_of(&l, c->now) == OTTO_LOCK_HELD && !owns(c, &l) && !(c->flags & OTTO_LOCK_CLAIM_FORCE)) {
		*outcome = OTTO_LOCK_REFUSED;
		rc = report(info, c->name, &l, OTTO_LOCK_HELD, err);
	} else {
		if (have && (c->flags & OTTO_LOCK_CLAIM_FORCE))
			rc = report(info, c->name, &l, state_of(&l, c->now), err);
		memset(&mine, 0, sizeof mine);
		snprintf(mine.user, sizeof mine.user, "%s", c->holder->user);
		snprintf(mine.host, sizeof mine.host, "%s", c->holder->host);
		snprintf(mine.boot, sizeof mine.boot, "%s", c->holder->boot_id[0] ? c->holder->boot_id : "-");
		snprintf(mine.pidns, sizeof mine.pidns, "%s", c->holder->pidns[0] ? c->holder->pidns : "-");
		snprintf(mine.sha, sizeof mine.sha, "%s", c->new_sha256);
		mine.uid = c->holder->uid;
		mine.pid = c->holder->pid;
		mine.start = c->holder->pid_start;
		mine.taken = c->now;
		mine.expiry = c->expiry_seconds ? c->now + c->expiry_seconds : 0;
		if (rc == OTTO_OK)
			rc = store(t, c->name, &mine, err);
		/* The new lock last, as the ABI asks (its fence: none here). */
		if (rc == OTTO_OK)
			rc = report(info, c->name, &mine, OTTO_LOCK_HELD, err);
		if (rc == OTTO_OK)
			*outcome = OTTO_LOCK_TAKEN;
	}
	close(fd);
	return rc;
}

static int ts_release(void *self, const otto_lock_claim *c, otto_lock_out *released, otto_error *err)
{
	const ts *t = self;
	line l;
	int fd = guard(t, err);
	if (fd < 0)
		return OTTO_ERROR;
	int rc = OTTO_OK;
	if (!load(t, c->name, &l))
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held", c->name);
	else if (!owns(c, &l) && !(c->flags & OTTO_LOCK_CLAIM_FORCE) && state_of(&l, c->now) == OTTO_LOCK_HELD)
		rc = otto_error_set(err, OTTO_ERROR, "lock '%s' is held by %s (pid %" PRId64 " on %s)", c->name, l.user,
				    l.pid, l.host);
	else {
		char p[800];
		snprintf(p, sizeof p, "%s/%s", t->dir, c->name);
		rc = report(released, c->name, &l, state_of(&l, c->now), err);
		if (rc == OTTO_OK && unlink(p) != 0)
			rc = otto_error_set(err, OTTO_ERROR, "tstore: %s: %s", p, strerror(errno));
	}
	close(fd);
	return rc;
}

static int ts_get(void *self, const otto_lock_claim *c, otto_lock_out *out, otto_error *err)
{
	line l;
	if (strncmp(c->name, "err-", 4) == 0)
		return otto_error_set(err, OTTO_ERROR, "tstore: the store is down");
	if (strncmp(c->name, "bad-", 4) == 0)
		return report(out, "other", NULL, OTTO_LOCK_HELD, err);
	if (!load(self, c->name, &l))
		return report(out, c->name, NULL, OTTO_LOCK_FREE, err);
	return report(out, c->name, &l, state_of(&l, c->now), err);
}

#ifndef TSTORE_NO_RENEW
/* A lease renewed under the store's guard, only while it is the
 * claimant's (its held token) and unexpired. */
static int ts_renew(void *self, const otto_lock_claim *c, otto_lock_out *renewed, otto_error *err)
{
	const ts *t = self;
	line l;
	int fd = guard(t, err);
	if (fd < 0)
		return OTTO_ERROR;
	int rc = OTTO_OK;
	if (!load(t, c->name, &l))
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held", c->name);
	else if (strcmp(l.sha, c->held_sha256) != 0 || state_of(&l, c->now) != OTTO_LOCK_HELD)
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not yours any more (held by %s)", c->name, l.user);
	else {
		l.expiry = c->now + c->expiry_seconds;
		rc = store(t, c->name, &l, err);
		if (rc == OTTO_OK)
			rc = report(renewed, c->name, &l, OTTO_LOCK_HELD, err);
	}
	close(fd);
	return rc;
}
#endif

#ifndef TSTORE_NO_LIST
static int ts_list(void *self, const otto_lock_claim *c, otto_lock_out *out, otto_error *err)
{
	const ts *t = self;
	char p[600];
	/* The names come from a "names" file the test writes: no readdir
	 * needed to show the contract. */
	snprintf(p, sizeof p, "%s/names", t->dir);
	FILE *f = fopen(p, "re");
	char name[160];
	int rc = OTTO_OK;
	if (!f)
		return OTTO_OK;
	while (rc == OTTO_OK && fscanf(f, "%159s", name) == 1) {
		line l;
		if (strncmp(name, "err-", 4) == 0)
			rc = otto_error_set(err, OTTO_ERROR, "tstore: the store is down");
		else if (load(t, name, &l))
			rc = report(out, name, &l, state_of(&l, c->now), err);
	}
	fclose(f);
	return rc;
}

#endif

static const otto_setting_decl TS_KEYS[] = {{NULL, 0, 0, NULL}};

static const otto_lock_store_type TSTORE = {
	.struct_size = sizeof(otto_lock_store_type),
	.name = "tstore",
	.description = "test lock store: one file per lock under [locks] url",
	.create = ts_create,
	.destroy = ts_destroy,
	.where = ts_where,
	.acquire = ts_acquire,
	.release = ts_release,
	.get = ts_get,
#ifndef TSTORE_NO_LIST
	.list = ts_list,
#endif
	.settings_keys = TS_KEYS,
#ifndef TSTORE_NO_RENEW
	.renew = ts_renew,
#endif
};

static int register_tstore(otto_registrar *reg, otto_error *err)
{
	return otto_register_lock_store(reg, &TSTORE, err);
}

OTTO_PLUGIN_DEFINE("tstore", "0.1.0", "a test lock store", register_tstore);
