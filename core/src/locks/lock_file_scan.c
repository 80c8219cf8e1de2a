/*
 * Reading a lock folder: which generations of which names exist, and the
 * current state of a name (its highest generation). Readers take no lock:
 * every record appears whole (written aside, then linked), and a record that
 * vanishes between the scan and the read means a concurrent change, so the
 * reader scans again.
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
#define VIEW_RETRIES 100

void otto__lock_file_name(char *buf, size_t size, const char *name, uint64_t gen)
{
	snprintf(buf, size, "%s" LOCK_INFIX "%" PRIu64, name, gen);
}

/* "NAME.lock.GEN" -> name length and gen; false for any other file. */
static bool split_file_name(const char *file, size_t *name_len, uint64_t *gen)
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
	if (strspn(q, "0123456789") != strlen(q) || q[0] == '0')
		return false;
	errno = 0;
	*gen = strtoull(q, &end, 10);
	if (errno)
		return false;
	*name_len = (size_t)(p - file);
	return true;
}

static int add_gen(otto__lock_dirscan *scan, const char *name, size_t name_len, uint64_t gen)
{
	otto__lock_gens *g = NULL;
	for (size_t i = 0; i < scan->count; i++)
		if (strlen(scan->names[i].name) == name_len && memcmp(scan->names[i].name, name, name_len) == 0)
			g = &scan->names[i];
	if (!g) {
		if (scan->count == scan->cap) {
			size_t cap = scan->cap ? scan->cap * 2 : 8;
			void *p = realloc(scan->names, cap * sizeof *scan->names);
			if (!p)
				return -1;
			scan->names = p;
			scan->cap = cap;
		}
		g = &scan->names[scan->count];
		memset(g, 0, sizeof *g);
		g->name = strndup(name, name_len);
		if (!g->name)
			return -1;
		scan->count++;
	}
	if (g->count == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4;
		void *p = realloc(g->gens, cap * sizeof *g->gens);
		if (!p)
			return -1;
		g->gens = p;
		g->cap = cap;
	}
	g->gens[g->count++] = gen;
	return 0;
}

static int cmp_gen(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const otto__lock_gens *)a)->name, ((const otto__lock_gens *)b)->name);
}

int otto__lock_dirscan_read(int dirfd, const char *dir, const char *only_name, otto__lock_dirscan *out,
			    otto_error *err)
{
	int fd = dup(dirfd);
	DIR *d;
	struct dirent *e;
	size_t only_len = only_name ? strlen(only_name) : 0;

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
		size_t name_len;
		uint64_t gen;
		if (e->d_name[0] == '.' || !split_file_name(e->d_name, &name_len, &gen))
			continue;
		if (only_name && (name_len != only_len || memcmp(e->d_name, only_name, only_len) != 0))
			continue;
		if (add_gen(out, e->d_name, name_len, gen) != 0) {
			closedir(d);
			otto__lock_dirscan_free(out);
			return otto_error_set(err, OTTO_ENOMEM, "out of memory reading lock folder %s", dir);
		}
		errno = 0;
	}
	if (errno) {
		int e0 = errno;
		closedir(d);
		otto__lock_dirscan_free(out);
		return otto_error_set(err, OTTO_ERROR, "cannot read lock folder %s: %s", dir, strerror(e0));
	}
	closedir(d);
	for (size_t i = 0; i < out->count; i++)
		qsort(out->names[i].gens, out->names[i].count, sizeof(uint64_t), cmp_gen);
	if (out->count > 1)
		qsort(out->names, out->count, sizeof *out->names, cmp_names);
	return OTTO_OK;
}

void otto__lock_dirscan_free(otto__lock_dirscan *scan)
{
	for (size_t i = 0; i < scan->count; i++) {
		free(scan->names[i].name);
		free(scan->names[i].gens);
	}
	free(scan->names);
	memset(scan, 0, sizeof *scan);
}

const otto__lock_gens *otto__lock_dirscan_find(const otto__lock_dirscan *scan, const char *name)
{
	for (size_t i = 0; i < scan->count; i++)
		if (strcmp(scan->names[i].name, name) == 0)
			return &scan->names[i];
	return NULL;
}


