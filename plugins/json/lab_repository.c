/*
 * The `json` lab repository: hosts from one or more lab.json files. A lab
 * is the set of hosts whose `labs` names it, across every file found.
 */
#include "json_plugin.h"

#include "config.h"
#include "lab_files.h"

#include <stdlib.h>
#include <string.h>

typedef struct lab_repo {
	lab_files files;
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
	lab_files_free(&r->files);
	jl_scratch_free(&r->scratch);
	free(r);
}

static int repo_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	lab_repo *r = self;
	int rc = lab_files_refresh(&r->files, err);
	if (rc != OTTO_OK)
		return rc;
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

/* The lab's links: those of every file whose endpoints all name hosts of
 * the lab (members is in id order), in file order. */
static int add_links(lab_repo *r, const member *members, size_t n, otto_lab_out *out, otto_error *err)
{
	int rc = OTTO_OK;
	for (size_t i = 0; i < r->files.n_files && rc == OTTO_OK; i++) {
		const jl_file *f = r->files.files[i];
		for (size_t l = 0; l < f->n_links && rc == OTTO_OK; l++) {
			const jl_link *link = &f->links[l];
			bool ours = true;
			for (uint32_t e = 0; e < link->n_endpoints && ours; e++) {
				const char *host = jl_str(f, f->endpoints[link->first_endpoint + e].host);
				ours = n && bsearch(host, members, n, sizeof *members, by_id_key) != NULL;
			}
			if (!ours)
				continue;
			otto_link view;
			jl_link_view(f, link, &r->scratch, &view);
			rc = otto_lab_out_add_link(out, &view, err);
		}
	}
	return rc;
}

static int repo_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			 otto_error *err)
{
	(void)preferences; /* lab.json hosts have no use for them */
	lab_repo *r = self;
	int rc = lab_files_refresh(&r->files, err);
	if (rc != OTTO_OK)
		return rc;
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
	if (rc == OTTO_OK)
		rc = add_links(r, members, n, out, err);
	free(members);
	return rc;
}

static int repo_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	lab_repo *r = self;
	int rc = lab_files_refresh(&r->files, err);
	const char **labs = NULL;
	size_t labs_cap = 0;
	for (size_t i = 0; i < r->files.n_files && rc == OTTO_OK; i++) {
		const jl_file *f = r->files.files[i];
		for (size_t k = 0; k < f->n_hosts && rc == OTTO_OK; k++) {
			const jl_host *h = &f->hosts[k];
			if (h->error != JL_NONE)
				continue; /* malformed records are skipped, never an error */
			ju_reserve((void **)&labs, &labs_cap, h->n_labs + 1, sizeof *labs);
			for (uint32_t j = 0; j < h->n_labs; j++)
				labs[j] = f->labs.keys[f->host_labs[h->first_lab + j]];
			otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
			s.labs = labs;
			s.n_labs = h->n_labs;
			s.ip = jl_str(f, h->ip);
			s.element = jl_str(f, h->element);
			s.element_id = h->element_id;
			s.board = jl_str(f, h->board);
			s.slot = h->slot;
			s.docker_capable = h->docker_capable;
			rc = otto_summary_out_add(out, &s, err);
		}
	}
	free(labs);
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
