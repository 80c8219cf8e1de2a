/*
 * Reading a lock folder: which generations of which names exist, and the
 * current state of a name (its highest generation). Readers take no lock:
 * every record appears whole (written aside, then linked), and a record that
 * vanishes between the scan and the read means a concurrent change, so the
 * reader looks again.
 *
 * One read of the folder serves a whole listing: the entries are collected,
 * sorted by (name, kind, generation) and grouped, so 64k names cost 64k
 * entries' worth of work, not 64k searches of a growing table.
 */
#include "locks/lock_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_INFIX ".lock."
#define GUARD_SUFFIX ".guard"
#define TEMP_PREFIX ".tmp."
#define VIEW_RETRIES 100

enum { E_GUARD = 0, E_RECORD = 1, E_TEMP = 2 };

typedef struct entry {
	size_t at;       /* offset of the file name in the pool */
	size_t name_len; /* length of its NAME part */
	uint64_t gen;
	unsigned char kind;
	unsigned char d_type;
} entry;

typedef struct collector {
	char *pool;
	size_t pool_len, pool_cap;
	entry *entries;
	size_t count, cap;
} collector;

void otto__lock_file_name(char *buf, size_t size, const char *name, uint64_t gen)
{
	snprintf(buf, size, "%s" LOCK_INFIX "%" PRIu64, name, gen);
}

/* "NAME.lock.GEN" -> name length and gen; false for any other file,
 * including generations above OTTO__LOCK_GEN_MAX (no writer makes them). */
static bool split_record_name(const char *file, size_t *name_len, uint64_t *gen)
{
	const char *p = NULL, *q = file;
	char *end;
	while ((q = strstr(q, LOCK_INFIX))) {
		p = q;
		q++;
	}
	if (!p || p == file || !p[sizeof LOCK_INFIX - 1])
		return false;
	q = p + sizeof LOCK_INFIX - 1;
	if (strspn(q, "0123456789") != strlen(q) || q[0] == '0' || strlen(q) > 20)
		return false;
	errno = 0;
	*gen = strtoull(q, &end, 10);
	if (errno || *gen > OTTO__LOCK_GEN_MAX)
		return false;
	*name_len = (size_t)(p - file);
	return true;
}

static bool split_guard_name(const char *file, size_t *name_len)
{
	size_t n = strlen(file);
	if (n <= sizeof GUARD_SUFFIX - 1 || strcmp(file + n - (sizeof GUARD_SUFFIX - 1), GUARD_SUFFIX) != 0)
		return false;
	*name_len = n - (sizeof GUARD_SUFFIX - 1);
	return true;
}

static bool name_part_valid(const char *file, size_t name_len)
{
	char name[OTTO__LOCK_NAME_MAX + 1];
	if (name_len == 0 || name_len > OTTO__LOCK_NAME_MAX)
		return false;
	memcpy(name, file, name_len);
	name[name_len] = '\0';
	return otto__lock_name_valid(name);
}

static int collect(collector *c, const char *file, size_t name_len, uint64_t gen, unsigned char kind,
		   unsigned char d_type)
{
	size_t n = strlen(file) + 1;
	if (c->pool_len + n > c->pool_cap) {
		size_t cap = c->pool_cap ? c->pool_cap * 2 : 4096;
		while (cap < c->pool_len + n)
			cap *= 2;
		char *p = realloc(c->pool, cap);
		if (!p)
			return -1;
		c->pool = p;
		c->pool_cap = cap;
	}
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		entry *e = realloc(c->entries, cap * sizeof *e);
		if (!e)
			return -1;
		c->entries = e;
		c->cap = cap;
	}
	memcpy(c->pool + c->pool_len, file, n);
	c->entries[c->count++] = (entry){c->pool_len, name_len, gen, kind, d_type};
	c->pool_len += n;
	return 0;
}

/* qsort has no context argument: the pool being sorted against. */
static _Thread_local const char *sort_pool;

