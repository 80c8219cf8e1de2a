/*
 * Reservation data, fetched once per child and shared by the rules. String
 * answers go through the raw type when we have it (a NULL string is seen as
 * such); windows go through libotto.
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

static conf_keyed *keyed_get(conf_keyed_set *set, const char *key)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->items[i].key, key) == 0)
			return &set->items[i];
	set->items = otto__realloc(set->items, (set->count + 1) * sizeof *set->items);
	conf_keyed *k = &set->items[set->count++];
	memset(k, 0, sizeof *k);
	k->key = otto__strdup(key);
	return k;
}

typedef int (*raw_string_call)(void *self, const char *arg, otto_string_out *out, otto_error *err);

/* One string-list call, raw when possible. */
static void string_call(conf_child *c, conf_fetch *f, otto_strlist *list, const char *desc, raw_string_call raw,
			int (*raw_noarg)(void *, otto_string_out *, otto_error *), const char *arg,
			int (*wrapped)(otto_reservation_backend *, const char *, otto_strlist *, otto_error *))
{
	bool use_raw = raw || raw_noarg;
	if (use_raw ? !conf_raw_instance(c) : !conf_instance(c)) {
		fail_fetch(f, use_raw ? &c->f_raw_create : &c->f_create);
		return;
	}
	if (!conf_fetch_begin(c, f, desc))
		return;
	otto_error err = {0};
	int st;
	size_t nulls = 0;
	if (use_raw) {
		conf_string_out out;
		conf_string_out_init(&out, list, false);
		st = raw ? raw(c->raw_self, arg, &out.base, &err) : raw_noarg(c->raw_self, &out.base, &err);
		nulls = out.nulls;
	} else if (wrapped) {
		st = wrapped(c->res, arg, list, &err);
	} else {
		st = otto_reservation_backend_list_usernames(c->res, list, &err);
	}
	conf_fetch_end(c, f, desc, st, &err);
	if (nulls)
		conf_fail_rule(c, "C6", "%s answered %zu NULL string(s)", desc, nulls);
	if (!f->ok)
		otto_strlist_free(list);
}

static const otto_strlist *res_reserved(conf_child *c, const char *user, const conf_fetch **fp)
{
	conf_keyed *k = keyed_get(&c->reserved, user);
	*fp = &k->f;
	if (!k->f.done) {
		char *desc = otto__asprintf("get_reserved_resources(\"%s\")", user);
		string_call(c, &k->f, &k->list, desc, c->res_type ? c->res_type->get_reserved_resources : NULL, NULL,
			    user, otto_reservation_backend_reserved_resources);
		free(desc);
	}
	return k->f.ok ? &k->list : NULL;
}

static const otto_strlist *res_who(conf_child *c, const char *resource, bool second, const conf_fetch **fp)
{
	conf_keyed *k = keyed_get(&c->who, resource);
	conf_fetch *f = second ? &k->f2 : &k->f;
	otto_strlist *list = second ? &k->list2 : &k->list;
	*fp = f;
	if (!f->done) {
		char *desc = otto__asprintf("who_reserved(\"%s\")%s", resource, second ? " (second call)" : "");
		string_call(c, f, list, desc, c->res_type ? c->res_type->who_reserved : NULL, NULL, resource,
			    otto_reservation_backend_who_reserved);
		free(desc);
	}
	return f->ok ? list : NULL;
}

static const otto_strlist *res_usernames(conf_child *c)
{
	if (!c->f_usernames.done)
		string_call(c, &c->f_usernames, &c->usernames, "list_usernames()", NULL,
			    c->res_type ? c->res_type->list_usernames : NULL, NULL, NULL);
	return c->f_usernames.ok ? &c->usernames : NULL;
}

