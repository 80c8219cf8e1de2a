/*
 * The postgres plugin: otto's team store on PostgreSQL (docs/team-store.md).
 * It registers the `postgres` reservation backend (reservations.c) and the
 * `postgres` lock store. Everything the database enforces (who may write
 * what, which windows may overlap) lives in the schema this plugin owns
 * (pg_schema.c); the client only asks.
 */
#include "pg_plugin.h"

static int register_postgres(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_reservation_backend(reg, &pg_reservation_backend, err);
	if (rc != OTTO_OK)
		return rc;
	return otto_register_lock_store(reg, &pg_lock_store, err);
}

OTTO_PLUGIN_DEFINE("postgres", "1.0.0", "team store on PostgreSQL: reservations and locks shared by a lab team",
		   register_postgres);
