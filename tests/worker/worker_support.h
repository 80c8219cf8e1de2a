/* Running otto against the hostile plugin (tests/worker/plugins/hostile.c). */
#ifndef OTTO_WORKER_SUPPORT_H
#define OTTO_WORKER_SUPPORT_H

#include "cli_support.h"

#define HOSTILE_DIR OTTO_TEST_PLUGIN_DIR "/worker_hostile"
#define HOSTILE_SO HOSTILE_DIR "/hostile.so"
#define IMPOSTOR_SO OTTO_TEST_PLUGIN_DIR "/worker_impostor/impostor.so"

/* A project whose lab and reservation backends are both "hostile", with
 * `lab_table` and `res_table` as the bodies of their tables (NULL: none). */
char *ws_project(const char *lab_table, const char *res_table);

/* The per-call time limit the tests give otto, in seconds: small, so that a
 * hang ends soon, scaled like every limit in the tests (testutil.h). */
int ws_call_limit(void);

/* Run otto with --plugin-dir `plugin_dir` (NULL: the hostile plugin's),
 * OTTO_CALL_TIMEOUT at ws_call_limit() and the extra `env`, in `project`. */
tu_result ws_run(const char *project, const char *plugin_dir, const char *const *env, const char *const *words);
#define WS_RUN(project, env, ...) ws_run((project), NULL, (env), CT_ARGS(__VA_ARGS__))

/* The sentence otto prints when backend `kind` 'hostile' of `so` failed as
 * `how` says: "otto: <kind> backend 'hostile' (plugin <so>) <how>\n". */
char *ws_sentence(const char *kind, const char *so, const char *how);

#endif
