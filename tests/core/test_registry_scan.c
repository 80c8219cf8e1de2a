/* Discovery through the real scan: which files are opened, their statuses,
 * duplicates and search order. */
#include "core_test.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

Test(registry_scan, builtin_none_without_any_folder)
{
	otto_registry *reg = scan_dirs(NULL);
	cr_assert_eq(otto_registry_plugin_count(reg), 1);
	const otto_plugin_info *p = otto_registry_plugin(reg, 0);
	cr_assert_str_eq(p->path, "(built-in)");
	cr_assert_eq(p->status, OTTO_PLUGIN_LOADED);
	cr_assert_null(p->detail);
	cr_assert_str_eq(p->plugin_name, "none");
	cr_assert_str_eq(p->plugin_version, OTTO_VERSION);
	cr_assert_eq(p->n_backends, 2, "none and the lock view (issue 12)");
	cr_assert_eq(p->backends[0].kind, OTTO_KIND_RESERVATION);
	cr_assert_str_eq(p->backends[0].name, "none");
	cr_assert_eq(p->backends[1].kind, OTTO_KIND_RESERVATION);
	cr_assert_str_eq(p->backends[1].name, "lock");
	cr_assert_str_eq(p->backends[0].path, "(built-in)");
	cr_assert_null(p->backends[0].shadowed_by);
	cr_assert_eq(otto_registry_find(reg, OTTO_KIND_RESERVATION, "none"), &p->backends[0]);
	cr_assert_null(otto_registry_find(reg, OTTO_KIND_LAB, "none"));
	cr_assert_eq(otto_registry_dir_count(reg), 0);
	otto_registry_free(reg);
}

Test(registry_scan, good_plugin_loads_and_lists)
{
	otto_registry *reg = scan_dir(CASE_DIR("good"));
	cr_assert_eq(otto_registry_plugin_count(reg), 2);
	cr_assert_str_eq(otto_registry_plugin(reg, 0)->path, "(built-in)");
	const otto_plugin_info *p = otto_registry_plugin(reg, 1);
	cr_assert_str_eq(p->path, CASE_SO("good"));
	cr_assert_eq(p->status, OTTO_PLUGIN_LOADED);
	cr_assert_null(p->detail);
	cr_assert_str_eq(p->plugin_name, "good");
	cr_assert_str_eq(p->plugin_version, "1.2.3");
	cr_assert_eq(p->abi_major, OTTO_ABI_MAJOR);
	cr_assert_eq(p->abi_minor, OTTO_ABI_MINOR);
	cr_assert_eq(p->n_backends, 2);
	cr_assert_eq(p->backends[0].kind, OTTO_KIND_LAB);
	cr_assert_str_eq(p->backends[0].name, "good");
	cr_assert_str_eq(p->backends[0].description, "a good lab repository");
	cr_assert_str_eq(p->backends[0].plugin_name, "good");
	cr_assert_str_eq(p->backends[0].plugin_version, "1.2.3");
	cr_assert_str_eq(p->backends[0].path, CASE_SO("good"));
	cr_assert_eq(p->backends[1].kind, OTTO_KIND_RESERVATION);
	cr_assert_str_eq(p->backends[1].name, "good");
	cr_assert_str_eq(p->backends[1].description, "a good reservation backend");

	cr_assert_eq(otto_registry_find(reg, OTTO_KIND_LAB, "good"), &p->backends[0]);
	cr_assert_eq(otto_registry_find(reg, OTTO_KIND_RESERVATION, "good"), &p->backends[1]);
	otto_strlist names = {0};
	cr_assert_eq(otto_registry_names(reg, OTTO_KIND_LAB, &names), OTTO_OK);
	cr_assert_eq(names.count, 1);
	cr_assert_str_eq(names.items[0], "good");
	otto_strlist_free(&names);
	cr_assert_eq(otto_registry_names(reg, OTTO_KIND_RESERVATION, &names), OTTO_OK);
	cr_assert_eq(names.count, 3);
	cr_assert_str_eq(names.items[0], "good");
	cr_assert_str_eq(names.items[1], "lock");
	cr_assert_str_eq(names.items[2], "none");
	otto_strlist_free(&names);
	cr_assert_eq(otto_registry_dir_count(reg), 1);
	cr_assert_str_eq(otto_registry_dir(reg, 0), CASE_DIR("good"));
	otto_registry_free(reg);
}

