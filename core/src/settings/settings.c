/*
 * The settings model: tables of key/values as read from .otto/settings.toml,
 * and the read-only views libotto and the backends take from it.
 */
#include "settings/settings.h"
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

otto_settings *otto__settings_alloc(char *path, char *repo_root)
{
	otto_settings *s = otto__calloc(1, sizeof *s);
	s->path = path;
	s->repo_root = repo_root;
	return s;
}

otto__settings_table *otto__settings_add_table(otto_settings *s, const char *name, unsigned line)
{
	if (s->n_tables == s->cap_tables) {
		s->cap_tables = s->cap_tables ? s->cap_tables * 2 : 8;
		s->tables = otto__realloc(s->tables, s->cap_tables * sizeof *s->tables);
	}
	otto__settings_table *t = &s->tables[s->n_tables++];
	t->name = otto__strdup(name);
	t->line = line;
	/* Allocated up front so that a present but empty table is told apart
	 * from an absent one (otto_settings_table). */
	t->cap = 4;
	t->items = otto__calloc(t->cap, sizeof *t->items);
	t->count = 0;
	return t;
}

const otto__settings_table *otto__settings_find_table(const otto_settings *s, const char *name)
{
	for (size_t i = 0; s && i < s->n_tables; i++)
		if (strcmp(s->tables[i].name, name) == 0)
			return &s->tables[i];
	return NULL;
}

void otto__settings_table_push(otto__settings_table *t, const otto_setting *setting)
{
	if (t->count == t->cap) {
		t->cap *= 2;
		t->items = otto__realloc(t->items, t->cap * sizeof *t->items);
	}
	t->items[t->count++] = *setting;
}

const otto_setting *otto__settings_table_get(const otto__settings_table *t, const char *key)
{
	for (size_t i = 0; t && i < t->count; i++)
		if (strcmp(t->items[i].key, key) == 0)
			return &t->items[i];
	return NULL;
}

void otto__setting_release(otto_setting *setting)
{
	free((char *)setting->key);
	free((char *)setting->string);
	for (size_t i = 0; i < setting->n_items; i++)
		free((char *)setting->items[i]);
	free((char **)setting->items);
	memset(setting, 0, sizeof *setting);
}

static const char sources_prefix[] = "lab.sources.";

char *otto__settings_source_label(const otto__settings_table *t)
{
	const otto_setting *name = otto__settings_table_get(t, "name");
	const otto_setting *backend = otto__settings_table_get(t, "backend");
	if (name && name->type == OTTO_VALUE_STRING)
		return otto__strdup(name->string);
	return otto__asprintf("%s#%s", backend ? backend->string : "?", t->name + strlen("lab.sources.#"));
}

static void build_sources(otto_settings *s)
{
	for (size_t i = 0; i < s->n_tables; i++) {
		const otto__settings_table *t = &s->tables[i];
		if (strncmp(t->name, sources_prefix, sizeof sources_prefix - 1) != 0)
			continue;
		s->sources = otto__realloc(s->sources, (s->n_sources + 1) * sizeof *s->sources);
		otto__lab_source *src = &s->sources[s->n_sources++];
		const otto_setting *backend = otto__settings_table_get(t, "backend");
		/* An upstream [[lab.sources]] entry: labelled by its `name` (not a
		 * key of the backend's), named in messages by its label. */
		bool entry = t->name[sizeof sources_prefix - 1] == '#';
		const otto_setting *name = entry ? otto__settings_table_get(t, "name") : NULL;
		if (entry) {
			char *label = otto__settings_source_label(t);
			otto__strlist_push_owned(&s->interned, label);
			otto__strlist_push_owned(&s->interned, otto__asprintf("lab.sources '%s'", label));
			src->label = s->interned.items[s->interned.count - 2];
			src->section = s->interned.items[s->interned.count - 1];
		} else {
			src->label = t->name + sizeof sources_prefix - 1;
			src->section = t->name;
		}
		src->backend = backend ? backend->string : NULL;
		src->settings = otto__calloc(t->count, sizeof *src->settings);
		src->n_settings = 0;
		for (size_t k = 0; k < t->count; k++)
			if (&t->items[k] != backend && &t->items[k] != name)
				src->settings[src->n_settings++] = t->items[k];
	}
}

static void build_plugin_dirs(otto_settings *s)
{
	const otto_setting *path = otto__settings_table_get(otto__settings_find_table(s, "plugins"), "path");
	if (!path)
		return;
	if (path->type == OTTO_VALUE_STRING) {
		otto__strlist_push_owned(&s->plugin_dirs, otto__path_join(s->repo_root, path->string));
		return;
	}
	for (size_t i = 0; i < path->n_items; i++)
		otto__strlist_push_owned(&s->plugin_dirs, otto__path_join(s->repo_root, path->items[i]));
}

void otto__settings_finish(otto_settings *s)
{
	build_sources(s);
	build_plugin_dirs(s);
}

