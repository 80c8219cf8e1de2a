/*
 * A backend plugin that crashes during a call: it runs in its worker, so
 * the otto command names the backend, the plugin file, the signal and the
 * call, and fails closed with exit status 1 and nothing on stdout. And
 * otto_plugin_call_in_progress(), the record embedders that run plugins in
 * process use for their own crash reports, seen from inside and outside
 * calls.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <otto/otto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CRASH_DIR OTTO_TEST_PLUGIN_DIR "/cli_crash"
#define CRASH_SO CRASH_DIR "/crash.so"

static char *project;

/* Under valgrind (OTTO_TEST_WRAPPER, and OTTO_WORKER_WRAPPER for the
 * workers) the plugin's deliberate NULL write would count as a memory error
 * (exit 99): crash.supp suppresses exactly that one; everything else stays
 * checked. */
static void suppress_the_deliberate_fault(void)
{
	const char *wrapper = getenv("OTTO_TEST_WRAPPER");
	if (!wrapper || !strstr(wrapper, "valgrind"))
		return;
	char *with = tu_fmt("%s --suppressions=%s/tests/cli/plugins/crash.supp", wrapper, OTTO_SOURCE_DIR);
	setenv("OTTO_TEST_WRAPPER", with, 1);
	free(with);
	const char *worker = getenv("OTTO_WORKER_WRAPPER");
	if (worker && strstr(worker, "valgrind")) {
		with = tu_fmt("%s --suppressions=%s/tests/cli/plugins/crash.supp", worker, OTTO_SOURCE_DIR);
		setenv("OTTO_WORKER_WRAPPER", with, 1);
		free(with);
	}
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(crash, .init = suppress_the_deliberate_fault, .fini = remove_project);

/* stderr without valgrind's own "==pid== ..." lines (a wrapper run warns
 * about the stack overflow it watched); the copy is the caller's. */
static char *without_valgrind_lines(const char *err)
{
	char *out = tu_fmt("%s", err);
	char *w = out;
	for (const char *line = err; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);
		if (!(line[0] == '=' && line[1] == '=')) {
			memmove(w, line, len);
			w += len;
		}
		line += len;
	}
	*w = '\0';
	return out;
}

/* Settings selecting the crashy backends; `lab_table` and `res_table` are
 * the bodies of [lab.crashy] and [reservations.crashy]. */
static void crashy_project(const char *lab_table, const char *res_table)
{
	char *settings = tu_fmt("[lab]\nbackend = \"crashy\"\n[lab.crashy]\n%s\n"
				"[reservations]\nbackend = \"crashy\"\n[reservations.crashy]\n%s\n",
				lab_table, res_table);
	project = ct_project(settings);
	free(settings);
}

/* Run otto (words after --plugin-dir) and expect exactly the crash report,
 * exit status 1 and nothing on stdout. */
