/*
 * A correct plugin that registers MANY_BACKENDS (1,000) reservation
 * backends, many-0 ... many-999, each answering from the same small data:
 * otto-conformance has no cap on backends, so it must pass.
 */
#include <otto/plugin.h>

#include <stdio.h>
#include <string.h>

#define MANY_BACKENDS 1000

static int many_create(const otto_config *cfg, void **self, otto_error *err)
{
	(void)cfg;
	(void)err;
	static int instance;
	*self = &instance;
	return OTTO_OK;
}

static void many_destroy(void *self)
{
	(void)self;
}

static const char *many_name(void *self)
{
	(void)self;
	return "many";
}

/* alice holds "rack", nobody else holds anything. */
static int many_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	(void)self;
	if (strcmp(user, "alice") == 0)
		return otto_string_out_add(out, "rack", err);
	return OTTO_OK;
}

static int many_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	(void)self;
	if (strcmp(resource, "rack") == 0)
		return otto_string_out_add(out, "alice", err);
	return OTTO_OK;
}

static char names[MANY_BACKENDS][16];
static otto_reservation_backend_type types[MANY_BACKENDS];

static int register_many(otto_registrar *reg, otto_error *err)
{
	for (int i = 0; i < MANY_BACKENDS; i++) {
		snprintf(names[i], sizeof names[i], "many-%d", i);
		types[i] = (otto_reservation_backend_type){
		    .struct_size = sizeof(otto_reservation_backend_type),
		    .name = names[i],
		    .create = many_create,
		    .destroy = many_destroy,
		    .backend_name = many_name,
		    .get_reserved_resources = many_reserved,
		    .who_reserved = many_who,
		};
		int rc = otto_register_reservation_backend(reg, &types[i], err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

OTTO_PLUGIN_DEFINE("many", "1.0.0", "a thousand reservation backends", register_many);
