/* Finding .otto/settings.toml and the repository root. */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh folder, resolved (the temporary folder may sit behind a symlink). */
static char *real_tmpdir(void)
{
	char *dir = tu_mkdtemp();
	char *real = realpath(dir, NULL);
	cr_assert_not_null(real);
	free(dir);
	return real;
}

static void make_dirs(const char *root, const char *rel)
{
	char *name = tu_fmt("%s/.keep", rel);
	free(tu_write(root, name, ""));
	free(name);
}

Test(settings_find, walks_up_through_nested_folders)
{
	char *root = real_tmpdir();
	free(tu_write(root, ".otto/settings.toml", "[lab]\nbackend = \"example\"\n"));
	make_dirs(root, "a/b/c");
	char *start = tu_fmt("%s/a/b/c", root);
	char *found = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_settings_find(start, &found, &err), OTTO_OK, "%s", err.message);
	char *expected = tu_fmt("%s/.otto/settings.toml", root);
	cr_assert_str_eq(found, expected);
	free(found);

	/* From the repository root itself. */
	cr_assert_eq(otto_settings_find(root, &found, &err), OTTO_OK);
	cr_assert_str_eq(found, expected);
	free(found);
	free(expected);
	free(start);
	tu_rm_rf(root);
	free(root);
}

Test(settings_find, stops_at_the_first)
{
	char *root = real_tmpdir();
	free(tu_write(root, ".otto/settings.toml", "[lab]\n"));
	free(tu_write(root, "a/.otto/settings.toml", "[lab]\n"));
	make_dirs(root, "a/b");
	char *start = tu_fmt("%s/a/b", root);
	char *found = NULL;
	cr_assert_eq(otto_settings_find(start, &found, NULL), OTTO_OK);
	char *expected = tu_fmt("%s/a/.otto/settings.toml", root);
	cr_assert_str_eq(found, expected);
	free(found);
	free(expected);
	free(start);
	tu_rm_rf(root);
	free(root);
}

Test(settings_find, skips_a_folder_named_settings_toml)
{
	char *root = real_tmpdir();
	free(tu_write(root, ".otto/settings.toml", "[lab]\n"));
	make_dirs(root, "a/.otto/settings.toml");
	char *start = tu_fmt("%s/a", root);
	char *found = NULL;
	cr_assert_eq(otto_settings_find(start, &found, NULL), OTTO_OK);
	char *expected = tu_fmt("%s/.otto/settings.toml", root);
	cr_assert_str_eq(found, expected);
	free(found);
	free(expected);
	free(start);
	tu_rm_rf(root);
	free(root);
}

Test(settings_find, from_the_current_folder)
{
	char *root = real_tmpdir();
	free(tu_write(root, ".otto/settings.toml", "[lab]\n"));
	make_dirs(root, "sub");
	char *sub = tu_fmt("%s/sub", root);
	cr_assert_eq(chdir(sub), 0);
	char *found = NULL;
	cr_assert_eq(otto_settings_find(NULL, &found, NULL), OTTO_OK);
	char *expected = tu_fmt("%s/.otto/settings.toml", root);
	cr_assert_str_eq(found, expected);
	free(found);
	free(expected);
	free(sub);
	tu_rm_rf(root);
	free(root);
}

Test(settings_find, none_found)
{
	char *root = real_tmpdir();
	make_dirs(root, "x/y");
	char *start = tu_fmt("%s/x/y", root);
	struct stat st;
	cr_assert_neq(stat("/tmp/.otto/settings.toml", &st), 0, "a stray /tmp/.otto/settings.toml spoils this test");
	char *found = (char *)1;
	cr_assert_eq(otto_settings_find(start, &found, NULL), OTTO_OK);
	cr_assert_null(found);
	free(start);
	tu_rm_rf(root);
	free(root);
}

Test(settings_find, missing_start_folder)
{
	char *found = (char *)1;
	otto_error err = {0};
	cr_assert_eq(otto_settings_find("/nonexistent-otto/dir", &found, &err), OTTO_EIO);
	cr_assert_null(found);
	cr_assert_str_eq(err.message,
			 "cannot look for .otto/settings.toml from '/nonexistent-otto/dir': No such file or directory");
}

Test(settings_find, repo_root_is_the_folder_holding_dot_otto)
{
	st_case c;
	st_load_ok(&c, "[lab]\n");
	char *root = realpath(c.dir, NULL);
	cr_assert_str_eq(otto_settings_repo_root(c.settings), root);
	cr_assert_str_eq(otto_settings_path(c.settings), c.path);
	free(root);
	st_done(&c);
}

Test(settings_find, repo_root_of_a_file_elsewhere)
{
	char *root = real_tmpdir();
	char *path = tu_write(root, "conf/other.toml", "[lab]\nbackend = \"example\"\n");
	otto_settings *s = NULL;
	cr_assert_eq(otto_settings_load(&s, path, NULL), OTTO_OK);
	char *expected = tu_fmt("%s/conf", root);
	cr_assert_str_eq(otto_settings_repo_root(s), expected);
	otto_settings_free(s);
	free(expected);
	free(path);
	tu_rm_rf(root);
	free(root);
}

Test(settings_find, relative_path_kept_in_messages_root_absolute)
{
	char *root = real_tmpdir();
	free(tu_write(root, ".otto/settings.toml", "[lab]\nbackend = \"example\"\n"));
	cr_assert_eq(chdir(root), 0);
	otto_settings *s = NULL;
	cr_assert_eq(otto_settings_load(&s, ".otto/settings.toml", NULL), OTTO_OK);
	cr_assert_str_eq(otto_settings_repo_root(s), root);
	cr_assert_str_eq(otto_settings_path(s), ".otto/settings.toml");
	otto_config cfg;
	otto_settings_backend_config(s, OTTO_KIND_LAB, "example", &cfg);
	cr_assert_str_eq(cfg.repo_root, root);
	otto_settings_free(s);

	free(tu_write(root, ".otto/settings.toml", "[lab]\nbackend = 'example\n"));
	otto_error err = {0};
	cr_assert_eq(otto_settings_load(&s, ".otto/settings.toml", &err), OTTO_ESETTINGS);
	cr_assert_str_eq(err.message, ".otto/settings.toml:2: unterminated string in the value of 'backend'");
	tu_rm_rf(root);
	free(root);
}
