/*
 * The json plugin: the `json` lab repository (lab.json files) and the
 * `json` reservation backend (reservations.json), in the upstream formats.
 */
#include "json_plugin.h"

#include <string.h>

int json_compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int register_json(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &json_lab_repository, err);
	if (rc != OTTO_OK)
		return rc;
	return otto_register_reservation_backend(reg, &json_reservation_backend, err);
}

OTTO_PLUGIN_DEFINE("json", "1.0.0", "lab.json and reservations.json files (upstream formats)", register_json);
