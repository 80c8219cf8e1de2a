/* Syntax the reader rejects: each case asserts the whole message and line. */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ERROR_CASE(name, content, line, what)                                                                          \
	Test(settings_errors, name)                                                                                    \
	{                                                                                                              \
		st_expect_error(content, line, what);                                                                  \
	}

/* ---------------------------------------------------- what inih misreads -- */

Test(settings_errors, line_over_inih_limit)
{
	char *value = tu_fmt("%0*d", 199 - 6, 0);
	char *text = tu_fmt("[lab.x]\n# fine\nv = \"%s\"\n", value);
	st_expect_error(text, 3, "the line is 199 characters long; at most 198 are supported");
	free(text);
	free(value);
}

ERROR_CASE(indented_continuation, "[lab]\nbackend = \"example\"\n\n   more text\n", 4,
	   "indented line continues 'backend' from line 2: multi-line values are not supported (remove the "
	   "indentation)")
ERROR_CASE(indented_key_after_key, "[lab.x]\na = 1\n\tb = 2\n", 3,
	   "indented line continues 'a' from line 2: multi-line values are not supported (remove the indentation)")
ERROR_CASE(indented_header_after_key, "[lab.x]\na = 1\n  [lab]\n", 3,
	   "indented line continues 'a' from line 2: multi-line values are not supported (remove the indentation)")
ERROR_CASE(array_of_unknown_tables, "# servers\n[[lab.servers]]\nbackend = \"json\"\n", 2,
	   "unknown table [[lab.servers]]; accepted tables: [lab], [[lab.sources]], [lab.sources.<label>], "
	   "[lab.<backend>], [reservations], [reservations.<backend>], [plugins], [locks], upstream otto's [coverage], "
	   "[docker], [[docker.images]], [[docker.composes]], [monitor], [logging], [dependencies], [project], "
	   "[os_profiles.*] and [host_preferences.*]")
ERROR_CASE(array_header_unclosed, "[[lab.sources]\nbackend = \"json\"\n", 1,
	   "array-of-tables header '[[lab.sources]' has no closing ']]'")
ERROR_CASE(inline_table, "[lab.json]\nopts = { a = 1 }\n", 2,
	   "inline tables ({...}) are not supported (value of 'opts'): write a [table] instead")
ERROR_CASE(multiline_basic_string, "[lab.x]\ntext = \"\"\"one\n", 2,
	   "multi-line strings (\"\"\") are not supported (value of 'text')")
ERROR_CASE(multiline_literal_string, "[lab.x]\ntext = '''one'''\n", 2,
	   "multi-line strings (''') are not supported (value of 'text')")
ERROR_CASE(multiline_string_in_array, "[lab.x]\nv = [\"a\", \"\"\"b\"\"\"]\n", 2,
	   "multi-line strings (\"\"\") are not supported (value of 'v')")
ERROR_CASE(table_name_too_long, "[lab.a123456789b123456789c123456789d123456789e12345]\n", 1,
	   "table name [lab.a123456789b123456789c123456789d123456789e12345] is 50 characters long; at most 49 are "
	   "supported")
ERROR_CASE(key_too_long, "[lab.x]\na123456789b123456789c123456789d123456789e123456789 = 1\n", 2,
	   "key 'a123456789b123456789c123456789d123456789e123456789' is 50 characters long; at most 49 are supported")
ERROR_CASE(semicolon_comment, "[lab]\n; old style\n", 2, "';' does not start a comment in TOML: use '#'")

Test(settings_errors, nul_byte)
{
	st_case c;
	memset(&c, 0, sizeof c);
	c.dir = tu_mkdtemp();
	c.path = tu_fmt("%s/settings.toml", c.dir);
	FILE *f = fopen(c.path, "w");
	cr_assert_not_null(f);
	fwrite("[lab]\nbackend = \"a\0b\"\n", 1, 22, f);
	fclose(f);
	c.rc = otto_settings_load(&c.settings, c.path, &c.err);
	char *expected = tu_fmt("%s:2: the line holds a NUL byte", c.path);
	cr_assert_eq(c.rc, OTTO_ESETTINGS);
	cr_assert_str_eq(c.err.message, expected);
	free(expected);
	st_done(&c);
}

/* ------------------------------------------------------------ values -- */

ERROR_CASE(bad_escape, "[lab.x]\nv = \"a\\qb\"\n", 2,
	   "unsupported escape '\\q' in the value of 'v' (supported: \\\" \\\\ \\n \\t \\r)")
