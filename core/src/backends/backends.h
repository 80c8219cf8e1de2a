/*
 * The backends subsystem's one header, between the backend wrappers
 * (lab_repository.c, reservation_backend.c, and the part every backend
 * handle shares, backend_handle.c, which the lock store plugin uses too),
 * the out-objects that collect what a plugin hands back (lab_build.c,
 * backend_call.c) and the result releasers (results.c).
 */
#ifndef OTTO_BACKENDS_H
#define OTTO_BACKENDS_H

#include <otto/otto.h>

#include "worker/worker.h"

#include <stddef.h>

/* True when a plugin-made struct of `struct_size` bytes (an older ABI minor
 * may be shorter) holds `field` entirely. */
#define OTTO__HAS_FIELD(struct_size, type, field)                                                                      \
	((struct_size) >= offsetof(type, field) + sizeof(((type *)0)->field))

typedef struct otto__remote otto__remote;

/* What every backend handle holds besides its plugin type (lab repository,
 * reservation backend, a plugin's lock store; backend_handle.c): the
 * instance, the names its errors use, its worker. */
typedef struct otto__backend_handle {
	const char *kind; /* "lab", "reservation", "lock store": the "<kind> backend '<name>'" prefix */
	void *self; /* the plugin's instance; for a backend in a worker, `remote` */
	char *name;
	char *plugin_path; /* NULL: no plugin file (open_type, the lock view) */
	otto__remote *remote; /* its worker, or NULL in process */
} otto__backend_handle;

struct otto_lab_repository {
	otto__backend_handle h;
	/* A host-sized copy: fields past the plugin's struct_size are NULL. For
	 * a backend in a worker, the proxy type of remote_lab.c. */
	otto_lab_repository_type type;
};

struct otto_reservation_backend {
	otto__backend_handle h;
	otto_reservation_backend_type type; /* as above; remote_reservation.c's proxy */
};

/* ------------------------------------------------ backends in a worker -- */

/* Start a worker for backend `name` of `kind` (the registry's provider,
 * checked against its scan stamp), load the plugin there and create the
 * backend with `config` (through otto__backend_create_ctx, so create()'s
 * outcome reads exactly as in process). On success *remote is the handle
 * that the proxy types use as `self`. */
int otto__remote_open(otto__remote **remote, otto_registry *reg, otto_backend_kind kind, const char *name,
		      const otto_config *config, otto_error *err);

/* Destroy the backend in its worker and let the worker go. OTTO_OK, or the
 * first thing that went wrong with it in its whole life (a call it died
 * in, a crash in destroy, an unclean exit), as a backend error. Frees it. */
int otto__remote_close(otto__remote *remote, otto_error *err);

/* What the proxies need: the worker's capabilities (OTTO__CAP_*). */
uint32_t otto__remote_caps(const otto__remote *remote);

/* backend_name()'s answer must stay valid until destroy(): every distinct
 * answer is kept by the remote (conformance compares two of them). */
const char *otto__remote_keep_name(otto__remote *remote, const char *name);

/* A proxy's call: start the request (fields follow with otto__put_*). */
otto_buf *otto__remote_request(otto__remote *remote, uint32_t type);

/* Replaying answer items into the real out-object. `refused` is the
 * first status an out-object returned (0 while none); from then on items
 * are read but not replayed, as a plugin stops at the host's first error. */
typedef struct otto__replay {
	otto__remote *remote;
	void *out;
	otto_error *err; /* the plugin's err of the call, which the out-object fills */
	int refused;
	otto__item_scratch *scratch;
	size_t strings; /* BACKEND_NAME: strings received */
	const char *string; /* BACKEND_NAME: the one string */
} otto__replay;

void otto__replay_init(otto__replay *rp, otto__remote *remote, void *out, otto_error *err);
/* Item replayers (otto__worker_item_fn) for each kind of out-object. */
bool otto__replay_strings(void *ud, const otto__frame *f, const char **why);
bool otto__replay_windows(void *ud, const otto__frame *f, const char **why);
/* A WARNINGS frame, handed to the out-object's warn (a summary out-object
 * when `summaries`); a warning never changes the answer. */
