/*
 * otto reservation reserve | cancel, run for real: build/bin/otto finds the
 * ledger test plugin (tests/cli/plugins/ledger.c) through [plugins] path,
 * runs it in otto-worker, and its reservations persist in a file between
 * runs, so each step below is a separate otto process.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEDGER_DIR OTTO_TEST_PLUGIN_DIR "/cli_ledger"

static char *project;
static char *ledger_file;

/* A project whose reservation backend is `backend` ("ledger", "ledger-ro"),
 * with `extra` appended to its [reservations.BACKEND] table. */
static void make_project_with(const char *backend, const char *extra)
{
	project = ct_project(NULL);
	ledger_file = tu_fmt("%s/ledger.txt", project);
	char *settings = tu_fmt("[plugins]\npath = [\"" LEDGER_DIR "\"]\n"
				"[reservations]\nbackend = \"%s\"\n"
				"[reservations.%s]\nfile = \"%s\"\nadmins = [\"root\"]\n%s",
				backend, backend, ledger_file, extra);
	char *dir = tu_fmt("%s/.otto", project);
	mkdir(dir, 0755);
	free(tu_write(dir, "settings.toml", settings));
	free(dir);
	free(settings);
}

static void make_project(void)
{
	make_project_with("ledger", "");
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
	free(ledger_file);
}

/* Assert status, and that stderr holds `needle` (NULL: anything). */
static void expect(const tu_result *r, int code, const char *needle)
{
	cr_assert_eq(r->status, code, "exit %d, expected %d; stderr: %s; stdout: %s", r->status, code, r->err, r->out);
	if (needle)
		cr_assert(strstr(r->err, needle), "stderr lacks \"%s\": %s", needle, r->err);
}
#define EXPECT(r, code, needle) expect(&(r), (code), (needle))

TestSuite(reservation_write, .init = make_project, .fini = remove_project);

/* ---------------------------------------------------------- usage errors -- */

typedef struct bad_line {
	const char *argv[10];
	const char *says;
} bad_line;

static const bad_line bad_lines[] = {
    {{"reservation", "reserve", "b1", "--until", "2026-13-01"}, "--until 2026-13-01: month 13 is not 01-12"},
    {{"reservation", "reserve", "b1", "--until", "2027-02-29T09:00Z"}, "day 29 does not exist in 2027-02"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01"}, "a date without a time"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T09:00"}, "no zone: add Z for UTC"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T24:00Z"}, "hour 24 is not 00-23"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T09:60Z"}, "minute 60 is not 00-59"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T09:00:60Z"}, "second 60 is not 00-59"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T09:00+24:00"}, "zone offset +24:00 is out of range"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T09:00:00.Z"}, "a decimal point without digits"},
    {{"reservation", "reserve", "b1", "--until", "2099-01-01T09:00Zjunk"}, "unexpected text after the time"},
    {{"reservation", "reserve", "b1", "--until", "tomorrow"}, "--until tomorrow: not a date"},
    {{"reservation", "reserve", "b1", "--until", "10000-01-01T00:00Z"}, "--until 10000-01-01T00:00Z: not a date"},
    {{"reservation", "reserve", "b1", "--until", "9999-12-31T23:59:59-01:00"}, "after 9999-12-31T23:59:59Z"},
    {{"reservation", "reserve", "b1", "--for", "999999999d"}, "--for 999999999d: the window would end after"},
    {{"reservation", "reserve", "b1", "--from", "1969-12-31T23:00Z", "--until", "2099-01-01T00:00Z"},
     "--from 1969-12-31T23:00Z: before 1970"},
    {{"reservation", "reserve", "b1", "--for", "0"}, "--for 0: invalid duration '0'"},
    {{"reservation", "reserve", "b1", "--for", "-5m"}, "--for -5m: invalid duration"},
    {{"reservation", "reserve", "b1", "--for", "1h", "--until", "2099-01-01T00:00Z"},
     "--for and --until cannot be used together"},
    {{"reservation", "reserve", "b1"}, "missing --for DURATION or --until TIME"},
    {{"reservation", "reserve", "--for", "1h"}, "missing RESOURCE"},
    {{"reservation", "reserve", "b1", "--from", "2099-01-02T00:00Z", "--until", "2099-01-01T00:00Z"},
     "--from 2099-01-02T00:00Z is not before --until 2099-01-01T00:00Z"},
    {{"reservation", "reserve", "b1", "--from", "2099-01-01T00:00Z", "--until", "2099-01-01T00:00:00.5Z"},
     "is not before --until"},
    {{"reservation", "reserve", "b1", "--until", "now"}, "--until now is not after now"},
    {{"reservation", "reserve", "b1", "--from", "2020-01-01T00:00Z", "--until", "2020-01-02T00:00Z"},
     "the window ends at 2020-01-02T00:00:00Z, which has passed"},
    {{"reservation", "reserve", "b1", "b2", "b1", "--for", "1h"}, "resource 'b1' is given twice"},
    {{"reservation", "reserve", "", "--for", "1h"}, "resource 1 is empty"},
    {{"reservation", "reserve", "b1", "--for", "1h", "--sharde"}, "Did you mean '--shared'?"},
    {{"reservation", "reserve", "b1", "--for", "1h", "--as-user", "bob"},
     "--as-user bob: reservations are written only in your own name (tester)"},
    {{"reservation", "cancel", "b1", "--from", "2026-00-10T00:00Z"}, "--from 2026-00-10T00:00Z: month 00"},
    {{"reservation", "cancel", "b1", "b1"}, "resource 'b1' is given twice"},
    {{"reservation", "cancel"}, "missing RESOURCE"},
    {{"reservation", "cancel", "b1", "--as-user", "root"}, "--as-user root: reservations are written only"},
    {{"reservation", "cancel", "b1", "--for", "1h"}, "unknown option '--for'"},
};