ERROR_CASE(unicode_escape, "[lab.x]\nv = \"\\u00e9\"\n", 2,
	   "unsupported escape '\\u' in the value of 'v' (supported: \\\" \\\\ \\n \\t \\r)")
ERROR_CASE(unterminated_basic, "[lab.x]\nv = \"abc\n", 2, "unterminated string in the value of 'v'")
ERROR_CASE(unterminated_after_backslash, "[lab.x]\nv = \"abc\\\n", 2, "unterminated string in the value of 'v'")
ERROR_CASE(unterminated_literal, "[lab.x]\nv = 'abc\n", 2, "unterminated string in the value of 'v'")
ERROR_CASE(bare_word, "[lab]\nbackend = example\n", 2,
	   "the value of 'backend' must be quoted: write backend = \"example\"")
ERROR_CASE(capitalised_boolean, "[locks]\ncheck_pid = True\n", 2,
	   "booleans are written true or false in lower case: found True (value of 'check_pid')")
ERROR_CASE(trailing_garbage_string, "[lab]\nbackend = \"example\" extra\n", 2,
	   "unexpected text after the value of 'backend': 'extra'")
ERROR_CASE(trailing_garbage_integer, "[lab.x]\nn = 12 13\n", 2, "unexpected text after the value of 'n': '13'")
ERROR_CASE(trailing_garbage_array, "[lab.x]\nv = [\"a\"] x\n", 2, "unexpected text after the value of 'v': 'x'")
ERROR_CASE(empty_value, "[lab]\nbackend =\n", 2, "missing value for 'backend'")
ERROR_CASE(empty_value_with_comment, "[lab]\nbackend =   # later\n", 2, "missing value for 'backend'")
ERROR_CASE(nested_array, "[lab.x]\nv = [[\"a\"]]\n", 2, "nested arrays are not supported (value of 'v')")
ERROR_CASE(array_with_integer, "[lab.x]\nv = [\"a\", 1]\n", 2,
	   "arrays may hold only strings: found '1' in the value of 'v'")
ERROR_CASE(array_with_bare_word, "[lab.x]\nv = [a]\n", 2, "arrays may hold only strings: found 'a' in the value of 'v'")
/* Arrays may span lines (upstream's files write paths = [\n "a",\n]); one
 * still open at the end of the file is named at its key's line. */
ERROR_CASE(array_unterminated, "[lab.json]\npaths = [\"a\",\n  \"b\",\n\n# end\n", 2,
	   "unterminated array in the value of 'paths' (no closing ']' before the end of the file)")
ERROR_CASE(array_comment_swallows_end, "[lab.x]\nv = [\"a\" # ]\n", 2,
	   "unterminated array in the value of 'v' (no closing ']' before the end of the file)")
ERROR_CASE(array_spanning_lines_bad_item, "[lab.x]\nv = [\n  \"a\",\n  3,\n]\n", 2,
	   "arrays may hold only strings: found '3' in the value of 'v'")
ERROR_CASE(array_spanning_lines_missing_comma, "[lab.x]\nv = [\n  \"a\"\n  \"b\"\n]\n", 2,
	   "expected ',' or ']' after an array element in the value of 'v', found '\"b\" ]'")
ERROR_CASE(array_missing_comma, "[lab.x]\nv = [\"a\" \"b\"]\n", 2,
	   "expected ',' or ']' after an array element in the value of 'v', found '\"b\"]'")
ERROR_CASE(array_leading_comma, "[lab.x]\nv = [, \"a\"]\n", 2, "missing array element before ',' in the value of 'v'")
ERROR_CASE(array_double_comma, "[lab.x]\nv = [\"a\",,]\n", 2, "missing array element before ',' in the value of 'v'")
ERROR_CASE(leading_zero, "[lab.x]\nn = 007\n", 2, "leading zeros are not allowed in the integer 007 (value of 'n')")
ERROR_CASE(leading_zero_signed, "[lab.x]\nn = -01\n", 2,
	   "leading zeros are not allowed in the integer -01 (value of 'n')")
ERROR_CASE(integer_out_of_range, "[lab.x]\nn = 9223372036854775808\n", 2,
	   "the integer 9223372036854775808 is out of range (value of 'n')")
ERROR_CASE(
    float_value, "[lab.x]\nn = 3.5\n", 2,
    "'3.5' is not a supported value for 'n': use a quoted string, an integer, true, false or an array of strings")
ERROR_CASE(underscore_integer, "[lab.x]\nn = 1_000\n", 2,
	   "'1_000' is not a supported value for 'n': use a quoted string, an integer, true, false or an array of "
	   "strings")
