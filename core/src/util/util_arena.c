/*
 * A bump allocator: many small blocks that live and die together, for one
 * allocation per few kilobytes instead of one per field. The registry cache
 * decodes a thousand plugins' records into one (cache/cache_format.c):
 * malloc and free of every string were most of a warm run's work.
 */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384u
#define ARENA_ALIGN 16u

struct otto__arena_block {
	struct otto__arena_block *next;
	size_t used, size;
	/* The data follows, aligned as malloc aligns. */
	_Alignas(16) unsigned char data[];
};

void *otto__arena_alloc(otto__arena *a, size_t size)
{
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	struct otto__arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t want = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
		b = otto__malloc(sizeof *b + want);
		b->used = 0;
		b->size = want;
		/* A block made for one big request goes behind the current
		 * one, which keeps its room for the small ones. */
		if (a->head && want != ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

void otto__arena_free(otto__arena *a)
{
	if (!a)
		return;
	for (struct otto__arena_block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}
