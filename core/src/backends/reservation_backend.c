/*
 * A reservation backend instance. Answers are returned exactly as the plugin
 * gave them (no sorting: otto-conformance inspects duplicates and order);
 * every failure is a backend error "reservation backend '<name>': ...", and
 * an error never comes with a partial answer.
 */
#include "backends/backends.h"
#include "registry/registry.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static otto_reservation_backend_type read_type(const otto_reservation_backend_type *src)
{
	otto_reservation_backend_type t;
	memset(&t, 0, sizeof t);
	size_t n = src->struct_size;
#define TAKE(field)                                                                                                    \
	if (OTTO__HAS_FIELD(n, otto_reservation_backend_type, field))                                                  \
	t.field = src->field
	TAKE(name);
	TAKE(description);
	TAKE(create);
	TAKE(destroy);
	TAKE(backend_name);
	TAKE(get_reserved_resources);
	TAKE(who_reserved);
	TAKE(list_usernames);
	TAKE(get_reservation_windows);
	TAKE(settings_keys);
	TAKE(reserve);
	TAKE(cancel);
	TAKE(prepare);
#undef TAKE
	t.struct_size = sizeof t;
	return t;
}

/* A backend in its own worker, behind the proxy type. */
static int open_remote(otto_reservation_backend **out, otto_registry *reg, const char *name,
		       const otto_config *config, otto_error *err)
{
	otto__backend_handle h;
	int rc = otto__backend_handle_open_remote(&h, reg, OTTO_KIND_RESERVATION, name, config, err);
	if (rc != OTTO_OK)
		return rc;
	otto_reservation_backend *backend = otto__calloc(1, sizeof *backend);
	backend->h = h;
	backend->type = otto__remote_reservation_type;
	uint32_t caps = otto__remote_caps(h.remote);
	if (!(caps & OTTO__CAP_USERNAMES))
		backend->type.list_usernames = NULL;
	if (!(caps & OTTO__CAP_WINDOWS))
		backend->type.get_reservation_windows = NULL;
	if (!(caps & OTTO__CAP_WRITE)) {
		backend->type.reserve = NULL;
		backend->type.cancel = NULL;
	}
	if (!(caps & OTTO__CAP_PREPARE))
		backend->type.prepare = NULL;
	*out = backend;
	return OTTO_OK;
}

OTTO_API int otto_reservation_backend_open(otto_reservation_backend **out, otto_registry *reg, const char *name,
					   const otto_config *config, otto_error *err)
{
	*out = NULL;
	int rc = otto__backend_handle_check(reg, OTTO_KIND_RESERVATION, name, config, err);
	if (rc != OTTO_OK)
		return rc;
	if (otto__backend_handle_in_worker(reg, OTTO_KIND_RESERVATION, name))
		return open_remote(out, reg, name, config, err);
	const otto_reservation_backend_type *type = NULL;
	rc = otto__registry_reservation_type(reg, name, &type, err);
	if (rc != OTTO_OK)
		return rc;
	otto_reservation_backend_type t = read_type(type);
	otto__backend_handle h;
	rc = otto__backend_handle_create(&h, OTTO_KIND_RESERVATION, name,
					 otto__registry_plugin_path(reg, OTTO_KIND_RESERVATION, name), t.create, config,
					 err);
	if (rc != OTTO_OK)
		return rc;
	otto_reservation_backend *backend = otto__calloc(1, sizeof *backend);
	backend->h = h;
	backend->type = t;
	*out = backend;
	return OTTO_OK;
}

OTTO_API int otto_reservation_backend_close(otto_reservation_backend *backend, otto_error *err)
{
	if (!backend)
		return OTTO_OK;
	int rc = otto__backend_handle_close(&backend->h, backend->type.destroy, err);
	free(backend);
	return rc;
}

OTTO_API void otto_reservation_backend_free(otto_reservation_backend *backend)
{
	otto_error err;
	if (otto_reservation_backend_close(backend, &err) != OTTO_OK)
		otto__warn("%s", err.message);
}

OTTO_API const char *otto_reservation_backend_name(otto_reservation_backend *backend)
{
	/* Asked every time: conformance checks that the answer is stable. */
	if (!backend || !backend->type.backend_name)
		return NULL;
	otto__call_mark mark;
	otto__call_mark_begin(&mark, "reservation", backend->h.name, backend->h.plugin_path, "backend_name");
	const char *name = backend->type.backend_name(backend->h.self);
	otto__call_mark_end(&mark);
	return name;
}

typedef int (*string_op)(void *self, const char *arg, otto_string_out *out, otto_error *err);

/* Run one string-answering operation. `arg_op` takes an argument (user or
 * resource); `plain_op` does not. */
