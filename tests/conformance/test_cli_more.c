/*
 * otto-conformance's own error paths that test_cli.c leaves out: option
 * errors, --from-settings without (usable) settings, reports that cannot be
 * written, search paths that cannot be built. Each runs the real binary.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define NONE_SO CORPUS_DIR "/broken_none.so"

/* Run the runner in cwd (NULL: here) with OTTO_PLUGIN_PATH unset. */
static tu_result run_in(const char *cwd, const char *const *args)
{
	const char *argv[16] = {OTTO_CONFORMANCE_BIN};
	size_t n = 1;
	for (; args[n - 1]; n++) {
		cr_assert_lt(n, sizeof argv / sizeof argv[0] - 1);
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
	const char *const env[] = {"NO_COLOR=1", "OTTO_PLUGIN_PATH=", NULL};
	return tu_run(argv, cwd, env, 60);
}

#define RUN_IN(cwd, ...) run_in((cwd), (const char *const[]){__VA_ARGS__, NULL})

static void expect(tu_result *r, int status, const char *needle)
{
	cr_assert_eq(r->status, status, "exit %d, expected %d; stderr: %s", r->status, status, r->err);
	cr_assert(tu_contains(r->err, needle), "expected '%s' in stderr: %s", needle, r->err);
	tu_result_free(r);
}

Test(conformance_cli_more, version)
{
	tu_result r = RUN_IN(NULL, "--version");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "otto-conformance 0."), "%s", r.out);
	tu_result_free(&r);
}

Test(conformance_cli_more, flag_with_a_value)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--list-rules=yes");
	expect(&r, 2, "otto-conformance: --list-rules takes no value\nRun 'otto-conformance --help' for usage.");
}

Test(conformance_cli_more, unknown_option)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--bogus");
	expect(&r, 2, "otto-conformance: unknown option '--bogus'");
}

Test(conformance_cli_more, known_resource_without_known_user)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--known-resource", "r1");
	expect(&r, 2, "otto-conformance: --known-resource needs at least one --known-user");
}

Test(conformance_cli_more, valued_option_with_equals)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--format=tap");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "TAP version 13\n"), "%s", r.out);
	tu_result_free(&r);
}

Test(conformance_cli_more, from_settings_without_settings_file)
{
	char *dir = tu_mkdtemp();
	tu_result r = RUN_IN(dir, "--from-settings");
	expect(&r, 2,
	       "otto-conformance: --from-settings: no .otto/settings.toml here or above (use --settings FILE)");
	tu_rm_rf(dir);
	free(dir);
}

Test(conformance_cli_more, from_settings_with_broken_settings)
{
	char *dir = tu_mkdtemp();
	char *path = tu_write(dir, ".otto/settings.toml", "garbage\n");
	tu_result r = RUN_IN(dir, "--from-settings");
	char *needle = tu_fmt("otto-conformance: %s:1: expected 'key = value' or a [table] header, found 'garbage'",
			      path);
	expect(&r, 2, needle);
	free(needle);
	free(path);
	tu_rm_rf(dir);
	free(dir);
}

Test(conformance_cli_more, from_settings_selecting_no_lab_backend)
{
	char *dir = tu_mkdtemp();
	char *path = tu_write(dir, ".otto/settings.toml", "[reservations]\nbackend = \"none\"\n");
	tu_result r = RUN_IN(dir, "--from-settings", "--kind", "lab");
	char *needle =
	    tu_fmt("otto-conformance: %s: selects no lab backend (no [lab] backend and no [lab.sources.*])", path);
	expect(&r, 2, needle);
	free(needle);
	free(path);
	tu_rm_rf(dir);
	free(dir);
}

Test(conformance_cli_more, settings_file_missing)
{
	tu_result r = RUN_IN(NULL, "--settings", "/nonexistent/settings.toml", "example");
	expect(&r, 2, "otto-conformance: cannot read settings file /nonexistent/settings.toml: No such file or directory");
}

Test(conformance_cli_more, empty_plugin_dir)
{
	tu_result r = RUN_IN(NULL, "--plugin-dir", "", "example");
	expect(&r, 2, "otto-conformance: a plugin folder must be a non-empty path");
}

Test(conformance_cli_more, report_into_missing_folder)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--output", "/nonexistent/folder/report.tap");
	expect(&r, 2, "otto-conformance: cannot write the report to /nonexistent/folder/report.tap");
}

Test(conformance_cli_more, report_onto_full_device)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--output", "/dev/full", "--format", "tap");
	expect(&r, 2, "otto-conformance: cannot write the report to /dev/full");
}

Test(conformance_cli_more, text_format_named_explicitly)
{
	tu_result r = RUN_IN(NULL, NONE_SO, "--format", "text");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "PASS  C7"), "%s", r.out);
	cr_assert(tu_contains(r.out, " passed, 0 failed"), "%s", r.out);
	tu_result_free(&r);
}
