/*
 * A reservation backend with the ABI 1.2 write capability, kept in memory
 * (one instance, one process): reservation backend "writer". reserve makes
 * one exclusive window per resource, all or none, and refuses an overlap
 * with OTTO_ECONFLICT naming the holder and the window; cancel removes the
 * caller's windows that cover `start` or begin after it. Settings:
 *   taken = "RESOURCE:USER:START:END" (one window held by someone else)
 * Reservation backend "reader" is the same, read-only.
 */
#include <otto/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct window {
	char resource[64], user[64];
	int64_t start, end;
} window;

typedef struct store {
	size_t n;
	window w[64];
} store;

static int w_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"taken", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc)
		return rc;
	store *s = calloc(1, sizeof *s);
	if (!s)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const otto_setting *taken = otto_config_find(config, "taken");
	if (taken && taken->string) {
		long long a, b;
		if (sscanf(taken->string, "%63[^:]:%63[^:]:%lld:%lld", s->w[0].resource, s->w[0].user, &a, &b) != 4) {
			free(s);
			return otto_error_set(err, OTTO_EINVALID, "taken: expected RESOURCE:USER:START:END");
		}
		s->w[0].start = a;
		s->w[0].end = b;
		s->n = 1;
	}
	*self = s;
	return OTTO_OK;
}

static void w_destroy(void *self)
{
	free(self);
}

static const char *w_name(void *self)
{
	(void)self;
	return "writer";
}

static int w_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	store *s = self;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->w[i].user, user) == 0) {
			int rc = otto_string_out_add(out, s->w[i].resource, err);
			if (rc)
				return rc;
		}
	return OTTO_OK;
}

static int w_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	store *s = self;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->w[i].resource, resource) == 0) {
			int rc = otto_string_out_add(out, s->w[i].user, err);
			if (rc)
				return rc;
		}
	return OTTO_OK;
}

static int w_reserve(void *self, const otto_reservation_request *r, otto_window_out *made, otto_error *err)
{
	store *s = self;
	for (size_t k = 0; k < r->n_resources; k++)
		for (size_t i = 0; i < s->n; i++)
			if (strcmp(s->w[i].resource, r->resources[k]) == 0 && s->w[i].start < r->end &&
			    r->start < s->w[i].end)
				return otto_error_set(err, OTTO_ECONFLICT, "%s is held by %s from %lld to %lld",
						      r->resources[k], s->w[i].user, (long long)s->w[i].start,
						      (long long)s->w[i].end);
	if (s->n + r->n_resources > 64)
		return otto_error_set(err, OTTO_ERROR, "the store is full");
	for (size_t k = 0; k < r->n_resources; k++) {
		window *w = &s->w[s->n++];
		snprintf(w->resource, sizeof w->resource, "%s", r->resources[k]);
		snprintf(w->user, sizeof w->user, "%s", r->user);
		w->start = r->start;
		w->end = r->end;
		int rc = otto_window_out_add(made, w->resource, w->start, w->end, err);
		if (rc)
			return rc;
	}
	return OTTO_OK;
}

static int w_cancel(void *self, const otto_reservation_request *r, otto_window_out *cancelled, otto_error *err)
{
	store *s = self;
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		bool mine = strcmp(s->w[i].user, r->user) == 0 && (s->w[i].end > r->start);
		bool asked = false;
		for (size_t k = 0; k < r->n_resources; k++)
			asked = asked || strcmp(s->w[i].resource, r->resources[k]) == 0;
		if (mine && asked) {
			int rc = otto_window_out_add(cancelled, s->w[i].resource, s->w[i].start, s->w[i].end, err);
			if (rc)
				return rc;
		} else {
			s->w[kept++] = s->w[i];
		}
	}
	s->n = kept;
	return OTTO_OK;
}

static const otto_reservation_backend_type writer = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "writer",
    .description = "reservations in memory, with reserve and cancel",
    .create = w_create,
    .destroy = w_destroy,
    .backend_name = w_name,
    .get_reserved_resources = w_reserved,
    .who_reserved = w_who,
    .reserve = w_reserve,
    .cancel = w_cancel,
};

static const otto_reservation_backend_type reader = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "reader",
    .description = "reservations in memory, read-only",
    .create = w_create,
    .destroy = w_destroy,
    .backend_name = w_name,
    .get_reserved_resources = w_reserved,
    .who_reserved = w_who,
};

static int register_writer(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_reservation_backend(reg, &writer, err);
	return rc ? rc : otto_register_reservation_backend(reg, &reader, err);
}

OTTO_PLUGIN_DEFINE("writer", "1.0", "reserve and cancel through the ABI 1.2 capability", register_writer);
