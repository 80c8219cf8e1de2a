/*
 * Splitting a settings entry into words. Everything a backend keeps is a
 * copy: the configuration it is created with is only borrowed.
 */
#define _POSIX_C_SOURCE 200809L /* strndup */
#include "mybackend.h"

#include <stdlib.h>
#include <string.h>

static int add_owned(words *w, char *word)
{
	char **grown = word ? realloc(w->items, (w->count + 1) * sizeof *grown) : NULL;
	if (!grown) {
		free(word);
		return -1;
	}
	w->items = grown;
	w->items[w->count++] = word;
	return 0;
}

int words_add(words *w, const char *s)
{
	return add_owned(w, strdup(s));
}

int words_split(words *out, const char *text, const char *separators)
{
	memset(out, 0, sizeof *out);
	for (const char *p = text; *p;) {
		p += strspn(p, separators);
		size_t len = strcspn(p, separators);
		if (len == 0)
			break;
		if (add_owned(out, strndup(p, len)) != 0) {
			words_free(out);
			return -1;
		}
		p += len;
	}
	return 0;
}

void words_free(words *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->count; i++)
		free(w->items[i]);
	free(w->items);
	memset(w, 0, sizeof *w);
}

int words_contain(const words *w, const char *s)
{
	for (size_t i = 0; i < w->count; i++)
		if (strcmp(w->items[i], s) == 0)
			return 1;
	return 0;
}
