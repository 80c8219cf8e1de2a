/*
 * A lock store a plugin provides (ABI 1.2, otto_lock_store_type), behind
 * the lock manager's store ops: [locks] store = "<name>". The manager keeps
 * what every store shares (the holder, the held list, the release token,
 * the sorted all-or-nothing acquire and its deadline); the plugin does one
 * name at a time, atomically in its own store. Every call goes through the
 * same bracket as a backend call (otto__call_*), so a plugin's status and
 * message read "lock store backend '<name>': ...", and every record it
 * hands back is checked before the manager believes it: a name that is not
 * the one asked, a state outside the enum or a missing answer fails the
 * call (fail closed: never "free" because the store said nothing).
 */
#include "backends/backends.h"
#include "locks/locks.h"
#include "registry/registry.h"
#include "util/util.h"

#include <stdlib.h>

#define KIND "lock store"

typedef struct plugin_store {
	otto__backend_handle h; /* the instance, in a worker or in this process */
	otto_lock_store_type t;
	char *where;
	otto_lock_holder holder;
} plugin_store;

/* An out-object that copies the records a call adds, checked. */
typedef struct record_out {
	otto_lock_out base;
	otto__call *call;
	const char *want_name; /* NULL: any valid name (list) */
	otto_lock_info *items;
	size_t count, cap;
} record_out;

static int record_add(otto_lock_out *out, const otto_lock_record *r, otto_error *err)
{
	record_out *o = (record_out *)out;
	if (!r || r->struct_size < offsetof(otto_lock_record, expiry) + sizeof r->expiry)
		return otto__call_fail(o->call, err, "added a lock record that is NULL or too small");
	if (!r->name || !otto__lock_name_valid(r->name))
		return otto__call_fail(o->call, err, "added a lock record without a valid lock name");
	if (o->want_name && strcmp(r->name, o->want_name) != 0)
		return otto__call_fail(o->call, err, "was asked about lock '%s' and answered about another", o->want_name);
	if ((unsigned)r->state > OTTO_LOCK_CORRUPT)
		return otto__call_fail(o->call, err, "gave lock '%s' the unknown state %d", r->name, (int)r->state);
	if (o->count == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 8;
		o->items = otto__realloc(o->items, o->cap * sizeof *o->items);
	}
	otto_lock_info *i = &o->items[o->count++];
	memset(i, 0, sizeof *i);
	i->name = otto__strdup(r->name);
	i->state = r->state;
	i->problem = r->problem ? otto__strdup(r->problem) : NULL;
	if (r->state == OTTO_LOCK_CORRUPT && !i->problem)
		i->problem = otto__strdup("the store reports it corrupt");
	i->user = otto__strdup(r->user ? r->user : "");
	i->uid = r->uid;
	i->host = otto__strdup(r->host ? r->host : "");
	i->pid = r->pid;
	i->taken = r->taken;
	i->expiry = r->expiry;
	i->path = r->where ? otto__strdup(r->where) : NULL;
	i->fence = r->struct_size >= offsetof(otto_lock_record, fence) + sizeof r->fence ? r->fence : 0;
	return OTTO_OK;
}

static const otto_lock_out_ops record_ops = {sizeof(otto_lock_out_ops), record_add};

static void record_out_init(record_out *o, otto__call *call, const char *want_name)
{
	memset(o, 0, sizeof *o);
	o->base.ops = &record_ops;
	o->call = call;
	o->want_name = want_name;
}

static void record_out_clear(record_out *o)
{
	for (size_t i = 0; i < o->count; i++)
		otto_lock_info_clear(&o->items[i]);
	free(o->items);
	o->items = NULL;
	o->count = o->cap = 0;
}

/* Hand record `index` to `info` (optional), free the rest. */
static void record_out_take(record_out *o, size_t index, otto_lock_info *info)
{
	if (info && index < o->count) {
		*info = o->items[index];
		memset(&o->items[index], 0, sizeof o->items[index]);
	}
	record_out_clear(o);
}

static void record_out_take_first(record_out *o, otto_lock_info *info)
{
	record_out_take(o, 0, info);
}

