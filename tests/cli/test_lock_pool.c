/*
 * otto lock acquire|run --any: the first free lock of a pool, the one the
 * caller holds first, which one it got (and OTTO_LOCK_NAME for run), and
 * fairness: a waiter that queued first gets the lock before callers that
 * came later, however many of them keep trying. Real otto processes on a
 * real lock folder.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

static void locks_project(void)
{
	project = ct_project("[locks]\ndir = \"locks\"\n");
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(lock_pool, .init = locks_project, .fini = remove_project);

Test(lock_pool, takes_the_first_free_and_says_which)
{
	tu_result r = CT_RUN(project, NULL, "lock", "acquire", "board1", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	/* board1 is ours (this process holds it): tried first, taken again. */
	r = CT_RUN(project, NULL, "lock", "acquire", "--any", "board2", "board1", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strncmp(r.out, "acquired board1 (", 17) == 0, "%s", r.out);
	tu_result_free(&r);
	/* run: COMMAND is a new holder, so board1 is in the way; it gets board2. */
	r = CT_RUN(project, NULL, "lock", "run", "--any", "board1", "board2", "--", "sh", "-c",
		   "echo \"got $OTTO_LOCK_NAME\"");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "got board2\n");
	tu_result_free(&r);
}

Test(lock_pool, every_lock_held_is_a_failure_naming_them)
{
	char *script = tu_fmt("'%s' lock acquire b1 b2 --expiry 1h >/dev/null || exit 9\n"
			      "'%s' lock run --any b2 b1 -- true\n",
			      OTTO_BIN, OTTO_BIN);
	tu_result r = tu_run(CT_ARGS("/bin/sh", "-c", script), project, CT_ARGS("OTTO_PLUGIN_PATH="), 30);
	/* The shell holds b1 and b2, and run's COMMAND is another holder:
	 * both are in the way. */
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, "otto: lock run --any: no lock of the pool is free: b2 (held by "), "%s", r.err);
	cr_assert(tu_contains(r.err, ", b1 (held by "), "%s", r.err);
	tu_result_free(&r);
	free(script);
	r = CT_RUN(project, NULL, "lock", "acquire", "--any", "--expiry", "1h");
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(tu_contains(r.err, "missing NAME"), "%s", r.err);
	tu_result_free(&r);
}

/* One board; a waiter queues; then five more callers queue, each trying
 * three times in a row; the board is released. The first waiter must get
 * it first: without the queue, whoever polls first after the release wins,
 * and the first waiter would lose five times in six. */
Test(lock_pool, the_first_waiter_is_served_first, .timeout = 120)
{
	char *log = tu_fmt("%s/order.log", project);
	char *script = tu_fmt("O='%s'; log='%s'\n"
			      "$O lock acquire board --expiry 1h >/dev/null || exit 9\n"
			      "tickets() { $O lock list --json | grep -c '\"name\": \"otto-pool-'; }\n"
			      "$O lock run --any board --wait 90s -- sh -c 'echo first >>\"$1\"' sh \"$log\" &\n"
			      "until [ \"$(tickets)\" -ge 1 ]; do sleep 0.05; done\n"
			      "for i in 1 2 3 4 5; do\n"
			      "  (for k in 1 2 3; do $O lock run --any board --wait 90s -- sh -c 'echo later >>\"$1\"' "
			      "sh \"$log\"; done) &\n"
			      "done\n"
			      "until [ \"$(tickets)\" -ge 6 ]; do sleep 0.05; done\n"
			      "$O lock release board >/dev/null || exit 8\n"
			      "wait\n",
			      OTTO_BIN, log);
	tu_result r = tu_run(CT_ARGS("/bin/sh", "-c", script), project, CT_ARGS("OTTO_PLUGIN_PATH="), 100);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *order = tu_read(log);
	cr_assert(strncmp(order, "first\n", 6) == 0, "the first waiter was not served first:\n%s", order);
	size_t lines = 0;
	for (const char *p = order; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 16, "every caller got the board in the end:\n%s", order);
	free(order);
	tu_result_free(&r);
	free(script);
	free(log);
}
