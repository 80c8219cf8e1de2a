/*
 * A lab repository instance: a plugin's otto_lab_repository_type plus the
 * `self` its create() made. Every answer is copied out of plugin memory, and
 * every plugin failure is reported as "lab backend '<name>': ...".
 */
#include "backends/backends.h"
#include "registry/registry.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* A host-sized copy of `src` in which fields past its struct_size are NULL. */
static otto_lab_repository_type read_type(const otto_lab_repository_type *src)
{
	otto_lab_repository_type t;
	memset(&t, 0, sizeof t);
	size_t n = src->struct_size;
#define TAKE(field)                                                                                                    \
	if (OTTO__HAS_FIELD(n, otto_lab_repository_type, field))                                                       \
	t.field = src->field
	TAKE(name);
	TAKE(description);
	TAKE(create);
	TAKE(destroy);
	TAKE(list_labs);
	TAKE(load_lab);
	TAKE(list_host_summaries);
	TAKE(settings_keys);
#undef TAKE
	t.struct_size = sizeof t;
	return t;
}

static int open_named(otto_lab_repository **out, const otto_lab_repository_type *type, const char *name,
		      const char *plugin_path, const otto_config *config, otto_error *err)
{
	*out = NULL;
	if (!type)
		return otto_error_set(err, OTTO_EINVALID, "no lab backend type given");
	otto_lab_repository_type t = read_type(type);
	if (!name)
		name = t.name;
	if (!name || !name[0])
		return otto_error_set(err, OTTO_EPLUGIN, "a lab backend type has no name");
	otto__backend_handle h;
	int rc = otto__backend_handle_create(&h, OTTO_KIND_LAB, name, plugin_path, t.create, config, err);
	if (rc != OTTO_OK)
		return rc;
	otto_lab_repository *repo = otto__calloc(1, sizeof *repo);
	repo->h = h;
	repo->type = t;
	*out = repo;
	return OTTO_OK;
}

/* A backend in its own worker, behind the proxy type. */
static int open_remote(otto_lab_repository **out, otto_registry *reg, const char *name, const otto_config *config,
		       otto_error *err)
{
	otto__backend_handle h;
	int rc = otto__backend_handle_open_remote(&h, reg, OTTO_KIND_LAB, name, config, err);
	if (rc != OTTO_OK)
		return rc;
	otto_lab_repository *repo = otto__calloc(1, sizeof *repo);
	repo->h = h;
	repo->type = otto__remote_lab_type;
	if (!(otto__remote_caps(h.remote) & OTTO__CAP_SUMMARIES))
		repo->type.list_host_summaries = NULL;
	*out = repo;
	return OTTO_OK;
}

OTTO_API int otto_lab_repository_open(otto_lab_repository **out, otto_registry *reg, const char *name,
				      const otto_config *config, otto_error *err)
{
	*out = NULL;
	int rc = otto__backend_handle_check(reg, OTTO_KIND_LAB, name, config, err);
	if (rc != OTTO_OK)
		return rc;
	if (otto__backend_handle_in_worker(reg, OTTO_KIND_LAB, name))
		return open_remote(out, reg, name, config, err);
	const otto_lab_repository_type *type = NULL;
	rc = otto__registry_lab_type(reg, name, &type, err);
	if (rc != OTTO_OK)
		return rc;
	return open_named(out, type, name, otto__registry_plugin_path(reg, OTTO_KIND_LAB, name), config, err);
}

OTTO_API int otto_lab_repository_open_type(otto_lab_repository **out, const otto_lab_repository_type *type,
					   const otto_config *config, otto_error *err)
{
	return open_named(out, type, NULL, NULL, config, err);
}

OTTO_API int otto_lab_repository_close(otto_lab_repository *repo, otto_error *err)
{
	if (!repo)
		return OTTO_OK;
	int rc = otto__backend_handle_close(&repo->h, repo->type.destroy, err);
	free(repo);
	return rc;
}

OTTO_API void otto_lab_repository_free(otto_lab_repository *repo)
{
	otto_error err;
	if (otto_lab_repository_close(repo, &err) != OTTO_OK)
		otto__warn("%s", err.message);
}

OTTO_API const char *otto_lab_repository_name(const otto_lab_repository *repo)
{
	return repo ? repo->h.name : NULL;
}

