/*
 * The registry cache: what scanning each plugin file found, kept per user
 * between runs, so that a run whose plugin files did not change starts no
 * scan worker at all (issue 13). The registry asks it before scanning a
 * file and tells it every result it may keep (registry.c).
 *
 * WHAT IT TRUSTS. A cached result stands for a file only while the file's
 * path, device, inode, size, mtime (ns), ctime (ns), mode and owner are the
 * ones recorded. ctime cannot be set from user space (touch -d, utimensat
 * and cp -p restore mtime, never ctime), so a file rewritten in place with
 * its size and mtime restored, or replaced by another with the same ones,
 * is scanned again. Plugin trust (registry_trust.c) is checked on every run
 * before the cache is asked: a refused file is never looked up. Loading a
 * backend later still checks the file against the stamp, as after a scan.
 *
 * WHERE. $XDG_CACHE_HOME/otto/plugins.cache, else $HOME/.cache/otto/...
 * (an XDG_CACHE_HOME that is not absolute is ignored, as the XDG spec
 * says). The otto folder is made 0700 when missing. The folder must be
 * a real folder owned by the effective user and writable by nobody else,
 * and the file a regular file (never through a symlink) owned by the
 * effective user, writable by nobody else, at most OTTO__CACHE_MAX bytes;
 * anything else is not read and not written. OTTO_PLUGIN_CACHE=0 (or off,
 * no) turns the cache off.
 *
 * FORMAT (version OTTO__CACHE_FORMAT), little-endian, fields as in util.h's
 * frames (u32, u64, i64, str):
 *
 *     8 bytes  "OTTOPLGC"
 *     u32      format version
 *     u32      ABI major, u32 ABI minor of the libotto that wrote it
 *     u32      the effective uid that wrote it
 *     u64      payload length (the rest of the file, exactly)
 *     u64      checksum of the payload (cache_format.c: FNV-1a's prime
 *              over host-order 8-byte words, then the last bytes)
 *   payload:
 *     str      libotto version ("0.2.0")
 *     u32      n entries, then n x
 *       {str path, u64 dev, u64 ino, i64 size, i64 mtime_ns, i64 ctime_ns,
 *        u32 mode, u32 uid, PLUGIN}
 *     where PLUGIN is the worker protocol's PLUGIN frame payload (worker.h)
 *     with index 0, checked by the same reader as a worker's answer.
 *
 * A file that is not exactly that (another magic, version, ABI, libotto
 * version or uid, a wrong length or checksum, a malformed entry, bytes
 * past the end) is ignored as a whole, and rewritten after the scan.
 * Written to a temporary file in the same folder, fsync'ed, then renamed
 * over the old one: readers see the old file or the new one, never a part;
 * of two writers at once the last rename wins, and both files are whole.
 */
#ifndef OTTO_CACHE_H
#define OTTO_CACHE_H

#include "registry/registry_int.h"

#include <stdbool.h>
#include <stdint.h>

/* 3 since the prepare and renew capabilities (OTTO_BACKEND_CAP_PREPARE,
 * _RENEW): a format-2 file, written by an otto of the same version that
 * did not record them, would show every store as unable to prepare. */
#define OTTO__CACHE_FORMAT 3
#define OTTO__CACHE_MAGIC "OTTOPLGC"
#define OTTO__CACHE_FILE "plugins.cache"
/* The most bytes a cache file may hold, and entries it keeps. */
#define OTTO__CACHE_MAX (8u << 20)
#define OTTO__CACHE_ENTRIES_MAX 4096

/* What a cached result is valid for: the scan's stamp plus the ctime. */
typedef struct otto__cache_key {
	otto__file_stamp stamp;
	int64_t ctime_ns;
} otto__cache_key;

void otto__cache_key_from_stat(otto__cache_key *key, const struct stat *st);

typedef struct otto__cache otto__cache;

/* The cache of this user: read when it is there and sound, else empty.
 * NULL when the cache is turned off (OTTO_PLUGIN_CACHE) or has no home.
 * `read_entries` false: start empty (a rescan), and write everything. */
otto__cache *otto__cache_open(bool read_entries);
void otto__cache_free(otto__cache *c);

/* The result cached for `path` when its key matches exactly, else false.
 * *out is borrowed (otto__inspection.borrowed) from the cache when it was
 * read from the file, and valid as long as the cache is: free it all the
 * same (that only forgets it). *stable_path (may be NULL): the entry's copy
 * of the path, which lives as long as the cache. */
bool otto__cache_lookup(otto__cache *c, const char *path, const otto__cache_key *key, otto__inspection *out,
			const char **stable_path);

/* The cache holds an entry for `path` with exactly this key. */
bool otto__cache_knows(otto__cache *c, const char *path, const otto__cache_key *key);

/* Remember a scan result (replacing what was kept for the path). */
void otto__cache_put(otto__cache *c, const char *path, const otto__cache_key *key, const otto__inspection *insp);

/* Write the cache when something changed. Never fails: a folder that is
 * read-only, full or not ours just means no cache next time. */
void otto__cache_save(otto__cache *c);

/* For tests and messages: the cache file's path (NULL when off), and
 * whether the file read was sound (false: none, or ignored). */
const char *otto__cache_path(const otto__cache *c);
bool otto__cache_was_read(const otto__cache *c);

/* The cache as bytes, and back (cache_format.c). Decoding checks
 * everything above; false leaves *entries empty. A decoded entry borrows:
 * its path and inspection's strings are `data` itself and its arrays come
 * from `arena`, so both must outlive the entries. */
typedef struct otto__cache_entry {
	char *path; /* owned when path_owned, else in the file's bytes */
	otto__cache_key key;
	otto__inspection insp; /* borrowed when read from the file */
	bool used; /* looked up or put in this run */
	bool path_owned;
} otto__cache_entry;

void otto__cache_encode(otto_buf *out, const otto__cache_entry *entries, size_t n);
/* The header's checksum of `n` payload bytes (for the fuzz target, which
 * mends it so as to reach the entries). */
uint64_t otto__cache_checksum(const unsigned char *p, size_t n);
#define OTTO__CACHE_HEADER_SIZE 40
bool otto__cache_decode(const unsigned char *data, size_t len, otto__arena *arena, otto__cache_entry **entries,
			size_t *n);
void otto__cache_entries_free(otto__cache_entry *entries, size_t n);

#endif
