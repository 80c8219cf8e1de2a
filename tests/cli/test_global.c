/* Global options, help, version, usage errors, settings errors. */
#include "cli_support.h"

#include <otto/otto.h>

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(global, version)
{
	tu_result r = CT_RUN(NULL, NULL, "--version");
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *want = tu_fmt("otto %s (plugin ABI %d.%d)\n", OTTO_VERSION, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
	cr_assert_str_eq(r.out, want);
	free(want);
	tu_result_free(&r);
}

Test(global, help_lists_commands)
{
	tu_result r = CT_RUN(NULL, NULL, "--help");
	cr_assert_eq(r.status, 0);
	cr_assert(tu_contains(r.out, "Usage: otto"), "%s", r.out);
	cr_assert(tu_contains(r.out, "reservation check --lab LAB"));
	cr_assert(tu_contains(r.out, "--plugin-dir DIR"));
	cr_assert_str_empty(r.err);
	tu_result_free(&r);
}

Test(global, help_on_every_command)
{
	static const char *const commands[][3] = {
		{"plugins", NULL, "Usage: otto plugins"},
		{"lab", NULL, "Usage: otto lab COMMAND"},
		{"lab", "list", "Usage: otto lab list"},
		{"lab", "show", "Usage: otto lab show LAB"},
		{"lab", "hosts", "Usage: otto lab hosts"},
		{"reservation", NULL, "Usage: otto reservation COMMAND"},
		{"reservation", "whoami", "Usage: otto reservation whoami"},
		{"reservation", "held", "Usage: otto reservation held"},
		{"reservation", "who", "Usage: otto reservation who RESOURCE"},
		{"reservation", "check", "Usage: otto reservation check --lab LAB"},
	};
	/* No settings anywhere: help must not need them. */
	char *dir = ct_project(NULL);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		tu_result r = commands[i][1] ? CT_RUN(dir, NULL, commands[i][0], commands[i][1], "--help")
					     : CT_RUN(dir, NULL, commands[i][0], "--help");
		cr_assert_eq(r.status, 0, "%s %s --help: exit %d: %s", commands[i][0], commands[i][1], r.status, r.err);
		cr_assert(strncmp(r.out, commands[i][2], strlen(commands[i][2])) == 0, "%s %s --help printed:\n%s",
			  commands[i][0], commands[i][1], r.out);
		cr_assert_str_empty(r.err);
		tu_result_free(&r);
	}
	tu_rm_rf(dir);
	free(dir);
}

Test(global, help_wins_over_other_mistakes)
{
	tu_result r = CT_RUN(NULL, NULL, "lab", "show", "--bogus", "--help");
	cr_assert_eq(r.status, 0);
	cr_assert(tu_contains(r.out, "Usage: otto lab show"));
	tu_result_free(&r);
}

Test(global, no_command_is_a_usage_error)
{
	tu_result r = CT_RUN(NULL, NULL, "--as-user", "alice");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "Usage: otto"), "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(global, unknown_command)
{
	tu_result r = CT_RUN(NULL, NULL, "labs");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: unknown command 'labs'. Did you mean 'lab'?"), "%s", r.err);
	tu_result_free(&r);
}

Test(global, unknown_global_option)
{
	tu_result r = CT_RUN(NULL, NULL, "--frobnicate", "lab", "list");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: unknown option '--frobnicate'"), "%s", r.err);
	tu_result_free(&r);
}

