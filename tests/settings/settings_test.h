/*
 * Helpers for the settings tests: write a settings file into a fresh
 * folder (as <dir>/.otto/settings.toml) and load it.
 */
#ifndef OTTO_SETTINGS_TEST_H
#define OTTO_SETTINGS_TEST_H

#include <otto/otto.h>

typedef struct st_case {
	char *dir;		 /* the temporary folder (the repository root) */
	char *path;		 /* <dir>/.otto/settings.toml */
	otto_settings *settings; /* NULL when the load failed */
	otto_error err;
	int rc;
} st_case;

/* Write `content` and load it. */
void st_load(st_case *c, const char *content);
/* Write, load and assert success. */
void st_load_ok(st_case *c, const char *content);
void st_done(st_case *c);

/* Load `content` and assert that it fails with exactly "<path>:<line>: <what>". */
void st_expect_error(const char *content, unsigned line, const char *what);

/* The setting `key` of `table`, asserted present. */
const otto_setting *st_get(const otto_settings *s, const char *table, const char *key);

#endif
