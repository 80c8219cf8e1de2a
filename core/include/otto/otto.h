/*
 * otto/otto.h - libotto, the host side of otto-c.
 *
 * Naming: otto_<noun>_<verb>. Every otto_X_new/open has an otto_X_free.
 * Functions that can fail return an otto_status (0 = OTTO_OK) and fill an
 * otto_error (code + one clear sentence) supplied by the caller; `err` may
 * be NULL when the caller does not want the message.
 *
 * Result objects (otto_strlist, otto_lab, ...) are plain read-only structs
 * owned by the caller, released with their _free function. They never point
 * into plugin memory: a result outlives the backend that produced it.
 */
#ifndef OTTO_OTTO_H
#define OTTO_OTTO_H

#include <otto/plugin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The release. CMake reads the three numbers from here (the project's one
 * source of its version); OTTO_VERSION spells them out. */
#define OTTO_VERSION_MAJOR 0
#define OTTO_VERSION_MINOR 2
#define OTTO_VERSION_PATCH 0
#define OTTO_VERSION "0.2.0"

/* Host-side status codes, beyond the plugin ones in otto/plugin.h. */
enum {
	OTTO_ENOTSUPPORTED = -10, /* the backend does not advertise that capability */
	OTTO_ENOBACKEND = -11,    /* no backend registered under that name */
	OTTO_EPLUGIN = -12,       /* a plugin could not be loaded, or broke the ABI contract */
	OTTO_ESETTINGS = -13,     /* a settings file is wrong (message says file:line) */
	OTTO_EIO = -14,           /* the host itself could not read/write something */
	OTTO_ECHECK = -15         /* a check ran and failed (e.g. the reservation check) */
};

/* Exit code the otto command uses for a status: 0 OK; 1 backend/repository
 * error, not-found, failed check; 2 usage, settings, plugin loading. */
int otto_status_exit_code(int status);

/* A short name for a status code ("ENOTFOUND", ...). */
const char *otto_status_name(int status);

typedef struct otto_settings otto_settings;

/* ------------------------------------------------------------ results -- */

typedef struct otto_strlist {
	size_t count;
	char **items;
} otto_strlist;
void otto_strlist_free(otto_strlist *list);
/* Index of s in list, or -1. */
long otto_strlist_index(const otto_strlist *list, const char *s);

typedef struct otto_cred_rec {
	char *login;
	char *password; /* NULL: none */
} otto_cred_rec;

/* A host as built by the host library from a plugin's otto_host. Read
 * only: all of a host's strings and arrays live in one block that
 * otto_lab_free releases, so never free, replace or append to a field. */
typedef struct otto_host_rec {
	char *key;            /* the key the backend stored it under */
	char *id;             /* the id rule applied to element/element_id/board/slot */
	char *ip;
	char *element;
	int64_t element_id;   /* OTTO_NO_NUMBER when absent */
	char *board;          /* NULL when absent */
	int64_t slot;         /* OTTO_NO_NUMBER when absent */
	char *os_type;        /* "unix" by default */
	otto_strlist resources; /* sorted, unique */
	otto_strlist labs;      /* as given */
	bool docker_capable;
	size_t n_creds;
	otto_cred_rec *creds;
	char *extra_json;     /* NULL when none */
} otto_host_rec;

typedef struct otto_link_endpoint_rec {
	char *host;      /* a host id, as the backend gave it (never empty) */
	char *interface; /* NULL when none */
} otto_link_endpoint_rec;

/* A link of a lab (ABI 1.1), as built from a plugin's otto_link. Whether
 * its endpoints name hosts of the lab is checked by otto-conformance (L15),
 * not at load. */
typedef struct otto_link_rec {
	size_t n_endpoints;               /* at least 1 */
	otto_link_endpoint_rec *endpoints;
	char *protocol;                   /* NULL when none */
	char *extra_json;                 /* NULL when none */
} otto_link_rec;

typedef struct otto_lab {
	char *name;
	otto_strlist resources; /* sorted, unique: hosts' resources + lab-level extras */
	size_t n_hosts;
	otto_host_rec *hosts;   /* sorted by key */
	size_t n_links;
	otto_link_rec *links;   /* in the order the backend added them */
} otto_lab;
void otto_lab_free(otto_lab *lab);
/* The host stored under `key`, or NULL. */
const otto_host_rec *otto_lab_host(const otto_lab *lab, const char *key);

