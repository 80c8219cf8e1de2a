/*
 * The plugin's one exported symbol, `otto_plugin`: its name, version and
 * the function that registers its backends. Names are per kind, so the lab
 * repository and the reservation backend can share one.
 */
#include "mybackend.h"

static int register_backends(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &mybackend_lab_repository, err);
	if (rc != OTTO_OK)
		return rc;
	return otto_register_reservation_backend(reg, &mybackend_reservation_backend, err);
}

OTTO_PLUGIN_DEFINE(MYBACKEND_NAME, "0.1.0", "a lab repository and a reservation backend from the settings",
		   register_backends);
