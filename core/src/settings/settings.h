/*
 * Between the settings model (settings.c), its reader (settings_parse.c)
 * and the file search (settings_find.c).
 */
#ifndef OTTO_SETTINGS_H
#define OTTO_SETTINGS_H

#include <otto/otto.h>

#include <stddef.h>

/* One [table] of the file, its key/values in file order. Every string of
 * its settings is owned by the table; `file` points at the settings' path. */
typedef struct otto__settings_table {
	char *name;
	unsigned line;
	otto_setting *items; /* never NULL once the table exists */
	size_t count;
	size_t cap;
} otto__settings_table;

typedef struct otto__lab_source {
	const char *label;	/* inside the table's name */
	const char *backend;	/* the table's `backend` string */
	const char *section;	/* the table's name */
	otto_setting *settings; /* shallow copies of the table's settings minus `backend` */
	size_t n_settings;
} otto__lab_source;

struct otto_settings {
	char *path;	 /* as given; NULL for empty settings */
	char *repo_root; /* absolute */
	otto__settings_table *tables;
	size_t n_tables;
	size_t cap_tables;
	otto_strlist plugin_dirs;
	otto__lab_source *sources;
	size_t n_sources;
	/* Strings made for views of absent tables ("lab.<name>"), kept so
	 * every view lives as long as the settings. */
	otto_strlist interned;
};

/* New settings with no tables; takes both strings. */
otto_settings *otto__settings_alloc(char *path, char *repo_root);

/* Append a table (name copied). The pointer is valid until the next add. */
otto__settings_table *otto__settings_add_table(otto_settings *s, const char *name, unsigned line);
const otto__settings_table *otto__settings_find_table(const otto_settings *s, const char *name);
/* Append a setting to a table, taking ownership of its strings. */
void otto__settings_table_push(otto__settings_table *t, const otto_setting *setting);
/* The setting `key` of a table, or NULL. */
const otto_setting *otto__settings_table_get(const otto__settings_table *t, const char *key);
/* Free the strings a setting owns. */
void otto__setting_release(otto_setting *setting);

/* The label of a [[lab.sources]] entry (a table named lab.sources.#<n>):
 * its `name`, else "<backend>#<n>", as upstream otto labels it. Caller frees. */
char *otto__settings_source_label(const otto__settings_table *t);

/* After a successful parse: build the lab sources and the plugin folders. */
void otto__settings_finish(otto_settings *s);

/* The most a settings file may hold (docs/settings.md): it is written by
 * hand, and a bigger one is a mistake or an attack, never a setting. */
#define OTTO__SETTINGS_FILE_MAX ((size_t)1024 * 1024)

/* Parse the file's text (`len` bytes at `text`; `path` for messages) into
 * `s`. First error wins: OTTO_ESETTINGS "path:line: ...". */
int otto__settings_parse(otto_settings *s, const char *text, size_t len, const char *path, otto_error *err);

#endif
