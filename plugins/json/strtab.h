/*
 * An open-addressing hash table from strings to small integers. Used to
 * intern lab names (100,000 hosts share 1,000 names) and to drop duplicate
 * users and resources in file order.
 *
 * Keys are C strings: they never hold a NUL (the parsers refuse \u0000
 * before interning), so a key and its strlen() are the same thing.
 */
#ifndef JSON_STRTAB_H
#define JSON_STRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct strtab {
	/* Each slot: index+1 into `keys`, 0 when empty. */
	uint32_t *slots;
	size_t n_slots;
	char **keys; /* owned copies, in insertion order */
	size_t count, cap;
} strtab;

/* The index of `key` (len bytes), adding it when absent; *added tells which. */
uint32_t strtab_intern(strtab *t, const char *key, size_t len, bool *added);
/* The index of key, or -1. */
long strtab_find(const strtab *t, const char *key);
void strtab_free(strtab *t);

#endif
