/*
 * otto/plugin.h - the otto-c backend plugin ABI.
 *
 * This header (with otto/host_id.h, which it includes) is everything a
 * backend author compiles against. A plugin never links libotto: every
 * service the host offers reaches the plugin as a function pointer inside an
 * object the host passes in, and the static inline helpers below call
 * through those pointers.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `otto_plugin` (see OTTO_PLUGIN_DEFINE), of type otto_plugin_descriptor.
 * Through its register_backends function it registers one or more backends
 * of any kind, each under a name:
 *
 *   - a lab repository (where lab hosts come from): otto_lab_repository_type
 *   - a reservation backend (who holds which resource): otto_reservation_backend_type
 *   - since ABI 1.2, a lock store (where machine locks live, for the lock
 *     manager and the built-in `lock` view): otto_lock_store_type
 *
 * VERSIONING
 *   The descriptor's first three fields are frozen for every ABI major. The
 *   host reads them as plain data before it calls anything in the plugin:
 *   the major must equal the host's, the minor may be older than the host's
 *   (never newer). Every struct that crosses the boundary in either
 *   direction starts with a `struct_size` field set to sizeof() at build
 *   time; a struct only ever grows by appending fields, so each side reads
 *   the fields both know and treats the rest as absent (NULL / zero).
 *   The exceptions are the few small structs that travel as array elements
 *   (otto_setting, otto_cred, otto_link_endpoint, otto_setting_decl) and
 *   otto_error: their layout is fixed for the whole major.
 *   Optional capabilities are function pointers that may be NULL.
 *
 * ABI HISTORY (a plugin declares the minor it was built with; build with
 * the lowest minor whose features you use to reach the oldest hosts)
 *   1.0  the initial ABI.
 *   1.1  links between lab hosts: otto_link, otto_link_endpoint,
 *        otto_lab_out_add_link().
 *   1.2  declared settings keys (otto_setting_decl, OTTO_SETTING_REQUIRED,
 *        `settings_keys` in every type struct, otto_config_check_decl());
 *        writing reservations (otto_reservation_request and its INIT,
 *        OTTO_RESERVE_SHARED, OTTO_RESERVE_FORCE, `reserve` and `cancel`
 *        in the reservation backend type, the OTTO_ECONFLICT status); the
 *        lock states (otto_lock_state) and OTTO_LOCK_DEFAULT_DIR; warnings
 *        from listings (`warn` in otto_string_out_ops and
 *        otto_summary_out_ops, otto_string_out_warn(),
 *        otto_summary_out_warn()); lock stores, the third kind
 *        (otto_lock_store_type with otto_lock_holder, otto_lock_claim and
 *        OTTO_LOCK_CLAIM_FORCE, otto_lock_record and its INIT with the
 *        `fence` field (the grant's fencing token), otto_lock_out,
 *        otto_lock_outcome; `add_lock_store` appended to
 *        otto_registrar_ops, otto_register_lock_store()); `prepare` (create
 *        or migrate what a backend stores: `otto db init`) appended to the
 *        reservation backend type and the lock store type; `renew` (extend
 *        a lock's lease: `otto lock run --expiry`) appended to the lock
 *        store type after `prepare`, called through otto_lock_store_renew().
 *        Host-side, libotto shows `prepare` and `renew` as the capabilities
 *        OTTO_BACKEND_CAP_PREPARE and OTTO_BACKEND_CAP_RENEW (otto.h).
 *
 * OWNERSHIP (the whole rule set)
 *   1. What the host passes to the plugin (configuration, names, user names,
 *      out-objects, the error object) is borrowed: valid only during that
 *      call. Copy what you need to keep.
 *   2. What the plugin passes to the host (through an out-object or the
 *      registrar) is copied by the host before that call returns. You keep
 *      ownership and may free or reuse your memory as soon as it returns.
 *   3. Exceptions, which must stay valid for as long as the plugin is
 *      loaded: the descriptor, the backend type structs and the strings they
 *      point to (use static storage); and the string returned by
 *      backend_name(), which must stay valid until destroy().
 *   4. `self` is made by create() and released by destroy(). The host calls
 *      destroy() exactly once for every create() that returned OTTO_OK, and
 *      never after a create() that failed (clean up before returning).
 *   So the host never frees plugin memory and the plugin never frees host
 *   memory.
 *
 * ERRORS
 *   Every call returns an otto_status. On failure, fill the otto_error the
 *   host passed (otto_error_set does it and returns the code) with one clear
 *   sentence saying what failed and where (file, line, key, URL ...).
 *   load_lab returns OTTO_ENOTFOUND for an unknown lab; every other failure
 *   of a lab repository is OTTO_ERROR (or OTTO_EINVALID for bad settings at
 *   create time). Every failure of a reservation backend is a backend error:
 *   never answer "nothing reserved" because you could not look.
 *
 * RULES OF CONDUCT
 *   - Never write to stdout (it belongs to the otto command's output);
 *     diagnostics go in the error message.
 *   - The host never calls one backend instance from two threads at once.
 *   - If an out-object's add function fails, return its status: the host
 *     fails the whole call anyway.
 */
