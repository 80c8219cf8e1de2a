/* Every value form the settings file accepts, and where each was written. */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(settings_values, strings_basic_and_literal)
{
	st_case c;
	st_load_ok(&c, "[lab.x]\n"
		       "plain = \"example\"\n"
		       "escapes = \"q\\\" b\\\\ n\\n t\\t r\\r\"\n"
		       "literal = 'C:\\path\\n \"quoted\"'\n"
		       "empty = \"\"\n"
		       "empty_literal = ''\n");
	const otto_setting *s = st_get(c.settings, "lab.x", "plain");
	cr_assert_eq(s->type, OTTO_VALUE_STRING);
	cr_assert_str_eq(s->string, "example");
	cr_assert_str_eq(st_get(c.settings, "lab.x", "escapes")->string, "q\" b\\ n\n t\t r\r");
	cr_assert_str_eq(st_get(c.settings, "lab.x", "literal")->string, "C:\\path\\n \"quoted\"");
	cr_assert_str_eq(st_get(c.settings, "lab.x", "empty")->string, "");
	cr_assert_str_eq(st_get(c.settings, "lab.x", "empty_literal")->string, "");
	st_done(&c);
}

Test(settings_values, comments_after_values_and_inside_strings)
{
	st_case c;
	st_load_ok(&c, "# a comment on its own line\n"
		       "[lab] # comment after a header\n"
		       "backend = \"example\"   # select the backend\n"
		       "\n"
		       "   # an indented comment\n"
		       "[lab.example]\n"
		       "hash = \"a#b\" # the # inside the string stays\n"
		       "literal_hash = 'c#d'#no space before the comment\n");
	cr_assert_str_eq(otto_settings_lab_backend(c.settings), "example");
	cr_assert_str_eq(st_get(c.settings, "lab.example", "hash")->string, "a#b");
	cr_assert_str_eq(st_get(c.settings, "lab.example", "literal_hash")->string, "c#d");
	st_done(&c);
}

Test(settings_values, semicolon_inside_a_string_is_kept)
{
	/* inih would cut this value at " ;": the reader must not. */
	st_case c;
	st_load_ok(&c, "[lab.x]\nv = \"x ;y\"\n");
	cr_assert_str_eq(st_get(c.settings, "lab.x", "v")->string, "x ;y");
	st_done(&c);
}

Test(settings_values, integers)
{
	st_case c;
	st_load_ok(&c, "[lab.x]\nzero = 0\nneg = -5\npos = +7\nbig = 9223372036854775807\n"
		       "small = -9223372036854775808\nminus_zero = -0\n");
	const otto_setting *s = st_get(c.settings, "lab.x", "neg");
	cr_assert_eq(s->type, OTTO_VALUE_INTEGER);
	cr_assert_eq(s->integer, -5);
	cr_assert_str_eq(s->string, "-5", "non-strings keep the text as written");
	cr_assert_eq(st_get(c.settings, "lab.x", "zero")->integer, 0);
	cr_assert_eq(st_get(c.settings, "lab.x", "pos")->integer, 7);
	cr_assert_str_eq(st_get(c.settings, "lab.x", "pos")->string, "+7");
	cr_assert_eq(st_get(c.settings, "lab.x", "big")->integer, INT64_MAX);
	cr_assert_eq(st_get(c.settings, "lab.x", "small")->integer, INT64_MIN);
	cr_assert_eq(st_get(c.settings, "lab.x", "minus_zero")->integer, 0);
	st_done(&c);
}

Test(settings_values, booleans)
{
	st_case c;
	st_load_ok(&c, "[locks]\ncheck_pid = false # off\n[lab.x]\nyes = true\n");
	const otto_setting *s = st_get(c.settings, "locks", "check_pid");
	cr_assert_eq(s->type, OTTO_VALUE_BOOLEAN);
	cr_assert_not(s->boolean);
	cr_assert_str_eq(s->string, "false");
	cr_assert(st_get(c.settings, "lab.x", "yes")->boolean);
	st_done(&c);
}

