/*
 * The ABI 1.2 write capability (reserve, cancel) through libotto, in a
 * worker and in process alike: windows made and cancelled come back, an
 * overlap is OTTO_ECONFLICT with the backend's message, a read-only backend
 * says so, and a malformed request never reaches the plugin.
 */
#include "testutil.h"

#include <criterion/criterion.h>
#include <otto/otto.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_DIR OTTO_TEST_PLUGIN_DIR "/worker_writer"

static otto_registry *reg;

static void setup(void)
{
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, WRITER_DIR, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
}

static void teardown(void)
{
	otto_registry_free(reg);
}

TestSuite(write, .init = setup, .fini = teardown, .timeout = 60);

static otto_reservation_backend *open_backend(const char *name, const char *taken)
{
	otto_setting s = {.key = "taken", .type = OTTO_VALUE_STRING, .string = taken, .file = "test", .line = 1};
	otto_config cfg = {.struct_size = sizeof cfg, .settings = &s, .n_settings = taken ? 1 : 0};
	otto_reservation_backend *b = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_backend_open(&b, reg, name, &cfg, &err), OTTO_OK, "%s", err.message);
	return b;
}

static void exercise(void)
{
	otto_reservation_backend *b = open_backend("writer", "rack1:bob:100:200");
	cr_assert(otto_reservation_backend_can_write(b));
	const char *both[] = {"rack1", "rack2"}, *two[] = {"rack2"};
	otto_reservation_request r = OTTO_RESERVATION_REQUEST_INIT;
	otto_window_list made = {0};
	otto_error err = {0, ""};

	/* An overlap with bob's window: the backend's own message, its code. */
	r.user = "alice";
	r.resources = both;
	r.n_resources = 2;
	r.start = 150;
	r.end = 250;
	cr_assert_eq(otto_reservation_backend_reserve(b, &r, &made, &err), OTTO_ECONFLICT, "%s", err.message);
	cr_assert_str_eq(err.message, "reservation backend 'writer': rack1 is held by bob from 100 to 200");
	cr_assert_eq(made.count, 0);

	/* After bob's window: made, both. */
	r.start = 200;
	r.end = 300;
	cr_assert_eq(otto_reservation_backend_reserve(b, &r, &made, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(made.count, 2);
	cr_assert_str_eq(made.items[0].resource, "rack1");
	cr_assert_eq(made.items[0].start, 200);
	cr_assert_eq(made.items[1].end, 300);
	otto_window_list_free(&made);
	otto_strlist held;
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "alice", &held, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(held.count, 2);
	otto_strlist_free(&held);

	/* Cancel one of them. */
	r.resources = two;
	r.n_resources = 1;
	r.start = 0;
	cr_assert_eq(otto_reservation_backend_cancel(b, &r, &made, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(made.count, 1);
	cr_assert_str_eq(made.items[0].resource, "rack2");
	otto_window_list_free(&made);

	/* Malformed requests never reach the plugin. */
	r.start = 300;
	r.end = 300;
	cr_assert_eq(otto_reservation_backend_reserve(b, &r, &made, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "reserve needs a window that starts before it ends (300 >= 300)");
	r.end = 400;
	r.n_resources = 0;
	cr_assert_eq(otto_reservation_backend_reserve(b, &r, &made, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "reserve needs at least one resource");
	r.n_resources = 1;
	r.user = "";
	cr_assert_eq(otto_reservation_backend_cancel(b, &r, &made, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "cancel needs a user");
	cr_assert_eq(otto_reservation_backend_reserve(b, NULL, &made, &err), OTTO_EINVALID);
	cr_assert_eq(otto_reservation_backend_close(b, &err), OTTO_OK, "%s", err.message);

	/* A read-only backend. */
	b = open_backend("reader", NULL);
	cr_assert_not(otto_reservation_backend_can_write(b));
	r.user = "alice";
	cr_assert_eq(otto_reservation_backend_reserve(b, &r, &made, &err), OTTO_ENOTSUPPORTED);
	cr_assert_str_eq(err.message, "reservation backend 'reader' is read-only");
	cr_assert_eq(otto_reservation_backend_cancel(b, &r, &made, &err), OTTO_ENOTSUPPORTED);
	otto_reservation_backend_free(b);
}

Test(write, in_a_worker)
{
	exercise();
}

Test(write, in_process)
{
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_set_isolation(reg, OTTO_ISOLATION_IN_PROCESS, &err), OTTO_OK, "%s", err.message);
	exercise();
}

Test(write, isolation_values_are_checked)
{
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_isolation(reg), OTTO_ISOLATION_WORKER, "the safe default");
	cr_assert_eq(otto_registry_set_isolation(reg, (otto_isolation)7, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "unknown isolation 7 (OTTO_ISOLATION_WORKER or OTTO_ISOLATION_IN_PROCESS)");
	cr_assert_eq(otto_registry_set_call_timeout(reg, 0, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "a call time limit of 0 ms is out of range (1 ms to 3600 s)");
	cr_assert_eq(otto_registry_call_timeout(reg), 30000);
	cr_assert_eq(otto_registry_set_call_timeout(reg, 1500, &err), OTTO_OK);
	cr_assert_eq(otto_registry_call_timeout(reg), 1500);
}