static int run_strings(otto_reservation_backend *backend, const char *op_name, string_op arg_op,
		       int (*plain_op)(void *, otto_string_out *, otto_error *), const char *arg, otto_strlist *out,
		       otto_error *err)
{
	out->count = 0;
	out->items = NULL;
	if (!arg_op && !plain_op)
		return otto_error_set(err, OTTO_EPLUGIN, "reservation backend '%s' does not provide %s", backend->h.name,
				      op_name);
	otto__call call;
	otto__call_init(&call, "reservation", backend->h.name, backend->h.plugin_path, op_name);
	otto__string_collector c;
	otto__string_collector_init(&c, &call);
	otto__call_begin(&call);
	int status = arg_op ? arg_op(backend->h.self, arg, &c.out, &call.plugin_err)
			    : plain_op(backend->h.self, &c.out, &call.plugin_err);
	otto__call_end(&call);
	int rc = otto__call_result(&call, status, false, OTTO_ERROR, err);
	if (rc != OTTO_OK) {
		otto_strlist_free(&c.list);
		return rc;
	}
	*out = c.list;
	return OTTO_OK;
}

OTTO_API int otto_reservation_backend_reserved_resources(otto_reservation_backend *backend, const char *user,
							 otto_strlist *out, otto_error *err)
{
	if (!user) {
		out->count = 0;
		out->items = NULL;
		return otto_error_set(err, OTTO_EINVALID, "get_reserved_resources needs a user");
	}
	return run_strings(backend, "get_reserved_resources", backend->type.get_reserved_resources, NULL, user, out,
			   err);
}

OTTO_API int otto_reservation_backend_who_reserved(otto_reservation_backend *backend, const char *resource,
						   otto_strlist *out, otto_error *err)
{
	if (!resource) {
		out->count = 0;
		out->items = NULL;
		return otto_error_set(err, OTTO_EINVALID, "who_reserved needs a resource");
	}
	return run_strings(backend, "who_reserved", backend->type.who_reserved, NULL, resource, out, err);
}

OTTO_API bool otto_reservation_backend_has_usernames(const otto_reservation_backend *backend)
{
	return backend && backend->type.list_usernames != NULL;
}

OTTO_API int otto_reservation_backend_list_usernames(otto_reservation_backend *backend, otto_strlist *out,
						     otto_error *err)
{
	if (!backend->type.list_usernames) {
		out->count = 0;
		out->items = NULL;
		return otto_error_set(err, OTTO_ENOTSUPPORTED, "reservation backend '%s' does not list usernames",
				      backend->h.name);
	}
	return run_strings(backend, "list_usernames", NULL, backend->type.list_usernames, NULL, out, err);
}

OTTO_API bool otto_reservation_backend_has_windows(const otto_reservation_backend *backend)
{
	return backend && backend->type.get_reservation_windows != NULL;
}

typedef struct window_collector {
	otto_window_out out; /* first */
	otto__call *call;
	size_t cap;
	otto_window_list list;
} window_collector;

static int window_add(otto_window_out *out, const char *resource, int64_t start, int64_t end, otto_error *err)
{
	window_collector *c = (window_collector *)out;
	if (!resource)
		return otto__call_fail(c->call, err, "reservation backend '%s': %s added a NULL resource (window %zu)",
				       c->call->backend, c->call->op, c->list.count);
	if (c->list.count == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->list.items = otto__realloc(c->list.items, c->cap * sizeof *c->list.items);
	}
	otto_window_rec *w = &c->list.items[c->list.count++];
	w->resource = otto__strdup(resource);
	w->start = start;
	w->end = end;
	return OTTO_OK;
}

static const otto_window_out_ops window_out_ops = {sizeof(otto_window_out_ops), window_add};

typedef int (*window_op)(otto_reservation_backend *backend, const void *arg, otto_window_out *out, otto_error *err);

/* Run one window-answering operation. `failure_code` 0 keeps the plugin's
 * own code (reserve's OTTO_ECONFLICT). */
static int run_windows(otto_reservation_backend *backend, const char *op_name, window_op op, const void *arg,
		       int failure_code, otto_window_list *out, otto_error *err)
{
	otto__call call;
	otto__call_init(&call, "reservation", backend->h.name, backend->h.plugin_path, op_name);
	window_collector c;
	memset(&c, 0, sizeof c);
	c.out.ops = &window_out_ops;
	c.call = &call;
	otto__call_begin(&call);
	int status = op(backend, arg, &c.out, &call.plugin_err);
	otto__call_end(&call);
	int rc = otto__call_result(&call, status, false, failure_code, err);
	if (rc != OTTO_OK) {
		otto_window_list_free(&c.list);
		return rc;
	}
	*out = c.list;
	return OTTO_OK;
}

