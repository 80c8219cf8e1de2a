/*
 * The example plugin's one exported symbol. A plugin may register any
 * number of backends of either kind; this one registers one of each, both
 * named "example" (names are per kind, so they do not collide).
 */
#include "example.h"

static int register_example(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &example_lab_repository, err);
	if (rc != OTTO_OK)
		return rc;
	return otto_register_reservation_backend(reg, &example_reservation_backend, err);
}

OTTO_PLUGIN_DEFINE("example", "1.0.0", "in-memory sample lab repository and reservation backend", register_example);
