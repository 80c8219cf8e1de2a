/*
 * More of what a plugin can do to the process it runs in, and why none of
 * it reaches otto: stdout while registering, a file swapped between the
 * scan and its use, chdir(), setenv(), a crash in destroy after the answer,
 * a daemon keeping the worker's descriptors, and the time limit's settings.
 */
#include "worker_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *project;

static void cleanup(void)
{
	tu_rm_rf(project);
	free(project);
	project = NULL;
}

TestSuite(hostile_more, .fini = cleanup, .timeout = 120);

static void copy(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	cr_assert(in != NULL, "cannot read %s", from);
	FILE *out = fopen(to, "wb");
	cr_assert(out != NULL, "cannot write %s", to);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
	cr_assert_eq(chmod(to, 0755), 0);
}

/* ------------------------------------------------------- registration -- */

Test(hostile_more, stdout_while_registering_refuses_the_plugin_by_name)
{
	project = ws_project(NULL, NULL);
	const char *env[] = {"OTTO_TEST_HOSTILE_REGISTER=stdout", NULL};
	size_t bytes = strlen("User 'tester' holds every resource lab 'alpha' requires: sw-a.\n");
	char *why = tu_fmt("which failed when it was scanned: wrote %zu bytes to stdout while loading or registering, "
			   "which a plugin must never do (stdout is otto's output)",
			   bytes);
	const char *const kinds[] = {"lab", "reservation"};
	tu_result runs[3] = {WS_RUN(project, env, "lab", "show", "alpha"),
			     WS_RUN(project, env, "reservation", "check", "--lab", "alpha"),
			     WS_RUN(project, env, "reservation", "held")};
	for (int i = 0; i < 3; i++) {
		tu_result *r = &runs[i];
		/* check opens the lab backend first. */
		const char *kind = kinds[i == 2];
		char *want = tu_fmt("otto: %s backend 'hostile' is registered only by %s, %s; for the details, run otto "
				    "plugins inspect %s\n",
				    kind, HOSTILE_SO, why, HOSTILE_SO);
		cr_assert_eq(r->status, 2, "run %d: %s", i, r->err);
		cr_assert_str_eq(r->out, "", "run %d", i);
		cr_assert(strncmp(r->err, want, strlen(want)) == 0, "run %d: got %s\nwant %s", i, r->err, want);
		free(want);
		tu_result_free(r);
	}
	/* otto plugins says it too, and stays clean itself. */
	tu_result r = WS_RUN(project, env, "plugins");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "hostile.so: failed (plugin hostile 0.0.1): wrote"), "%s", r.out);
	cr_assert(!tu_contains(r.out, "holds every resource"), "the plugin's text reached stdout: %s", r.out);
	tu_result_free(&r);
	free(why);
}

/* ------------------------------------------------------ a swapped file -- */

/* The file that is used is the file that was scanned. hostile.so renames
 * impostor.so (the same backend names, but it says everybody holds every
 * resource) over itself while the scan registers it: otto must refuse the
 * file it did not scan, in every path, rather than ask the impostor. */
static void swapped(const char *const *words, const char *kind, const char *settings)
{
	project = ct_project(settings);
	char *plugins = tu_fmt("%s/plugins", project);
	cr_assert_eq(mkdir(plugins, 0755), 0);
	char *target = tu_fmt("%s/hostile.so", plugins);
	char *impostor = tu_fmt("%s/impostor.so", project);
	copy(HOSTILE_SO, target);
	copy(IMPOSTOR_SO, impostor);
	char *from = tu_fmt("OTTO_TEST_SWAP_FROM=%s", impostor), *to = tu_fmt("OTTO_TEST_SWAP_TO=%s", target);
	const char *env[] = {from, to, NULL};
	tu_result r = ws_run(project, plugins, env, words);
	char *want = tu_fmt("otto: %s backend 'hostile' (plugin %s) was not loaded: the file changed after it was "
			    "scanned (it is another file now (device ",
			    kind, target);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strncmp(r.err, want, strlen(want)) == 0, "got %s\nwant %s...", r.err, want);
	cr_assert(tu_contains(r.err, "); run the command again to use the new file\n"), "%s", r.err);
	cr_assert_str_eq(r.out, "", "the impostor answered");
	cr_assert_eq(access(impostor, F_OK), -1, "the swap did not happen");
	tu_result_free(&r);
	free(want);
	free(from);
	free(to);
	free(impostor);
	free(target);
	free(plugins);
	cleanup();
}

