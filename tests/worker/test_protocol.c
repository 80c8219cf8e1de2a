/*
 * libotto never trusts what arrives from a worker. A fake worker
 * (fake_worker.c, started through the test-only OTTO_WORKER_WRAPPER) breaks
 * the protocol one way per case; each way ends the worker and fails the
 * open with one sentence naming the backend, the plugin file and the call.
 */
#include "testutil.h"

#include <criterion/criterion.h>
#include <otto/otto.h>
#include <stdlib.h>
#include <string.h>

#define GOOD_DIR OTTO_TEST_PLUGIN_DIR "/core_good"
#define GOOD_SO GOOD_DIR "/good.so"
#define FAKE OTTO_BUILD_DIR "/bin/fake_worker"

static otto_registry *reg;

static void setup(void)
{
	otto_error err = {0, ""};
	unsetenv("OTTO_WORKER_WRAPPER");
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, GOOD_DIR, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
}

static void teardown(void)
{
	otto_registry_free(reg);
	unsetenv("OTTO_WORKER_WRAPPER");
	unsetenv("OTTO_TEST_FAKE");
}

TestSuite(protocol, .init = setup, .fini = teardown, .timeout = 60);

/* Open lab backend "good" with the fake worker in `mode`: the status and
 * the message (static storage). */
static const char *open_with(const char *mode, int want_rc)
{
	static otto_error err;
	memset(&err, 0, sizeof err);
	setenv("OTTO_WORKER_WRAPPER", FAKE, 1);
	setenv("OTTO_TEST_FAKE", mode, 1);
	otto_lab_repository *repo = NULL;
	int rc = otto_lab_repository_open(&repo, reg, "good", NULL, &err);
	cr_assert_eq(rc, want_rc, "%s: %d %s", mode, rc, err.message);
	cr_assert_null(repo, "%s", mode);
	return err.message;
}

#define LABEL "lab backend 'good' (plugin " GOOD_SO ") "
#define LOADING "the plugin's loading and registration"

static void expect(const char *mode, int rc, const char *message)
{
	const char *got = open_with(mode, rc);
	cr_assert_str_eq(got, message, "%s", mode);
}

Test(protocol, a_worker_that_leaves_before_greeting)
{
	expect("exit", OTTO_EPLUGIN,
	       LABEL "was not loaded: the worker exited with status 0 during starting the worker without answering");
}

Test(protocol, a_worker_of_another_protocol)
{
	char *want = tu_fmt(LABEL "was not loaded: the worker could not be started: it is otto-worker %s speaking "
				  "protocol 99 with ABI %d.%d, but this libotto is %s speaking protocol 1 with ABI %d.%d "
				  "(reinstall otto)",
			    OTTO_VERSION, OTTO_ABI_MAJOR, OTTO_ABI_MINOR, OTTO_VERSION, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
	expect("bad_hello", OTTO_EPLUGIN, want);
	free(want);
}

Test(protocol, a_first_frame_that_is_not_a_greeting)
{
	expect("garbage_first", OTTO_EPLUGIN,
	       LABEL "was not loaded: the worker sent a first frame that is not its greeting (type 70) during starting "
		     "the worker and was stopped");
}

Test(protocol, a_frame_larger_than_allowed)
{
	expect("huge", OTTO_EPLUGIN,
	       LABEL "sent a frame header announcing more than 16777216 bytes during " LOADING
		     " and was stopped; nothing was answered.");
}

Test(protocol, an_answer_to_another_request)
{
	expect("wrong_tag", OTTO_EPLUGIN,
	       LABEL "sent an answer tagged 8 to request 1 during " LOADING " and was stopped; nothing was answered.");
}

Test(protocol, a_malformed_end)
{
	expect("bad_end", OTTO_EPLUGIN,
	       LABEL "sent a malformed end of answer during " LOADING " and was stopped; nothing was answered.");
}

Test(protocol, an_item_the_request_cannot_have)
{
	expect("wrong_item", OTTO_EPLUGIN,
	       LABEL "sent a malformed answer to opening the plugin (frame type 70) during " LOADING
		     " and was stopped; nothing was answered.");
}

Test(protocol, a_string_with_a_nul_inside)
{
	expect("nul_string", OTTO_EPLUGIN,
	       LABEL "sent a malformed answer to opening the plugin (frame type 66) during " LOADING
		     " and was stopped; nothing was answered.");
}

Test(protocol, a_worker_that_never_answers)
{
	otto_error err = {0, ""};
	unsigned ms = (unsigned)(300 * tu_time_scale());
	cr_assert_eq(otto_registry_set_call_timeout(reg, ms, &err), OTTO_OK, "%s", err.message);
	char *limit = ms % 1000 ? tu_fmt("%u.%03u s", ms / 1000, ms % 1000) : tu_fmt("%u s", ms / 1000);
	char *want = tu_fmt(LABEL "did not answer " LOADING " within %s and was stopped; nothing was answered.", limit);
	expect("silent", OTTO_EPLUGIN, want);
	free(want);
	free(limit);
}

Test(protocol, a_worker_that_closes_its_socket_and_stays)
{
	expect("close", OTTO_EPLUGIN,
	       LABEL "closed its connection during " LOADING " without answering and was stopped; nothing was "
		     "answered.");
}

Test(protocol, what_a_dying_worker_said_on_stderr_is_kept_printable)
{
	const char *got = open_with("stderr", OTTO_EPLUGIN);
	cr_assert(tu_contains(got, LABEL "exited with status 3 during " LOADING " without answering (its stderr: \"line "
					 "00 of a long story, with \\x1b[31mcolour\\x1b[0m\\nline 01"),
		  "%s", got);
	cr_assert(tu_contains(got, " bytes)..."), "the middle is left out: %s", got);
	cr_assert(tu_contains(got, "line 99 of a long story, with \\x1b[31mcolour\\x1b[0m\"); nothing was answered."),
		  "%s", got);
	cr_assert(strlen(got) < 1000, "the message fits: %zu bytes", strlen(got));
	cr_assert(!strchr(got, '\033') && !strchr(got, '\n'), "raw control characters: %s", got);
}

Test(protocol, stdout_written_just_before_the_answer_is_caught)
{
	expect("stdout_at_end", OTTO_ERROR,
	       LABEL "wrote 7 bytes to stdout during create, which a plugin must never do (stdout is otto's output; "
		     "diagnostics belong in the error message); nothing was answered.");
}

Test(protocol, a_worker_wrapper_that_cannot_be_found)
{
	setenv("OTTO_WORKER_WRAPPER", "no-such-wrapper-anywhere --flag", 1);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "good", NULL, &err), OTTO_EPLUGIN);
	cr_assert(tu_contains(err.message, LABEL "was not loaded: the worker could not be started: cannot find "
						 "'no-such-wrapper-anywhere' (the wrapper to run "),
		  "%s", err.message);
}