#ifndef OTTO_PLUGIN_H
#define OTTO_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ ABI -- */

#define OTTO_ABI_MAJOR 1
#define OTTO_ABI_MINOR 2

/* The one symbol every plugin exports. */
#define OTTO_PLUGIN_SYMBOL "otto_plugin"

#if defined(__GNUC__)
#define OTTO_PLUGIN_EXPORT __attribute__((visibility("default")))
#define OTTO_PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OTTO_PLUGIN_EXPORT
#define OTTO_PRINTF_LIKE(fmt, args)
#endif

/* ------------------------------------------------------- status, errors -- */

typedef enum otto_status {
	OTTO_OK = 0,
	/* A repository or backend error: I/O, parse, network, credentials... */
	OTTO_ERROR = -1,
	/* load_lab: there is no lab of that name. Only load_lab returns it. */
	OTTO_ENOTFOUND = -2,
	/* Bad configuration (unknown key, wrong type) or a bad argument. */
	OTTO_EINVALID = -3,
	/* Out of memory. */
	OTTO_ENOMEM = -4,
	/* Since ABI 1.2, only from reserve(): the request overlaps what someone
	 * else holds; the message names the holder and the window. */
	OTTO_ECONFLICT = -5
} otto_status;

#define OTTO_ERROR_MESSAGE_MAX 1024

/* Allocated by the host, filled by the plugin on failure. Fixed layout for
 * the whole of ABI major 1. */
typedef struct otto_error {
	int code;
	char message[OTTO_ERROR_MESSAGE_MAX];
} otto_error;

/* Fill `err` (code and printf-style message) and return `code`, so that
 * `return otto_error_set(err, OTTO_ENOTFOUND, "no lab '%s'", name);` works. */
static inline int otto_error_setv(otto_error *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->message, sizeof err->message, fmt, ap);
	}
	return code;
}

