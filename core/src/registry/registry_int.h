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

#include <ltdl.h>
#include <stdbool.h>
#include <stdint.h>

#define OTTO__BUILTIN_PATH "(built-in)"
#define OTTO__BACKEND_NAME_MAX 64
#define OTTO__SCAN_TIMEOUT_DEFAULT 10

/* A host-sized copy of a registered type (fields the plugin's struct did not
 * have are zero). Its strings and functions point into the plugin. */
typedef union otto__any_type {
	otto_lab_repository_type lab;
	otto_reservation_backend_type reservation;
} otto__any_type;

typedef struct otto__backend_entry {
	otto_backend_kind kind;
	char *name;
	char *description; /* NULL when the plugin gave none */
} otto__backend_entry;

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
} otto__inspection;

void otto__inspection_free(otto__inspection *insp);
/* Set status and a printf-style detail (replacing any earlier one). */
void otto__inspection_fail(otto__inspection *insp, otto_plugin_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ABI check, then register_backends with the validating registrar.
 * Shared by built-ins, the scan child and in-process loading. */
void otto__inspect_descriptor(const otto_plugin_descriptor *desc, otto__inspection *out);

/* Open `path` in this process (RTLD_NOW pre-check, lt_dlopen, lt_dlsym) and
 * inspect its descriptor. The caller holds the ltdl lock and lt_dlinit.
 * *module is the open module (also on failure after opening, so the caller
 * can close it), or NULL. */
void otto__inspect_file(const char *path, otto__inspection *out, lt_dlhandle *module);

/* Inspect `path` in a forked child killed after timeout_s seconds. */
void otto__inspect_file_isolated(const char *path, unsigned timeout_s, otto__inspection *out);

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
} otto__plugin_rec;

/* A plugin file opened in this process for use. */
typedef struct otto__loaded {
	char *path;
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

	/* Who turned the plugin trust check off (otto_registry_allow_untrusted), or NULL. */
	char *untrusted_by;
};

/* The candidate plugin files of the registry's sources, in search order:
 * real shared objects only, each file once. refusals[i] is NULL for a file
 * that may be loaded, else why not (otto__registry_trust). */
void otto__registry_discover(const otto_registry *reg, otto_strlist *files, otto_strlist *refusals);

/* registry_trust.c: NULL when the plugin file at `path` may be loaded
 * (it and its folders are owned by root or this user and writable by
 * nobody else, or the check was turned off, which is announced); else the
 * sentence `otto plugins` shows (caller frees). */
char *otto__registry_trust(const otto_registry *reg, const char *path);

/* The record that provides the backend in use, or NULL. */
const otto__plugin_rec *otto__registry_provider(const otto_registry *reg, otto_backend_kind kind, const char *name);

/* The built-in plugins' descriptors. */
extern const otto_plugin_descriptor otto__builtin_none_plugin;

#endif