Test(hostile_more, swapped_file_in_lab_show)
{
	swapped(CT_ARGS("lab", "show", "alpha"), "lab", "[lab]\nbackend = \"hostile\"\n");
}

Test(hostile_more, swapped_file_in_reservation_check)
{
	/* The lab comes from another plugin: the gate asks the swapped file. */
	swapped(CT_ARGS("reservation", "check", "--lab", "east"), "reservation",
		"[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"hostile\"\n");
}

Test(hostile_more, swapped_file_in_reservation_held)
{
	swapped(CT_ARGS("reservation", "held"), "reservation", "[reservations]\nbackend = \"hostile\"\n");
}

/* ---------------------------------------------------- process state -- */

/* chdir() in a backend: a relative --plugin-dir still finds the next
 * plugin (it is opened by otto, whose folder did not change). */
Test(hostile_more, chdir_does_not_move_otto)
{
	project = ct_project("[lab]\nbackend = \"hostile\"\n[lab.hostile]\nin = \"load_lab\"\nact = \"chdir\"\n"
			     "[reservations]\nbackend = \"example\"\n[reservations.example]\nholds = [\"tester: sw-a\"]\n");
	char *lab_dir = tu_fmt("%s/plab", project), *res_dir = tu_fmt("%s/pres", project);
	cr_assert_eq(mkdir(lab_dir, 0755), 0);
	cr_assert_eq(mkdir(res_dir, 0755), 0);
	char *lab_so = tu_fmt("%s/hostile.so", lab_dir), *res_so = tu_fmt("%s/example.so", res_dir);
	copy(HOSTILE_SO, lab_so);
	copy(CT_EXAMPLE_SO, res_so);
	tu_result r = ws_run(project, "plab", NULL, CT_ARGS("--plugin-dir", "pres", "reservation", "check", "--lab", "alpha"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "User 'tester' holds every resource lab 'alpha' requires: sw-a.\n");
	cr_assert_str_eq(r.err, "");
	tu_result_free(&r);
	free(lab_so);
	free(res_so);
	free(lab_dir);
	free(res_dir);
}

/* setenv() in one backend is not seen by another (each has its own worker)
 * nor by otto: the reservation backend grants only when it sees
 * OTTO_TEST_GRANT, which the lab backend sets while loading the lab. */
Test(hostile_more, setenv_reaches_no_other_backend)
{
	project = ws_project("in = \"load_lab\"\nact = \"setenv\"", NULL);
	tu_result r = WS_RUN(project, NULL, "reservation", "check", "--lab", "alpha");
	cr_assert_eq(r.status, 1, "the lab backend's environment granted the check: %s", r.out);
	cr_assert_str_eq(r.err, "otto: User 'tester' does not hold all resources required by lab 'alpha'. Missing:\n"
				"  - sw-a (unreserved)\n");
	cr_assert_str_eq(r.out, "");
	tu_result_free(&r);
}

/* ----------------------------------------------- after the answer -- */

/* A crash in destroy(), after the answer was printed, still fails the
 * command: the exit status is all that can say so by then. */
Test(hostile_more, crash_in_destroy_fails_the_command)
{
	project = ws_project("in = \"destroy\"\nact = \"abort\"", "in = \"destroy\"\nact = \"segv_default\"");
	tu_result r = WS_RUN(project, NULL, "lab", "show", "alpha");
	char *want = ws_sentence("lab", HOSTILE_SO, "crashed with SIGABRT during destroy.");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, want);
	cr_assert(tu_contains(r.out, "10.1.0.1"), "the answer came before: %s", r.out);
	tu_result_free(&r);
	free(want);
	r = WS_RUN(project, NULL, "reservation", "held");
	want = ws_sentence("reservation", HOSTILE_SO, "crashed with SIGSEGV during destroy.");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, want);
	tu_result_free(&r);
	free(want);
}

/* A backend that forks a child keeping the worker's descriptors, then
 * exits: its end is seen at once (a pidfd), not at the time limit. */
