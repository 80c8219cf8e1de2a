/*
 * The registry cache in use (cache.h): where this user's cache lives, which
 * folder and file may be read or written at all, the entries of one run
 * (a hash table on the path, so that a warm run with many plugins costs one
 * lookup per file), and the atomic write. Nothing here ever fails a
 * command: a cache that cannot be read is an empty one, a cache that cannot
 * be written is none next time.
 */
#include "cache/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct otto__cache {
	char *dir;  /* $XDG_CACHE_HOME/otto */
	char *path; /* dir/plugins.cache */
	/* The file as read (entries read from it borrow its bytes) and the
	 * arena their arrays are in: both live as long as the cache. */
	char *data;
	otto__arena arena;
	otto__cache_entry *entries;
	size_t n, cap;
	size_t *slots; /* open addressing: index + 1, 0 empty */
	size_t n_slots;
	bool read_ok, dirty;
};

static bool cache_turned_off(void)
{
	const char *v = getenv("OTTO_PLUGIN_CACHE");
	return v && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0);
}

/* $XDG_CACHE_HOME/otto, else $HOME/.cache/otto; NULL when neither is an
 * absolute path (the XDG spec: relative values are ignored). */
static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return otto__path_join(xdg, "otto");
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return otto__asprintf("%s/.cache/otto", home);
	return NULL;
}

/* The folder is ours alone: a real folder (not a link), owned by the
 * effective user, writable by nobody else. Else another user could swap
 * the file under us (rename in a folder they may write). */
static bool dir_is_ours(const char *dir)
{
	struct stat st;
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* Eight bytes a step: paths are long, and a warm run hashes each a few
 * times. */
static uint64_t hash_path(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h ^ (h >> 32);
}

/* The slot of `path`: where it is, or the empty slot where it would go. */
static size_t *slot_of(const otto__cache *c, const char *path)
{
	size_t mask = c->n_slots - 1;
	for (size_t i = (size_t)hash_path(path) & mask;; i = (i + 1) & mask) {
		size_t *s = &c->slots[i];
		if (*s == 0 || strcmp(c->entries[*s - 1].path, path) == 0)
			return s;
	}
}

static void rehash(otto__cache *c)
{
	size_t want = 16;
	while (want < (c->n + 1) * 2)
		want *= 2;
	if (want <= c->n_slots)
		return;
	free(c->slots);
	c->slots = otto__calloc(want, sizeof *c->slots);
	c->n_slots = want;
	for (size_t i = 0; i < c->n; i++) {
		size_t *s = slot_of(c, c->entries[i].path);
		if (*s == 0) /* a repeated path in a file: the first counts */
			*s = i + 1;
	}
}

static void read_cache(otto__cache *c)
{
	char *data = NULL, why[256];
	size_t len = 0;
	if (otto__read_private_file(c->path, OTTO__CACHE_MAX, &data, &len, why, sizeof why) != 0)
		return; /* none, or not one to trust: rebuilt after the scan */
	otto__cache_entry *entries;
	size_t n;
	if (otto__cache_decode((const unsigned char *)data, len, &c->arena, &entries, &n)) {
		c->data = data;
		c->entries = entries;
		c->n = c->cap = n;
		c->read_ok = true;
		return;
	}
	otto__arena_free(&c->arena);
	free(data);
}

otto__cache *otto__cache_open(bool read_entries)
{
	if (cache_turned_off())
		return NULL;
	char *dir = cache_dir();
	if (!dir)
		return NULL;
	otto__cache *c = otto__calloc(1, sizeof *c);
	c->dir = dir;
	c->path = otto__path_join(dir, OTTO__CACHE_FILE);
	if (read_entries && dir_is_ours(dir))
		read_cache(c);
	/* Written back when anything it held is not confirmed by this run,
	 * or it was not sound (or a rescan). */
	c->dirty = !c->read_ok;
	rehash(c);
	return c;
}

void otto__cache_free(otto__cache *c)
{
	if (!c)
		return;
	otto__cache_entries_free(c->entries, c->n);
	otto__arena_free(&c->arena);
	free(c->data);
	free(c->slots);
	free(c->dir);
	free(c->path);
	free(c);
}

static bool same_key(const otto__cache_key *a, const otto__cache_key *b)
{
	return otto__stamp_equal(&a->stamp, &b->stamp) && a->ctime_ns == b->ctime_ns;
}

bool otto__cache_knows(otto__cache *c, const char *path, const otto__cache_key *key)
{
	if (!c)
		return false;
	size_t *s = slot_of(c, path);
	return *s != 0 && same_key(&c->entries[*s - 1].key, key);
}

bool otto__cache_lookup(otto__cache *c, const char *path, const otto__cache_key *key, otto__inspection *out,
			const char **stable_path)
{
	if (!c)
		return false;
	size_t *s = slot_of(c, path);
	if (*s == 0)
		return false;
	otto__cache_entry *e = &c->entries[*s - 1];
	if (!same_key(&e->key, key))
		return false;
	e->used = true;
	/* Read from the file: lent as it is (nothing to copy, nothing to
	 * free). Put in this run: a copy, since a later put replaces it. */
	if (e->insp.borrowed)
		*out = e->insp;
	else
		otto__inspection_copy(out, &e->insp);
	if (stable_path)
		*stable_path = e->path;
	return true;
}

void otto__cache_put(otto__cache *c, const char *path, const otto__cache_key *key, const otto__inspection *insp)
{
	if (!c)
		return;
	size_t *s = slot_of(c, path);
	otto__cache_entry *e;
	if (*s) {
		e = &c->entries[*s - 1];
		otto__inspection_free(&e->insp);
	} else {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->entries = otto__realloc(c->entries, c->cap * sizeof *c->entries);
		}
		e = &c->entries[c->n++];
		memset(e, 0, sizeof *e);
		e->path = otto__strdup(path);
		e->path_owned = true;
		rehash(c);
		/* The table may have grown: find the slot again. */
		s = slot_of(c, path);
		*s = c->n;
	}
	e->key = *key;
	e->used = true;
	otto__inspection_copy(&e->insp, insp);
	c->dirty = true;
}

