/*
 * ReservationBackend rules R1-R13, windows W1-W6, usernames U1-U2.
 */
#include "child.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool res_type_complete(const conf_child *c)
{
	const otto_reservation_backend_type *t = c->res_type;
	return !t || (t->create && t->destroy && t->backend_name && t->get_reserved_resources && t->who_reserved);
}

void conf_check_R1(conf_child *c)
{
	if (!res_type_complete(c)) {
		conf_block(c, "not checked: a prerequisite failed: the type lacks required entries (see C4, R2-R4)");
		return;
	}
	if (!conf_instance(c))
		conf_fetch_report(c, &c->f_create);
}

static void check_entry(conf_child *c, const void *entry, const char *name)
{
	if (c->res_type) {
		if (!entry)
			conf_fail(c, "the backend type's %s entry is NULL (a required operation)", name);
	} else if (!conf_instance(c)) {
		conf_skip_fetch(c, &c->f_create);
	}
}

void conf_check_R2(conf_child *c)
{
	check_entry(c, c->res_type ? (const void *)c->res_type->backend_name : NULL, "backend_name");
}

void conf_check_R3(conf_child *c)
{
	check_entry(c, c->res_type ? (const void *)c->res_type->get_reserved_resources : NULL,
		    "get_reserved_resources");
}

void conf_check_R4(conf_child *c)
{
	check_entry(c, c->res_type ? (const void *)c->res_type->who_reserved : NULL, "who_reserved");
}

void conf_check_R5(conf_child *c)
{
	const conf_fetch *f;
	const char *name = conf_res_name(c, 0, &f);
	if (!f->ok)
		conf_skip_fetch(c, f);
	else if (!name)
		conf_fail(c, "backend_name() returned NULL");
	else if (!name[0])
		conf_fail(c, "backend_name() returned an empty string");
}

void conf_check_R6(conf_child *c)
{
	const conf_fetch *f;
	conf_res_name(c, 0, &f);
	if (!f->ok) {
		conf_skip_fetch(c, f);
		return;
	}
	for (int i = 1; i < 3; i++) {
		const char *a = c->names[0], *b = c->names[i];
		if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
			conf_fail(c, "backend_name() answered \"%s\", then \"%s\"", a ? a : "(null)", b ? b : "(null)");
			return;
		}
	}
}

void conf_check_R7(conf_child *c)
{
	otto_strlist users = {0};
	conf_res_users(c, &users);
	for (size_t i = 0; i < users.count; i++) {
		const conf_fetch *f;
		if (!conf_res_reserved(c, users.items[i], &f))
			conf_fetch_report(c, f);
	}
	otto_strlist_free(&users);
}

void conf_check_R8(conf_child *c)
{
	otto_strlist users = {0};
	conf_res_users(c, &users);
	bool any = false;
	for (size_t i = 0; i < users.count; i++) {
		const conf_fetch *f;
		const otto_strlist *set = conf_res_reserved(c, users.items[i], &f);
		if (!set)
			continue;
		any = true;
		char *call = otto__asprintf("get_reserved_resources(\"%s\")", users.items[i]);
		conf_check_string_set(c, call, set);
		free(call);
	}
	if (!any)
		conf_block(c, "not checked: a prerequisite failed: get_reserved_resources never answered (see R7)");
	otto_strlist_free(&users);
}

/* Resources worth asking about: the probe, ground truth, and everything
 * the users we know of hold (bounded). */
static void resources(conf_child *c, otto_strlist *out)
{
	otto__strlist_push(out, CONF_PROBE_RESOURCE);
	for (size_t i = 0; i < c->opts->known_resources.count; i++)
		otto__strlist_push(out, c->opts->known_resources.items[i]);
	otto_strlist users = {0};
	conf_res_users(c, &users);
	for (size_t i = 0; i < users.count && out->count < 500; i++) {
		const conf_fetch *f;
		const otto_strlist *set = conf_res_reserved(c, users.items[i], &f);
		for (size_t r = 0; set && r < set->count && out->count < 500; r++)
			if (set->items[r][0])
				otto__strlist_push(out, set->items[r]);
	}
	otto_strlist_free(&users);
	otto__strlist_sort_unique(out);
}

void conf_check_R9(conf_child *c)
{
	otto_strlist res = {0};
	resources(c, &res);
	for (size_t i = 0; i < res.count; i++) {
		const conf_fetch *f;
		const otto_strlist *holders = conf_res_who(c, res.items[i], false, &f);
		if (!holders) {
			conf_fetch_report(c, f);
			continue;
		}
		char *call = otto__asprintf("who_reserved(\"%s\")", res.items[i]);
		conf_check_string_set(c, call, holders);
		free(call);
	}
	otto_strlist_free(&res);
}