/* The scan through the same fakes: every file gets the reason. */
Test(protocol, a_scan_whose_worker_cannot_start)
{
	otto_error err = {0, ""};
	setenv("OTTO_WORKER_WRAPPER", FAKE, 1);
	setenv("OTTO_TEST_FAKE", "exit", 1);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	const otto_plugin_info *p = otto_registry_plugin(reg, 1);
	cr_assert_str_eq(p->path, GOOD_SO);
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "cannot be inspected: the worker exited with status 0 during starting the worker "
				    "without answering");
}

Test(protocol, a_scan_worker_that_never_answers)
{
	otto_error err = {0, ""};
	char *limit = tu_fmt("%d", tu_scaled_seconds(1));
	setenv("OTTO_PLUGIN_SCAN_TIMEOUT", limit, 1);
	setenv("OTTO_WORKER_WRAPPER", FAKE, 1);
	setenv("OTTO_TEST_FAKE", "silent", 1);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	unsetenv("OTTO_PLUGIN_SCAN_TIMEOUT");
	const otto_plugin_info *p = otto_registry_plugin(reg, 1);
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	char *want = tu_fmt("did not finish registering within %s s (killed)", limit);
	cr_assert_str_eq(p->detail, want);
	free(want);
	free(limit);
}

/* With no fake: the real worker works, so the failures above are the fakes'. */
Test(protocol, control_with_the_real_worker)
{
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "good", NULL, &err), OTTO_OK, "%s", err.message);
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(repo, &labs, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(labs.count, 2);
	otto_strlist_free(&labs);
	cr_assert_eq(otto_lab_repository_close(repo, &err), OTTO_OK, "%s", err.message);
}

/* ------------------------------------------- a failure heard at free -- */

static char warned[OTTO_ERROR_MESSAGE_MAX];

static void keep_warning(const char *message, void *ud)
{
	(void)ud;
	snprintf(warned, sizeof warned, "%s", message);
}

/* otto_*_free cannot return the failure of a backend's worker (a crash in
 * destroy, or earlier): it goes to the warning handler. */
Test(protocol, a_failure_at_free_is_a_warning)
{
	otto_registry *hostile = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&hostile, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(hostile, OTTO_TEST_PLUGIN_DIR "/worker_hostile", &err), OTTO_OK);
	cr_assert_eq(otto_registry_scan(hostile, &err), OTTO_OK, "%s", err.message);
	otto_setting s[2] = {{.key = "in", .type = OTTO_VALUE_STRING, .string = "destroy", .file = "t", .line = 1},
			     {.key = "act", .type = OTTO_VALUE_STRING, .string = "abort", .file = "t", .line = 2}};
	otto_config cfg = {.struct_size = sizeof cfg, .settings = s, .n_settings = 2};
	otto_reservation_backend *b = NULL;
	cr_assert_eq(otto_reservation_backend_open(&b, hostile, "hostile", &cfg, &err), OTTO_OK, "%s", err.message);
	otto_strlist held;
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, "alice", &held, &err), OTTO_OK, "%s", err.message);
	otto_strlist_free(&held);
	warned[0] = '\0';
	otto_set_warning_handler(keep_warning, NULL);
	otto_reservation_backend_free(b);
	otto_set_warning_handler(NULL, NULL);
	cr_assert_str_eq(warned, "reservation backend 'hostile' (plugin " OTTO_TEST_PLUGIN_DIR
				 "/worker_hostile/hostile.so) crashed with SIGABRT during destroy.");
	otto_registry_free(hostile);
}