const char *otto__cache_path(const otto__cache *c)
{
	return c ? c->path : NULL;
}

bool otto__cache_was_read(const otto__cache *c)
{
	return c && c->read_ok;
}

/* mkdir -p for the last two levels ($XDG_CACHE_HOME and its otto), 0700. */
static void make_dir(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno != ENOENT)
		return;
	char *parent = otto__strdup(dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		(void)mkdir(parent, 0700);
		(void)mkdir(dir, 0700);
	}
	free(parent);
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

void otto__cache_save(otto__cache *c)
{
	if (!c || !c->dirty)
		return;
	make_dir(c->dir);
	if (!dir_is_ours(c->dir))
		return;
	/* What this run used first, then what it kept for other searches, up
	 * to the cap (so that two programs with other plugin folders do not
	 * throw away each other's entries). */
	otto__cache_entry *keep = otto__calloc(c->n + 1, sizeof *keep);
	size_t k = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->n && k < OTTO__CACHE_ENTRIES_MAX; i++)
			if (c->entries[i].used == (pass == 0) && *slot_of(c, c->entries[i].path) == i + 1)
				keep[k++] = c->entries[i]; /* (a path repeated in a file once) */
	otto_buf out = {0};
	otto__cache_encode(&out, keep, k);
	free(keep); /* shallow: the entries still own their data */
	if (out.len > OTTO__CACHE_MAX) {
		otto__buf_free(&out);
		return;
	}
	char *tmp = otto__asprintf("%s.XXXXXX", c->path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		/* mkstemp makes it 0600; fsync before the rename, so a crash
		 * leaves the old file or the whole new one. */
		bool ok = write_all(fd, out.data, out.len) && fsync(fd) == 0;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, c->path) != 0)
			unlink(tmp);
		else
			c->dirty = false;
	}
	free(tmp);
	otto__buf_free(&out);
}
