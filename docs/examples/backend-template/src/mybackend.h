/*
 * mybackend: a starting point for an otto-c backend plugin. One plugin,
 * two backends, both named "mybackend": a lab repository (where lab hosts
 * come from) and a reservation backend (who holds which resource). Both
 * serve data written in the settings, so that the plugin works and passes
 * otto-conformance as it is; replace the parsing in create() and the
 * lookups with your own data source (a file, a database, a web service).
 *
 * Rename it: change "mybackend" here, in plugin.c, in CMakeLists.txt and in
 * tests/settings.toml.
 */
#ifndef MYBACKEND_H
#define MYBACKEND_H

#include <otto/plugin.h>

#include <stddef.h>

#define MYBACKEND_NAME "mybackend"

/* A list of words: one settings entry split at spaces and commas. */
typedef struct words {
	char **items;
	size_t count;
} words;

/* Split `text` at `separators` into fresh copies. 0, or -1 when out of memory. */
int words_split(words *out, const char *text, const char *separators);
void words_free(words *w);
/* Append a copy of `s`. 0, or -1 when out of memory. */
int words_add(words *w, const char *s);
/* Whether `w` already holds `s`. */
int words_contain(const words *w, const char *s);

extern const otto_lab_repository_type mybackend_lab_repository;
extern const otto_reservation_backend_type mybackend_reservation_backend;

#endif
