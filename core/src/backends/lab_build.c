/*
 * The out-objects a lab repository plugin fills: otto_lab_out (load_lab)
 * and otto_summary_out (list_host_summaries). They copy every field the
 * plugin's struct holds (an older, shorter struct means later fields are
 * absent), apply the id rule through otto_host_id(), validate, and refuse
 * bad records with a message naming the backend, the lab, the host's (or
 * link's) index (its position among the add calls, from 0) and the field.
 */
#include "backends/backends.h"
#include "util/util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers -- */

static char *compute_id(const char *element, int64_t element_id, const char *board, int64_t slot)
{
	size_t len = otto_host_id(NULL, 0, element, element_id, board, slot);
	if (len == 0)
		return NULL;
	char *id = otto__malloc(len + 1);
	otto_host_id(id, len + 1, element, element_id, board, slot);
	return id;
}

/* Why the id rule refuses these fields, or NULL when it accepts them. */
static const char *id_problem(const char *element, int64_t element_id, const char *board, int64_t slot, char *buf,
			      size_t size)
{
	if (!element)
		return "element is NULL";
	if (otto_slug(NULL, 0, element) == 0) {
		snprintf(buf, size, "element '%s' has no letter or digit, so its id would be empty", element);
		return buf;
	}
	if (element_id < OTTO_NO_NUMBER) {
		snprintf(buf, size, "element_id %lld is negative (-1 means none)", (long long)element_id);
		return buf;
	}
	if (slot < OTTO_NO_NUMBER) {
		snprintf(buf, size, "slot %lld is negative (-1 means none)", (long long)slot);
		return buf;
	}
	if (board && otto_slug(NULL, 0, board) == 0) {
		snprintf(buf, size, "board '%s' has no letter or digit, so its part of the id would be empty", board);
		return buf;
	}
	return NULL;
}

/* Why a (pointer, count) string array is unusable, or NULL. */
static const char *strings_problem(const char *field, const char *const *items, size_t n, char *buf, size_t size)
{
	if (n && !items) {
		snprintf(buf, size, "%s is NULL but n_%s is %zu", field, field, n);
		return buf;
	}
	for (size_t i = 0; i < n; i++) {
		if (!items[i]) {
			snprintf(buf, size, "%s[%zu] is NULL", field, i);
			return buf;
		}
	}
	return NULL;
}

static void copy_strings(otto_strlist *dst, const char *const *items, size_t n)
{
	dst->count = 0;
	dst->items = NULL;
	for (size_t i = 0; i < n; i++)
		otto__strlist_push(dst, items[i]);
}

/* ------------------------------------------------------------ lab out -- */

typedef struct lab_builder {
	otto_lab_out out; /* first: the plugin hands this pointer back */
	otto__call *call;
	const char *lab;
	size_t calls; /* add_host calls so far: the next host's index */
	size_t n_hosts, cap;
	otto_host_rec *hosts;
	size_t *host_index; /* the add_host index of each stored host */
	/* While keys arrive in strictly increasing order (json adds them so),
	 * the hosts are their own sorted index. The first key out of order
	 * builds the hash table, and finish() sorts. */
	bool ascending;
	/* Open addressing over keys: position + 1, 0 for a free slot. */
	size_t *table;
	size_t table_size;
	otto_strlist extras; /* add_resource */
	size_t link_calls;   /* add_link calls so far: the next link's index */
	size_t n_links, links_cap;
	otto_link_rec *links;
} lab_builder;

static int host_fail(lab_builder *b, otto_error *err, size_t index, const char *problem)
{
	return otto__call_fail(b->call, err, "%s backend '%s': lab '%s', host %zu: %s", b->call->kind, b->call->backend,
			       b->lab, index, problem);
}

static size_t key_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void table_insert(size_t *table, size_t size, const otto_host_rec *hosts, size_t pos)
{
	size_t i = key_hash(hosts[pos].key) & (size - 1);
	while (table[i])
		i = (i + 1) & (size - 1);
	table[i] = pos + 1;
}

