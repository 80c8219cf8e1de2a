/*
 * The `json` lab repository: hosts from one or more lab.json files. A lab
 * is the set of hosts whose `labs` names it, across every file found.
 * Listings (list_labs, host summaries) skip a file that does not parse and
 * say which and why, as upstream's skip it; loading any lab fails on it,
 * as upstream's load does (so the reservation check fails closed).
 */
#include "json_plugin.h"

#include "config.h"
#include "lab_files.h"
#include "lab_links.h"

#include <stdlib.h>
#include <string.h>

typedef struct lab_repo {
	lab_files files;
	lab_addressing addressing;
	jl_scratch scratch;
} lab_repo;

static int repo_create(const otto_config *config, void **self, otto_error *err)
{
	lab_repo *r = memset(ju_malloc(sizeof *r), 0, sizeof *r);
	int rc = json_config_lab_paths(config, &r->files.paths, err);
	if (rc != OTTO_OK) {
		free(r);
		return rc;
	}
	*self = r;
	return OTTO_OK;
}

static void repo_destroy(void *self)
{
	lab_repo *r = self;
	lab_addressing_free(&r->addressing);
	lab_files_free(&r->files);
	jl_scratch_free(&r->scratch);
	free(r);
}

/* Listings go on without a file that does not parse, and say so. */
static void warn_broken(const lab_files *lf, otto_string_out *list_out, otto_summary_out *summary_out)
{
	for (size_t i = 0; i < lf->n_broken; i++) {
		char *msg = ju_asprintf("skipped lab file %s, which does not parse (%s); loading any lab fails until it is "
					"fixed",
					lf->broken[i].path, lf->broken[i].error);
		if (list_out)
			otto_string_out_warn(list_out, msg);
		else
			otto_summary_out_warn(summary_out, msg);
		free(msg);
	}
}

static int repo_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	lab_repo *r = self;
	int rc = lab_files_refresh(&r->files, err);
	if (rc != OTTO_OK)
		return rc;
	warn_broken(&r->files, out, NULL);
	strtab all = {0};
	for (size_t i = 0; i < r->files.n_files; i++) {
		const jl_file *f = r->files.files[i];
		for (size_t k = 0; k < f->labs.count; k++)
			strtab_intern(&all, f->labs.keys[k], strlen(f->labs.keys[k]), NULL);
	}
	char **names = ju_malloc((all.count ? all.count : 1) * sizeof *names);
	if (all.count) /* a file without labs: keys is NULL, which memcpy may not be given */
		memcpy(names, all.keys, all.count * sizeof *names);
	qsort(names, all.count, sizeof *names, json_compare_strings);
	for (size_t i = 0; i < all.count && rc == OTTO_OK; i++)
		rc = otto_string_out_add(out, names[i], err);
	free(names);
	strtab_free(&all);
	return rc;
}

typedef struct member {
	const char *id; /* the file's cached id */
	const jl_file *file;
	uint32_t host;
	size_t file_order;
} member;

static int by_id_then_order(const void *a, const void *b)
{
	const member *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	if (x->file_order != y->file_order)
		return x->file_order < y->file_order ? -1 : 1;
	return x->host < y->host ? -1 : x->host > y->host;
}

static char *describe(const member *m)
{
	return ju_asprintf("%s:%u hosts[%u]", m->file->path, jl_host_line(m->file, &m->file->hosts[m->host]), m->host);
}

/* The first bad record of the lab, in file order, as its error. */
static const char *lab_error(const jl_file *f, long lab)
{
	for (uint32_t j = f->lab_start[lab]; j < f->lab_start[lab + 1]; j++) {
		const jl_host *h = &f->hosts[f->lab_hosts[j]];
		if (h->error != JL_NONE)
			return jl_str(f, h->error);
	}
	return NULL;
}

