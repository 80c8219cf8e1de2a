/*
 * JSON output through yajl_gen: never hand-formatted. Strings that are not
 * valid UTF-8 are written with U+FFFD in place of the bad bytes, so the
 * output always parses.
 */
#ifndef OTTO_CLI_JSON_OUT_H
#define OTTO_CLI_JSON_OUT_H

#include <otto/otto.h>

#include <yajl/yajl_gen.h>

yajl_gen cli_json_begin(void);
/* Begin the answer of a command about a backend: an open object whose
 * first members are "lab" and "user" (each only when not NULL: the command
 * is not about one) and "backend" (always; null when no backend was asked,
 * as for a skipped check). Close it with yajl_gen_map_close and
 * cli_json_end. */
yajl_gen cli_json_begin_answer(const char *lab, const char *user, const char *backend);
/* Print the document and a newline on stdout; free the generator.
 * CLI_EXIT_OK, or CLI_EXIT_FAILED after an error message. */
int cli_json_end(yajl_gen g);

void cli_json_key(yajl_gen g, const char *key);
void cli_json_key_n(yajl_gen g, const char *key, size_t len); /* may hold NUL */
void cli_json_string(yajl_gen g, const char *s); /* NULL: null */
void cli_json_number(yajl_gen g, int64_t n);     /* OTTO_NO_NUMBER: null */
void cli_json_bool(yajl_gen g, bool b);
void cli_json_strlist(yajl_gen g, const otto_strlist *list);

/* json_passthrough.c: write every member of the JSON object `json` (a
 * host's extra record fields) into the object being generated, which is
 * `depth` levels deep in the document (1: the top-level object), skipping
 * keys in `skip` (a NULL-terminated list). Exact at any nesting depth. Not
 * an object, or not JSON: written under the key "extra_json" as a string,
 * so nothing is lost. */
void cli_json_merge_object(yajl_gen g, const char *json, const char *const *skip, unsigned depth);

#endif
