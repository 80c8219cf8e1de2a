/*
 * Helpers for the json plugin's tests: a repository folder with a real
 * .otto/settings.toml, and the backends it selects, opened through the real
 * registry (the plugin is found in the build's plugin folder, scanned and
 * loaded like any other).
 */
#ifndef JSON_TEST_H
#define JSON_TEST_H

#include <otto/otto.h>

#include "testutil.h"

typedef struct jt_env {
	char *root;
	otto_settings *settings;
	otto_registry *registry;
	otto_lab_repository *lab;
	otto_reservation_backend *res;
	otto_error err;
} jt_env;

/* A fresh repository folder holding .otto/settings.toml = `settings`. */
jt_env jt_env_new(const char *settings);
/* Write a file under the repository folder; returns its path (caller frees). */
char *jt_write(jt_env *env, const char *name, const char *content);
/* Open the lab repository / reservation backend the settings select. */
int jt_open_lab(jt_env *env);
int jt_open_res(jt_env *env);
void jt_env_free(jt_env *env);

/* Settings for a json lab repository over `paths_toml` (e.g. "[\"lab.json\"]"). */
char *jt_lab_settings(const char *paths_toml);

/* Load `lab` and return it (asserting success). */
otto_lab *jt_load(jt_env *env, const char *lab);
/* Load `lab`, assert failure with `code`, return the message (caller frees). */
char *jt_load_error(jt_env *env, const char *lab, int code);
/* One lab.json with the given hosts array content; opens the repository. */
jt_env jt_lab_env(const char *hosts_json);
/* The strlist joined with ",". */
char *jt_join(const otto_strlist *list);

#endif
