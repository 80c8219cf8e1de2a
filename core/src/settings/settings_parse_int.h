/*
 * The settings reader's shared state and helpers (settings_parse.c reads
 * lines and tables, settings_values.c parses values, settings_rules.c
 * checks which keys a table may hold and the lab sources' labels).
 * Internal to libotto.
 */
#ifndef OTTO_SETTINGS_PARSE_INT_H
#define OTTO_SETTINGS_PARSE_INT_H

#include "settings/settings.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct parse_state {
	otto_settings *s;
	const char *text; /* the whole file, read by the caller */
	size_t len, next; /* its length; where the next line starts */
	const char *path;
	otto_error *err;
	bool failed;
	unsigned line; /* 1-based number of the line last read */
	char *raw;     /* that line without its line ending */
	size_t raw_cap;
	char *key;	   /* key line: the key */
	const char *value; /* key line: the raw text after '=' (inside raw) */
	long table;	   /* index of the current table, -1 before the first */
	char *open_key;	   /* the key an indented line would continue (inih's multi-line rule) */
	unsigned open_key_line;
	unsigned lab_backend_line;
	long first_source;	     /* index of the first [lab.sources.*] table, -1: none */
	bool ignored;		     /* the current table is upstream otto's: its lines are not read */
	unsigned array_sources;	     /* [[lab.sources]] entries so far */
	unsigned array_source_line;  /* the first one's line */
	unsigned source_table_line;  /* the first [lab.sources.<label>] table's line */
	unsigned backend_table_line; /* the first [lab.<backend>] table's line */
	char *backend_table;	     /* its name */
	char *joined;		     /* a value spread over lines, joined */
	unsigned key_line;	     /* the line its key is on */
	char *repo_name;	     /* upstream's top-level `name`, for its messages */
} parse_state;

/* Record the first error, as "<path>:<line>: <what>"; later ones are dropped. */
void otto__settings_fail(parse_state *st, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline bool otto__settings_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline const char *otto__settings_skip_space(const char *p)
{
	while (otto__settings_is_space(*p))
		p++;
	return p;
}

/* Whether `name` is a table libotto reads itself ([lab], [plugins] ...). */
bool otto__settings_is_fixed_table(const char *name);
/* Whether `name` is a lab source table (lab.sources.<label> or an entry). */
bool otto__settings_is_source_table(const char *name);

/* settings_values.c: parse the raw value text into set (type and value). */
bool otto__settings_parse_value(parse_state *st, const char *text, otto_setting *set);

/* settings_rules.c: a key's place and type, and the mixing rules of lab
 * sources; then, after the file, the [[lab.sources]] labels. */
void otto__settings_check_structure(parse_state *st, const otto__settings_table *t, const otto_setting *set);
void otto__settings_check_labels(parse_state *st);

#endif
