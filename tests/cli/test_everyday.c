/*
 * What people notice every day: names in natural order, tables aligned by
 * display width, 'otto help COMMAND', "did you mean" for typos, and an
 * empty --as-user refused. Real otto, the example plugin, real settings.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

/* Labs bench1, bench2 and bench10; hosts whose elements are UTF-8. */
static void bench_project(void)
{
	project = ct_project("[lab]\nbackend = \"example\"\n"
			     "[lab.example]\n"
			     "hosts = [\"bench10: b10 10.0.0.10 r10\", \"bench2: b2 10.0.0.2 r2\","
			     " \"bench1: Zürich 10.0.0.1 r1\", \"bench1: 東京x 10.0.0.3 r1\"]\n"
			     "[reservations]\nbackend = \"example\"\n"
			     "[reservations.example]\n"
			     "holds = [\"alice: r10 r2 r1\", \"bob10: r2\", \"bob2: r2\"]\n");
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(everyday, .init = bench_project, .fini = remove_project);

Test(everyday, lab_list_in_natural_order)
{
	tu_result r = CT_RUN(project, NULL, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "bench1\nbench2\nbench10\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "lab", "list", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	yajl_val labs = ct_get(root, CT_ARGS("labs"), yajl_t_array);
	cr_assert(labs && YAJL_GET_ARRAY(labs)->len == 3);
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(labs)->values[1]), "bench2");
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(labs)->values[2]), "bench10");
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("backend")), "example");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(everyday, resources_users_and_hosts_in_natural_order)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "held", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "r1\nr2\nr10\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "users");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alice\nbob2\nbob10\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "lab", "hosts");
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *b2 = strstr(r.out, "\nb2 "), *b10 = strstr(r.out, "\nb10 ");
	cr_assert(b2 && b10 && b2 < b10, "b2 before b10:\n%s", r.out);
	tu_result_free(&r);
}

/* "Zürich" is 7 bytes and 6 columns, "東京x" 7 bytes and 5 columns: the
 * LABS column starts at the same column on every line. */
Test(everyday, tables_align_by_display_width)
{
	tu_result r = CT_RUN(project, NULL, "lab", "hosts", "--lab", "bench1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "ID      IP        ELEMENT  LABS\n"
				"x       10.0.0.3  東京x    bench1\n"
				"z-rich  10.0.0.1  Zürich   bench1\n");
	tu_result_free(&r);
}

Test(everyday, help_command_is_command_help)
{
	static const char *const pairs[][4] = {{"lab", NULL},	    {"lab", "show"},   {"reservation", "check"},
					       {"lock", "acquire"}, {"plugins", NULL}, {"lab", "status"}};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		tu_result direct = pairs[i][1] ? CT_RUN(project, NULL, pairs[i][0], pairs[i][1], "--help")
					       : CT_RUN(project, NULL, pairs[i][0], "--help");
		tu_result via_help = pairs[i][1] ? CT_RUN(project, NULL, "help", pairs[i][0], pairs[i][1])
						 : CT_RUN(project, NULL, "help", pairs[i][0]);
		cr_assert_eq(direct.status, 0, "%s", direct.err);
		cr_assert_eq(via_help.status, 0, "%s", via_help.err);
		cr_assert_str_eq(via_help.out, direct.out);
		cr_assert(tu_contains(via_help.out, "Usage: otto "), "%s", via_help.out);
		tu_result_free(&direct);
		tu_result_free(&via_help);
	}
	tu_result top = CT_RUN(project, NULL, "help");
	cr_assert_eq(top.status, 0);
	cr_assert(tu_contains(top.out, "Usage: otto [GLOBAL OPTIONS] COMMAND"), "%s", top.out);
	tu_result_free(&top);
	tu_result bad = CT_RUN(project, NULL, "help", "lba");
	cr_assert_eq(bad.status, 2);
	cr_assert(tu_contains(bad.err, "otto: unknown command 'lba'. Did you mean 'lab'?"), "%s", bad.err);
	tu_result_free(&bad);
}

static void expect_suggestion(const char *const *argv, const char *expected)
{
	tu_result r = ct_run(project, NULL, argv);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, expected), "expected '%s' in:\n%s", expected, r.err);
	tu_result_free(&r);
}