Test(global, unknown_subcommand_option)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	tu_result r = CT_RUN(dir, NULL, "lab", "list", "--frob=1");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab list: unknown option '--frob'."), "%s", r.err);
	cr_assert(tu_contains(r.err, "Run 'otto lab list --help' for usage."), "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(global, unknown_and_missing_subcommand)
{
	tu_result r = CT_RUN(NULL, NULL, "reservation", "grab");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: reservation: unknown subcommand 'grab'."), "%s", r.err);
	tu_result_free(&r);
	r = CT_RUN(NULL, NULL, "lab");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab: missing subcommand."), "%s", r.err);
	tu_result_free(&r);
}

Test(global, option_missing_its_value)
{
	tu_result r = CT_RUN(NULL, NULL, "reservation", "held", "--as-user");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: option '--as-user' needs a value."), "%s", r.err);
	tu_result_free(&r);
	r = CT_RUN(NULL, NULL, "lab", "hosts", "--lab");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab hosts: option '--lab' needs a value."), "%s", r.err);
	tu_result_free(&r);
}

Test(global, missing_and_extra_arguments)
{
	tu_result r = CT_RUN(NULL, NULL, "lab", "show");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab show: missing LAB."), "%s", r.err);
	tu_result_free(&r);
	r = CT_RUN(NULL, NULL, "lab", "list", "east");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab list: unexpected argument 'east'."), "%s", r.err);
	tu_result_free(&r);
	r = CT_RUN(NULL, NULL, "plugins", "--json=yes");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "option '--json' takes no value"), "%s", r.err);
	tu_result_free(&r);
}

Test(global, global_options_before_and_after_the_command)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	const char *const *forms[] = {
		CT_ARGS("--as-user", "alice", "reservation", "held"),
		CT_ARGS("reservation", "--as-user", "alice", "held"),
		CT_ARGS("reservation", "held", "--as-user", "alice"),
		CT_ARGS("reservation", "held", "--as-user=alice"),
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		tu_result r = ct_run(dir, NULL, forms[i]);
		cr_assert_eq(r.status, 0, "form %zu: %s", i, r.err);
		cr_assert_str_eq(r.out, "lab-a\nshared\n", "form %zu", i);
		tu_result_free(&r);
	}
	tu_rm_rf(dir);
	free(dir);
}

Test(global, settings_option_from_anywhere)
{
	char *project = ct_project(CT_EXAMPLE_SETTINGS);
	char *elsewhere = ct_project(NULL);
	char *file = tu_fmt("%s/.otto/settings.toml", project);
	tu_result r = CT_RUN(elsewhere, NULL, "lab", "list", "--settings", file);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "east\nwest\n");
	tu_result_free(&r);
	r = CT_RUN(elsewhere, NULL, "--settings", file, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "east\nwest\n");
	tu_result_free(&r);
	tu_rm_rf(project);
	tu_rm_rf(elsewhere);
	free(project);
	free(elsewhere);
	free(file);
}

Test(global, settings_found_walking_up)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	free(tu_write(dir, "a/b/keep", ""));
	char *deep = tu_fmt("%s/a/b", dir);
	tu_result r = CT_RUN(deep, NULL, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "east\nwest\n");
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(deep);
}

Test(global, missing_settings_file_names_it)
{
	char *dir = ct_project(NULL);
	tu_result r = CT_RUN(dir, NULL, "--settings", "/nonexistent/otto.toml", "lab", "list");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: cannot read the settings file '/nonexistent/otto.toml' "
				     "given by --settings"),
		  "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(global, settings_error_names_file_and_line)
{
	char *dir = ct_project("[lab]\nbackend = \"example\"\n\n[bogus]\nkey = 1\n");
	char *where = tu_fmt("%s/.otto/settings.toml:4", dir);
	tu_result r = CT_RUN(dir, NULL, "lab", "list");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, where), "expected '%s' in:\n%s", where, r.err);
	cr_assert(strncmp(r.err, "otto: ", 6) == 0, "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(where);
}

Test(global, unknown_backend_suggests_the_closest)
{
	char *dir = ct_project("[lab]\nbackend = \"exmaple\"\n");
	tu_result r = CT_RUN(dir, NULL, "lab", "list");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "exmaple"), "%s", r.err);
	cr_assert(tu_contains(r.err, "Did you mean 'example'?"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	dir = ct_project("[reservations]\nbackend = \"exampel\"\n");
	r = CT_RUN(dir, NULL, "reservation", "who", "shared");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "Did you mean 'example'?"), "%s", r.err);
	cr_assert(tu_contains(r.err, "none"), "the list of names: %s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}
