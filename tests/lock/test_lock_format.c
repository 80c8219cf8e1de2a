/* The record format round-trips and rejects what it must. */
#include "locks/lock_file.h"
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

static otto__lockrec sample(void)
{
	otto__lockrec r;
	memset(&r, 0, sizeof r);
	r.kind = OTTO__LOCKREC_LOCK;
	strcpy(r.name, "router1");
	strcpy(r.user, "alice");
	r.uid = 1000;
	strcpy(r.host, "labhost");
	r.pid = 4242;
	r.pid_start = 987654;
	strcpy(r.boot_id, "0f3c9a2e-1111-2222-3333-444455556666");
	strcpy(r.pidns, "4026531836");
	r.taken = 1700000000;
	r.expiry = 1700003600;
	strcpy(r.token_sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	return r;
}

Test(lock_format, round_trip)
{
	otto__lockrec r = sample(), back;
	char text[OTTO__LOCK_RECORD_MAX], why[256];
	int n = otto__lockrec_format(&r, text, sizeof text);
	cr_assert_gt(n, 0);
	cr_assert_eq(otto__lockrec_parse(text, (size_t)n, &back, why, sizeof why), 0, "%s", why);
	cr_assert_eq(memcmp(&r, &back, sizeof r), 0);
	r.expiry = 0;
	r.boot_id[0] = '\0';
	r.pidns[0] = '\0';
	n = otto__lockrec_format(&r, text, sizeof text);
	cr_assert(tu_contains(text, "expiry=none\n"));
	cr_assert(tu_contains(text, "pidns=-\n"));
	cr_assert_eq(otto__lockrec_parse(text, (size_t)n, &back, why, sizeof why), 0, "%s", why);
	cr_assert_eq(back.expiry, 0);
	cr_assert_str_eq(back.boot_id, "");
	cr_assert_str_eq(back.pidns, "");
}

static void rejects(const char *text, const char *why_part)
{
	otto__lockrec r;
	char why[256] = "";
	cr_assert_eq(otto__lockrec_parse(text, strlen(text), &r, why, sizeof why), -1, "accepted: %s", text);
	cr_assert(tu_contains(why, why_part), "expected '%s', got '%s'", why_part, why);
}

Test(lock_format, malformed_records)
{
	otto__lockrec r = sample();
	char text[OTTO__LOCK_RECORD_MAX];
	otto__lockrec_format(&r, text, sizeof text);
	rejects("", "empty");
	rejects("otto-lock 2\nkind=lock", "truncated (no final newline)");
	rejects("otto-lock 3\n", "first line");
	rejects("otto-lock 1\nkind=lock\nend\n", "written by an older otto (format 1");
	rejects("otto-lock 2\nend\n", "missing key 'kind'");
	char *dup = tu_fmt("otto-lock 2\nuser=x\n%s", strchr(text, '\n') + 1);
	rejects(dup, "duplicate key 'user'");
	char *after = tu_fmt("%sextra=1\n", text);
	rejects(after, "text after the 'end' line");
	char *badtoken = strdup(text);
	memcpy(strstr(badtoken, "token_sha256=") + 13, "XYZ", 3);
	rejects(badtoken, "bad value for key 'token_sha256'");
	/* A PID that is not a pid_t, or that kill(2) would read as a group. */
	char *withhuge = tu_fmt("%.*spid=4294967297\n%s", (int)(strstr(text, "pid=") - text), text,
				strchr(strstr(text, "pid="), '\n') + 1);
	rejects(withhuge, "bad value for key 'pid'");
	free(withhuge);
	char *badns = tu_fmt("%.*spidns=abc\n%s", (int)(strstr(text, "pidns=") - text), text,
			     strchr(strstr(text, "pidns="), '\n') + 1);
	rejects(badns, "bad value for key 'pidns'");
	free(badns);
	char *backwards = strdup(text);
	memcpy(strstr(backwards, "expiry=") + 7, "1600000000", 10);
	rejects(backwards, "the expiry is before the time it was taken");
	char *noeq = tu_fmt("otto-lock 2\nnonsense\nend\n");
	rejects(noeq, "a line is not key=value: 'nonsense'");
	free(dup);
	free(after);
	free(badtoken);
	free(backwards);
	free(noeq);
}

Test(lock_format, unknown_keys_from_newer_writers_are_ignored)
{
	otto__lockrec r = sample(), back;
	char text[OTTO__LOCK_RECORD_MAX], why[256];
	otto__lockrec_format(&r, text, sizeof text);
	char *more = tu_fmt("otto-lock 2\nfuture=yes\n%s", strchr(text, '\n') + 1);
	cr_assert_eq(otto__lockrec_parse(more, strlen(more), &back, why, sizeof why), 0, "%s", why);
	free(more);
}

Test(lock_format, names)
{
	cr_assert(otto__lock_name_valid("router1"));
	cr_assert(otto__lock_name_valid("lab:east@rack-2+x_y.z"));
	cr_assert_not(otto__lock_name_valid("a/b"));
	cr_assert_not(otto__lock_name_valid(".tmp"));
	cr_assert_not(otto__lock_name_valid("a b"));
	cr_assert_not(otto__lock_name_valid(""));
	char longname[OTTO__LOCK_NAME_MAX + 2];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cr_assert_not(otto__lock_name_valid(longname));
	longname[OTTO__LOCK_NAME_MAX] = '\0';
	cr_assert(otto__lock_name_valid(longname));
}

Test(lock_format, names_with_lock_in_them_scan_right)
{
	char *root, *dir = NULL;
	root = lt_folder(&dir);
	lt_write(dir, "a.lock.b.lock.3", "x");
	lt_write(dir, "a.lock.b.guard", "");
	lt_write(dir, "a.lock.7", "x");
	lt_write(dir, "a.lock.07", "x");
	lt_write(dir, ".tmp.1.abc", "x");
	lt_write(dir, "README", "x");
	lt_write(dir, "a b.lock.1", "x");              /* not a lock name */
	lt_write(dir, "a.lock.4611686018427387904", "x"); /* 2^62: the last generation */
	lt_write(dir, "a.lock.4611686018427387905", "x"); /* above it: not a generation */
	lt_write(dir, "a.lock.18446744073709551615", "x");
	lt_write(dir, "a.lock.99999999999999999999999", "x");
	int fd;
	otto_error err;
	cr_assert_eq(otto__lock_dir_open(dir, geteuid(), &fd, &err), OTTO_OK, "%s", err.message);
	otto__lock_dirscan scan;
	cr_assert_eq(otto__lock_dirscan_read(fd, dir, NULL, &scan, &err), OTTO_OK);
	cr_assert_eq(scan.count, 2);
	cr_assert_str_eq(scan.names[0].name, "a");
	cr_assert_eq(scan.names[0].count, 2);
	cr_assert_eq(scan.names[0].gens[0], 7);
	cr_assert_eq(scan.names[0].gens[1], OTTO__LOCK_GEN_MAX);
	cr_assert_eq(scan.names[0].guard_type, 0);
	cr_assert_str_eq(scan.names[1].name, "a.lock.b");
	cr_assert_eq(scan.names[1].gens[0], 3);
	cr_assert_neq(scan.names[1].guard_type, 0);
	cr_assert_eq(scan.n_temps, 1);
	cr_assert_str_eq(scan.temps[0], ".tmp.1.abc");
	cr_assert_eq(otto__lock_dirscan_find(&scan, "a.lock.b"), &scan.names[1]);
	cr_assert_null(otto__lock_dirscan_find(&scan, "b"));
	otto__lock_dirscan_free(&scan);
	close(fd);
	char *missing = tu_fmt("%s/nope", dir);
	cr_assert_eq(otto__lock_dir_open(missing, geteuid(), &fd, &err), OTTO_ERROR);
	cr_assert(tu_contains(err.message, "No such file or directory"), "%s", err.message);
	free(missing);
	tu_rm_rf(root);
	free(root);
	free(dir);
}
