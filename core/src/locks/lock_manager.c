/*
 * The lock manager: what every lock store shares (locks.h). It knows who
 * the holder is (a process, identified by PID, start time, boot and PID
 * namespace, and the user that owns its records), remembers what it holds
 * and under which token, takes several names all or none in one sorted
 * order (so two waiters never hold a part each), and waits, within the
 * caller's deadline, through the store's own wait. The store does the rest,
 * one name at a time.
 */
#include "locks/locks.h"
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct held_lock {
	char *name;
	char hash[65]; /* the token hash of the record this manager holds */
	uint64_t fence; /* the grant's fencing token; 0 none */
} held_lock;

struct otto_lock_manager {
	const otto__lock_store_ops *ops;
	void *store;
	otto__lock_holder holder;
	bool check_pid;
	otto_lock_clock_fn clock;
	void *clock_ctx;
	char token[33], token_hash[65]; /* written into every record this manager makes */
	char given_hash[65];            /* options.token's hash; "" none */
	held_lock *held;
	size_t n_held, cap_held;
};

static int64_t now(const otto_lock_manager *m)
{
	return m->clock ? m->clock(m->clock_ctx) : (int64_t)time(NULL);
}

static otto__lock_eval eval_of(const otto_lock_manager *m)
{
	return otto__lock_eval_of(&m->holder.here, m->check_pid, now(m));
}

/* Who the manager takes locks for; OTTO_EINVALID saying what is wrong. */
static int holder_init(otto__lock_holder *h, const otto_lock_options *opts, otto_error *err)
{
	memset(h, 0, sizeof *h);
	h->uid = geteuid();
	otto__user_name_of(h->uid, h->user, sizeof h->user);
	/* The record's user is the name of the uid that owns its file: the
	 * one thing a reader can check. Any other name would be a claim. */
	if (opts->user && strcmp(opts->user, h->user) != 0)
		return otto_error_set(err, OTTO_EINVALID,
				      "locks are recorded under the user who owns their files (%s); cannot take them as "
				      "'%s'",
				      h->user, opts->user);
	h->pid = opts->holder_pid ? opts->holder_pid : getpid();
	if (h->pid == 1 && getpid() != 1)
		return otto_error_set(err, OTTO_EINVALID,
				      "process 1 (init) cannot hold a lock: it never exits, so its locks would never "
				      "free up");
	int rc = otto__proc_start_time(h->pid, &h->pid_start);
	if (rc != 0)
		return otto_error_set(err, OTTO_EINVALID, "cannot read the start time of holder process %ld from /proc: %s",
				      (long)h->pid, strerror(-rc));
	otto__lock_here_read(&h->here);
	return OTTO_OK;
}

OTTO_API int otto_lock_manager_new(otto_lock_manager **out, const otto_lock_options *opts, otto_error *err)
{
	otto_lock_options defaults;
	otto_lock_manager *m;
	int rc;

	*out = NULL;
	if (!opts) {
		otto_lock_options_init(&defaults);
		opts = &defaults;
	}
	m = otto__calloc(1, sizeof *m);
	m->ops = &otto__lock_store_folder;
	m->check_pid = opts->check_pid;
	m->clock = opts->clock;
	m->clock_ctx = opts->clock_ctx;
	if ((rc = holder_init(&m->holder, opts, err)) != OTTO_OK)
		goto fail;
	if (opts->token) {
		if (!otto__lock_token_valid(opts->token)) {
			rc = otto_error_set(err, OTTO_EINVALID,
					    "'%s' is not a lock token (32 lower-case hex digits, as acquire prints them)",
					    opts->token);
			goto fail;
		}
		otto__lock_token_hash(opts->token, m->given_hash);
	}
	if ((rc = otto__lock_token_new(m->token, m->token_hash, err)) != OTTO_OK)
		goto fail;
	if (opts->store && strcmp(opts->store, "files") != 0) {
		m->ops = &otto__lock_store_plugin;
		rc = otto__lock_store_plugin_open(&m->store, opts, &m->holder, err);
	} else {
		rc = m->ops->open(&m->store, opts->dir ? opts->dir : OTTO_LOCK_DEFAULT_DIR, &m->holder, opts->no_sync,
				  err);
	}
	if (rc != OTTO_OK)
		goto fail;
	*out = m;
	return OTTO_OK;
fail:
	free(m);
	return rc;
}

OTTO_API const char *otto_lock_manager_dir(const otto_lock_manager *m)
{
	return m->ops->where(m->store);
}

OTTO_API const char *otto_lock_manager_token(const otto_lock_manager *m)
{
	return m->token;
}

static void forget_all(otto_lock_manager *m)
{
	for (size_t i = 0; i < m->n_held; i++)
		free(m->held[i].name);
	free(m->held);
	m->held = NULL;
	m->n_held = m->cap_held = 0;
}

OTTO_API void otto_lock_manager_detach(otto_lock_manager *m)
{
	if (m)
		forget_all(m);
}

OTTO_API void otto_lock_manager_free(otto_lock_manager *m)
{
	if (!m)
		return;
	otto_lock_manager_release_all(m, NULL);
	forget_all(m);
	m->ops->close(m->store);
	free(m);
}