typedef struct otto_summary_rec {
	char *id;
	otto_strlist labs;
	char *ip;
	char *element;
	int64_t element_id;
	bool docker_capable;
} otto_summary_rec;

typedef struct otto_summary_list {
	size_t count;
	otto_summary_rec *items; /* in the order the backend gave them */
} otto_summary_list;
void otto_summary_list_free(otto_summary_list *list);

typedef struct otto_window_rec {
	char *resource;
	int64_t start;
	int64_t end;
} otto_window_rec;

typedef struct otto_window_list {
	size_t count;
	otto_window_rec *items;
} otto_window_list;
void otto_window_list_free(otto_window_list *list);

/* ----------------------------------------------------------- registry -- */

typedef enum otto_backend_kind {
	OTTO_KIND_LAB = 1,
	OTTO_KIND_RESERVATION = 2,
	OTTO_KIND_LOCK_STORE = 3 /* since 0.2 (ABI 1.2): where machine locks live */
} otto_backend_kind;

/* "lab" / "reservation" / "lock store" */
const char *otto_backend_kind_name(otto_backend_kind kind);

typedef enum otto_plugin_status {
	OTTO_PLUGIN_LOADED = 1,      /* registered at least one backend that is in use */
	OTTO_PLUGIN_NOT_A_PLUGIN,    /* a shared object without the otto_plugin symbol */
	OTTO_PLUGIN_ABI_MISMATCH,    /* wrong major, or a newer minor than the host */
	OTTO_PLUGIN_FAILED,          /* could not be loaded, crashed, or registration failed */
	OTTO_PLUGIN_DUPLICATE,       /* every backend it registers is already taken */
	/* Not opened: other users could have changed it (it or a folder on its
	 * path is not owned by root or this user, or is writable by others).
	 * The detail says which path and how to fix it. */
	OTTO_PLUGIN_REFUSED
} otto_plugin_status;

/* "loaded", "not a plugin", "ABI mismatch", "failed", "duplicate", "refused" */
const char *otto_plugin_status_name(otto_plugin_status status);

/* The optional capabilities a backend implements (otto_backend_info). */
#define OTTO_BACKEND_CAP_SUMMARIES 1u /* lab: list_host_summaries */
#define OTTO_BACKEND_CAP_USERNAMES 2u /* reservation: list_usernames */
#define OTTO_BACKEND_CAP_WINDOWS 4u   /* reservation: get_reservation_windows */
#define OTTO_BACKEND_CAP_WRITE 8u     /* reservation: reserve and cancel */
/* Since 0.2 (ABI 1.2): reservation backends and lock stores that create or
 * migrate what they store (`otto db init`). */
#define OTTO_BACKEND_CAP_PREPARE 16u
/* Since 0.2 (ABI 1.2): lock stores that renew a lease (`otto lock run
 * --expiry` keeps it alive). */
#define OTTO_BACKEND_CAP_RENEW 32u
#define OTTO_BACKEND_CAP_ALL 63u

typedef struct otto_backend_info {
	otto_backend_kind kind;
	const char *name;
	const char *description;
	const char *plugin_name;
	const char *plugin_version;
	const char *path;         /* the file, or "(built-in)" */
	/* When another file registered this name first (search order wins):
	 * that file. NULL when this entry is the one in use. */
	const char *shadowed_by;
	/* What the scan read from its type: OTTO_BACKEND_CAP_* bits, and the
	 * settings keys it declares (ABI 1.2; none for an older plugin). */
	uint32_t capabilities;
	size_t n_settings_keys;
	const otto_setting_decl *settings_keys;
} otto_backend_info;

typedef struct otto_plugin_info {
	const char *path;         /* the file as found, or "(built-in)" */
	otto_plugin_status status;
	/* Why it is not loaded, in one sentence: the real loader error (e.g.
	 * "undefined symbol: foo"), both ABI versions, the signal it died of,
	 * both files of a duplicate... NULL when loaded. */
	const char *detail;
	const char *plugin_name;    /* NULL when unknown */
	const char *plugin_version; /* NULL when unknown */
	uint32_t abi_major, abi_minor;
	size_t n_backends;
	const otto_backend_info *backends;
} otto_plugin_info;

typedef struct otto_registry otto_registry;

/* A registry holding the built-in backends (at least `none`). */
int otto_registry_new(otto_registry **out, otto_error *err);
void otto_registry_free(otto_registry *reg);

/* Append a plugin folder to the search order. Folders are scanned in the
 * order added; the first file to register a name wins. */
