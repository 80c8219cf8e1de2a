/* The views libotto and the backends take from loaded settings. */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(settings_views, defaults_without_a_file)
{
	char *dir = tu_mkdtemp();
	otto_settings *s = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_settings_new_empty(&s, dir, &err), OTTO_OK, "%s", err.message);
	char *real = realpath(dir, NULL);
	cr_assert_str_eq(otto_settings_repo_root(s), real);
	cr_assert_null(otto_settings_path(s));
	cr_assert_null(otto_settings_lab_backend(s));
	cr_assert_str_eq(otto_settings_reservation_backend(s), "none");
	cr_assert_null(otto_settings_reservation_url(s));
	cr_assert_eq(otto_settings_plugin_dir_count(s), 0);
	cr_assert_eq(otto_settings_lab_source_count(s), 0);
	const otto_setting *items = (const otto_setting *)1;
	cr_assert_eq(otto_settings_table(s, "locks", &items), 0);
	cr_assert_null(items);
	otto_config cfg;
	otto_settings_backend_config(s, OTTO_KIND_RESERVATION, "json", &cfg);
	cr_assert_eq(cfg.struct_size, sizeof cfg);
	cr_assert_str_eq(cfg.section, "reservations.json");
	cr_assert_str_eq(cfg.backend, "json");
	cr_assert_str_eq(cfg.repo_root, real);
	cr_assert_null(cfg.url);
	cr_assert_eq(cfg.n_settings, 0);
	otto_settings_free(s);
	tu_rm_rf(dir);
	free(real);
	free(dir);
}

Test(settings_views, empty_settings_in_current_folder)
{
	char *dir = tu_mkdtemp();
	cr_assert_eq(chdir(dir), 0);
	otto_settings *s = NULL;
	cr_assert_eq(otto_settings_new_empty(&s, NULL, NULL), OTTO_OK);
	char *real = realpath(dir, NULL);
	cr_assert_str_eq(otto_settings_repo_root(s), real);
	otto_settings_free(s);
	tu_rm_rf(dir);
	free(real);
	free(dir);
}

Test(settings_views, empty_settings_in_missing_folder)
{
	otto_settings *s = (otto_settings *)1;
	otto_error err = {0};
	cr_assert_eq(otto_settings_new_empty(&s, "/nonexistent-otto-root", &err), OTTO_EIO);
	cr_assert_null(s);
	cr_assert_str_eq(err.message,
			 "cannot use '/nonexistent-otto-root' as the repository root: No such file or directory");
}

Test(settings_views, lab_backend_config)
{
	st_case c;
	st_load_ok(&c, "[lab]\nbackend = \"json\"\n\n[lab.json]\npaths = [\"lab_data\", \"/srv/global/lab.json\"]\n"
		       "strict = true\n[reservations]\nurl = \"https://r\"\n");
	otto_config cfg;
	otto_settings_backend_config(c.settings, OTTO_KIND_LAB, "json", &cfg);
	char *root = realpath(c.dir, NULL);
	cr_assert_eq(cfg.struct_size, sizeof cfg);
	cr_assert_str_eq(cfg.backend, "json");
	cr_assert_str_eq(cfg.section, "lab.json");
	cr_assert_str_eq(cfg.repo_root, root);
	cr_assert_null(cfg.url, "the url belongs to reservation backends only");
	cr_assert_eq(cfg.n_settings, 2);
	cr_assert_str_eq(cfg.settings[0].key, "paths");
	cr_assert_eq(cfg.settings[0].type, OTTO_VALUE_ARRAY);
	cr_assert_eq(cfg.settings[0].n_items, 2);
	cr_assert_str_eq(cfg.settings[0].items[1], "/srv/global/lab.json");
	cr_assert_str_eq(cfg.settings[0].file, c.path);
	cr_assert_eq(cfg.settings[0].line, 5);
	cr_assert_str_eq(cfg.settings[1].key, "strict");
	cr_assert_eq(cfg.settings[1].line, 6);
	cr_assert_eq(otto_config_find(&cfg, "strict"), &cfg.settings[1]);

	/* The SDK's key check names the key, where it was written and the backend. */
	static const char *const known[] = {"paths", NULL};
	otto_error err = {0};
	cr_assert_eq(otto_config_check_keys(&cfg, known, &err), OTTO_EINVALID);
	char *expected =
	    tu_fmt("%s:6: unknown key 'strict' in [lab.json] for backend 'json' (accepted: paths)", c.path);
	cr_assert_str_eq(err.message, expected);
	free(expected);
	free(root);
	st_done(&c);
}