/* The stored position of key, or (size_t)-1. */
static size_t find_key(const lab_builder *b, const char *key)
{
	if (b->ascending) {
		if (b->n_hosts == 0 || strcmp(b->hosts[b->n_hosts - 1].key, key) < 0)
			return (size_t)-1;
		size_t lo = 0, hi = b->n_hosts;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(b->hosts[mid].key, key);
			if (c == 0)
				return mid;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return (size_t)-1;
	}
	size_t i = key_hash(key) & (b->table_size - 1);
	while (b->table[i]) {
		if (strcmp(b->hosts[b->table[i] - 1].key, key) == 0)
			return b->table[i] - 1;
		i = (i + 1) & (b->table_size - 1);
	}
	return (size_t)-1;
}

static void store_host(lab_builder *b, otto_host_rec *rec, size_t index)
{
	if (b->n_hosts == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->hosts = otto__realloc(b->hosts, b->cap * sizeof *b->hosts);
		b->host_index = otto__realloc(b->host_index, b->cap * sizeof *b->host_index);
	}
	bool in_order = b->n_hosts == 0 || strcmp(b->hosts[b->n_hosts - 1].key, rec->key) < 0;
	b->hosts[b->n_hosts] = *rec;
	b->host_index[b->n_hosts] = index;
	b->n_hosts++;
	if (b->ascending && in_order)
		return;
	b->ascending = false;
	/* Keep the table at most half full. */
	if (b->n_hosts * 2 > b->table_size) {
		free(b->table);
		b->table_size = b->table_size ? b->table_size * 2 : 16;
		while (b->n_hosts * 2 > b->table_size)
			b->table_size *= 2;
		b->table = otto__calloc(b->table_size, sizeof *b->table);
		for (size_t i = 0; i < b->n_hosts; i++)
			table_insert(b->table, b->table_size, b->hosts, i);
	} else {
		table_insert(b->table, b->table_size, b->hosts, b->n_hosts - 1);
	}
}

/* The plugin's record with every field its struct_size holds; the others
 * keep their "absent" value. */
otto_host otto__host_read(const otto_host *src)
{
	otto_host h = OTTO_HOST_INIT;
	size_t n = src->struct_size;
	h.ip = NULL;
#define TAKE(field)                                                                                                    \
	if (OTTO__HAS_FIELD(n, otto_host, field))                                                                      \
	h.field = src->field
	TAKE(key);
	TAKE(ip);
	TAKE(element);
	TAKE(element_id);
	TAKE(board);
	TAKE(slot);
	TAKE(os_type);
	TAKE(resources);
	TAKE(n_resources);
	TAKE(labs);
	TAKE(n_labs);
	TAKE(docker_capable);
	TAKE(creds);
	TAKE(n_creds);
	TAKE(extra_json);
#undef TAKE
	return h;
}

/* `id_len` is what otto_host_id() gave: 0 when the id rule refuses the fields. */
static const char *host_problem(const otto_host *h, size_t id_len, char *buf, size_t size)
{
	const char *problem = NULL;
	if (id_len == 0) {
		problem = id_problem(h->element, h->element_id, h->board, h->slot, buf, size);
		return problem ? problem : "the id rule gives an empty id";
	}
	if (h->key && !h->key[0])
		return "key is empty (NULL stores the host under its id)";
	if (!h->ip)
		return "ip is NULL (use \"\" when the record has none)";
	if ((problem = strings_problem("resources", h->resources, h->n_resources, buf, size)) ||
	    (problem = strings_problem("labs", h->labs, h->n_labs, buf, size)))
		return problem;
	if (h->n_creds && !h->creds) {
		snprintf(buf, size, "creds is NULL but n_creds is %zu", h->n_creds);
		return buf;
	}
	for (size_t i = 0; i < h->n_creds; i++) {
		if (!h->creds[i].login) {
			snprintf(buf, size, "creds[%zu].login is NULL", i);
			return buf;
		}
	}
	return NULL;
}

/* A host record's strings and arrays live in one allocation, its key
 * first, so that building and freeing a host costs one malloc and one free
 * (a lab of the bench has 100 hosts of ~16 strings each). */
typedef struct host_block {
	char *base;
	size_t used;
} host_block;

