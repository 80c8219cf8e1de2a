/*
 * Host summary rules S1-S13: the fast path must agree exactly with what
 * load_lab builds, because completion and `otto lab hosts` trust it.
 */
#include "child.h"

#include <stdlib.h>
#include <string.h>

static int ref_cmp(const void *a, const void *b)
{
	const conf_host_ref *x = a, *y = b;
	int d = strcmp(x->id, y->id);
	if (d)
		return d;
	return x->lab < y->lab ? -1 : x->lab > y->lab;
}

const conf_host_ref *conf_lab_hosts(conf_child *c, size_t *count)
{
	if (!c->hosts_indexed) {
		c->hosts_indexed = true;
		const otto_strlist *names = conf_lab_names(c);
		size_t cap = 0;
		for (size_t i = 0; names && i < names->count; i++) {
			const conf_fetch *f;
			const otto_lab *lab = conf_lab_load(c, i, false, &f);
			for (size_t h = 0; lab && h < lab->n_hosts; h++) {
				if (c->n_hosts == cap) {
					cap = cap ? cap * 2 : 64;
					c->hosts = otto__realloc(c->hosts, cap * sizeof *c->hosts);
				}
				const otto_host_rec *host = &lab->hosts[h];
				c->hosts[c->n_hosts++] = (conf_host_ref){host->id ? host->id : "", i, host};
			}
		}
		if (c->n_hosts)
			qsort(c->hosts, c->n_hosts, sizeof *c->hosts, ref_cmp);
	}
	*count = c->n_hosts;
	return c->hosts;
}

const conf_host_ref *conf_lab_host_find(conf_child *c, const char *id, size_t *n)
{
	size_t count;
	const conf_host_ref *refs = conf_lab_hosts(c, &count);
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(refs[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*n = 0;
	while (lo + *n < count && strcmp(refs[lo + *n].id, id) == 0)
		(*n)++;
	return *n ? &refs[lo] : NULL;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The index in labs of a listed lab, or -1 (a sorted view keeps this fast
 * for repositories with thousands of labs). */
static long lab_index(conf_child *c, const char *name)
{
	const otto_strlist *names = conf_lab_names(c);
	if (!names || !names->count)
		return -1;
	if (!c->labs_sorted) {
		c->labs_sorted = otto__calloc(names->count, sizeof *c->labs_sorted);
		for (size_t i = 0; i < names->count; i++)
			c->labs_sorted[i] = (conf_host_ref){names->items[i], i, NULL};
		qsort(c->labs_sorted, names->count, sizeof *c->labs_sorted, ref_cmp);
	}
	size_t lo = 0, hi = names->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->labs_sorted[mid].id, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Duplicated names (an L5 violation) all load the same lab: the first will do. */
	if (lo < names->count && strcmp(c->labs_sorted[lo].id, name) == 0)
		return (long)c->labs_sorted[lo].lab;
	return -1;
}

bool conf_lab_loaded(conf_child *c, const char *name)
{
	long i = lab_index(c, name);
	if (i < 0)
		return false;
	const conf_fetch *f;
	return conf_lab_load(c, (size_t)i, false, &f) != NULL;
}

/* The summaries, or NULL after skipping (capability absent, call failed). */
static const otto_summary_list *summaries(conf_child *c, bool report)
{
	if (!conf_lab_has_summaries(c)) {
		conf_skip(c, "the backend does not advertise list_host_summaries");
		return NULL;
	}
	const otto_summary_list *s = conf_lab_summaries(c);
	if (!s) {
		if (report)
			conf_fetch_report(c, &c->f_summaries);
		else
			conf_skip_fetch(c, &c->f_summaries);
	}
	return s;
}

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

void conf_check_S1(conf_child *c)
{
	summaries(c, true);
}

void conf_check_S2(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	for (size_t i = 0; s && i < s->count; i++)
		if (!s->items[i].element || !s->items[i].element[0])
			conf_fail(c, "summary \"%s\" has no element", str(s->items[i].id));
}

void conf_check_S3(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	for (size_t i = 0; s && i < s->count; i++) {
		if (!s->items[i].ip)
			conf_fail(c, "summary \"%s\" has no ip (use \"\" when none)", str(s->items[i].id));
		if (s->items[i].element_id < OTTO_NO_NUMBER)
			conf_fail(c, "summary \"%s\" has a negative element_id %lld", str(s->items[i].id),
				  (long long)s->items[i].element_id);
	}
}

void conf_check_S4(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	for (size_t i = 0; s && i < s->count; i++) {
		const otto_summary_rec *r = &s->items[i];
		if (!r->labs.count) {
			conf_fail(c, "summary \"%s\" names no lab", str(r->id));
			continue;
		}
		char *call = otto__asprintf("the labs of summary \"%s\"", str(r->id));
		conf_check_string_set(c, call, &r->labs);
		free(call);
	}
}

void conf_check_S5(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	for (size_t i = 0; s && i < s->count; i++)
		if (!s->items[i].id || !s->items[i].id[0])
			conf_fail(c, "summary %zu (element \"%s\") has an empty id", i + 1, str(s->items[i].element));
}

void conf_check_S6(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	if (!s)
		return;
	otto_strlist ids = {0};
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].id && s->items[i].id[0])
			otto__strlist_push(&ids, s->items[i].id);
	conf_check_string_set(c, "list_host_summaries() ids", &ids);
	otto_strlist_free(&ids);
}

/* Whether the summary names at least one listed lab that loads. */
static bool names_loaded_lab(conf_child *c, const otto_summary_rec *r)
{
	for (size_t l = 0; l < r->labs.count; l++)
		if (conf_lab_loaded(c, r->labs.items[l]))
			return true;
	return false;
}

void conf_check_S7(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	for (size_t i = 0; s && i < s->count; i++) {
		const otto_summary_rec *r = &s->items[i];
		size_t n;
		if (!r->id || !names_loaded_lab(c, r) || conf_lab_host_find(c, r->id, &n))
			continue;
		char *labs = conf_list_text(&r->labs);
		conf_fail(c, "summary \"%s\" (labs %s) is not a host of any lab load_lab builds", r->id, labs);
		free(labs);
	}
}

void conf_check_S8(conf_child *c)
{
	const otto_summary_list *s = summaries(c, false);
	if (!s)
		return;
	char **ids = otto__calloc(s->count + 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].id)
			ids[n++] = s->items[i].id;
	qsort(ids, n, sizeof *ids, str_cmp);
	size_t count;
	const conf_host_ref *refs = conf_lab_hosts(c, &count);
	for (size_t i = 0; i < count; i++) {
		if (i > 0 && strcmp(refs[i].id, refs[i - 1].id) == 0)
			continue;
		if (!bsearch(&refs[i].id, ids, n, sizeof *ids, str_cmp))
			conf_fail(c, "host \"%s\" of lab \"%s\" is missing from list_host_summaries()", refs[i].id,
				  c->labs.items[refs[i].lab]);
	}
	free(ids);
}

