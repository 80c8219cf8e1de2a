/*
 * The layered lab repository: several sources, asked in the order the
 * settings list them, seen as one repository.
 *
 *   - list_labs: the sorted union of every source's labs.
 *   - load_lab: every source is asked. Not-found from a source is fine;
 *     any other error fails the load (a dead source is never dropped
 *     silently). A host id from a later source replaces the earlier record
 *     whole, with a warning naming the host, the lab and both sources. The
 *     lab's resources are recomputed from the winning hosts (plus each
 *     source's lab-level extras). Its links are the union of the sources'
 *     (exact duplicates once) with at least one endpoint among the merged
 *     lab's hosts.
 *   - host summaries are not advertised: libotto's fallback builds them
 *     from list_labs + load_lab, so they agree with the overrides exactly.
 *
 * The composite reaches libotto as an ordinary otto_lab_repository_type
 * (opened with otto_lab_repository_open_type), so every call goes through
 * the same checks and copies as a plugin's.
 */
#include "backends/backends.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct layered {
	size_t n;
	char **labels;
	char **backends;
	otto_lab_repository **sources;
} layered;

/* create() receives only an otto_config (which libotto copies), so the
 * already-opened sources are handed over through this slot, set just
 * before otto_lab_repository_open_type and taken by create(). */
static _Thread_local layered *pending_sources;

static void layered_free(layered *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		otto_lab_repository_free(l->sources[i]);
		free(l->labels[i]);
		free(l->backends[i]);
	}
	free(l->sources);
	free(l->labels);
	free(l->backends);
	free(l);
}

static int layered_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	if (!pending_sources)
		return otto_error_set(err, OTTO_EINVALID,
				      "the layered lab repository is made from [lab.sources.*] only");
	*self = pending_sources;
	pending_sources = NULL;
	return OTTO_OK;
}

static void layered_destroy(void *self)
{
	layered_free(self);
}

static int source_error(const layered *l, size_t i, const otto_error *inner, otto_error *err)
{
	return otto_error_set(err, OTTO_ERROR, "lab source '%s' (backend '%s'): %s", l->labels[i], l->backends[i],
			      inner->message);
}

static int layered_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	layered *l = self;
	otto_strlist all = {0, NULL};
	for (size_t i = 0; i < l->n; i++) {
		otto_strlist labs;
		otto_error e = {0, ""};
		if (otto_lab_repository_list_labs(l->sources[i], &labs, &e) != OTTO_OK) {
			otto_strlist_free(&all);
			return source_error(l, i, &e, err);
		}
		for (size_t k = 0; k < labs.count; k++)
			otto__strlist_push(&all, labs.items[k]);
		otto_strlist_free(&labs);
	}
	otto__strlist_sort_unique(&all);
	int rc = OTTO_OK;
	for (size_t k = 0; k < all.count && rc == OTTO_OK; k++)
		rc = otto_string_out_add(out, all.items[k], err);
	otto_strlist_free(&all);
	return rc;
}

typedef struct candidate {
	const otto_host_rec *host;
	size_t source;
} candidate;

static int by_id_then_source(const void *a, const void *b)
{
	const candidate *x = a, *y = b;
	int c = strcmp(x->host->id, y->host->id);
	if (c)
		return c;
	return x->source < y->source ? -1 : x->source > y->source;
}

static int add_host(otto_lab_out *out, const otto_host_rec *r, otto_error *err)
{
	otto_host h = OTTO_HOST_INIT;
	otto_cred *creds = otto__calloc(r->n_creds + 1, sizeof *creds);
	for (size_t i = 0; i < r->n_creds; i++) {
		creds[i].login = r->creds[i].login;
		creds[i].password = r->creds[i].password;
	}
	h.key = r->key;
	h.ip = r->ip;
	h.element = r->element;
	h.element_id = r->element_id;
	h.board = r->board;
	h.slot = r->slot;
	h.os_type = r->os_type;
	h.resources = (const char *const *)r->resources.items;
	h.n_resources = r->resources.count;
	h.labs = (const char *const *)r->labs.items;
	h.n_labs = r->labs.count;
	h.docker_capable = r->docker_capable;
	h.creds = creds;
	h.n_creds = r->n_creds;
	h.extra_json = r->extra_json;
	int rc = otto_lab_out_add_host(out, &h, err);
	free(creds);
	return rc;
}

