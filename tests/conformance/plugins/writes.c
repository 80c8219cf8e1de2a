/*
 * The write-capability corpus (rules X1-X4): reservation backend "writes",
 * in memory, with reserve and cancel done right, and one defect per build
 * (BREAK_X1 .. BREAK_X4) that otto-conformance must report as exactly that
 * rule. BREAK_NONE is the baseline, which passes every rule.
 */
#include <otto/plugin.h>

#include <stdio.h>
#include <string.h>

typedef struct window {
	char resource[128], user[64];
	int64_t start, end;
} window;

static window store[32];
static size_t n_store;

static int w_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	*self = store;
	return OTTO_OK;
}

static void w_destroy(void *self)
{
	(void)self;
}

static const char *w_name(void *self)
{
	(void)self;
	return "writes";
}

static int w_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)user;
	(void)out;
	(void)err;
	return OTTO_OK; /* every window is in the far future: nothing held now */
}

static int w_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)resource;
	(void)out;
	(void)err;
	return OTTO_OK;
}

static int w_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	(void)self;
	for (size_t i = 0; i < n_store; i++)
		if (strcmp(store[i].user, user) == 0) {
			int rc = otto_window_out_add(out, store[i].resource, store[i].start, store[i].end, err);
			if (rc)
				return rc;
		}
	return OTTO_OK;
}

static int w_reserve(void *self, const otto_reservation_request *r, otto_window_out *made, otto_error *err)
{
	(void)self;
#ifndef BREAK_X3
	for (size_t k = 0; k < r->n_resources; k++)
		for (size_t i = 0; i < n_store; i++)
			if (strcmp(store[i].resource, r->resources[k]) == 0 && store[i].start < r->end &&
			    r->start < store[i].end)
				return otto_error_set(err, OTTO_ECONFLICT, "%s is held by %s from %lld until %lld",
						      r->resources[k], store[i].user, (long long)store[i].start,
						      (long long)store[i].end);
#endif
	if (n_store + r->n_resources > sizeof store / sizeof store[0])
		return otto_error_set(err, OTTO_ERROR, "the store is full");
	for (size_t k = 0; k < r->n_resources; k++) {
		window *w = &store[n_store++];
		snprintf(w->resource, sizeof w->resource, "%s", r->resources[k]);
		snprintf(w->user, sizeof w->user, "%s", r->user);
		w->start = r->start;
		w->end = r->end;
#ifndef BREAK_X2
		int rc = otto_window_out_add(made, w->resource, w->start, w->end, err);
		if (rc)
			return rc;
#else
		(void)made;
#endif
	}
	return OTTO_OK;
}

__attribute__((unused)) static int w_cancel(void *self, const otto_reservation_request *r,
					    otto_window_out *cancelled, otto_error *err)
{
	(void)self;
	size_t kept = 0;
	for (size_t i = 0; i < n_store; i++) {
		bool asked = false;
		for (size_t k = 0; k < r->n_resources; k++)
			asked = asked || strcmp(store[i].resource, r->resources[k]) == 0;
		if (asked && strcmp(store[i].user, r->user) == 0 && store[i].end > r->start) {
			int rc = otto_window_out_add(cancelled, store[i].resource, store[i].start, store[i].end, err);
			if (rc)
				return rc;
#ifdef BREAK_X4
			store[kept++] = store[i]; /* reported, yet kept */
#endif
		} else {
			store[kept++] = store[i];
		}
	}
	n_store = kept;
	return OTTO_OK;
}

static const otto_reservation_backend_type writes = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "writes",
    .description = "in-memory reservations with the write capability (conformance corpus)",
    .create = w_create,
    .destroy = w_destroy,
    .backend_name = w_name,
    .get_reserved_resources = w_reserved,
    .who_reserved = w_who,
    .get_reservation_windows = w_windows,
    .reserve = w_reserve,
#ifndef BREAK_X1
    .cancel = w_cancel,
#endif
};

static int register_writes(otto_registrar *reg, otto_error *err)
{
	return otto_register_reservation_backend(reg, &writes, err);
}

OTTO_PLUGIN_DEFINE("writes", "1.0", "the write-capability corpus of otto-conformance", register_writes);