static char *block_put(host_block *blk, const char *s, size_t len)
{
	char *dst = blk->base + blk->used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	blk->used += len + 1;
	return dst;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates (the dropped strings stay in the block). Host
 * resource lists are short and usually sorted already. */
static size_t sort_unique_ptrs(char **items, size_t n)
{
	if (n < 2)
		return n;
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			char *x = items[i];
			size_t j = i;
			while (j > 0 && strcmp(items[j - 1], x) > 0) {
				items[j] = items[j - 1];
				j--;
			}
			items[j] = x;
		}
	} else {
		qsort(items, n, sizeof *items, cmp_str_ptr);
	}
	size_t w = 1;
	for (size_t r = 1; r < n; r++)
		if (strcmp(items[r], items[w - 1]) != 0)
			items[w++] = items[r];
	return w;
}

#define STR_BYTES(s) ((s) ? strlen(s) + 1 : 0)

/* `id` (id_len bytes) is the id rule's answer for h, computed by the caller. */
static otto_host_rec build_host_rec(const otto_host *h, const char *id, size_t id_len)
{
	size_t key_len = h->key ? strlen(h->key) : id_len;
	size_t ip_len = strlen(h->ip), element_len = strlen(h->element);
	const char *os_type = h->os_type ? h->os_type : "unix";
	size_t os_len = strlen(os_type), board_len = h->board ? strlen(h->board) : 0;
	size_t extra_len = h->extra_json ? strlen(h->extra_json) : 0;
	size_t strings = key_len + 1 + id_len + 1 + ip_len + 1 + element_len + 1 + os_len + 1 +
			 (h->board ? board_len + 1 : 0) + (h->extra_json ? extra_len + 1 : 0);
	for (size_t i = 0; i < h->n_resources; i++)
		strings += strlen(h->resources[i]) + 1;
	for (size_t i = 0; i < h->n_labs; i++)
		strings += strlen(h->labs[i]) + 1;
	for (size_t i = 0; i < h->n_creds; i++)
		strings += strlen(h->creds[i].login) + 1 + STR_BYTES(h->creds[i].password);
	/* The arrays follow the strings, aligned for pointers. */
	size_t arrays = (strings + _Alignof(max_align_t) - 1) & ~(size_t)(_Alignof(max_align_t) - 1);
	size_t total = arrays + (h->n_resources + h->n_labs) * sizeof(char *) + h->n_creds * sizeof(otto_cred_rec);

	host_block blk = {otto__malloc(total), 0};
	char **res_items = (char **)(void *)(blk.base + arrays);
	char **lab_items = res_items + h->n_resources;
	otto_cred_rec *creds = (otto_cred_rec *)(void *)(lab_items + h->n_labs);

	otto_host_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.key = block_put(&blk, h->key ? h->key : id, key_len); /* first: it owns the block */
	rec.id = block_put(&blk, id, id_len);
	rec.ip = block_put(&blk, h->ip, ip_len);
	rec.element = block_put(&blk, h->element, element_len);
	rec.element_id = h->element_id;
	rec.board = h->board ? block_put(&blk, h->board, board_len) : NULL;
	rec.slot = h->slot;
	rec.os_type = block_put(&blk, os_type, os_len);
	for (size_t i = 0; i < h->n_resources; i++)
		res_items[i] = block_put(&blk, h->resources[i], strlen(h->resources[i]));
	rec.resources.count = sort_unique_ptrs(res_items, h->n_resources);
	rec.resources.items = h->n_resources ? res_items : NULL;
	for (size_t i = 0; i < h->n_labs; i++)
		lab_items[i] = block_put(&blk, h->labs[i], strlen(h->labs[i]));
	rec.labs.count = h->n_labs;
	rec.labs.items = h->n_labs ? lab_items : NULL;
	rec.docker_capable = h->docker_capable;
	rec.n_creds = h->n_creds;
	rec.creds = h->n_creds ? creds : NULL;
	for (size_t i = 0; i < h->n_creds; i++) {
		creds[i].login = block_put(&blk, h->creds[i].login, strlen(h->creds[i].login));
		creds[i].password =
		    h->creds[i].password ? block_put(&blk, h->creds[i].password, strlen(h->creds[i].password)) : NULL;
	}
	rec.extra_json = h->extra_json ? block_put(&blk, h->extra_json, extra_len) : NULL;
	return rec;
}

