/* Which tables and keys the file may hold. */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>

#define ERROR_CASE(name, content, line, what)                                                                          \
	Test(settings_structure, name)                                                                                 \
	{                                                                                                              \
		st_expect_error(content, line, what);                                                                  \
	}

#define ACCEPTED_TABLES                                                                                                \
	"accepted tables: [lab], [[lab.sources]], [lab.sources.<label>], [lab.<backend>], [reservations], "            \
	"[reservations.<backend>], [plugins], [locks], upstream otto's [coverage], [docker], [[docker.images]], "     \
	"[[docker.composes]], [monitor], [logging], [dependencies], [project], [os_profiles.*] and "                  \
	"[host_preferences.*]"

ERROR_CASE(unknown_top_level_table, "[lab]\nbackend = \"x\"\n\n[labs]\n", 4, "unknown table [labs]; " ACCEPTED_TABLES)
ERROR_CASE(unknown_lab_subtable, "[lab.json.extra]\n", 1, "unknown table [lab.json.extra]; " ACCEPTED_TABLES)
ERROR_CASE(too_deep_source, "[lab.sources.a.b]\n", 1, "unknown table [lab.sources.a.b]; " ACCEPTED_TABLES)
ERROR_CASE(too_deep_reservations, "[reservations.json.x]\n", 1, "unknown table [reservations.json.x]; " ACCEPTED_TABLES)
ERROR_CASE(plugins_subtable, "[plugins.x]\n", 1, "unknown table [plugins.x]; " ACCEPTED_TABLES)
ERROR_CASE(locks_subtable, "[locks.x]\n", 1, "unknown table [locks.x]; " ACCEPTED_TABLES)
ERROR_CASE(prefix_of_known_name, "[la]\n", 1, "unknown table [la]; " ACCEPTED_TABLES)
ERROR_CASE(bare_sources_table, "[lab.sources]\nbackend = \"json\"\n", 1,
	   "[lab.sources] holds no keys of its own: write one [[lab.sources]] entry (or [lab.sources.<label>] table) per "
	   "source")

ERROR_CASE(unknown_key_lab, "[lab]\nbackend = \"x\"\nbakend = \"y\"\n", 3,
	   "unknown key 'bakend' in [lab] (accepted: backend)")
ERROR_CASE(unknown_key_reservations, "[reservations]\nuri = \"x\"\n", 2,
	   "unknown key 'uri' in [reservations] (accepted: backend, url)")
ERROR_CASE(unknown_key_plugins, "[plugins]\npaths = [\"x\"]\n", 2,
	   "unknown key 'paths' in [plugins] (accepted: path, call_timeout, allow_untrusted)")
ERROR_CASE(plugins_call_timeout_string, "[plugins]\ncall_timeout = \"30\"\n", 2,
	   "'call_timeout' in [plugins] must be an integer (seconds), not a string")
ERROR_CASE(plugins_call_timeout_zero, "[plugins]\ncall_timeout = 0\n", 2,
	   "'call_timeout' in [plugins] must be between 1 and 3600 seconds, not 0")
ERROR_CASE(plugins_call_timeout_too_long, "[plugins]\ncall_timeout = 3601\n", 2,
	   "'call_timeout' in [plugins] must be between 1 and 3600 seconds, not 3601")
ERROR_CASE(unknown_key_locks, "[locks]\ndirectory = \"/tmp\"\n", 2,
	   "unknown key 'directory' in [locks] (accepted: dir, check_pid, store, url)")

ERROR_CASE(lab_backend_not_string, "[lab]\nbackend = 1\n", 2, "'backend' in [lab] must be a string, not an integer")
ERROR_CASE(lab_backend_empty, "[lab]\nbackend = \"\"\n", 2, "'backend' in [lab] must not be empty")
ERROR_CASE(reservations_backend_array, "[reservations]\nbackend = [\"a\"]\n", 2,
	   "'backend' in [reservations] must be a string, not an array")
ERROR_CASE(reservations_url_boolean, "[reservations]\nurl = true\n", 2,
	   "'url' in [reservations] must be a string, not a boolean")
ERROR_CASE(plugins_path_integer, "[plugins]\npath = 3\n", 2,
	   "'path' in [plugins] must be an array of strings or a string, not an integer")
ERROR_CASE(plugins_path_empty_entry, "[plugins]\npath = [\"a\", \"\"]\n", 2,
	   "'path' in [plugins] holds an empty folder name")