Test(reservation_write, every_usage_error_names_the_option_and_exits_2)
{
	for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		tu_result r = ct_run(project, NULL, bad_lines[i].argv);
		cr_assert_eq(r.status, 2, "case %zu (%s): exit %d; stderr: %s", i, bad_lines[i].says, r.status, r.err);
		cr_assert(strstr(r.err, bad_lines[i].says), "case %zu: stderr lacks \"%s\": %s", i, bad_lines[i].says,
			  r.err);
		cr_assert_str_eq(r.out, "", "case %zu: a usage error printed on stdout: %s", i, r.out);
		tu_result_free(&r);
	}
	/* Nothing reached the backend (which creates its file on first use). */
	cr_assert_neq(access(ledger_file, F_OK), 0, "a refused command reached the backend");
}

Test(reservation_write, too_many_resources)
{
	/* More words than ct_run takes: tu_run with ct_run's environment. */
	const char *argv[80] = {OTTO_BIN, "reservation", "reserve", "--for", "1h"};
	const char *env[] = {"OTTO_PLUGIN_PATH=", "LOGNAME=tester", NULL};
	char names[70][8];
	for (int i = 0; i < 70; i++) {
		snprintf(names[i], sizeof names[i], "r%d", i);
		argv[5 + i] = names[i];
	}
	tu_result r = tu_run(argv, project, env, 30);
	EXPECT(r, 2, "at most 64 RESOURCE at once");
	tu_result_free(&r);
}

/* ---------------------------------------------------------- happy paths -- */