ERROR_CASE(lone_sign, "[lab.x]\nn = -\n", 2,
	   "'-' is not a supported value for 'n': use a quoted string, an integer, true, false or an array of strings")

/* -------------------------------------------------------- lines, keys -- */

ERROR_CASE(no_equals, "[lab]\nbackend \"example\"\n", 2,
	   "expected 'key = value' or a [table] header, found 'backend \"example\"'")
ERROR_CASE(colon_instead_of_equals, "[reservations]\nurl: \"x\"\n", 2,
	   "expected 'key = value' or a [table] header, found 'url: \"x\"'")
ERROR_CASE(missing_key, "[lab]\n = \"example\"\n", 2, "missing key name before '='")
ERROR_CASE(dotted_key, "[lab]\nexample.path = \"x\"\n", 2,
	   "dotted keys (example.path) are not supported: write a [table] header instead")
ERROR_CASE(quoted_key, "[lab.x]\n\"my key\" = 1\n", 2,
	   "quoted keys (\"my key\") are not supported: keys are bare words of A-Z a-z 0-9 _ -")
ERROR_CASE(bad_key_character, "[lab.x]\nkey:name = 1\n", 2,
	   "key 'key:name' is not valid: keys are bare words of A-Z a-z 0-9 _ -")
ERROR_CASE(key_before_any_table, "# settings\nbackend = \"example\"\n[lab]\n", 2,
	   "key 'backend' is outside any table: put it under a table header such as [lab]")
ERROR_CASE(header_without_bracket, "[lab\nbackend = \"x\"\n", 1, "table header '[lab' has no closing ']'")
ERROR_CASE(text_after_header, "[lab] backend = \"x\"\n", 1, "unexpected text after the table header: 'backend = \"x\"'")
ERROR_CASE(empty_table_name, "[]\n", 1,
	   "table name [] is not valid: every dot-separated part must be non-empty and use only A-Z a-z 0-9 _ -")
ERROR_CASE(table_name_empty_part, "[lab..x]\n", 1,
	   "table name [lab..x] is not valid: every dot-separated part must be non-empty and use only A-Z a-z 0-9 _ -")
ERROR_CASE(table_name_trailing_dot, "[lab.]\n", 1,
	   "table name [lab.] is not valid: every dot-separated part must be non-empty and use only A-Z a-z 0-9 _ -")
ERROR_CASE(table_name_space, "[lab.my backend]\n", 1,
	   "table name [lab.my backend] is not valid: every dot-separated part must be non-empty and use only A-Z a-z "
	   "0-9 _ -")
ERROR_CASE(table_name_quoted, "[lab.\"x\"]\n", 1,
	   "table name [lab.\"x\"] is not valid: every dot-separated part must be non-empty and use only A-Z a-z 0-9 "
	   "_ -")

/* ------------------------------------------------- first error wins -- */

ERROR_CASE(first_error_is_reported, "[lab]\nbackend = nope\n[bogus]\nx = {}\n", 2,
	   "the value of 'backend' must be quoted: write backend = \"nope\"")

/* ------------------------------------------------------ unreadable -- */

Test(settings_errors, missing_file)
{
	otto_settings *s = (otto_settings *)1;
	otto_error err = {0};
	int rc = otto_settings_load(&s, "/nonexistent-otto/settings.toml", &err);
	cr_assert_eq(rc, OTTO_ESETTINGS);
	cr_assert_eq(err.code, OTTO_ESETTINGS);
	cr_assert_null(s);
	cr_assert_str_eq(err.message, "cannot read settings file /nonexistent-otto/settings.toml: No such file or directory");
}

Test(settings_errors, folder_instead_of_file)
{
	char *dir = tu_mkdtemp();
	char *path = tu_fmt("%s/settings.toml", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	otto_settings *s = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_settings_load(&s, path, &err), OTTO_ESETTINGS);
	char *expected = tu_fmt("cannot read settings file %s: it is a folder, not a regular file", path);
	cr_assert_str_eq(err.message, expected);
	cr_assert_null(s);
	free(expected);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

Test(settings_errors, err_may_be_null)
{
	otto_settings *s = NULL;
	cr_assert_eq(otto_settings_load(&s, "/nonexistent-otto/settings.toml", NULL), OTTO_ESETTINGS);
	st_case c;
	memset(&c, 0, sizeof c);
	c.dir = tu_mkdtemp();
	c.path = tu_write(c.dir, "settings.toml", "[lab]\nbackend = x\n");
	cr_assert_eq(otto_settings_load(&c.settings, c.path, NULL), OTTO_ESETTINGS);
	cr_assert_null(c.settings);
	st_done(&c);
}