/* ---------------------------------------------------------- held list -- */

static held_lock *find_held(otto_lock_manager *m, const char *name)
{
	for (size_t i = 0; i < m->n_held; i++)
		if (strcmp(m->held[i].name, name) == 0)
			return &m->held[i];
	return NULL;
}

static void remember(otto_lock_manager *m, const char *name, uint64_t fence)
{
	held_lock *h = find_held(m, name);
	if (!h) {
		if (m->n_held == m->cap_held) {
			m->cap_held = m->cap_held ? m->cap_held * 2 : 4;
			m->held = otto__realloc(m->held, m->cap_held * sizeof *m->held);
		}
		h = &m->held[m->n_held++];
		h->name = otto__strdup(name);
	}
	memcpy(h->hash, m->token_hash, sizeof h->hash);
	h->fence = fence;
}

static void forget(otto_lock_manager *m, const char *name)
{
	held_lock *h = find_held(m, name);
	if (!h)
		return;
	free(h->name);
	*h = m->held[--m->n_held];
}

static otto__lock_claim claim_for(otto_lock_manager *m, const char *name, unsigned flags, int64_t deadline_ms)
{
	const held_lock *h = find_held(m, name);
	otto__lock_claim c = {
		.holder = &m->holder,
		.new_hash = m->token_hash,
		.held_hash = h ? h->hash : "",
		.given_hash = m->given_hash,
		.flags = flags,
		.deadline_ms = deadline_ms,
		.ev = eval_of(m),
	};
	return c;
}

/* The store's own exclusion is waited for until the caller's deadline, and
 * never less than the grace period. */
static int64_t guard_deadline(int64_t deadline_ms)
{
	int64_t floor = otto__monotonic_ms() + OTTO__LOCK_GUARD_GRACE_MS;
	return deadline_ms > floor ? deadline_ms : floor;
}

static int check_name(const char *name, otto_error *err)
{
	if (!otto__lock_name_valid(name))
		return otto_error_set(err, OTTO_EINVALID,
				      "invalid lock name '%s': use 1 to %d of the characters A-Z a-z 0-9 . _ - : @ +, "
				      "not starting with '.'",
				      name ? name : "", OTTO__LOCK_NAME_MAX);
	return OTTO_OK;
}

/* ------------------------------------------------------------ acquire -- */

static int acquire_one(otto_lock_manager *m, const char *name, int64_t expiry_seconds, unsigned flags,
		       int64_t deadline_ms, bool *acquired, otto_lock_info *holder, otto_error *err)
{
	otto__lock_claim c = claim_for(m, name, flags, guard_deadline(deadline_ms));
	otto__take took;
	uint64_t fence = 0;
	int rc;
	c.expiry_seconds = expiry_seconds;
	c.granted_fence = &fence;
	rc = m->ops->acquire(m->store, name, &c, &took, holder, err);
	*acquired = rc == OTTO_OK && took != OTTO__TAKE_REFUSED;
	if (rc == OTTO_OK && took == OTTO__TAKE_TAKEN)
		remember(m, name, fence);
	return rc;
}

