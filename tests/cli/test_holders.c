/*
 * Who holds what until when: reservation held --windows, reservation
 * users, lab status, and reservation check --json. The json plugin with
 * real lab.json and reservations.json files (windows with real expiries),
 * the example plugin, and the built-in "none" backend.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

static const char lab_json[] =
    "{\"hosts\": ["
    "{\"element\": \"router1\", \"ip\": \"10.0.0.1\", \"labs\": [\"east\"], \"resources\": [\"router1\", \"shared\"],"
    " \"creds\": [{\"login\": \"admin\"}]},"
    "{\"element\": \"switch\", \"ip\": \"10.0.0.9\", \"labs\": [\"east\"], \"resources\": [\"switch\"],"
    " \"creds\": [{\"login\": \"admin\"}]}]}\n";

static const char reservations_json[] =
    "{\"version\": 1, \"reservations\": ["
    "{\"user\": \"alice\", \"resources\": [\"router1\", \"shared\"], \"expires\": \"2099-05-01T12:00:00Z\"},"
    "{\"user\": \"bob\", \"resources\": [\"shared\"]},"
    "{\"user\": \"carol\", \"resources\": [\"shared\"], \"expires\": \"2098-01-01T00:00:00+02:00\"},"
    "{\"user\": \"gone\", \"resources\": [\"switch\"], \"expires\": \"2001-01-01T00:00:00Z\"}]}\n";

static void json_project(void)
{
	project = ct_project("[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n"
			     "[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \"reservations.json\"\n");
	free(tu_write(project, "lab.json", lab_json));
	free(tu_write(project, "reservations.json", reservations_json));
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(holders, .init = json_project, .fini = remove_project);

Test(holders, held_windows_say_until_when)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "held", "--windows", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "RESOURCE  FROM  UNTIL\n"
				"router1   -     2099-05-01T12:00:00Z\n"
				"shared    -     2099-05-01T12:00:00Z\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "held", "--windows", "--as-user", "bob");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "RESOURCE  FROM  UNTIL\nshared    -     open\n");
	tu_result_free(&r);
	/* The plain form is unchanged: one resource a line. */
	r = CT_RUN(project, NULL, "reservation", "held", "--as-user", "alice");
	cr_assert_str_eq(r.out, "router1\nshared\n");
	tu_result_free(&r);
}

Test(holders, held_json_windows)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "held", "--json", "--as-user", "carol");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	yajl_val windows = ct_get(root, CT_ARGS("windows"), yajl_t_array);
	cr_assert(windows && YAJL_GET_ARRAY(windows)->len == 1, "%s", r.out);
	yajl_val w = YAJL_GET_ARRAY(windows)->values[0];
	cr_assert_str_eq(ct_json_string(w, CT_ARGS("resource")), "shared");
	cr_assert_str_eq(ct_json_string(w, CT_ARGS("until")), "2097-12-31T22:00:00Z");
	cr_assert(ct_get(w, CT_ARGS("from"), yajl_t_null), "an unknown start is null: %s", r.out);
	yajl_tree_free(root);
	tu_result_free(&r);
}

/* The fixture's "bare" backend has neither windows nor usernames. */
static char *bare_project(void)
{
	char *dir = ct_project("[plugins]\npath = [\"" CT_FIXTURE_DIR "\"]\n"
			       "[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"bare\"\n");
	return dir;
}

Test(holders, held_windows_need_a_backend_with_windows)
{
	char *bare = bare_project();
	tu_result r = CT_RUN(bare, NULL, "reservation", "held", "--windows");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, "otto: reservation backend 'bare' does not know reservation windows"), "%s",
		  r.err);
	tu_result_free(&r);
	r = CT_RUN(bare, NULL, "reservation", "held", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert(ct_get(root, CT_ARGS("windows"), yajl_t_null), "no windows: null\n%s", r.out);
	yajl_tree_free(root);
	tu_result_free(&r);
	/* lab status says it cannot tell until when. */
	r = CT_RUN(bare, NULL, "lab", "status", "east", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "  router1   missing  (unreserved)  -\n"), "%s", r.out);
	tu_result_free(&r);
	r = CT_RUN(bare, NULL, "lab", "status", "east", "--json");
	root = ct_json(r.out);
	cr_assert(ct_get(root, CT_ARGS("windows_known"), yajl_t_false), "%s", r.out);
	yajl_tree_free(root);
	tu_result_free(&r);
	tu_rm_rf(bare);
	free(bare);
}

Test(holders, users)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "users");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "alice\nbob\ncarol\n"), "%s", r.out);
	tu_result_free(&r);
	char *bare = bare_project();
	r = CT_RUN(bare, NULL, "reservation", "users");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, "otto: reservation backend 'bare' cannot list its users."), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(bare);
	free(bare);
}

Test(holders, lab_status_table)
{
	tu_result r = CT_RUN(project, NULL, "lab", "status", "east", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "Lab:      east\n"
				"User:     alice\n"
				"Backend:  json\n"
				"Verdict:  may not run ('alice' misses switch)\n"
				"\n"
				"  RESOURCE  YOU      HOLDER        UNTIL\n"
				"  router1   held     alice         2099-05-01T12:00:00Z\n"
				"  shared    held     alice         2099-05-01T12:00:00Z\n"
				"                     bob           open\n"
				"                     carol         2097-12-31T22:00:00Z\n"
				"  switch    missing  (unreserved)  -\n");
	tu_result_free(&r);
}