bool otto__replay_warnings(otto__replay *rp, const otto__frame *f, bool summaries, const char **why);

/* Send the request, replay the answer with on_item, and return what a
 * plugin called in process would have: the first refusal of an
 * out-object, else the plugin's status with its message in `err`. When the
 * worker fails to answer: OTTO_ERROR with "<kind> backend '<name>' (plugin
 * <file>) crashed with SIGSEGV during <op>; nothing was answered." (or how
 * else it failed) in `err`. */
int otto__remote_call(otto__remote *remote, const char *op, otto__worker_item_fn on_item, otto__replay *rp);

extern const otto_lab_repository_type otto__remote_lab_type;
extern const otto_reservation_backend_type otto__remote_reservation_type;
/* A lock store in its worker (remote_lock.c): `self` is the otto__remote. */
extern const otto_lock_store_type otto__remote_lock_store_type;

/* The record behind otto_plugin_call_in_progress(): filled before a plugin
 * function is called and unlinked after it returns. It lives in the
 * caller's frame, so recording costs a few stores and no allocation; calls
 * nest (a layered repository calling its sources), the innermost wins. */
typedef struct otto__call_mark {
	otto_plugin_call_info info;
	const struct otto__call_mark *outer;
} otto__call_mark;

/* `plugin_path` NULL reads "(built-in)". Every begin has its end, in
 * reverse order, on the same thread. */
void otto__call_mark_begin(otto__call_mark *mark, const char *kind, const char *backend, const char *plugin_path,
			   const char *op);
void otto__call_mark_end(otto__call_mark *mark);

/* One call into a plugin: who is called (for messages) and the first error
 * an out-object reported to the plugin during the call. */
typedef struct otto__call {
	const char *kind;    /* "lab" / "reservation" */
	const char *backend; /* the name the backend was opened under */
	const char *op;      /* "load_lab", "who_reserved", ... */
	const char *plugin;  /* the plugin file, or NULL: "(built-in)" */
	otto__call_mark mark;
	int out_code;        /* 0 while no out-object error */
	char out_message[OTTO_ERROR_MESSAGE_MAX];
	otto_error plugin_err; /* what the plugin fills */
} otto__call;

void otto__call_init(otto__call *call, const char *kind, const char *backend, const char *plugin, const char *op);

/* Around the plugin function call itself (not the host's work after it). */
void otto__call_begin(otto__call *call);
void otto__call_end(otto__call *call);

/* Record an out-object error (the first one wins), copy it into the
 * plugin's err and return its code. */
