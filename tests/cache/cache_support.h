/* A plugin folder of marker plugins, a private XDG_CACHE_HOME and a scan
 * log, for the registry cache tests (test_cache_*.c). */
#ifndef OTTO_CACHE_SUPPORT_H
#define OTTO_CACHE_SUPPORT_H

#include "cli_support.h"

#include <stddef.h>

#define CF_MARKER_DIR OTTO_TEST_PLUGIN_DIR "/cache_marker"

typedef struct cache_fx {
	char *root;    /* everything below, removed at the end */
	char *plugins; /* the plugin folder (OTTO_PLUGIN_PATH) */
	char *xdg;     /* XDG_CACHE_HOME */
	char *cache;   /* xdg/otto/plugins.cache */
	char *log;     /* OTTO_TEST_SCAN_LOG */
	char *project; /* a project selecting lab backend marker-a */
} cache_fx;

/* A fresh fixture holding marker_a.so and marker_b.so. */
void cf_setup(cache_fx *f);
void cf_teardown(cache_fx *f);

/* Copy the built marker_<variant>.so into the plugin folder as `name`;
 * returns its path (caller frees). */
char *cf_add(cache_fx *f, const char *variant, const char *name);

/* Run otto with the cache on (unless `env` says otherwise) in the project. */
tu_result cf_run(cache_fx *f, const char *const *env, const char *const *argv);
#define CF_RUN(f, env, ...) cf_run((f), (env), CT_ARGS(__VA_ARGS__))

/* `otto plugins --json`, asserted to succeed; caller frees. */
char *cf_plugins_json(cache_fx *f, const char *const *env);

/* How many loads the log holds of marker `name` ("marker-a"), or of all
 * markers (NULL). */
size_t cf_loads(const cache_fx *f, const char *name);

/* The status `otto plugins --json` gave the file whose path ends with
 * `file_name`, or NULL. Caller frees. */
char *cf_status(const char *json, const char *file_name);

/* Copy a file byte for byte (mode 0644). */
void cf_copy(const char *from, const char *to);

#endif
