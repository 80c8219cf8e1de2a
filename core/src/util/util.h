/*
 * Internal helpers shared by libotto's sources (not installed).
 * Allocation failures abort with a message: libotto treats running out of
 * memory as fatal, so that every other error path can be tested.
 */
#ifndef OTTO_UTIL_H
#define OTTO_UTIL_H

#include "util/path_trust.h"

#include <otto/otto.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define OTTO_API __attribute__((visibility("default")))

void *otto__malloc(size_t size);
void *otto__calloc(size_t count, size_t size);
void *otto__realloc(void *ptr, size_t size);
char *otto__strdup(const char *s);       /* NULL in, NULL out */
char *otto__strndup(const char *s, size_t n);
char *otto__asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *otto__vasprintf(const char *fmt, va_list ap);

/* Append a copy of s to list. */
void otto__strlist_push(otto_strlist *list, const char *s);
/* Append s itself (ownership taken). */
void otto__strlist_push_owned(otto_strlist *list, char *s);
/* Sort and remove duplicates in place. */
void otto__strlist_sort_unique(otto_strlist *list);
/* Deep copy. */
void otto__strlist_copy(otto_strlist *dst, const otto_strlist *src);

/* A growable string. */
typedef struct otto_buf {
	char *data; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
} otto_buf;
void otto__buf_append(otto_buf *b, const char *s);
void otto__buf_appendn(otto_buf *b, const char *s, size_t n);
void otto__buf_printf(otto_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the string (never NULL) and reset the buffer. */
char *otto__buf_take(otto_buf *b);
void otto__buf_free(otto_buf *b);

/* util_text.c: text safe to print (see there for what is escaped and why). */
/* True when s[0..len) needs no escaping. */
bool otto__text_is_plain(const char *s, size_t len);
/* Append s[0..len) with control characters, invalid UTF-8 and invisible
 * formatting marks escaped visibly (\n, \x1b, \u202e). */
void otto__buf_append_escaped(otto_buf *b, const char *s, size_t len);
/* The same as a new string; NULL in, NULL out. */
char *otto__text_escape(const char *s);

/* util_file.c: read the whole regular file at `path` (at most `cap`
 * bytes; NUL-terminated; caller frees *text). A FIFO, device, folder or
 * socket, a file swapped while being opened, a file larger than cap, and
 * read errors fail with `code` and a message naming `what` ("settings
 * file") and the path. Out-parameters are NULL/0 on failure. */
int otto__read_regular_file(const char *path, const char *what, size_t cap, int code, char **text, size_t *len,
			    otto_error *err);
/* "1 MiB", "64 KiB", "100 bytes": a size for messages. */
void otto__size_text(char *buf, size_t size, size_t bytes);

/* Levenshtein distance, for "Did you mean". */
size_t otto__edit_distance(const char *a, const char *b);

/* Join dir and name with one '/'; an absolute name is returned as is. */
char *otto__path_join(const char *dir, const char *name);

/* libotto's warning channel (see otto_set_warning_handler in otto.h). */
void otto__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* self_location.c: the folder holding libotto (the file this code was
 * loaded from), absolute and without symlinks; NULL when the loader cannot
 * say. Caller frees. */
char *otto__self_dir(void);
/* <that folder>/otto/<name>, e.g. "plugins" or "otto-worker". Caller frees. */
char *otto__self_private_path(const char *name);

#endif