/* A source's lab-level resources: those of the lab that none of its own hosts brings. */
static int add_lab_extras(otto_lab_out *out, const otto_lab *lab, otto_error *err)
{
	int rc = OTTO_OK;
	for (size_t i = 0; i < lab->resources.count && rc == OTTO_OK; i++) {
		const char *res = lab->resources.items[i];
		bool from_host = false;
		for (size_t h = 0; h < lab->n_hosts && !from_host; h++)
			from_host = otto_strlist_index(&lab->hosts[h].resources, res) >= 0;
		if (!from_host)
			rc = otto_lab_out_add_resource(out, res, err);
	}
	return rc;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_link(const otto_link_rec *a, const otto_link_rec *b)
{
	if (a->n_endpoints != b->n_endpoints || !same_str(a->protocol, b->protocol) ||
	    !same_str(a->extra_json, b->extra_json))
		return false;
	for (size_t i = 0; i < a->n_endpoints; i++)
		if (!same_str(a->endpoints[i].host, b->endpoints[i].host) ||
		    !same_str(a->endpoints[i].interface, b->endpoints[i].interface))
			return false;
	return true;
}

static int candidate_has_id(const void *key, const void *elem)
{
	return strcmp(key, ((const candidate *)elem)->host->id);
}

/* Whether an endpoint names a host of the merged lab (c: every candidate,
 * sorted by id): upstream's rule, a lab's links are those with at least one
 * endpoint among its hosts (docs/upstream.md). */
static bool link_in_lab(const otto_link_rec *link, const candidate *c, size_t n)
{
	for (size_t e = 0; e < link->n_endpoints; e++)
		if (n && bsearch(link->endpoints[e].host, c, n, sizeof *c, candidate_has_id))
			return true;
	return false;
}

static int add_link(otto_lab_out *out, const otto_link_rec *r, otto_error *err)
{
	otto_link_endpoint *ends = otto__calloc(r->n_endpoints + 1, sizeof *ends);
	for (size_t i = 0; i < r->n_endpoints; i++) {
		ends[i].host = r->endpoints[i].host;
		ends[i].interface = r->endpoints[i].interface;
	}
	otto_link link = OTTO_LINK_INIT;
	link.endpoints = ends;
	link.n_endpoints = r->n_endpoints;
	link.protocol = r->protocol;
	link.extra_json = r->extra_json;
	int rc = otto_lab_out_add_link(out, &link, err);
	free(ends);
	return rc;
}

/* The sources' links in source order, each exact duplicate once. */
static int merge_links(const layered *l, otto_lab **labs, const candidate *c, size_t n, otto_lab_out *out,
		       otto_error *err)
{
	int rc = OTTO_OK;
	for (size_t i = 0; i < l->n && rc == OTTO_OK; i++) {
		for (size_t k = 0; labs[i] && k < labs[i]->n_links && rc == OTTO_OK; k++) {
			const otto_link_rec *link = &labs[i]->links[k];
			bool seen = false;
			for (size_t j = 0; j <= i && !seen; j++)
				for (size_t m = 0; labs[j] && m < (j == i ? k : labs[j]->n_links) && !seen; m++)
					seen = same_link(&labs[j]->links[m], link);
			if (!seen && link_in_lab(link, c, n))
				rc = add_link(out, link, err);
		}
	}
	return rc;
}

static int merge(const layered *l, const char *name, otto_lab **labs, otto_lab_out *out, otto_error *err)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += labs[i] ? labs[i]->n_hosts : 0;
	candidate *c = otto__calloc(n + 1, sizeof *c);
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		for (size_t h = 0; labs[i] && h < labs[i]->n_hosts; h++)
			c[k].host = &labs[i]->hosts[h], c[k++].source = i;
	qsort(c, n, sizeof *c, by_id_then_source);
	int rc = OTTO_OK;
	for (size_t i = 0; i < n && rc == OTTO_OK; i++) {
		if (i + 1 < n && strcmp(c[i].host->id, c[i + 1].host->id) == 0) {
			otto__warn("lab source '%s' overrides host '%s' of lab '%s' from lab source '%s'",
				   l->labels[c[i + 1].source], c[i].host->id, name, l->labels[c[i].source]);
			continue;
		}
		rc = add_host(out, c[i].host, err);
	}
	if (rc == OTTO_OK)
		rc = merge_links(l, labs, c, n, out, err);
	free(c);
	for (size_t i = 0; i < l->n && rc == OTTO_OK; i++)
		if (labs[i])
			rc = add_lab_extras(out, labs[i], err);
	return rc;
}