Test(reservation_write, reserve_then_see_it_then_cancel)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b2", "b1", "--for", "1h");
	EXPECT(r, 0, NULL);
	cr_assert(strstr(r.out, "reserved b1 from "), "%s", r.out);
	cr_assert(strstr(r.out, "(exclusive)\nreserved b2 from "), "one line per window, sorted: %s", r.out);
	tu_result_free(&r);

	r = CT_RUN(project, NULL, "reservation", "held");
	EXPECT(r, 0, NULL);
	cr_assert_str_eq(r.out, "b1\nb2\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "who", "b1");
	EXPECT(r, 0, NULL);
	cr_assert_str_eq(r.out, "tester\n");
	tu_result_free(&r);

	/* --as-user naming the caller is allowed. */
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1", "--as-user", "tester");
	EXPECT(r, 0, NULL);
	cr_assert(strncmp(r.out, "cancelled b1 from ", 18) == 0, "%s", r.out);
	cr_assert(!strchr(strchr(r.out, '\n') + 1, '\n'), "one window cancelled: %s", r.out);
	tu_result_free(&r);

	r = CT_RUN(project, NULL, "reservation", "cancel", "b1");
	EXPECT(r, 4, "nothing to cancel: tester holds no reservation of b1 in reservation backend 'ledger'");
	cr_assert_str_eq(r.out, "");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "held");
	cr_assert_str_eq(r.out, "b2\n");
	tu_result_free(&r);
}

Test(reservation_write, times_with_offsets_and_fractions)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "--from", "2099-01-01T01:00:00.999+01:00",
			     "--until", "2099-01-01T0330+0130");
	/* "0330" is not HH:MM: refused, nothing made. */
	EXPECT(r, 2, "not a time of day");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "--from", "2099-01-01T01:00:00.999+01:00", "--until",
		   "2099-01-01T03:30+0130");
	EXPECT(r, 0, NULL);
	cr_assert_str_eq(r.out, "reserved b1 from 2099-01-01T00:00:00Z until 2099-01-01T02:00:00Z (exclusive)\n");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "reserve", "b2", "--from", "2099-03-01T00:00-05", "--for", "90s");
	EXPECT(r, 0, NULL);
	cr_assert_str_eq(r.out, "reserved b2 from 2099-03-01T05:00:00Z until 2099-03-01T05:01:30Z (exclusive)\n");
	tu_result_free(&r);
	/* A leap day that exists. */
	r = CT_RUN(project, NULL, "reservation", "reserve", "b3", "--from", "2096-02-29T23:00Z", "--for", "2h");
	EXPECT(r, 0, NULL);
	cr_assert_str_eq(r.out, "reserved b3 from 2096-02-29T23:00:00Z until 2096-03-01T01:00:00Z (exclusive)\n");
	tu_result_free(&r);

	/* Future windows: cancel from now takes them; from after them, nothing. */
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1", "--from", "2099-01-01T02:00Z");
	EXPECT(r, 4, "covers 2099-01-01T02:00:00Z or starts after it");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1", "b2");
	EXPECT(r, 0, NULL);
	cr_assert_str_eq(r.out, "cancelled b1 from 2099-01-01T00:00:00Z until 2099-01-01T02:00:00Z\n"
				"cancelled b2 from 2099-03-01T05:00:00Z until 2099-03-01T05:01:30Z\n");
	tu_result_free(&r);
}

/* ------------------------------------------------------------- conflicts -- */

Test(reservation_write, conflict_names_holder_and_window_and_makes_nothing)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b2", "--from", "2099-01-01T00:00Z", "--until",
			     "2099-01-01T02:00Z");
	EXPECT(r, 0, NULL);
	tu_result_free(&r);
	/* bob asks for three; the second overlaps: none is made. */
	r = CT_RUN(project, CT_ARGS("LOGNAME=bob"), "reservation", "reserve", "b1", "b2", "b3", "--from",
		   "2099-01-01T01:00Z", "--for", "2h");
	EXPECT(r, 3, "b2 is held by tester from 2099-01-01T00:00:00Z until 2099-01-01T02:00:00Z (exclusive)");
	cr_assert(strstr(r.err, "nothing was reserved"), "%s", r.err);
	cr_assert_str_eq(r.out, "");
	tu_result_free(&r);
	char *text = tu_read(ledger_file);
	cr_assert(!strstr(text, "bob"), "a refused request left a reservation: %s", text);
	free(text);
	/* Back to back is no overlap ([start, end)). */
	r = CT_RUN(project, CT_ARGS("LOGNAME=bob"), "reservation", "reserve", "b2", "--from", "2099-01-01T02:00Z",
		   "--for", "1h");
	EXPECT(r, 0, NULL);
	tu_result_free(&r);
}