static inline int otto_error_set(otto_error *err, int code, const char *fmt, ...) OTTO_PRINTF_LIKE(3, 4);
static inline int otto_error_set(otto_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	otto_error_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

/* ------------------------------------------------------- configuration -- */

typedef enum otto_value_type {
	OTTO_VALUE_STRING = 1,
	OTTO_VALUE_INTEGER = 2,
	OTTO_VALUE_BOOLEAN = 3,
	OTTO_VALUE_ARRAY = 4 /* an array of strings */
} otto_value_type;

/* One `key = value` line of a backend's settings table. It travels as an
 * array element (otto_config.settings), so its layout is fixed for the whole
 * of ABI major 1. */
typedef struct otto_setting {
	const char *key;
	otto_value_type type;
	/* STRING: the value, unquoted. Other types: the value as written. */
	const char *string;
	int64_t integer;                 /* INTEGER */
	bool boolean;                    /* BOOLEAN */
	const char *const *items;        /* ARRAY: the strings, unquoted */
	size_t n_items;                  /* ARRAY */
	/* Where it was written, for error messages: a settings file and its
	 * 1-based line, or e.g. "--set" and 0 for a command-line setting. */
	const char *file;
	unsigned line;
} otto_setting;

/* What create() receives: the backend's own settings plus what the host
 * hands every backend. Borrowed for the duration of create(). */
typedef struct otto_config {
	size_t struct_size;
	const char *backend;   /* the name this backend was selected by */
	const char *section;   /* the settings table, e.g. "lab.json" (for messages) */
	const char *repo_root; /* absolute folder holding .otto/ (resolve relative paths here) */
	const char *url;       /* [reservations] url, or NULL */
	const otto_setting *settings;
	size_t n_settings;
} otto_config;

/* The setting named `key`, or NULL. */
static inline const otto_setting *otto_config_find(const otto_config *cfg, const char *key)
{
	size_t i;
	if (!cfg)
		return NULL;
	for (i = 0; i < cfg->n_settings; i++)
		if (strcmp(cfg->settings[i].key, key) == 0)
			return &cfg->settings[i];
	return NULL;
}

/* Describe where a setting was written: "file:line" or "file". */
static inline void otto_setting_where(const otto_setting *s, char *buf, size_t size)
{
	if (s->file && s->line)
		snprintf(buf, size, "%s:%u", s->file, s->line);
	else
		snprintf(buf, size, "%s", s->file ? s->file : "settings");
}

/* Reject every key not in `known` (a NULL-terminated list) with OTTO_EINVALID
 * and a message naming the key, where it was written, the backend and the
 * keys it accepts. Call it first thing in create(). */
static inline int otto_config_check_keys(const otto_config *cfg, const char *const *known, otto_error *err)
{
	size_t i, k;
	for (i = 0; cfg && i < cfg->n_settings; i++) {
		const otto_setting *s = &cfg->settings[i];
		bool ok = false;
		char where[512], accepted[256] = "";
		size_t used = 0;
		for (k = 0; known && known[k]; k++)
			if (strcmp(known[k], s->key) == 0)
				ok = true;
		if (ok)
			continue;
		for (k = 0; known && known[k] && used < sizeof accepted; k++) {
			int n = snprintf(accepted + used, sizeof accepted - used, "%s%s", k ? ", " : "", known[k]);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		otto_setting_where(s, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: unknown key '%s' in [%s] for backend '%s' (accepted: %s)",
				      where, s->key, cfg->section ? cfg->section : "?", cfg->backend ? cfg->backend : "?",
				      accepted[0] ? accepted : "none");
	}
	return OTTO_OK;
}

/* Since ABI 1.2: one settings key a backend accepts, declared as data in
 * its type struct (`settings_keys`, an array ended by an entry whose key is
 * NULL), so that the host can show it (`otto plugins inspect`) without
 * running plugin code, and otto_config_check_decl() can check it. It travels
 * as an array element, so its layout is fixed for the whole of ABI major 1. */
typedef struct otto_setting_decl {
	const char *key;         /* NULL ends the array */
	otto_value_type type;
	uint32_t flags;          /* OTTO_SETTING_REQUIRED */
	const char *description; /* one line, e.g. "lab.json files or folders to search" */
} otto_setting_decl;

#define OTTO_SETTING_REQUIRED (1u << 0)

static inline const char *otto_value_type_name(otto_value_type type)
{
	switch (type) {
	case OTTO_VALUE_STRING:
		return "a string";
	case OTTO_VALUE_INTEGER:
		return "an integer";
	case OTTO_VALUE_BOOLEAN:
		return "a boolean";
	case OTTO_VALUE_ARRAY:
		return "an array of strings";
	}
	return "a value";
}

/* Since ABI 1.2 (a header helper, so it works on any host): check `cfg`
 * against a declaration. A key not declared, a value of another type than
 * declared, and a required key that is missing are OTTO_EINVALID with a
 * message naming the key, where it was written (or the table), and the
 * backend. Call it first thing in create(). */
static inline int otto_config_check_decl(const otto_config *cfg, const otto_setting_decl *decl, otto_error *err)
{
	size_t i, k;
	const char *section = cfg && cfg->section ? cfg->section : "?";
	const char *backend = cfg && cfg->backend ? cfg->backend : "?";
	for (i = 0; cfg && i < cfg->n_settings; i++) {
		const otto_setting *s = &cfg->settings[i];
		const otto_setting_decl *d = NULL;
		char where[512], accepted[256] = "";
		size_t used = 0;
		for (k = 0; decl && decl[k].key; k++)
			if (strcmp(decl[k].key, s->key) == 0)
				d = &decl[k];
		otto_setting_where(s, where, sizeof where);
		if (d && d->type != s->type)
			return otto_error_set(err, OTTO_EINVALID, "%s: key '%s' in [%s] for backend '%s' must be %s",
					      where, s->key, section, backend, otto_value_type_name(d->type));
		if (d)
			continue;
		for (k = 0; decl && decl[k].key && used < sizeof accepted; k++) {
			int n = snprintf(accepted + used, sizeof accepted - used, "%s%s", k ? ", " : "", decl[k].key);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		return otto_error_set(err, OTTO_EINVALID, "%s: unknown key '%s' in [%s] for backend '%s' (accepted: %s)",
				      where, s->key, section, backend, accepted[0] ? accepted : "none");
	}
	for (k = 0; decl && decl[k].key; k++)
		if ((decl[k].flags & OTTO_SETTING_REQUIRED) && !otto_config_find(cfg, decl[k].key))
			return otto_error_set(err, OTTO_EINVALID, "[%s]: backend '%s' needs the key '%s' (%s)", section,
					      backend, decl[k].key,
					      decl[k].description ? decl[k].description : otto_value_type_name(decl[k].type));
	return OTTO_OK;
}

/* -------------------------------------------------------- data to host -- */

/* Absent element_id / slot. */
#define OTTO_NO_NUMBER ((int64_t)-1)

/* A login, as an array element of otto_host.creds: fixed layout for the
 * whole of ABI major 1. */
typedef struct otto_cred {
	const char *login;
	const char *password; /* NULL: none */
} otto_cred;

/* A host record, as a plugin hands it to otto_lab_out_add_host(). Every
 * pointer is borrowed (copied by the host). Start from OTTO_HOST_INIT. */
typedef struct otto_host {
	size_t struct_size;
	/* The key this host is stored under in the lab. NULL (recommended):
	 * the host's id, computed by the id rule from element, element_id,
	 * board and slot. Ids are never formatted by hand. */
	const char *key;
	const char *ip;        /* required ("" if the record has none) */
	const char *element;   /* required; must slug to something */
	int64_t element_id;    /* >= 0, or OTTO_NO_NUMBER */
	const char *board;     /* NULL: none; must slug to something when set */
	int64_t slot;          /* >= 0, or OTTO_NO_NUMBER; used only with a board */
	const char *os_type;   /* NULL: "unix" */
	const char *const *resources;
	size_t n_resources;
	const char *const *labs;
	size_t n_labs;
	bool docker_capable;
	const otto_cred *creds;
	size_t n_creds;
	/* Every other field of the record, as the text of one JSON object
	 * (e.g. {"interfaces":{...},"is_virtual":true}), passed through
	 * unchanged; NULL when there are none. */
	const char *extra_json;
} otto_host;

#define OTTO_HOST_INIT                                                                                                 \
	{                                                                                                              \
		sizeof(otto_host), NULL, "", NULL, OTTO_NO_NUMBER, NULL, OTTO_NO_NUMBER, NULL, NULL, 0, NULL, 0,       \
		    false, NULL, 0, NULL                                                                               \
	}

/* One host of list_host_summaries(). Start from OTTO_HOST_SUMMARY_INIT. */
typedef struct otto_host_summary {
	size_t struct_size;
	/* NULL (recommended): computed by the id rule from element,
	 * element_id, board and slot. */
	const char *id;
	const char *const *labs; /* every lab the host is in */
	size_t n_labs;
	const char *ip;          /* "" if none */
	const char *element;
	int64_t element_id;      /* or OTTO_NO_NUMBER */
	const char *board;       /* only used to compute the id */
	int64_t slot;            /* only used to compute the id */
	bool docker_capable;
} otto_host_summary;

#define OTTO_HOST_SUMMARY_INIT                                                                                         \
	{                                                                                                              \
		sizeof(otto_host_summary), NULL, NULL, 0, "", NULL, OTTO_NO_NUMBER, NULL, OTTO_NO_NUMBER, false        \
	}

/* Since ABI 1.1: one end of a link, a host of the lab and optionally its
 * interface. An array element of otto_link.endpoints: fixed layout for the
 * whole of ABI major 1. */
typedef struct otto_link_endpoint {
	const char *host;      /* the host's id (its key in the lab); required, non-empty */
	const char *interface; /* NULL: none */
} otto_link_endpoint;

/* Since ABI 1.1: a link (a wire, a bridge...) between hosts of a lab, as a
 * plugin hands it to otto_lab_out_add_link(), once per link. Every pointer
 * is borrowed (copied by the host). Start from OTTO_LINK_INIT. */
typedef struct otto_link {
	size_t struct_size;
	const otto_link_endpoint *endpoints; /* at least one */
	size_t n_endpoints;
	const char *protocol;   /* NULL: none */
	/* Every other field of the link, as the text of one JSON object,
	 * passed through unchanged; NULL when there are none. */
	const char *extra_json;
} otto_link;

#define OTTO_LINK_INIT                                                                                                 \
	{                                                                                                              \
		sizeof(otto_link), NULL, 0, NULL, NULL                                                                 \
	}

/* Reservation windows are Unix times in seconds (UTC by definition). */
#define OTTO_TIME_EPOCH ((int64_t)0)
#define OTTO_TIME_FAR_FUTURE ((int64_t)253402300799) /* 9999-12-31T23:59:59Z */

/* Out-objects: the host creates them, the plugin adds to them. */

typedef struct otto_string_out otto_string_out;
typedef struct otto_string_out_ops {
	size_t struct_size;
	int (*add)(otto_string_out *out, const char *s, otto_error *err);
	/* Since ABI 1.2: something the user must hear about that does not stop
	 * the call (a listing that skipped a broken file). Call it through
	 * otto_string_out_warn(). One sentence; the host prefixes the backend. */
	void (*warn)(otto_string_out *out, const char *message);
} otto_string_out_ops;
struct otto_string_out {
	const otto_string_out_ops *ops;
};

typedef struct otto_lab_out otto_lab_out;
typedef struct otto_lab_out_ops {
	size_t struct_size;
	int (*add_host)(otto_lab_out *out, const otto_host *host, otto_error *err);
	/* A lab-level resource on top of the hosts' own (which the host adds
	 * to the lab's resource set by itself). */
	int (*add_resource)(otto_lab_out *out, const char *resource, otto_error *err);
	/* Since ABI 1.1: a link of the lab. Call it through
	 * otto_lab_out_add_link(), which refuses on an older host. */
	int (*add_link)(otto_lab_out *out, const otto_link *link, otto_error *err);
} otto_lab_out_ops;
struct otto_lab_out {
	const otto_lab_out_ops *ops;
};

typedef struct otto_summary_out otto_summary_out;
typedef struct otto_summary_out_ops {
	size_t struct_size;
	int (*add)(otto_summary_out *out, const otto_host_summary *summary, otto_error *err);
	/* Since ABI 1.2: as otto_string_out_ops.warn. */
	void (*warn)(otto_summary_out *out, const char *message);
} otto_summary_out_ops;
struct otto_summary_out {
	const otto_summary_out_ops *ops;
};

typedef struct otto_window_out otto_window_out;
typedef struct otto_window_out_ops {
	size_t struct_size;
	int (*add)(otto_window_out *out, const char *resource, int64_t start, int64_t end, otto_error *err);
} otto_window_out_ops;
struct otto_window_out {
	const otto_window_out_ops *ops;
};

static inline int otto_string_out_add(otto_string_out *out, const char *s, otto_error *err)
{
	return out->ops->add(out, s, err);
}
static inline int otto_lab_out_add_host(otto_lab_out *out, const otto_host *host, otto_error *err)
{
	return out->ops->add_host(out, host, err);
}
static inline int otto_lab_out_add_resource(otto_lab_out *out, const char *resource, otto_error *err)
{
	return out->ops->add_resource(out, resource, err);
}
/* Since ABI 1.1. A host older than 1.1 has no add_link: this returns
 * OTTO_EINVALID instead of calling past the end of its ops struct. */
static inline int otto_lab_out_add_link(otto_lab_out *out, const otto_link *link, otto_error *err)
{
	const otto_lab_out_ops *ops = out->ops;
	if (ops->struct_size < offsetof(otto_lab_out_ops, add_link) + sizeof ops->add_link || !ops->add_link)
		return otto_error_set(err, OTTO_EINVALID, "this otto host predates links (ABI 1.0)");
	return ops->add_link(out, link, err);
}
static inline int otto_summary_out_add(otto_summary_out *out, const otto_host_summary *summary, otto_error *err)
{
	return out->ops->add(out, summary, err);
}
/* Since ABI 1.2. On an older host (or one that does not listen) the
 * warning is dropped: a warning never changes an answer. */
static inline void otto_string_out_warn(otto_string_out *out, const char *message)
{
	const otto_string_out_ops *ops = out->ops;
	if (ops->struct_size >= offsetof(otto_string_out_ops, warn) + sizeof ops->warn && ops->warn)
		ops->warn(out, message);
}
static inline void otto_summary_out_warn(otto_summary_out *out, const char *message)
{
	const otto_summary_out_ops *ops = out->ops;
	if (ops->struct_size >= offsetof(otto_summary_out_ops, warn) + sizeof ops->warn && ops->warn)
		ops->warn(out, message);
}
static inline int otto_window_out_add(otto_window_out *out, const char *resource, int64_t start, int64_t end,
				      otto_error *err)
{
	return out->ops->add(out, resource, start, end, err);
}

/* ------------------------------------------------------------ backends -- */

/* A lab repository: where lab hosts come from. */
typedef struct otto_lab_repository_type {
	size_t struct_size; /* sizeof(otto_lab_repository_type) */
	const char *name;   /* the name users select it by: [a-z0-9][a-z0-9_-]* */
	const char *description;

	/* Required. */
	int (*create)(const otto_config *config, void **self, otto_error *err);
	void (*destroy)(void *self);
	/* Every lab name the repository can provide. */
	int (*list_labs)(void *self, otto_string_out *out, otto_error *err);
	/* Build lab `name` afresh on every call. `preferences` may be NULL;
	 * ignore it if you have no use for it. Unknown name: OTTO_ENOTFOUND. */
	int (*load_lab)(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			otto_error *err);

	/* Optional (NULL: not supported). One summary per host across all
	 * labs; must agree exactly with load_lab. Skip malformed records. */
	int (*list_host_summaries)(void *self, otto_summary_out *out, otto_error *err);

	/* Since ABI 1.2, optional data (NULL: not declared): the settings keys
	 * create() accepts. Static storage, like the type itself. */
	const otto_setting_decl *settings_keys;
} otto_lab_repository_type;

/* Since ABI 1.2: a reservation to make (reserve) or to cancel (cancel).
 * Borrowed for the duration of the call. Start from
 * OTTO_RESERVATION_REQUEST_INIT. */
typedef struct otto_reservation_request {
	size_t struct_size;
	/* Who asks: the --as-user value or the login user. A backend that has
	 * its own notion of identity (a database role) uses that, and refuses
	 * a request in another name unless OTTO_RESERVE_FORCE is set and the
	 * identity may act for others. */
	const char *user;
	const char *const *resources; /* at least one */
	size_t n_resources;
	/* reserve: the window [start, end), Unix seconds, start < end.
	 * cancel: the caller's reservations of these resources that cover
	 * `start` or begin after it; `end` is ignored. */
	int64_t start;
	int64_t end;
	uint32_t flags; /* OTTO_RESERVE_SHARED, OTTO_RESERVE_FORCE */
} otto_reservation_request;

#define OTTO_RESERVE_SHARED (1u << 0) /* reserve: others may hold shared reservations of it too */
#define OTTO_RESERVE_FORCE (1u << 1)  /* cancel: someone else's (an administrator's right) */

#define OTTO_RESERVATION_REQUEST_INIT                                                                                  \
	{                                                                                                              \
		sizeof(otto_reservation_request), NULL, NULL, 0, 0, 0, 0                                               \
	}

/* A reservation backend: a view of who holds what (read-only unless it
 * implements the ABI 1.2 write capability, reserve and cancel). */
typedef struct otto_reservation_backend_type {
	size_t struct_size; /* sizeof(otto_reservation_backend_type) */
	const char *name;
	const char *description;

	/* Required. */
	int (*create)(const otto_config *config, void **self, otto_error *err);
	void (*destroy)(void *self);
	/* Short, stable, non-empty; valid until destroy(). */
	const char *(*backend_name)(void *self);
	/* The full set of resources `user` holds now (none: add nothing). */
	int (*get_reserved_resources)(void *self, const char *user, otto_string_out *out, otto_error *err);
	/* Every current holder of `resource`, in a deterministic order, without
	 * duplicates (none: add nothing). */
	int (*who_reserved)(void *self, const char *resource, otto_string_out *out, otto_error *err);

	/* Optional (NULL: not supported). */
	int (*list_usernames)(void *self, otto_string_out *out, otto_error *err);
	/* Live windows of `user`: start <= end; unknown start OTTO_TIME_EPOCH,
	 * open end OTTO_TIME_FAR_FUTURE. The resources whose window covers now
	 * must equal get_reserved_resources(user). */
	int (*get_reservation_windows)(void *self, const char *user, otto_window_out *out, otto_error *err);

	/* Since ABI 1.2, optional data (NULL: not declared): the settings keys
	 * create() accepts. Static storage, like the type itself. */
	const otto_setting_decl *settings_keys;

	/* Since ABI 1.2, optional, both or neither (NULL: read-only). reserve
	 * makes one reservation per resource, all or none, and adds each made
	 * window to `made`; a window that overlaps someone else's exclusive
	 * one (or, unless shared, anyone's) is OTTO_ECONFLICT naming the
	 * holder and the window. cancel removes the caller's reservations the
	 * request covers and adds each removed window to `cancelled` (none:
	 * add nothing and return OTTO_OK). Overlap is refused by the backend's
	 * store itself, never by a read-then-write in the client. */
	int (*reserve)(void *self, const otto_reservation_request *request, otto_window_out *made, otto_error *err);
	int (*cancel)(void *self, const otto_reservation_request *request, otto_window_out *cancelled,
		      otto_error *err);

	/* Since ABI 1.2, optional (NULL: nothing to prepare). Create or
	 * migrate what the backend stores (tables, a schema, a folder):
	 * `otto db init`. Idempotent: a second run changes nothing. Adds one
	 * line per thing done to `done`, then one last line summing up that
	 * names where (e.g. "schema migrated from version 1 to 2 on <server>");
	 * when nothing needed doing, only that line ("schema up to date on
	 * <server>"). `otto db init --json` shows the lines before the last as
	 * its steps and the last as its summary. Data newer than the plugin
	 * understands is refused untouched. */
	int (*prepare)(void *self, otto_string_out *done, otto_error *err);
} otto_reservation_backend_type;

/* ------------------------------------------------------------ registry -- */

typedef struct otto_registrar otto_registrar;
typedef struct otto_lock_store_type otto_lock_store_type;
typedef struct otto_registrar_ops {
	size_t struct_size;
	int (*add_lab_repository)(otto_registrar *reg, const otto_lab_repository_type *type, otto_error *err);
	int (*add_reservation_backend)(otto_registrar *reg, const otto_reservation_backend_type *type,
				       otto_error *err);
	/* Since ABI 1.2: call it through otto_register_lock_store(). */
	int (*add_lock_store)(otto_registrar *reg, const otto_lock_store_type *type, otto_error *err);
} otto_registrar_ops;
struct otto_registrar {
	const otto_registrar_ops *ops;
	uint32_t host_abi_major;
	uint32_t host_abi_minor;
};

/* `type` must have static storage duration (see OWNERSHIP). */
static inline int otto_register_lab_repository(otto_registrar *reg, const otto_lab_repository_type *type,
					       otto_error *err)
{
	return reg->ops->add_lab_repository(reg, type, err);
}
static inline int otto_register_reservation_backend(otto_registrar *reg, const otto_reservation_backend_type *type,
						    otto_error *err)
{
	return reg->ops->add_reservation_backend(reg, type, err);
}

/* Since ABI 1.2. A host older than 1.2 knows no lock stores: this returns
 * OTTO_EINVALID instead of calling past the end of its registrar. */
static inline int otto_register_lock_store(otto_registrar *reg, const otto_lock_store_type *type, otto_error *err)
{
	const otto_registrar_ops *ops = reg->ops;
	if (ops->struct_size < offsetof(otto_registrar_ops, add_lock_store) + sizeof ops->add_lock_store ||
	    !ops->add_lock_store)
		return otto_error_set(err, OTTO_EINVALID, "this otto host predates lock stores (ABI 1.2)");
	return ops->add_lock_store(reg, type, err);
}

/* --------------------------------------------------------------- locks -- */

/* Since ABI 1.2. The states of a machine lock (docs/locks.md), defined once
 * for libotto's lock manager (otto/lock.h), the `lock` reservation backend
 * and the lock stores to come. Values are fixed for major 1. */
typedef enum otto_lock_state {
	OTTO_LOCK_FREE = 0,    /* nobody holds it */
	OTTO_LOCK_HELD = 1,    /* unexpired, or its holder is alive (or cannot be shown dead) */
	OTTO_LOCK_EXPIRED = 2, /* past its expiry, and its holder is dead */
	OTTO_LOCK_STALE = 3,   /* no expiry, and its holder is dead */
	OTTO_LOCK_CORRUPT = 4  /* its record (or guard) cannot be read: never free */
} otto_lock_state;

/* Since ABI 1.2. Where locks live when nothing else is configured. */
#define OTTO_LOCK_DEFAULT_DIR "/tmp/otto-locks"

/* Since ABI 1.2: who takes a lock, as the lock manager knows it. A store
 * with an identity of its own (a database role) records that identity and
 * never this `user`: it is the host's claim, not a proof. */
typedef struct otto_lock_holder {
	size_t struct_size;
	const char *user;    /* the name of uid */
	int64_t uid;
	const char *host;    /* gethostname(2) */
	int64_t pid;         /* the holder process */
	uint64_t pid_start;  /* its start time, /proc/<pid>/stat field 22 */
	const char *boot_id; /* "" when unknown */
	const char *pidns;   /* the inode of its PID namespace, "" when unknown */
} otto_lock_holder;

#define OTTO_LOCK_CLAIM_FORCE (1u << 0) /* break whatever is there (and say whose it was) */

/* Since ABI 1.2: what the lock manager asks of a store for one name.
 * Borrowed for the duration of the call. */
typedef struct otto_lock_claim {
	size_t struct_size;
	const char *name;               /* a valid lock name; NULL for list */
	const otto_lock_holder *holder; /* the caller, also "this host" for liveness */
	/* acquire: the SHA-256 (64 hex digits) of the new lock's release token.
	 * The lock is the caller's when its token hash is held_sha256 or
	 * given_sha256 (either may be ""), or when its holder is the very same
	 * process (uid, host, boot, PID namespace, PID and start time). */
	const char *new_sha256;
	const char *held_sha256;
	const char *given_sha256;
	int64_t expiry_seconds; /* acquire: 0 none */
	uint32_t flags;         /* OTTO_LOCK_CLAIM_FORCE */
	bool check_pid;         /* a live holder keeps its lock */
	int64_t now;            /* Unix seconds, the manager's clock */
} otto_lock_claim;

/* Since ABI 1.2: one lock as a store reports it. Start from
 * OTTO_LOCK_RECORD_INIT; every pointer is borrowed (copied by the host). */
typedef struct otto_lock_record {
	size_t struct_size;
	const char *name;
	otto_lock_state state;
	const char *problem; /* OTTO_LOCK_CORRUPT: why */
	const char *user;    /* the holder's name, as the store establishes it */
	int64_t uid;         /* -1 when the store has none */
	const char *host;
	int64_t pid;
	int64_t taken;       /* Unix seconds */
	int64_t expiry;      /* Unix seconds, 0 none */
	const char *where;   /* where to look (a file, a row); NULL none */
	uint64_t fence;      /* the fencing token of this grant, only growing; 0 none */
} otto_lock_record;

#define OTTO_LOCK_RECORD_INIT \
	{sizeof(otto_lock_record), NULL, OTTO_LOCK_FREE, NULL, NULL, -1, NULL, 0, 0, 0, NULL, 0}

typedef struct otto_lock_out otto_lock_out;
typedef struct otto_lock_out_ops {
	size_t struct_size;
	int (*add)(otto_lock_out *out, const otto_lock_record *record, otto_error *err);
} otto_lock_out_ops;
struct otto_lock_out {
	const otto_lock_out_ops *ops;
};
static inline int otto_lock_out_add(otto_lock_out *out, const otto_lock_record *record, otto_error *err)
{
	return out->ops->add(out, record, err);
}

/* Since ABI 1.2: acquire's outcome. */
typedef enum otto_lock_outcome {
	OTTO_LOCK_TAKEN = 1,   /* a new lock holds it for the claimant */
	OTTO_LOCK_ALREADY = 2, /* the claimant holds it already (its held token); nothing written */
	OTTO_LOCK_REFUSED = 3  /* held by someone else, or corrupt */
} otto_lock_outcome;

/* Since ABI 1.2: a lock store, where the lock manager keeps machine locks
 * (docs/writing-a-backend.md). The lock folder is libotto's built-in
 * store "files"; [locks] store = "<name>" selects a plugin's. create()
 * receives [locks.<name>] as settings and [locks] url as config->url.
 * Every change to one name must be atomic in the store itself (a guard, a
 * transaction): two claimants can never both be told TAKEN. */
struct otto_lock_store_type {
	size_t struct_size; /* sizeof(otto_lock_store_type) */
	const char *name;
	const char *description;

	/* Required. */
	int (*create)(const otto_config *config, void **self, otto_error *err);
	void (*destroy)(void *self);
	/* Where the locks are, for messages (never a password); valid until destroy(). */
	const char *(*where)(void *self);
	/* Take claim->name: *outcome always set. `info` gets the lock in the
	 * way (REFUSED) or the one broken (TAKEN with FORCE; nothing when
	 * there was none), and on TAKEN the new lock (with its fence) last. */
	int (*acquire)(void *self, const otto_lock_claim *claim, uint32_t *outcome, otto_lock_out *info,
		       otto_error *err);
	/* Release claim->name if it is the claimant's (or with FORCE); add
	 * what was released to `released`. Nobody holds it: OTTO_ENOTFOUND.
	 * Someone else's: OTTO_ERROR naming the holder. */
	int (*release)(void *self, const otto_lock_claim *claim, otto_lock_out *released, otto_error *err);
	/* The state of claim->name: add exactly one record (FREE when none). */
	int (*get)(void *self, const otto_lock_claim *claim, otto_lock_out *out, otto_error *err);
	/* Every lock that is not free, sorted by name. */
	int (*list)(void *self, const otto_lock_claim *claim, otto_lock_out *out, otto_error *err);

	/* Optional data (NULL: not declared): the settings keys create() accepts. */
	const otto_setting_decl *settings_keys;

	/* Optional (NULL: nothing to prepare): as the reservation backend's
	 * prepare (`otto db init`): the steps done, then a summary naming where. */
	int (*prepare)(void *self, otto_string_out *done, otto_error *err);

	/* Since ABI 1.2, optional (NULL: leases cannot be renewed; call it
	 * through otto_lock_store_renew()). Extend the claimant's lock on
	 * claim->name to expire claim->expiry_seconds after now, atomically
	 * (the lock must still be the claimant's and unexpired at the moment
	 * of the change), and add the renewed lock to `renewed`. No longer the
	 * claimant's (nobody holds it, someone else does, or its lease already
	 * ran out): OTTO_ENOTFOUND saying which, and the host forgets the lock.
	 * OTTO_ERROR only for store trouble (cannot tell now): the host tries
	 * again while the lease lasts. The fence is unchanged: a renewal is the
	 * same grant. */
	int (*renew)(void *self, const otto_lock_claim *claim, otto_lock_out *renewed, otto_error *err);
};

/* Since ABI 1.2. A store type too old or too plain to renew leases:
 * OTTO_EINVALID saying so, instead of calling past its struct. */
static inline int otto_lock_store_renew(const otto_lock_store_type *type, void *self, const otto_lock_claim *claim,
					otto_lock_out *renewed, otto_error *err)
{
	if (type->struct_size < offsetof(otto_lock_store_type, renew) + sizeof type->renew || !type->renew)
		return otto_error_set(err, OTTO_EINVALID, "lock store '%s' cannot renew a lease", type->name);
	return type->renew(self, claim, renewed, err);
}

/* The exported descriptor. abi_major, abi_minor and struct_size come first
 * and never move: the host checks them before calling register_backends. */
typedef struct otto_plugin_descriptor {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t struct_size;
	const char *name;        /* the plugin's name, e.g. "json" */
	const char *version;     /* the plugin's own version, e.g. "1.2.0" */
	const char *description;
	int (*register_backends)(otto_registrar *reg, otto_error *err);
} otto_plugin_descriptor;

/* Define the plugin's one exported symbol:
 *   OTTO_PLUGIN_DEFINE("json", "1.0.0", "lab.json and reservations.json", register_json);
 */
#define OTTO_PLUGIN_DEFINE(name, version, description, register_fn)                                                   \
	OTTO_PLUGIN_EXPORT extern const otto_plugin_descriptor otto_plugin;                                            \
	const otto_plugin_descriptor otto_plugin = {OTTO_ABI_MAJOR, OTTO_ABI_MINOR,                                    \
						    (uint32_t)sizeof(otto_plugin_descriptor),                          \
						    (name),         (version),                                         \
						    (description),  (register_fn)}

#ifdef __cplusplus
}
#endif

#include <otto/host_id.h>

#endif /* OTTO_PLUGIN_H */
