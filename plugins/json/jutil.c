#include "jutil.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

static void out_of_memory(void)
{
	fputs("otto json plugin: out of memory\n", stderr);
	abort();
}

void *ju_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *ju_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *ju_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(ju_malloc(n), s, n);
}

char *ju_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return s;
}

char *ju_error_message(const char *where, const char *fallback, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	char *full = ju_asprintf("%s: %s", where, msg ? msg : fallback);
	free(msg);
	return full;
}

void ju_reserve(void **items, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	*items = ju_realloc(*items, n * elem_size);
	*cap = n;
}

void ju_buf_add(ju_buf *b, const char *s, size_t n)
{
	ju_reserve((void **)&b->data, &b->cap, b->len + n + 1, 1);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void ju_buf_adds(ju_buf *b, const char *s)
{
	ju_buf_add(b, s, strlen(s));
}

void ju_buf_reset(ju_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void ju_buf_free(ju_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static bool same_identity(const ju_file_id *a, const ju_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void fill_id(const struct stat *st, ju_file_id *id)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->racy = false;
}

int ju_stat_file(const char *path, ju_file_id *id)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	fill_id(&st, id);
	return 0;
}

static const char *kind_name(mode_t mode)
{
	return S_ISDIR(mode)	? "a folder"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)	? "a character device"
	       : S_ISBLK(mode)	? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "something else";
}

static int too_large(const char *path, const char *what, size_t cap, otto_error *err)
{
	return otto_error_set(err, OTTO_ERROR, "cannot read %s: it is larger than %zu MiB, the most a %s may hold",
			      path, cap >> 20, what);
}

/* Only regular files are read (a FIFO would block, /dev/zero never ends),
 * judged before opening and again on the descriptor (a swap in between is
 * refused), opened without blocking, and read up to `cap` bytes. The
 * identity kept is the descriptor's, so the cache matches what was read. */
int ju_read_file(const char *path, const char *what, size_t cap, char **text, size_t *len, ju_file_id *id,
		 otto_error *err)
{
	struct stat before, st;
	char *buf = NULL;
	size_t n = 0;
	int fd = -1, rc = OTTO_OK;
	*text = NULL;
	*len = 0;
	if (stat(path, &before) != 0)
		return otto_error_set(err, OTTO_ERROR, "cannot read %s: %s", path, strerror(errno));
	if (!S_ISREG(before.st_mode))
		return otto_error_set(err, OTTO_ERROR, "cannot read %s: it is %s, not a regular %s", path,
				      kind_name(before.st_mode), what);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return otto_error_set(err, OTTO_ERROR, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = otto_error_set(err, OTTO_ERROR, "cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != before.st_dev || st.st_ino != before.st_ino) {
		rc = otto_error_set(err, OTTO_ERROR, "cannot read %s: it was replaced while being opened; try again",
				    path);
		goto done;
	}
	if ((unsigned long long)st.st_size > cap) {
		rc = too_large(path, what, cap, err);
		goto done;
	}
	fill_id(&st, id);
	/* The size is a hint (the file may grow): one byte more is asked for,
	 * so that reading the expected size ends the loop without growing,
	 * and never more than one byte past the cap. */
	size_t alloc = (size_t)st.st_size + 1;
	buf = ju_malloc(alloc + 1);
	for (;;) {
		if (n == alloc) {
			if (alloc > cap) {
				rc = too_large(path, what, cap, err);
				goto done;
			}
			alloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
			buf = ju_realloc(buf, alloc + 1);
		}
		ssize_t got = read(fd, buf + n, alloc - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = otto_error_set(err, OTTO_ERROR, "cannot read %s: %s", path, strerror(errno));
			goto done;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > cap) {
		rc = too_large(path, what, cap, err);
		goto done;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
	/* Judged after reading: a change from now on gets a later mtime. */
	struct timespec now;
	id->racy = clock_gettime(CLOCK_REALTIME, &now) != 0 || st.st_mtim.tv_sec >= now.tv_sec - JU_RACY_SECONDS;
done:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

char *ju_show(const char *s, size_t len)
{
	ju_buf b = {0};
	size_t shown = len > 200 ? 200 : len;
	ju_buf_add(&b, "", 0);
	for (size_t i = 0; i < shown;) {
		const char *nul = memchr(s + i, '\0', shown - i);
		size_t run = nul ? (size_t)(nul - (s + i)) : shown - i;
		ju_buf_add(&b, s + i, run);
		i += run;
		if (nul) {
			ju_buf_adds(&b, "\\u0000");
			i++;
		}
	}
	if (shown < len)
		ju_buf_adds(&b, "...");
	return b.data;
}

bool ju_cache_valid(const char *path, const char *what, size_t cap, ju_file_id *cached, const char *text,
		    size_t len)
{
	ju_file_id now, reread;
	char *fresh = NULL;
	size_t fresh_len = 0;
	otto_error ignored;
	if (ju_stat_file(path, &now) != 0 || !same_identity(cached, &now))
		return false;
	if (!cached->racy)
		return true;
	if (!text || ju_read_file(path, what, cap, &fresh, &fresh_len, &reread, &ignored) != OTTO_OK)
		return false; /* parsed again, which reports the error */
	bool same = fresh_len == len && memcmp(fresh, text, len) == 0 && same_identity(cached, &reread);
	free(fresh);
	if (same)
		*cached = reread;
	return same;
}

void ju_line_col(const char *text, size_t offset, ju_pos_cursor *c, unsigned *line, unsigned *col)
{
	if (c->line == 0 || offset < c->offset) {
		c->offset = 0;
		c->line = 1;
		c->line_start = 0;
	}
	const char *p = text + c->offset, *end = text + offset, *nl;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c->line++;
		c->line_start = (size_t)(nl - text) + 1;
		p = nl + 1;
	}
	c->offset = offset;
	*line = c->line;
	*col = (unsigned)(offset - c->line_start) + 1;
}

int ju_syntax_error(struct yajl_handle_t *h, const char *path, const char *text, size_t len, bool at_end,
		    otto_error *err)
{
	size_t offset = at_end ? len : yajl_get_bytes_consumed(h);
	unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
	const char *reason = (const char *)msg;
	ju_pos_cursor cur = {0};
	unsigned line, col;
	if (offset > len)
		offset = len;
	ju_line_col(text, offset, &cur, &line, &col);
	if (strncmp(reason, "parse error: ", 13) == 0)
		reason += 13;
	else if (strncmp(reason, "lexical error: ", 15) == 0)
		reason += 15;
	size_t rlen = strcspn(reason, "\n");
	otto_error_set(err, OTTO_ERROR, "%s:%u:%u: JSON syntax error: %.*s", path, line, col, (int)rlen, reason);
	yajl_free_error(h, msg);
	return OTTO_ERROR;
}

bool ju_whole_number(const char *s, size_t len, int64_t *out)
{
	char tmp[64];
	if (len == 0 || len >= sizeof tmp)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (strspn(tmp, "0123456789") == len) {
		errno = 0;
		long long v = strtoll(tmp, NULL, 10);
		if (errno)
			return false;
		*out = v;
		return true;
	}
	char *end;
	double d = strtod(tmp, &end);
	if (*end || !isfinite(d) || d < 0 || d != floor(d) || d > 9007199254740992.0)
		return false;
	*out = (int64_t)d;
	return true;
}

char *ju_resolve(const char *root, const char *path)
{
	if (path[0] == '/' || !root || !*root)
		return ju_strdup(path);
	size_t rl = strlen(root);
	return ju_asprintf("%s%s%s", root, root[rl - 1] == '/' ? "" : "/", path);
}

bool ju_decoded_nul(const char *text, size_t text_len, const char *s, size_t len)
{
	uintptr_t at = (uintptr_t)s, start = (uintptr_t)text;
	if (at >= start && at < start + text_len)
		return false;
	return memchr(s, '\0', len) != NULL;
}
