/*
 * otto_reservation_backend_*: answers exactly as given, every failure a
 * backend error with the backend named, never a partial answer.
 */
#include "backend_test.h"

TestSuite(reservation, .init = registry_setup, .fini = registry_teardown, .timeout = 30);

static void assert_list(const otto_strlist *l, const char *const *want, size_t n)
{
	cr_assert_eq(l->count, n, "count %zu, want %zu", l->count, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(l->items[i], want[i], "item %zu", i);
}

Test(reservation, answers_as_given)
{
	otto_reservation_backend *b = open_resv("holdings", NULL);
	otto_error err = {0, ""};
	otto_strlist l;
	cr_assert_str_eq(otto_reservation_backend_name(b), "holdings");

	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "bob", &l, &err), OTTO_OK, "%s", err.message);
	assert_list(&l, (const char *const[]){"carrot", "shared"}, 2);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "nobody", &l, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(l.count, 0);
	otto_strlist_free(&l);

	cr_assert_eq(otto_reservation_backend_who_reserved(b, "shared", &l, &err), OTTO_OK, "%s", err.message);
	assert_list(&l, (const char *const[]){"alice", "bob"}, 2);
	otto_strlist_free(&l);

	cr_assert(otto_reservation_backend_has_usernames(b));
	cr_assert_eq(otto_reservation_backend_list_usernames(b, &l, &err), OTTO_OK, "%s", err.message);
	assert_list(&l, (const char *const[]){"bob", "alice"}, 2);
	otto_strlist_free(&l);

	cr_assert(otto_reservation_backend_has_windows(b));
	otto_window_list w;
	cr_assert_eq(otto_reservation_backend_windows(b, "alice", &w, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(w.count, 2);
	cr_assert_str_eq(w.items[0].resource, "lab-a");
	cr_assert_eq(w.items[0].start, OTTO_TIME_EPOCH);
	cr_assert_eq(w.items[0].end, OTTO_TIME_FAR_FUTURE);
	/* Not checked here: conformance judges start <= end. */
	cr_assert_eq(w.items[1].start, 100);
	cr_assert_eq(w.items[1].end, 50);
	otto_window_list_free(&w);
	cr_assert_eq(w.count, 0);
	otto_reservation_backend_free(b);
}

Test(reservation, duplicates_and_order_kept)
{
	otto_reservation_backend *b = open_resv("holdings", "dupes");
	otto_error err = {0, ""};
	otto_strlist l;
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "alice", &l, &err), OTTO_OK, "%s", err.message);
	assert_list(&l, (const char *const[]){"shared", "lab-a", "shared"}, 3);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "x", &l, &err), OTTO_OK, "%s", err.message);
	assert_list(&l, (const char *const[]){"bob", "alice", "bob"}, 3);
	otto_strlist_free(&l);
	otto_reservation_backend_free(b);
}

Test(reservation, null_name_stays_null)
{
	otto_reservation_backend *b = open_resv("holdings", "null-name");
	cr_assert_null(otto_reservation_backend_name(b));
	otto_reservation_backend_free(b);
}

Test(reservation, null_string_is_an_error)
{
	otto_reservation_backend *b = open_resv("holdings", "null-string");
	otto_error err = {0, ""};
	otto_strlist l = {3, NULL};
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "alice", &l, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, "reservation backend 'holdings': get_reserved_resources added a NULL string (item 1)");
	cr_assert_eq(l.count, 0, "no partial answer");
	cr_assert_null(l.items);
	otto_reservation_backend_free(b);
}