int otto__lock_view_of(int dirfd, const char *name, uint64_t gen, const otto__lock_eval *ev, otto__lock_view *out)
{
	int rc;
	memset(out, 0, sizeof *out);
	out->gen = gen;
	otto__lock_file_name(out->file, sizeof out->file, name, gen);
	rc = otto__lockrec_read(dirfd, out->file, name, &out->rec, out->why, sizeof out->why);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		out->state = OTTO__LOCK_CORRUPT;
		snprintf(out->rec.name, sizeof out->rec.name, "%s", name);
	} else {
		out->state = otto__lockrec_state(&out->rec, ev);
	}
	return 0;
}

int otto__lock_view_read(int dirfd, const char *dir, const char *name, const otto__lock_eval *ev,
			 otto__lock_view *out, otto_error *err)
{
	for (int attempt = 0; attempt < VIEW_RETRIES; attempt++) {
		otto__lock_dirscan scan;
		const otto__lock_gens *g;
		uint64_t gen;
		int rc = otto__lock_dirscan_read(dirfd, dir, name, &scan, err);
		if (rc != OTTO_OK)
			return rc;
		g = otto__lock_dirscan_find(&scan, name);
		gen = g && g->count ? g->gens[g->count - 1] : 0;
		otto__lock_dirscan_free(&scan);
		if (gen == 0) {
			memset(out, 0, sizeof *out);
			out->state = OTTO__LOCK_FREE;
			snprintf(out->rec.name, sizeof out->rec.name, "%s", name);
			return OTTO_OK;
		}
		rc = otto__lock_view_of(dirfd, name, gen, ev, out);
		if (rc == 0)
			return OTTO_OK;
		if (rc != -ENOENT) {
			char file[OTTO__LOCK_NAME_MAX + 32];
			otto__lock_file_name(file, sizeof file, name, gen);
			return otto_error_set(err, OTTO_ERROR, "cannot read lock file %s/%s: %s", dir, file,
					      strerror(-rc));
		}
	}
	return otto_error_set(err, OTTO_ERROR, "lock '%s' in %s keeps changing while being read", name, dir);
}

int otto__lock_view_read_all(int dirfd, const char *dir, const otto__lock_eval *ev, otto__lock_view **out,
			     size_t *count, otto_error *err)
{
	otto__lock_dirscan scan;
	otto__lock_view *views;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	rc = otto__lock_dirscan_read(dirfd, dir, NULL, &scan, err);
	if (rc != OTTO_OK)
		return rc;
	views = calloc(scan.count ? scan.count : 1, sizeof *views);
	if (!views) {
		otto__lock_dirscan_free(&scan);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory reading lock folder %s", dir);
	}
	for (size_t i = 0; i < scan.count; i++) {
		const otto__lock_gens *g = &scan.names[i];
		rc = otto__lock_view_of(dirfd, g->name, g->gens[g->count - 1], ev, &views[n]);
		if (rc == -ENOENT)
			rc = otto__lock_view_read(dirfd, dir, g->name, ev, &views[n], err);
		else if (rc < 0)
			rc = otto_error_set(err, OTTO_ERROR, "cannot read lock file %s/%s: %s", dir, views[n].file,
					    strerror(-rc));
		if (rc != OTTO_OK) {
			free(views);
			otto__lock_dirscan_free(&scan);
			return rc;
		}
		if (views[n].state != OTTO__LOCK_FREE)
			n++;
	}
	otto__lock_dirscan_free(&scan);
	*out = views;
	*count = n;
	return OTTO_OK;
}

int otto__lock_dir_open(const char *dir, int *fd_out, otto_error *err)
{
	struct stat st;
	int fd;
	*fd_out = -1;
	if (stat(dir, &st) != 0)
		return otto_error_set(err, OTTO_ERROR, "lock folder %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return otto_error_set(err, OTTO_ERROR, "lock folder %s is not a folder", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return otto_error_set(err, OTTO_ERROR, "cannot open lock folder %s: %s", dir, strerror(errno));
	*fd_out = fd;
	return OTTO_OK;
}
