/*
 * Between the registry (discovery, loading) and the backend wrappers.
 */
#ifndef OTTO_REGISTRY_H
#define OTTO_REGISTRY_H

#include <otto/otto.h>

/* Load, in this process, the plugin that provides backend `name` of that
 * kind (built-ins need no loading) and return its type, copied into a
 * host-sized struct in which fields the plugin's ABI minor did not know are
 * NULL. The type stays valid until the registry is freed, so every backend
 * instance must be freed before its registry.
 * Unknown name: OTTO_ENOBACKEND with otto_registry_unknown_backend_error's
 * message. A plugin that loaded at scan time but fails now: OTTO_EPLUGIN. */
int otto__registry_lab_type(otto_registry *reg, const char *name, const otto_lab_repository_type **type,
			    otto_error *err);
int otto__registry_reservation_type(otto_registry *reg, const char *name,
				    const otto_reservation_backend_type **type, otto_error *err);
int otto__registry_lock_store_type(otto_registry *reg, const char *name, const otto_lock_store_type **type,
				   otto_error *err);

/* How backends from plugin files run, and the per-call time limit of a
 * worker call, in milliseconds. */
otto_isolation otto__registry_isolation(const otto_registry *reg);
unsigned otto__registry_call_timeout(const otto_registry *reg);

/* The plugin file that provides backend `name` of that kind, opened for
 * use: *fd (the caller closes it) is the file that was scanned, checked
 * against the scan's stamp, and *path its name (owned by the registry).
 * Built-ins: OTTO_OK with *fd -1. Unknown name: OTTO_ENOBACKEND with
 * otto_registry_unknown_backend_error's message. A file that is gone or
 * changed since the scan: OTTO_EPLUGIN naming the backend, the file and
 * what changed. */
int otto__registry_open_provider(otto_registry *reg, otto_backend_kind kind, const char *name, int *fd,
				 const char **path, otto_error *err);

/* Whether backend `name` of that kind is in use and a built-in. */
bool otto__registry_is_builtin(const otto_registry *reg, otto_backend_kind kind, const char *name);

/* The plugin file that provides backend `name` of that kind ("(built-in)"
 * for built-ins), owned by the registry; NULL when none does. Backend
 * instances keep a copy, for crash reports (otto_plugin_call_in_progress). */
const char *otto__registry_plugin_path(const otto_registry *reg, otto_backend_kind kind, const char *name);

/* The built-in plugins' descriptors (compiled into libotto), registered
 * through the same path as files. NULL-terminated. */
extern const otto_plugin_descriptor *const otto__builtin_plugins[];
/* Registers the built-in `lock` reservation backend
 * (locks/lock_view_backend.c); the built-in descriptor calls it. */
int otto__register_builtin_lock(otto_registrar *reg, otto_error *err);

#endif
