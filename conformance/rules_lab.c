/*
 * LabRepository rules L1-L15 (contracts.md section 5; L15 since ABI 1.1).
 */
#include "child.h"

#include <stdlib.h>
#include <string.h>

static bool lab_type_complete(const conf_child *c)
{
	const otto_lab_repository_type *t = c->lab_type;
	return !t || (t->create && t->destroy && t->list_labs && t->load_lab);
}

void conf_check_L1(conf_child *c)
{
	if (!lab_type_complete(c)) {
		conf_block(c, "not checked: a prerequisite failed: the type lacks required entries (see C4, L2, L3)");
		return;
	}
	if (!conf_instance(c))
		conf_fetch_report(c, &c->f_create);
}

static void check_entry(conf_child *c, const void *entry, const char *name)
{
	if (c->lab_type || c->res_type) {
		if (!entry)
			conf_fail(c, "the backend type's %s entry is NULL (a required operation)", name);
	} else if (!conf_instance(c)) {
		conf_skip_fetch(c, &c->f_create);
	}
}

void conf_check_L2(conf_child *c)
{
	check_entry(c, c->lab_type ? (const void *)c->lab_type->list_labs : NULL, "list_labs");
}

void conf_check_L3(conf_child *c)
{
	check_entry(c, c->lab_type ? (const void *)c->lab_type->load_lab : NULL, "load_lab");
}

