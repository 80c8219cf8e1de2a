/*
 * The example reservation backend's in-memory write capability, through
 * libotto (one backend instance: its writes live as long as it does).
 */
#include "example_support.h"

#include <string.h>
#include <time.h>

static otto_registry *reg;
static otto_reservation_backend *backend;

static void open_with_admin(void)
{
	static const char *const admins[] = {"root"};
	otto_setting settings[] = {{.key = "admins", .type = OTTO_VALUE_ARRAY, .items = admins, .n_items = 1,
				    .file = "test", .line = 1}};
	otto_error err = {0};
	otto_config cfg = ex_config("reservations.example", settings, 1);
	reg = ex_registry(OTTO_PLUGIN_BUILD_DIR);
	cr_assert_eq(otto_reservation_backend_open(&backend, reg, "example", &cfg, &err), OTTO_OK, "%s", err.message);
}

static void close_all(void)
{
	otto_reservation_backend_free(backend);
	otto_registry_free(reg);
}

static int reserve(const char *user, const char *const *resources, size_t n, int64_t start, int64_t end,
		   uint32_t flags, otto_window_list *made, otto_error *err)
{
	otto_reservation_request r = OTTO_RESERVATION_REQUEST_INIT;
	r.user = user;
	r.resources = resources;
	r.n_resources = n;
	r.start = start;
	r.end = end;
	r.flags = flags;
	return otto_reservation_backend_reserve(backend, &r, made, err);
}

static int cancel(const char *user, const char *resource, int64_t from, uint32_t flags, otto_window_list *out,
		  otto_error *err)
{
	const char *resources[] = {resource};
	otto_reservation_request r = OTTO_RESERVATION_REQUEST_INIT;
	r.user = user;
	r.resources = resources;
	r.n_resources = 1;
	r.start = from;
	r.flags = flags;
	return otto_reservation_backend_cancel(backend, &r, out, err);
}

TestSuite(example_writes, .init = open_with_admin, .fini = close_all);

Test(example_writes, has_the_capability)
{
	cr_assert(otto_reservation_backend_can_write(backend));
}

Test(example_writes, settings_holds_conflict_all_or_none)
{
	otto_window_list made = {0};
	otto_error err = {0};
	int64_t now = (int64_t)time(NULL);
	/* carol asks for free-1 and lab-a (alice's, from the settings): none is made. */
	int rc = reserve("carol", (const char *const[]){"free-1", "lab-a"}, 2, now, now + 3600, 0, &made, &err);
	cr_assert_eq(rc, OTTO_ECONFLICT, "%d %s", rc, err.message);
	cr_assert(strstr(err.message, "lab-a is held by alice"), "%s", err.message);
	otto_strlist held = {0};
	cr_assert_eq(otto_reservation_backend_reserved_resources(backend, "carol", &held, &err), OTTO_OK);
	cr_assert_eq(held.count, 0, "a refused request left %zu reservation(s)", held.count);
	/* "shared" has two holders in the settings: a shared reservation fits, an exclusive one does not. */
	cr_assert_eq(reserve("carol", (const char *const[]){"shared"}, 1, now, now + 60, 0, &made, &err),
		     OTTO_ECONFLICT);
	cr_assert_eq(reserve("carol", (const char *const[]){"shared"}, 1, now, now + 60, OTTO_RESERVE_SHARED, &made,
			     &err),
		     OTTO_OK, "%s", err.message);
	otto_window_list_free(&made);
	cr_assert_eq(otto_reservation_backend_who_reserved(backend, "shared", &held, &err), OTTO_OK);
	cr_assert_eq(held.count, 3);
	cr_assert_str_eq(held.items[2], "carol");
	otto_strlist_free(&held);
}

Test(example_writes, reserve_cancel_force)
{
	otto_window_list made = {0}, gone = {0};
	otto_error err = {0};
	int64_t now = (int64_t)time(NULL);
	cr_assert_eq(reserve("carol", (const char *const[]){"bench"}, 1, now, now + 3600, 0, &made, &err), OTTO_OK);
	cr_assert_eq(made.count, 1);
	otto_window_list_free(&made);
	cr_assert_eq(reserve("dave", (const char *const[]){"bench"}, 1, now + 3599, now + 7200, 0, &made, &err),
		     OTTO_ECONFLICT);
	cr_assert(strstr(err.message, "bench is held by carol from "), "%s", err.message);
	/* Back to back fits. */
	cr_assert_eq(reserve("dave", (const char *const[]){"bench"}, 1, now + 3600, now + 7200, 0, &made, &err),
		     OTTO_OK);
	otto_window_list_free(&made);
	/* dave's cancel takes only dave's; a non-admin --force is refused. */
	cr_assert_eq(cancel("dave", "bench", now, 0, &gone, &err), OTTO_OK);
	cr_assert_eq(gone.count, 1);
	cr_assert_eq(gone.items[0].start, now + 3600);
	otto_window_list_free(&gone);
	cr_assert_eq(cancel("dave", "bench", now, OTTO_RESERVE_FORCE, &gone, &err), OTTO_ERROR);
	cr_assert(strstr(err.message, "not in [reservations.example] admins"), "%s", err.message);
	cr_assert_eq(cancel("root", "bench", now, OTTO_RESERVE_FORCE, &gone, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(gone.count, 1);
	otto_window_list_free(&gone);
	cr_assert_eq(cancel("carol", "bench", now, 0, &gone, &err), OTTO_OK);
	cr_assert_eq(gone.count, 0);
	/* The settings' holds are not the backend's to cancel. */
	cr_assert_eq(cancel("alice", "lab-a", now, 0, &gone, &err), OTTO_OK);
	cr_assert_eq(gone.count, 0);
}
