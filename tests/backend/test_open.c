/*
 * Opening the backends .otto/settings.toml selects.
 */
#include "backend_test.h"

TestSuite(settings_open, .init = registry_setup, .fini = registry_teardown, .timeout = 30);

/* Settings loaded from `text` written to <tmp>/.otto/settings.toml. */
static otto_settings *settings_from(const char *text, char **dir_out, char **path_out)
{
	char *dir = tu_mkdtemp();
	char *path = tu_write(dir, ".otto/settings.toml", text);
	otto_settings *s = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_settings_load(&s, path, &err), OTTO_OK, "settings: %s", err.message);
	*dir_out = dir;
	*path_out = path;
	return s;
}

static void cleanup(otto_settings *s, char *dir, char *path)
{
	otto_settings_free(s);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

Test(settings_open, lab_backend_with_its_table)
{
	char *dir, *path;
	otto_settings *s = settings_from("[lab]\nbackend = \"cases\"\n\n[lab.cases]\ncase = \"good\"\n", &dir, &path);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_from_settings(&repo, registry, s, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(otto_lab_repository_name(repo), "cases");
	otto_lab_repository_free(repo);
	cleanup(s, dir, path);
}

Test(settings_open, backend_settings_reach_create)
{
	char *dir, *path;
	otto_settings *s = settings_from("[lab]\nbackend = \"cases\"\n[lab.cases]\nfail = \"invalid\"\n", &dir, &path);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_from_settings(&repo, registry, s, &err), OTTO_EINVALID, "%s",
		     err.message);
	cr_assert_str_eq(err.message, "lab backend 'cases': setting 'fail' says invalid");
	cr_assert_null(repo);
	cleanup(s, dir, path);
}

Test(settings_open, no_lab_backend_configured)
{
	char *dir, *path;
	otto_settings *s = settings_from("[reservations]\nbackend = \"none\"\n", &dir, &path);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_from_settings(&repo, registry, s, &err), OTTO_ESETTINGS);
	char *want = tu_fmt("no lab backend configured: set [lab] backend in %s", otto_settings_path(s));
	cr_assert_str_eq(err.message, want);
	cr_assert(tu_contains(err.message, ".otto/settings.toml"), "%s", err.message);
	free(want);
	cleanup(s, dir, path);
}

Test(settings_open, no_settings_file)
{
	char *dir = tu_mkdtemp();
	otto_settings *s = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_settings_new_empty(&s, dir, &err), OTTO_OK, "%s", err.message);
	otto_lab_repository *repo = NULL;
	cr_assert_eq(otto_lab_repository_open_from_settings(&repo, registry, s, &err), OTTO_ESETTINGS);
	char *want = tu_fmt("no .otto/settings.toml found (searched upward from %s)", otto_settings_repo_root(s));
	cr_assert_str_eq(err.message, want);
	cr_assert(tu_contains(err.message, dir), "%s", err.message);
	free(want);
	otto_settings_free(s);
	tu_rm_rf(dir);
	free(dir);
}

Test(settings_open, unknown_lab_backend)
{
	char *dir, *path;
	otto_settings *s = settings_from("[lab]\nbackend = \"casse\"\n", &dir, &path);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_from_settings(&repo, registry, s, &err), OTTO_ENOBACKEND);
	cr_assert(tu_contains(err.message, "Did you mean 'cases'?"), "%s", err.message);
	cleanup(s, dir, path);
}

Test(settings_open, reservations_default_none)
{
	char *dir = tu_mkdtemp();
	otto_settings *s = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_settings_new_empty(&s, dir, &err), OTTO_OK, "%s", err.message);
	otto_reservation_backend *b = NULL;
	cr_assert_eq(otto_reservation_backend_open_from_settings(&b, registry, s, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(otto_reservation_backend_name(b), "none");
	otto_reservation_backend_free(b);
	otto_settings_free(s);
	tu_rm_rf(dir);
	free(dir);
}

Test(settings_open, reservations_backend_with_its_table)
{
	char *dir, *path;
	otto_settings *s = settings_from("[reservations]\nbackend = \"holdings\"\n\n[reservations.holdings]\n"
					 "case = \"dupes\"\n",
					 &dir, &path);
	otto_reservation_backend *b = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_backend_open_from_settings(&b, registry, s, &err), OTTO_OK, "%s", err.message);
	otto_strlist l;
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "x", &l, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(l.count, 3, "the [reservations.holdings] case reached the backend");
	otto_strlist_free(&l);
	otto_reservation_backend_free(b);
	cleanup(s, dir, path);
}
