/*
 * The `example` reservation backend's write capability (ABI 1.2 reserve and
 * cancel), in memory: the windows it makes live as long as the backend
 * instance, that is one otto command (or one otto-conformance run). They do
 * not persist between runs; a backend that should keep them stores them
 * somewhere shared (a database: see the postgres plugin).
 *
 * Rules, the ones docs/writing-a-backend.md asks of every backend:
 *   - all or none: every resource is checked before anything is made;
 *   - an exclusive window overlaps nothing of anyone's; a shared one
 *     overlaps only shared ones. The holds of the settings are open
 *     windows: exclusive when one user holds the resource, shared when
 *     several do (the demo's "shared");
 *   - OTTO_ECONFLICT names the holder and the window;
 *   - cancel removes the caller's own windows, or anyone's with
 *     OTTO_RESERVE_FORCE when the caller is in `admins`. The holds of the
 *     settings are not windows it made and are never cancelled.
 */
#include "reservations.h"

#include <stdio.h>
#include <time.h>

int example_writes_configure(example_reservations *r, const otto_config *config, otto_error *err)
{
	const otto_setting *admins = otto_config_find(config, "admins");
	if (!admins)
		return OTTO_OK;
	int rc = example_expect_array(config, admins, "\"root\"", err);
	for (size_t i = 0; rc == OTTO_OK && i < admins->n_items; i++)
		if (example_strv_push_unique(&r->admins, admins->items[i]) != OTTO_OK)
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
	return rc;
}

void example_writes_free(example_reservations *r)
{
	for (size_t i = 0; i < r->n_made; i++) {
		free(r->made[i].resource);
		free(r->made[i].user);
	}
	free(r->made);
	example_strv_free(&r->admins);
}

static bool covers_now(const example_window *w)
{
	int64_t now = (int64_t)time(NULL);
	return w->start <= now && now < w->end;
}

/* Whether the settings already give `user` this hold (answered once only). */
static bool configured_holds(const example_reservations *r, const char *user, const char *resource)
{
	const example_user *u = example_find_user(r, user);
	return u && example_strv_index(&u->resources, resource) >= 0;
}