Test(settings_views, reservation_backend_config_and_absent_table)
{
	st_case c;
	st_load_ok(&c, "[reservations]\nbackend = \"example\"\nurl = \"https://booking\"\n"
		       "[reservations.example]\napi_key_env = \"X\"\n");
	cr_assert_str_eq(otto_settings_reservation_backend(c.settings), "example");
	otto_config cfg;
	otto_settings_backend_config(c.settings, OTTO_KIND_RESERVATION, "example", &cfg);
	cr_assert_str_eq(cfg.section, "reservations.example");
	cr_assert_str_eq(cfg.url, "https://booking");
	cr_assert_eq(cfg.n_settings, 1);
	cr_assert_str_eq(cfg.settings[0].string, "X");

	/* An absent table: empty, and its names outlive the caller's string. */
	char *name = strdup("other");
	otto_config absent, again;
	otto_settings_backend_config(c.settings, OTTO_KIND_LAB, name, &absent);
	free(name);
	cr_assert_str_eq(absent.section, "lab.other");
	cr_assert_str_eq(absent.backend, "other");
	cr_assert_eq(absent.n_settings, 0);
	cr_assert_null(absent.url);
	otto_settings_backend_config(c.settings, OTTO_KIND_LAB, "other", &again);
	cr_assert_eq(again.section, absent.section, "the same view is handed out again");
	st_done(&c);
}

Test(settings_views, any_table_by_name)
{
	st_case c;
	st_load_ok(&c, "[locks]\n[lab.json]\npaths = []\n");
	const otto_setting *items = NULL;
	cr_assert_eq(otto_settings_table(c.settings, "locks", &items), 0);
	cr_assert_not_null(items, "a present but empty table is not an absent one");
	cr_assert_eq(otto_settings_table(c.settings, "lab.json", &items), 1);
	cr_assert_str_eq(items[0].key, "paths");
	cr_assert_eq(otto_settings_table(c.settings, "lab", &items), 0);
	cr_assert_null(items);
	st_done(&c);
}

Test(settings_views, plugin_dirs_resolved_against_repo_root)
{
	st_case c;
	st_load_ok(&c, "[plugins]\npath = [\"plugins\", \"/opt/otto/plugins\", \"../other/p\"]\n");
	char *root = realpath(c.dir, NULL);
	cr_assert_eq(otto_settings_plugin_dir_count(c.settings), 3);
	char *first = tu_fmt("%s/plugins", root);
	char *third = tu_fmt("%s/../other/p", root);
	cr_assert_str_eq(otto_settings_plugin_dir(c.settings, 0), first);
	cr_assert_str_eq(otto_settings_plugin_dir(c.settings, 1), "/opt/otto/plugins");
	cr_assert_str_eq(otto_settings_plugin_dir(c.settings, 2), third);
	cr_assert_null(otto_settings_plugin_dir(c.settings, 3));
	free(first);
	free(third);
	free(root);
	st_done(&c);

	st_load_ok(&c, "[plugins]\npath = \"local\"\n");
	cr_assert_eq(otto_settings_plugin_dir_count(c.settings), 1);
	root = realpath(c.dir, NULL);
	char *local = tu_fmt("%s/local", root);
	cr_assert_str_eq(otto_settings_plugin_dir(c.settings, 0), local);
	free(local);
	free(root);
	st_done(&c);
}

Test(settings_views, lab_sources_in_order_with_their_configs)
{
	st_case c;
	st_load_ok(&c, "[lab.sources.global]\nbackend = \"json\"\npaths = [\"/srv/global\"]\n\n"
		       "[reservations]\nbackend = \"none\"\n\n"
		       "[lab.sources.zz-team]\npaths = [\"lab_data\"]\nbackend = 'json'\nstrict = false\n\n"
		       "[lab.sources.alpha]\nbackend = \"example\"\n");
	char *root = realpath(c.dir, NULL);
	cr_assert_null(otto_settings_lab_backend(c.settings));
	cr_assert_eq(otto_settings_lab_source_count(c.settings), 3);
	cr_assert_str_eq(otto_settings_lab_source_label(c.settings, 0), "global");
	cr_assert_str_eq(otto_settings_lab_source_label(c.settings, 1), "zz-team");
	cr_assert_str_eq(otto_settings_lab_source_label(c.settings, 2), "alpha");
	cr_assert_str_eq(otto_settings_lab_source_backend(c.settings, 1), "json");
	cr_assert_str_eq(otto_settings_lab_source_backend(c.settings, 2), "example");
	cr_assert_null(otto_settings_lab_source_label(c.settings, 3));

	otto_config cfg;
	otto_settings_lab_source_config(c.settings, 1, &cfg);
	cr_assert_eq(cfg.struct_size, sizeof cfg);
	cr_assert_str_eq(cfg.backend, "json");
	cr_assert_str_eq(cfg.section, "lab.sources.zz-team");
	cr_assert_str_eq(cfg.repo_root, root);
	cr_assert_null(cfg.url);
	cr_assert_eq(cfg.n_settings, 2, "every key but backend");
	cr_assert_str_eq(cfg.settings[0].key, "paths");
	cr_assert_eq(cfg.settings[0].line, 9);
	cr_assert_str_eq(cfg.settings[0].file, c.path);
	cr_assert_str_eq(cfg.settings[1].key, "strict");
	cr_assert_eq(cfg.settings[1].line, 11);

	otto_settings_lab_source_config(c.settings, 2, &cfg);
	cr_assert_eq(cfg.n_settings, 0);
	free(root);
	st_done(&c);
}