void conf_check_R10(conf_child *c)
{
	otto_strlist res = {0};
	resources(c, &res);
	for (size_t i = 0; i < res.count; i++) {
		const conf_fetch *f;
		const otto_strlist *a = conf_res_who(c, res.items[i], false, &f);
		if (!a)
			continue;
		const otto_strlist *b = conf_res_who(c, res.items[i], true, &f);
		if (!b) {
			conf_fetch_report(c, f);
			continue;
		}
		bool same = a->count == b->count;
		for (size_t k = 0; same && k < a->count; k++)
			same = strcmp(a->items[k], b->items[k]) == 0;
		if (!same) {
			char *ta = conf_list_text(a), *tb = conf_list_text(b);
			conf_fail(c, "who_reserved(\"%s\") answered %s, then %s", res.items[i], ta, tb);
			free(ta);
			free(tb);
		}
	}
	otto_strlist_free(&res);
}

static bool truth(conf_child *c)
{
	if (c->opts->known_users.count && c->opts->known_resources.count)
		return true;
	conf_skip_truth(c, "--known-user USER and --known-resource RES");
	return false;
}

void conf_check_R11(conf_child *c)
{
	if (!truth(c))
		return;
	for (size_t r = 0; r < c->opts->known_resources.count; r++) {
		const char *res = c->opts->known_resources.items[r];
		const conf_fetch *f;
		const otto_strlist *holders = conf_res_who(c, res, false, &f);
		if (!holders) {
			conf_skip_fetch(c, f);
			continue;
		}
		for (size_t u = 0; u < c->opts->known_users.count; u++)
			if (otto_strlist_index(holders, c->opts->known_users.items[u]) < 0) {
				char *t = conf_list_text(holders);
				conf_fail(c, "who_reserved(\"%s\") answered %s, without the known user \"%s\"", res, t,
					  c->opts->known_users.items[u]);
				free(t);
			}
	}
}

void conf_check_R12(conf_child *c)
{
	if (!truth(c))
		return;
	for (size_t u = 0; u < c->opts->known_users.count; u++) {
		const char *user = c->opts->known_users.items[u];
		const conf_fetch *f;
		const otto_strlist *set = conf_res_reserved(c, user, &f);
		if (!set) {
			conf_skip_fetch(c, f);
			continue;
		}
		for (size_t r = 0; r < c->opts->known_resources.count; r++)
			if (otto_strlist_index(set, c->opts->known_resources.items[r]) < 0) {
				char *t = conf_list_text(set);
				conf_fail(c, "get_reserved_resources(\"%s\") answered %s, without the known resource \"%s\"",
					  user, t, c->opts->known_resources.items[r]);
				free(t);
			}
	}
}

void conf_check_R13(conf_child *c)
{
	otto_strlist res = {0};
	resources(c, &res);
	for (size_t i = 0; i < res.count; i++) {
		const conf_fetch *f;
		const otto_strlist *holders = conf_res_who(c, res.items[i], false, &f);
		for (size_t h = 0; holders && h < holders->count && h < 100; h++) {
			const otto_strlist *set = conf_res_reserved(c, holders->items[h], &f);
			if (set && otto_strlist_index(set, res.items[i]) < 0) {
				char *t = conf_list_text(set);
				conf_fail(c, "who_reserved(\"%s\") names \"%s\", but get_reserved_resources(\"%s\") answered %s",
					  res.items[i], holders->items[h], holders->items[h], t);
				free(t);
			}
		}
	}
	otto_strlist_free(&res);
}

/* ----------------------------------------------------------- windows -- */

typedef void (*window_visit)(conf_child *c, const char *user, const otto_window_list *w);

static void each_windows(conf_child *c, bool report, window_visit visit)
{
	if (!conf_res_has_windows(c)) {
		conf_skip(c, "the backend does not advertise get_reservation_windows");
		return;
	}
	otto_strlist users = {0};
	conf_res_users(c, &users);
	for (size_t i = 0; i < users.count; i++) {
		const conf_fetch *f;
		const otto_window_list *w = conf_res_windows(c, users.items[i], &f);
		if (!w) {
			if (report)
				conf_fetch_report(c, f);
			continue;
		}
		if (visit)
			visit(c, users.items[i], w);
	}
	otto_strlist_free(&users);
}

