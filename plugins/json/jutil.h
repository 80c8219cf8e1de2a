/*
 * Small helpers shared by the json plugin's files. The plugin links only
 * the SDK and yajl, so it cannot use libotto's helpers.
 *
 * Allocation failure aborts with a message, like libotto: handling it in
 * every parser callback would hide the error paths that matter.
 */
#ifndef JSON_JUTIL_H
#define JSON_JUTIL_H

#include <otto/plugin.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

void *ju_malloc(size_t size);
void *ju_realloc(void *ptr, size_t size);
char *ju_strdup(const char *s);
char *ju_asprintf(const char *fmt, ...) OTTO_PRINTF_LIKE(1, 2);
/* A parser's error message, "<where>: <fmt, ap>"; "<where>: <fallback>"
 * when the message cannot be formatted, so an error is never lost to it.
 * Caller frees. */
char *ju_error_message(const char *where, const char *fallback, const char *fmt, va_list ap)
    OTTO_PRINTF_LIKE(3, 0);

/* Grow *items (of elem_size bytes each) so that at least `need` fit. */
void ju_reserve(void **items, size_t *cap, size_t need, size_t elem_size);
#define JU_PUSH(arr, n, cap, value)                                                                                    \
	do {                                                                                                           \
		ju_reserve((void **)&(arr), &(cap), (n) + 1, sizeof *(arr));                                           \
		(arr)[(n)++] = (value);                                                                                \
	} while (0)

/* A growable byte string, always NUL-terminated once anything was added. */
typedef struct ju_buf {
	char *data;
	size_t len, cap;
} ju_buf;
void ju_buf_add(ju_buf *b, const char *s, size_t n);
void ju_buf_adds(ju_buf *b, const char *s);
void ju_buf_reset(ju_buf *b);
void ju_buf_free(ju_buf *b);

/* Who a file is: a cached parse is reused only while all of these match. */
typedef struct ju_file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	/* Read when its mtime was under JU_RACY_SECONDS old (or in the
	 * future): a rewrite within the file system's timestamp granularity
	 * can leave every field above unchanged, so the bytes decide whether
	 * such a parse still holds (git's "racy" files). */
	bool racy;
} ju_file_id;
#define JU_RACY_SECONDS 2

/* Whether a parse of the file at `path`, read as `cached` from `text`
 * (`len` bytes; needed only while racy), still holds. Same identity and not
 * racy: yes. Same identity but racy: the file is read again and compared
 * byte for byte; when equal, *cached is renewed (and may stop being racy). */
bool ju_cache_valid(const char *path, const char *what, size_t cap, ju_file_id *cached, const char *text,
		    size_t len);

/* The most a file may hold (docs/json.md). String offsets are 32-bit, so
 * a lab file could never exceed 4 GiB; these caps stop a mistaken or
 * hostile file long before memory runs out. */
#define JU_LAB_FILE_MAX ((size_t)1024 * 1024 * 1024)
#define JU_RESERVATIONS_FILE_MAX ((size_t)256 * 1024 * 1024)

/* Read a whole regular file of at most `cap` bytes (`what`, e.g. "lab
 * file", names it in messages). A FIFO, device, folder or socket, a file
 * swapped while being opened, a file past the cap and read errors fill err
 * (OTTO_ERROR, naming the file and the reason) and return it. *text is
 * NUL-terminated; NULL and 0 on failure. */
int ju_read_file(const char *path, const char *what, size_t cap, char **text, size_t *len, ju_file_id *id,
		 otto_error *err);

/* stat() a file into its identity (racy is false); returns errno (0 when found). */
int ju_stat_file(const char *path, ju_file_id *id);

/* A key or value from the file for a message: NUL shown as \u0000 (so the
 * message is not cut short there), at most 200 bytes then "...". The host
 * escapes other control characters. Caller frees. */
char *ju_show(const char *s, size_t len);

/* True when token string `s` (len bytes) holds a NUL. A NUL comes only from
 * \u0000, and only strings yajl decoded (those with escapes) lie outside
 * the file's `text`, so a string inside it is never searched. */
bool ju_decoded_nul(const char *text, size_t text_len, const char *s, size_t len);

/* 1-based line and column of byte `offset` in text. `cursor` remembers how
 * far a previous call counted, so a stream of increasing offsets costs one
 * pass over the file in all (zero-initialise it). */
typedef struct ju_pos_cursor {
	size_t offset;
	unsigned line;
	size_t line_start;
} ju_pos_cursor;
void ju_line_col(const char *text, size_t offset, ju_pos_cursor *cursor, unsigned *line, unsigned *col);

/* Fill err with "<path>:<line>:<col>: JSON syntax error: <yajl's reason>"
 * for a yajl handle whose parse failed over `text`; `at_end` when it was
 * yajl_complete_parse that failed (the file ended too early). */
struct yajl_handle_t;
int ju_syntax_error(struct yajl_handle_t *h, const char *path, const char *text, size_t len, bool at_end,
		    otto_error *err);

/* Parse a JSON number as a whole number >= 0 (3.0 counts as 3). */
bool ju_whole_number(const char *s, size_t len, int64_t *out);

/* Resolve `path` against `root` unless absolute. Caller frees. */
char *ju_resolve(const char *root, const char *path);

#endif
