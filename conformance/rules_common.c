/*
 * Rules for every backend: required entries (C4), error messages (C5), the
 * error contract (E1), no NULL strings (C6), no stdout (C7).
 */
#include "child.h"

#include <stdlib.h>
#include <string.h>

static const char *no_raw_type = "the backend type is only reachable through libotto here "
				 "(a built-in backend or --from-settings)";

void conf_check_C4(conf_child *c)
{
	const char *name;
	const void *create, *destroy;
	if (c->lab_type) {
		name = c->lab_type->name;
		create = (const void *)c->lab_type->create;
		destroy = (const void *)c->lab_type->destroy;
	} else if (c->res_type) {
		name = c->res_type->name;
		create = (const void *)c->res_type->create;
		destroy = (const void *)c->res_type->destroy;
	} else {
		conf_skip(c, "not checked: %s", no_raw_type);
		return;
	}
	if (!name || !name[0])
		conf_fail(c, "the backend type has no name");
	if (!create)
		conf_fail(c, "the backend type's create entry is NULL");
	if (!destroy)
		conf_fail(c, "the backend type's destroy entry is NULL");
}

void conf_check_C5(conf_child *c)
{
	/* Errors met during other rules are checked as they happen; the
	 * unknown-lab probe is the one error every lab backend must return. */
	if (!c->lab_type || !c->lab_type->load_lab || !conf_raw_instance(c))
		return;
	const char *desc = "load_lab(\"" CONF_PROBE_LAB "\") (raw)";
	if (!conf_call_begin(c, desc))
		return;
	conf_sink_out out;
	conf_sink_out_init(&out, false);
	otto_error err = {0};
	int st = c->lab_type->load_lab(c->raw_self, CONF_PROBE_LAB, NULL, &out.lab, &err);
	conf_call_end(c);
	if (st != OTTO_OK && !err.message[0])
		conf_fail(c, "%s returned %s without a message", desc, otto_status_name(st));
}

void conf_touch_all(conf_child *c)
{
	if (c->target->kind == OTTO_KIND_LAB) {
		size_t n;
		conf_lab_hosts(c, &n);
		if (conf_lab_has_summaries(c))
			conf_lab_summaries(c);
		return;
	}
	const conf_fetch *f;
	conf_res_name(c, 0, &f);
	otto_strlist users = {0};
	conf_res_users(c, &users);
	for (size_t i = 0; i < users.count; i++)
		conf_res_reserved(c, users.items[i], &f);
	conf_res_who(c, CONF_PROBE_RESOURCE, false, &f);
	if (conf_res_has_windows(c))
		conf_res_windows(c, CONF_PROBE_USER, &f);
	otto_strlist_free(&users);
}

void conf_check_C6(conf_child *c)
{
	conf_touch_all(c);
}

void conf_check_C7(conf_child *c)
{
	if (c->stdout_fd < 0 && !c->direct)
		conf_block(c, "not checked: a prerequisite failed: stdout could not be captured");
	conf_touch_all(c);
}

/* ------------------------------------------------------ error contract -- */

/* A call made with an out-object that refuses every add. */
static bool refused_ok(conf_child *c, const char *desc, int st, size_t adds)
{
	if (adds == 0)
		return false;
	if (st == OTTO_OK)
		conf_fail(c,
			  "%s returned OTTO_OK although the host refused what it added: a failure must be returned as "
			  "an error, never as a partial or empty answer",
			  desc);
	return true;
}