void conf_check_W1(conf_child *c)
{
	each_windows(c, true, NULL);
}

static void visit_resource(conf_child *c, const char *user, const otto_window_list *w)
{
	for (size_t i = 0; i < w->count; i++)
		if (!w->items[i].resource || !w->items[i].resource[0])
			conf_fail(c, "get_reservation_windows(\"%s\"): window %zu has no resource", user, i + 1);
}

void conf_check_W2(conf_child *c)
{
	each_windows(c, false, visit_resource);
}

static void visit_order(conf_child *c, const char *user, const otto_window_list *w)
{
	for (size_t i = 0; i < w->count; i++)
		if (w->items[i].start > w->items[i].end)
			conf_fail(c, "get_reservation_windows(\"%s\"): window of \"%s\" starts at %lld, after its end %lld",
				  user, w->items[i].resource ? w->items[i].resource : "(null)",
				  (long long)w->items[i].start, (long long)w->items[i].end);
}

void conf_check_W3(conf_child *c)
{
	each_windows(c, false, visit_order);
}

static void visit_range(conf_child *c, const char *user, const otto_window_list *w)
{
	for (size_t i = 0; i < w->count; i++) {
		const otto_window_rec *r = &w->items[i];
		if (r->start < OTTO_TIME_EPOCH || r->end > OTTO_TIME_FAR_FUTURE || r->end < OTTO_TIME_EPOCH ||
		    r->start > OTTO_TIME_FAR_FUTURE)
			conf_fail(c,
				  "get_reservation_windows(\"%s\"): window of \"%s\" (%lld..%lld) is outside the epoch .. "
				  "9999-12-31T23:59:59Z (OTTO_TIME_EPOCH / OTTO_TIME_FAR_FUTURE)",
				  user, r->resource ? r->resource : "(null)", (long long)r->start, (long long)r->end);
	}
}

void conf_check_W4(conf_child *c)
{
	each_windows(c, false, visit_range);
}

static void covered_now(const otto_window_list *w, otto_strlist *out)
{
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < w->count; i++)
		if (w->items[i].resource && w->items[i].start <= now && now <= w->items[i].end)
			otto__strlist_push(out, w->items[i].resource);
	otto__strlist_sort_unique(out);
}

static void visit_covered_in_flat(conf_child *c, const char *user, const otto_window_list *w)
{
	const conf_fetch *f;
	const otto_strlist *flat = conf_res_reserved(c, user, &f);
	if (!flat)
		return;
	otto_strlist cov = {0};
	covered_now(w, &cov);
	for (size_t i = 0; i < cov.count; i++)
		if (otto_strlist_index(flat, cov.items[i]) < 0) {
			char *t = conf_list_text(flat);
			conf_fail(c, "a window of \"%s\" covers now for \"%s\", but get_reserved_resources(\"%s\") answered %s",
				  cov.items[i], user, user, t);
			free(t);
		}
	otto_strlist_free(&cov);
}

void conf_check_W5(conf_child *c)
{
	each_windows(c, false, visit_covered_in_flat);
}

static void visit_flat_in_covered(conf_child *c, const char *user, const otto_window_list *w)
{
	const conf_fetch *f;
	const otto_strlist *flat = conf_res_reserved(c, user, &f);
	if (!flat)
		return;
	otto_strlist cov = {0};
	covered_now(w, &cov);
	for (size_t i = 0; i < flat->count; i++)
		if (otto_strlist_index(&cov, flat->items[i]) < 0) {
			char *t = conf_list_text(&cov);
			conf_fail(c, "get_reserved_resources(\"%s\") has \"%s\", but no window covers it now (covered: %s)",
				  user, flat->items[i], t);
			free(t);
		}
	otto_strlist_free(&cov);
}

void conf_check_W6(conf_child *c)
{
	each_windows(c, false, visit_flat_in_covered);
}

/* --------------------------------------------------------- usernames -- */

void conf_check_U1(conf_child *c)
{
	if (!conf_res_has_usernames(c)) {
		conf_skip(c, "the backend does not advertise list_usernames");
		return;
	}
	if (!conf_res_usernames(c))
		conf_fetch_report(c, &c->f_usernames);
}

void conf_check_U2(conf_child *c)
{
	if (!conf_res_has_usernames(c)) {
		conf_skip(c, "the backend does not advertise list_usernames");
		return;
	}
	const otto_strlist *names = conf_res_usernames(c);
	if (!names)
		conf_skip_fetch(c, &c->f_usernames);
	else
		conf_check_string_set(c, "list_usernames()", names);
}