static int cmp_entries(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(sort_pool + x->at, sort_pool + y->at, n);
	if (c)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

/* Turn the sorted entries into the scan's names and temps. */
static int group(collector *c, otto__lock_dirscan *out)
{
	size_t n_names = 0, n_gens = 0, n_temps = 0;
	for (size_t i = 0; i < c->count; i++) {
		const entry *e = &c->entries[i];
		if (e->kind == E_TEMP) {
			n_temps++;
			continue;
		}
		n_gens += e->kind == E_RECORD;
		if (i == 0 || c->entries[i - 1].kind == E_TEMP || c->entries[i - 1].name_len != e->name_len ||
		    memcmp(c->pool + c->entries[i - 1].at, c->pool + e->at, e->name_len) != 0)
			n_names++;
	}
	out->names = calloc(n_names ? n_names : 1, sizeof *out->names);
	out->all_gens = calloc(n_gens ? n_gens : 1, sizeof *out->all_gens);
	out->temps = calloc(n_temps ? n_temps : 1, sizeof *out->temps);
	if (!out->names || !out->all_gens || !out->temps)
		return -1;
	out->pool = c->pool;
	c->pool = NULL;
	otto__lock_gens *g = NULL;
	size_t gens_used = 0;
	for (size_t i = 0; i < c->count; i++) {
		const entry *e = &c->entries[i];
		char *file = out->pool + e->at;
		if (e->kind == E_TEMP) {
			out->temps[out->n_temps++] = file;
			continue;
		}
		if (!g || strlen(g->name) != e->name_len || memcmp(g->name, file, e->name_len) != 0) {
			g = &out->names[out->count++];
			g->gens = out->all_gens + gens_used;
			/* Cut the file name down to NAME in place: the rest was parsed.
			 * The first entry of a name is its guard or lowest record, and
			 * later ones are compared against this NAME. */
			file[e->name_len] = '\0';
			g->name = file;
		}
		if (e->kind == E_GUARD) {
			g->guard_type = e->d_type ? e->d_type : DT_UNKNOWN;
		} else {
			g->gens[g->count++] = e->gen;
			gens_used++;
		}
	}
	return 0;
}

int otto__lock_dirscan_read(int dirfd, const char *dir, const char *only_name, otto__lock_dirscan *out,
			    otto_error *err)
{
	/* A duplicate of the folder's descriptor, never 0-2, closed on exec. */
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	collector c = {0};
	DIR *d;
	struct dirent *e;
	size_t only_len = only_name ? strlen(only_name) : 0;
	int rc = OTTO_OK;

	memset(out, 0, sizeof *out);
	if (fd < 0 || !(d = fdopendir(fd))) {
		int e0 = errno;
		if (fd >= 0)
			close(fd);
		return otto_error_set(err, OTTO_ERROR, "cannot read lock folder %s: %s", dir, strerror(e0));
	}
	rewinddir(d);
	errno = 0;
	while ((e = readdir(d))) {
		const char *file = e->d_name;
		size_t name_len;
		uint64_t gen = 0;
		unsigned char kind;
		if (strncmp(file, TEMP_PREFIX, sizeof TEMP_PREFIX - 1) == 0) {
			kind = E_TEMP; /* collected even for one name: writers clean them up */
			name_len = 0;
		} else if (file[0] == '.') {
			continue;
		} else if (split_record_name(file, &name_len, &gen)) {
			kind = E_RECORD;
		} else if (split_guard_name(file, &name_len)) {
			kind = E_GUARD;
		} else {
			continue;
		}
		if (only_name && kind != E_TEMP && (name_len != only_len || memcmp(file, only_name, only_len) != 0))
			continue;
		if (kind != E_TEMP && !name_part_valid(file, name_len))
			continue; /* "a b.lock.1" can never be one of our locks */
		if (collect(&c, file, name_len, gen, kind, e->d_type) != 0) {
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory reading lock folder %s", dir);
			goto done;
		}
		errno = 0;
	}
	if (errno) {
		rc = otto_error_set(err, OTTO_ERROR, "cannot read lock folder %s: %s", dir, strerror(errno));
		goto done;
	}
	sort_pool = c.pool;
	if (c.count > 1)
		qsort(c.entries, c.count, sizeof *c.entries, cmp_entries);
	sort_pool = NULL;
	if (group(&c, out) != 0)
		rc = otto_error_set(err, OTTO_ENOMEM, "out of memory reading lock folder %s", dir);
done:
	closedir(d);
	free(c.pool);
	free(c.entries);
	if (rc != OTTO_OK)
		otto__lock_dirscan_free(out);
	return rc;
}

void otto__lock_dirscan_free(otto__lock_dirscan *scan)
{
	free(scan->names);
	free(scan->all_gens);
	free(scan->temps);
	free(scan->pool);
	memset(scan, 0, sizeof *scan);
}

const otto__lock_gens *otto__lock_dirscan_find(const otto__lock_dirscan *scan, const char *name)
{
	size_t lo = 0, hi = scan->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(scan->names[mid].name, name);
		if (c == 0)
			return &scan->names[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int otto__lock_view_of(int dirfd, const char *name, uint64_t gen, const otto__lock_eval *ev, otto__lock_view *out)
{
	int rc;
	memset(out, 0, sizeof *out);
	out->gen = gen;
	out->owner = -1;
	otto__lock_file_name(out->file, sizeof out->file, name, gen);
	rc = otto__lockrec_read(dirfd, out->file, name, &out->rec, &out->owner, out->why, sizeof out->why);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		out->state = OTTO_LOCK_CORRUPT;
		memset(&out->rec, 0, sizeof out->rec);
		snprintf(out->rec.name, sizeof out->rec.name, "%s", name);
	} else {
		out->state = otto__lockrec_state(&out->rec, ev);
	}
	return 0;
}

static void free_view(otto__lock_view *out, const char *name)
{
	memset(out, 0, sizeof *out);
	out->state = OTTO_LOCK_FREE;
	out->owner = -1;
	snprintf(out->rec.name, sizeof out->rec.name, "%s", name);
}

int otto__lock_view_read(int dirfd, const char *dir, const char *name, const otto__lock_eval *ev,
			 otto__lock_view *out, otto_error *err)
{
	for (int attempt = 0; attempt < VIEW_RETRIES; attempt++) {
		otto__lock_dirscan scan;
		const otto__lock_gens *g;
		uint64_t gen;
		int rc = otto__lock_dirscan_read(dirfd, dir, name, &scan, err);
		if (rc != OTTO_OK) {
			free_view(out, name);
			return rc;
		}
		g = otto__lock_dirscan_find(&scan, name);
		gen = g && g->count ? g->gens[g->count - 1] : 0;
		otto__lock_dirscan_free(&scan);
		if (gen == 0) {
			free_view(out, name);
			return OTTO_OK;
		}
		rc = otto__lock_view_of(dirfd, name, gen, ev, out);
		if (rc == 0)
			return OTTO_OK;
		if (rc != -ENOENT) {
			char file[OTTO__LOCK_FILE_MAX];
			otto__lock_file_name(file, sizeof file, name, gen);
			free_view(out, name);
			return otto_error_set(err, OTTO_ERROR, "cannot read lock file %s/%s: %s", dir, file,
					      strerror(-rc));
		}
	}
	free_view(out, name);
	return otto_error_set(err, OTTO_ERROR, "lock '%s' in %s keeps changing while being read", name, dir);
}

/* A guard that is not a regular file makes its name corrupt for the lock
 * manager (it cannot take or release the name). */
static bool bad_guard(int dirfd, const otto__lock_gens *g, otto__lock_view *v)
{
	unsigned char type = g->guard_type;
	char file[OTTO__LOCK_FILE_MAX];
	struct stat st;
	if (type == 0 || type == DT_REG)
		return false;
	snprintf(file, sizeof file, "%s" GUARD_SUFFIX, g->name);
	if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISREG(st.st_mode))
		return false; /* gone, or DT_UNKNOWN for a good guard */
	memset(v, 0, sizeof *v);
	v->state = OTTO_LOCK_CORRUPT;
	v->owner = (int64_t)st.st_uid;
	snprintf(v->rec.name, sizeof v->rec.name, "%s", g->name);
	snprintf(v->file, sizeof v->file, "%s", file);
	snprintf(v->why, sizeof v->why, "its guard is %s, not a regular file",
		 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a folder"
													   : "a special file");
	return true;
}

int otto__lock_views_each(int dirfd, const char *dir, const otto__lock_eval *ev, bool guards, otto__lock_view_fn fn,
			  void *ctx, otto_error *err)
{
	otto__lock_dirscan scan, again;
	otto__lock_view view;
	bool *pending = NULL;
	size_t n_pending = 0;
	int rc = otto__lock_dirscan_read(dirfd, dir, NULL, &scan, err);

	if (rc != OTTO_OK)
		return rc;
	pending = calloc(scan.count ? scan.count : 1, sizeof *pending);
	if (!pending) {
		rc = otto_error_set(err, OTTO_ENOMEM, "out of memory reading lock folder %s", dir);
		goto done;
	}
	for (size_t i = 0; i < scan.count && rc == OTTO_OK; i++) {
		const otto__lock_gens *g = &scan.names[i];
		if (guards && bad_guard(dirfd, g, &view)) {
			rc = fn(i, &view, ctx, err);
			continue;
		}
		if (g->count == 0)
			continue;
		int r = otto__lock_view_of(dirfd, g->name, g->gens[g->count - 1], ev, &view);
		if (r == -ENOENT) {
			pending[i] = true;
			n_pending++;
		} else if (r < 0) {
			rc = otto_error_set(err, OTTO_ERROR, "cannot read lock file %s/%s: %s", dir, view.file,
					    strerror(-r));
		} else if (view.state != OTTO_LOCK_FREE) {
			rc = fn(i, &view, ctx, err);
		}
	}
	/* Names whose record vanished under a concurrent change: one more read
	 * of the folder for all of them together, as often as it takes. */
	for (int pass = 0; rc == OTTO_OK && n_pending > 0; pass++) {
		if (pass == VIEW_RETRIES) {
			rc = otto_error_set(err, OTTO_ERROR, "lock folder %s keeps changing while being read", dir);
			break;
		}
		if ((rc = otto__lock_dirscan_read(dirfd, dir, NULL, &again, err)) != OTTO_OK)
			break;
		for (size_t i = 0; i < scan.count && rc == OTTO_OK; i++) {
			if (!pending[i])
				continue;
			const otto__lock_gens *g = otto__lock_dirscan_find(&again, scan.names[i].name);
			if (g && g->count > 0) {
				int r = otto__lock_view_of(dirfd, g->name, g->gens[g->count - 1], ev, &view);
				if (r == -ENOENT)
					continue;
				if (r < 0)
					rc = otto_error_set(err, OTTO_ERROR, "cannot read lock file %s/%s: %s", dir,
							    view.file, strerror(-r));
				else if (view.state != OTTO_LOCK_FREE)
					rc = fn(i, &view, ctx, err);
			}
			pending[i] = false;
			n_pending--;
		}
		otto__lock_dirscan_free(&again);
	}
done:
	free(pending);
	otto__lock_dirscan_free(&scan);
	return rc;
}

/* "lock folder D: D: No such file" says D twice: once is enough. */
static const char *after_dir(const char *dir, const char *why)
{
	size_t n = strlen(dir);
	return strncmp(why, dir, n) == 0 && why[n] == ':' && why[n + 1] == ' ' ? why + n + 2 : why;
}

int otto__lock_dir_open(const char *dir, uid_t uid, int *fd_out, otto_error *err)
{
	char why[1024], real[4096];
	struct stat st;
	int pathfd = -1, fd;
	*fd_out = -1;
	int rc = otto__path_trust_walk(dir, uid, OTTO__TRUST_SYMLINKS, &pathfd, &st, real, why, sizeof why);
	if (rc < 0)
		return otto_error_set(err, OTTO_ERROR, "lock folder %s: %s", dir, after_dir(dir, why));
	if (rc == 0)
		rc = otto__trust_check_folder(real, &st, uid, why, sizeof why);
	if (rc != 0) {
		close(pathfd);
		return otto_error_set(err, OTTO_ERROR, "refusing lock folder %s: %s", dir, why);
	}
	fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(pathfd);
	if (fd < 0)
		return otto_error_set(err, OTTO_ERROR, "cannot open lock folder %s: %s", dir, strerror(e));
	*fd_out = fd;
	return OTTO_OK;
}
