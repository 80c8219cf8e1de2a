/*
 * Text forms of statement parameters: the postgres plugin sends every
 * parameter as text through PQexecParams (never spliced into SQL), so
 * arrays and numbers need their PostgreSQL literal forms.
 */
#include "pg_plugin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pg_text_array(const char *const *items, size_t n)
{
	size_t size = 3;
	for (size_t i = 0; i < n; i++)
		size += 3 + 2 * strlen(items[i]);
	char *out = malloc(size), *p = out;
	if (!out)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		*p++ = '"';
		for (const char *s = items[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

const char *pg_int64_text(int64_t v, char buf[24])
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

bool pg_int64_parse(const char *s, int64_t *out)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s ? s : "", &end, 10);
	*out = 0;
	if (!s || !*s || errno || *end)
		return false;
	*out = (int64_t)v;
	return true;
}
