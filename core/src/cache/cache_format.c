/*
 * The registry cache file as bytes (cache.h has the format): encoding, and
 * a decoder that believes nothing and copies nothing: every entry is
 * checked, and its strings stay where they are in the file's bytes, its
 * arrays in one arena (a warm run with a thousand plugins used to spend
 * most of its time in malloc and free here). A cache is a file on disk that anything
 * running as this user, or a crash mid-write on a file system without
 * ordered renames, may have changed: every length is checked, every entry
 * goes through the same reader as a worker's answer, and one fault anywhere
 * discards the whole file.
 */
#include "cache/cache.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER_SIZE (8u + 4u * 4u + 8u + 8u)
_Static_assert(HEADER_SIZE == OTTO__CACHE_HEADER_SIZE, "the header size in cache.h");

/* The payload's checksum: FNV-1a's prime over 8-byte words with a shift
 * mixed in, eight times fewer steps than FNV-1a's bytes (a warm run sums
 * the whole file). Each step is a bijection of the running value, so a
 * change confined to one word always changes the sum. The words are read
 * in the host's byte order: the file never leaves the host that wrote it. */
uint64_t otto__cache_checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

void otto__cache_key_from_stat(otto__cache_key *key, const struct stat *st)
{
	memset(key, 0, sizeof *key);
	otto__stamp_from_stat(&key->stamp, st);
	key->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

void otto__cache_encode(otto_buf *out, const otto__cache_entry *entries, size_t n)
{
	otto_buf payload = {0};
	otto__put_str(&payload, OTTO_VERSION);
	otto__put_u32(&payload, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const otto__cache_entry *e = &entries[i];
		otto__put_str(&payload, e->path);
		otto__put_u64(&payload, e->key.stamp.dev);
		otto__put_u64(&payload, e->key.stamp.ino);
		otto__put_i64(&payload, e->key.stamp.size);
		otto__put_i64(&payload, e->key.stamp.mtime_ns);
		otto__put_i64(&payload, e->key.ctime_ns);
		otto__put_u32(&payload, e->key.stamp.mode);
		otto__put_u32(&payload, e->key.stamp.uid);
		otto__inspection_put(&payload, 0, &e->insp);
	}
	otto__buf_appendn(out, OTTO__CACHE_MAGIC, 8);
	otto__put_u32(out, OTTO__CACHE_FORMAT);
	otto__put_u32(out, OTTO_ABI_MAJOR);
	otto__put_u32(out, OTTO_ABI_MINOR);
	otto__put_u32(out, (uint32_t)geteuid());
	otto__put_u64(out, (uint64_t)payload.len);
	otto__put_u64(out, otto__cache_checksum((const unsigned char *)payload.data, payload.len));
	if (payload.len)
		otto__buf_appendn(out, payload.data, payload.len);
	otto__buf_free(&payload);
}

void otto__cache_entries_free(otto__cache_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (entries[i].path_owned)
			free(entries[i].path);
		otto__inspection_free(&entries[i].insp);
	}
	free(entries);
}

/* One entry of the payload; false on any fault. */
static bool decode_entry(otto__reader *r, otto__arena *arena, otto__cache_entry *e)
{
	memset(e, 0, sizeof *e);
	const char *path = otto__get_str(r);
	e->key.stamp.dev = otto__get_u64(r);
	e->key.stamp.ino = otto__get_u64(r);
	e->key.stamp.size = otto__get_i64(r);
	e->key.stamp.mtime_ns = otto__get_i64(r);
	e->key.ctime_ns = otto__get_i64(r);
	e->key.stamp.mode = otto__get_u32(r);
	e->key.stamp.uid = otto__get_u32(r);
	if (r->bad || !path || !*path)
		return false;
	e->path = (char *)path; /* the file's bytes, as the record's strings */
	/* The PLUGIN reader wants a reader of its own that ends with the
	 * entry: read it in place, then carry on after what it consumed. */
	uint32_t index;
	otto__reader sub = *r;
	if (!otto__inspection_get_part(&sub, &index, &e->insp, arena) || index != 0)
		return false;
	/* What a scan never keeps is not believed from a file either. */
	if (e->insp.status == OTTO_PLUGIN_REFUSED || e->insp.status == OTTO_PLUGIN_DUPLICATE)
		return false;
	*r = sub;
	return true;
}

bool otto__cache_decode(const unsigned char *data, size_t len, otto__arena *arena, otto__cache_entry **entries,
			size_t *n)
{
	*entries = NULL;
	*n = 0;
	if (len < HEADER_SIZE || memcmp(data, OTTO__CACHE_MAGIC, 8) != 0)
		return false;
	otto__frame header = {0, 0, data + 8, HEADER_SIZE - 8};
	otto__reader r;
	otto__reader_init(&r, &header);
	uint32_t format = otto__get_u32(&r);
	uint32_t abi_major = otto__get_u32(&r);
	uint32_t abi_minor = otto__get_u32(&r);
	uint32_t uid = otto__get_u32(&r);
	uint64_t payload_len = otto__get_u64(&r);
	uint64_t sum = otto__get_u64(&r);
	if (!otto__reader_done(&r) || format != OTTO__CACHE_FORMAT || abi_major != OTTO_ABI_MAJOR ||
	    abi_minor != OTTO_ABI_MINOR || uid != (uint32_t)geteuid() || payload_len != len - HEADER_SIZE ||
	    sum != otto__cache_checksum(data + HEADER_SIZE, len - HEADER_SIZE))
		return false;
	otto__frame payload = {0, 0, data + HEADER_SIZE, len - HEADER_SIZE};
	otto__reader_init(&r, &payload);
	const char *version = otto__get_str(&r);
	/* An entry takes at least 60 bytes. */
	uint32_t count = otto__get_count(&r, 60);
	if (r.bad || !version || strcmp(version, OTTO_VERSION) != 0 || count > OTTO__CACHE_ENTRIES_MAX)
		return false;
	otto__cache_entry *list = otto__calloc(count + 1, sizeof *list);
	size_t got = 0;
	bool ok = true;
	for (uint32_t i = 0; i < count && ok; i++) {
		ok = decode_entry(&r, arena, &list[i]);
		got = i + 1;
	}
	if (!ok || !otto__reader_done(&r)) {
		otto__cache_entries_free(list, got);
		return false;
	}
	*entries = list;
	*n = count;
	return true;
}
