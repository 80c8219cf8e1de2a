/*
 * Fuzz target: the registry cache decoder (a file in the user's cache
 * folder, which anything running as that user, or a crash mid-write, may
 * have changed). Any bytes must decode or be refused as a whole: never a
 * crash, a leak, or an entry that points outside the bytes. A checksum
 * would stop a fuzzer at the header, so each input is tried twice: as it
 * is, and with its header mended (magic, format, ABI, uid, length and
 * checksum made right) to reach the entries. What decodes must encode to
 * bytes that decode to the same entries, and encode to the same bytes
 * again (what is written is what is read).
 *
 * Linked with otto_internal (libotto's objects as a static library: the
 * otto__ entry points are not exported by the shared library).
 */
#include "cache/cache.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Every string of a decoded entry lies in [data, data + len). */
static bool inside(const void *s, const unsigned char *data, size_t len)
{
	const unsigned char *p = s;
	return !s || (p >= data && p < data + len && memchr(p, '\0', (size_t)(data + len - p)));
}

static void check_entries(const otto__cache_entry *e, size_t n, const unsigned char *data, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		const otto__inspection *insp = &e[i].insp;
		if (!e[i].path || !e[i].path[0] || e[i].path_owned || !insp->borrowed || !inside(e[i].path, data, len) ||
		    !inside(insp->detail, data, len) || !inside(insp->plugin_name, data, len) ||
		    !inside(insp->plugin_version, data, len))
			abort();
		if (insp->status == OTTO_PLUGIN_REFUSED || insp->status == OTTO_PLUGIN_DUPLICATE ||
		    (insp->status == OTTO_PLUGIN_LOADED) != (insp->detail == NULL))
			abort();
		for (size_t b = 0; b < insp->n_backends; b++) {
			const otto__backend_entry *be = &insp->backends[b];
			if (!otto__valid_backend_name(be->name) || !inside(be->name, data, len) ||
			    !inside(be->description, data, len))
				abort();
			for (size_t k = 0; k < be->n_keys; k++)
				if (!be->keys[k].key || !inside(be->keys[k].key, data, len) ||
				    !inside(be->keys[k].description, data, len))
					abort();
		}
	}
}

static bool same_bytes(const otto_buf *a, const otto_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Decode; when it decodes, check the entries and the round trip. */
static void try_decode(const unsigned char *data, size_t len)
{
	otto__arena arena = {0};
	otto__cache_entry *entries;
	size_t n;
	if (!otto__cache_decode(data, len, &arena, &entries, &n)) {
		if (entries || n)
			abort(); /* a refusal leaves nothing */
		otto__arena_free(&arena);
		return;
	}
	check_entries(entries, n, data, len);
	otto_buf once = {0}, twice = {0};
	otto__cache_encode(&once, entries, n);
	otto__arena again_arena = {0};
	otto__cache_entry *again;
	size_t m;
	if (!otto__cache_decode((const unsigned char *)once.data, once.len, &again_arena, &again, &m) || m != n)
		abort(); /* what otto writes, otto reads */
	otto__cache_encode(&twice, again, m);
	if (!same_bytes(&once, &twice))
		abort();
	otto__cache_entries_free(again, m);
	otto__arena_free(&again_arena);
	otto__buf_free(&once);
	otto__buf_free(&twice);
	otto__cache_entries_free(entries, n);
	otto__arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_decode(data, size);
	if (size < OTTO__CACHE_HEADER_SIZE)
		return 0;
	unsigned char *mended = malloc(size);
	if (!mended)
		abort();
	memcpy(mended, data, size);
	memcpy(mended, OTTO__CACHE_MAGIC, 8);
	put_u32(mended + 8, OTTO__CACHE_FORMAT);
	put_u32(mended + 12, OTTO_ABI_MAJOR);
	put_u32(mended + 16, OTTO_ABI_MINOR);
	put_u32(mended + 20, (uint32_t)geteuid());
	size_t payload = size - OTTO__CACHE_HEADER_SIZE;
	put_u64(mended + 24, (uint64_t)payload);
	put_u64(mended + 32, otto__cache_checksum(mended + OTTO__CACHE_HEADER_SIZE, payload));
	try_decode(mended, size);
	free(mended);
	return 0;
}