static otto_lock_claim claim_of(const plugin_store *s, const char *name, const otto__lock_claim *c,
				const otto__lock_eval *ev)
{
	otto_lock_claim out;
	memset(&out, 0, sizeof out);
	out.struct_size = sizeof out;
	out.name = name;
	out.holder = &s->holder;
	out.new_sha256 = c && c->new_hash ? c->new_hash : "";
	out.held_sha256 = c && c->held_hash ? c->held_hash : "";
	out.given_sha256 = c && c->given_hash ? c->given_hash : "";
	out.expiry_seconds = c ? c->expiry_seconds : 0;
	out.flags = c && (c->flags & OTTO_LOCK_FORCE) ? OTTO_LOCK_CLAIM_FORCE : 0;
	out.check_pid = ev->check_pid;
	out.now = ev->now;
	return out;
}

int otto__lock_store_plugin_open(void **out, const otto_lock_options *opts, const otto__lock_holder *holder,
				 otto_error *err)
{
	*out = NULL;
	if (!opts->registry)
		return otto_error_set(err, OTTO_EINVALID,
				      "lock store '%s' is provided by a plugin: the lock manager needs a registry to "
				      "find it",
				      opts->store);
	otto_config config = {.struct_size = sizeof config, .url = opts->url};
	otto__backend_handle h = {0};
	otto_lock_store_type t = {0};
	int rc;
	if (otto__backend_handle_in_worker(opts->registry, OTTO_KIND_LOCK_STORE, opts->store)) {
		/* As every backend from a plugin file: in its own worker. */
		rc = otto__backend_handle_open_remote(&h, opts->registry, OTTO_KIND_LOCK_STORE, opts->store, &config,
						      err);
		t = otto__remote_lock_store_type;
		if (rc == OTTO_OK && !(otto__remote_caps(h.remote) & OTTO__CAP_PREPARE))
			t.prepare = NULL;
	} else {
		const otto_lock_store_type *type = NULL;
		rc = otto__registry_lock_store_type(opts->registry, opts->store, &type, err);
		if (rc == OTTO_OK) {
			t = *type;
			rc = otto__backend_handle_create(
			    &h, OTTO_KIND_LOCK_STORE, opts->store,
			    otto__registry_plugin_path(opts->registry, OTTO_KIND_LOCK_STORE, opts->store), t.create,
			    &config, err);
		}
	}
	if (rc != OTTO_OK)
		return rc;
	plugin_store *s = otto__calloc(1, sizeof *s);
	s->h = h;
	s->t = t;
	if (holder)
		s->holder = (otto_lock_holder){.struct_size = sizeof s->holder,
					       .user = holder->user,
					       .uid = (int64_t)holder->uid,
					       .host = holder->here.host,
					       .pid = (int64_t)holder->pid,
					       .pid_start = holder->pid_start,
					       .boot_id = holder->here.boot_id,
					       .pidns = holder->here.pidns};
	else /* otto_lock_store_prepare: no claims are made */
		s->holder = (otto_lock_holder){.struct_size = sizeof s->holder, .user = "", .uid = -1, .host = "",
					       .boot_id = "", .pidns = ""};
	otto__call_mark mark;
	otto__call_mark_begin(&mark, KIND, s->h.name, s->h.plugin_path, "where");
	const char *where = s->t.where(s->h.self);
	otto__call_mark_end(&mark);
	s->where = otto__asprintf("lock store '%s' (%s)", s->h.name, where ? where : "?");
	*out = s;
	return OTTO_OK;
}

static int plugin_open(void **store, const char *where, const otto__lock_holder *holder, bool no_sync,
		       otto_error *err)
{
	(void)where;
	(void)holder;
	(void)no_sync;
	*store = NULL;
	return otto_error_set(err, OTTO_EINVALID, "a plugin's lock store is opened by name and registry");
}

static void plugin_close(void *store)
{
	plugin_store *s = store;
	if (!s)
		return;
	/* A worker's failure there was the answer of the call it happened in. */
	otto_error err;
	(void)otto__backend_handle_close(&s->h, s->t.destroy, &err);
	free(s->where);
	free(s);
}

static const char *plugin_where(const void *store)
{
	return ((const plugin_store *)store)->where;
}

/* One store operation: the claim it is given, its call bracket (the
 * in-progress record, the plugin's error) and the records it hands back.
 * Every operation begins and ends the same way; only what it checks in
 * between differs. */
typedef struct store_call {
	otto_lock_claim claim;
	otto__call call;
	record_out records;
} store_call;