static int lab_add_host(otto_lab_out *out, const otto_host *host, otto_error *err)
{
	lab_builder *b = (lab_builder *)out;
	size_t index = b->calls++;
	char buf[OTTO_ERROR_MESSAGE_MAX / 2];
	if (!host)
		return host_fail(b, err, index, "the host record is NULL");
	otto_host h = otto__host_read(host);
	/* The id is computed once, on the stack unless it is very long. */
	char id_buf[256], *id = id_buf, *id_heap = NULL;
	size_t id_len = otto_host_id(id_buf, sizeof id_buf, h.element, h.element_id, h.board, h.slot);
	const char *problem = host_problem(&h, id_len, buf, sizeof buf);
	if (problem)
		return host_fail(b, err, index, problem);
	if (id_len >= sizeof id_buf) {
		id = id_heap = otto__malloc(id_len + 1);
		otto_host_id(id_heap, id_len + 1, h.element, h.element_id, h.board, h.slot);
	}

	size_t other = find_key(b, h.key ? h.key : id);
	if (other != (size_t)-1) {
		int rc = otto__call_fail(
		    b->call, err, "%s backend '%s': lab '%s': hosts %zu and %zu have the same key '%s'", b->call->kind,
		    b->call->backend, b->lab, b->host_index[other], index, h.key ? h.key : id);
		free(id_heap);
		return rc;
	}
	otto_host_rec rec = build_host_rec(&h, id, id_len);
	free(id_heap);
	store_host(b, &rec, index);
	return OTTO_OK;
}

static int lab_add_resource(otto_lab_out *out, const char *resource, otto_error *err)
{
	lab_builder *b = (lab_builder *)out;
	if (!resource)
		return otto__call_fail(b->call, err, "%s backend '%s': lab '%s': add_resource got a NULL resource",
				       b->call->kind, b->call->backend, b->lab);
	otto__strlist_push(&b->extras, resource);
	return OTTO_OK;
}

/* ----------------------------------------------------------- links -- */

static int link_fail(lab_builder *b, otto_error *err, size_t index, const char *problem)
{
	return otto__call_fail(b->call, err, "%s backend '%s': lab '%s', link %zu: %s", b->call->kind, b->call->backend,
			       b->lab, index, problem);
}

/* Why the plugin's link is unusable, or NULL. Endpoint hosts are not
 * looked up here: that is conformance rule L15. */
static const char *link_problem(const otto_link *l, char *buf, size_t size)
{
	if (!OTTO__HAS_FIELD(l->struct_size, otto_link, n_endpoints)) {
		snprintf(buf, size, "struct_size %zu is too small to hold the endpoints (start from OTTO_LINK_INIT)",
			 l->struct_size);
		return buf;
	}
	if (l->n_endpoints && !l->endpoints) {
		snprintf(buf, size, "endpoints is NULL but n_endpoints is %zu", l->n_endpoints);
		return buf;
	}
	if (l->n_endpoints == 0)
		return "it has no endpoints (a link needs at least one)";
	for (size_t i = 0; i < l->n_endpoints; i++) {
		if (!l->endpoints[i].host || !l->endpoints[i].host[0]) {
			snprintf(buf, size, "endpoints[%zu].host is %s (it must name a host of the lab)", i,
				 l->endpoints[i].host ? "empty" : "NULL");
			return buf;
		}
	}
	return NULL;
}

static int lab_add_link(otto_lab_out *out, const otto_link *link, otto_error *err)
{
	lab_builder *b = (lab_builder *)out;
	size_t index = b->link_calls++;
	char buf[OTTO_ERROR_MESSAGE_MAX / 2];
	if (!link)
		return link_fail(b, err, index, "the link record is NULL");
	const char *problem = link_problem(link, buf, sizeof buf);
	if (problem)
		return link_fail(b, err, index, problem);
	const char *protocol = OTTO__HAS_FIELD(link->struct_size, otto_link, protocol) ? link->protocol : NULL;
	const char *extra = OTTO__HAS_FIELD(link->struct_size, otto_link, extra_json) ? link->extra_json : NULL;

	if (b->n_links == b->links_cap) {
		b->links_cap = b->links_cap ? b->links_cap * 2 : 4;
		b->links = otto__realloc(b->links, b->links_cap * sizeof *b->links);
	}
	otto_link_rec *rec = &b->links[b->n_links++];
	rec->n_endpoints = link->n_endpoints;
	rec->endpoints = otto__calloc(link->n_endpoints, sizeof *rec->endpoints);
	for (size_t i = 0; i < link->n_endpoints; i++) {
		rec->endpoints[i].host = otto__strdup(link->endpoints[i].host);
		rec->endpoints[i].interface = otto__strdup(link->endpoints[i].interface);
	}
	rec->protocol = otto__strdup(protocol);
	rec->extra_json = otto__strdup(extra);
	return OTTO_OK;
}

