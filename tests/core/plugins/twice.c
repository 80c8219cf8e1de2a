/* Registers the same reservation backend name twice. */
#include <otto/plugin.h>

static int t_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	static int instance;
	*self = &instance;
	return OTTO_OK;
}

static void t_destroy(void *self)
{
	(void)self;
}

static const char *t_name(void *self)
{
	(void)self;
	return "twice";
}

static int t_strings(void *self, const char *arg, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)arg;
	(void)out;
	(void)err;
	return OTTO_OK;
}

static const otto_reservation_backend_type twice_type = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "twice",
    .create = t_create,
    .destroy = t_destroy,
    .backend_name = t_name,
    .get_reserved_resources = t_strings,
    .who_reserved = t_strings,
};

static int register_twice(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_reservation_backend(reg, &twice_type, err);
	return rc != OTTO_OK ? rc : otto_register_reservation_backend(reg, &twice_type, err);
}

OTTO_PLUGIN_DEFINE("twice", "1.0", "registers one name twice", register_twice);
