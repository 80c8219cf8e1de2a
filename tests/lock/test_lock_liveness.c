/*
 * Liveness fails safe (issue 9, case 9): when a holder's liveness cannot be
 * established from here, its lock counts as held. Two real ways to be
 * blind: a /proc mounted hidepid=invisible (the checker cannot see another
 * user's processes), and a holder in another PID namespace on the same
 * host (its PID means another process here). Both need root and mount
 * namespaces; without them the tests are skipped, saying so.
 */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *root, *dir;

static void setup(void)
{
	root = tu_mkdtemp();
	dir = lt_shared_folder(root);
}

static void teardown(void)
{
	tu_rm_rf(root);
	free(root);
	free(dir);
}

TestSuite(lock_liveness, .init = setup, .fini = teardown, .timeout = 60);

#define SKIPPED 77

/* Child exit codes, and the reason in a message pipe. */
static int report(int fd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int report(int fd, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (write(fd, msg, strlen(msg)) < 0)
		code = 90;
	return code;
}

static int finish(pid_t pid, int fd, char *msg, size_t size)
{
	ssize_t n = read(fd, msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fd);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A process of `pw` holding `name` (no expiry) until killed. */
static pid_t holder_as(const struct passwd *pw, const char *name)
{
	int ready[2];
	cr_assert(pipe(ready) == 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(3);
		/* After setuid: a change of credentials clears the death signal. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		otto_lock_options o = lt_options(dir, true, NULL);
		otto_lock_manager *m = NULL;
		otto_error err = {0};
		bool got = false;
		if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK ||
		    otto_lock_manager_acquire(m, name, 0, 0, &got, NULL, &err) != OTTO_OK || !got)
			_exit(4);
		if (write(ready[1], "r", 1) != 1)
			_exit(5);
		for (;;)
			pause();
	}
	char c;
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the holder could not take %s", name);
	close(ready[0]);
	return pid;
}

Test(lock_liveness, a_holder_hidden_by_hidepid_keeps_its_lock)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	pid_t holder = holder_as(&a, "board");
	int p[2];
	cr_assert(pipe(p) == 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		/* A /proc of our own that hides other users' processes. */
		if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") != 0)
			_exit(report(p[1], SKIPPED, "cannot mount /proc with hidepid=invisible: %s", strerror(errno)));
		if (setgid(b.pw_gid) != 0 || setuid(b.pw_uid) != 0)
			_exit(report(p[1], 3, "setuid: %s", strerror(errno)));
		char *path = tu_fmt("/proc/%ld", (long)holder);
		bool hidden = access(path, F_OK) != 0;
		free(path);
		if (!hidden)
			_exit(report(p[1], SKIPPED, "hidepid=invisible does not hide other users' processes here"));
		otto_lock_options o = lt_options(dir, true, NULL);
		otto_lock_manager *m = NULL;
		otto_error err = {0};
		otto_lock_info info;
		bool got = true;
		if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK ||
		    otto_lock_manager_acquire(m, "board", 0, 0, &got, &info, &err) != OTTO_OK)
			_exit(report(p[1], 4, "%s", err.message));
		if (got)
			_exit(report(p[1], 1, "took the lock of a live holder it could not see"));
		if (info.state != OTTO_LOCK_HELD || info.pid != holder)
			_exit(report(p[1], 1, "in the way: %s lock of pid %ld", otto_lock_state_name(info.state),
				     (long)info.pid));
		otto_lock_info_clear(&info);
		otto_lock_manager_free(m);
		_exit(report(p[1], 0, "refused"));
	}
	close(p[1]);
	char msg[1024];
	int status = finish(pid, p[0], msg, sizeof msg);
	lt_kill(holder);
	if (status == SKIPPED)
		cr_skip_test("skipped: %s", msg);
	cr_assert_eq(status, 0, "%s", msg);
}

Test(lock_liveness, a_holder_in_another_pid_namespace_keeps_its_lock)
{
	lt_need_root();
	int p[2], ready[2];
	cr_assert(pipe(p) == 0 && pipe(ready) == 0);
	fflush(NULL);
	pid_t outer = fork();
	if (outer == 0) {
		close(p[0]);
		close(ready[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
			_exit(report(p[1], SKIPPED, "no PID namespaces here: %s", strerror(errno)));
		pid_t inner = fork(); /* PID 1 over there, same host name */
		if (inner == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
				_exit(report(p[1], SKIPPED, "cannot mount /proc: %s", strerror(errno)));
			otto_lock_options o = lt_options(dir, true, NULL);
			otto_lock_manager *m = NULL;
			otto_error err = {0};
			bool got = false;
			if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK ||
			    otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, &err) != OTTO_OK || !got)
				_exit(report(p[1], 4, "the holder could not take the lock: %s", err.message));
			if (write(ready[1], "r", 1) != 1)
				_exit(5);
			for (;;)
				pause();
		}
		int st;
		waitpid(inner, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 6);
	}
	close(p[1]);
	close(ready[1]);
	char c, msg[1024] = "";
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		int status = finish(outer, p[0], msg, sizeof msg);
		if (status == SKIPPED)
			cr_skip_test("skipped: %s", msg);
		cr_assert_fail("the holder in the new namespace failed (%d): %s", status, msg);
	}
	close(ready[0]);

	/* Here its PID (1) is another process: liveness is unknown, so held. */
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_lock_info info;
	otto_error err = {0};
	bool got = true;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 0, 0, &got, &info, &err), OTTO_OK, "%s", err.message);
	cr_assert_not(got, "took the lock of a holder in another PID namespace");
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.pid, 1, "the holder is PID 1 of its namespace");
	otto_lock_info_clear(&info);

	/* Even once it is gone nobody here can tell: held until --force. */
	kill(outer, SIGKILL);
	finish(outer, p[0], msg, sizeof msg);
	cr_assert_eq(otto_lock_manager_get(m, "board", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	otto_lock_info_clear(&info);
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 0, OTTO_LOCK_FORCE, &got, &info, &err), OTTO_OK);
	cr_assert(got);
	otto_lock_info_clear(&info);
	otto_lock_manager_free(m);
}

Test(lock_liveness, a_proc_of_another_namespace_proves_nothing)
{
	/* A record of this very process, but naming a PID namespace that is not
	 * ours: whatever /proc says about that PID here says nothing. */
	uint64_t start = lt_start_time(getpid());
	char *text = lt_record("board", lt_me(), (long)getpid(), start + 1, 1700000000, 0);
	char *ns = lt_pidns();
	char *p = strstr(text, ns);
	p[0] = p[0] == '1' ? '2' : '1';
	lt_write(dir, "board.lock.1", text);
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_lock_info info;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_get(m, "board", &info, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(info.state, OTTO_LOCK_HELD, "a different start time would be 'dead' in our namespace");
	otto_lock_info_clear(&info);
	/* The same record in our namespace: the start time shows it dead. */
	p[0] = ns[0];
	lt_write(dir, "board.lock.1", text);
	cr_assert_eq(otto_lock_manager_get(m, "board", &info, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(info.state, OTTO_LOCK_STALE);
	otto_lock_info_clear(&info);
	otto_lock_manager_free(m);
	free(text);
	free(ns);
}