static const otto_lab_out_ops lab_out_ops = {sizeof(otto_lab_out_ops), lab_add_host, lab_add_resource, lab_add_link};

static void lab_builder_discard(lab_builder *b)
{
	for (size_t i = 0; i < b->n_hosts; i++)
		otto__host_rec_clear(&b->hosts[i]);
	free(b->hosts);
	free(b->host_index);
	free(b->table);
	otto_strlist_free(&b->extras);
	for (size_t i = 0; i < b->n_links; i++)
		otto__link_rec_clear(&b->links[i]);
	free(b->links);
}

static int cmp_host_key(const void *a, const void *b)
{
	return strcmp(((const otto_host_rec *)a)->key, ((const otto_host_rec *)b)->key);
}

/* The lab's resources: its extras and every host's, sorted and unique. The
 * duplicates are dropped before anything is copied. */
static otto_strlist lab_resources(const lab_builder *b)
{
	size_t n = b->extras.count;
	for (size_t i = 0; i < b->n_hosts; i++)
		n += b->hosts[i].resources.count;
	otto_strlist out = {0, NULL};
	if (n == 0)
		return out;
	char **all = otto__malloc(n * sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < b->extras.count; i++)
		all[k++] = b->extras.items[i];
	for (size_t i = 0; i < b->n_hosts; i++)
		for (size_t r = 0; r < b->hosts[i].resources.count; r++)
			all[k++] = b->hosts[i].resources.items[r];
	qsort(all, n, sizeof *all, cmp_str_ptr);
	out.items = otto__malloc(n * sizeof *out.items);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(all[i], all[i - 1]) != 0)
			out.items[out.count++] = otto__strdup(all[i]);
	free(all);
	return out;
}

static otto_lab *lab_builder_finish(lab_builder *b, const char *name)
{
	otto_lab *lab = otto__calloc(1, sizeof *lab);
	lab->name = otto__strdup(name);
	/* Plugins that add hosts in key order (json does) skip the sort. */
	if (!b->ascending)
		qsort(b->hosts, b->n_hosts, sizeof *b->hosts, cmp_host_key);
	lab->resources = lab_resources(b);
	otto_strlist_free(&b->extras);
	lab->n_hosts = b->n_hosts;
	lab->hosts = b->hosts;
	lab->n_links = b->n_links;
	lab->links = b->links;
	free(b->host_index);
	free(b->table);
	memset(b, 0, sizeof *b);
	return lab;
}