int otto_registry_add_dir(otto_registry *reg, const char *dir, otto_error *err);

/* Append every folder of a colon-separated list (empty parts skipped). */
int otto_registry_add_path_list(otto_registry *reg, const char *list, otto_error *err);

/* The installed default plugin folder: <libdir>/otto/plugins beside the
 * libotto this program loaded (found from the library's own location, so it
 * holds in the build tree, any install prefix and any program that embeds
 * libotto). OTTO_EIO when the loader cannot say where libotto is (its file
 * was removed since it was loaded). */
int otto_registry_add_default_dirs(otto_registry *reg, otto_error *err);

/* Load plugin files even when other users could have changed them: off by
 * default (docs/plugins.md, "Which files are trusted"). `source` names who
 * asked (e.g. "[plugins] allow_untrusted at FILE:LINE") and is printed as a
 * warning with every file that is loaded only because of it; NULL turns
 * the override off again. The environment variable
 * OTTO_ALLOW_UNTRUSTED_PLUGINS=1 does the same for every registry. */
int otto_registry_allow_untrusted(otto_registry *reg, const char *source, otto_error *err);

/* Add one plugin file directly (otto-conformance PLUGIN). */
int otto_registry_add_file(otto_registry *reg, const char *path, otto_error *err);

/* Discover: look at every real shared object in every folder (a README or an
 * editor backup is ignored; a missing folder is no error), each opened once
 * and inspected in a worker process so a crashing plugin cannot take the
 * host down. Each file's identity (device, inode, size, modification time,
 * owner, mode) is recorded: a backend is only ever loaded from the file the
 * scan saw. Never fails because of a broken plugin: that file gets its
 * status. */
int otto_registry_scan(otto_registry *reg, otto_error *err);

/* The registry cache (docs/plugins.md): what scanning each plugin file
 * found, kept per user in $XDG_CACHE_HOME/otto/ (or ~/.cache/otto/), so
 * that a scan only inspects files that changed. A cached result is used
 * only while the file's path, device, inode, size, mtime, ctime, mode and
 * owner are unchanged; trust is checked on every scan. */
typedef enum otto_cache_mode {
	OTTO_CACHE_OFF = 0,     /* the default for programs embedding libotto: every file is inspected */
	OTTO_CACHE_USE = 1,     /* use the cache and update it (the otto command) */
	OTTO_CACHE_REFRESH = 2  /* inspect every file, then write the cache anew (otto plugins --rescan) */
} otto_cache_mode;

/* Choose how later scans use the cache (OTTO_EINVALID for an unknown mode).
 * The environment variable OTTO_PLUGIN_CACHE=0 turns it off whatever the
 * mode; with the plugin trust check turned off it is not used either. */
int otto_registry_set_cache(otto_registry *reg, otto_cache_mode mode, otto_error *err);

/* Where a backend from a plugin file runs once it is opened. */
typedef enum otto_isolation {
	/* The default. Each opened backend runs in its own worker process
	 * (otto-worker, installed beside libotto): plugin code never runs in
	 * the calling process, so its crash, exit(), hang, stdout output,
	 * chdir(), environment or signal handlers cannot take the caller down
	 * or change its answer. Every way a worker fails to answer is a backend
	 * error naming the backend, the plugin file and the call. */
	OTTO_ISOLATION_WORKER = 1,
	/* In the calling process, as plugins ran before otto 0.2: no worker to
	 * start and nothing copied, but the plugin shares everything with the
	 * caller. For programs that trust their plugins and want the last few
	 * per cent (see docs/plugins.md for what it costs and saves). */
	OTTO_ISOLATION_IN_PROCESS = 2
} otto_isolation;

/* Choose the isolation of backends opened from now on (OTTO_EINVALID for
 * an unknown value). The scan always inspects plugin files in a worker.
 * Caller-made types (otto_lab_repository_open_type) always run in process. */
int otto_registry_set_isolation(otto_registry *reg, otto_isolation isolation, otto_error *err);
otto_isolation otto_registry_isolation(const otto_registry *reg);

/* The time limit of each call into a worker (create, load_lab, ...), after
 * which the worker is stopped and the call fails: 1 ms to
 * OTTO_CALL_TIMEOUT_MAX s; the default is OTTO_CALL_TIMEOUT_DEFAULT s. */