Test(reservation, ignored_error)
{
	/* In a worker, the host's refusal ends the call (see lab.c). */
	otto_reservation_backend *b = open_resv("holdings", "ignore");
	otto_error err = {0, ""};
	otto_strlist l;
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "carrot", &l, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, "reservation backend 'holdings': who_reserved added a NULL string (item 0)");
	cr_assert_eq(l.count, 0);
	otto_reservation_backend_free(b);

	use_in_process();
	b = open_resv("holdings", "ignore");
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "carrot", &l, &err), OTTO_EPLUGIN);
	cr_assert_str_eq(err.message, "reservation backend 'holdings' ignored an error from the host: reservation "
				      "backend 'holdings': who_reserved added a NULL string (item 0)");
	cr_assert_eq(l.count, 0);
	otto_reservation_backend_free(b);
}

Test(reservation, failures_are_backend_errors)
{
	otto_reservation_backend *b = open_resv("holdings", "fail");
	otto_error err = {0, ""};
	otto_strlist l;
	const char *msg = "reservation backend 'holdings': database down at db.example:5432";
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "alice", &l, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, msg);
	cr_assert_eq(err.code, OTTO_ERROR);
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "x", &l, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, msg);
	cr_assert_eq(otto_reservation_backend_list_usernames(b, &l, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, msg);
	otto_window_list w;
	cr_assert_eq(otto_reservation_backend_windows(b, "alice", &w, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, msg);
	cr_assert_eq(w.count, 0);
	otto_reservation_backend_free(b);
}

Test(reservation, failure_without_message_and_unknown_status)
{
	otto_reservation_backend *b = open_resv("holdings", "empty-message");
	otto_error err = {0, ""};
	otto_strlist l;
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "x", &l, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, "reservation backend 'holdings' failed (ERROR) without a message in who_reserved");
	otto_reservation_backend_free(b);

	b = open_resv("holdings", "unknown-status");
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "x", &l, &err), OTTO_EPLUGIN);
	cr_assert_str_eq(err.message,
			 "reservation backend 'holdings' returned 7 from get_reserved_resources, which is not an otto status");
	otto_reservation_backend_free(b);
}

Test(reservation, null_window_resource)
{
	otto_reservation_backend *b = open_resv("holdings", "null-window");
	otto_error err = {0, ""};
	otto_window_list w;
	cr_assert_eq(otto_reservation_backend_windows(b, "alice", &w, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message,
			 "reservation backend 'holdings': get_reservation_windows added a NULL resource (window 0)");
	cr_assert_eq(w.count, 0);
	otto_reservation_backend_free(b);
}

Test(reservation, optional_capabilities_absent)
{
	otto_reservation_backend *b = open_resv("minimal", NULL);
	otto_error err = {0, ""};
	cr_assert_not(otto_reservation_backend_has_usernames(b));
	cr_assert_not(otto_reservation_backend_has_windows(b));
	otto_strlist l;
	cr_assert_eq(otto_reservation_backend_list_usernames(b, &l, &err), OTTO_ENOTSUPPORTED);
	cr_assert_str_eq(err.message, "reservation backend 'minimal' does not list usernames");
	otto_window_list w;
	cr_assert_eq(otto_reservation_backend_windows(b, "alice", &w, &err), OTTO_ENOTSUPPORTED);
	cr_assert_str_eq(err.message, "reservation backend 'minimal' does not report windows");
	otto_reservation_backend_free(b);
}

Test(reservation, create_failure_keeps_code)
{
	test_config tc;
	otto_reservation_backend *b = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_backend_open(&b, registry, "holdings",
						   test_config_init(&tc, "url_typo", "x", NULL, NULL), &err),
		     OTTO_EINVALID);
	cr_assert_str_eq(err.message, "reservation backend 'holdings': /repo/.otto/settings.toml:10: unknown key "
				      "'url_typo' in [reservations.holdings] for backend 'holdings' (accepted: case)");
	cr_assert_null(b);
}

Test(reservation, unknown_backend)
{
	otto_reservation_backend *b = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_backend_open(&b, registry, "holdngs", NULL, &err), OTTO_ENOBACKEND);
	cr_assert(tu_contains(err.message, "Did you mean 'holdings'?"), "%s", err.message);
	cr_assert_null(b);
}
