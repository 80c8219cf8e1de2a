/*
 * The child's backend instances (created on first use, so a create() that
 * crashes is attributed to the rule that first needed the backend), the
 * recording out-objects, and teardown.
 */
#include "child.h"

#include <stdlib.h>
#include <string.h>

void conf_child_init(conf_child *c, const conf_options *o, conf_target *t)
{
	c->opts = o;
	c->target = t;
	c->rule = t->kind == OTTO_KIND_LAB ? conf_rule_index("L1") : conf_rule_index("R1");
	if (!t->plugin_path)
		return;
	/* The probe already registered this plugin without trouble, in a child of
	 * its own; doing it again here only hands us the raw type. */
	c->have_plugin = conf_plugin_load(&c->plugin, t->plugin_path);
	if (!c->have_plugin)
		conf_plugin_close(&c->plugin);
	for (size_t i = 0; c->have_plugin && i < c->plugin.count; i++) {
		const conf_registered *r = &c->plugin.items[i];
		if (r->kind != t->kind)
			continue;
		if (r->lab && r->lab->name && strcmp(r->lab->name, t->name) == 0)
			c->lab_type = r->lab;
		if (r->reservation && r->reservation->name && strcmp(r->reservation->name, t->name) == 0)
			c->res_type = r->reservation;
	}
}

bool conf_instance(conf_child *c)
{
	if (!conf_fetch_begin(c, &c->f_create, "create()")) {
		conf_note_missing(c, &c->f_create);
		return c->f_create.ok;
	}
	conf_target *t = c->target;
	otto_error err = {0};
	int st;
	if (t->kind == OTTO_KIND_LAB)
		st = t->from_settings ? otto_lab_repository_open_from_settings(&c->repo, t->registry, t->settings, &err)
				      : otto_lab_repository_open(&c->repo, t->registry, t->name, &t->config, &err);
	else
		st = t->from_settings
			     ? otto_reservation_backend_open_from_settings(&c->res, t->registry, t->settings, &err)
			     : otto_reservation_backend_open(&c->res, t->registry, t->name, &t->config, &err);
	conf_fetch_end(c, &c->f_create, "create()", st, &err);
	conf_note_missing(c, &c->f_create);
	return c->f_create.ok;
}

bool conf_raw_instance(conf_child *c)
{
	int (*create)(const otto_config *, void **, otto_error *) =
		c->lab_type ? c->lab_type->create : c->res_type ? c->res_type->create : NULL;
	if (!create || (c->lab_type ? !c->lab_type->destroy : !c->res_type->destroy))
		return false;
	const char *desc = "create() (raw instance)";
	if (!conf_fetch_begin(c, &c->f_raw_create, desc)) {
		conf_note_missing(c, &c->f_raw_create);
		return c->f_raw_create.ok;
	}
	otto_error err = {0};
	int st = create(&c->target->config, &c->raw_self, &err);
	conf_fetch_end(c, &c->f_raw_create, desc, st, &err);
	conf_note_missing(c, &c->f_raw_create);
	return c->f_raw_create.ok;
}

bool conf_lab_has_summaries(conf_child *c)
{
	if (c->lab_type)
		return c->lab_type->list_host_summaries != NULL;
	return conf_instance(c) && otto_lab_repository_has_summaries(c->repo);
}

bool conf_res_has_usernames(conf_child *c)
{
	if (c->res_type)
		return c->res_type->list_usernames != NULL;
	return conf_instance(c) && otto_reservation_backend_has_usernames(c->res);
}

bool conf_res_has_windows(conf_child *c)
{
	if (c->res_type)
		return c->res_type->get_reservation_windows != NULL;
	return conf_instance(c) && otto_reservation_backend_has_windows(c->res);
}

/* ------------------------------------------------------- out-objects -- */

static int string_add(otto_string_out *out, const char *s, otto_error *err)
{
	conf_string_out *o = (conf_string_out *)out;
	o->adds++;
	if (o->refuse)
		return otto_error_set(err, OTTO_ENOMEM, "otto-conformance refused this string (an injected host failure)");
	if (!s) {
		o->nulls++;
		return OTTO_OK;
	}
	otto__strlist_push(o->list, s);
	return OTTO_OK;
}

static const otto_string_out_ops string_ops = {sizeof(otto_string_out_ops), string_add, NULL};

void conf_string_out_init(conf_string_out *o, otto_strlist *list, bool refuse)
{
	memset(o, 0, sizeof *o);
	o->base.ops = &string_ops;
	o->list = list;
	o->refuse = refuse;
}

#define SINK_OF(ptr, member) ((conf_sink_out *)((char *)(ptr)-offsetof(conf_sink_out, member)))