Test(settings_values, arrays_of_strings)
{
	st_case c;
	st_load_ok(&c, "[lab.x]\n"
		       "empty = []\n"
		       "spaced = [ ]\n"
		       "two = [\"a\", 'b']\n"
		       "trailing = [\"a\",\"b\", ] # comment\n"
		       "tricky = [\"x,y\", \"]\", '#']\n");
	const otto_setting *s = st_get(c.settings, "lab.x", "empty");
	cr_assert_eq(s->type, OTTO_VALUE_ARRAY);
	cr_assert_eq(s->n_items, 0);
	cr_assert_str_eq(s->string, "[]");
	cr_assert_eq(st_get(c.settings, "lab.x", "spaced")->n_items, 0);
	s = st_get(c.settings, "lab.x", "two");
	cr_assert_eq(s->n_items, 2);
	cr_assert_str_eq(s->items[0], "a");
	cr_assert_str_eq(s->items[1], "b");
	cr_assert_str_eq(s->string, "[\"a\", 'b']");
	s = st_get(c.settings, "lab.x", "trailing");
	cr_assert_eq(s->n_items, 2);
	cr_assert_str_eq(s->string, "[\"a\",\"b\", ]");
	s = st_get(c.settings, "lab.x", "tricky");
	cr_assert_eq(s->n_items, 3);
	cr_assert_str_eq(s->items[0], "x,y");
	cr_assert_str_eq(s->items[1], "]");
	cr_assert_str_eq(s->items[2], "#");
	st_done(&c);
}

Test(settings_values, file_and_line_of_every_setting)
{
	st_case c;
	st_load_ok(&c, "\n[lab.x]\n\n# c\na = 1\n\nb = \"2\"\n");
	const otto_setting *a = st_get(c.settings, "lab.x", "a");
	const otto_setting *b = st_get(c.settings, "lab.x", "b");
	cr_assert_str_eq(a->file, c.path);
	cr_assert_eq(a->line, 5);
	cr_assert_eq(b->line, 7);
	cr_assert_str_eq(b->file, c.path);
	st_done(&c);
}

Test(settings_values, keys_in_file_order)
{
	st_case c;
	st_load_ok(&c, "[lab.x]\nzeta = 1\nalpha = 2\nmid-key_9 = 3\n");
	const otto_setting *items;
	size_t n = otto_settings_table(c.settings, "lab.x", &items);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(items[0].key, "zeta");
	cr_assert_str_eq(items[1].key, "alpha");
	cr_assert_str_eq(items[2].key, "mid-key_9");
	st_done(&c);
}

Test(settings_values, crlf_bom_and_spaced_headers)
{
	st_case c;
	st_load_ok(&c, "\xEF\xBB\xBF[ lab ]\r\nbackend=\"example\"\r\n[reservations]\r\n  url   =   'u'  \r\n");
	cr_assert_str_eq(otto_settings_lab_backend(c.settings), "example");
	cr_assert_str_eq(otto_settings_reservation_url(c.settings), "u");
	cr_assert_eq(st_get(c.settings, "reservations", "url")->line, 4);
	st_done(&c);
}

Test(settings_values, empty_file_and_comments_only)
{
	st_case c;
	st_load_ok(&c, "");
	cr_assert_null(otto_settings_lab_backend(c.settings));
	cr_assert_str_eq(otto_settings_reservation_backend(c.settings), "none");
	cr_assert_eq(otto_settings_lab_source_count(c.settings), 0);
	st_done(&c);
	st_load_ok(&c, "# nothing here\n\n   \n# [lab]\n");
	cr_assert_null(otto_settings_lab_backend(c.settings));
	cr_assert_null(otto_settings_reservation_url(c.settings));
	cr_assert_eq(otto_settings_plugin_dir_count(c.settings), 0);
	st_done(&c);
}

Test(settings_values, longest_names_and_line_accepted)
{
	/* 49 characters: the longest name inih keeps whole. */
	const char *name49 = "a123456789b123456789c123456789d123456789e12345678";
	cr_assert_eq(strlen(name49), 49);
	/* `v = "` + value + `"`: exactly 198 characters. */
	char *value = tu_fmt("%0*d", 198 - 6, 0);
	char *text = tu_fmt("[lab.%.44s]\n%s = 1\nv = \"%s\"\n", name49, name49, value);
	st_case c;
	st_load_ok(&c, text);
	char *table = tu_fmt("lab.%.44s", name49);
	cr_assert_eq(st_get(c.settings, table, name49)->integer, 1);
	cr_assert_eq(strlen(st_get(c.settings, table, "v")->string), 198 - 6);
	free(table);
	free(text);
	free(value);
	st_done(&c);
}
