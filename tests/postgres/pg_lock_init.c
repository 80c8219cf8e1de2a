/*
 * The schema for the lock store's tests, applied through the plugin's own
 * migration code (pg_schema.c, compiled into the test): `otto db init`
 * does the same through the plugin once the `prepare` entry lands.
 */
#include "pg_lock_test.h"

#include "pg_plugin.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static int say_nothing(otto_string_out *out, const char *s, otto_error *err)
{
	(void)out;
	(void)s;
	(void)err;
	return OTTO_OK;
}

void plt_db_init(const pgt_server *s)
{
	static const otto_string_out_ops ops = {sizeof ops, say_nothing, NULL};
	otto_string_out out = {&ops};
	char *url = pgt_url(s, NULL);
	otto_config cfg = {.struct_size = sizeof cfg, .url = url};
	pg_conn *c = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(pg_conn_new(&c, &cfg, 0, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(pg_conn_connect(c, "db init", &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(pg_schema_prepare(c, &out, &err), OTTO_OK, "%s", err.message);
	pg_conn_free(c);
	free(url);
}
