/* Upstream otto-sh's settings form, read unchanged: [[lab.sources]] entries
 * (backend, an optional name label, the backend's keys inline), arrays
 * spread over lines, upstream's own tables and top-level keys left alone;
 * a file mixing upstream's form with the seed's is an error naming both
 * lines, with upstream's own texts where upstream has one. */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define ERROR_CASE(name, content, line, what)                                                                          \
	Test(settings_upstream, name)                                                                                  \
	{                                                                                                              \
		st_expect_error(content, line, what);                                                                  \
	}

/* The shape of upstream's own .otto/settings.toml (docs/guide/configuration
 * of otto-sh): top-level keys, its tables, two sources. */
static const char upstream_file[] =
    "name = \"veggies\"\n"
    "version = \"1.0.0\"\n"
    "libs = [\n  \"pylib\",\n]\n"
    "tests = [\"tests\"]\n"
    "init = [\"my_repo.init\"]\n"
    "\n"
    "[[lab.sources]]\n"
    "name = \"team\"\n"
    "backend = \"json\"\n"
    "paths = [\n"
    "    \"lab_data\",   # the team's labs\n"
    "    \"/srv/labs/lab.json\",\n"
    "]\n"
    "\n"
    "[[lab.sources]]\n"
    "backend = \"example\"\n"
    "\n"
    "[reservations]\n"
    "backend = \"json\"\n"
    "\n"
    "[coverage]\n"
    "gcda_remote_dir = \"/tmp/gcda\"\n"
    "[coverage.tiers.unit]\n"
    "harvest_dirs = [\"a\", \"b\"]\n"
    "[docker]\n"
    "registry_url = \"docker.io\"\n"
    "[[docker.images]]\n"
    "name = \"img\"\n"
    "build_args = { A = \"1\" }\n"
    "[monitor]\n"
    "[logging]\n"
    "capture = [\"x\"]\n"
    "[os_profiles.linux]\n"
    "base = \"unix\"\n"
    "[host_preferences.\"carrot_seed\"]\n"
    "term = \"ssh\"\n";

Test(settings_upstream, upstream_file_loads_with_its_sources_in_order)
{
	st_case c;
	st_load_ok(&c, upstream_file);
	cr_assert_null(otto_settings_lab_backend(c.settings));
	cr_assert_str_eq(otto_settings_reservation_backend(c.settings), "json");
	cr_assert_eq(otto_settings_lab_source_count(c.settings), 2);
	cr_assert_str_eq(otto_settings_lab_source_label(c.settings, 0), "team");
	cr_assert_str_eq(otto_settings_lab_source_backend(c.settings, 0), "json");
	/* upstream's default label: "<backend>#<ordinal>" */
	cr_assert_str_eq(otto_settings_lab_source_label(c.settings, 1), "example#2");
	cr_assert_str_eq(otto_settings_lab_source_backend(c.settings, 1), "example");

	otto_config cfg;
	otto_settings_lab_source_config(c.settings, 0, &cfg);
	cr_assert_str_eq(cfg.backend, "json");
	cr_assert_str_eq(cfg.section, "lab.sources 'team'");
	cr_assert_eq(cfg.n_settings, 1, "name and backend are not the backend's keys");
	cr_assert_str_eq(cfg.settings[0].key, "paths");
	cr_assert_eq(cfg.settings[0].line, 12, "an array over lines is named at its key's line");
	cr_assert_eq(cfg.settings[0].type, OTTO_VALUE_ARRAY);
	cr_assert_eq(cfg.settings[0].n_items, 2);
	cr_assert_str_eq(cfg.settings[0].items[0], "lab_data");
	cr_assert_str_eq(cfg.settings[0].items[1], "/srv/labs/lab.json");
	otto_settings_lab_source_config(c.settings, 1, &cfg);
	cr_assert_eq(cfg.n_settings, 0);
	cr_assert_str_eq(cfg.section, "lab.sources 'example#2'");

	/* upstream's tables are not read */
	const otto_setting *items = NULL;
	cr_assert_eq(otto_settings_table(c.settings, "coverage", &items), 0);
	cr_assert_eq(otto_settings_table(c.settings, "docker", &items), 0);
	st_done(&c);
}