/* Ready the claim (about `name`, NULL for list) and the out-object, then
 * open the bracket: what follows is the plugin's function. */
static void begin_store_call(store_call *sc, const plugin_store *s, const char *op, const char *name,
			     const otto__lock_claim *claim, const otto__lock_eval *ev)
{
	sc->claim = claim_of(s, name, claim, ev);
	otto__call_init(&sc->call, KIND, s->h.name, s->h.plugin_path, op);
	record_out_init(&sc->records, &sc->call, name);
	otto__call_begin(&sc->call);
}

/* Close the bracket and turn the plugin's status into the host's answer
 * (otto__call_result); on failure the records are dropped. */
static int end_store_call(store_call *sc, int status, bool notfound_ok, int failure_code, otto_error *err)
{
	otto__call_end(&sc->call);
	int rc = otto__call_result(&sc->call, status, notfound_ok, failure_code, err);
	if (rc != OTTO_OK)
		record_out_clear(&sc->records);
	return rc;
}

/* A check after a successful call failed: the records are not believed. */
static int refuse_store_call(store_call *sc, int rc)
{
	record_out_clear(&sc->records);
	return rc;
}

static int plugin_acquire(void *store, const char *name, const otto__lock_claim *claim, otto__take *took,
			  otto_lock_info *info, otto_error *err)
{
	plugin_store *s = store;
	uint32_t outcome = 0;
	store_call sc;
	*took = OTTO__TAKE_REFUSED;
	if (info)
		memset(info, 0, sizeof *info);
	begin_store_call(&sc, s, "acquire", name, claim, &claim->ev);
	int status = s->t.acquire(s->h.self, &sc.claim, &outcome, &sc.records.base, &sc.call.plugin_err);
	int rc = end_store_call(&sc, status, false, OTTO_ERROR, err);
	if (rc != OTTO_OK)
		return rc;
	if (outcome < OTTO_LOCK_TAKEN || outcome > OTTO_LOCK_REFUSED)
		return refuse_store_call(&sc, otto_error_set(err, OTTO_EPLUGIN,
							     "lock store backend '%s': acquire of '%s' gave no "
							     "outcome (%u)",
							     s->h.name, name, outcome));
	record_out *o = &sc.records;
	if (outcome == OTTO_LOCK_REFUSED && o->count == 0)
		return refuse_store_call(&sc, otto_error_set(err, OTTO_EPLUGIN,
							     "lock store backend '%s': acquire of '%s' was refused "
							     "without naming the lock in the way",
							     s->h.name, name));
	*took = outcome == OTTO_LOCK_TAKEN ? OTTO__TAKE_TAKEN
		: outcome == OTTO_LOCK_ALREADY ? OTTO__TAKE_ALREADY
					       : OTTO__TAKE_REFUSED;
	/* TAKEN: the new lock comes last, after the one broken by force. Its
	 * fence goes to the manager through claim->granted_fence. */
	if (outcome == OTTO_LOCK_TAKEN && o->count > 0 && claim->granted_fence)
		*claim->granted_fence = o->items[o->count - 1].fence;
	if (outcome == OTTO_LOCK_TAKEN && o->count < 2)
		record_out_clear(o); /* only the new lock: nothing was broken */
	else
		record_out_take_first(o, info);
	return OTTO_OK;
}

static int plugin_release(void *store, const char *name, const otto__lock_claim *claim, otto_lock_info *broken,
			  otto_error *err)
{
	plugin_store *s = store;
	store_call sc;
	if (broken)
		memset(broken, 0, sizeof *broken);
	begin_store_call(&sc, s, "release", name, claim, &claim->ev);
	int status = s->t.release(s->h.self, &sc.claim, &sc.records.base, &sc.call.plugin_err);
	int rc = end_store_call(&sc, status, true, OTTO_ERROR, err);
	if (rc == OTTO_OK)
		record_out_take_first(&sc.records, broken);
	return rc;
}

static int plugin_renew(void *store, const char *name, const otto__lock_claim *claim, otto_lock_info *renewed,
			otto_error *err)
{
	plugin_store *s = store;
	store_call sc;
	if (renewed)
		memset(renewed, 0, sizeof *renewed);
	begin_store_call(&sc, s, "renew", name, claim, &claim->ev);
	int status = otto_lock_store_renew(&s->t, s->h.self, &sc.claim, &sc.records.base, &sc.call.plugin_err);
	/* The store's own code: OTTO_ERROR "not yours any more" must stay
	 * apart from OTTO_EIO "cannot tell now" (the manager forgets only the
	 * first). */
	int rc = end_store_call(&sc, status, true, 0, err);
	if (rc == OTTO_OK)
		record_out_take_first(&sc.records, renewed);
	return rc;
}

