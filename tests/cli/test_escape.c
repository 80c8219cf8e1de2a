/*
 * Names and messages with control characters, from a hostile plugin
 * (plugins/hostile_text.c) and from plain lab.json and reservations.json
 * data: everything otto prints stays printable, each name on its own line,
 * escaped visibly (\x1b, \n, \r, \u009b), so that a lab name can neither
 * clear the screen nor print a line of its own such as
 * "otto: all reservations OK".
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE_DIR OTTO_TEST_PLUGIN_DIR "/cli_hostile"

static char *project;

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(escape, .fini = remove_project);

/* No control character but the line ends, no C1 control, no direction
 * override: what a terminal shows is what the bytes say. */
static void assert_printable(const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i]; i++) {
		cr_assert(p[i] == '\n' || (p[i] >= 0x20 && p[i] != 0x7F), "%s: byte 0x%02x at %zu in:\n%s", what, p[i], i,
			  s);
		cr_assert(!(p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F), "%s: C1 control at %zu in:\n%s", what,
			  i, s);
		cr_assert(!(p[i] == 0xE2 && p[i + 1] == 0x80 && p[i + 2] == 0xAE), "%s: U+202E at %zu in:\n%s", what, i,
			  s);
	}
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* No line of `s` starts with `prefix`. */
static void assert_no_line_starting(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *line = s; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line))
		cr_assert(strncmp(line, prefix, n) != 0, "a line starts with '%s':\n%s", prefix, s);
}

static void hostile_project(const char *reservations)
{
	char *settings = tu_fmt("[lab]\nbackend = \"hostile\"\n\n[reservations]\nbackend = \"%s\"\n\n[plugins]\npath = "
				"[\"" HOSTILE_DIR "\"]\n",
				reservations);
	project = ct_project(settings);
	free(settings);
}

static tu_result run(const char *const *argv)
{
	tu_result r = ct_run(project, NULL, argv);
	assert_printable("stdout", r.out);
	assert_printable("stderr", r.err);
	return r;
}

Test(escape, lab_list_prints_one_escaped_name_a_line)
{
	hostile_project("none");
	tu_result r = run(CT_ARGS("lab", "list"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "lab\\x1b[31mred\nok\\notto: all reservations OK\nplain\n");
	tu_result_free(&r);
}

Test(escape, lab_show_escapes_the_table_and_the_header)
{
	hostile_project("none");
	tu_result r = run(CT_ARGS("lab", "show", "plain"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "Resources: held\\r\\nres, miss\\notto: all reservations OK, room\\x1b[8m\n"), "%s",
		  r.out);
	cr_assert(tu_contains(r.out, "10.0.0.1\\r"), "%s", r.out);
	cr_assert(tu_contains(r.out, "el\\x1b]0;pwned\\x07 \\u202egnp"), "%s", r.out);
	/* Lab, Resources, Hosts, a blank line, the header and one host. */
	cr_assert_eq(count_lines(r.out), 6, "%s", r.out);
	tu_result_free(&r);
}

Test(escape, an_unknown_lab_lists_the_available_names_escaped)
{
	hostile_project("none");
	tu_result r = run(CT_ARGS("lab", "show", "nope\x1b[2J"));
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "no lab named 'nope\\x1b[2J'"), "%s", r.err);
	cr_assert(tu_contains(r.err, "Available: lab\\x1b[31mred, ok\\notto: all reservations OK, plain."), "%s", r.err);
	tu_result_free(&r);
}

Test(escape, a_plugin_message_is_one_escaped_line)
{
	hostile_project("none");
	tu_result r = run(CT_ARGS("lab", "show", "broken"));
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "cannot load \\x1b[2J\\x1b[Hlab 'broken'\\notto: all reservations OK"), "%s", r.err);
	tu_result_free(&r);
}

