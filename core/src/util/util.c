#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
	fputs("otto: out of memory\n", stderr);
	abort();
}

void *otto__malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *otto__calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *otto__realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *otto__strdup(const char *s)
{
	return s ? otto__strndup(s, strlen(s)) : NULL;
}

char *otto__strndup(const char *s, size_t n)
{
	char *p = otto__malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *otto__vasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	return s;
}

char *otto__asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = otto__vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void otto__strlist_push_owned(otto_strlist *list, char *s)
{
	/* Grow in powers of two; count is the only size field we keep. */
	size_t n = list->count;
	if ((n & (n - 1)) == 0)
		list->items = otto__realloc(list->items, (n ? n * 2 : 1) * sizeof *list->items);
	list->items[list->count++] = s;
}

void otto__strlist_push(otto_strlist *list, const char *s)
{
	otto__strlist_push_owned(list, otto__strdup(s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void otto__strlist_sort_unique(otto_strlist *list)
{
	if (list->count < 2)
		return;
	qsort(list->items, list->count, sizeof *list->items, cmp_str);
	size_t w = 1;
	for (size_t r = 1; r < list->count; r++) {
		if (strcmp(list->items[r], list->items[w - 1]) == 0)
			free(list->items[r]);
		else
			list->items[w++] = list->items[r];
	}
	list->count = w;
}

void otto__strlist_copy(otto_strlist *dst, const otto_strlist *src)
{
	dst->count = 0;
	dst->items = NULL;
	for (size_t i = 0; i < src->count; i++)
		otto__strlist_push(dst, src->items[i]);
}

void otto__buf_appendn(otto_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = otto__realloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void otto__buf_append(otto_buf *b, const char *s)
{
	otto__buf_appendn(b, s, strlen(s));
}

void otto__buf_printf(otto_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = otto__vasprintf(fmt, ap);
	va_end(ap);
	otto__buf_append(b, s);
	free(s);
}

char *otto__buf_take(otto_buf *b)
{
	char *s = b->data ? b->data : otto__strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void otto__buf_free(otto_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

size_t otto__edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = otto__calloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

char *otto__path_join(const char *dir, const char *name)
{
	if (name[0] == '/' || !dir || !*dir)
		return otto__strdup(name);
	/* By hand, not asprintf: discovery joins one path per plugin file. */
	size_t n = strlen(dir), m = strlen(name);
	bool slash = dir[n - 1] != '/';
	char *p = otto__malloc(n + slash + m + 1);
	memcpy(p, dir, n);
	if (slash)
		p[n] = '/';
	memcpy(p + n + slash, name, m + 1);
	return p;
}