/* Visit every summary that load_lab also builds, with the first built host. */
static void each_match(conf_child *c, void (*visit)(conf_child *, const otto_summary_rec *, const conf_host_ref *,
						     size_t))
{
	const otto_summary_list *s = summaries(c, false);
	for (size_t i = 0; s && i < s->count; i++) {
		size_t n;
		const conf_host_ref *ref = s->items[i].id ? conf_lab_host_find(c, s->items[i].id, &n) : NULL;
		if (ref)
			visit(c, &s->items[i], ref, n);
	}
}

static void visit_ip(conf_child *c, const otto_summary_rec *r, const conf_host_ref *ref, size_t n)
{
	(void)n;
	if (strcmp(r->ip ? r->ip : "", ref->host->ip ? ref->host->ip : "") != 0)
		conf_fail(c, "summary \"%s\" has ip \"%s\" but load_lab(\"%s\") built ip \"%s\"", r->id, str(r->ip),
			  c->labs.items[ref->lab], str(ref->host->ip));
}

static void visit_element(conf_child *c, const otto_summary_rec *r, const conf_host_ref *ref, size_t n)
{
	(void)n;
	if (!r->element || !r->element[0])
		return; /* S2's violation, not a disagreement */
	if (strcmp(str(r->element), str(ref->host->element)) != 0)
		conf_fail(c, "summary \"%s\" has element \"%s\" but load_lab(\"%s\") built element \"%s\"", r->id,
			  str(r->element), c->labs.items[ref->lab], str(ref->host->element));
}

static void number_text(int64_t v, char *buf, size_t size)
{
	if (v == OTTO_NO_NUMBER)
		snprintf(buf, size, "none");
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static void visit_element_id(conf_child *c, const otto_summary_rec *r, const conf_host_ref *ref, size_t n)
{
	(void)n;
	if (r->element_id == ref->host->element_id)
		return;
	char a[32], b[32];
	number_text(r->element_id, a, sizeof a);
	number_text(ref->host->element_id, b, sizeof b);
	conf_fail(c, "summary \"%s\" has element_id %s but load_lab(\"%s\") built element_id %s", r->id, a,
		  c->labs.items[ref->lab], b);
}

static void visit_docker(conf_child *c, const otto_summary_rec *r, const conf_host_ref *ref, size_t n)
{
	(void)n;
	if (r->docker_capable != ref->host->docker_capable)
		conf_fail(c, "summary \"%s\" has docker_capable %s but load_lab(\"%s\") built %s", r->id,
			  r->docker_capable ? "true" : "false", c->labs.items[ref->lab],
			  ref->host->docker_capable ? "true" : "false");
}

static void visit_labs(conf_child *c, const otto_summary_rec *r, const conf_host_ref *ref, size_t n)
{
	if (!r->labs.count)
		return; /* S4's violation, not a disagreement */
	otto_strlist want = {0}, got = {0};
	for (size_t i = 0; i < n; i++)
		otto__strlist_push(&want, c->labs.items[ref[i].lab]);
	otto__strlist_sort_unique(&want);
	/* A listed lab that fails to load is L6's business, not this rule's. */
	for (size_t l = 0; l < r->labs.count; l++)
		if (conf_lab_loaded(c, r->labs.items[l]) || lab_index(c, r->labs.items[l]) < 0)
			otto__strlist_push(&got, r->labs.items[l]);
	otto__strlist_sort_unique(&got);
	bool same = want.count == got.count;
	for (size_t i = 0; same && i < want.count; i++)
		same = strcmp(want.items[i], got.items[i]) == 0;
	if (!same) {
		char *tw = conf_list_text(&want), *tg = conf_list_text(&r->labs);
		conf_fail(c, "summary \"%s\" names labs %s but the loaded labs holding it are %s", r->id, tg, tw);
		free(tw);
		free(tg);
	}
	otto_strlist_free(&want);
	otto_strlist_free(&got);
}

void conf_check_S9(conf_child *c)
{
	each_match(c, visit_ip);
}

void conf_check_S10(conf_child *c)
{
	each_match(c, visit_element);
}

void conf_check_S11(conf_child *c)
{
	each_match(c, visit_element_id);
}

void conf_check_S12(conf_child *c)
{
	each_match(c, visit_docker);
}

void conf_check_S13(conf_child *c)
{
	each_match(c, visit_labs);
}
