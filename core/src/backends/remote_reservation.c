/*
 * The reservation backend proxy: a host-side otto_reservation_backend_type
 * whose calls ask the worker and replay its answer into the out-objects
 * libotto passed (strings and windows), including the ABI 1.2 write
 * capability (reserve, cancel).
 */
#include "backends/backends.h"


static int proxy_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	*self = NULL;
	return otto_error_set(err, OTTO_EINVALID, "the worker proxy is not created this way");
}

static void proxy_destroy(void *self)
{
	(void)self;
}

static const char *proxy_backend_name(void *self)
{
	otto__remote *remote = self;
	otto__remote_request(remote, OTTO__W_BACKEND_NAME);
	otto_error err;
	otto__replay rp;
	otto__replay_init(&rp, remote, NULL, &err);
	int rc = otto__remote_call(remote, "backend_name", otto__replay_strings, &rp);
	if (rc != OTTO_OK || rp.strings != 1 || !rp.string)
		return NULL;
	return otto__remote_keep_name(remote, rp.string);
}

static int strings_call(void *self, uint32_t type, const char *op, const char *arg, otto_string_out *out,
			otto_error *err)
{
	otto__remote *remote = self;
	otto_buf *b = otto__remote_request(remote, type);
	if (arg)
		otto__put_str(b, arg);
	otto__replay rp;
	otto__replay_init(&rp, remote, out, err);
	return otto__remote_call(remote, op, otto__replay_strings, &rp);
}

static int proxy_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	return strings_call(self, OTTO__W_GET_RESERVED_RESOURCES, "get_reserved_resources", user, out, err);
}

static int proxy_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	return strings_call(self, OTTO__W_WHO_RESERVED, "who_reserved", resource, out, err);
}

static int proxy_usernames(void *self, otto_string_out *out, otto_error *err)
{
	return strings_call(self, OTTO__W_LIST_USERNAMES, "list_usernames", NULL, out, err);
}

static int proxy_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	otto__remote *remote = self;
	otto__put_str(otto__remote_request(remote, OTTO__W_GET_RESERVATION_WINDOWS), user);
	otto__replay rp;
	otto__replay_init(&rp, remote, out, err);
	return otto__remote_call(remote, "get_reservation_windows", otto__replay_windows, &rp);
}

static int write_call(void *self, uint32_t type, const char *op, const otto_reservation_request *request,
		      otto_window_out *out, otto_error *err)
{
	otto__remote *remote = self;
	otto__put_request(otto__remote_request(remote, type), request);
	otto__replay rp;
	otto__replay_init(&rp, remote, out, err);
	return otto__remote_call(remote, op, otto__replay_windows, &rp);
}

static int proxy_reserve(void *self, const otto_reservation_request *request, otto_window_out *made, otto_error *err)
{
	return write_call(self, OTTO__W_RESERVE, "reserve", request, made, err);
}

static int proxy_cancel(void *self, const otto_reservation_request *request, otto_window_out *cancelled,
			otto_error *err)
{
	return write_call(self, OTTO__W_CANCEL, "cancel", request, cancelled, err);
}

static int proxy_prepare(void *self, otto_string_out *done, otto_error *err)
{
	return strings_call(self, OTTO__W_PREPARE, "prepare", NULL, done, err);
}

const otto_reservation_backend_type otto__remote_reservation_type = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "worker",
    .description = "a reservation backend in otto-worker",
    .create = proxy_create,
    .destroy = proxy_destroy,
    .backend_name = proxy_backend_name,
    .get_reserved_resources = proxy_reserved,
    .who_reserved = proxy_who,
    .list_usernames = proxy_usernames,
    .get_reservation_windows = proxy_windows,
    .reserve = proxy_reserve,
    .cancel = proxy_cancel,
    .prepare = proxy_prepare,
};
