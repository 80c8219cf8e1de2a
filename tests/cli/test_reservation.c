/* otto reservation whoami | held | who | check. */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

static void example_project(void)
{
	project = ct_project(CT_EXAMPLE_SETTINGS);
}

/* The contract's example, with configured data: carol misses everything. */
static void tech1_project(void)
{
	project = ct_project("[lab]\nbackend = \"example\"\n"
			     "[lab.example]\n"
			     "hosts = [\"tech1: carrot 10.0.0.1 carrot\", \"tech1: pepper 10.0.0.2 shared tomato\"]\n"
			     "[reservations]\nbackend = \"example\"\n"
			     "[reservations.example]\n"
			     "holds = [\"alice: shared\", \"bob: carrot shared\", \"dave: carrot shared tomato\"]\n");
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(reservation, .fini = remove_project);

Test(reservation, whoami_order_of_sources, .init = example_project)
{
	tu_result r = CT_RUN(project, CT_ARGS("LOGNAME=carol", "USER=dave"), "reservation", "whoami");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "carol\n");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=", "USER=dave"), "reservation", "whoami");
	cr_assert_str_eq(r.out, "dave\n");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=", "LNAME=erin"), "reservation", "whoami");
	cr_assert_str_eq(r.out, "erin\n");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=", "USERNAME=frank"), "reservation", "whoami");
	cr_assert_str_eq(r.out, "frank\n");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=carol"), "reservation", "whoami", "--as-user", "alice");
	cr_assert_str_eq(r.out, "alice\n");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME="), "reservation", "whoami");
	cr_assert_eq(r.status, 0, "falls back to the passwd entry: %s", r.err);
	cr_assert(strlen(r.out) > 1, "%s", r.out);
	tu_result_free(&r);
}

Test(reservation, held, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "held", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "lab-a\nshared\n");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=bob"), "reservation", "held");
	cr_assert_str_eq(r.out, "lab-b\nshared\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "held", "--as-user", "nobody");
	cr_assert_eq(r.status, 0);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(reservation, held_json, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "--as-user", "alice", "reservation", "held", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("user")), "alice");
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("backend")), "example");
	yajl_val list = ct_get(root, CT_ARGS("resources"), yajl_t_array);
	cr_assert(list && YAJL_GET_ARRAY(list)->len == 2);
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(list)->values[0]), "lab-a");
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(list)->values[1]), "shared");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(reservation, who, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "who", "shared");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alice\nbob\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "who", "lab-b");
	cr_assert_str_eq(r.out, "bob\n");
	tu_result_free(&r);
}

Test(reservation, who_nobody, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "who", "moon");
	cr_assert_eq(r.status, 0);
	cr_assert_str_empty(r.out);
	cr_assert(tu_contains(r.err, "nobody holds 'moon' (reservation backend 'example')"), "%s", r.err);
	tu_result_free(&r);
}

Test(reservation, who_json, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "who", "shared", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	yajl_val root = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("resource")), "shared");
	cr_assert_str_eq(ct_json_string(root, CT_ARGS("backend")), "example");
	yajl_val list = ct_get(root, CT_ARGS("holders"), yajl_t_array);
	cr_assert(list && YAJL_GET_ARRAY(list)->len == 2);
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(list)->values[0]), "alice");
	cr_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(list)->values[1]), "bob");
	yajl_tree_free(root);
	tu_result_free(&r);
}

Test(reservation, default_backend_none_holds_nothing)
{
	project = ct_project("[lab]\nbackend = \"example\"\n");
	tu_result r = CT_RUN(project, NULL, "reservation", "held", "--as-user", "alice");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(reservation, check_fails_with_the_contract_message, .init = tech1_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "tech1", "--as-user", "carol");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "otto: User 'carol' does not hold all resources required by lab 'tech1'. Missing:\n"
				"  - carrot (held by bob, dave)\n"
				"  - shared (held by alice, bob, dave)\n"
				"  - tomato (held by dave)\n");
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "check", "--lab", "tech1", "--as-user", "bob");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "otto: User 'bob' does not hold all resources required by lab 'tech1'. Missing:\n"
				"  - tomato (held by dave)\n");
	tu_result_free(&r);
}

Test(reservation, check_unreserved, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "--as-user", "alice", "reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "otto: User 'alice' does not hold all resources required by lab 'east'. Missing:\n"
				"  - router1 (unreserved)\n");
	tu_result_free(&r);
}

Test(reservation, check_passes, .init = tech1_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "tech1", "--as-user", "dave");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "User 'dave' holds every resource lab 'tech1' requires: carrot, shared, tomato.\n");
	cr_assert_str_empty(r.err);
	tu_result_free(&r);
}

Test(reservation, check_skip_warns_and_passes, .init = tech1_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "tech1", "--as-user", "carol",
			     "--skip-reservation-check");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.err, "warning"), "%s", r.err);
	cr_assert(tu_contains(r.err, "user 'carol'"), "%s", r.err);
	cr_assert(tu_contains(r.err, "lab 'tech1'"), "%s", r.err);
	cr_assert(tu_contains(r.err, "carrot, shared, tomato"), "%s", r.err);
	tu_result_free(&r);
}

Test(reservation, check_skip_needs_no_working_backend)
{
	project = ct_project("[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"nocreate\"\n"
			     "[plugins]\npath = [\"" CT_FIXTURE_DIR "\"]\n");
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--skip-reservation-check");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.err, "user 'tester'"), "%s", r.err);
	cr_assert(tu_contains(r.err, "requires: router1."), "%s", r.err);
	tu_result_free(&r);
}

Test(reservation, check_fails_closed_when_the_backend_cannot_be_created)
{
	project = ct_project("[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"nocreate\"\n"
			     "[plugins]\npath = [\"" CT_FIXTURE_DIR "\"]\n");
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--as-user", "alice");
	cr_assert(r.status == 1 || r.status == 2, "exit %d", r.status);
	cr_assert(tu_contains(r.err, "cannot connect to the booking database at db.invalid:5432"), "%s", r.err);
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

Test(reservation, check_fails_closed_on_a_bad_backend_setting)
{
	project = ct_project("[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"example\"\n"
			     "[reservations.example]\nholds = [\"alice lab-a\"]\n");
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--as-user", "alice");
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(tu_contains(r.err, "settings.toml:6: [reservations.example] holds[0]"), "%s", r.err);
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	tu_result_free(&r);
}

Test(reservation, check_fails_closed_when_the_backend_cannot_answer)
{
	project = ct_project("[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"failing\"\n"
			     "[plugins]\npath = [\"" CT_FIXTURE_DIR "\"]\n");
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "east", "--as-user", "alice");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "cannot reach the booking service at http://booking.invalid"), "%s", r.err);
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "held", "--as-user", "alice");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "cannot reach the booking service"), "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "who", "shared");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "asked about 'shared'"), "%s", r.err);
	tu_result_free(&r);
}

Test(reservation, check_needs_a_lab, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "check");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "otto: reservation check: missing --lab LAB."), "%s", r.err);
	tu_result_free(&r);
}

Test(reservation, check_unknown_lab, .init = example_project)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "check", "--lab", "north", "--as-user", "alice");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "no lab named 'north'"), "%s", r.err);
	tu_result_free(&r);
}