Test(registry_scan, wrong_abi_major)
{
	otto_registry *reg = scan_dir(CASE_DIR("abi_major"));
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("abi_major"));
	cr_assert_eq(p->status, OTTO_PLUGIN_ABI_MISMATCH);
	char *want = tu_fmt("built for otto ABI 2.0; this host provides 1.%d (the major must match)", OTTO_ABI_MINOR);
	cr_assert_str_eq(p->detail, want);
	free(want);
	cr_assert_eq(p->abi_major, 2);
	cr_assert_eq(p->n_backends, 0);
	otto_registry_free(reg);
}

Test(registry_scan, newer_minor_than_host)
{
	otto_registry *reg = scan_dir(CASE_DIR("abi_minor"));
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("abi_minor"));
	cr_assert_eq(p->status, OTTO_PLUGIN_ABI_MISMATCH);
	char *want = tu_fmt("built for otto ABI 1.%d; this host provides 1.%d (the minor must not be newer than the "
			    "host's)",
			    OTTO_ABI_MINOR + 1, OTTO_ABI_MINOR);
	cr_assert_str_eq(p->detail, want);
	free(want);
	otto_registry_free(reg);
}

Test(registry_scan, older_type_struct_still_loads)
{
	otto_registry *reg = scan_dir(CASE_DIR("old_struct"));
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("old_struct"));
	cr_assert_eq(p->status, OTTO_PLUGIN_LOADED, "detail: %s", p->detail);
	cr_assert_eq(p->n_backends, 1);
	cr_assert_str_eq(p->backends[0].name, "old");
	cr_assert_str_eq(p->backends[0].description, "an older lab type");
	otto_registry_free(reg);
}

Test(registry_scan, shared_object_without_the_symbol)
{
	otto_registry *reg = scan_dir(CASE_DIR("nosym"));
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("nosym"));
	cr_assert_eq(p->status, OTTO_PLUGIN_NOT_A_PLUGIN);
	cr_assert_str_eq(p->detail, "a shared object without the 'otto_plugin' symbol, so not an otto plugin");
	cr_assert_null(p->plugin_name);
	otto_registry_free(reg);
}