static size_t e1_lab(conf_child *c)
{
	const otto_lab_repository_type *t = c->lab_type;
	size_t checked = 0;
	const otto_strlist *names = conf_lab_names(c);
	otto_error err;
	if (names && names->count && t->list_labs && conf_call_begin(c, "list_labs() (refusing host)")) {
		otto_strlist dummy = {0};
		conf_string_out out;
		conf_string_out_init(&out, &dummy, true);
		memset(&err, 0, sizeof err);
		int st = t->list_labs(c->raw_self, &out.base, &err);
		conf_call_end(c);
		checked += refused_ok(c, "list_labs() (refusing host)", st, out.adds);
	}
	for (size_t i = 0; names && t->load_lab && i < names->count; i++) {
		const conf_fetch *f;
		const otto_lab *lab = conf_lab_load(c, i, false, &f);
		if (!lab || (!lab->n_hosts && !lab->resources.count))
			continue;
		char *desc = otto__asprintf("load_lab(\"%s\") (refusing host)", names->items[i]);
		if (conf_call_begin(c, desc)) {
			conf_sink_out out;
			conf_sink_out_init(&out, true);
			memset(&err, 0, sizeof err);
			int st = t->load_lab(c->raw_self, names->items[i], NULL, &out.lab, &err);
			conf_call_end(c);
			checked += refused_ok(c, desc, st, out.adds);
		}
		free(desc);
		break;
	}
	if (t->list_host_summaries && conf_lab_summaries(c) && c->summaries.count &&
	    conf_call_begin(c, "list_host_summaries() (refusing host)")) {
		conf_sink_out out;
		conf_sink_out_init(&out, true);
		memset(&err, 0, sizeof err);
		int st = t->list_host_summaries(c->raw_self, &out.summary, &err);
		conf_call_end(c);
		checked += refused_ok(c, "list_host_summaries() (refusing host)", st, out.adds);
	}
	return checked;
}

static size_t refuse_string_call(conf_child *c, const char *desc,
				 int (*fn)(void *, const char *, otto_string_out *, otto_error *), const char *arg)
{
	if (!conf_call_begin(c, desc))
		return 0;
	otto_strlist dummy = {0};
	conf_string_out out;
	conf_string_out_init(&out, &dummy, true);
	otto_error err = {0};
	int st = fn(c->raw_self, arg, &out.base, &err);
	conf_call_end(c);
	return refused_ok(c, desc, st, out.adds);
}

static size_t e1_reservation(conf_child *c)
{
	const otto_reservation_backend_type *t = c->res_type;
	size_t checked = 0;
	otto_strlist users = {0};
	conf_res_users(c, &users);
	const char *holder = NULL, *held = NULL;
	for (size_t i = 0; i < users.count && !holder; i++) {
		const conf_fetch *f;
		const otto_strlist *set = conf_res_reserved(c, users.items[i], &f);
		if (set && set->count) {
			holder = users.items[i];
			held = set->items[0];
		}
	}
	if (holder && t->get_reserved_resources) {
		char *desc = otto__asprintf("get_reserved_resources(\"%s\") (refusing host)", holder);
		checked += refuse_string_call(c, desc, t->get_reserved_resources, holder);
		free(desc);
	}
	if (held && t->who_reserved) {
		char *desc = otto__asprintf("who_reserved(\"%s\") (refusing host)", held);
		checked += refuse_string_call(c, desc, t->who_reserved, held);
		free(desc);
	}
	if (t->list_usernames && conf_res_usernames(c) && c->usernames.count &&
	    conf_call_begin(c, "list_usernames() (refusing host)")) {
		otto_strlist dummy = {0};
		conf_string_out out;
		conf_string_out_init(&out, &dummy, true);
		otto_error err = {0};
		int st = t->list_usernames(c->raw_self, &out.base, &err);
		conf_call_end(c);
		checked += refused_ok(c, "list_usernames() (refusing host)", st, out.adds);
	}
	if (holder && t->get_reservation_windows) {
		char *desc = otto__asprintf("get_reservation_windows(\"%s\") (refusing host)", holder);
		if (conf_call_begin(c, desc)) {
			conf_sink_out out;
			conf_sink_out_init(&out, true);
			otto_error err = {0};
			int st = t->get_reservation_windows(c->raw_self, holder, &out.window, &err);
			conf_call_end(c);
			checked += refused_ok(c, desc, st, out.adds);
		}
		free(desc);
	}
	otto_strlist_free(&users);
	return checked;
}

void conf_check_E1(conf_child *c)
{
	if (!c->lab_type && !c->res_type) {
		conf_skip(c, "not checked: %s", no_raw_type);
		return;
	}
	if (!conf_raw_instance(c)) {
		conf_skip_fetch(c, &c->f_raw_create);
		return;
	}
	size_t checked = c->lab_type ? e1_lab(c) : e1_reservation(c);
	if (!checked)
		conf_skip(c, "not checked: the backend answered nothing a host could refuse");
}
