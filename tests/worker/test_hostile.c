/*
 * Plugin code never runs in the process that decides the exit code: a
 * hostile backend that exits, aborts, crashes through its own SIGSEGV
 * handler, hangs, prints on stdout or writes garbage on the worker's socket
 * in the middle of a call makes `otto` fail closed, with one sentence
 * naming the backend, the plugin file and the call, and nothing on stdout.
 * Each case runs through the three paths that answer questions of a
 * backend: `lab show`, `reservation check` and `reservation held`.
 */
#include "worker_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

static void cleanup(void)
{
	tu_rm_rf(project);
	free(project);
	project = NULL;
}

TestSuite(hostile, .fini = cleanup, .timeout = 120);

/* How the worker's failure reads for an act in call `op`. */
static char *how(const char *act, const char *op)
{
	if (strcmp(act, "exit0") == 0 || strcmp(act, "_exit0") == 0 || strcmp(act, "segv_exit0") == 0)
		return tu_fmt("exited with status 0 during %s without answering; nothing was answered.", op);
	if (strcmp(act, "abort") == 0)
		return tu_fmt("crashed with SIGABRT during %s; nothing was answered.", op);
	if (strcmp(act, "segv_default") == 0)
		return tu_fmt("crashed with SIGSEGV during %s; nothing was answered.", op);
	if (strcmp(act, "hang") == 0)
		return tu_fmt("did not answer %s within %d s and was stopped; nothing was answered.", op,
			      ws_call_limit());
	if (strcmp(act, "stdout") == 0)
		return tu_fmt("wrote %zu bytes to stdout during %s, which a plugin must never do (stdout is otto's "
			      "output; diagnostics belong in the error message); nothing was answered.",
			      strlen("User 'tester' holds every resource lab 'alpha' requires: sw-a.\n"), op);
	if (strcmp(act, "garbage") == 0)
		return tu_fmt("sent a frame header announcing more than %u bytes during %s and was stopped; nothing was "
			      "answered.",
			      16u << 20, op);
	cr_assert_fail("no expectation for act %s", act);
	return NULL;
}

typedef enum path { LAB_SHOW, CHECK, HELD } path;

/* Run `path` with the lab (LAB_SHOW) or reservation backend doing `act`
 * in `op`, and expect the one sentence, a non-zero exit and no answer. */
static void expect_failure(path p, const char *act, const char *op)
{
	char *table = tu_fmt("in = \"%s\"\nact = \"%s\"", op, act);
	bool lab = p == LAB_SHOW;
	project = ws_project(lab ? table : NULL, lab ? NULL : table);
	tu_result r = p == LAB_SHOW ? WS_RUN(project, NULL, "lab", "show", "alpha")
		      : p == CHECK  ? WS_RUN(project, NULL, "reservation", "check", "--lab", "alpha")
				    : WS_RUN(project, NULL, "reservation", "held");
	const char *path_name = p == LAB_SHOW ? "lab show" : p == CHECK ? "reservation check" : "reservation held";
	char *h = how(act, op);
	char *want = ws_sentence(lab ? "lab" : "reservation", HOSTILE_SO, h);
	if (p == CHECK) {
		bool at_create = strcmp(op, "create") == 0;
		char *both = tu_fmt("%sotto: the reservation check of lab 'alpha' for user 'tester' %s\n", want,
				    at_create ? "did not run; failing closed (use --skip-reservation-check only in an "
						"emergency)."
					      : "could not get an answer; failing closed.");
		free(want);
		want = both;
	}
	cr_assert_eq(r.status, 1, "%s, %s in %s: exit %d, stderr:\n%s", path_name, act, op, r.status, r.err);
	cr_assert_str_eq(r.err, want, "%s, %s in %s", path_name, act, op);
	cr_assert_str_eq(r.out, "", "%s, %s in %s: something was answered", path_name, act, op);
	tu_result_free(&r);
	free(want);
	free(h);
	free(table);
	cleanup();
}

static const char *const acts[] = {"exit0", "_exit0", "abort", "segv_exit0", "segv_default", "stdout", "garbage",
				   NULL};

Test(hostile, lab_show_in_load_lab)
{
	for (size_t i = 0; acts[i]; i++)
		expect_failure(LAB_SHOW, acts[i], "load_lab");
}

Test(hostile, lab_show_in_create)
{
	for (size_t i = 0; acts[i]; i++)
		expect_failure(LAB_SHOW, acts[i], "create");
}

Test(hostile, reservation_check_in_get_reserved_resources)
{
	for (size_t i = 0; acts[i]; i++)
		expect_failure(CHECK, acts[i], "get_reserved_resources");
}

Test(hostile, reservation_check_in_create)
{
	for (size_t i = 0; acts[i]; i++)
		expect_failure(CHECK, acts[i], "create");
}

Test(hostile, reservation_held_in_get_reserved_resources)
{
	for (size_t i = 0; acts[i]; i++)
		expect_failure(HELD, acts[i], "get_reserved_resources");
}

/* A hang is ended by the per-call time limit (OTTO_CALL_TIMEOUT, small
 * here): the test waits for otto, never for a clock of its own. */
Test(hostile, hang_in_lab_show)
{
	expect_failure(LAB_SHOW, "hang", "load_lab");
}

Test(hostile, hang_in_reservation_check)
{
	expect_failure(CHECK, "hang", "get_reserved_resources");
}

Test(hostile, hang_in_reservation_held)
{
	expect_failure(HELD, "hang", "get_reserved_resources");
}

/* Without the act, the same plugin answers, and the check fails on the
 * facts: the failures above come from the acts. */
Test(hostile, control_without_an_act)
{
	project = ws_project(NULL, NULL);
	tu_result r = WS_RUN(project, NULL, "lab", "show", "alpha");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "10.1.0.1"), "%s", r.out);
	tu_result_free(&r);
	r = WS_RUN(project, NULL, "reservation", "check", "--lab", "alpha");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "otto: User 'tester' does not hold all resources required by lab 'alpha'. Missing:\n"
				"  - sw-a (unreserved)\n");
	tu_result_free(&r);
	const char *grant[] = {"OTTO_TEST_GRANT=1", NULL};
	r = WS_RUN(project, grant, "reservation", "check", "--lab", "alpha");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "User 'tester' holds every resource lab 'alpha' requires: sw-a.\n");
	tu_result_free(&r);
}