/* Every host of the lab across the files, in id order (ties: file order). */
static int collect_members(lab_repo *r, const char *name, member **out, size_t *n_out, otto_error *err)
{
	member *members = NULL;
	size_t n = 0, cap = 0, files_used = 0;
	*out = NULL;
	*n_out = 0;
	if (r->files.n_broken) /* upstream's load_lab reads every file and fails on this one */
		return otto_error_set(err, OTTO_ERROR, "cannot load lab '%s': %s", name, r->files.broken[0].error);
	for (size_t i = 0; i < r->files.n_files; i++) {
		jl_file *f = r->files.files[i];
		if (f->poison) {
			free(members);
			return otto_error_set(err, OTTO_ERROR, "cannot load lab '%s': %s", name, f->poison);
		}
		long lab = strtab_find(&f->labs, name);
		if (lab < 0)
			continue;
		files_used++;
		/* Once sorted, a lab has no bad record (the parse is immutable), so
		 * only the first load scans for one, in file order. */
		const char *bad = f->lab_in_id_order && f->lab_in_id_order[lab] ? NULL : lab_error(f, lab);
		if (bad) {
			free(members);
			return otto_error_set(err, OTTO_ERROR, "cannot load lab '%s': %s", name, bad);
		}
		jl_lab_sort_by_id(f, (uint32_t)lab);
		size_t count = f->lab_start[lab + 1] - f->lab_start[lab];
		ju_reserve((void **)&members, &cap, n + count, sizeof *members);
		for (uint32_t j = f->lab_start[lab]; j < f->lab_start[lab + 1]; j++) {
			uint32_t host = f->lab_hosts[j];
			members[n++] = (member){jl_host_id(f, host), f, host, i};
		}
	}
	if (files_used == 0) {
		free(members);
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab '%s' in the lab files (%zu file%s read)", name,
				      r->files.n_files, r->files.n_files == 1 ? "" : "s");
	}
	if (files_used > 1)
		qsort(members, n, sizeof *members, by_id_then_order);
	*out = members;
	*n_out = n;
	return OTTO_OK;
}

static int by_id_key(const void *key, const void *m)
{
	return strcmp(key, ((const member *)m)->id);
}

typedef struct members_view {
	const member *items;
	size_t n;
} members_view;

static bool in_lab(const char *id, void *ctx)
{
	const members_view *v = ctx;
	return v->n && bsearch(id, v->items, v->n, sizeof *v->items, by_id_key) != NULL;
}

static int repo_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			 otto_error *err)
{
	(void)preferences; /* lab.json hosts have no use for them */
	lab_repo *r = self;
	int rc = lab_files_refresh(&r->files, err);
	if (rc != OTTO_OK)
		return rc;
	lab_addressing_refresh(&r->addressing, &r->files);
	member *members;
	size_t n;
	rc = collect_members(r, name, &members, &n, err);
	if (rc != OTTO_OK)
		return rc;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(members[i - 1].id, members[i].id) == 0) {
			char *a = describe(&members[i - 1]), *b = describe(&members[i]);
			otto_error_set(err, OTTO_ERROR, "cannot load lab '%s': duplicate host id '%s': %s and %s", name,
				       members[i].id, a, b);
			free(a);
			free(b);
			free(members);
			return OTTO_ERROR;
		}
	}
	/* Hosts are added in id order: libotto stores them so. A lab's records
	 * lie far apart in a big file, so the text the next ones pass through
	 * is fetched ahead. */
	for (size_t i = 0; i < n && i < 4; i++)
		jl_host_prefetch(members[i].file, &members[i].file->hosts[members[i].host]);
	for (size_t i = 0; i < n && rc == OTTO_OK; i++) {
		if (i + 4 < n)
			jl_host_prefetch(members[i + 4].file, &members[i + 4].file->hosts[members[i + 4].host]);
		otto_host h;
		jl_host_view(members[i].file, &members[i].file->hosts[members[i].host], &r->scratch, &h);
		rc = otto_lab_out_add_host(out, &h, err);
	}
	members_view view = {members, n};
	if (rc == OTTO_OK)
		rc = lab_links_add(&r->files, &r->addressing, name, in_lab, &view, &r->scratch, out, err);
	free(members);
	return rc;
}

/* One summary per host id across the files, as upstream merges them: the
 * first valid record's fields, the labs of every record with that id
 * (first seen first), sorted by id. Invalid records are skipped. */
