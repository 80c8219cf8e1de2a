/* A well-behaved plugin: one lab repository and one reservation backend,
 * both named "good". The lab repository holds labs "alpha" and "beta". */
#include <otto/plugin.h>

#include <stdlib.h>

typedef struct good_lab {
	int loads;
} good_lab;

static int lab_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"greeting", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc != OTTO_OK)
		return rc;
	good_lab *lab = calloc(1, sizeof *lab);
	if (!lab)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	*self = lab;
	return OTTO_OK;
}

static void lab_destroy(void *self)
{
	free(self);
}

static int lab_list(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	int rc = otto_string_out_add(out, "alpha", err);
	return rc != OTTO_OK ? rc : otto_string_out_add(out, "beta", err);
}

static int lab_load(void *self, const char *name, const otto_config *preferences, otto_lab_out *out, otto_error *err)
{
	(void)preferences;
	good_lab *lab = self;
	if (strcmp(name, "alpha") != 0 && strcmp(name, "beta") != 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	lab->loads++;
	otto_host host = OTTO_HOST_INIT;
	host.ip = "10.1.1.1";
	host.element = name;
	return otto_lab_out_add_host(out, &host, err);
}

static const otto_lab_repository_type good_lab_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "good",
    .description = "a good lab repository",
    .create = lab_create,
    .destroy = lab_destroy,
    .list_labs = lab_list,
    .load_lab = lab_load,
};

static int res_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	static int instance;
	*self = &instance;
	return OTTO_OK;
}

static void res_destroy(void *self)
{
	(void)self;
}

static const char *res_name(void *self)
{
	(void)self;
	return "good";
}

static int res_strings(void *self, const char *arg, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)arg;
	(void)out;
	(void)err;
	return OTTO_OK;
}

static const otto_reservation_backend_type good_res_type = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "good",
    .description = "a good reservation backend",
    .create = res_create,
    .destroy = res_destroy,
    .backend_name = res_name,
    .get_reserved_resources = res_strings,
    .who_reserved = res_strings,
};

static int register_good(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &good_lab_type, err);
	return rc != OTTO_OK ? rc : otto_register_reservation_backend(reg, &good_res_type, err);
}

OTTO_PLUGIN_DEFINE("good", "1.2.3", "a plugin that does everything right", register_good);