OTTO_API int otto_settings_new_empty(otto_settings **out, const char *repo_root, otto_error *err)
{
	char *root;
	*out = NULL;
	if (repo_root) {
		root = realpath(repo_root, NULL);
		if (!root)
			return otto_error_set(err, OTTO_EIO, "cannot use '%s' as the repository root: %s", repo_root,
					      strerror(errno));
	} else {
		root = getcwd(NULL, 0);
		if (!root)
			return otto_error_set(err, OTTO_EIO, "cannot determine the current folder: %s",
					      strerror(errno));
	}
	*out = otto__settings_alloc(NULL, root);
	return OTTO_OK;
}

OTTO_API void otto_settings_free(otto_settings *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_tables; i++) {
		otto__settings_table *t = &s->tables[i];
		for (size_t k = 0; k < t->count; k++)
			otto__setting_release(&t->items[k]);
		free(t->items);
		free(t->name);
	}
	free(s->tables);
	for (size_t i = 0; i < s->n_sources; i++)
		free(s->sources[i].settings);
	free(s->sources);
	otto_strlist_free(&s->plugin_dirs);
	otto_strlist_free(&s->interned);
	free(s->path);
	free(s->repo_root);
	free(s);
}

OTTO_API const char *otto_settings_path(const otto_settings *s)
{
	return s->path;
}

OTTO_API const char *otto_settings_repo_root(const otto_settings *s)
{
	return s->repo_root;
}

/* A string key of a fixed table (its type is checked when read). */
static const char *fixed_string(const otto_settings *s, const char *table, const char *key)
{
	const otto_setting *set = otto__settings_table_get(otto__settings_find_table(s, table), key);
	return set ? set->string : NULL;
}

OTTO_API const char *otto_settings_lab_backend(const otto_settings *s)
{
	return fixed_string(s, "lab", "backend");
}

OTTO_API const char *otto_settings_reservation_backend(const otto_settings *s)
{
	const char *name = fixed_string(s, "reservations", "backend");
	return name ? name : "none";
}

OTTO_API const char *otto_settings_reservation_url(const otto_settings *s)
{
	return fixed_string(s, "reservations", "url");
}

OTTO_API size_t otto_settings_plugin_dir_count(const otto_settings *s)
{
	return s->plugin_dirs.count;
}

OTTO_API const char *otto_settings_plugin_dir(const otto_settings *s, size_t i)
{
	return i < s->plugin_dirs.count ? s->plugin_dirs.items[i] : NULL;
}

/* Keep `str` for the settings' lifetime (views must outlive the call).
 * The settings are logically const: this cache is invisible to callers. */
static const char *intern(const otto_settings *s, char *str)
{
	otto_settings *mutable = (otto_settings *)s;
	for (size_t i = 0; i < mutable->interned.count; i++) {
		if (strcmp(mutable->interned.items[i], str) == 0) {
			free(str);
			return mutable->interned.items[i];
		}
	}
	otto__strlist_push_owned(&mutable->interned, str);
	return str;
}

OTTO_API void otto_settings_backend_config(const otto_settings *s, otto_backend_kind kind, const char *name,
					   otto_config *out)
{
	const char *prefix = kind == OTTO_KIND_RESERVATION ? "reservations" : "lab";
	char *section_name = otto__asprintf("%s.%s", prefix, name ? name : "");
	const otto__settings_table *t = otto__settings_find_table(s, section_name);
	const char *section;
	if (t) {
		free(section_name);
		section = t->name;
	} else {
		section = intern(s, section_name);
	}

	memset(out, 0, sizeof *out);
	out->struct_size = sizeof *out;
	out->section = section;
	out->backend = section + strlen(prefix) + 1;
	out->repo_root = s->repo_root;
	out->url = kind == OTTO_KIND_RESERVATION ? otto_settings_reservation_url(s) : NULL;
	out->settings = t ? t->items : NULL;
	out->n_settings = t ? t->count : 0;
}

OTTO_API size_t otto_settings_table(const otto_settings *s, const char *table, const otto_setting **items)
{
	const otto__settings_table *t = otto__settings_find_table(s, table);
	*items = t ? t->items : NULL;
	return t ? t->count : 0;
}

OTTO_API size_t otto_settings_lab_source_count(const otto_settings *s)
{
	return s->n_sources;
}

OTTO_API const char *otto_settings_lab_source_label(const otto_settings *s, size_t i)
{
	return i < s->n_sources ? s->sources[i].label : NULL;
}

OTTO_API const char *otto_settings_lab_source_backend(const otto_settings *s, size_t i)
{
	return i < s->n_sources ? s->sources[i].backend : NULL;
}

OTTO_API void otto_settings_lab_source_config(const otto_settings *s, size_t i, otto_config *out)
{
	memset(out, 0, sizeof *out);
	out->struct_size = sizeof *out;
	if (i >= s->n_sources)
		return;
	const otto__lab_source *src = &s->sources[i];
	out->backend = src->backend;
	out->section = src->section;
	out->repo_root = s->repo_root;
	out->settings = src->settings;
	out->n_settings = src->n_settings;
}
