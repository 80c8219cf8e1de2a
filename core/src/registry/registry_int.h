/*
 * Private to the registry's own sources (registry*.c, builtins.c).
 *
 * One plugin file (or built-in descriptor) is looked at through an
 * "inspection": the ABI check plus a register_backends call with a
 * validating registrar. A scan does that in a child process and ships the
 * result back over a pipe; loading a backend for use does it again in this
 * process and keeps the module open.
 */
#ifndef OTTO_REGISTRY_INT_H
#define OTTO_REGISTRY_INT_H

#include "registry/registry.h"
#include "util/util.h"
#include "worker/worker.h"

#include <limits.h>
#include <ltdl.h>
#include <stdbool.h>
#include <stdint.h>

#define OTTO__BUILTIN_PATH "(built-in)"
#define OTTO__SCAN_TIMEOUT_DEFAULT 10

/* A host-sized copy of a registered type (fields the plugin's struct did not
 * have are zero). Its strings and functions point into the plugin. */
typedef union otto__any_type {
	otto_lab_repository_type lab;
	otto_reservation_backend_type reservation;
	otto_lock_store_type lock_store;
} otto__any_type;

#define OTTO__SETTINGS_KEYS_MAX 256

typedef struct otto__backend_entry {
	otto_backend_kind kind;
	char *name;
	char *description; /* NULL when the plugin gave none */
	uint32_t caps;     /* OTTO_BACKEND_CAP_* it implements */
	/* The settings keys it declares (ABI 1.2), strings owned; at most
	 * OTTO__SETTINGS_KEYS_MAX. */
	size_t n_keys;
	otto_setting_decl *keys;
} otto__backend_entry;

/* Free an entry's strings and keys (not the entry itself). */
void otto__backend_entry_clear(otto__backend_entry *e);

typedef struct otto__inspection {
	otto_plugin_status status; /* LOADED, or why not (before duplicates are resolved) */
	char *detail;		   /* NULL when LOADED */
	char *plugin_name;
	char *plugin_version;
	uint32_t abi_major, abi_minor;
	size_t n_backends;
	otto__backend_entry *backends;
	/* Only when inspected in this process: index-aligned with backends. */
	otto__any_type *types;
	/* The result says something about this run, not about the file (the
	 * worker could not be started, broke the protocol...): never cached. */
	bool transient;
	/* Its strings point into bytes someone else keeps (a cache file read
	 * into memory) and its arrays into an arena (otto__cache): freeing it
	 * only forgets them. */
	bool borrowed;
} otto__inspection;