int otto__call_fail(otto__call *call, otto_error *plugin_err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Turn what the plugin returned into the host's answer:
 *   - an unknown status value: OTTO_EPLUGIN naming it;
 *   - OTTO_OK after an out-object error: OTTO_EPLUGIN "... ignored an error from the host: ...";
 *   - OTTO_ENOTFOUND when `notfound_ok` (load_lab): OTTO_ENOTFOUND;
 *   - any other failure: `failure_code` (OTTO_ERROR, or the plugin's own code
 *     when failure_code is 0), message prefixed "<kind> backend '<name>': ".
 * Returns OTTO_OK or the code put in err. */
int otto__call_result(otto__call *call, int status, bool notfound_ok, int failure_code, otto_error *err);

/* create() of either kind: the caller's config (or none) with struct_size,
 * backend (default: name) and section (default: "<table>.<name>") filled
 * in, the plugin's status and message turned into the host's error. */
typedef int (*otto__create_fn)(const otto_config *config, void **self, otto_error *err);
int otto__backend_create(const char *kind, const char *table, const char *name, const char *plugin,
			 otto__create_fn create, const otto_config *config, void **self, otto_error *err);
/* The same with a create function that takes a context (a worker's). */
typedef int (*otto__create_ctx_fn)(void *ctx, const otto_config *config, void **self, otto_error *err);
int otto__backend_create_ctx(const char *kind, const char *table, const char *name, const char *plugin,
			     otto__create_ctx_fn create, void *ctx, const otto_config *config, void **self,
			     otto_error *err);

/* True for the statuses of otto/plugin.h. */
bool otto__is_plugin_status(int status);

/* A string out-object collecting into a strlist (NULL strings refused). */
typedef struct otto__string_collector {
	otto_string_out out; /* first: the plugin's pointer is ours */
	otto__call *call;
	otto_strlist list;
} otto__string_collector;
void otto__string_collector_init(otto__string_collector *c, otto__call *call);

/* A plugin's record as a full-size struct: the fields its struct_size
 * holds, the "absent" value (ip NULL) for the others. */
otto_host otto__host_read(const otto_host *src);
otto_host_summary otto__summary_read(const otto_host_summary *src);

/* Release a host record's contents. */
void otto__host_rec_clear(otto_host_rec *host);
void otto__link_rec_clear(otto_link_rec *link);
void otto__summary_rec_clear(otto_summary_rec *summary);

/* lab_build.c: run the repository's load_lab and build the lab. */
int otto__lab_build(otto_lab_repository *repo, const char *name, const otto_config *preferences, otto_lab **out,
		    otto_error *err);

/* lab_build.c: run the repository's list_host_summaries. */
int otto__summaries_collect(otto_lab_repository *repo, otto_summary_list *out, otto_error *err);

/* declared_keys.c: OTTO_ESETTINGS naming file:line, table and key when
 * `config` holds a key that backend `name` of that kind declares it does
 * not accept (ABI 1.2 settings_keys); OTTO_OK when it declares none. */
int otto__config_check_declared(const otto_registry *reg, otto_backend_kind kind, const char *name,
				const otto_config *config, otto_error *err);

/* layered.c: [lab.sources.<label>] tables, in the order written, combined
 * into one lab repository (see layered.c for the rules). */
/* Open every source of `settings` through the registry and wrap them as one
 * repository. Using [lab] backend as well is OTTO_ESETTINGS; a source that
 * cannot be opened fails the whole open with its label in the message. */
int otto__layered_open(otto_lab_repository **out, otto_registry *reg, const otto_settings *settings, otto_error *err);

/* The built-in `lock` view on a lock store a plugin provides (opts->store,
 * opts->registry): a lock manager's list behind the reservation calls
 * (locks/lock_view_backend.c). */
struct otto_lock_options;
int otto__lock_view_open_store(otto_reservation_backend **out, const struct otto_lock_options *opts,
			       otto_error *err);


/* ------------------------------------- the handles' shared part (backend_handle.c) -- */

/* The checks every open by name starts with: a registry and a name, and a
 * config that sets only keys the backend declares. */
int otto__backend_handle_check(otto_registry *reg, otto_backend_kind kind, const char *name,
			       const otto_config *config, otto_error *err);
/* True when backend `name` runs in its own worker: worker isolation, and a
 * plugin file (built-ins always run in process). */
bool otto__backend_handle_in_worker(const otto_registry *reg, otto_backend_kind kind, const char *name);
/* Start the backend in a worker; *h then holds the otto__remote as `self`.
 * On failure *h is zeroed. */
int otto__backend_handle_open_remote(otto__backend_handle *h, otto_registry *reg, otto_backend_kind kind,
				     const char *name, const otto_config *config, otto_error *err);
/* Create the backend in process with the plugin's create() (NULL: the
 * plugin does not provide one, an error). On failure *h is zeroed. */
int otto__backend_handle_create(otto__backend_handle *h, otto_backend_kind kind, const char *name,
				const char *plugin_path, otto__create_fn create, const otto_config *config,
				otto_error *err);
/* A handle around an instance libotto made itself (no plugin file). */
void otto__backend_handle_adopt(otto__backend_handle *h, otto_backend_kind kind, void *self, const char *name);
/* End the instance: the worker's close, or `destroy` (may be NULL) under a
 * call mark. Frees and zeroes *h; OTTO_OK or the worker's first error. */
int otto__backend_handle_close(otto__backend_handle *h, void (*destroy)(void *self), otto_error *err);

#endif
