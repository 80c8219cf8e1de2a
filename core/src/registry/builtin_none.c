/*
 * The built-in descriptor: the `none` reservation backend here, and the
 * `lock` view (locks/lock_view_backend.c), registered together.
 *
 * The built-in `none` reservation backend: nobody holds anything, so the
 * reservation check has nothing to compare against and passes. It is the
 * default when settings name no reservation backend.
 */
#include "registry/registry_int.h"

/* create() must hand back some non-NULL instance; none keeps no state. */
static char none_instance;

static int none_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc != OTTO_OK)
		return rc;
	/* config->url is accepted and ignored: there is nothing to ask. */
	*self = &none_instance;
	return OTTO_OK;
}

static void none_destroy(void *self)
{
	(void)self;
}

static const char *none_backend_name(void *self)
{
	(void)self;
	return "none";
}

static int none_strings(void *self, const char *arg, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)arg;
	(void)out;
	(void)err;
	return OTTO_OK;
}

static int none_list_usernames(void *self, otto_string_out *out, otto_error *err)
{
	return none_strings(self, NULL, out, err);
}

static int none_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	(void)self;
	(void)user;
	(void)out;
	(void)err;
	return OTTO_OK;
}

static const otto_reservation_backend_type none_type = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "none",
    .description = "no reservations: nobody holds anything and every check passes",
    .create = none_create,
    .destroy = none_destroy,
    .backend_name = none_backend_name,
    .get_reserved_resources = none_strings,
    .who_reserved = none_strings,
    .list_usernames = none_list_usernames,
    .get_reservation_windows = none_windows,
};

static int register_none(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_reservation_backend(reg, &none_type, err);
	return rc == OTTO_OK ? otto__register_builtin_lock(reg, err) : rc;
}

/* Not OTTO_PLUGIN_DEFINE: that would export an `otto_plugin` symbol from
 * libotto itself. */
const otto_plugin_descriptor otto__builtin_none_plugin = {
    OTTO_ABI_MAJOR, OTTO_ABI_MINOR, (uint32_t)sizeof(otto_plugin_descriptor),
    "none",	    OTTO_VERSION,   "built-in backends that need no plugin file",
    register_none,
};