#define OTTO_CALL_TIMEOUT_DEFAULT 30
#define OTTO_CALL_TIMEOUT_MAX 3600
int otto_registry_set_call_timeout(otto_registry *reg, unsigned milliseconds, otto_error *err);
unsigned otto_registry_call_timeout(const otto_registry *reg);

/* What the otto command applies from its settings: the call time limit
 * from [plugins] call_timeout (whole seconds), then from the environment
 * variable OTTO_CALL_TIMEOUT (whole seconds), which wins. A bad value is
 * OTTO_ESETTINGS naming the file and line, or the variable. */
int otto_registry_configure(otto_registry *reg, const otto_settings *settings, otto_error *err);

/* The folders searched, in order (after add_*). */
size_t otto_registry_dir_count(const otto_registry *reg);
const char *otto_registry_dir(const otto_registry *reg, size_t i);

/* Files seen by the last scan, built-ins first, then in search order. */
size_t otto_registry_plugin_count(const otto_registry *reg);
const otto_plugin_info *otto_registry_plugin(const otto_registry *reg, size_t i);

/* The backend in use under `name`, or NULL. */
const otto_backend_info *otto_registry_find(const otto_registry *reg, otto_backend_kind kind, const char *name);

/* The names in use for a kind, sorted. */
int otto_registry_names(const otto_registry *reg, otto_backend_kind kind, otto_strlist *out);

/* The closest registered name of that kind (edit distance), or NULL. */
const char *otto_registry_suggest(const otto_registry *reg, otto_backend_kind kind, const char *name);

/* Fill err with OTTO_ENOBACKEND: "no lab backend named 'exmaple'. Did you
 * mean 'example'? Available: example, json." and return OTTO_ENOBACKEND. */
int otto_registry_unknown_backend_error(const otto_registry *reg, otto_backend_kind kind, const char *name,
					otto_error *err);

/* --------------------------------------------------- lab repositories -- */

typedef struct otto_lab_repository otto_lab_repository;

/* Load the plugin providing `name` (if not built in), and create() the
 * backend with `config` (config->backend is set from name if NULL). */
int otto_lab_repository_open(otto_lab_repository **out, otto_registry *reg, const char *name,
			     const otto_config *config, otto_error *err);
/* destroy() the backend and release it. With a worker, OTTO_ERROR when the
 * backend failed at any point of its life (a call its worker died in, a
 * crash in destroy, a worker that did not exit cleanly), so that a caller
 * that already used its answers can still fail. */
int otto_lab_repository_close(otto_lab_repository *repo, otto_error *err);
/* close, with such a failure reported as a warning (otto_set_warning_handler). */
void otto_lab_repository_free(otto_lab_repository *repo);
const char *otto_lab_repository_name(const otto_lab_repository *repo);

/* Exactly as the backend gave them (conformance inspects raw answers);
 * callers sort for display. */
int otto_lab_repository_list_labs(otto_lab_repository *repo, otto_strlist *out, otto_error *err);

/* OTTO_ENOTFOUND for an unknown lab. Builds every host (ids by the id rule,
 * resources unioned); a duplicate key, an element or board that slugs to
 * "" or a negative number is an OTTO_ERROR naming the lab and the host. */
int otto_lab_repository_load_lab(otto_lab_repository *repo, const char *name, const otto_config *preferences,
				 otto_lab **out, otto_error *err);

bool otto_lab_repository_has_summaries(const otto_lab_repository *repo);

/* The backend's own summaries (OTTO_ENOTSUPPORTED when not advertised). */
int otto_lab_repository_list_host_summaries(otto_lab_repository *repo, otto_summary_list *out, otto_error *err);

/* Summaries through the capability when advertised, else built from
 * list_labs + load_lab (hosts in several labs appear once, every lab named). */
int otto_lab_repository_host_summaries(otto_lab_repository *repo, otto_summary_list *out, otto_error *err);

/* The lab repository the settings select: [lab] backend, or the layered
 * [lab.sources.*] composite. No lab backend configured: OTTO_ESETTINGS. */
int otto_lab_repository_open_from_settings(otto_lab_repository **out, otto_registry *reg,
					   const otto_settings *settings, otto_error *err);

/* Wrap a caller-made plugin-side type as a repository instance, with no
 * plugin file behind it (used by layered sources and tests). */
int otto_lab_repository_open_type(otto_lab_repository **out, const otto_lab_repository_type *type,
				  const otto_config *config, otto_error *err);

/* ------------------------------------------------ reservation backends -- */