Test(settings_upstream, seed_form_still_loads)
{
	st_case c;
	st_load_ok(&c, "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\n  \"a\",\n  \"b\"\n]\n");
	cr_assert_str_eq(otto_settings_lab_backend(c.settings), "json");
	cr_assert_eq(otto_settings_lab_source_count(c.settings), 0);
	cr_assert_eq(st_get(c.settings, "lab.json", "paths")->n_items, 2);
	st_done(&c);
}

ERROR_CASE(entry_then_label_table,
	   "[[lab.sources]]\nbackend = \"json\"\npaths = [\"a\"]\n\n[lab.sources.b]\nbackend = \"json\"\n", 5,
	   "[lab.sources.b] cannot be used together with [[lab.sources]] entries (line 1): write every source one way")
ERROR_CASE(label_table_then_entry, "[lab.sources.a]\nbackend = \"json\"\n[[lab.sources]]\nbackend = \"json\"\n", 3,
	   "[[lab.sources]] cannot be used together with [lab.sources.<label>] tables (line 1): write every source "
	   "one way")
ERROR_CASE(lab_backend_then_entry, "[lab]\nbackend = \"json\"\n\n[[lab.sources]]\nbackend = \"json\"\n", 4,
	   "[[lab.sources]] cannot be used together with 'backend' in [lab] (line 2); as upstream otto says: [lab] "
	   "`backend` was removed; select backends per source: [[lab.sources]] backend = \"<name>\", with its kwargs "
	   "inline in the entry")
ERROR_CASE(entry_then_lab_backend, "[[lab.sources]]\nbackend = \"json\"\n[lab]\nbackend = \"json\"\n", 4,
	   "'backend' in [lab] cannot be used together with [[lab.sources]] (line 1); as upstream otto says: [lab] "
	   "`backend` was removed; select backends per source: [[lab.sources]] backend = \"<name>\", with its kwargs "
	   "inline in the entry")
ERROR_CASE(backend_table_then_entry, "[lab.json]\npaths = [\"a\"]\n[[lab.sources]]\nbackend = \"json\"\n", 3,
	   "[[lab.sources]] cannot be used together with [lab.json] (line 1), which configures the single [lab] "
	   "backend: put its keys inline in the [[lab.sources]] entry")
ERROR_CASE(entry_then_backend_table, "[[lab.sources]]\nbackend = \"json\"\n[lab.json]\npaths = [\"a\"]\n", 3,
	   "[lab.json] cannot be used together with [[lab.sources]] (line 1): put its keys inline in the "
	   "[[lab.sources]] entry")
ERROR_CASE(entry_without_backend, "[[lab.sources]]\nbackend = \"json\"\n\n[[lab.sources]]\nname = \"x\"\n", 4,
	   "this [[lab.sources]] entry has no 'backend' key: every lab source names the backend that reads it")
ERROR_CASE(entry_name_not_string, "[[lab.sources]]\nbackend = \"json\"\nname = 3\n", 3,
	   "'name' in [lab.sources.#1] must be a string, not an integer")
/* upstream's text: "repo <name>: ... duplicated: [<name>/<label>, ...]" */
ERROR_CASE(duplicated_labels,
	   "name = \"veggies\"\n[[lab.sources]]\nbackend = \"json\"\nname = \"a\"\n[[lab.sources]]\nbackend = \"x\"\n"
	   "name = \"a\"\n",
	   2, "repo 'veggies': [[lab.sources]] labels must be unique; duplicated: ['veggies/a']")
ERROR_CASE(duplicated_default_label,
	   "name = \"r\"\n[[lab.sources]]\nbackend = \"json\"\n[[lab.sources]]\nbackend = \"x\"\nname = \"json#1\"\n", 2,
	   "repo 'r': [[lab.sources]] labels must be unique; duplicated: ['r/json#1']")
ERROR_CASE(unknown_top_level_key, "nmae = \"x\"\n", 1,
	   "key 'nmae' is outside any table: put it under a table header such as [lab]")
ERROR_CASE(multiline_string_in_upstream_table, "[coverage]\nx = \"\"\"a\nb\"\"\"\n", 2,
	   "multi-line strings are not supported, even in upstream otto's tables")
ERROR_CASE(unterminated_array_in_upstream_table, "[logging]\ncapture = [\"a\",\n", 2,
	   "unterminated array in the value of '(in upstream otto's table)' (no closing ']' before the end of the file)")