void conf_check_L4(conf_child *c)
{
	if (!conf_lab_names(c))
		conf_fetch_report(c, &c->f_labs);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void conf_check_string_set(conf_child *c, const char *call, const otto_strlist *l)
{
	for (size_t i = 0; i < l->count; i++)
		if (!l->items[i][0])
			conf_fail(c, "%s answered an empty string (item %zu)", call, i + 1);
	/* Sorted pointers: duplicates become neighbours (n log n for huge answers). */
	char **sorted = otto__calloc(l->count + 1, sizeof *sorted);
	if (l->count) {
		memcpy(sorted, l->items, l->count * sizeof *sorted);
		qsort(sorted, l->count, sizeof *sorted, str_cmp);
	}
	otto_strlist dups = {0};
	for (size_t i = 1; i < l->count; i++)
		if (strcmp(sorted[i], sorted[i - 1]) == 0 &&
		    (!dups.count || strcmp(dups.items[dups.count - 1], sorted[i]) != 0))
			otto__strlist_push(&dups, sorted[i]);
	if (dups.count) {
		char *text = conf_list_text(&dups);
		char *all = conf_list_text(l);
		conf_fail(c, "%s answered duplicates %s in %s", call, text, all);
		free(text);
		free(all);
	}
	otto_strlist_free(&dups);
	free(sorted);
}

void conf_check_L5(conf_child *c)
{
	const otto_strlist *names = conf_lab_names(c);
	if (!names) {
		conf_skip_fetch(c, &c->f_labs);
		return;
	}
	conf_check_string_set(c, "list_labs()", names);
}

/* Visit every listed lab's first (or second) load. */
typedef void (*lab_visit)(conf_child *c, const char *name, const otto_lab *lab, const otto_lab *first);

static void each_lab(conf_child *c, bool second, bool report_failures, lab_visit visit)
{
	const otto_strlist *names = conf_lab_names(c);
	if (!names) {
		conf_skip_fetch(c, &c->f_labs);
		return;
	}
	for (size_t i = 0; i < names->count; i++) {
		const conf_fetch *f;
		const otto_lab *first = conf_lab_load(c, i, false, &f);
		if (!first) {
			if (report_failures && !second)
				conf_fetch_report(c, f);
			continue;
		}
		const otto_lab *lab = first;
		if (second) {
			lab = conf_lab_load(c, i, true, &f);
			if (!lab) {
				if (report_failures)
					conf_fetch_report(c, f);
				continue;
			}
		}
		if (visit)
			visit(c, names->items[i], lab, first);
	}
}

void conf_check_L6(conf_child *c)
{
	each_lab(c, false, true, NULL);
}

static void visit_name(conf_child *c, const char *name, const otto_lab *lab, const otto_lab *first)
{
	(void)first;
	if (!lab->name || strcmp(lab->name, name) != 0)
		conf_fail(c, "load_lab(\"%s\") answered a lab named \"%s\"", name, lab->name ? lab->name : "(null)");
}

void conf_check_L7(conf_child *c)
{
	each_lab(c, false, false, visit_name);
}

static void visit_hosts_wellformed(conf_child *c, const char *name, const otto_lab *lab, const otto_lab *first)
{
	(void)first;
	for (size_t h = 0; h < lab->n_hosts; h++) {
		const otto_host_rec *host = &lab->hosts[h];
		const char *key = host->key ? host->key : "(null)";
		if (!host->id || !host->id[0])
			conf_fail(c, "lab \"%s\": host \"%s\" has an empty id", name, key);
		if (!host->element || !host->element[0])
			conf_fail(c, "lab \"%s\": host \"%s\" has no element", name, key);
		if (!host->ip)
			conf_fail(c, "lab \"%s\": host \"%s\" has no ip (use \"\" when the record has none)", name, key);
		if (!host->os_type || !host->os_type[0])
			conf_fail(c, "lab \"%s\": host \"%s\" has an empty os_type", name, key);
		if (host->element_id < OTTO_NO_NUMBER || host->slot < OTTO_NO_NUMBER)
			conf_fail(c, "lab \"%s\": host \"%s\" has a negative element_id or slot", name, key);
	}
}

void conf_check_L8(conf_child *c)
{
	each_lab(c, false, false, visit_hosts_wellformed);
}

static void visit_keys(conf_child *c, const char *name, const otto_lab *lab, const otto_lab *first)
{
	(void)first;
	for (size_t h = 0; h < lab->n_hosts; h++) {
		const otto_host_rec *host = &lab->hosts[h];
		if (!host->key || !host->id || strcmp(host->key, host->id) != 0)
			conf_fail(c, "lab \"%s\": a host is stored under key \"%s\" but its id is \"%s\"", name,
				  host->key ? host->key : "(null)", host->id ? host->id : "(null)");
	}
}

void conf_check_L9(conf_child *c)
{
	each_lab(c, false, false, visit_keys);
}

void conf_check_L10(conf_child *c)
{
	each_lab(c, true, true, NULL);
}

static void ids_of(const otto_lab *lab, otto_strlist *out)
{
	for (size_t h = 0; h < lab->n_hosts; h++)
		otto__strlist_push(out, lab->hosts[h].id ? lab->hosts[h].id : "(null)");
	otto__strlist_sort_unique(out);
}

static bool same_list(const otto_strlist *a, const otto_strlist *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

static void visit_idempotent(conf_child *c, const char *name, const otto_lab *lab, const otto_lab *first)
{
	otto_strlist a = {0}, b = {0};
	ids_of(first, &a);
	ids_of(lab, &b);
	if (!same_list(&a, &b)) {
		char *ta = conf_list_text(&a), *tb = conf_list_text(&b);
		conf_fail(c, "load_lab(\"%s\") answered host ids %s, then %s", name, ta, tb);
		free(ta);
		free(tb);
	}
	if (!same_list(&first->resources, &lab->resources)) {
		char *ta = conf_list_text(&first->resources), *tb = conf_list_text(&lab->resources);
		conf_fail(c, "load_lab(\"%s\") answered resources %s, then %s", name, ta, tb);
		free(ta);
		free(tb);
	}
	otto_strlist_free(&a);
	otto_strlist_free(&b);
}

void conf_check_L11(conf_child *c)
{
	each_lab(c, true, false, visit_idempotent);
}

void conf_check_L12(conf_child *c)
{
	if (!conf_instance(c)) {
		conf_skip_fetch(c, &c->f_create);
		return;
	}
	const char *desc = "load_lab(\"" CONF_PROBE_LAB "\")";
	if (!conf_call_begin(c, desc))
		return; /* blocked: it crashed or hung earlier */
	otto_error err = {0};
	otto_lab *lab = NULL;
	int st = otto_lab_repository_load_lab(c->repo, CONF_PROBE_LAB, NULL, &lab, &err);
	conf_call_end(c);
	if (st == OTTO_OK)
		conf_fail(c, "%s answered a lab with %zu host(s); expected OTTO_ENOTFOUND", desc, lab ? lab->n_hosts : 0);
	else if (st != OTTO_ENOTFOUND)
		conf_fail(c, "%s returned %s (\"%s\"); an unknown lab must be OTTO_ENOTFOUND, not a generic error", desc,
			  otto_status_name(st), err.message);
	if (lab)
		otto_lab_free(lab);
}

void conf_check_L13(conf_child *c)
{
	if (!c->opts->expect_labs.count) {
		conf_skip_truth(c, "--expect-lab NAME");
		return;
	}
	const otto_strlist *names = conf_lab_names(c);
	if (!names) {
		conf_skip_fetch(c, &c->f_labs);
		return;
	}
	for (size_t i = 0; i < c->opts->expect_labs.count; i++)
		if (otto_strlist_index(names, c->opts->expect_labs.items[i]) < 0) {
			char *all = conf_list_text(names);
			conf_fail(c, "expected lab \"%s\" is not listed by list_labs() %s", c->opts->expect_labs.items[i],
				  all);
			free(all);
		}
}

void conf_check_L14(conf_child *c)
{
	if (!c->opts->expect_labs.count) {
		conf_skip_truth(c, "--expect-lab NAME");
		return;
	}
	if (!conf_instance(c)) {
		conf_skip_fetch(c, &c->f_create);
		return;
	}
	for (size_t i = 0; i < c->opts->expect_labs.count; i++) {
		const char *name = c->opts->expect_labs.items[i];
		char *desc = otto__asprintf("load_lab(\"%s\") (expected lab)", name);
		if (!conf_call_begin(c, desc)) {
			free(desc);
			continue;
		}
		otto_error err = {0};
		otto_lab *lab = NULL;
		int st = otto_lab_repository_load_lab(c->repo, name, NULL, &lab, &err);
		conf_call_end(c);
		if (st != OTTO_OK)
			conf_fail(c, "%s failed with %s: %s", desc, otto_status_name(st), err.message);
		if (lab)
			otto_lab_free(lab);
		free(desc);
	}
}

/* Endpoints name host ids (a key may differ from the id: that is L9's). */
static bool has_host_id(const otto_lab *lab, const char *id)
{
	for (size_t h = 0; h < lab->n_hosts; h++)
		if (lab->hosts[h].id && strcmp(lab->hosts[h].id, id) == 0)
			return true;
	return false;
}

/* Runs when a lab has links: each has at least one endpoint among the
 * lab's hosts (upstream otto-sh's rule: a lab holds the links that touch
 * it, the far end may be another lab's host). */
void conf_check_L15(conf_child *c)
{
	const otto_strlist *names = conf_lab_names(c);
	if (!names) {
		conf_skip_fetch(c, &c->f_labs);
		return;
	}
	size_t links = 0;
	for (size_t i = 0; i < names->count; i++) {
		const conf_fetch *f;
		const otto_lab *lab = conf_lab_load(c, i, false, &f);
		for (size_t l = 0; lab && l < lab->n_links; l++, links++) {
			const otto_link_rec *link = &lab->links[l];
			bool touches = false;
			for (size_t e = 0; e < link->n_endpoints && !touches; e++)
				touches = has_host_id(lab, link->endpoints[e].host);
			if (!touches)
				conf_fail(c, "lab \"%s\": links[%zu] has no endpoint among the lab's hosts (endpoints[0] "
					  "names host \"%s\")",
					  names->items[i], l, link->n_endpoints ? link->endpoints[0].host : "");
		}
	}
	if (links == 0)
		conf_skip(c, "not checked: no lab that loads has links");
}
