/*
 * The completion answer cache (complete_cache.h): the key, the file's
 * format, and reading and writing it under the hostile-file rules.
 *
 * FORMAT (version 1), little-endian:
 *
 *     8 bytes "OTTOCMPL", u32 version, u32 effective uid of the writer,
 *     u64 payload length (the rest of the file, exactly), u64 FNV-1a 64
 *     of the payload; payload: u32 n answers, each
 *     {i64 made (CLOCK_REALTIME, ns), u32 key length, key bytes,
 *      u32 n names, each {u32 length, bytes}}.
 *
 * A file that is not exactly that is ignored as a whole.
 */
#include "complete_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "OTTOCMPL"
#define FORMAT 1u
#define HEADER (8 + 4 + 4 + 8 + 8)
#define DEFAULT_TTL_S 10

typedef struct answer {
	int64_t made_ns;
	unsigned char *key;
	size_t key_len;
	otto_strlist names;
} answer;

/* One process asks a few questions: the file is read once, kept here. */
static struct {
	bool loaded, dirty;
	answer *items;
	size_t n;
} cache;

typedef struct buf {
	unsigned char *data;
	size_t len, cap;
	bool failed;
} buf;

static void put_raw(buf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u32(buf *b, uint32_t v)
{
	unsigned char le[4];
	for (int i = 0; i < 4; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	put_raw(b, le, sizeof le);
}

static void put_u64(buf *b, uint64_t v)
{
	unsigned char le[8];
	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	put_raw(b, le, sizeof le);
}

static void put_str(buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put_u32(b, (uint32_t)n);
	put_raw(b, s ? s : "", n);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ------------------------------------------------------------- key -- */

static long ttl_seconds(void)
{
	const char *v = getenv("OTTO_COMPLETE_CACHE_TTL");
	if (!v || !*v)
		return DEFAULT_TTL_S;
	char *end;
	errno = 0;
	long s = strtol(v, &end, 10);
	/* Anything but a plain count of seconds turns the cache off. */
	return errno || *end || s < 0 || s > 86400 ? 0 : s;
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* What stat says of `path` (following links, as whoever opens it does),
 * or that it is missing and why. */
static void put_stamp(buf *b, const char *path)
{
	struct stat st;
	put_str(b, path);
	if (!path || stat(path, &st) != 0) {
		put_u32(b, 0);
		put_u32(b, (uint32_t)errno);
		return;
	}
	put_u32(b, 1);
	put_u64(b, (uint64_t)st.st_dev);
	put_u64(b, (uint64_t)st.st_ino);
	put_u64(b, (uint64_t)st.st_size);
	put_u64(b, (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec);
	put_u64(b, (uint64_t)st.st_ctim.tv_sec * 1000000000u + (uint64_t)st.st_ctim.tv_nsec);
	put_u32(b, (uint32_t)st.st_mode);
	put_u32(b, (uint32_t)st.st_uid);
}

/* A string setting that names an existing path: a data file, most likely. */
static void put_named_path(buf *b, const char *repo_root, const char *value)
{
	if (!value || !*value)
		return;
	char *path = NULL;
	if (value[0] == '/')
		path = strdup(value);
	else if (repo_root && asprintf(&path, "%s/%s", repo_root, value) < 0)
		path = NULL;
	struct stat st;
	if (path && stat(path, &st) == 0)
		put_stamp(b, path);
	free(path);
}

static void put_config(buf *b, const otto_config *cfg)
{
	for (size_t i = 0; i < cfg->n_settings; i++) {
		const otto_setting *s = &cfg->settings[i];
		if (s->type == OTTO_VALUE_STRING)
			put_named_path(b, cfg->repo_root, s->string);
		for (size_t k = 0; s->type == OTTO_VALUE_ARRAY && k < s->n_items; k++)
			put_named_path(b, cfg->repo_root, s->items[k]);
	}
}

static void put_backend(buf *b, otto_registry *reg, otto_backend_kind kind, const char *name, const otto_config *cfg)
{
	if (!name)
		return;
	const otto_backend_info *info = otto_registry_find(reg, kind, name);
	put_u32(b, (uint32_t)kind);
	put_str(b, name);
	if (!info)
		put_str(b, "(unknown)");
	else if (info->path[0] == '/')
		put_stamp(b, info->path);
	else
		put_str(b, info->path); /* "(built-in)" */
	put_config(b, cfg);
}

bool cli_answer_key_make(otto_cli *cli, const char *query, cli_answer_key *key)
{
	key->data = NULL;
	key->len = 0;
	if (ttl_seconds() == 0)
		return false;
	otto_settings *s = cli_settings(cli);
	otto_registry *reg = s ? cli_registry(cli) : NULL;
	if (!reg)
		return false;
	buf b = {0};
	put_str(&b, "otto complete key 1");
	put_str(&b, OTTO_VERSION);
	put_str(&b, query);
	char *user = otto_current_user(cli->as_user);
	put_str(&b, user);
	free(user);
	put_str(&b, otto_settings_repo_root(s));
	if (otto_settings_path(s))
		put_stamp(&b, otto_settings_path(s));
	else
		put_str(&b, "(no settings file)");
	otto_config cfg;
	const char *lab = otto_settings_lab_backend(s);
	if (lab) {
		otto_settings_backend_config(s, OTTO_KIND_LAB, lab, &cfg);
		put_backend(&b, reg, OTTO_KIND_LAB, lab, &cfg);
	}
	for (size_t i = 0; i < otto_settings_lab_source_count(s); i++) {
		otto_settings_lab_source_config(s, i, &cfg);
		put_str(&b, otto_settings_lab_source_label(s, i));
		put_backend(&b, reg, OTTO_KIND_LAB, otto_settings_lab_source_backend(s, i), &cfg);
	}
	const char *reservations = otto_settings_reservation_backend(s);
	if (reservations) {
		otto_settings_backend_config(s, OTTO_KIND_RESERVATION, reservations, &cfg);
		put_backend(&b, reg, OTTO_KIND_RESERVATION, reservations, &cfg);
	}
	if (b.failed) {
		free(b.data);
		return false;
	}
	key->data = b.data;
	key->len = b.len;
	return true;
}

void cli_answer_key_free(cli_answer_key *key)
{
	free(key->data);
	key->data = NULL;
	key->len = 0;
}

/* ------------------------------------------------------------ file -- */

static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL;
	if (xdg && xdg[0] == '/') {
		if (asprintf(&dir, "%s/otto", xdg) < 0)
			dir = NULL;
	} else if (home && home[0] == '/') {
		if (asprintf(&dir, "%s/.cache/otto", home) < 0)
			dir = NULL;
	}
	return dir;
}

static char *cache_path(const char *dir)
{
	char *path = NULL;
	return dir && asprintf(&path, "%s/complete.cache", dir) >= 0 ? path : NULL;
}

/* Another user able to write the folder could swap the file under us. */
static bool dir_is_ours(const char *dir)
{
	struct stat st;
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

typedef struct reader {
	const unsigned char *p, *end;
	bool bad;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const unsigned char *at = r->p;
	r->p += n;
	return at;
}

static uint64_t get_le(reader *r, size_t n)
{
	const unsigned char *p = take(r, n);
	uint64_t v = 0;
	for (size_t i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void answer_free(answer *a)
{
	free(a->key);
	otto_strlist_free(&a->names);
}

static void forget_all(void)
{
	for (size_t i = 0; i < cache.n; i++)
		answer_free(&cache.items[i]);
	free(cache.items);
	cache.items = NULL;
	cache.n = 0;
	cache.dirty = false;
}

static bool decode_answer(reader *r, answer *a)
{
	memset(a, 0, sizeof *a);
	a->made_ns = (int64_t)get_le(r, 8);
	a->key_len = (size_t)get_le(r, 4);
	const unsigned char *key = take(r, a->key_len);
	uint32_t n = (uint32_t)get_le(r, 4);
	/* Each name takes at least its 4-byte length: a count the rest of the
	 * file cannot hold is a lie. */
	if (r->bad || !a->key_len || n > (size_t)(r->end - r->p) / 4)
		return false;
	a->key = malloc(a->key_len);
	a->names.items = calloc((size_t)n + 1, sizeof *a->names.items);
	if (!a->key || !a->names.items)
		return false;
	memcpy(a->key, key, a->key_len);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = (size_t)get_le(r, 4);
		const unsigned char *s = take(r, len);
		if (!s || memchr(s, '\0', len) || !(a->names.items[i] = strndup((const char *)s, len)))
			return false;
		a->names.count++;
	}
	return true;
}

static void decode(const unsigned char *data, size_t len)
{
	reader r = {data, data + len, false};
	const unsigned char *magic = take(&r, 8);
	uint32_t version = (uint32_t)get_le(&r, 4), uid = (uint32_t)get_le(&r, 4);
	uint64_t payload = get_le(&r, 8), sum = get_le(&r, 8);
	if (r.bad || memcmp(magic, MAGIC, 8) != 0 || version != FORMAT || uid != (uint32_t)geteuid() ||
	    payload != (uint64_t)(r.end - r.p) || sum != fnv1a(r.p, (size_t)payload))
		return;
	uint32_t n = (uint32_t)get_le(&r, 4);
	if (n > CLI_ANSWER_CACHE_ENTRIES || !(cache.items = calloc((size_t)n + 1, sizeof *cache.items)))
		return;
	for (uint32_t i = 0; i < n; i++) {
		bool ok = decode_answer(&r, &cache.items[cache.n]);
		cache.n++;
		if (!ok) {
			forget_all();
			return;
		}
	}
	if (r.p != r.end)
		forget_all(); /* bytes past the end: not a file we wrote */
}

/* Read the file when it is ours alone and sound; else the cache is empty. */
static void load(void)
{
	if (cache.loaded)
		return;
	cache.loaded = true;
	char *dir = cache_dir(), *path = cache_path(dir);
	int fd = path && dir_is_ours(dir) ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1;
	struct stat st;
	unsigned char *data = NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & 077) && st.st_size >= HEADER && (uint64_t)st.st_size <= CLI_ANSWER_CACHE_MAX &&
	    (data = malloc((size_t)st.st_size + 1))) {
		/* One byte more than fstat said: a file that grew meanwhile is
		 * being rewritten under us, and not trusted. */
		size_t want = (size_t)st.st_size + 1, got = 0;
		ssize_t r;
		while (got < want && ((r = read(fd, data + got, want - got)) > 0 || (r < 0 && errno == EINTR)))
			got += r > 0 ? (size_t)r : 0;
		if (got == (size_t)st.st_size)
			decode(data, got);
	}
	free(data);
	if (fd >= 0)
		close(fd);
	free(path);
	free(dir);
}

static bool fresh(const answer *a, int64_t now)
{
	int64_t age = now - a->made_ns;
	return age >= 0 && age <= (int64_t)ttl_seconds() * 1000000000;
}

static bool same_key(const answer *a, const cli_answer_key *key)
{
	return a->key_len == key->len && memcmp(a->key, key->data, key->len) == 0;
}

bool cli_answer_cache_get(const cli_answer_key *key, otto_strlist *names)
{
	names->count = 0;
	names->items = NULL;
	if (!key->data)
		return false;
	load();
	int64_t now = now_ns();
	for (size_t i = 0; i < cache.n; i++) {
		const answer *a = &cache.items[i];
		if (!same_key(a, key) || !fresh(a, now))
			continue;
		names->items = calloc(a->names.count + 1, sizeof *names->items);
		for (size_t k = 0; names->items && k < a->names.count; k++)
			if ((names->items[k] = strdup(a->names.items[k])))
				names->count++;
		return names->items != NULL;
	}
	return false;
}

void cli_answer_cache_put(const cli_answer_key *key, const otto_strlist *names)
{
	if (!key->data)
		return;
	load();
	answer a = {.made_ns = now_ns(), .key = malloc(key->len), .key_len = key->len};
	a.names.items = calloc(names->count + 1, sizeof *a.names.items);
	answer *grown = realloc(cache.items, (cache.n + 1) * sizeof *cache.items);
	if (!a.key || !a.names.items || !grown) {
		answer_free(&a);
		if (grown)
			cache.items = grown;
		return;
	}
	cache.items = grown;
	memcpy(a.key, key->data, key->len);
	for (size_t k = 0; k < names->count; k++)
		if ((a.names.items[a.names.count] = strdup(names->items[k])))
			a.names.count++;
	/* The newest answer for a key replaces the older one. */
	for (size_t i = 0; i < cache.n; i++) {
		if (same_key(&cache.items[i], key)) {
			answer_free(&cache.items[i]);
			cache.items[i] = cache.items[--cache.n];
			break;
		}
	}
	cache.items[cache.n++] = a;
	cache.dirty = true;
}

static void encode(buf *b, int64_t now)
{
	/* The newest answers that are still fresh, up to the cap. */
	size_t keep[CLI_ANSWER_CACHE_ENTRIES], n = 0;
	for (size_t k = 0; k < CLI_ANSWER_CACHE_ENTRIES; k++) {
		size_t best = cache.n;
		for (size_t i = 0; i < cache.n; i++) {
			bool taken = false;
			for (size_t j = 0; j < n; j++)
				taken |= keep[j] == i;
			if (!taken && fresh(&cache.items[i], now) &&
			    (best == cache.n || cache.items[i].made_ns > cache.items[best].made_ns))
				best = i;
		}
		if (best == cache.n)
			break;
		keep[n++] = best;
	}
	buf payload = {0};
	put_u32(&payload, (uint32_t)n);
	for (size_t j = 0; j < n; j++) {
		const answer *a = &cache.items[keep[j]];
		put_u64(&payload, (uint64_t)a->made_ns);
		put_u32(&payload, (uint32_t)a->key_len);
		put_raw(&payload, a->key, a->key_len);
		put_u32(&payload, (uint32_t)a->names.count);
		for (size_t k = 0; k < a->names.count; k++)
			put_str(&payload, a->names.items[k]);
	}
	put_raw(b, MAGIC, 8);
	put_u32(b, FORMAT);
	put_u32(b, (uint32_t)geteuid());
	put_u64(b, payload.len);
	put_u64(b, payload.failed ? 0 : fnv1a(payload.data, payload.len));
	put_raw(b, payload.data, payload.len);
	b->failed |= payload.failed;
	free(payload.data);
}

static bool write_all(int fd, const unsigned char *p, size_t n)
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

void cli_answer_cache_save(void)
{
	char *dir = cache.dirty ? cache_dir() : NULL, *path = cache_path(dir), *tmp = NULL;
	buf b = {0};
	if (!path)
		goto done;
	/* The otto folder (and $XDG_CACHE_HOME above it) made 0700 when missing. */
	if (mkdir(dir, 0700) != 0 && errno == ENOENT) {
		char *parent = strdup(dir), *slash = parent ? strrchr(parent, '/') : NULL;
		if (slash && slash != parent) {
			*slash = '\0';
			(void)mkdir(parent, 0700);
			(void)mkdir(dir, 0700);
		}
		free(parent);
	}
	if (!dir_is_ours(dir))
		goto done;
	encode(&b, now_ns());
	if (b.failed || b.len > CLI_ANSWER_CACHE_MAX || asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		goto done;
	}
	/* mkstemp makes it 0600. No fsync: a torn file after a crash fails its
	 * checksum and is ignored, which costs one worker start. */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		bool ok = write_all(fd, b.data, b.len);
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
done:
	free(b.data);
	free(tmp);
	free(path);
	free(dir);
	forget_all();
	cache.loaded = false;
}
