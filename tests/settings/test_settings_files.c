/*
 * What is at the settings path may be anything: a FIFO (whose open blocks
 * forever), a character device (/dev/zero never ends), a huge file, a file
 * with raw control characters. Only regular files up to 1 MiB are read,
 * and everything else is a clear error naming the file, from the library
 * and from the otto command (which must not hang). Running out of memory
 * while reading is never taken for the end of the file.
 */
#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static tu_result otto_in(const char *dir, const char *const *words)
{
	const char *argv[16] = {OTTO_BIN};
	size_t n = 1;
	for (size_t i = 0; words[i]; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	const char *env[] = {"OTTO_PLUGIN_PATH=", NULL};
	return tu_run(argv, dir, env, 60);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void assert_refused(const char *path, const char *kind)
{
	otto_settings *s = (otto_settings *)1;
	otto_error err = {0};
	cr_assert_eq(otto_settings_load(&s, path, &err), OTTO_ESETTINGS, "%s", err.message);
	cr_assert_null(s);
	char *want = tu_fmt("cannot read settings file %s: it is %s, not a regular file", path, kind);
	cr_assert_str_eq(err.message, want);
	free(want);
}

Test(settings_files, a_fifo_is_refused_not_waited_on)
{
	char *dir = tu_mkdtemp();
	char *fifo = tu_fmt("%s/.otto/settings.toml", dir);
	free(tu_write(dir, ".otto/placeholder", ""));
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	assert_refused(fifo, "a FIFO");
	/* Found by walking up from the current folder, and given by --settings. */
	tu_result r = otto_in(dir, WORDS("lab", "list"));
	cr_assert_eq(r.status, 2, "exit %d; stderr: %s", r.status, r.err);
	char *want = tu_fmt("otto: cannot read settings file %s: it is a FIFO, not a regular file\n", fifo);
	cr_assert_str_eq(r.err, want);
	tu_result_free(&r);
	r = otto_in(dir, WORDS("--settings", fifo, "lab", "list"));
	cr_assert_eq(r.status, 2, "exit %d; stderr: %s", r.status, r.err);
	cr_assert_str_eq(r.err, want);
	tu_result_free(&r);
	free(want);
	free(fifo);
	tu_rm_rf(dir);
	free(dir);
}

Test(settings_files, a_character_device_is_refused)
{
	assert_refused("/dev/zero", "a character device");
	tu_result r = otto_in(NULL, WORDS("--settings", "/dev/zero", "lab", "list"));
	cr_assert_eq(r.status, 2, "exit %d; stderr: %s", r.status, r.err);
	cr_assert(tu_contains(r.err, "cannot read settings file /dev/zero: it is a character device"), "%s", r.err);
	tu_result_free(&r);
}

/* n bytes of 64-byte comment lines. */
static void comments(char *text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
}

/* A valid file, only too big: 1 MiB of comments before the tables. */
Test(settings_files, a_file_past_one_mib_is_refused)
{
	size_t n = 1024 * 1024;
	char *text = malloc(n + 64);
	comments(text, n);
	strcpy(text + n, "[lab]\nbackend = \"example\"\n");
	st_case c;
	st_load(&c, text);
	cr_assert_eq(c.rc, OTTO_ESETTINGS, "loaded a %zu-byte settings file", strlen(text));
	char *want = tu_fmt("cannot read settings file %s: it is larger than 1 MiB, the most a settings file may hold",
			    c.path);
	cr_assert_str_eq(c.err.message, want);
	free(want);
	st_done(&c);
	/* Exactly 1 MiB is fine. */
	comments(text, n);
	strcpy(text + n - 27, "\n[lab]\nbackend = \"example\"\n");
	cr_assert_eq(strlen(text), n);
	st_load_ok(&c, text);
	cr_assert_str_eq(otto_settings_lab_backend(c.settings), "example");
	st_done(&c);
	free(text);
}

Test(settings_files, raw_control_characters_are_refused)
{
	st_expect_error("[lab]\nbackend = \"ex\x1b[2Jample\"\n", 2,
			"the line holds the control character \\x1b at column 14, which TOML does not allow (inside a "
			"quoted string write \\n, \\t or \\r)");
	st_expect_error("[lab]\r\nbackend = \"a\rb\"\r\n", 2,
			"the line holds the control character \\x0d at column 13, which TOML does not allow (inside a "
			"quoted string write \\n, \\t or \\r)");
	/* A tab is allowed, and so are CRLF line ends. */
	st_case c;
	st_load_ok(&c, "[lab]\r\nbackend\t=\t\"example\"\r\n");
	cr_assert_str_eq(otto_settings_lab_backend(c.settings), "example");
	st_done(&c);
}

/* A settings file whose last table comes after a long comment line, read
 * by otto with every allocation above 512 KiB failing (failbig.so): it may
 * fail to load (otto aborts with "out of memory"), but it must never load
 * without the last table. Under AddressSanitizer or valgrind, which bring
 * their own malloc, the allocations do not fail: skipped there. */
Test(settings_files, running_out_of_memory_is_not_the_end_of_the_file)
{
#if defined(__SANITIZE_ADDRESS__)
	cr_skip_test("AddressSanitizer brings its own malloc");
#endif
	const char *wrapper = getenv("OTTO_TEST_WRAPPER");
	if (wrapper && *wrapper)
		cr_skip_test("the test wrapper brings its own malloc");
	char *dir = tu_mkdtemp();
	char *head = tu_fmt("%s/settings.toml", dir);
	FILE *f = fopen(head, "w");
	cr_assert(f);
	fputs("[lab]\nbackend = \"example\"\n#", f);
	for (size_t i = 0; i < 900 * 1024; i++)
		fputc('x', f);
	fputs("\n[reservations]\nbackend = \"example\"\n", f);
	fclose(f);
	const char *argv[] = {OTTO_BIN, "--settings", head, "--as-user", "alice", "reservation", "held", NULL};
	const char *env[] = {"OTTO_PLUGIN_PATH=", "LD_PRELOAD=" OTTO_TEST_FAILBIG, "OTTO_TEST_FAIL_BIG=524288", NULL};
	tu_result r = tu_run(argv, dir, env, 60);
	/* The example backend holds lab-a and shared for alice; "none" holds nothing. */
	cr_assert(r.status != 0 || tu_contains(r.out, "lab-a"),
		  "the settings loaded without [reservations]: running out of memory was taken for the end of the "
		  "file (exit %d, stdout '%s', stderr '%s')",
		  r.status, r.out, r.err);
	cr_assert(r.status == 0 || tu_contains(r.err, "out of memory") || tu_contains(r.err, "characters long"), "%s",
		  r.err);
	tu_result_free(&r);
	free(head);
	tu_rm_rf(dir);
	free(dir);
}
