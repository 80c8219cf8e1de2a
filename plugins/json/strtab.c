#include "strtab.h"

#include "jutil.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void grow(strtab *t)
{
	size_t n = t->n_slots ? t->n_slots * 2 : 64;
	uint32_t *slots = memset(ju_malloc(n * sizeof *slots), 0, n * sizeof *slots);
	for (size_t i = 0; i < t->count; i++) {
		size_t j = hash(t->keys[i], strlen(t->keys[i])) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->n_slots = n;
}

static size_t probe(const strtab *t, const char *key, size_t len)
{
	size_t j = hash(key, len) & (t->n_slots - 1);
	while (t->slots[j]) {
		const char *k = t->keys[t->slots[j] - 1];
		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			break;
		j = (j + 1) & (t->n_slots - 1);
	}
	return j;
}

uint32_t strtab_intern(strtab *t, const char *key, size_t len, bool *added)
{
	if ((t->count + 1) * 2 > t->n_slots)
		grow(t);
	size_t j = probe(t, key, len);
	if (t->slots[j]) {
		if (added)
			*added = false;
		return t->slots[j] - 1;
	}
	char *copy = ju_malloc(len + 1);
	memcpy(copy, key, len);
	copy[len] = '\0';
	JU_PUSH(t->keys, t->count, t->cap, copy);
	t->slots[j] = (uint32_t)t->count;
	if (added)
		*added = true;
	return (uint32_t)t->count - 1;
}

long strtab_find(const strtab *t, const char *key)
{
	if (!t->n_slots)
		return -1;
	size_t j = probe(t, key, strlen(key));
	return t->slots[j] ? (long)t->slots[j] - 1 : -1;
}

void strtab_free(strtab *t)
{
	for (size_t i = 0; i < t->count; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->slots);
	memset(t, 0, sizeof *t);
}
