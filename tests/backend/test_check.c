/*
 * The reservation check of contracts.md section 2.
 */
#include "backend_test.h"

#include <signal.h>

TestSuite(check, .init = registry_setup, .fini = registry_teardown, .timeout = 30);

static otto_lab *load(const char *name)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_load_lab(repo, name, NULL, &lab, &err), OTTO_OK, "%s", err.message);
	otto_lab_repository_free(repo);
	return lab;
}

Test(check, contract_message)
{
	otto_lab *lab = load("tech1");
	otto_reservation_backend *b = open_resv("holdings", "once");
	otto_check_result r;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_check(b, lab, "alice", &r, &err), OTTO_OK, "%s", err.message);
	cr_assert_not(r.ok);
	cr_assert_eq(r.required.count, 4);
	cr_assert_eq(r.n_missing, 3);
	cr_assert_str_eq(r.missing[0].resource, "carrot");
	cr_assert_eq(r.missing[2].holders.count, 0);
	cr_assert_str_eq(r.message, "User 'alice' does not hold all resources required by lab 'tech1'. Missing:\n"
				    "  - carrot (held by bob)\n"
				    "  - shared (held by alice, bob)\n"
				    "  - tomato (unreserved)");
	otto_check_result_free(&r);
	cr_assert_null(r.message);
	otto_reservation_backend_free(b);
	otto_lab_free(lab);
}

Test(check, pass)
{
	/* bob holds carrot and shared: a lab needing only those (listed twice). */
	otto_reservation_backend *b = open_resv("holdings", NULL);
	otto_check_result r;
	otto_error err = {0, ""};
	otto_lab small = {"small", {0, NULL}, 0, NULL, 0, NULL};
	char *need[] = {"shared", "carrot", "shared"};
	small.resources.items = need;
	small.resources.count = 3;
	cr_assert_eq(otto_reservation_check(b, &small, "bob", &r, &err), OTTO_OK, "%s", err.message);
	cr_assert(r.ok);
	cr_assert_null(r.message);
	cr_assert_eq(r.n_missing, 0);
	cr_assert_eq(r.required.count, 2);
	cr_assert_str_eq(r.required.items[0], "carrot");
	otto_check_result_free(&r);
	otto_reservation_backend_free(b);
}

Test(check, host_resources_are_required_too)
{
	/* A lab whose resource list is empty but whose host needs one. */
	otto_lab *lab = load("tech1");
	otto_strlist_free(&lab->resources);
	otto_reservation_backend *b = open_resv("holdings", NULL);
	otto_check_result r;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_check(b, lab, "carol", &r, &err), OTTO_OK, "%s", err.message);
	cr_assert_not(r.ok);
	/* h1: carrot, lab-a; h2: tomato (shared was a lab-level extra). */
	cr_assert_eq(r.required.count, 3);
	cr_assert_str_eq(r.message, "User 'carol' does not hold all resources required by lab 'tech1'. Missing:\n"
				    "  - carrot (held by bob)\n"
				    "  - lab-a (held by alice)\n"
				    "  - tomato (unreserved)");
	otto_check_result_free(&r);
	otto_reservation_backend_free(b);
	otto_lab_free(lab);
}

Test(check, nothing_required_never_asks_the_backend)
{
	/* The "forbidden" backend aborts on any call. */
	otto_reservation_backend *b = open_resv("holdings", "forbidden");
	otto_lab empty = {"empty", {0, NULL}, 0, NULL, 0, NULL};
	otto_lab *bare = load("bare");
	otto_lab *no_hosts = load("empty");
	otto_check_result r;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_check(b, &empty, "alice", &r, &err), OTTO_OK, "%s", err.message);
	cr_assert(r.ok);
	cr_assert_eq(r.required.count, 0);
	otto_check_result_free(&r);
	cr_assert_eq(otto_reservation_check(b, bare, "alice", &r, &err), OTTO_OK, "%s", err.message);
	cr_assert(r.ok);
	otto_check_result_free(&r);
	cr_assert_eq(otto_reservation_check(b, no_hosts, "alice", &r, &err), OTTO_OK, "%s", err.message);
	cr_assert(r.ok);
	otto_check_result_free(&r);
	otto_lab_free(no_hosts);
	otto_lab_free(bare);
	otto_reservation_backend_free(b);
}

Test(check, forbidden_backend_really_aborts)
{
	/* Proves the test above can fail: asking the backend aborts its worker,
	 * and the check fails closed naming the call. */
	otto_reservation_backend *b = open_resv("holdings", "forbidden");
	otto_lab *lab = load("tech1");
	otto_check_result r;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_check(b, lab, "alice", &r, &err), OTTO_ERROR);
	cr_assert(tu_contains(err.message, "reservation backend 'holdings' (plugin ") &&
		      tu_contains(err.message, "crashed with SIGABRT during get_reserved_resources"),
		  "%s", err.message);
	cr_assert_not(r.ok);
	otto_error closing = {0, ""};
	cr_assert_eq(otto_reservation_backend_close(b, &closing), OTTO_ERROR, "a failed backend fails its close too");
	cr_assert_str_eq(closing.message, err.message);
	otto_lab_free(lab);
}

Test(check, forbidden_backend_really_aborts_in_process, .signal = SIGABRT)
{
	/* In process, asking the backend kills the caller: why workers exist. */
	use_in_process();
	otto_reservation_backend *b = open_resv("holdings", "forbidden");
	otto_lab *lab = load("tech1");
	otto_check_result r;
	otto_reservation_check(b, lab, "alice", &r, NULL);
}

static void check_fails(const char *mode, int code, const char *message)
{
	otto_lab *lab = load("tech1");
	otto_reservation_backend *b = open_resv("holdings", mode);
	otto_check_result r;
	otto_error err = {0, ""};
	cr_assert_eq(otto_reservation_check(b, lab, "alice", &r, &err), code, "case %s: %s", mode, err.message);
	cr_assert_str_eq(err.message, message, "case %s", mode);
	cr_assert_not(r.ok, "an error is never a pass (case %s)", mode);
	cr_assert_null(r.message);
	cr_assert_eq(r.n_missing, 0);
	cr_assert_eq(r.required.count, 0);
	otto_reservation_backend_free(b);
	otto_lab_free(lab);
}

Test(check, backend_error_fails_closed)
{
	check_fails("fail", OTTO_ERROR, "reservation backend 'holdings': database down at db.example:5432");
	check_fails("fail-who", OTTO_ERROR, "reservation backend 'holdings': timeout asking who holds 'carrot'");
	check_fails("null-string", OTTO_ERROR,
		    "reservation backend 'holdings': get_reserved_resources added a NULL string (item 1)");
}
