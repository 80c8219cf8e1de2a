/* otto lab list | show | hosts. */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

static void example_project(void)
{
	project = ct_project(CT_EXAMPLE_SETTINGS);
}

static void fixture_project(void)
{
	project = ct_project("[lab]\nbackend = \"fixture\"\n\n[plugins]\npath = [\"" CT_FIXTURE_DIR "\"]\n");
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(lab, .fini = remove_project);

Test(lab, list_prints_sorted_names, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "east\nwest\n");
	cr_assert_str_empty(r.err);
	tu_result_free(&r);
}

Test(lab, list_sorts_what_the_backend_gives, .init = fixture_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alpha\nbeta\n");
	tu_result_free(&r);
}

Test(lab, show_text, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "show", "east");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "Lab:       east\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "Resources: router1\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "  ID       IP        ELEMENT  RESOURCES\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "  router1  10.0.0.1  router1  router1\n"), "%s", r.out);
	cr_assert(!tu_contains(r.out, "admin"), "text output shows no credentials: %s", r.out);
	tu_result_free(&r);
}

Test(lab, show_json_full_records_without_passwords, .init = fixture_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "show", "alpha", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("name")), "alpha");
	yajl_val resources = ct_get(root, CT_ARGS("resources"), yajl_t_array);
	cr_assert(resources && YAJL_GET_ARRAY(resources)->len == 2, "alpha-room and sw-a");
	yajl_val hosts = ct_get(root, CT_ARGS("hosts"), yajl_t_array);
	cr_assert(hosts && YAJL_GET_ARRAY(hosts)->len == 1);
	yajl_val h = YAJL_GET_ARRAY(hosts)->values[0];
	cr_assert_str_eq(ct_json_string(h, CT_ARGS("id")), "big-switch3_line-card2");
	cr_assert_str_eq(ct_json_string(h, CT_ARGS("ip")), "10.1.0.1", "the record's own ip wins over extra 'ip'");
	cr_assert_str_eq(ct_json_string(h, CT_ARGS("element")), "Big Switch");
	cr_assert_str_eq(ct_json_string(h, CT_ARGS("board")), "Line Card");
	cr_assert_str_eq(ct_json_string(h, CT_ARGS("os_type")), "junos");
	cr_assert_eq(YAJL_GET_INTEGER(ct_get(h, CT_ARGS("element_id"), yajl_t_number)), 3);
	cr_assert_eq(YAJL_GET_INTEGER(ct_get(h, CT_ARGS("slot"), yajl_t_number)), 2);
	cr_assert(YAJL_IS_TRUE(ct_get(h, CT_ARGS("docker_capable"), yajl_t_any)));
	cr_assert(YAJL_IS_TRUE(ct_get(h, CT_ARGS("is_virtual"), yajl_t_any)), "extra fields merged");
	cr_assert_str_eq(ct_json_string(h, CT_ARGS("interfaces", "eth0", "mac")), "aa:bb");
	yajl_val labs = ct_get(h, CT_ARGS("labs"), yajl_t_array);
	cr_assert(labs && YAJL_GET_ARRAY(labs)->len == 2);
	yajl_val creds = ct_get(h, CT_ARGS("creds"), yajl_t_array);
	cr_assert(creds && YAJL_GET_ARRAY(creds)->len == 2);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(creds)->values[0], CT_ARGS("login")), "root");
	cr_assert(!tu_contains(r.out, "s3cret"), "no password without --show-passwords: %s", r.out);
	cr_assert(!tu_contains(r.out, "password"), "%s", r.out);
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(lab, show_json_with_passwords, .init = fixture_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "show", "alpha", "--json", "--show-passwords");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	yajl_val h = YAJL_GET_ARRAY(ct_get(root, CT_ARGS("hosts"), yajl_t_array))->values[0];
	yajl_val creds = ct_get(h, CT_ARGS("creds"), yajl_t_array);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(creds)->values[0], CT_ARGS("password")), "s3cret");
	cr_assert_null(ct_json_string(YAJL_GET_ARRAY(creds)->values[1], CT_ARGS("password")),
		       "a cred without password has none");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(lab, show_passwords_needs_json, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "show", "east", "--show-passwords");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "--show-passwords only applies to --json"), "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(lab, show_unknown_lab, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "show", "north");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "otto: no lab named 'north' in lab backend 'example'. Available: east, west."),
		  "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(lab, hosts_through_the_capability, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "hosts");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "ID       IP        ELEMENT  LABS\n"
				"router1  10.0.0.1  router1  east\n"
				"router2  10.0.1.1  router2  west\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "lab", "hosts", "--lab", "west");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "router2"));
	cr_assert(!tu_contains(r.out, "router1"), "%s", r.out);
	tu_result_free(&r);
}

Test(lab, hosts_json, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "hosts", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert(YAJL_IS_ARRAY(root) && YAJL_GET_ARRAY(root)->len == 2);
	yajl_val first = YAJL_GET_ARRAY(root)->values[0];
	cr_assert_str_eq(ct_json_string(first, CT_ARGS("id")), "router1");
	cr_assert_str_eq(ct_json_string(first, CT_ARGS("ip")), "10.0.0.1");
	cr_assert_str_eq(ct_json_string(first, CT_ARGS("element")), "router1");
	cr_assert(YAJL_IS_NULL(ct_get(first, CT_ARGS("element_id"), yajl_t_any)));
	cr_assert(YAJL_IS_FALSE(ct_get(first, CT_ARGS("docker_capable"), yajl_t_any)));
	yajl_val labs = ct_get(first, CT_ARGS("labs"), yajl_t_array);
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(labs)->values[0]), "east");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(lab, hosts_fallback_without_the_capability, .init = fixture_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "hosts");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "ID                      IP        ELEMENT     LABS\n"
				"big-switch3_line-card2  10.1.0.1  Big Switch  alpha,beta\n"
				"probe                   -         probe       beta\n");
	tu_result_free(&r);
}

Test(lab, hosts_of_an_unknown_lab, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "lab", "hosts", "--lab", "north");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "otto: no lab named 'north'"), "%s", r.err);
	tu_result_free(&r);
}

Test(lab, no_lab_backend_configured)
{
	project = ct_project("[reservations]\nbackend = \"example\"\n");
	tu_result r = CT_RUN(project, NULL, "lab", "list");
	cr_assert_eq(r.status, 2);
	cr_assert(strncmp(r.err, "otto: ", 6) == 0, "%s", r.err);
	cr_assert(tu_contains(r.err, "[lab]"), "the message says what to set: %s", r.err);
	tu_result_free(&r);
}

/* Bytes that are not UTF-8 still give JSON that parses (U+FFFD in their place). */
Test(lab, json_output_survives_bad_utf8)
{
	project = ct_project("[lab]\nbackend = \"example\"\n[lab.example]\nhosts = [\"east: r1 10.0.0.1 caf\xe9\"]\n");
	tu_result r = CT_RUN(project, NULL, "lab", "show", "east", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert(tu_contains(r.out, "caf\xef\xbf\xbd"), "%s", r.out);
	yajl_tree_free(root);
	tu_result_free(&r);
}