/* As expect_crash, with `before` and `after` around the sentence. */
static void expect_crash_in(const char *const *words, const char *kind, const char *signal, const char *op,
			    const char *before, const char *after)
{
	bool after_answer = strcmp(op, "destroy") == 0;
	const char *argv[16] = {"--plugin-dir", CRASH_DIR};
	size_t n = 2;
	for (size_t i = 0; words[i]; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	tu_result r = ct_run(project, NULL, argv);
	char *want = tu_fmt("otto: %s%s backend 'crashy' (plugin %s) crashed with %s during %s%s\n%s", before, kind,
			    CRASH_SO, signal, op, after_answer ? "." : "; nothing was answered.", after);
	cr_assert_eq(r.status, 1, "%s %s: exit %d, stderr:\n%s", kind, op, r.status, r.err);
	char *err = without_valgrind_lines(r.err);
	cr_assert_str_eq(err, want, "%s %s", kind, op);
	free(err);
	/* destroy comes after the answer, which stands on stdout: only the
	 * exit status can still say the command failed. */
	if (!after_answer)
		cr_assert_str_eq(r.out, "", "%s %s: an answer was printed", kind, op);
	free(want);
	tu_result_free(&r);
}

static void expect_crash(const char *const *words, const char *kind, const char *signal, const char *op)
{
	expect_crash_in(words, kind, signal, op, "", "");
}

Test(crash, lab_create)
{
	crashy_project("crash_in = \"create\"", "");
	expect_crash(CT_ARGS("lab", "list"), "lab", "SIGSEGV", "create");
}

Test(crash, lab_list_labs)
{
	crashy_project("crash_in = \"list_labs\"", "");
	expect_crash(CT_ARGS("lab", "list"), "lab", "SIGSEGV", "list_labs");
}

Test(crash, lab_load_lab)
{
	crashy_project("crash_in = \"load_lab\"", "");
	expect_crash(CT_ARGS("lab", "show", "alpha"), "lab", "SIGSEGV", "load_lab");
}

Test(crash, lab_load_lab_through_hosts_fallback)
{
	/* otto lab hosts builds summaries from list_labs + load_lab. */
	crashy_project("crash_in = \"load_lab\"", "");
	expect_crash_in(CT_ARGS("lab", "hosts"), "lab", "SIGSEGV", "load_lab",
			"lab backend 'crashy' lists lab 'alpha' but cannot load it: ", "");
}

Test(crash, lab_destroy)
{
	crashy_project("crash_in = \"destroy\"", "");
	expect_crash(CT_ARGS("lab", "list"), "lab", "SIGSEGV", "destroy");
}

Test(crash, abort_is_named_sigabrt)
{
	crashy_project("crash_in = \"load_lab\"\ncrash_with = \"abort\"", "");
	expect_crash(CT_ARGS("lab", "show", "alpha"), "lab", "SIGABRT", "load_lab");
}

Test(crash, stack_overflow_is_reported)
{
	crashy_project("crash_in = \"list_labs\"\ncrash_with = \"overflow\"", "");
	expect_crash(CT_ARGS("lab", "list"), "lab", "SIGSEGV", "list_labs");
}

Test(crash, reservation_create)
{
	crashy_project("", "crash_in = \"create\"");
	expect_crash(CT_ARGS("reservation", "held"), "reservation", "SIGSEGV", "create");
}

Test(crash, reservation_who_reserved)
{
	crashy_project("", "crash_in = \"who_reserved\"");
	expect_crash(CT_ARGS("reservation", "who", "sw-a"), "reservation", "SIGSEGV", "who_reserved");
}

Test(crash, reservation_get_reserved_resources)
{
	crashy_project("", "crash_in = \"get_reserved_resources\"");
	expect_crash(CT_ARGS("reservation", "held"), "reservation", "SIGSEGV", "get_reserved_resources");
}

Test(crash, reservation_check_fails_closed)
{
	/* The user would pass (crashy holds sw-a for everyone) but the backend
	 * dies first: exit 1, never 0. */
	crashy_project("", "");
	tu_result r = CT_RUN(project, NULL, "--plugin-dir", CRASH_DIR, "reservation", "check", "--lab", "alpha");
	cr_assert_eq(r.status, 0, "the check passes while nothing crashes: %s", r.err);
	tu_result_free(&r);
	remove_project();

	crashy_project("", "crash_in = \"get_reserved_resources\"");
	expect_crash_in(CT_ARGS("reservation", "check", "--lab", "alpha"), "reservation", "SIGSEGV",
			"get_reserved_resources", "",
			"otto: the reservation check of lab 'alpha' for user 'tester' could not get an answer; failing "
			"closed.\n");
}

Test(crash, no_crash_no_report)
{
	crashy_project("", "");
	tu_result r = CT_RUN(project, NULL, "--plugin-dir", CRASH_DIR, "lab", "show", "alpha");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	cr_assert(tu_contains(r.out, "10.1.0.1"), "%s", r.out);
	tu_result_free(&r);
}

/* ------------------------------------ otto_plugin_call_in_progress() -- */

/* What the record said from inside each call of the in-process type. */
typedef struct seen {
	char kind[32], backend[32], path[32], op[32];
	int calls;
} seen;
static seen seen_in_create, seen_in_load, seen_in_destroy;

static void record(seen *s)
{
	const otto_plugin_call_info *call = otto_plugin_call_in_progress();
	cr_assert(call != NULL, "no record inside a plugin call");
	snprintf(s->kind, sizeof s->kind, "%s", call->kind);
	snprintf(s->backend, sizeof s->backend, "%s", call->backend);
	snprintf(s->path, sizeof s->path, "%s", call->plugin_path);
	snprintf(s->op, sizeof s->op, "%s", call->operation);
	s->calls++;
}

static int inproc_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	record(&seen_in_create);
	*self = &seen_in_create;
	return OTTO_OK;
}

