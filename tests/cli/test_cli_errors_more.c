/*
 * Error paths of the otto command that the other CLI tests leave out:
 * plugin search path, unwritable output, lock settings and lock command
 * failures, reservation commands whose settings cannot be read.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define LONG_NAME_300                                                                                                  \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void expect(tu_result *r, int status, const char *needle)
{
	cr_assert_eq(r->status, status, "exit %d, expected %d; stderr: %s", r->status, status, r->err);
	cr_assert(tu_contains(r->err, needle), "expected '%s' in stderr: %s", needle, r->err);
	tu_result_free(r);
}

Test(cli_errors_more, empty_plugin_dir_is_refused)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	tu_result r = CT_RUN(dir, NULL, "--plugin-dir", "", "plugins");
	expect(&r, 2, "otto: a plugin folder must be a non-empty path");
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, unknown_option_of_plugins)
{
	tu_result r = CT_RUN(NULL, NULL, "plugins", "--bogus");
	expect(&r, 2, "otto: plugins: unknown option '--bogus'.\nRun 'otto plugins --help' for usage.");
}

/* stdout on a full device: the command must not claim success. */
Test(cli_errors_more, unwritable_output_fails)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	char *script = tu_fmt("exec '%s' plugins > /dev/full", OTTO_BIN);
	const char *const argv[] = {"/bin/sh", "-c", script, NULL};
	const char *const env[] = {"OTTO_PLUGIN_PATH=", NULL};
	tu_result r = tu_run(argv, dir, env, 30);
	expect(&r, 1, "otto: cannot write the output");
	free(script);
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, reservation_commands_with_unreadable_settings)
{
	static const char *const subs[][3] = {{"held", NULL, NULL}, {"check", "--lab", "east"}, {"who", "x", NULL}};
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		tu_result r = CT_RUN(NULL, NULL, "--settings", "/nonexistent/settings.toml", "reservation", subs[i][0],
				     subs[i][1], subs[i][2]);
		expect(&r, 2,
		       "otto: cannot read the settings file '/nonexistent/settings.toml' given by --settings: "
		       "No such file or directory");
	}
}

Test(cli_errors_more, check_with_unknown_lab_backend)
{
	char *dir = ct_project("[lab]\nbackend = \"nosuch\"\n");
	tu_result r = CT_RUN(dir, NULL, "reservation", "check", "--lab", "east");
	expect(&r, 2, "otto: no lab backend named 'nosuch'. Available: ");
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, check_of_unknown_lab)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	tu_result r = CT_RUN(dir, NULL, "reservation", "check", "--lab", "nosuch");
	cr_assert_neq(r.status, 0, "%s", r.out);
	cr_assert(tu_contains(r.err, "nosuch"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_dir_empty_string)
{
	char *dir = ct_project("[locks]\ndir = \"\"\n");
	tu_result r = CT_RUN(dir, NULL, "lock", "list");
	expect(&r, 2, "/.otto/settings.toml:2: [locks] dir must be a non-empty string");
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_dir_under_a_file)
{
	char *dir = ct_project("[locks]\ndir = \"afile/locks\"\n");
	free(tu_write(dir, "afile", "not a folder\n"));
	tu_result r = CT_RUN(dir, NULL, "lock", "list");
	char *needle = tu_fmt("otto: lock folder %s/afile/locks: %s/afile: Not a directory", dir, dir);
	expect(&r, 1, needle);
	free(needle);
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_dir_is_a_file)
{
	char *dir = ct_project("[locks]\ndir = \"afile\"\n");
	free(tu_write(dir, "afile", "not a folder\n"));
	tu_result r = CT_RUN(dir, NULL, "lock", "list");
	char *needle = tu_fmt("otto: refusing lock folder %s/afile: %s/afile is not a folder", dir, dir);
	expect(&r, 1, needle);
	free(needle);
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_holder_name_refused)
{
	char *dir = ct_project("[locks]\ndir = \"locks\"\n");
	/* A lock is recorded under the user who owns its file: --as-user
	 * cannot put another name on it. */
	tu_result r = CT_RUN(dir, NULL, "--as-user", "a=b", "lock", "acquire", "x");
	expect(&r, 2, "cannot take them as 'a=b'");
	r = CT_RUN(dir, NULL, "--as-user", LONG_NAME_300, "lock", "release", "x");
	expect(&r, 2, "cannot take them as '" LONG_NAME_300 "'");
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_with_unreadable_settings)
{
	tu_result r = CT_RUN(NULL, NULL, "--settings", "/nonexistent/settings.toml", "lock", "list");
	expect(&r, 2, "given by --settings: No such file or directory");
}

Test(cli_errors_more, lock_list_refuses_double_dash)
{
	char *dir = ct_project("[locks]\ndir = \"locks\"\n");
	tu_result r = CT_RUN(dir, NULL, "lock", "list", "--");
	expect(&r, 2, "otto: lock list: unexpected '--'.\nRun 'otto lock list --help' for usage.");
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_run_of_missing_program)
{
	char *dir = ct_project("[locks]\ndir = \"locks\"\n");
	tu_result r = CT_RUN(dir, NULL, "lock", "run", "board1", "--", "/nonexistent/program");
	expect(&r, 127, "otto lock run: cannot run '/nonexistent/program': No such file or directory");
	/* The lock of the failed run is gone with it. */
	r = CT_RUN(dir, NULL, "lock", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(!tu_contains(r.out, "board1"), "%s", r.out);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(cli_errors_more, lock_subcommand_help)
{
	tu_result r = CT_RUN(NULL, NULL, "lock", "acquire", "--help");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "Usage: otto lock"), "%s", r.out);
	tu_result_free(&r);
}
