/* Running build/bin/otto in temporary projects. */
#ifndef OTTO_CLI_SUPPORT_H
#define OTTO_CLI_SUPPORT_H

#include "testutil.h"

#include <yajl/yajl_tree.h>

/* A temporary project folder holding .otto/settings.toml with `settings`
 * (NULL: no settings file). Caller tu_rm_rf()s and frees it. */
char *ct_project(const char *settings);

/* Run otto with the words of argv (NULL-terminated, without "otto") in cwd,
 * with OTTO_PLUGIN_PATH unset, LOGNAME=tester and the extra `env` entries. */
tu_result ct_run(const char *cwd, const char *const *env, const char *const *argv);

#define CT_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* ct_run with inline words: CT_RUN(dir, NULL, "lab", "list") */
#define CT_RUN(cwd, env, ...) ct_run((cwd), (env), CT_ARGS(__VA_ARGS__))

/* Parse JSON output (asserts it parses). Free with yajl_tree_free. */
yajl_val ct_json(const char *text);
/* yajl_tree_get with a const path. */
yajl_val ct_get(yajl_val v, const char *const *path, yajl_type type);
/* The string at path (NULL-terminated keys) or NULL. */
const char *ct_json_string(yajl_val v, const char *const *path);

/* Settings selecting both example backends. */
#define CT_EXAMPLE_SETTINGS "[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"example\"\n"

/* The example plugin as built, and the fixture plugin's folder. */
#define CT_EXAMPLE_SO OTTO_PLUGIN_BUILD_DIR "/example.so"
#define CT_FIXTURE_DIR OTTO_TEST_PLUGIN_DIR "/cli_fixture"

#endif