int example_writes_reserved(const example_reservations *r, const char *user, otto_string_out *out, otto_error *err)
{
	for (size_t i = 0; i < r->n_made; i++) {
		const example_window *w = &r->made[i];
		if (strcmp(w->user, user) != 0 || !covers_now(w) || configured_holds(r, user, w->resource))
			continue;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(r->made[k].user, user) == 0 && covers_now(&r->made[k]) &&
			       strcmp(r->made[k].resource, w->resource) == 0;
		int rc = seen ? OTTO_OK : otto_string_out_add(out, w->resource, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

int example_writes_who(const example_reservations *r, const char *resource, otto_string_out *out, otto_error *err)
{
	for (size_t i = 0; i < r->n_made; i++) {
		const example_window *w = &r->made[i];
		if (strcmp(w->resource, resource) != 0 || !covers_now(w) || configured_holds(r, w->user, resource))
			continue;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(r->made[k].user, w->user) == 0 && covers_now(&r->made[k]) &&
			       strcmp(r->made[k].resource, resource) == 0;
		int rc = seen ? OTTO_OK : otto_string_out_add(out, w->user, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

int example_writes_users(const example_reservations *r, otto_string_out *out, otto_error *err)
{
	for (size_t i = 0; i < r->n_made; i++) {
		bool seen = example_find_user(r, r->made[i].user) != NULL;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(r->made[k].user, r->made[i].user) == 0;
		int rc = seen ? OTTO_OK : otto_string_out_add(out, r->made[i].user, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

int example_writes_windows(const example_reservations *r, const char *user, otto_window_out *out, otto_error *err)
{
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < r->n_made; i++) {
		const example_window *w = &r->made[i];
		if (strcmp(w->user, user) != 0 || w->end <= now)
			continue;
		int rc = otto_window_out_add(out, w->resource, w->start, w->end, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

static void iso(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

/* The settings' holders of `resource`: how many, and the first. */
static size_t configured_holders(const example_reservations *r, const char *resource, const char **first)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_users; i++)
		if (example_strv_index(&r->users[i].resources, resource) >= 0 && n++ == 0)
			*first = r->users[i].name;
	return n;
}

/* OTTO_ECONFLICT if [start, end) of `resource` overlaps what it may not. */
static int check_one(const example_reservations *r, const char *resource, int64_t start, int64_t end, bool shared,
		     otto_error *err)
{
	const char *holder = NULL;
	size_t n = configured_holders(r, resource, &holder);
	char from[32], until[32];
	if (n > 0 && !(shared && n > 1))
		return otto_error_set(err, OTTO_ECONFLICT,
				      "%s is held by %s with no end (%s, from the settings of reservation backend "
				      "'example')",
				      resource, holder, n > 1 ? "shared" : "exclusive");
	for (size_t i = 0; i < r->n_made; i++) {
		const example_window *w = &r->made[i];
		if (strcmp(w->resource, resource) != 0 || w->end <= start || end <= w->start || (shared && w->shared))
			continue;
		iso(from, sizeof from, w->start);
		iso(until, sizeof until, w->end);
		return otto_error_set(err, OTTO_ECONFLICT, "%s is held by %s from %s until %s (%s)", resource, w->user,
				      from, until, w->shared ? "shared" : "exclusive");
	}
	return OTTO_OK;
}

int example_reserve(void *self, const otto_reservation_request *request, otto_window_out *made, otto_error *err)
{
	example_reservations *r = self;
	bool shared = (request->flags & OTTO_RESERVE_SHARED) != 0;
	int rc = OTTO_OK;
	/* All or none: every resource is checked before anything is made. */
	for (size_t k = 0; k < request->n_resources; k++) {
		for (size_t j = 0; j < k; j++)
			if (strcmp(request->resources[j], request->resources[k]) == 0)
				return otto_error_set(err, OTTO_EINVALID, "resource '%s' is asked for twice",
						      request->resources[k]);
		if ((rc = check_one(r, request->resources[k], request->start, request->end, shared, err)) != OTTO_OK)
			return rc;
	}
	example_window *grown = realloc(r->made, (r->n_made + request->n_resources) * sizeof *grown);
	if (!grown)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	r->made = grown;
	size_t first = r->n_made;
	for (size_t k = 0; k < request->n_resources; k++) {
		example_window *w = &r->made[r->n_made];
		w->resource = strdup(request->resources[k]);
		w->user = strdup(request->user);
		w->start = request->start;
		w->end = request->end;
		w->shared = shared;
		r->n_made++;
		if (!w->resource || !w->user) {
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
			break;
		}
	}
	if (rc != OTTO_OK) {
		/* Undo: none of this request stays. */
		while (r->n_made > first) {
			r->n_made--;
			free(r->made[r->n_made].resource);
			free(r->made[r->n_made].user);
		}
		return rc;
	}
	for (size_t i = first; rc == OTTO_OK && i < r->n_made; i++)
		rc = otto_window_out_add(made, r->made[i].resource, r->made[i].start, r->made[i].end, err);
	return rc;
}

int example_cancel(void *self, const otto_reservation_request *request, otto_window_out *cancelled, otto_error *err)
{
	example_reservations *r = self;
	bool force = (request->flags & OTTO_RESERVE_FORCE) != 0;
	if (force && example_strv_index(&r->admins, request->user) < 0)
		return otto_error_set(err, OTTO_ERROR,
				      "'%s' may not cancel others' reservations: not in [reservations.example] admins",
				      request->user);
	size_t kept = 0;
	int rc = OTTO_OK;
	for (size_t i = 0; i < r->n_made; i++) {
		example_window *w = &r->made[i];
		bool asked = false;
		for (size_t k = 0; k < request->n_resources && !asked; k++)
			asked = strcmp(w->resource, request->resources[k]) == 0;
		if (rc == OTTO_OK && asked && w->end > request->start && (force || strcmp(w->user, request->user) == 0)) {
			rc = otto_window_out_add(cancelled, w->resource, w->start, w->end, err);
			free(w->resource);
			free(w->user);
			continue;
		}
		r->made[kept++] = *w;
	}
	r->n_made = kept;
	return rc;
}