typedef struct summary {
	const char *id;
	const jl_file *file;
	uint32_t host;
	uint32_t first_lab, n_labs; /* into the labs array */
} summary;

static int by_summary_id(const void *a, const void *b)
{
	return strcmp(((const summary *)a)->id, ((const summary *)b)->id);
}

static int repo_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	lab_repo *r = self;
	int rc = lab_files_refresh(&r->files, err);
	if (rc != OTTO_OK)
		return rc;
	warn_broken(&r->files, NULL, out);
	strtab ids = {0};
	summary *sums = NULL;
	size_t sums_cap = 0;
	/* Each summary's labs, as lists chained through next (built in order). */
	typedef struct lab_item {
		const char *name;
		uint32_t next;
	} lab_item;
	lab_item *items = NULL;
	size_t n_items = 0, items_cap = 0;
	uint32_t *last = NULL;
	size_t last_cap = 0;
	for (size_t i = 0; i < r->files.n_files; i++) {
		jl_file *f = r->files.files[i];
		jl_compute_all_ids(f);
		for (uint32_t k = 0; k < f->n_hosts; k++) {
			const jl_host *h = &f->hosts[k];
			if (h->error != JL_NONE || f->host_ids[k] == SIZE_MAX)
				continue; /* malformed records are skipped, never an error */
			const char *id = jl_host_id(f, k);
			bool added;
			uint32_t s = strtab_intern(&ids, id, strlen(id), &added);
			if (added) {
				ju_reserve((void **)&sums, &sums_cap, s + 1, sizeof *sums);
				ju_reserve((void **)&last, &last_cap, s + 1, sizeof *last);
				sums[s] = (summary){ids.keys[s], f, k, JL_NONE, 0};
				last[s] = JL_NONE;
			}
			for (uint32_t j = 0; j < h->n_labs; j++) {
				const char *lab = f->labs.keys[f->host_labs[h->first_lab + j]];
				bool dup = false;
				for (uint32_t it = sums[s].first_lab; it != JL_NONE && !dup; it = items[it].next)
					dup = strcmp(items[it].name, lab) == 0;
				if (dup)
					continue;
				JU_PUSH(items, n_items, items_cap, ((lab_item){lab, JL_NONE}));
				uint32_t at = (uint32_t)(n_items - 1);
				if (last[s] == JL_NONE)
					sums[s].first_lab = at;
				else
					items[last[s]].next = at;
				last[s] = at;
				sums[s].n_labs++;
			}
		}
	}
	size_t n = ids.count;
	if (n) /* sums is NULL when no record builds a host */
		qsort(sums, n, sizeof *sums, by_summary_id);
	const char **labs = NULL;
	size_t labs_cap = 0;
	for (size_t i = 0; i < n && rc == OTTO_OK; i++) {
		const summary *sm = &sums[i];
		const jl_host *h = &sm->file->hosts[sm->host];
		ju_reserve((void **)&labs, &labs_cap, sm->n_labs + 1, sizeof *labs);
		size_t j = 0;
		for (uint32_t it = sm->first_lab; it != JL_NONE; it = items[it].next)
			labs[j++] = items[it].name;
		otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
		s.id = sm->id;
		s.labs = labs;
		s.n_labs = sm->n_labs;
		s.ip = jl_str(sm->file, h->ip);
		s.element = jl_str(sm->file, h->element);
		s.element_id = h->element_id;
		s.board = jl_str(sm->file, h->board);
		s.slot = h->slot;
		s.docker_capable = h->docker_capable;
		rc = otto_summary_out_add(out, &s, err);
	}
	free(labs);
	free(sums);
	free(items);
	free(last);
	strtab_free(&ids);
	return rc;
}

const otto_lab_repository_type json_lab_repository = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "json",
    .description = "hosts from lab.json files (upstream format)",
    .create = repo_create,
    .destroy = repo_destroy,
    .list_labs = repo_list_labs,
    .load_lab = repo_load_lab,
    .list_host_summaries = repo_summaries,
};