void otto__inspection_free(otto__inspection *insp);
/* Set status and a printf-style detail (replacing any earlier one). */
void otto__inspection_fail(otto__inspection *insp, otto_plugin_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ABI check, then register_backends with the validating registrar.
 * Shared by built-ins, the scan child and in-process loading. */
void otto__inspect_descriptor(const otto_plugin_descriptor *desc, otto__inspection *out);

/* Open the plugin file behind descriptor `fd` (its name `path`, for
 * messages) in this process: the RTLD_NOW pre-check, lt_dlopen and
 * lt_dlsym, through /proc/self/fd/<fd> so that what is loaded is the very
 * file that was opened, never whatever the path names by now. Then inspect
 * its descriptor. The caller holds the ltdl lock and lt_dlinit. *module is
 * the open module (also on failure after opening, so the caller can close
 * it), or NULL. Keep `fd` open until the module is closed: libltdl reuses
 * an open module of the same file name. */
void otto__inspect_fd(int fd, const char *path, otto__inspection *out, lt_dlhandle *module);

/* Open `path` for reading (never blocking on a FIFO) and stamp it: 0 with
 * *fd and *stamp, or -1 with one sentence in `why`. A file that is not a
 * regular file is refused. */
int otto__plugin_open(const char *path, int *fd, otto__file_stamp *stamp, char *why, size_t why_size);

/* One file of a scan: opened once (fd, -1 when it could not be, with the
 * reason in insp), stamped, and its inspection. */
typedef struct otto__scan_file {
	const char *path;
	int fd;
	otto__file_stamp stamp;
	otto__inspection insp;
	bool stamped;  /* stamp is valid (opened, or found in the cache) */
	bool cached;   /* insp came from the registry cache: not scanned */
	int64_t ctime_ns; /* with the stamp, the cache key of a scanned file */
} otto__scan_file;

/* Inspect the files with fd >= 0 in as few workers as possible, up to
 * OTTO__WORKER_SCAN_MAX files a request, each request with the time limit
 * (registry_scan.c). A plugin may disturb the worker it ran in (a thread, a
 * signal handler), so a worker failing on a file that was not its first is
 * not believed: that file is inspected again in a worker of its own, and
 * the files after it in a fresh worker; when a worker does not leave
 * cleanly at the end, each of its files is inspected alone, and so is each
 * file of a request during which something wrote to stdout. A file's
 * result never depends on another file. */
void otto__inspect_files_isolated(otto__scan_file *files, size_t n, unsigned timeout_s);

/* Inspect the file behind `fd` in a fresh otto-worker, stopped after
 * timeout_s seconds (registry_scan.c). */
void otto__inspect_fd_isolated(int fd, const char *path, const otto__file_stamp *stamp, unsigned timeout_s,
			       otto__inspection *out);

/* The PLUGIN frame of the worker protocol (worker.h): an inspection and the
 * index of the file it is about. The reader checks everything libotto
 * relies on (a known status, a detail exactly when not loaded, valid and
 * distinct backend names of known kinds). */
void otto__inspection_put(otto_buf *b, uint32_t index, const otto__inspection *insp);
bool otto__inspection_get(otto__reader *r, uint32_t *index, otto__inspection *out);
/* The same, where more fields may follow (a cache entry): it does not ask
 * for the end of the reader. With an arena, nothing is copied: the
 * strings are the reader's own bytes (which must outlive *out) and the
 * arrays come from the arena, and *out is marked borrowed; without one,
 * *out owns copies of everything. The checks are the same either way. */
bool otto__inspection_get_part(otto__reader *r, uint32_t *index, otto__inspection *out, otto__arena *arena);
/* The OTTO_BACKEND_CAP_* bits a backend of `kind` can have: any other bit
 * in a PLUGIN frame (a worker's answer, a cache entry) makes it malformed. */
uint32_t otto__caps_of_kind(otto_backend_kind kind);
/* A deep copy of an inspection's data (types are not copied). */
void otto__inspection_copy(otto__inspection *dst, const otto__inspection *src);

/* Backend names: otto__valid_backend_name (util.h, shared with
 * otto-conformance). */

/* The scan time limit: OTTO_PLUGIN_SCAN_TIMEOUT (seconds) or the default. */
unsigned otto__scan_timeout(void);

/* Every libltdl call happens under this one process-wide lock. */
void otto__ltdl_lock(void);
void otto__ltdl_unlock(void);

/* A folder or file to search, in the order added. */
typedef struct otto__source {
	char *path;
	bool is_file;
} otto__source;

/* One row of otto_registry_plugin(). */
typedef struct otto__plugin_rec {
	otto_plugin_info info; /* strings owned by the record */
	otto_backend_info *backends;
	/* Built-ins: their in-process inspection (owned by the registry). */
	const otto__inspection *builtin;
	/* Files: what the file was when it was scanned (valid when stamped). */
	otto__file_stamp stamp;
	bool stamped;
	/* A failed file that did register these before it was refused (it
	 * wrote to stdout, it did not exit cleanly): selecting one of them names
	 * the file and why, instead of "no such backend". */
	size_t n_refused;
	otto__backend_entry *refused;
	/* Made from a cached result: its strings and settings keys are the
	 * registry cache's (reg->cache), which outlives the record; only the
	 * backends array and dup_detail are its own. */
	bool borrowed;
	/* Why it is a duplicate (owned), when it is one: info.detail. */
	char *dup_detail;
} otto__plugin_rec;

/* A plugin file opened in this process for use. */
typedef struct otto__loaded {
	char *path;
	otto__file_stamp stamp; /* the scan's stamp it was checked against */
	/* Open as long as the module is: libltdl knows a module by its file
	 * name (/proc/self/fd/N), so N must not name another file meanwhile. */
	int fd;
	lt_dlhandle module; /* NULL when opening failed */
	otto__inspection insp;
} otto__loaded;

struct otto_registry {
	size_t n_sources;
	otto__source *sources;
	otto_strlist dirs;

	size_t n_builtins;
	otto__inspection *builtins;

	size_t n_plugins;
	otto__plugin_rec *plugins;

	/* Kept across rescans: types handed out stay valid until free. */
	size_t n_loaded;
	otto__loaded **loaded;
	bool ltdl_initialized;

	otto_isolation isolation;
	unsigned call_timeout_ms;
	/* Who turned the plugin trust check off (otto_registry_allow_untrusted), or NULL. */
	char *untrusted_by;
	otto_cache_mode cache_mode;
	/* The cache of the last scan: records made from cached results
	 * borrow from it (NULL when off). */
	struct otto__cache *cache;
};

/* The candidate plugin files of the registry's sources, in search order:
 * real shared objects only, each file once. refusals[i] is NULL for a file
 * that may be loaded, else why not (otto__registry_trust). */
typedef struct otto__discovery {
	otto_strlist files;
	otto_strlist refusals;
	struct stat *stats; /* what each file was when found (stat: links followed) */
	/* A file the cache knows with this very key was a shared object when
	 * it was found before: its first bytes need not be read again. */
	bool (*known)(void *ud, const char *path, const struct stat *st);
	void *known_ud;
} otto__discovery;
void otto__registry_discover(const otto_registry *reg, otto__discovery *d);
void otto__discovery_free(otto__discovery *d);

/* registry_trust.c: NULL when the plugin file at `path` may be loaded
 * (it and its folders are owned by root or this user and writable by
 * nobody else, or the check was turned off, which is announced); else the
 * sentence `otto plugins` shows (caller frees). */
char *otto__registry_trust(const otto_registry *reg, const char *path);
/* A plugin folder whose whole path is trusted: an O_PATH descriptor and
 * its path with every link resolved. */
typedef struct otto__trusted_dir {
	int fd;
	uid_t uid;
	char real[PATH_MAX];
} otto__trusted_dir;
/* 0 when `dir` and every folder above it are trusted (close out->fd),
 * else -1 (then each file takes the whole walk, whose refusal says why). */
int otto__registry_trust_dir(const char *dir, otto__trusted_dir *out);
/* otto__registry_trust for `path`, the entry `name` of `dir` (NULL: none
 * checked): the same answer, without walking the folder's path again.
 * `lst`: the entry's fstatat(AT_SYMLINK_NOFOLLOW) when already made (a
 * regular file), else NULL. */
char *otto__registry_trust_in(const otto_registry *reg, const otto__trusted_dir *dir, const char *path,
			      const char *name, const struct stat *lst);
/* The trust check is turned off for this run (then the cache is not used:
 * a file others may write is scanned every time). */
bool otto__registry_trust_overridden(const otto_registry *reg);

/* The record that provides the backend in use, or NULL. */
const otto__plugin_rec *otto__registry_provider(const otto_registry *reg, otto_backend_kind kind, const char *name);

/* The built-in plugins' descriptors. */
extern const otto_plugin_descriptor otto__builtin_none_plugin;

#endif
