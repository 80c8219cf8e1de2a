/*
 * libotto's public API called with missing arguments: every entry point
 * refuses with OTTO_EINVALID and a message naming what is missing, instead
 * of crashing. The backends used are real: the built-in `none` and the
 * example plugin, found through a real registry.
 */
#include <otto/otto.h>

#include "testutil.h"

#include <criterion/criterion.h>
#include <string.h>

static void expect(int rc, const otto_error *err, int code, const char *message)
{
	cr_assert_eq(rc, code, "status %d (%s), expected %d", rc, err->message, code);
	cr_assert_str_eq(err->message, message);
}

static otto_registry *example_registry(void)
{
	otto_registry *reg = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_file(reg, OTTO_PLUGIN_BUILD_DIR "/example.so", &err), OTTO_OK, "%s",
		     err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	return reg;
}

Test(api_misuse, registry_entry_points)
{
	otto_error err = {0};
	expect(otto_registry_add_path_list(NULL, "/x", &err), &err, OTTO_EINVALID,
	       "no registry to add plugin folders to");
	expect(otto_registry_add_default_dirs(NULL, &err), &err, OTTO_EINVALID, "no registry to add plugin folders to");
	expect(otto_registry_scan(NULL, &err), &err, OTTO_EINVALID, "no registry to scan");
	otto_registry *reg = NULL;
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK);
	expect(otto_registry_add_file(reg, "", &err), &err, OTTO_EINVALID, "a plugin file must be a non-empty path");
	expect(otto_registry_add_dir(reg, "", &err), &err, OTTO_EINVALID, "a plugin folder must be a non-empty path");
	otto_registry_free(reg);
}

Test(api_misuse, opening_without_registry_or_name)
{
	otto_error err = {0};
	otto_lab_repository *repo = (otto_lab_repository *)&err;
	otto_reservation_backend *backend = (otto_reservation_backend *)&err;
	expect(otto_lab_repository_open(&repo, NULL, "example", NULL, &err), &err, OTTO_EINVALID,
	       "opening a lab backend needs a registry and a name");
	cr_assert_null(repo, "the out pointer is cleared on failure");
	expect(otto_lab_repository_open_type(&repo, NULL, NULL, &err), &err, OTTO_EINVALID,
	       "no lab backend type given");
	expect(otto_reservation_backend_open(&backend, NULL, "none", NULL, &err), &err, OTTO_EINVALID,
	       "opening a reservation backend needs a registry and a name");
	cr_assert_null(backend, "the out pointer is cleared on failure");
	expect(otto_lab_repository_open_from_settings(&repo, NULL, NULL, &err), &err, OTTO_EINVALID,
	       "opening the lab backend needs a registry and settings");
	expect(otto_reservation_backend_open_from_settings(&backend, NULL, NULL, &err), &err, OTTO_EINVALID,
	       "opening the reservation backend needs a registry and settings");
}

Test(api_misuse, queries_without_their_argument)
{
	otto_error err = {0};
	otto_registry *reg = example_registry();
	otto_reservation_backend *backend = NULL;
	cr_assert_eq(otto_reservation_backend_open(&backend, reg, "example", NULL, &err), OTTO_OK, "%s", err.message);
	otto_strlist list = {.items = (char **)&err, .count = 3};
	expect(otto_reservation_backend_reserved_resources(backend, NULL, &list, &err), &err, OTTO_EINVALID,
	       "get_reserved_resources needs a user");
	cr_assert_eq(list.count, 0);
	cr_assert_null(list.items);
	list = (otto_strlist){.items = (char **)&err, .count = 3};
	expect(otto_reservation_backend_who_reserved(backend, NULL, &list, &err), &err, OTTO_EINVALID,
	       "who_reserved needs a resource");
	cr_assert_eq(list.count, 0);
	cr_assert_null(list.items);
	if (otto_reservation_backend_has_windows(backend)) {
		otto_window_list windows;
		expect(otto_reservation_backend_windows(backend, NULL, &windows, &err), &err, OTTO_EINVALID,
		       "get_reservation_windows needs a user");
	}

	otto_lab_repository *repo = NULL;
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "example", NULL, &err), OTTO_OK, "%s", err.message);
	otto_lab *lab = (otto_lab *)&err;
	expect(otto_lab_repository_load_lab(repo, NULL, NULL, &lab, &err), &err, OTTO_EINVALID,
	       "load_lab needs a lab name");
	cr_assert_null(lab);

	cr_assert_eq(otto_lab_repository_load_lab(repo, "east", NULL, &lab, &err), OTTO_OK, "%s", err.message);
	otto_check_result result;
	expect(otto_reservation_check(backend, lab, NULL, &result, &err), &err, OTTO_EINVALID,
	       "the reservation check needs a backend, a lab and a user");
	expect(otto_reservation_check(NULL, lab, "alice", &result, &err), &err, OTTO_EINVALID,
	       "the reservation check needs a backend, a lab and a user");
	otto_check_result_free(&result);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
	otto_reservation_backend_free(backend);
	otto_registry_free(reg);
}

Test(api_misuse, names_of_out_of_range_values)
{
	cr_assert_str_eq(otto_backend_kind_name((otto_backend_kind)99), "unknown");
	cr_assert_str_eq(otto_plugin_status_name((otto_plugin_status)99), "unknown");
	cr_assert_str_eq(otto_backend_kind_name(OTTO_KIND_RESERVATION), "reservation");
}