static int layered_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			    otto_error *err)
{
	layered *l = self;
	otto_lab **labs = otto__calloc(l->n + 1, sizeof *labs);
	bool found = false;
	int rc = OTTO_OK;
	for (size_t i = 0; i < l->n && rc == OTTO_OK; i++) {
		otto_error e = {0, ""};
		int r = otto_lab_repository_load_lab(l->sources[i], name, preferences, &labs[i], &e);
		if (r == OTTO_ENOTFOUND)
			labs[i] = NULL;
		else if (r != OTTO_OK)
			rc = source_error(l, i, &e, err);
		else
			found = true;
	}
	if (rc == OTTO_OK && !found) {
		otto_buf names = {0};
		for (size_t i = 0; i < l->n; i++)
			otto__buf_printf(&names, "%s%s", i ? ", " : "", l->labels[i]);
		rc = otto_error_set(err, OTTO_ENOTFOUND, "no lab '%s' in any lab source (%s)", name,
				    names.data ? names.data : "");
		otto__buf_free(&names);
	}
	if (rc == OTTO_OK)
		rc = merge(l, name, labs, out, err);
	for (size_t i = 0; i < l->n; i++)
		otto_lab_free(labs[i]);
	free(labs);
	return rc;
}

static const otto_lab_repository_type layered_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "layered",
    .description = "ordered [lab.sources.*]: later sources override whole host records",
    .create = layered_create,
    .destroy = layered_destroy,
    .list_labs = layered_list_labs,
    .load_lab = layered_load_lab,
    .list_host_summaries = NULL,
};

int otto__layered_open(otto_lab_repository **out, otto_registry *reg, const otto_settings *settings, otto_error *err)
{
	*out = NULL;
	const char *path = otto_settings_path(settings);
	if (otto_settings_lab_backend(settings))
		return otto_error_set(err, OTTO_ESETTINGS,
				      "%s: [lab] backend and [lab.sources.*] tables cannot be used together: keep one",
				      path ? path : "settings");
	layered *l = otto__calloc(1, sizeof *l);
	l->n = otto_settings_lab_source_count(settings);
	l->labels = otto__calloc(l->n, sizeof *l->labels);
	l->backends = otto__calloc(l->n, sizeof *l->backends);
	l->sources = otto__calloc(l->n, sizeof *l->sources);
	for (size_t i = 0; i < l->n; i++) {
		const char *label = otto_settings_lab_source_label(settings, i);
		const char *backend = otto_settings_lab_source_backend(settings, i);
		l->labels[i] = otto__strdup(label);
		l->backends[i] = otto__strdup(backend ? backend : "");
		if (!backend || !backend[0]) {
			layered_free(l);
			return otto_error_set(err, OTTO_ESETTINGS, "%s: [lab.sources.%s] needs 'backend'",
					      path ? path : "settings", label);
		}
		otto_config cfg;
		otto_error e = {0, ""};
		otto_settings_lab_source_config(settings, i, &cfg);
		int rc = otto_lab_repository_open(&l->sources[i], reg, backend, &cfg, &e);
		if (rc != OTTO_OK) {
			otto_error_set(err, rc, "lab source '%s' (backend '%s'): %s", label, backend, e.message);
			layered_free(l);
			return rc;
		}
	}
	otto_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.struct_size = sizeof cfg;
	cfg.backend = "layered";
	cfg.section = "lab.sources";
	cfg.repo_root = otto_settings_repo_root(settings);
	pending_sources = l;
	int rc = otto_lab_repository_open_type(out, &layered_type, &cfg, err);
	if (pending_sources) { /* create() was never reached */
		pending_sources = NULL;
		layered_free(l);
	}
	return rc;
}