OTTO_API int otto_lab_repository_list_labs(otto_lab_repository *repo, otto_strlist *out, otto_error *err)
{
	out->count = 0;
	out->items = NULL;
	if (!repo->type.list_labs)
		return otto_error_set(err, OTTO_EPLUGIN, "lab backend '%s' does not provide list_labs", repo->h.name);
	otto__call call;
	otto__call_init(&call, "lab", repo->h.name, repo->h.plugin_path, "list_labs");
	otto__string_collector c;
	otto__string_collector_init(&c, &call);
	otto__call_begin(&call);
	int status = repo->type.list_labs(repo->h.self, &c.out, &call.plugin_err);
	otto__call_end(&call);
	int rc = otto__call_result(&call, status, false, OTTO_ERROR, err);
	if (rc != OTTO_OK) {
		otto_strlist_free(&c.list);
		return rc;
	}
	*out = c.list;
	return OTTO_OK;
}

OTTO_API int otto_lab_repository_load_lab(otto_lab_repository *repo, const char *name,
					  const otto_config *preferences, otto_lab **out, otto_error *err)
{
	*out = NULL;
	if (!name)
		return otto_error_set(err, OTTO_EINVALID, "load_lab needs a lab name");
	return otto__lab_build(repo, name, preferences, out, err);
}

OTTO_API bool otto_lab_repository_has_summaries(const otto_lab_repository *repo)
{
	return repo && repo->type.list_host_summaries != NULL;
}

OTTO_API int otto_lab_repository_list_host_summaries(otto_lab_repository *repo, otto_summary_list *out,
						     otto_error *err)
{
	return otto__summaries_collect(repo, out, err);
}

/* ------------------------------------------- summaries by loading labs -- */

static int cmp_summary(const void *a, const void *b)
{
	const otto_summary_rec *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	/* Each entry names its one lab so far; ties keep lab order. */
	return c ? c : strcmp(x->labs.items[0], y->labs.items[0]);
}

static void push_summary(otto_summary_list *list, size_t *cap, const otto_host_rec *host, const char *lab)
{
	if (list->count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		list->items = otto__realloc(list->items, *cap * sizeof *list->items);
	}
	otto_summary_rec *rec = &list->items[list->count++];
	memset(rec, 0, sizeof *rec);
	rec->id = otto__strdup(host->id);
	otto__strlist_push(&rec->labs, lab);
	rec->ip = otto__strdup(host->ip);
	rec->element = otto__strdup(host->element);
	rec->element_id = host->element_id;
	rec->docker_capable = host->docker_capable;
}

/* One entry per id, with every lab that holds it (the first lab's record
 * gives ip, element ...). */
static void merge_by_id(otto_summary_list *list)
{
	if (list->count == 0)
		return;
	qsort(list->items, list->count, sizeof *list->items, cmp_summary);
	size_t w = 0;
	for (size_t r = 1; r < list->count; r++) {
		otto_summary_rec *keep = &list->items[w], *next = &list->items[r];
		if (strcmp(keep->id, next->id) == 0) {
			for (size_t i = 0; i < next->labs.count; i++)
				otto__strlist_push(&keep->labs, next->labs.items[i]);
			otto__summary_rec_clear(next);
		} else {
			list->items[++w] = *next;
		}
	}
	list->count = w + 1;
	for (size_t i = 0; i < list->count; i++)
		otto__strlist_sort_unique(&list->items[i].labs);
}

static int summaries_from_labs(otto_lab_repository *repo, otto_summary_list *out, otto_error *err)
{
	otto_strlist labs;
	int rc = otto_lab_repository_list_labs(repo, &labs, err);
	if (rc != OTTO_OK)
		return rc;
	otto__strlist_sort_unique(&labs);

	otto_summary_list all = {0, NULL};
	size_t cap = 0;
	for (size_t i = 0; i < labs.count; i++) {
		otto_lab *lab = NULL;
		otto_error lab_err;
		rc = otto_lab_repository_load_lab(repo, labs.items[i], NULL, &lab, &lab_err);
		if (rc != OTTO_OK) {
			otto_error_set(err, rc == OTTO_ENOTFOUND ? OTTO_ERROR : rc,
				       "lab backend '%s' lists lab '%s' but cannot load it: %s", repo->h.name,
				       labs.items[i], lab_err.message);
			rc = rc == OTTO_ENOTFOUND ? OTTO_ERROR : rc;
			otto_summary_list_free(&all);
			otto_strlist_free(&labs);
			return rc;
		}
		for (size_t h = 0; h < lab->n_hosts; h++)
			push_summary(&all, &cap, &lab->hosts[h], labs.items[i]);
		otto_lab_free(lab);
	}
	otto_strlist_free(&labs);
	merge_by_id(&all);
	*out = all;
	return OTTO_OK;
}

OTTO_API int otto_lab_repository_host_summaries(otto_lab_repository *repo, otto_summary_list *out, otto_error *err)
{
	if (otto_lab_repository_has_summaries(repo))
		return otto__summaries_collect(repo, out, err);
	out->count = 0;
	out->items = NULL;
	return summaries_from_labs(repo, out, err);
}