OTTO_API int otto_lock_manager_acquire(otto_lock_manager *m, const char *name, int64_t expiry_seconds,
				       unsigned flags, bool *acquired, otto_lock_info *holder, otto_error *err)
{
	int rc;
	*acquired = false;
	if (holder)
		memset(holder, 0, sizeof *holder);
	if ((rc = check_name(name, err)) != OTTO_OK)
		return rc;
	if (expiry_seconds < 0)
		return otto_error_set(err, OTTO_EINVALID, "negative expiry for lock '%s'", name);
	return acquire_one(m, name, expiry_seconds, flags, otto__monotonic_ms(), acquired, holder, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

OTTO_API int otto_lock_manager_acquire_all(otto_lock_manager *m, const char *const *names, size_t count,
					   int64_t expiry_seconds, unsigned flags, int64_t wait_ms, bool *acquired,
					   otto_lock_info *holder, otto_error *err)
{
	const char **sorted = otto__calloc(count ? count : 1, sizeof *sorted);
	bool *fresh = otto__calloc(count ? count : 1, sizeof *fresh);
	int64_t deadline = otto__monotonic_ms() + (wait_ms > 0 ? wait_ms : 0);
	size_t n = 0;
	int rc = OTTO_OK;

	*acquired = false;
	if (holder)
		memset(holder, 0, sizeof *holder);
	if (expiry_seconds < 0) {
		rc = otto_error_set(err, OTTO_EINVALID, "negative expiry for locks");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		if ((rc = check_name(names[i], err)) != OTTO_OK)
			goto out;
		sorted[i] = names[i];
	}
	/* One order for everybody, so that two waiters never hold a part each. */
	qsort(sorted, count, sizeof *sorted, cmp_str);
	for (size_t i = 0; i < count; i++)
		if (n == 0 || strcmp(sorted[i], sorted[n - 1]) != 0)
			sorted[n++] = sorted[i];
	for (;;) {
		size_t i;
		bool got = true;
		for (i = 0; i < n && got; i++) {
			fresh[i] = find_held(m, sorted[i]) == NULL;
			otto_lock_info_clear(holder);
			rc = acquire_one(m, sorted[i], expiry_seconds, flags, deadline, &got, holder, err);
			if (rc != OTTO_OK)
				got = false;
		}
		if (got) {
			*acquired = true;
			goto out;
		}
		/* Give back what this attempt took, but not what was held before. */
		for (size_t j = 0; j + 1 < i; j++)
			if (fresh[j])
				otto_lock_manager_release(m, sorted[j], 0, NULL, NULL);
		if (rc != OTTO_OK || otto__monotonic_ms() >= deadline)
			goto out;
		if (m->ops->wait) {
			otto__lock_eval ev = eval_of(m);
			m->ops->wait(m->store, sorted[i - 1], &ev, deadline);
		} else {
			/* A store that cannot wait for a change is asked again. */
			int64_t left = deadline - otto__monotonic_ms();
			struct timespec ts = {0, (left < 50 ? (left > 0 ? left : 0) : 50) * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
out:
	free(sorted);
	free(fresh);
	return rc;
}

/* ------------------------------------------------------------ release -- */

OTTO_API int otto_lock_manager_release(otto_lock_manager *m, const char *name, unsigned flags,
				       otto_lock_info *broken, otto_error *err)
{
	int rc;
	if (broken)
		memset(broken, 0, sizeof *broken);
	if ((rc = check_name(name, err)) != OTTO_OK)
		return rc;
	otto__lock_claim c = claim_for(m, name, flags, guard_deadline(otto__monotonic_ms()));
	rc = m->ops->release(m->store, name, &c, broken, err);
	/* Released, or not ours any more: either way not held by us now. A
	 * corrupt lock keeps its place in the list (a later --force). */
	if (rc == OTTO_OK || rc == OTTO_ENOTFOUND || c.held_hash[0])
		forget(m, name);
	return rc;
}

OTTO_API int otto_lock_manager_release_all(otto_lock_manager *m, otto_error *err)
{
	int first = OTTO_OK;
	while (m->n_held > 0) {
		char *name = otto__strdup(m->held[m->n_held - 1].name);
		otto_error e1;
		int rc = otto_lock_manager_release(m, name, 0, NULL, &e1);
		forget(m, name); /* even on failure: never loop */
		free(name);
		if (rc != OTTO_OK && first == OTTO_OK) {
			first = rc;
			if (err)
				*err = e1;
		}
	}
	return first;
}

/* ------------------------------------------------------------- leases -- */

OTTO_API int otto_lock_manager_renew(otto_lock_manager *m, int64_t expiry_seconds, otto_error *err)
{
	int first = OTTO_OK;
	if (expiry_seconds <= 0)
		return otto_error_set(err, OTTO_EINVALID, "a lease is renewed for a positive time, not %lld s",
				      (long long)expiry_seconds);
	if (m->n_held > 0 && !m->ops->renew)
		return otto_error_set(err, OTTO_EINVALID, "lock store %s cannot renew a lease", m->ops->where(m->store));
	for (size_t i = 0; i < m->n_held;) {
		char *name = otto__strdup(m->held[i].name);
		otto__lock_claim c = claim_for(m, name, 0, guard_deadline(otto__monotonic_ms()));
		otto_lock_info renewed;
		otto_error e1;
		c.expiry_seconds = expiry_seconds;
		int rc = m->ops->renew(m->store, name, &c, &renewed, &e1);
		otto_lock_info_clear(&renewed);
		/* Not ours any more: forget it, so that free() leaves the new
		 * holder alone. A store failure keeps it (it may still be ours). */
		if (rc == OTTO_ENOTFOUND)
			forget(m, name);
		else
			i++;
		free(name);
		if (rc != OTTO_OK && first == OTTO_OK) {
			first = rc;
			if (err)
				*err = e1;
		}
	}
	return first;
}

OTTO_API uint64_t otto_lock_manager_fence(const otto_lock_manager *m, const char *name)
{
	for (size_t i = 0; m && name && i < m->n_held; i++)
		if (strcmp(m->held[i].name, name) == 0)
			return m->held[i].fence;
	return 0;
}

/* ------------------------------------------------------------ reading -- */

OTTO_API int otto_lock_manager_get(otto_lock_manager *m, const char *name, otto_lock_info *out, otto_error *err)
{
	otto__lock_eval ev = eval_of(m);
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = check_name(name, err)) != OTTO_OK)
		return rc;
	return m->ops->get(m->store, name, &ev, out, err);
}

OTTO_API int otto_lock_manager_list(otto_lock_manager *m, otto_lock_list *out, otto_error *err)
{
	otto__lock_eval ev = eval_of(m);
	return m->ops->list(m->store, &ev, out, err);
}

OTTO_API void otto_lock_info_clear(otto_lock_info *info)
{
	if (!info)
		return;
	free(info->name);
	free(info->path);
	free(info->problem);
	free(info->user);
	free(info->host);
	memset(info, 0, sizeof *info);
}

OTTO_API void otto_lock_list_free(otto_lock_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		otto_lock_info_clear(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}