ERROR_CASE(plugins_path_empty_string, "[plugins]\npath = \"\"\n", 2, "'path' in [plugins] holds an empty folder name")
ERROR_CASE(locks_dir_array, "[locks]\ndir = [\"/tmp\"]\n", 2, "'dir' in [locks] must be a string, not an array")
ERROR_CASE(locks_check_pid_string, "[locks]\ncheck_pid = \"yes\"\n", 2,
	   "'check_pid' in [locks] must be a boolean (true or false), not a string")
ERROR_CASE(source_backend_integer, "[lab.sources.global]\nbackend = 2\n", 2,
	   "'backend' in [lab.sources.global] must be a string, not an integer")
ERROR_CASE(source_backend_empty, "[lab.sources.global]\nbackend = ''\n", 2,
	   "'backend' in [lab.sources.global] must not be empty")

ERROR_CASE(duplicate_key, "[lab]\nbackend = \"a\"\n# again\nbackend = \"b\"\n", 4,
	   "duplicate key 'backend' in [lab] (lines 2 and 4)")
ERROR_CASE(duplicate_key_backend_table, "[lab.json]\npaths = [\"a\"]\nx = 1\npaths = \"b\"\n", 4,
	   "duplicate key 'paths' in [lab.json] (lines 2 and 4)")
ERROR_CASE(duplicate_table, "[lab]\nbackend = \"a\"\n[reservations]\n[lab]\n", 4,
	   "table [lab] is defined twice (lines 1 and 4)")
ERROR_CASE(duplicate_empty_table, "[locks]\n\n[locks]\n", 3, "table [locks] is defined twice (lines 1 and 3)")

ERROR_CASE(lab_backend_then_sources, "[lab]\nbackend = \"json\"\n\n[lab.sources.global]\nbackend = \"json\"\n", 4,
	   "[lab.sources.global] cannot be used together with 'backend' in [lab] (line 2): use either one lab backend "
	   "or layered [lab.sources.<label>] tables")
ERROR_CASE(sources_then_lab_backend, "[lab.sources.global]\nbackend = \"json\"\n[lab]\nbackend = \"json\"\n", 4,
	   "'backend' in [lab] cannot be used together with [lab.sources.global] (line 1): use either one lab backend "
	   "or layered [lab.sources.<label>] tables")
ERROR_CASE(source_without_backend_then_table, "[lab.sources.a]\npaths = [\"x\"]\n[lab.sources.b]\nbackend = \"j\"\n", 1,
	   "[lab.sources.a] has no 'backend' key: every lab source names the backend that reads it")
ERROR_CASE(source_without_backend_at_end, "[lab.sources.a]\nbackend = \"j\"\n\n[lab.sources.b]\npaths = []\n", 4,
	   "[lab.sources.b] has no 'backend' key: every lab source names the backend that reads it")

Test(settings_structure, lab_table_without_backend_is_fine_with_sources)
{
	st_case c;
	st_load_ok(&c, "[lab]\n[lab.sources.a]\nbackend = \"json\"\n");
	cr_assert_null(otto_settings_lab_backend(c.settings));
	cr_assert_eq(otto_settings_lab_source_count(c.settings), 1);
	st_done(&c);
}

Test(settings_structure, backend_tables_accept_any_key)
{
	st_case c;
	st_load_ok(&c, "[lab.anything]\nwhatever = 1\nbackend = \"not special here\"\n"
		       "[reservations.other]\napi_key_env = \"X\"\n"
		       "[lab.sources.s]\nbackend = \"json\"\nextra-key = true\n");
	cr_assert_str_eq(st_get(c.settings, "lab.anything", "backend")->string, "not special here");
	cr_assert_str_eq(st_get(c.settings, "reservations.other", "api_key_env")->string, "X");
	st_done(&c);
}

Test(settings_structure, every_fixed_key)
{
	st_case c;
	st_load_ok(&c, "[lab]\nbackend = \"example\"\n"
		       "[reservations]\nbackend = \"json\"\nurl = \"https://booking.example/api\"\n"
		       "[plugins]\npath = \"plugins\"\n"
		       "[locks]\ndir = \"/var/lock/otto\"\ncheck_pid = true\n");
	cr_assert_str_eq(otto_settings_lab_backend(c.settings), "example");
	cr_assert_str_eq(otto_settings_reservation_backend(c.settings), "json");
	cr_assert_str_eq(otto_settings_reservation_url(c.settings), "https://booking.example/api");
	cr_assert_str_eq(st_get(c.settings, "locks", "dir")->string, "/var/lock/otto");
	cr_assert(st_get(c.settings, "locks", "check_pid")->boolean);
	st_done(&c);
}