Test(holders, lab_status_json)
{
	tu_result r = CT_RUN(project, NULL, "lab", "status", "east", "--json", "--as-user", "bob");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert(ct_get(root, CT_ARGS("may_run"), yajl_t_false));
	cr_assert(ct_get(root, CT_ARGS("windows_known"), yajl_t_true));
	yajl_val resources = ct_get(root, CT_ARGS("resources"), yajl_t_array);
	cr_assert(resources && YAJL_GET_ARRAY(resources)->len == 3);
	yajl_val shared = YAJL_GET_ARRAY(resources)->values[1];
	cr_assert_str_eq(ct_json_string(shared, CT_ARGS("resource")), "shared");
	cr_assert(ct_get(shared, CT_ARGS("held_by_you"), yajl_t_true));
	yajl_val holders = ct_get(shared, CT_ARGS("holders"), yajl_t_array);
	cr_assert(holders && YAJL_GET_ARRAY(holders)->len == 3);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(holders)->values[0], CT_ARGS("until")), "2099-05-01T12:00:00Z");
	cr_assert(ct_get(YAJL_GET_ARRAY(holders)->values[1], CT_ARGS("until"), yajl_t_null), "bob's is open");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(holders, lab_status_errors)
{
	tu_result r = CT_RUN(project, NULL, "lab", "status", "west");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, "otto: no lab named 'west' in lab backend 'json'. Available: east."), "%s", r.err);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "lab", "status");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: lab status: missing LAB."), "%s", r.err);
	tu_result_free(&r);
	/* A backend that cannot answer: nothing on stdout, exit 1. */
	free(tu_write(project, "reservations.json", "{\"version\": 2}\n"));
	r = CT_RUN(project, NULL, "lab", "status", "east", "--json");
	cr_assert_neq(r.status, 0);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, "reservations.json"), "%s", r.err);
	tu_result_free(&r);
}

Test(holders, check_json_verdicts)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--json", "--as-user", "carol");
	cr_assert_eq(r.status, 1, "a failed check exits 1 with --json too: %s", r.err);
	cr_assert(tu_contains(r.err, "does not hold all resources required by lab 'east'"), "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("verdict")), "fail");
	cr_assert(ct_get(root, CT_ARGS("ok"), yajl_t_false));
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("backend")), "json");
	yajl_val missing = ct_get(root, CT_ARGS("missing"), yajl_t_array);
	cr_assert(missing && YAJL_GET_ARRAY(missing)->len == 2, "%s", r.out);
	yajl_val router1 = YAJL_GET_ARRAY(missing)->values[0];
	cr_assert_str_eq(ct_json_string(router1, CT_ARGS("resource")), "router1");
	yajl_val holders = ct_get(router1, CT_ARGS("holders"), yajl_t_array);
	cr_assert(holders && YAJL_GET_ARRAY(holders)->len == 1);
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(holders)->values[0]), "alice");
	yajl_val sw = ct_get(YAJL_GET_ARRAY(missing)->values[1], CT_ARGS("holders"), yajl_t_array);
	cr_assert(sw && YAJL_GET_ARRAY(sw)->len == 0, "switch is unreserved");
	yajl_val required = ct_get(root, CT_ARGS("required"), yajl_t_array);
	cr_assert(required && YAJL_GET_ARRAY(required)->len == 3);
	yajl_tree_free(root);
	tu_result_free(&r);

	r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--json", "--skip-reservation-check");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.err, "reservation check SKIPPED"), "%s", r.err);
	root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("verdict")), "skipped");
	cr_assert(ct_get(root, CT_ARGS("backend"), yajl_t_null));
	cr_assert(ct_get(root, CT_ARGS("ok"), yajl_t_true));
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(holders, check_json_pass)
{
	char *example = ct_project(CT_EXAMPLE_SETTINGS);
	tu_result r = CT_RUN(example, NULL, "reservation", "check", "--lab", "east", "--json", "--as-user", "alice");
	/* The example's east needs router1, which nobody holds. */
	cr_assert_eq(r.status, 1, "%s", r.err);
	tu_result_free(&r);
	free(tu_write(example, ".otto/settings.toml",
		      "[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"example\"\n"
		      "[reservations.example]\nholds = [\"alice: router1\"]\n"));
	r = CT_RUN(example, NULL, "reservation", "check", "--lab", "east", "--json", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.err);
	yajl_val root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("verdict")), "pass");
	cr_assert(ct_get(root, CT_ARGS("ok"), yajl_t_true));
	yajl_val missing = ct_get(root, CT_ARGS("missing"), yajl_t_array);
	cr_assert(missing && YAJL_GET_ARRAY(missing)->len == 0);
	yajl_tree_free(root);
	tu_result_free(&r);
	tu_rm_rf(example);
	free(example);
}

Test(holders, check_json_backend_error_prints_no_verdict)
{
	free(tu_write(project, "reservations.json", "not json"));
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--json");
	cr_assert_neq(r.status, 0);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	tu_result_free(&r);
}