Test(everyday, did_you_mean)
{
	expect_suggestion(CT_ARGS("reservaton", "held"),
			  "otto: unknown command 'reservaton'. Did you mean 'reservation'?");
	expect_suggestion(CT_ARGS("lab", "lsit"), "otto: lab: unknown subcommand 'lsit'. Did you mean 'list'?\n");
	expect_suggestion(CT_ARGS("reservation", "chek", "--lab", "x"),
			  "otto: reservation: unknown subcommand 'chek'. Did you mean 'check'?");
	expect_suggestion(CT_ARGS("lab", "list", "--jsno"),
			  "otto: lab list: unknown option '--jsno'. Did you mean '--json'?");
	expect_suggestion(CT_ARGS("reservation", "check", "--lba", "x"), "Did you mean '--lab'?");
	expect_suggestion(CT_ARGS("--plugn-dir", "x", "lab", "list"),
			  "otto: unknown option '--plugn-dir'. Did you mean '--plugin-dir'?");
	/* Nothing near: no suggestion, the plain message. */
	tu_result r = CT_RUN(project, NULL, "lab", "xyzzy");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab: unknown subcommand 'xyzzy'.\n"), "%s", r.err);
	cr_assert(!tu_contains(r.err, "Did you mean"), "%s", r.err);
	tu_result_free(&r);
}

Test(everyday, empty_as_user_is_a_usage_error)
{
	const char *const *const lines[] = {CT_ARGS("--as-user", "", "reservation", "whoami"),
					    CT_ARGS("reservation", "held", "--as-user="),
					    CT_ARGS("--as-user", "", "reservation", "check", "--lab", "bench1")};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		tu_result r = ct_run(project, NULL, lines[i]);
		cr_assert_eq(r.status, 2, "%s", r.err);
		cr_assert_str_empty(r.out);
		cr_assert(tu_contains(r.err, "otto: --as-user needs a user name, not an empty string."), "%s", r.err);
		tu_result_free(&r);
	}
}

Test(everyday, whoami_json_says_where_the_user_came_from)
{
	tu_result r = CT_RUN(project, CT_ARGS("LOGNAME=", "USER=dave"), "reservation", "whoami", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("user")), "dave");
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("source")), "USER");
	yajl_tree_free(root);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "whoami", "--json", "--as-user", "erin");
	root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("user")), "erin");
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("source")), "--as-user");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(everyday, lab_show_in_natural_order)
{
	char *dir = ct_project("[lab]\nbackend = \"example\"\n[lab.example]\n"
			       "hosts = [\"b: h10 10.0.0.10 r10 r2\", \"b: h2 10.0.0.2 r2 r1\"]\n");
	tu_result r = CT_RUN(dir, NULL, "lab", "show", "b");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "Lab:       b\n"
				"Resources: r1, r2, r10\n"
				"Hosts:     2\n"
				"\n"
				"  ID   IP         ELEMENT  RESOURCES\n"
				"  h2   10.0.0.2   h2       r1,r2\n"
				"  h10  10.0.0.10  h10      r2,r10\n");
	tu_result_free(&r);
	r = CT_RUN(dir, NULL, "lab", "show", "b", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	yajl_val hosts = ct_get(root, CT_ARGS("hosts"), yajl_t_array);
	cr_assert(hosts && YAJL_GET_ARRAY(hosts)->len == 2);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(hosts)->values[0], CT_ARGS("id")), "h2");
	yajl_tree_free(root);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(everyday, lock_list_in_natural_order_and_aligned)
{
	char *dir = ct_project("[locks]\ndir = \"locks\"\n");
	const char *const names[] = {"board10", "board2", "board1"};
	for (size_t i = 0; i < 3; i++) {
		tu_result r = CT_RUN(dir, NULL, "lock", "acquire", names[i], "--expiry", "1h");
		cr_assert_eq(r.status, 0, "%s", r.err);
		tu_result_free(&r);
	}
	tu_result r = CT_RUN(dir, NULL, "lock", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *b1 = strstr(r.out, "\nboard1 "), *b2 = strstr(r.out, "\nboard2 "),
		   *b10 = strstr(r.out, "\nboard10 ");
	cr_assert(b1 && b2 && b10 && b1 < b2 && b2 < b10, "board1, board2, board10:\n%s", r.out);
	cr_assert(strncmp(r.out, "NAME     HOLDER", 15) == 0, "columns as wide as their longest cell:\n%s", r.out);
	tu_result_free(&r);
	r = CT_RUN(dir, NULL, "lock", "list", "--json");
	yajl_val root = ct_json(r.out);
	cr_assert(YAJL_IS_ARRAY(root) && YAJL_GET_ARRAY(root)->len == 3);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(root)->values[2], CT_ARGS("name")), "board10");
	yajl_tree_free(root);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}