static int op_windows(otto_reservation_backend *b, const void *user, otto_window_out *out, otto_error *err)
{
	return b->type.get_reservation_windows(b->h.self, user, out, err);
}

static int op_reserve(otto_reservation_backend *b, const void *request, otto_window_out *out, otto_error *err)
{
	return b->type.reserve(b->h.self, request, out, err);
}

static int op_cancel(otto_reservation_backend *b, const void *request, otto_window_out *out, otto_error *err)
{
	return b->type.cancel(b->h.self, request, out, err);
}

OTTO_API int otto_reservation_backend_windows(otto_reservation_backend *backend, const char *user,
					      otto_window_list *out, otto_error *err)
{
	out->count = 0;
	out->items = NULL;
	if (!backend->type.get_reservation_windows)
		return otto_error_set(err, OTTO_ENOTSUPPORTED, "reservation backend '%s' does not report windows",
				      backend->h.name);
	if (!user)
		return otto_error_set(err, OTTO_EINVALID, "get_reservation_windows needs a user");
	return run_windows(backend, "get_reservation_windows", op_windows, user, OTTO_ERROR, out, err);
}

OTTO_API bool otto_reservation_backend_can_write(const otto_reservation_backend *backend)
{
	return backend && backend->type.reserve && backend->type.cancel;
}

/* The caller's request as a full-size struct, checked. */
static int read_request(const otto_reservation_backend *backend, const char *op,
			const otto_reservation_request *in, otto_reservation_request *out, otto_error *err)
{
	otto_reservation_request r = OTTO_RESERVATION_REQUEST_INIT;
	if (!in)
		return otto_error_set(err, OTTO_EINVALID, "%s needs a request", op);
	size_t n = in->struct_size;
#define TAKE(field)                                                                                                    \
	if (OTTO__HAS_FIELD(n, otto_reservation_request, field))                                                       \
	r.field = in->field
	TAKE(user);
	TAKE(resources);
	TAKE(n_resources);
	TAKE(start);
	TAKE(end);
	TAKE(flags);
#undef TAKE
	if (!otto_reservation_backend_can_write(backend))
		return otto_error_set(err, OTTO_ENOTSUPPORTED, "reservation backend '%s' is read-only", backend->h.name);
	if (!r.user || !r.user[0])
		return otto_error_set(err, OTTO_EINVALID, "%s needs a user", op);
	if (r.n_resources == 0 || !r.resources)
		return otto_error_set(err, OTTO_EINVALID, "%s needs at least one resource", op);
	for (size_t i = 0; i < r.n_resources; i++)
		if (!r.resources[i] || !r.resources[i][0])
			return otto_error_set(err, OTTO_EINVALID, "%s: resource %zu is empty", op, i);
	if (strcmp(op, "reserve") == 0 && r.start >= r.end)
		return otto_error_set(err, OTTO_EINVALID, "reserve needs a window that starts before it ends (%lld >= %lld)",
				      (long long)r.start, (long long)r.end);
	*out = r;
	return OTTO_OK;
}

OTTO_API int otto_reservation_backend_reserve(otto_reservation_backend *backend,
					      const otto_reservation_request *request, otto_window_list *made,
					      otto_error *err)
{
	made->count = 0;
	made->items = NULL;
	otto_reservation_request r;
	int rc = read_request(backend, "reserve", request, &r, err);
	return rc ? rc : run_windows(backend, "reserve", op_reserve, &r, 0, made, err);
}

OTTO_API int otto_reservation_backend_cancel(otto_reservation_backend *backend,
					     const otto_reservation_request *request, otto_window_list *cancelled,
					     otto_error *err)
{
	cancelled->count = 0;
	cancelled->items = NULL;
	otto_reservation_request r;
	int rc = read_request(backend, "cancel", request, &r, err);
	return rc ? rc : run_windows(backend, "cancel", op_cancel, &r, 0, cancelled, err);
}

OTTO_API bool otto_reservation_backend_can_prepare(const otto_reservation_backend *backend)
{
	return backend && backend->type.prepare;
}

OTTO_API int otto_reservation_backend_prepare(otto_reservation_backend *backend, otto_strlist *done, otto_error *err)
{
	done->count = 0;
	done->items = NULL;
	if (!otto_reservation_backend_can_prepare(backend))
		return otto_error_set(err, OTTO_ENOTSUPPORTED, "reservation backend '%s' has nothing to prepare",
				      backend ? backend->h.name : "?");
	return run_strings(backend, "prepare", NULL, backend->type.prepare, NULL, done, err);
}