typedef struct otto_reservation_backend otto_reservation_backend;

int otto_reservation_backend_open(otto_reservation_backend **out, otto_registry *reg, const char *name,
				  const otto_config *config, otto_error *err);
/* As otto_lab_repository_close / _free. */
int otto_reservation_backend_close(otto_reservation_backend *backend, otto_error *err);
void otto_reservation_backend_free(otto_reservation_backend *backend);

/* The backend [reservations] backend selects ("none" by default). */
int otto_reservation_backend_open_from_settings(otto_reservation_backend **out, otto_registry *reg,
						const otto_settings *settings, otto_error *err);

/* The plugin's backend_name() (NULL if it returned NULL). */
const char *otto_reservation_backend_name(otto_reservation_backend *backend);
int otto_reservation_backend_reserved_resources(otto_reservation_backend *backend, const char *user,
						otto_strlist *out, otto_error *err);
int otto_reservation_backend_who_reserved(otto_reservation_backend *backend, const char *resource,
					  otto_strlist *out, otto_error *err);
bool otto_reservation_backend_has_usernames(const otto_reservation_backend *backend);
int otto_reservation_backend_list_usernames(otto_reservation_backend *backend, otto_strlist *out, otto_error *err);
bool otto_reservation_backend_has_windows(const otto_reservation_backend *backend);
int otto_reservation_backend_windows(otto_reservation_backend *backend, const char *user, otto_window_list *out,
				     otto_error *err);

/* The ABI 1.2 write capability (both reserve and cancel implemented). */
bool otto_reservation_backend_can_write(const otto_reservation_backend *backend);
/* Make the reservations of `request` (user, at least one resource,
 * start < end); *made lists the windows made. OTTO_ENOTSUPPORTED for a
 * read-only backend ("this backend is read-only"), OTTO_ECONFLICT with the
 * backend's message naming the holder and window. */
int otto_reservation_backend_reserve(otto_reservation_backend *backend, const otto_reservation_request *request,
				     otto_window_list *made, otto_error *err);
/* Cancel the user's reservations the request covers; *cancelled lists them. */
int otto_reservation_backend_cancel(otto_reservation_backend *backend, const otto_reservation_request *request,
				    otto_window_list *cancelled, otto_error *err);

/* Since 0.2 (ABI 1.2 `prepare`): true when the backend creates or migrates
 * what it stores (`otto db init`). */
bool otto_reservation_backend_can_prepare(const otto_reservation_backend *backend);
/* Create or migrate what the backend stores; *done gets one line per thing
 * done (or one saying nothing needed doing). OTTO_ENOTSUPPORTED when the
 * backend has nothing to prepare. */
int otto_reservation_backend_prepare(otto_reservation_backend *backend, otto_strlist *done, otto_error *err);

/* ---------------------------------------------------- reservation check -- */

typedef struct otto_missing_resource {
	char *resource;
	otto_strlist holders; /* empty: unreserved */
} otto_missing_resource;

typedef struct otto_check_result {
	bool ok;
	otto_strlist required;          /* sorted, unique */
	size_t n_missing;
	otto_missing_resource *missing; /* sorted by resource */
	/* The contract's message when !ok:
	 * "User 'alice' does not hold all resources required by lab 'tech1'. Missing:\n  - carrot (held by bob)\n..."
	 * One line per missing resource: every name in it is escaped
	 * (otto_text_escape), so its only newlines are its own. The fields
	 * above hold the names exactly. */
	char *message;
} otto_check_result;
void otto_check_result_free(otto_check_result *result);

/* Required = lab resources + every host's resources. If none, the backend
 * is not asked. Otherwise get_reserved_resources(user) once, then
 * who_reserved for each missing resource in sorted order. A backend error
 * is returned as such (fail closed); a failed check returns OTTO_OK with
 * result->ok false. */
int otto_reservation_check(otto_reservation_backend *backend, const otto_lab *lab, const char *user,
			   otto_check_result *result, otto_error *err);

/* The user: `as_user` if non-NULL, else LOGNAME, USER, LNAME, USERNAME,
 * else the password entry of the current uid. Caller frees. */
char *otto_current_user(const char *as_user);

/* ------------------------------------------------------------ settings -- */

/* Walk up from start_dir (NULL: the current folder) to the first folder
 * holding .otto/settings.toml. *path_out (caller frees) is NULL when none. */
int otto_settings_find(const char *start_dir, char **path_out, otto_error *err);