Test(reservation_write, shared_windows_share_but_exclude_exclusive)
{
	tu_result r = CT_RUN(project, CT_ARGS("LOGNAME=alice"), "reservation", "reserve", "scope", "--shared", "--for",
			     "1h");
	EXPECT(r, 0, NULL);
	cr_assert(strstr(r.out, "(shared)"), "%s", r.out);
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=bob"), "reservation", "reserve", "scope", "--shared", "--for", "30m");
	EXPECT(r, 0, NULL);
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=carol"), "reservation", "reserve", "scope", "--for", "10m");
	EXPECT(r, 3, "scope is held by alice from ");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "who", "scope");
	cr_assert_str_eq(r.out, "alice\nbob\n");
	tu_result_free(&r);
}

/* Eight otto processes race for one window: the store lets one win. */
Test(reservation_write, racing_writers_one_wins)
{
	enum { N = 8 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		cr_assert(pids[i] >= 0);
		if (pids[i] == 0) {
			char *login = tu_fmt("LOGNAME=user%d", i);
			tu_result r = CT_RUN(project, CT_ARGS(login), "reservation", "reserve", "board", "--from",
					     "2099-05-01T00:00Z", "--for", "1h");
			int ok = r.status == 0 || (r.status == 3 && strstr(r.err, "board is held by user"));
			_exit(r.status == 0 ? 0 : ok ? 3 : 1);
		}
	}
	int won = 0, lost = 0;
	for (int i = 0; i < N; i++) {
		int status;
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status));
		won += WEXITSTATUS(status) == 0;
		lost += WEXITSTATUS(status) == 3;
	}
	cr_assert_eq(won, 1, "%d winners", won);
	cr_assert_eq(lost, N - 1, "a loser failed without naming the holder");
}

/* ---------------------------------------------------------------- force -- */

Test(reservation_write, force_is_the_backends_call_and_names_whose)
{
	tu_result r = CT_RUN(project, CT_ARGS("LOGNAME=bob"), "reservation", "reserve", "b1", "b2", "--for", "1h");
	EXPECT(r, 0, NULL);
	tu_result_free(&r);
	/* tester's own cancel does not touch bob's. */
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1");
	EXPECT(r, 4, "nothing to cancel");
	tu_result_free(&r);
	/* tester is no administrator: the backend refuses --force. */
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1", "--force");
	EXPECT(r, 1, "'tester' is not an administrator");
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=root"), "reservation", "cancel", "b1", "--force");
	EXPECT(r, 0, NULL);
	cr_assert(strstr(r.out, "cancelled b1 from ") && strstr(r.out, "(forced: it was bob's)\n"), "%s", r.out);
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=root"), "reservation", "cancel", "b2", "--force", "--json");
	EXPECT(r, 0, NULL);
	yajl_val v = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(v, CT_ARGS("user")), "root");
	cr_assert(YAJL_IS_TRUE(ct_get(v, CT_ARGS("forced"), yajl_t_true)));
	yajl_val windows = ct_get(v, CT_ARGS("windows"), yajl_t_array);
	cr_assert_eq(windows->u.array.len, 1);
	cr_assert_str_eq(ct_json_string(windows->u.array.values[0], CT_ARGS("holder")), "bob");
	cr_assert_str_eq(ct_json_string(windows->u.array.values[0], CT_ARGS("resource")), "b2");
	yajl_tree_free(v);
	tu_result_free(&r);
	r = CT_RUN(project, CT_ARGS("LOGNAME=root"), "reservation", "cancel", "b2", "--force");
	EXPECT(r, 4, "nothing to cancel: nobody holds");
	tu_result_free(&r);
}

/* ----------------------------------------------------------------- JSON -- */

