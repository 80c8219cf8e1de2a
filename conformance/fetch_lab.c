/*
 * Lab data, fetched once per child and shared by the rules. list_labs goes
 * through the raw type when we have it (so a NULL string is seen as such);
 * load_lab and the summaries go through libotto, which builds hosts (ids by
 * the id rule) exactly as the otto command does.
 */
#include "child.h"

#include <stdlib.h>
#include <string.h>

static void fail_fetch(conf_fetch *f, const conf_fetch *cause)
{
	f->done = true;
	f->ok = false;
	f->why = otto__strdup(cause->why ? cause->why : "the backend could not be created");
}

static const otto_strlist *lab_names(conf_child *c)
{
	if (c->f_labs.done)
		return c->f_labs.ok ? &c->labs : NULL;
	bool raw = c->lab_type && c->lab_type->list_labs;
	if (raw ? !conf_raw_instance(c) : !conf_instance(c)) {
		fail_fetch(&c->f_labs, raw ? &c->f_raw_create : &c->f_create);
		return NULL;
	}
	if (!conf_fetch_begin(c, &c->f_labs, "list_labs()"))
		return NULL;
	otto_error err = {0};
	int st;
	if (raw) {
		conf_string_out out;
		conf_string_out_init(&out, &c->labs, false);
		st = c->lab_type->list_labs(c->raw_self, &out.base, &err);
		c->labs_nulls = out.nulls;
	} else {
		st = otto_lab_repository_list_labs(c->repo, &c->labs, &err);
	}
	conf_fetch_end(c, &c->f_labs, "list_labs()", st, &err);
	if (c->labs_nulls)
		conf_fail_rule(c, "C6", "list_labs() answered %zu NULL string(s)", c->labs_nulls);
	if (!c->f_labs.ok)
		otto_strlist_free(&c->labs);
	c->loads = otto__calloc(c->labs.count + 1, sizeof *c->loads);
	return c->f_labs.ok ? &c->labs : NULL;
}

static const otto_lab *lab_load(conf_child *c, size_t i, bool second, const conf_fetch **fp)
{
	conf_lab_pair *l = &c->loads[i];
	conf_fetch *f = second ? &l->f2 : &l->f;
	otto_lab **lab = second ? &l->lab2 : &l->lab;
	*fp = f;
	if (f->done)
		return f->ok ? *lab : NULL;
	if (!conf_instance(c)) {
		fail_fetch(f, &c->f_create);
		return NULL;
	}
	char *desc = otto__asprintf("load_lab(\"%s\")%s", c->labs.items[i], second ? " (second call)" : "");
	if (conf_fetch_begin(c, f, desc)) {
		otto_error err = {0};
		int st = otto_lab_repository_load_lab(c->repo, c->labs.items[i], NULL, lab, &err);
		conf_fetch_end(c, f, desc, st, &err);
		if (!f->ok && *lab) {
			otto_lab_free(*lab);
			*lab = NULL;
		}
	}
	free(desc);
	return f->ok ? *lab : NULL;
}

static const otto_summary_list *lab_summaries(conf_child *c)
{
	conf_fetch *f = &c->f_summaries;
	if (f->done)
		return f->ok ? &c->summaries : NULL;
	if (!conf_instance(c)) {
		fail_fetch(f, &c->f_create);
		return NULL;
	}
	if (!conf_fetch_begin(c, f, "list_host_summaries()"))
		return NULL;
	otto_error err = {0};
	int st = otto_lab_repository_list_host_summaries(c->repo, &c->summaries, &err);
	conf_fetch_end(c, f, "list_host_summaries()", st, &err);
	return f->ok ? &c->summaries : NULL;
}

/* The accessors the rules use: each notes a failed fetch against the rule
 * that needed it (conf_note_missing), so that rule cannot pass. */
const otto_strlist *conf_lab_names(conf_child *c)
{
	const otto_strlist *names = lab_names(c);
	conf_note_missing(c, &c->f_labs);
	return names;
}

const otto_lab *conf_lab_load(conf_child *c, size_t i, bool second, const conf_fetch **fp)
{
	const otto_lab *lab = lab_load(c, i, second, fp);
	conf_note_missing(c, *fp);
	return lab;
}

const otto_summary_list *conf_lab_summaries(conf_child *c)
{
	const otto_summary_list *list = lab_summaries(c);
	conf_note_missing(c, &c->f_summaries);
	return list;
}
