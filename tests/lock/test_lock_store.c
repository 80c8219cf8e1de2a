/*
 * A lock store a plugin provides (ABI 1.2, the third backend kind), through
 * the real discovery path and the otto command: `otto plugins` lists it,
 * `otto lock` acquires, refuses, lists and releases through it, the
 * built-in `lock` view answers from it, and every failure of the store
 * (create, a call, a wrong answer) fails closed naming the store.
 */
#include "lock_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char *project, *store;

static void write_settings(const char *url)
{
	char *s = tu_fmt("[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[locks]\nstore = "
			 "\"tstore\"\nurl = \"%s\"\n",
			 url);
	free(tu_write(project, ".otto/settings.toml", s));
	free(s);
}

static void setup(void)
{
	project = tu_mkdtemp();
	store = tu_fmt("%s/store", project);
	free(tu_write(project, "store/names", "router1\nrouter2\n"));
	write_settings(store);
}

static void teardown(void)
{
	tu_rm_rf(project);
	free(project);
	free(store);
}

TestSuite(lock_store, .init = setup, .fini = teardown, .timeout = 120);

static tu_result run(const char *const *words)
{
	const char *argv[32] = {OTTO_BIN};
	size_t n = 1;
	for (; words[n - 1]; n++)
		argv[n] = words[n - 1];
	argv[n] = NULL;
	char *path = tu_fmt("OTTO_PLUGIN_PATH=%s/lock_tstore:%s", OTTO_TEST_PLUGIN_DIR, OTTO_PLUGIN_BUILD_DIR);
	char *logname = tu_fmt("LOGNAME=%s", lt_me());
	const char *env[] = {path, logname, "USER=", NULL};
	tu_result r = tu_run(argv, project, env, 20);
	free(path);
	free(logname);
	return r;
}
#define OTTO(...) run((const char *const[]){__VA_ARGS__, NULL})

Test(lock_store, otto_plugins_lists_the_third_kind)
{
	tu_result r = OTTO("plugins");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "lock store  tstore"), "%s", r.out);
	tu_result_free(&r);
}

/* A lock store without a required entry is refused by the registry, and
 * `otto lock` then finds no store of that name: never the folder instead. */
Test(lock_store, an_incomplete_store_is_refused_at_registration)
{
	const char *argv[] = {OTTO_BIN, "plugins", NULL};
	char *path = tu_fmt("OTTO_PLUGIN_PATH=%s/lock_tstore_nolist", OTTO_TEST_PLUGIN_DIR);
	const char *env[] = {path, NULL};
	tu_result r = tu_run(argv, project, env, 20);
	cr_assert(tu_contains(r.out, "lock store backend 'tstore' has no list"), "%s%s", r.out, r.err);
	tu_result_free(&r);
	const char *acquire[] = {OTTO_BIN, "lock", "acquire", "router1", NULL};
	r = tu_run(acquire, project, env, 20);
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "no lock store backend named 'tstore'"), "%s", r.err);
	tu_result_free(&r);
	free(path);
}

Test(lock_store, acquire_list_release_and_the_gate_all_go_through_the_store)
{
	tu_result r = OTTO("lock", "acquire", "router1", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	char *path = tu_fmt("%s/router1", store);
	char *line = tu_read(path);
	cr_assert(line && tu_contains(line, lt_me()), "the store holds the lock: %s", line ? line : "(none)");
	free(line);

	r = OTTO("lock", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "router1"), "%s", r.out);
	tu_result_free(&r);

	r = OTTO("reservation", "who", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(lt_contains_fmt(r.out, "%s\n", lt_me()), "the gate reads the store: '%s'", r.out);
	tu_result_free(&r);

	r = OTTO("lock", "release", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	cr_assert_eq(access(path, F_OK), -1, "released: gone from the store");
	free(path);
	r = OTTO("reservation", "who", "router1");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.out);
	tu_result_free(&r);
}

/* Someone else's live lock in the store: refused naming them, and the
 * gate counts it as theirs. */
Test(lock_store, another_holder_is_refused_and_named)
{
	char *rec = tu_fmt("mallory 4242 farhost 77 1 - - %" PRId64 " %" PRId64 " %064d\n", (int64_t)time(NULL),
			   (int64_t)time(NULL) + 3600, 0);
	free(tu_write(project, "store/router2", rec));
	free(rec);
	tu_result r = OTTO("lock", "acquire", "router2");
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(tu_contains(r.err, "mallory"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "who", "router2");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "mallory\n");
	tu_result_free(&r);
	r = OTTO("lock", "release", "router2");
	cr_assert_neq(r.status, 0, "not ours: %s", r.out);
	cr_assert(tu_contains(r.err, "held by mallory"), "%s", r.err);
	tu_result_free(&r);
}

/* The store cannot be reached: both `otto lock` and the gate fail, naming
 * the store and what it said; never "free", never "unreserved". */
Test(lock_store, a_store_that_cannot_be_reached_fails_closed)
{
	write_settings("fail-create");
	tu_result r = OTTO("lock", "acquire", "router1");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "lock store backend 'tstore'"), "%s", r.err);
	cr_assert(tu_contains(r.err, "cannot reach the test store at fail-create"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(tu_contains(r.err, "cannot reach the test store at fail-create"), "%s", r.err);
	tu_result_free(&r);
}

/* A call that fails, and an answer about another lock: errors naming the
 * store, and the gate fails closed on a listing that fails. */
Test(lock_store, a_failing_or_lying_call_is_an_error)
{
	tu_result r = OTTO("lock", "acquire", "err-x");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "lock store backend 'tstore'") && tu_contains(r.err, "the store is down"), "%s",
		  r.err);
	tu_result_free(&r);
	r = OTTO("lock", "acquire", "bad-x");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "was asked about lock 'bad-x' and answered about another"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO("lock", "acquire", "crash-x");
	cr_assert_neq(r.status, 0);
	cr_assert(tu_contains(r.err, "lock store backend 'tstore' (plugin ") && tu_contains(r.err, "crashed"), "%s",
		  r.err);
	cr_assert(tu_contains(r.err, "acquire"), "the crash is charged to the call: %s", r.err);
	tu_result_free(&r);
	free(tu_write(project, "store/names", "err-y\n"));
	r = OTTO("reservation", "check", "--lab", "east");
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(tu_contains(r.err, "the store is down"), "%s", r.err);
	tu_result_free(&r);
}