static const otto_window_list *res_windows(conf_child *c, const char *user, const conf_fetch **fp)
{
	size_t before = c->windows_calls.count;
	conf_keyed *k = keyed_get(&c->windows_calls, user);
	if (c->windows_calls.count != before) {
		c->windows = otto__realloc(c->windows, c->windows_calls.count * sizeof *c->windows);
		memset(&c->windows[c->windows_calls.count - 1], 0, sizeof *c->windows);
	}
	size_t idx = (size_t)(k - c->windows_calls.items);
	*fp = &k->f;
	if (k->f.done)
		return k->f.ok ? &c->windows[idx] : NULL;
	if (!conf_instance(c)) {
		fail_fetch(&k->f, &c->f_create);
		return NULL;
	}
	char *desc = otto__asprintf("get_reservation_windows(\"%s\")", user);
	if (conf_fetch_begin(c, &k->f, desc)) {
		otto_error err = {0};
		int st = otto_reservation_backend_windows(c->res, user, &c->windows[idx], &err);
		conf_fetch_end(c, &k->f, desc, st, &err);
	}
	free(desc);
	return k->f.ok ? &c->windows[idx] : NULL;
}

/* backend_name() three times: the answers are kept (NULL stays NULL). */
static const char *res_name(conf_child *c, int i, const conf_fetch **fp)
{
	*fp = &c->f_names;
	if (!c->f_names.done) {
		bool raw = c->res_type && c->res_type->backend_name;
		if (raw ? !conf_raw_instance(c) : !conf_instance(c)) {
			fail_fetch(&c->f_names, raw ? &c->f_raw_create : &c->f_create);
			return NULL;
		}
		if (!conf_fetch_begin(c, &c->f_names, "backend_name()"))
			return NULL;
		for (int n = 0; n < 3; n++) {
			const char *name = raw ? c->res_type->backend_name(c->raw_self)
					       : otto_reservation_backend_name(c->res);
			c->names[n] = otto__strdup(name);
		}
		conf_fetch_end(c, &c->f_names, "backend_name()", OTTO_OK, NULL);
	}
	return c->f_names.ok ? c->names[i] : NULL;
}

void conf_res_users(conf_child *c, otto_strlist *out)
{
	otto__strlist_push(out, CONF_PROBE_USER);
	for (size_t i = 0; i < c->opts->known_users.count; i++)
		otto__strlist_push(out, c->opts->known_users.items[i]);
	if (conf_res_has_usernames(c)) {
		/* Only a sample of whom to ask: when list_usernames fails (U1's
		 * violation), the rules still ask the users they know of, so the
		 * failure is not noted against them. */
		const otto_strlist *names = res_usernames(c);
		/* A bounded sample keeps a run against a huge directory quick. */
		for (size_t i = 0; names && i < names->count && i < 200; i++)
			otto__strlist_push(out, names->items[i]);
	}
	otto__strlist_sort_unique(out);
}

/* The accessors the rules use: each notes a failed fetch against the rule
 * that needed it (conf_note_missing), so that rule cannot pass. */
const otto_strlist *conf_res_reserved(conf_child *c, const char *user, const conf_fetch **fp)
{
	const otto_strlist *l = res_reserved(c, user, fp);
	conf_note_missing(c, *fp);
	return l;
}

const otto_strlist *conf_res_who(conf_child *c, const char *resource, bool second, const conf_fetch **fp)
{
	const otto_strlist *l = res_who(c, resource, second, fp);
	conf_note_missing(c, *fp);
	return l;
}

const otto_strlist *conf_res_usernames(conf_child *c)
{
	const otto_strlist *l = res_usernames(c);
	conf_note_missing(c, &c->f_usernames);
	return l;
}

const otto_window_list *conf_res_windows(conf_child *c, const char *user, const conf_fetch **fp)
{
	const otto_window_list *l = res_windows(c, user, fp);
	conf_note_missing(c, *fp);
	return l;
}

const char *conf_res_name(conf_child *c, int i, const conf_fetch **fp)
{
	const char *name = res_name(c, i, fp);
	conf_note_missing(c, *fp);
	return name;
}