Test(hostile_more, a_daemon_does_not_hide_the_exit)
{
	const char *wrapper = getenv("OTTO_TEST_WRAPPER");
	if (wrapper && *wrapper)
		cr_skip_test("valgrind has no pidfd: there the end shows only at the time limit");
	project = ws_project(NULL, "in = \"get_reserved_resources\"\nact = \"daemon\"");
	const char *long_limit[] = {"OTTO_CALL_TIMEOUT=600", NULL};
	tu_result r = WS_RUN(project, long_limit, "reservation", "held");
	char *want = ws_sentence("reservation", HOSTILE_SO,
				 "exited with status 0 during get_reserved_resources without answering; nothing was "
				 "answered.");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, want);
	tu_result_free(&r);
	free(want);
}

/* ------------------------------------------------------ the time limit -- */

Test(hostile_more, call_timeout_from_settings)
{
	project = ws_project(NULL, "in = \"get_reserved_resources\"\nact = \"hang\"");
	char *settings = tu_fmt("%s/.otto/settings.toml", project);
	FILE *f = fopen(settings, "a");
	cr_assert(f);
	int limit = tu_scaled_seconds(1);
	fprintf(f, "[plugins]\ncall_timeout = %d\n", limit);
	fclose(f);
	/* The environment wins over the settings; without it, the settings' 1 s. */
	const char *argv[] = {OTTO_BIN, "--plugin-dir", HOSTILE_DIR, "reservation", "held", NULL};
	/* (Without the worker stage's wrapper: a worker under valgrind does not
	 * start within a second or two.) */
	const char *env[] = {"OTTO_PLUGIN_PATH=", "LOGNAME=tester", "OTTO_CALL_TIMEOUT=", "OTTO_WORKER_WRAPPER=", NULL};
	tu_result r = tu_run(argv, project, env, 60);
	char *want = tu_fmt("did not answer get_reserved_resources within %d s and was stopped", limit);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(tu_contains(r.err, want), "%s", r.err);
	free(want);
	tu_result_free(&r);
	free(settings);
}

Test(hostile_more, call_timeout_values_are_checked)
{
	project = ws_project(NULL, NULL);
	static const char *const bad[] = {"0", "-1", "abc", "1.5", "3601", " 5", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *var = tu_fmt("OTTO_CALL_TIMEOUT=%s", bad[i]);
		const char *argv[] = {OTTO_BIN, "--plugin-dir", HOSTILE_DIR, "reservation", "held", NULL};
		const char *env[] = {"OTTO_PLUGIN_PATH=", "LOGNAME=tester", var, NULL};
		tu_result r = tu_run(argv, project, env, 60);
		char *want = tu_fmt("otto: OTTO_CALL_TIMEOUT='%s' is not a whole number of seconds between 1 and 3600\n",
				    bad[i]);
		cr_assert_eq(r.status, 2, "%s: %s", bad[i], r.err);
		cr_assert_str_eq(r.err, want, "%s", bad[i]);
		tu_result_free(&r);
		free(want);
		free(var);
	}
}

/* ------------------------------------------------ a missing otto-worker -- */

/* libotto looks for otto-worker beside itself. A libotto copied somewhere
 * without it still runs, and says what is missing and where it belongs. */
Test(hostile_more, a_libotto_without_its_worker_says_so)
{
	project = ct_project(CT_EXAMPLE_SETTINGS);
	char *lib = tu_fmt("%s/lib", project);
	cr_assert_eq(mkdir(lib, 0755), 0);
	char *copy_to = tu_fmt("%s/libotto.so.0", lib);
	copy(OTTO_BUILD_DIR "/lib/libotto.so.0", copy_to);
	char *library_path = tu_fmt("LD_LIBRARY_PATH=%s", lib);
	/* (Without a test wrapper for the worker, which would say it otherwise.) */
	const char *env[] = {library_path, "OTTO_WORKER_WRAPPER=", NULL};
	tu_result r = ws_run(project, OTTO_PLUGIN_BUILD_DIR, env, CT_ARGS("plugins"));
	char *want = tu_fmt("example.so: failed: cannot be inspected: the worker could not be started: cannot start "
			    "%s/otto/otto-worker: No such file or directory (otto-worker belongs beside libotto, in "
			    "%s/otto/otto-worker)",
			    lib, lib);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, want), "%s\nwant: %s", r.out, want);
	tu_result_free(&r);
	free(want);
	free(library_path);
	free(copy_to);
	free(lib);
}