Test(registry_scan, unresolved_dependency_shows_the_loader_error)
{
	otto_registry *reg = scan_dir(CASE_DIR("undefined"));
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("undefined"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert(strncmp(p->detail, "cannot be loaded: ", 18) == 0, "detail: %s", p->detail);
	cr_assert(tu_contains(p->detail, "undefined symbol: otto_test_defined_nowhere"), "detail: %s", p->detail);
	cr_assert(!tu_contains(p->detail, "file not found"), "detail: %s", p->detail);
	otto_registry_free(reg);
}

static void check_duplicate(const char *winner_dir, const char *winner_version, const char *loser_dir)
{
	const char *dirs[] = {winner_dir, loser_dir, NULL};
	otto_registry *reg = scan_dirs(dirs);
	char *winner = tu_fmt("%s/dup.so", winner_dir);
	char *loser = tu_fmt("%s/dup.so", loser_dir);
	cr_assert_eq(otto_registry_plugin_count(reg), 3);
	const otto_plugin_info *w = otto_registry_plugin(reg, 1);
	const otto_plugin_info *l = otto_registry_plugin(reg, 2);
	cr_assert_str_eq(w->path, winner);
	cr_assert_eq(w->status, OTTO_PLUGIN_LOADED);
	cr_assert_null(w->backends[0].shadowed_by);
	cr_assert_str_eq(l->path, loser);
	cr_assert_eq(l->status, OTTO_PLUGIN_DUPLICATE);
	cr_assert_str_eq(l->backends[0].shadowed_by, winner);
	char *detail = tu_fmt("lab backend 'dup' of %s is already provided by %s (the first file in search order "
			      "wins)",
			      loser, winner);
	cr_assert_str_eq(l->detail, detail);
	const otto_backend_info *b = otto_registry_find(reg, OTTO_KIND_LAB, "dup");
	cr_assert_not_null(b);
	cr_assert_str_eq(b->plugin_version, winner_version);
	cr_assert_str_eq(b->path, winner);
	otto_strlist names = {0};
	otto_registry_names(reg, OTTO_KIND_LAB, &names);
	cr_assert_eq(names.count, 1);
	otto_strlist_free(&names);
	free(detail);
	free(winner);
	free(loser);
	otto_registry_free(reg);
}

Test(registry_scan, duplicate_name_first_in_search_order_wins)
{
	check_duplicate(CASE_DIR("dup_first"), "first", CASE_DIR("dup_second"));
}

Test(registry_scan, swapping_folder_order_swaps_the_winner)
{
	check_duplicate(CASE_DIR("dup_second"), "second", CASE_DIR("dup_first"));
}

Test(registry_scan, only_real_shared_objects_are_opened)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, "README", "These are plugins.\n"));
	free(tu_write(dir, "fake.so", "this is a text file that only pretends to be a shared object, honestly\n"));
	char *real = tu_fmt("%s/real.so", dir);
	copy_file(CASE_SO("good"), real);
	char *backup = tu_fmt("%s/good.so~", dir);
	copy_file(CASE_SO("good"), backup);
	char *swap = tu_fmt("%s/.good.so.swp", dir);
	copy_file(CASE_SO("good"), swap);
	char *hidden = tu_fmt("%s/.hidden.so", dir);
	copy_file(CASE_SO("good"), hidden);
	char *subdir = tu_fmt("%s/folder.so", dir);
	cr_assert_eq(mkdir(subdir, 0755), 0);
	/* The same file reached twice is inspected once. */
	char *link = tu_fmt("%s/zz-link.so", dir);
	cr_assert_eq(symlink(real, link), 0);

	otto_registry *reg = scan_dir(dir);
	cr_assert_eq(otto_registry_plugin_count(reg), 2);
	const otto_plugin_info *p = otto_registry_plugin(reg, 1);
	cr_assert_str_eq(p->path, real);
	cr_assert_eq(p->status, OTTO_PLUGIN_LOADED);
	otto_registry_free(reg);

	/* A symlink to a real shared object counts (here alone). */
	cr_assert_eq(unlink(real), 0);
	cr_assert_eq(unlink(link), 0);
	cr_assert_eq(symlink(hidden, link), 0);
	reg = scan_dir(dir);
	cr_assert_eq(otto_registry_plugin_count(reg), 2);
	cr_assert_str_eq(otto_registry_plugin(reg, 1)->path, link);
	otto_registry_free(reg);

	free(real);
	free(backup);
	free(swap);
	free(hidden);
	free(subdir);
	free(link);
	tu_rm_rf(dir);
	free(dir);
}

Test(registry_scan, same_folder_twice_inspects_each_file_once)
{
	const char *dirs[] = {CASE_DIR("good"), CASE_DIR("good") "/", NULL};
	otto_registry *reg = scan_dirs(dirs);
	cr_assert_eq(otto_registry_plugin_count(reg), 2);
	cr_assert_eq(otto_registry_dir_count(reg), 2);
	otto_registry_free(reg);
}

