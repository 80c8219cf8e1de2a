/*
 * Which keys the tables libotto reads may hold and of which type, the
 * rules that keep one lab configuration stated once ([lab] backend, lab
 * sources of either form), and upstream's unique [[lab.sources]] labels
 * (settings_parse_int.h).
 */
#include "settings/settings_parse_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum {
	T_STRING = 1 << OTTO_VALUE_STRING,
	T_INTEGER = 1 << OTTO_VALUE_INTEGER,
	T_BOOLEAN = 1 << OTTO_VALUE_BOOLEAN,
	T_ARRAY = 1 << OTTO_VALUE_ARRAY
};

typedef struct fixed_key {
	const char *table;
	const char *key;
	unsigned types;
	const char *wanted;
} fixed_key;

/* The tables libotto itself reads, and their keys. */
static const fixed_key fixed_keys[] = {
    {"lab", "backend", T_STRING, "a string"},
    {"reservations", "backend", T_STRING, "a string"},
    {"reservations", "url", T_STRING, "a string"},
    {"plugins", "path", T_ARRAY | T_STRING, "an array of strings or a string"},
    {"plugins", "call_timeout", T_INTEGER, "an integer (seconds)"},
    {"plugins", "allow_untrusted", T_BOOLEAN, "a boolean (true or false)"},
    {"locks", "dir", T_STRING, "a string"},
    {"locks", "check_pid", T_BOOLEAN, "a boolean (true or false)"},
    {"locks", "store", T_STRING, "a string"},
    {"locks", "url", T_STRING, "a string"},
    {"lab.sources.*", "backend", T_STRING, "a string"},
    {"lab.sources.#*", "name", T_STRING, "a string"},
};

static const char *type_name(otto_value_type type)
{
	switch (type) {
	case OTTO_VALUE_STRING:
		return "a string";
	case OTTO_VALUE_INTEGER:
		return "an integer";
	case OTTO_VALUE_BOOLEAN:
		return "a boolean";
	case OTTO_VALUE_ARRAY:
		return "an array";
	}
	return "a value";
}

static bool is_array_source(const char *table)
{
	return strncmp(table, "lab.sources.#", 13) == 0;
}

static bool table_matches(const char *pattern, const char *table)
{
	if (strcmp(pattern, "lab.sources.#*") == 0)
		return is_array_source(table);
	return strcmp(pattern, "lab.sources.*") == 0 ? otto__settings_is_source_table(table)
						     : strcmp(pattern, table) == 0;
}

static void check_fixed_key(parse_state *st, const char *table, const otto_setting *set)
{
	const fixed_key *rule = NULL;
	otto_buf accepted = {0};
	for (size_t i = 0; i < sizeof fixed_keys / sizeof *fixed_keys; i++) {
		if (!table_matches(fixed_keys[i].table, table))
			continue;
		otto__buf_printf(&accepted, "%s%s", accepted.len ? ", " : "", fixed_keys[i].key);
		if (strcmp(fixed_keys[i].key, set->key) == 0)
			rule = &fixed_keys[i];
	}
	if (!rule && otto__settings_is_fixed_table(table))
		otto__settings_fail(st, st->line, "unknown key '%s' in [%s] (accepted: %s)", set->key, table,
				    accepted.data);
	else if (rule && !(rule->types & (1u << set->type)))
		otto__settings_fail(st, st->line, "'%s' in [%s] must be %s, not %s", set->key, table, rule->wanted,
				    type_name(set->type));
	else if (rule && strcmp(set->key, "backend") == 0 && set->string[0] == '\0')
		otto__settings_fail(st, st->line, "'backend' in [%s] must not be empty", table);
	otto__buf_free(&accepted);
	if (st->failed || strcmp(table, "plugins") != 0)
		return;
	if (strcmp(set->key, "call_timeout") == 0) {
		if (set->integer < 1 || set->integer > OTTO_CALL_TIMEOUT_MAX)
			otto__settings_fail(st, st->line,
					    "'call_timeout' in [plugins] must be between 1 and %d seconds, not %lld",
					    OTTO_CALL_TIMEOUT_MAX, (long long)set->integer);
		return;
	}
	bool empty = set->type == OTTO_VALUE_STRING && set->string[0] == '\0';
	for (size_t i = 0; i < set->n_items; i++)
		empty = empty || set->items[i][0] == '\0';
	if (empty)
		otto__settings_fail(st, st->line, "'path' in [plugins] holds an empty folder name");
}

void otto__settings_check_structure(parse_state *st, const otto__settings_table *t, const otto_setting *set)
{
	const otto_setting *before = otto__settings_table_get(t, set->key);
	if (before) {
		otto__settings_fail(st, st->line, "duplicate key '%s' in [%s] (lines %u and %u)", set->key, t->name,
				    before->line, st->line);
		return;
	}
	check_fixed_key(st, t->name, set);
	if (st->failed || strcmp(t->name, "lab") != 0 || strcmp(set->key, "backend") != 0)
		return;
	if (st->array_sources) {
		otto__settings_fail(
		    st, st->line,
		    "'backend' in [lab] cannot be used together with [[lab.sources]] (line %u); as upstream otto says: "
		    "[lab] `backend` was removed; select backends per source: [[lab.sources]] backend = \"<name>\", "
		    "with its kwargs inline in the entry",
		    st->array_source_line);
		return;
	}
	if (st->first_source >= 0) {
		const otto__settings_table *src = &st->s->tables[st->first_source];
		otto__settings_fail(
		    st, st->line,
		    "'backend' in [lab] cannot be used together with [%s] (line %u): use either one lab backend or "
		    "layered [lab.sources.<label>] tables",
		    src->name, src->line);
		return;
	}
	st->lab_backend_line = st->line;
}

/* [[lab.sources]] labels (`name`, else "<backend>#<n>") must be unique,
 * with upstream's own message, which names each label "<repo>/<label>". */
void otto__settings_check_labels(parse_state *st)
{
	otto_strlist labels = {0};
	otto_buf dupes = {0};
	const char *repo = st->repo_name ? st->repo_name : otto_settings_repo_root(st->s);
	for (size_t i = 0; i < st->s->n_tables; i++) {
		const otto__settings_table *t = &st->s->tables[i];
		if (!is_array_source(t->name))
			continue;
		char *label = otto__settings_source_label(t);
		if (otto_strlist_index(&labels, label) >= 0 && !strstr(dupes.data ? dupes.data : "", label))
			otto__buf_printf(&dupes, "%s'%s/%s'", dupes.len ? ", " : "", repo, label);
		otto__strlist_push_owned(&labels, label);
	}
	if (dupes.len)
		otto__settings_fail(st, st->array_source_line,
				    "repo '%s': [[lab.sources]] labels must be unique; duplicated: [%s]", repo,
				    dupes.data);
	otto__buf_free(&dupes);
	otto_strlist_free(&labels);
}
