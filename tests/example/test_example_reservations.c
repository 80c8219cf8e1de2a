/* The example reservation backend (contracts.md section 6), through libotto. */
#include "example_support.h"

#include <string.h>

static otto_registry *reg;
static otto_reservation_backend *backend;

static void open_with(otto_setting *settings, size_t n)
{
	otto_error err = {0};
	otto_config cfg = ex_config("reservations.example", settings, n);
	reg = ex_registry(OTTO_PLUGIN_BUILD_DIR);
	cr_assert_eq(otto_reservation_backend_open(&backend, reg, "example", &cfg, &err), OTTO_OK, "%s", err.message);
}

static void open_demo(void)
{
	open_with(NULL, 0);
}

static void close_all(void)
{
	otto_reservation_backend_free(backend);
	otto_registry_free(reg);
	backend = NULL;
	reg = NULL;
}

static void expect_list(const otto_strlist *l, const char *const *want, size_t n)
{
	cr_assert_eq(l->count, n, "count %zu, want %zu", l->count, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(l->items[i], want[i]);
}

TestSuite(example_reservations, .fini = close_all);

Test(example_reservations, demo_answers, .init = open_demo)
{
	otto_strlist l = {0};
	otto_error err = {0};
	cr_assert_str_eq(otto_reservation_backend_name(backend), "example");
	cr_assert_eq(otto_reservation_backend_who_reserved(backend, "shared", &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"alice", "bob"}, 2);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_reserved_resources(backend, "alice", &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"lab-a", "shared"}, 2);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_reserved_resources(backend, "bob", &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"lab-b", "shared"}, 2);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_reserved_resources(backend, "nobody", &l, &err), OTTO_OK);
	cr_assert_eq(l.count, 0);
	cr_assert_eq(otto_reservation_backend_who_reserved(backend, "moon", &l, &err), OTTO_OK);
	cr_assert_eq(l.count, 0);
	cr_assert(otto_reservation_backend_has_usernames(backend));
	cr_assert_eq(otto_reservation_backend_list_usernames(backend, &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"alice", "bob"}, 2);
	otto_strlist_free(&l);
}

Test(example_reservations, windows_cover_all_time, .init = open_demo)
{
	otto_window_list w = {0};
	otto_error err = {0};
	cr_assert(otto_reservation_backend_has_windows(backend));
	cr_assert_eq(otto_reservation_backend_windows(backend, "alice", &w, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(w.count, 2);
	cr_assert_str_eq(w.items[0].resource, "lab-a");
	cr_assert_eq(w.items[0].start, OTTO_TIME_EPOCH);
	cr_assert_eq(w.items[0].end, OTTO_TIME_FAR_FUTURE);
	otto_window_list_free(&w);
}

Test(example_reservations, configured_holds)
{
	otto_setting s[] = {EX_ARRAY("holds", "carol: x y x", "dave:", "erin: y", "carol: z")};
	otto_strlist l = {0};
	otto_error err = {0};
	open_with(s, 1);
	cr_assert_eq(otto_reservation_backend_reserved_resources(backend, "carol", &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"x", "y", "z"}, 3);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_who_reserved(backend, "y", &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"carol", "erin"}, 2);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_list_usernames(backend, &l, &err), OTTO_OK);
	expect_list(&l, (const char *const[]){"carol", "dave", "erin"}, 3);
	otto_strlist_free(&l);
	cr_assert_eq(otto_reservation_backend_who_reserved(backend, "shared", &l, &err), OTTO_OK);
	cr_assert_eq(l.count, 0, "the demo set is replaced");
}

Test(example_reservations, create_errors)
{
	struct {
		otto_setting setting;
		const char *message;
	} cases[] = {
		{EX_ARRAY("holds", "alice: a", "bob b"),
		 "settings.toml:10: [reservations.example] holds[1]: 'bob b' has no ':'; "
		 "expected \"USER: [RESOURCE...]\""},
		{EX_ARRAY("holds", "  : a"), "holds[0]: '  : a' has nothing before ':'"},
		{EX_ARRAY("holds", "a b: c"), "user name 'a b' contains a space"},
		{EX_STRING("holds", "alice: a"), "settings.toml:10: [reservations.example] holds: must be an array of "
						 "strings"},
		{EX_STRING("hosts", "x"), "settings.toml:10: unknown key 'hosts' in [reservations.example] for backend "
					  "'example' (accepted: holds, admins, url, repo_root)"},
	};
	reg = ex_registry(OTTO_PLUGIN_BUILD_DIR);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		otto_error err = {0};
		otto_config cfg = ex_config("reservations.example", &cases[i].setting, 1);
		int rc = otto_reservation_backend_open(&backend, reg, "example", &cfg, &err);
		cr_assert_eq(rc, OTTO_EINVALID, "case %zu: %d %s", i, rc, err.message);
		cr_assert(strstr(err.message, cases[i].message), "case %zu: %s", i, err.message);
		backend = NULL;
	}
}
