#include "entries.h"

#include <ctype.h>
#include <stdlib.h>

int example_strv_push(example_strv *v, const char *s)
{
	char *copy = strdup(s);
	char **grown = copy ? realloc(v->items, (v->count + 1) * sizeof *v->items) : NULL;
	if (!grown) {
		free(copy);
		return OTTO_ENOMEM;
	}
	v->items = grown;
	v->items[v->count++] = copy;
	return OTTO_OK;
}

long example_strv_index(const example_strv *v, const char *s)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->items[i], s) == 0)
			return (long)i;
	return -1;
}

int example_strv_push_unique(example_strv *v, const char *s)
{
	return example_strv_index(v, s) >= 0 ? OTTO_OK : example_strv_push(v, s);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void example_strv_sort(example_strv *v)
{
	if (v->count > 1)
		qsort(v->items, v->count, sizeof *v->items, compare_strings);
}

void example_strv_free(example_strv *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->count = 0;
}

static void where_setting(const otto_config *cfg, const otto_setting *s, char *buf, size_t size)
{
	char place[512];
	otto_setting_where(s, place, sizeof place);
	snprintf(buf, size, "%s: [%s] %s", place, cfg->section ? cfg->section : "?", s->key);
}

void example_entry_where(const otto_config *cfg, const otto_setting *s, size_t index, char *buf, size_t size)
{
	char place[700];
	where_setting(cfg, s, place, sizeof place);
	snprintf(buf, size, "%s[%zu]", place, index);
}

int example_expect_array(const otto_config *cfg, const otto_setting *s, const char *sample, otto_error *err)
{
	char where[700];
	if (s->type == OTTO_VALUE_ARRAY)
		return OTTO_OK;
	where_setting(cfg, s, where, sizeof where);
	return otto_error_set(err, OTTO_EINVALID, "%s: must be an array of strings, e.g. %s = [%s]", where, s->key,
			      sample);
}

int example_expect_string(const otto_config *cfg, const otto_setting *s, otto_error *err)
{
	char where[700];
	if (s->type == OTTO_VALUE_STRING)
		return OTTO_OK;
	where_setting(cfg, s, where, sizeof where);
	return otto_error_set(err, OTTO_EINVALID, "%s: must be a quoted string", where);
}

/* Split `text` at whitespace into `words`. */
static int split_words(const char *text, example_strv *words)
{
	const char *p = text;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (p > start) {
			char *word = strndup(start, (size_t)(p - start));
			int rc = word ? example_strv_push(words, word) : OTTO_ENOMEM;
			free(word);
			if (rc != OTTO_OK)
				return rc;
		}
	}
	return OTTO_OK;
}

int example_entry_parse(const otto_config *cfg, const otto_setting *s, size_t index, const char *form,
			example_entry *out, otto_error *err)
{
	const char *text = s->items[index];
	const char *colon = strchr(text, ':');
	const char *start = text, *end = colon;
	char where[800];

	memset(out, 0, sizeof *out);
	example_entry_where(cfg, s, index, where, sizeof where);
	if (!colon)
		return otto_error_set(err, OTTO_EINVALID, "%s: '%s' has no ':'; expected \"%s\"", where, text, form);
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (start == end)
		return otto_error_set(err, OTTO_EINVALID, "%s: '%s' has nothing before ':'; expected \"%s\"", where,
				      text, form);
	out->head = strndup(start, (size_t)(end - start));
	if (!out->head || split_words(colon + 1, &out->words) != OTTO_OK) {
		example_entry_free(out);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	return OTTO_OK;
}

void example_entry_free(example_entry *e)
{
	free(e->head);
	e->head = NULL;
	example_strv_free(&e->words);
}