Test(reservation_write, json_answers)
{
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "--from", "2099-01-01T00:00Z", "--for",
			     "2h", "--shared", "--json");
	EXPECT(r, 0, NULL);
	yajl_val v = ct_json(r.out);
	cr_assert_str_eq(ct_json_string(v, CT_ARGS("user")), "tester");
	cr_assert_str_eq(ct_json_string(v, CT_ARGS("backend")), "ledger");
	cr_assert(YAJL_IS_TRUE(ct_get(v, CT_ARGS("shared"), yajl_t_true)));
	yajl_val windows = ct_get(v, CT_ARGS("windows"), yajl_t_array);
	cr_assert_eq(windows->u.array.len, 1);
	cr_assert_str_eq(ct_json_string(windows->u.array.values[0], CT_ARGS("from")), "2099-01-01T00:00:00Z");
	cr_assert_str_eq(ct_json_string(windows->u.array.values[0], CT_ARGS("until")), "2099-01-01T02:00:00Z");
	yajl_tree_free(v);
	tu_result_free(&r);

	r = CT_RUN(project, NULL, "reservation", "cancel", "b1", "--json");
	EXPECT(r, 0, NULL);
	v = ct_json(r.out);
	cr_assert(YAJL_IS_FALSE(ct_get(v, CT_ARGS("forced"), yajl_t_false)));
	windows = ct_get(v, CT_ARGS("windows"), yajl_t_array);
	cr_assert_eq(windows->u.array.len, 1);
	cr_assert_str_eq(ct_json_string(windows->u.array.values[0], CT_ARGS("holder")), "tester");
	yajl_tree_free(v);
	tu_result_free(&r);

	/* Nothing to cancel: exit 4, and still one JSON document. */
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1", "--json");
	EXPECT(r, 4, "nothing to cancel");
	v = ct_json(r.out);
	cr_assert_eq(ct_get(v, CT_ARGS("windows"), yajl_t_array)->u.array.len, 0);
	yajl_tree_free(v);
	tu_result_free(&r);

	/* A conflict prints nothing on stdout. */
	r = CT_RUN(project, CT_ARGS("LOGNAME=bob"), "reservation", "reserve", "b9", "--for", "1h", "--json");
	EXPECT(r, 0, NULL);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "reserve", "b9", "--for", "1h", "--json");
	EXPECT(r, 3, "b9 is held by bob");
	cr_assert_str_eq(r.out, "");
	tu_result_free(&r);
}

/* ------------------------------------------------ backends that cannot -- */

/* Each test makes its own project (the suite above already made one). */
TestSuite(reservation_write_backends, .fini = remove_project);

Test(reservation_write_backends, read_only_backend_says_so)
{
	make_project_with("ledger-ro", "");
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "--for", "1h");
	EXPECT(r, 1, "reservation backend 'ledger-ro' (" LEDGER_DIR "/ledger.so) is read-only: it cannot reserve.");
	cr_assert_str_eq(r.out, "");
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1");
	EXPECT(r, 1, "is read-only: it cannot cancel.");
	tu_result_free(&r);
}

Test(reservation_write_backends, built_in_none_is_read_only)
{
	project = ct_project("");
	ledger_file = NULL;
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "--for", "1h");
	EXPECT(r, 1, "reservation backend 'none' (built-in) is read-only: it cannot reserve.");
	tu_result_free(&r);
}

Test(reservation_write_backends, a_backend_that_makes_less_than_asked_fails)
{
	make_project_with("ledger", "partial = true\n");
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "b2", "--for", "1h");
	EXPECT(r, 1, "answered reserve without reporting a window for 'b2'");
	cr_assert_str_eq(r.out, "");
	tu_result_free(&r);
}

Test(reservation_write_backends, backend_error_fails_with_its_sentence)
{
	make_project_with("ledger", "");
	/* The ledger file is a folder: every call fails. */
	mkdir(ledger_file, 0755);
	tu_result r = CT_RUN(project, NULL, "reservation", "reserve", "b1", "--for", "1h");
	EXPECT(r, 1, ledger_file);
	tu_result_free(&r);
	r = CT_RUN(project, NULL, "reservation", "cancel", "b1");
	EXPECT(r, 1, ledger_file);
	tu_result_free(&r);
}