static void inproc_destroy(void *self)
{
	(void)self;
	record(&seen_in_destroy);
}

static int inproc_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	return otto_string_out_add(out, "alpha", err);
}

static int inproc_load_lab(void *self, const char *name, const otto_config *prefs, otto_lab_out *out,
			   otto_error *err)
{
	(void)self;
	(void)name;
	(void)prefs;
	(void)out;
	(void)err;
	record(&seen_in_load);
	return OTTO_OK;
}

static const otto_lab_repository_type inproc_type = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = "inproc",
	.create = inproc_create,
	.destroy = inproc_destroy,
	.list_labs = inproc_list_labs,
	.load_lab = inproc_load_lab,
};

static void expect_seen(const seen *s, const char *op)
{
	cr_assert_eq(s->calls, 1, "%s seen %d times", op, s->calls);
	cr_assert_str_eq(s->kind, "lab", "%s", op);
	cr_assert_str_eq(s->backend, "inproc", "%s", op);
	cr_assert_str_eq(s->path, "(built-in)", "%s", op);
	cr_assert_str_eq(s->op, op);
}

Test(plugin_call, recorded_during_calls_only)
{
	cr_assert_null(otto_plugin_call_in_progress(), "a record before any call");
	otto_lab_repository *repo = NULL;
	otto_error err;
	cr_assert_eq(otto_lab_repository_open_type(&repo, &inproc_type, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert_null(otto_plugin_call_in_progress(), "a record left by create");
	otto_lab *lab = NULL;
	cr_assert_eq(otto_lab_repository_load_lab(repo, "alpha", NULL, &lab, &err), OTTO_OK, "%s", err.message);
	cr_assert_null(otto_plugin_call_in_progress(), "a record left by load_lab");
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
	cr_assert_null(otto_plugin_call_in_progress(), "a record left by destroy");
	expect_seen(&seen_in_create, "create");
	expect_seen(&seen_in_load, "load_lab");
	expect_seen(&seen_in_destroy, "destroy");
}

Test(plugin_call, cleared_after_a_failing_call)
{
	otto_registry *reg = NULL;
	otto_error err;
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, CRASH_DIR, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	otto_lab_repository *repo = NULL;
	/* An unknown key: create() fails, and the record is gone after it. */
	otto_setting bad = {.key = "nonsense", .type = OTTO_VALUE_STRING, .string = "x", .file = "test", .line = 1};
	otto_config cfg = {.struct_size = sizeof cfg, .settings = &bad, .n_settings = 1};
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "crashy", &cfg, &err), OTTO_EINVALID, "%s", err.message);
	cr_assert(tu_contains(err.message, "nonsense"), "%s", err.message);
	cr_assert_null(otto_plugin_call_in_progress());
	otto_registry_free(reg);
}

Test(crash, a_crash_outside_plugin_calls_stays_a_crash)
{
	/* otto waits in its own code for the plugin scan (the blocker plugin's
	 * registration never returns) when SIGSEGV arrives: killed by the
	 * signal, no backend named. The plugin opens the FIFO only once the
	 * scan runs, so the handlers are installed by then. */
	project = tu_mkdtemp();
	char *fifo = tu_fmt("%s/ready", project);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	char *script = tu_fmt("\"%s\" --plugin-dir \"%s\" lab list & pid=$!; exec 3<\"%s\"; kill -SEGV $pid; wait $pid; "
			      "echo \"status=$?\"",
			      OTTO_BIN, OTTO_TEST_PLUGIN_DIR "/cli_blocker", fifo);
	char *block = tu_fmt("OTTO_TEST_BLOCK_FIFO=%s", fifo);
	/* (In the sanitizer build, AddressSanitizer's own SEGV handler would
	 * turn the signal into a report and exit 1: not the point here.) */
	tu_result r = tu_run(CT_ARGS("/bin/sh", "-c", script), project, CT_ARGS(block, "ASAN_OPTIONS=handle_segv=0"), 30);
	free(block);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "status=139\n", "stderr: %s", r.err);
	cr_assert(!tu_contains(r.err, "crashed"), "%s", r.err);
	tu_result_free(&r);
	free(script);
	free(fifo);
}