Test(registry_scan, empty_folder)
{
	char *dir = tu_mkdtemp();
	otto_registry *reg = scan_dir(dir);
	cr_assert_eq(otto_registry_plugin_count(reg), 1);
	cr_assert_str_eq(otto_registry_plugin(reg, 0)->path, "(built-in)");
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(dir);
}

Test(registry_scan, missing_folder_is_no_error)
{
	const char *dirs[] = {"/nonexistent/otto-plugins", CASE_DIR("good"), NULL};
	otto_registry *reg = scan_dirs(dirs);
	cr_assert_eq(otto_registry_plugin_count(reg), 2);
	cr_assert_eq(otto_registry_plugin(reg, 1)->status, OTTO_PLUGIN_LOADED);
	cr_assert_str_eq(otto_registry_dir(reg, 0), "/nonexistent/otto-plugins");
	otto_registry_free(reg);
}

Test(registry_scan, path_list_skips_empty_parts)
{
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK);
	cr_assert_eq(otto_registry_add_path_list(reg, ":/a::/b/c:", &err), OTTO_OK);
	cr_assert_eq(otto_registry_add_dir(reg, "/d", &err), OTTO_OK);
	cr_assert_eq(otto_registry_dir_count(reg), 3);
	cr_assert_str_eq(otto_registry_dir(reg, 0), "/a");
	cr_assert_str_eq(otto_registry_dir(reg, 1), "/b/c");
	cr_assert_str_eq(otto_registry_dir(reg, 2), "/d");
	cr_assert_null(otto_registry_dir(reg, 3));
	cr_assert_eq(otto_registry_add_dir(reg, "", &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "a plugin folder must be a non-empty path");
	otto_registry_free(reg);
}

/* The default folder is libotto's own <libdir>/otto/plugins, found from
 * where the library was loaded (not from the executable, nor a prefix
 * compiled in): one folder, the build tree's here. */
Test(registry_scan, default_dir_is_beside_libotto)
{
	char *expected = realpath(OTTO_PLUGIN_BUILD_DIR, NULL);
	cr_assert(expected, "%s", OTTO_PLUGIN_BUILD_DIR);

	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK);
	cr_assert_eq(otto_registry_add_default_dirs(reg, &err), OTTO_OK);
	cr_assert_eq(otto_registry_dir_count(reg), 1);
	cr_assert_str_eq(otto_registry_dir(reg, 0), expected);
	otto_registry_free(reg);
	free(expected);
}

Test(registry_scan, file_added_directly)
{
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK);
	cr_assert_eq(otto_registry_add_file(reg, CASE_SO("good"), &err), OTTO_OK);
	cr_assert_eq(otto_registry_add_file(reg, "/nonexistent/x.so", &err), OTTO_EIO);
	cr_assert_str_eq(err.message, "plugin file /nonexistent/x.so does not exist");
	cr_assert_eq(otto_registry_add_file(reg, OTTO_TEST_PLUGIN_DIR, &err), OTTO_EIO);
	cr_assert_str_eq(err.message, "plugin file " OTTO_TEST_PLUGIN_DIR " is not a regular file");
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK);
	cr_assert_eq(otto_registry_plugin_count(reg), 2);
	cr_assert_eq(otto_registry_plugin(reg, 1)->status, OTTO_PLUGIN_LOADED);
	cr_assert_eq(otto_registry_dir_count(reg), 0);
	otto_registry_free(reg);
}

Test(registry_scan, text_file_named_directly_fails_with_the_loader_error)
{
	char *dir = tu_mkdtemp();
	char *path =
	    tu_write(dir, "notes.txt", "this is a text file that only pretends to be a shared object, honestly\n");
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK);
	cr_assert_eq(otto_registry_add_file(reg, path, &err), OTTO_OK);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK);
	const otto_plugin_info *p = plugin_at(reg, path);
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	char *expected = tu_fmt("cannot be loaded: %s: invalid ELF header", path);
	cr_assert_str_eq(p->detail, expected);
	free(expected);
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}
