/*
 * Host ids and the id order of each lab, computed on demand and kept with
 * the parsed file: loading a lab again (or every lab once) reuses them, and
 * the hosts reach libotto already in the order it stores them.
 */
#include "lab_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t compute_id(jl_file *f, const jl_host *h)
{
	const char *element = jl_str(f, h->element), *board = jl_str(f, h->board);
	size_t n = otto_host_id(NULL, 0, element, h->element_id, board, h->slot);
	size_t off = f->ids.len;
	ju_reserve((void **)&f->ids.data, &f->ids.cap, f->ids.len + n + 1, 1);
	otto_host_id(f->ids.data + off, n + 1, element, h->element_id, board, h->slot);
	f->ids.len += n + 1;
	return off;
}

static int by_id_then_index(const void *a, const void *b, void *ctx)
{
	const jl_file *f = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(jl_host_id(f, x), jl_host_id(f, y));
	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static void ids_alloc(jl_file *f)
{
	if (f->host_ids)
		return;
	f->host_ids = ju_malloc((f->n_hosts ? f->n_hosts : 1) * sizeof *f->host_ids);
	for (size_t i = 0; i < f->n_hosts; i++)
		f->host_ids[i] = SIZE_MAX;
	f->lab_in_id_order = ju_malloc(f->labs.count ? f->labs.count : 1);
	memset(f->lab_in_id_order, 0, f->labs.count);
}

void jl_compute_all_ids(jl_file *f)
{
	ids_alloc(f);
	for (size_t i = 0; i < f->n_hosts; i++) {
		const jl_host *h = &f->hosts[i];
		if (f->host_ids[i] != SIZE_MAX || h->element == JL_NONE ||
		    otto_host_id(NULL, 0, jl_str(f, h->element), h->element_id, jl_str(f, h->board), h->slot) == 0)
			continue; /* a record without an id: its labs fail to load anyway */
		f->host_ids[i] = compute_id(f, h);
	}
}

void jl_lab_sort_by_id(jl_file *f, uint32_t lab)
{
	ids_alloc(f);
	if (f->lab_in_id_order[lab])
		return;
	uint32_t *first = f->lab_hosts + f->lab_start[lab];
	size_t n = f->lab_start[lab + 1] - f->lab_start[lab];
	for (size_t i = 0; i < n; i++)
		if (f->host_ids[first[i]] == SIZE_MAX)
			f->host_ids[first[i]] = compute_id(f, &f->hosts[first[i]]);
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = by_id_then_index(&first[i - 1], &first[i], f) < 0;
	if (!sorted)
		qsort_r(first, n, sizeof *first, by_id_then_index, f);
	f->lab_in_id_order[lab] = true;
}