Test(escape, the_check_message_has_one_line_per_missing_resource)
{
	hostile_project("hostile");
	tu_result r = run(CT_ARGS("--as-user", "alice", "reservation", "check", "--lab", "plain"));
	cr_assert_eq(r.status, 1, "%s", r.err);
	const char *want = "otto: User 'alice' does not hold all resources required by lab 'plain'. Missing:\n"
			   "  - miss\\notto: all reservations OK (held by bob\\x1b[8m, carol\\rOK)\n"
			   "  - room\\x1b[8m (unreserved)\n";
	cr_assert_str_eq(r.err, want);
	assert_no_line_starting(r.err, "otto: all reservations OK");
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(escape, a_lab_name_cannot_add_a_line_to_the_check)
{
	hostile_project("hostile");
	tu_result r = run(CT_ARGS("--as-user", "alice", "reservation", "check", "--lab", "ok\notto: all reservations OK"));
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "required by lab 'ok\\notto: all reservations OK'. Missing:\n"), "%s", r.err);
	assert_no_line_starting(r.err, "otto: all reservations OK");
	tu_result_free(&r);
	r = run(CT_ARGS("--as-user", "alice", "reservation", "check", "--lab", "plain", "--skip-reservation-check"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
	tu_result_free(&r);
}

Test(escape, held_and_who_print_escaped_names)
{
	hostile_project("hostile");
	tu_result r = run(CT_ARGS("--as-user", "alice", "reservation", "held"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "held\\r\\nres\n");
	tu_result_free(&r);
	r = run(CT_ARGS("reservation", "who", "miss\notto: all reservations OK"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "bob\\x1b[8m\ncarol\\rOK\n");
	tu_result_free(&r);
	r = run(CT_ARGS("reservation", "who", "x\x1b[2J"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.err, "nobody holds 'x\\x1b[2J' (reservation backend 'hostile\\x1b[0m')"), "%s", r.err);
	tu_result_free(&r);
	r = run(CT_ARGS("--as-user", "eve\x1b[2J", "reservation", "whoami"));
	cr_assert_str_eq(r.out, "eve\\x1b[2J\n");
	tu_result_free(&r);
}

Test(escape, a_failing_backend_is_one_escaped_line)
{
	hostile_project("hostile-fails");
	tu_result r = run(CT_ARGS("--as-user", "alice", "reservation", "check", "--lab", "plain"));
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "cannot reach the service\\r\\notto: all reservations OK\\x1b[2K"), "%s", r.err);
	assert_no_line_starting(r.err, "otto: all reservations OK");
	tu_result_free(&r);
}

Test(escape, plugins_lists_the_plugin_escaped)
{
	hostile_project("none");
	tu_result r = run(CT_ARGS("plugins"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "(plugin hostile\\x1b[2J 1.0\\r\\nfake)"), "%s", r.out);
	tu_result_free(&r);
	r = run(CT_ARGS("plugins", "--json"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val v = ct_json(r.out); /* JSON keeps the exact names, escaped the JSON way */
	yajl_tree_free(v);
	tu_result_free(&r);
}

/* Plain data, no plugin of ours: lab.json and reservations.json. */
static void data_project(void)
{
	project = ct_project("[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n\n[reservations]\nbackend = "
			     "\"json\"\n[reservations.json]\npath = \"reservations.json\"\n");
	free(tu_write(project, "lab.json",
		      "{\"hosts\": [{\"element\": \"sw\\u001b[2J\", \"ip\": \"10.0.0.9\", \"creds\": [{\"login\": "
		      "\"root\\u001b[8m\"}], \"hw_version\": \"v1\\u001b]0;x\\u0007\", \"labs\": [\"l\\u001b]0;x\\u0007\","
		      " \"two\\nlines\"], \"resources\": [\"r\\u009b2J\", \"q\\r\\nOK\"]}]}\n"));
	free(tu_write(project, "reservations.json",
		      "{\"version\": 1, \"reservations\": [{\"user\": \"bob\\u001b[8m\", \"resources\": [\"q\\r\\nOK\"]}]}\n"));
}

Test(escape, lab_json_data_is_escaped_too, .init = data_project)
{
	tu_result r = run(CT_ARGS("lab", "list"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "l\\x1b]0;x\\x07\ntwo\\nlines\n");
	tu_result_free(&r);
	r = run(CT_ARGS("lab", "show", "two\nlines"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	/* upstream refuses an ip that is no address: the element carries it */
	cr_assert(tu_contains(r.out, "  sw-2j  10.0.0.9  sw\\x1b[2J  "), "%s", r.out);
	cr_assert(tu_contains(r.out, "q\\r\\nOK, r\\u009b2J"), "%s", r.out);
	tu_result_free(&r);
	r = run(CT_ARGS("lab", "hosts"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines(r.out), 2, "%s", r.out);
	tu_result_free(&r);
	r = run(CT_ARGS("--as-user", "alice", "reservation", "check", "--lab", "two\nlines"));
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "  - q\\r\\nOK (held by bob\\x1b[8m)\n  - r\\u009b2J (unreserved)\n"), "%s", r.err);
	tu_result_free(&r);
}

Test(escape, json_output_stays_exact, .init = data_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "show", "two\nlines", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val v = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(v, CT_ARGS("name")), "two\nlines");
	yajl_val hosts = ct_get(v, CT_ARGS("hosts"), yajl_t_array);
	cr_assert(hosts && YAJL_GET_ARRAY(hosts)->len == 1);
	yajl_val host = YAJL_GET_ARRAY(hosts)->values[0];
	cr_assert_str_eq(ct_json_string(host, CT_ARGS("element")), "sw\x1b[2J");
	cr_assert_str_eq(ct_json_string(host, CT_ARGS("hw_version")), "v1\x1b]0;x\x07");
	yajl_val creds = ct_get(host, CT_ARGS("creds"), yajl_t_array);
	cr_assert(creds && YAJL_GET_ARRAY(creds)->len == 1);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(creds)->values[0], CT_ARGS("login")), "root\x1b[8m");
	yajl_tree_free(v);
	tu_result_free(&r);
}