int otto__lab_build(otto_lab_repository *repo, const char *name, const otto_config *preferences, otto_lab **out,
		    otto_error *err)
{
	*out = NULL;
	if (!repo->type.load_lab)
		return otto_error_set(err, OTTO_EPLUGIN, "lab backend '%s' does not provide load_lab", repo->h.name);

	otto__call call;
	otto__call_init(&call, "lab", repo->h.name, repo->h.plugin_path, "load_lab");
	lab_builder b;
	memset(&b, 0, sizeof b);
	b.out.ops = &lab_out_ops;
	b.call = &call;
	b.lab = name;
	b.ascending = true;

	otto__call_begin(&call);
	int status = repo->type.load_lab(repo->h.self, name, preferences, &b.out, &call.plugin_err);
	otto__call_end(&call);
	if (status == OTTO_ENOTFOUND && !call.plugin_err.message[0])
		otto_error_set(&call.plugin_err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	int rc = otto__call_result(&call, status, true, OTTO_ERROR, err);
	if (rc != OTTO_OK) {
		lab_builder_discard(&b);
		return rc;
	}
	*out = lab_builder_finish(&b, name);
	return OTTO_OK;
}

/* -------------------------------------------------------- summary out -- */

typedef struct summary_collector {
	otto_summary_out out; /* first */
	otto__call *call;
	size_t calls;
	size_t cap;
	otto_summary_list list;
} summary_collector;

otto_host_summary otto__summary_read(const otto_host_summary *src)
{
	otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
	size_t n = src->struct_size;
	s.ip = NULL;
#define TAKE(field)                                                                                                    \
	if (OTTO__HAS_FIELD(n, otto_host_summary, field))                                                              \
	s.field = src->field
	TAKE(id);
	TAKE(labs);
	TAKE(n_labs);
	TAKE(ip);
	TAKE(element);
	TAKE(element_id);
	TAKE(board);
	TAKE(slot);
	TAKE(docker_capable);
#undef TAKE
	return s;
}

static const char *summary_problem(const otto_host_summary *s, char *buf, size_t size)
{
	if (s->id && !s->id[0])
		return "id is empty (NULL computes it by the id rule)";
	if (!s->element)
		return "element is NULL";
	if (!s->id) {
		const char *problem = id_problem(s->element, s->element_id, s->board, s->slot, buf, size);
		if (problem)
			return problem;
	}
	if (s->element_id < OTTO_NO_NUMBER) {
		snprintf(buf, size, "element_id %lld is negative (-1 means none)", (long long)s->element_id);
		return buf;
	}
	if (!s->ip)
		return "ip is NULL (use \"\" when the record has none)";
	return strings_problem("labs", s->labs, s->n_labs, buf, size);
}

static int summary_add(otto_summary_out *out, const otto_host_summary *summary, otto_error *err)
{
	summary_collector *c = (summary_collector *)out;
	size_t index = c->calls++;
	char buf[OTTO_ERROR_MESSAGE_MAX / 2];
	const char *problem = "the summary record is NULL";
	otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
	if (summary) {
		s = otto__summary_read(summary);
		problem = summary_problem(&s, buf, sizeof buf);
	}
	if (problem)
		return otto__call_fail(c->call, err, "%s backend '%s': host summary %zu: %s", c->call->kind,
				       c->call->backend, index, problem);

	if (c->list.count == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->list.items = otto__realloc(c->list.items, c->cap * sizeof *c->list.items);
	}
	otto_summary_rec *rec = &c->list.items[c->list.count++];
	memset(rec, 0, sizeof *rec);
	rec->id = s.id ? otto__strdup(s.id) : compute_id(s.element, s.element_id, s.board, s.slot);
	copy_strings(&rec->labs, s.labs, s.n_labs);
	rec->ip = otto__strdup(s.ip);
	rec->element = otto__strdup(s.element);
	rec->element_id = s.element_id;
	rec->docker_capable = s.docker_capable;
	return OTTO_OK;
}

static void summary_warn(otto_summary_out *out, const char *message)
{
	summary_collector *c = (summary_collector *)out;
	if (message)
		otto__warn("%s backend '%s': %s", c->call->kind, c->call->backend, message);
}

static const otto_summary_out_ops summary_out_ops = {sizeof(otto_summary_out_ops), summary_add, summary_warn};

int otto__summaries_collect(otto_lab_repository *repo, otto_summary_list *out, otto_error *err)
{
	out->count = 0;
	out->items = NULL;
	if (!repo->type.list_host_summaries)
		return otto_error_set(err, OTTO_ENOTSUPPORTED, "lab backend '%s' does not provide host summaries",
				      repo->h.name);

	otto__call call;
	otto__call_init(&call, "lab", repo->h.name, repo->h.plugin_path, "list_host_summaries");
	summary_collector c;
	memset(&c, 0, sizeof c);
	c.out.ops = &summary_out_ops;
	c.call = &call;

	otto__call_begin(&call);
	int status = repo->type.list_host_summaries(repo->h.self, &c.out, &call.plugin_err);
	otto__call_end(&call);
	int rc = otto__call_result(&call, status, false, OTTO_ERROR, err);
	if (rc != OTTO_OK) {
		otto_summary_list_free(&c.list);
		return rc;
	}
	*out = c.list;
	return OTTO_OK;
}
