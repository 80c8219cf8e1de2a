/*
 * One reservations.json file, parsed by a yajl streaming pass:
 *   {"version": 1, "reservations": [{"user", "resources", "expires"?}, ...]}
 * Any deviation is an error naming the file (line and column, entry index).
 */
#ifndef JSON_RESERVATIONS_INDEX_H
#define JSON_RESERVATIONS_INDEX_H

#include "jutil.h"

#define JR_NO_EXPIRY INT64_MAX

typedef struct jr_entry {
	uint32_t user;			      /* string offset */
	uint32_t first_resource, n_resources; /* into resources[] */
	int64_t expires;		      /* microseconds since the epoch, JR_NO_EXPIRY when none */
} jr_entry;

typedef struct jr_file {
	ju_file_id id;
	char *text; /* the file's bytes, kept only while the parse is racy */
	size_t text_len;
	char *pool;
	size_t pool_len, pool_cap;
	jr_entry *entries;
	size_t n_entries, entries_cap;
	uint32_t *resources;
	size_t n_resources, resources_cap;
} jr_file;

int jr_file_load(const char *path, jr_file **out, otto_error *err);
/* Drop the text once the parse is no longer racy. */
void jr_file_settle(jr_file *f);
void jr_file_free(jr_file *f);

static inline const char *jr_str(const jr_file *f, uint32_t off)
{
	return f->pool + off;
}

#endif
