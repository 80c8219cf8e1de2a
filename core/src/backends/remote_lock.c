/*
 * The lock store proxy: a host-side otto_lock_store_type whose calls ask
 * the worker (worker.h, "Lock stores") and replay the records it answers
 * into the lock manager's out-object, where they are checked as an
 * in-process store's would be (locks/lock_store_plugin.c). acquire's
 * outcome arrives as one LOCK_OUTCOME frame after the records.
 */
#include "backends/backends.h"

typedef struct lock_replay {
	otto__replay rp; /* first: the item callback gets it */
	uint32_t *outcome;
	bool outcome_seen;
} lock_replay;

static bool replay_locks(void *ud, const otto__frame *f, const char **why)
{
	lock_replay *lr = ud;
	otto__reader r;
	otto__reader_init(&r, f);
	if (f->type == OTTO__W_LOCK_OUTCOME) {
		uint32_t outcome = otto__get_u32(&r);
		if (!lr->outcome || lr->outcome_seen || !otto__reader_done(&r)) {
			*why = "an outcome where none belongs";
			return false;
		}
		*lr->outcome = outcome;
		lr->outcome_seen = true;
		return true;
	}
	if (f->type != OTTO__W_LOCKS || lr->outcome_seen) {
		*why = "items of another kind than this call answers";
		return false;
	}
	/* name, state, problem, user, uid, host, pid, taken, expiry, where, fence */
	uint32_t n = otto__get_count(&r, 4 + 4 + 4 + 4 + 8 + 4 + 8 + 8 + 8 + 4 + 8);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		otto_lock_record rec;
		otto__get_lock_record(&r, &rec);
		if (r.bad)
			break;
		if (!lr->rp.refused) {
			int rc = otto_lock_out_add(lr->rp.out, &rec, lr->rp.err);
			if (rc != OTTO_OK)
				lr->rp.refused = rc;
		}
	}
	if (!otto__reader_done(&r)) {
		*why = "a malformed batch of lock records";
		return false;
	}
	return true;
}

static int proxy_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	*self = NULL;
	return otto_error_set(err, OTTO_EINVALID, "the worker proxy is not created this way");
}

static void proxy_destroy(void *self)
{
	(void)self;
}

static const char *proxy_where(void *self)
{
	otto__remote *remote = self;
	otto__remote_request(remote, OTTO__W_LOCK_WHERE);
	otto_error err;
	otto__replay rp;
	otto__replay_init(&rp, remote, NULL, &err);
	int rc = otto__remote_call(remote, "where", otto__replay_strings, &rp);
	if (rc != OTTO_OK || rp.strings != 1 || !rp.string)
		return NULL;
	return otto__remote_keep_name(remote, rp.string);
}

static int lock_call(void *self, uint32_t type, const char *op, const otto_lock_claim *claim, uint32_t *outcome,
		     otto_lock_out *out, otto_error *err)
{
	otto__remote *remote = self;
	otto__put_lock_claim(otto__remote_request(remote, type), claim);
	lock_replay lr = {.outcome = outcome};
	otto__replay_init(&lr.rp, remote, out, err);
	return otto__remote_call(remote, op, replay_locks, &lr.rp);
}

static int proxy_acquire(void *self, const otto_lock_claim *claim, uint32_t *outcome, otto_lock_out *info,
			 otto_error *err)
{
	*outcome = 0;
	return lock_call(self, OTTO__W_LOCK_ACQUIRE, "acquire", claim, outcome, info, err);
}

static int proxy_release(void *self, const otto_lock_claim *claim, otto_lock_out *released, otto_error *err)
{
	return lock_call(self, OTTO__W_LOCK_RELEASE, "release", claim, NULL, released, err);
}

static int proxy_get(void *self, const otto_lock_claim *claim, otto_lock_out *out, otto_error *err)
{
	return lock_call(self, OTTO__W_LOCK_GET, "get", claim, NULL, out, err);
}

static int proxy_list(void *self, const otto_lock_claim *claim, otto_lock_out *out, otto_error *err)
{
	return lock_call(self, OTTO__W_LOCK_LIST, "list", claim, NULL, out, err);
}

static int proxy_prepare(void *self, otto_string_out *done, otto_error *err)
{
	otto__remote *remote = self;
	otto__remote_request(remote, OTTO__W_LOCK_PREPARE);
	otto__replay rp;
	otto__replay_init(&rp, remote, done, err);
	return otto__remote_call(remote, "prepare", otto__replay_strings, &rp);
}

/* The worker answers OTTO_EINVALID for a store without renew. */
static int proxy_renew(void *self, const otto_lock_claim *claim, otto_lock_out *renewed, otto_error *err)
{
	return lock_call(self, OTTO__W_LOCK_RENEW, "renew", claim, NULL, renewed, err);
}

const otto_lock_store_type otto__remote_lock_store_type = {
    .struct_size = sizeof(otto_lock_store_type),
    .name = "worker",
    .description = "a lock store in otto-worker",
    .create = proxy_create,
    .destroy = proxy_destroy,
    .where = proxy_where,
    .acquire = proxy_acquire,
    .release = proxy_release,
    .get = proxy_get,
    .list = proxy_list,
    .prepare = proxy_prepare,
    .renew = proxy_renew,
};