static int sink_result(conf_sink_out *o, otto_error *err)
{
	o->adds++;
	if (o->refuse)
		return otto_error_set(err, OTTO_ENOMEM, "otto-conformance refused this item (an injected host failure)");
	return OTTO_OK;
}

static int sink_add_host(otto_lab_out *out, const otto_host *host, otto_error *err)
{
	(void)host;
	return sink_result(SINK_OF(out, lab), err);
}

static int sink_add_resource(otto_lab_out *out, const char *resource, otto_error *err)
{
	(void)resource;
	return sink_result(SINK_OF(out, lab), err);
}

static int sink_add_link(otto_lab_out *out, const otto_link *link, otto_error *err)
{
	(void)link;
	return sink_result(SINK_OF(out, lab), err);
}

static int sink_add_summary(otto_summary_out *out, const otto_host_summary *summary, otto_error *err)
{
	(void)summary;
	return sink_result(SINK_OF(out, summary), err);
}

static int sink_add_window(otto_window_out *out, const char *resource, int64_t start, int64_t end, otto_error *err)
{
	(void)resource;
	(void)start;
	(void)end;
	return sink_result(SINK_OF(out, window), err);
}

static const otto_lab_out_ops sink_lab_ops = {sizeof(otto_lab_out_ops), sink_add_host, sink_add_resource,
					     sink_add_link};
static const otto_summary_out_ops sink_summary_ops = {sizeof(otto_summary_out_ops), sink_add_summary, NULL};
static const otto_window_out_ops sink_window_ops = {sizeof(otto_window_out_ops), sink_add_window};

void conf_sink_out_init(conf_sink_out *o, bool refuse)
{
	memset(o, 0, sizeof *o);
	o->lab.ops = &sink_lab_ops;
	o->summary.ops = &sink_summary_ops;
	o->window.ops = &sink_window_ops;
	o->refuse = refuse;
}

/* ---------------------------------------------------------- teardown -- */

static void keyed_free(conf_keyed_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].key);
		conf_fetch_clear(&set->items[i].f);
		conf_fetch_clear(&set->items[i].f2);
		otto_strlist_free(&set->items[i].list);
		otto_strlist_free(&set->items[i].list2);
	}
	free(set->items);
	memset(set, 0, sizeof *set);
}

void conf_child_teardown(conf_child *c)
{
	/* A crash in destroy() counts against "created and destroyed cleanly". */
	conf_child_rule_start(c, c->target->kind == OTTO_KIND_LAB ? conf_rule_index("L1") : conf_rule_index("R1"));
	if (c->repo && conf_call_begin(c, "destroy()")) {
		otto_lab_repository_free(c->repo);
		conf_call_end(c);
	}
	if (c->res && conf_call_begin(c, "destroy()")) {
		otto_reservation_backend_free(c->res);
		conf_call_end(c);
	}
	if (c->raw_self && conf_call_begin(c, "destroy() (raw instance)")) {
		if (c->lab_type)
			c->lab_type->destroy(c->raw_self);
		else
			c->res_type->destroy(c->raw_self);
		conf_call_end(c);
	}
	c->repo = NULL;
	c->res = NULL;
	c->raw_self = NULL;
	for (size_t i = 0; c->loads && i < c->labs.count; i++) {
		conf_fetch_clear(&c->loads[i].f);
		conf_fetch_clear(&c->loads[i].f2);
		otto_lab_free(c->loads[i].lab);
		otto_lab_free(c->loads[i].lab2);
	}
	free(c->loads);
	free(c->hosts);
	free(c->labs_sorted);
	otto_strlist_free(&c->labs);
	otto_summary_list_free(&c->summaries);
	for (size_t i = 0; i < 3; i++)
		free(c->names[i]);
	keyed_free(&c->reserved);
	keyed_free(&c->who);
	for (size_t i = 0; c->windows && i < c->windows_calls.count; i++)
		otto_window_list_free(&c->windows[i]);
	free(c->windows);
	keyed_free(&c->windows_calls);
	otto_strlist_free(&c->usernames);
	conf_fetch_clear(&c->f_create);
	conf_fetch_clear(&c->f_raw_create);
	conf_fetch_clear(&c->f_labs);
	conf_fetch_clear(&c->f_summaries);
	conf_fetch_clear(&c->f_names);
	conf_fetch_clear(&c->f_usernames);
	if (c->have_plugin)
		conf_plugin_close(&c->plugin);
	c->have_plugin = false;
	free(c->skip_reason);
	free(c->block_reason);
	c->skip_reason = c->block_reason = NULL;
}