/* Parse a settings file (the TOML subset described in docs/settings.md).
 * Errors are OTTO_ESETTINGS with "file:line: ..." messages. */
int otto_settings_load(otto_settings **out, const char *path, otto_error *err);

/* Settings with no file: every default, repo_root = the given folder. */
int otto_settings_new_empty(otto_settings **out, const char *repo_root, otto_error *err);
void otto_settings_free(otto_settings *settings);

const char *otto_settings_path(const otto_settings *s);      /* NULL when empty */
const char *otto_settings_repo_root(const otto_settings *s); /* the folder holding .otto/ */
const char *otto_settings_lab_backend(const otto_settings *s);         /* NULL when unset */
const char *otto_settings_reservation_backend(const otto_settings *s); /* "none" by default */
const char *otto_settings_reservation_url(const otto_settings *s);     /* NULL when unset */

/* [plugins] path, in order (relative entries resolved against repo_root). */
size_t otto_settings_plugin_dir_count(const otto_settings *s);
const char *otto_settings_plugin_dir(const otto_settings *s, size_t i);

/* The configuration for backend `name` of `kind`: its [lab.<name>] or
 * [reservations.<name>] table (empty when absent), plus repo_root and url.
 * The view stays valid while `s` lives. */
void otto_settings_backend_config(const otto_settings *s, otto_backend_kind kind, const char *name,
				  otto_config *out);

/* Any table by name ("lab.json", "locks", ...): its settings in file order.
 * Returns the count; *items is NULL when the table is absent. */
size_t otto_settings_table(const otto_settings *s, const char *table, const otto_setting **items);

/* Layered lab sources: [lab.sources.<label>] tables, in the order written.
 * The config's settings are the table's keys except `backend`. */
size_t otto_settings_lab_source_count(const otto_settings *s);
const char *otto_settings_lab_source_label(const otto_settings *s, size_t i);
const char *otto_settings_lab_source_backend(const otto_settings *s, size_t i);
void otto_settings_lab_source_config(const otto_settings *s, size_t i, otto_config *out);

/* ------------------------------------------------------------ warnings -- */

/* Non-fatal notices from libotto (e.g. a layered lab source overriding a
 * host). By default each is printed as "otto: warning: <message>" on
 * stderr; a handler replaces that (NULL restores the default). The message
 * is borrowed for the duration of the call. */
typedef void (*otto_warning_fn)(const char *message, void *ud);
void otto_set_warning_handler(otto_warning_fn fn, void *ud);

/* ---------------------------------------------------------------- text -- */

/* A copy of `s` that is safe to print on a terminal or in a log: control
 * characters are escaped visibly (\n, \r, \t, \x1b ...), as are bytes
 * that are not UTF-8 (\xHH) and the code points that break or reorder a
 * line (C1 controls, U+2028/U+2029, bidirectional marks: \u202e). Anything
 * else, backslashes included, is kept, so escaping twice changes nothing.
 * Names, users, resources, paths and messages come from plugins, data files
 * and the command line: escape them before showing them to a person.
 * Backend errors (a plugin's message, and what libotto says of what the
 * plugin handed over), warnings and the check's message arrive escaped
 * already; escaping again changes nothing. Caller frees; NULL for NULL. */
char *otto_text_escape(const char *s);

/* ------------------------------------------------ plugin calls in progress -- */

/* One call into a backend plugin running in this process (caller-made
 * types, and OTTO_ISOLATION_IN_PROCESS), recorded while it runs, so that a
 * crash handler of the embedding program can say which backend, which
 * plugin file and which operation brought the process down. (Calls into a
 * worker are recorded too, but cannot crash this process: the worker's
 * failure is returned as a backend error.) */
typedef struct otto_plugin_call_info {
	const char *kind;        /* "lab" or "reservation" */
	const char *backend;     /* the name the backend was opened under */
	const char *plugin_path; /* the plugin file, or "(built-in)" */
	const char *operation;   /* "create", "destroy", "load_lab", "who_reserved", ... */
} otto_plugin_call_info;

/* The innermost plugin call running on the calling thread, or NULL when
 * none is. Async-signal-safe (no lock, no allocation, no errno change): a
 * SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT handler may call it and read the
 * record, whose strings stay valid while the call runs. */
const otto_plugin_call_info *otto_plugin_call_in_progress(void);

#ifdef __cplusplus
}
#endif

#endif /* OTTO_OTTO_H */
