/*
 * Helpers shared by every test: temporary folders, files, running a
 * command and capturing its output. Failures abort the test through
 * Criterion's cr_assert, so callers need no error handling.
 */
#ifndef OTTO_TESTUTIL_H
#define OTTO_TESTUTIL_H

#include <stddef.h>

/* A fresh folder under $TMPDIR (or /tmp); caller frees the string and
 * should tu_rm_rf() it. */
char *tu_mkdtemp(void);

/* Remove a folder tree (best effort). */
void tu_rm_rf(const char *path);

/* Write `content` to dir/name, creating parent folders of name. Returns the
 * full path (caller frees). */
char *tu_write(const char *dir, const char *name, const char *content);

/* Read a whole file (caller frees). */
char *tu_read(const char *path);

/* asprintf that asserts. */
char *tu_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct tu_result {
	int status;      /* exit code, or 128+signal when killed */
	char *out;       /* captured stdout (NUL-terminated) */
	char *err;       /* captured stderr */
} tu_result;

/* Run argv (argv[0] a path; programs of this build run under $OTTO_TEST_WRAPPER when set) in `cwd` (NULL: current) with extra environment
 * entries `env` ("NAME=value", NULL-terminated, may be NULL; "NAME=" with an
 * empty value unsets NAME), capturing output. Kills it after timeout_s
 * (scaled by tu_time_scale()). */
tu_result tu_run(const char *const *argv, const char *cwd, const char *const *env, int timeout_s);
void tu_result_free(tu_result *r);

/* Time limits in tests. No test may depend on a wall-clock limit that a
 * loaded machine or valgrind can exceed, so every limit a test sets (a
 * Criterion .timeout, tu_run's, a time limit handed to otto or
 * otto-conformance) is a base value multiplied by this factor:
 * OTTO_TEST_TIME_SCALE (a number >= 1) when set, else 20 when programs run
 * under valgrind (OTTO_TEST_WRAPPER), else 1. The same factor scales CTest's
 * per-suite TIMEOUT (tests/support/CMakeLists.txt), every Criterion
 * .timeout, and the environment variables of libotto's own limits, which
 * the tests set to scaled defaults before any test runs (testutil.c,
 * scaled_limits[]; add a new limit's variable there). */
double tu_time_scale(void);
/* `seconds` times the scale, rounded up. */
int tu_scaled_seconds(int seconds);

/* tu_run as another user (uid and gid, no supplementary groups), for the
 * permission checks that root bypasses; -1 and -1 run as the caller. */
tu_result tu_run_as(int uid, int gid, const char *const *argv, const char *cwd, const char *const *env,
		    int timeout_s);

/* The uid and gid of the system user `name`, created (useradd) if missing.
 * Skips the test when not run as root. */
void tu_test_user(const char *name, int *uid, int *gid);

/* True when haystack contains needle. */
int tu_contains(const char *haystack, const char *needle);

#endif