static int plugin_get(void *store, const char *name, const otto__lock_eval *ev, otto_lock_info *out,
		      otto_error *err)
{
	plugin_store *s = store;
	store_call sc;
	memset(out, 0, sizeof *out);
	begin_store_call(&sc, s, "get", name, NULL, ev);
	int status = s->t.get(s->h.self, &sc.claim, &sc.records.base, &sc.call.plugin_err);
	int rc = end_store_call(&sc, status, false, OTTO_ERROR, err);
	if (rc != OTTO_OK)
		return rc;
	if (sc.records.count != 1)
		return refuse_store_call(&sc, otto_error_set(err, OTTO_EPLUGIN,
							     "lock store backend '%s': get of '%s' gave %zu records; "
							     "it must give exactly one",
							     s->h.name, name, sc.records.count));
	record_out_take_first(&sc.records, out);
	return OTTO_OK;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const otto_lock_info *)a)->name, ((const otto_lock_info *)b)->name);
}

static int plugin_list(void *store, const otto__lock_eval *ev, otto_lock_list *out, otto_error *err)
{
	plugin_store *s = store;
	store_call sc;
	out->count = 0;
	out->items = NULL;
	begin_store_call(&sc, s, "list", NULL, NULL, ev);
	int status = s->t.list(s->h.self, &sc.claim, &sc.records.base, &sc.call.plugin_err);
	int rc = end_store_call(&sc, status, false, OTTO_ERROR, err);
	if (rc != OTTO_OK)
		return rc;
	record_out o = sc.records;
	/* Sorted here, whatever the store's order; free locks dropped. */
	size_t kept = 0;
	for (size_t i = 0; i < o.count; i++) {
		if (o.items[i].state == OTTO_LOCK_FREE)
			otto_lock_info_clear(&o.items[i]);
		else
			o.items[kept++] = o.items[i];
	}
	if (kept > 1)
		qsort(o.items, kept, sizeof *o.items, by_name);
	out->count = kept;
	out->items = kept ? o.items : NULL;
	if (!kept)
		free(o.items);
	return OTTO_OK;
}

const otto__lock_store_ops otto__lock_store_plugin = {
    .name = "plugin",
    .open = plugin_open,
    .close = plugin_close,
    .where = plugin_where,
    .acquire = plugin_acquire,
    .release = plugin_release,
    .get = plugin_get,
    .list = plugin_list,
    .renew = plugin_renew,
    .wait = NULL,
};

OTTO_API int otto_lock_store_prepare(const otto_lock_options *opts, otto_strlist *done, otto_error *err)
{
	done->count = 0;
	done->items = NULL;
	if (!opts)
		return otto_error_set(err, OTTO_EINVALID, "preparing a lock store needs its options");
	if (!opts->store || strcmp(opts->store, "files") == 0)
		return otto_error_set(err, OTTO_ENOTSUPPORTED,
				      "lock store 'files' (the lock folder) has nothing to prepare: it is created on "
				      "first use");
	void *store = NULL;
	int rc = otto__lock_store_plugin_open(&store, opts, NULL, err);
	if (rc != OTTO_OK)
		return rc;
	plugin_store *s = store;
	if (!s->t.prepare) {
		rc = otto_error_set(err, OTTO_ENOTSUPPORTED, "lock store '%s' has nothing to prepare", s->h.name);
	} else {
		otto__call call;
		otto__string_collector c;
		otto__call_init(&call, KIND, s->h.name, s->h.plugin_path, "prepare");
		otto__string_collector_init(&c, &call);
		otto__call_begin(&call);
		int status = s->t.prepare(s->h.self, &c.out, &call.plugin_err);
		otto__call_end(&call);
		rc = otto__call_result(&call, status, false, OTTO_ERROR, err);
		if (rc == OTTO_OK)
			*done = c.list;
		else
			otto_strlist_free(&c.list);
	}
	plugin_close(store);
	return rc;
}
