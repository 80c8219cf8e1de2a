/* A plugin built for ABI 1.0, the minor before links: its descriptor says
 * so and it only ever calls what 1.0 had (add_host, add_resource). A 1.1
 * host must load it and load its labs, which simply have no links. */
#include <otto/plugin.h>

#include <string.h>

static int create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	static int instance;
	*self = &instance;
	return OTTO_OK;
}

static void destroy(void *self)
{
	(void)self;
}

static int list_labs(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	return otto_string_out_add(out, "legacy", err);
}

static int load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out, otto_error *err)
{
	(void)self;
	(void)preferences;
	if (strcmp(name, "legacy") != 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	static const char *const resources[] = {"rack1"};
	otto_host h = OTTO_HOST_INIT;
	h.ip = "10.4.0.1";
	h.element = "router";
	h.element_id = 1;
	h.resources = resources;
	h.n_resources = 1;
	int rc = otto_lab_out_add_host(out, &h, err);
	return rc ? rc : otto_lab_out_add_resource(out, "uplink", err);
}

static const otto_lab_repository_type legacy_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "legacy",
    .description = "a lab repository built for ABI 1.0",
    .create = create,
    .destroy = destroy,
    .list_labs = list_labs,
    .load_lab = load_lab,
};

static int register_legacy(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &legacy_type, err);
}

OTTO_PLUGIN_EXPORT extern const otto_plugin_descriptor otto_plugin;
const otto_plugin_descriptor otto_plugin = {
    OTTO_ABI_MAJOR,	 0, (uint32_t)sizeof(otto_plugin_descriptor), "legacy", "1.0.0",
    "built for ABI 1.0", register_legacy};
