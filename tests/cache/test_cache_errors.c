/*
 * What the registry, cached or not, tells a user whose backend cannot be
 * used (issue 13): a key the backend does not declare (ABI 1.2
 * settings_keys) is a settings error naming file:line, table and key,
 * checked by libotto before the plugin runs; a name no plugin registers,
 * when a plugin file failed, names that file, why it failed and
 * `otto plugins inspect FILE`. Each answer is the same from a cold scan
 * and from the cache.
 */
#include "cache_support.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The settings file of the fixture's project. */
static char *settings_path(const cache_fx *f)
{
	return tu_fmt("%s/.otto/settings.toml", f->project);
}

static void write_settings(cache_fx *f, const char *text)
{
	free(tu_write(f->project, ".otto/settings.toml", text));
}

/* `otto lab list` with the cache (warm after a first run) and without:
 * it fails, saying `want` (all of stderr, or a part of it). */
static void expect_lab_list_error(cache_fx *f, const char *want, bool whole, const char *what)
{
	const char *no_cache[] = {"OTTO_PLUGIN_CACHE=0", NULL};
	const char *const *envs[] = {NULL, NULL, no_cache};
	const char *runs[] = {"cold", "warm", "cache off"};
	for (int i = 0; i < 3; i++) {
		tu_result r = CF_RUN(f, envs[i], "lab", "list");
		cr_assert_neq(r.status, 0, "%s (%s): %s", what, runs[i], r.out);
		cr_assert_str_eq(r.out, "", "%s (%s)", what, runs[i]);
		cr_assert(whole ? strcmp(r.err, want) == 0 : tu_contains(r.err, want), "%s (%s): got %s want %s", what,
			  runs[i], r.err, want);
		tu_result_free(&r);
	}
}

Test(cache_errors, an_undeclared_key_is_a_settings_error_naming_file_line_table_and_key)
{
	cache_fx f;
	cf_setup(&f);
	/* marker-a declares lab and verbose; its create() checks nothing, so
	 * only libotto's own check can catch the typo. */
	write_settings(&f, "[lab]\nbackend = \"marker-a\"\n\n[lab.marker-a]\nlab = \"x\"\nverbsoe = true\n");
	char *settings = settings_path(&f);
	char *want = tu_fmt("otto: %s:6: unknown key 'verbsoe' in [lab.marker-a] for lab backend 'marker-a' (it "
			    "declares: lab, verbose; see otto plugins inspect %s/marker_a.so)\n",
			    settings, f.plugins);
	expect_lab_list_error(&f, want, true, "a misspelt key");
	free(want);

	/* Declared keys alone: it works. */
	write_settings(&f, "[lab]\nbackend = \"marker-a\"\n\n[lab.marker-a]\nlab = \"x\"\nverbose = true\n");
	tu_result r = CF_RUN(&f, NULL, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "lab-of-marker-a\n");
	tu_result_free(&r);
	free(settings);
	cf_teardown(&f);
}

Test(cache_errors, a_control_character_in_an_undeclared_key_is_escaped)
{
	cache_fx f;
	cf_setup(&f);
	write_settings(&f, "[lab]\nbackend = \"marker-a\"\n[lab.marker-a]\n\"a\\u001bb\" = 1\n");
	tu_result r = CF_RUN(&f, NULL, "lab", "list");
	cr_assert_neq(r.status, 0);
	cr_assert_null(strchr(r.err, '\x1b'), "%s", r.err);
	tu_result_free(&r);
	cf_teardown(&f);
}

Test(cache_errors, an_unknown_backend_names_the_failed_file_and_otto_plugins_inspect)
{
	cache_fx f;
	cf_setup(&f);
	char *crash = cf_add(&f, "crash", "marker_crash.so");
	write_settings(&f, "[lab]\nbackend = \"marker-crash\"\n");
	/* (The installed plugins are searched too: the list of names
	 * available is not this test's business.) */
	char *want = tu_fmt(
	    " 1 plugin file failed to load, and 'marker-crash' may be one of its backends: %s failed: crashed with "
	    "SIGSEGV (Segmentation fault) while loading or registering; for the details, run otto "
	    "plugins inspect %s\n",
	    crash, crash);
	expect_lab_list_error(&f, want, false, "a crashed plugin file");
	free(want);
	free(crash);
	cf_teardown(&f);
}
