/*
 * Two real users on one machine (needs root to create them; skipped
 * otherwise), in a lock folder root made for everybody. The second user can
 * take a free or stale lock of the first, and can neither delete nor
 * overwrite the first user's live lock.
 */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *root, *dir;

/* Run fn as `pw` in a child; returns its exit code, its message in msg. */
typedef int (*step_fn)(char *msg, size_t size);
static int fail_msg(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_msg(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return 1;
}

static pid_t start_as(const struct passwd *pw, step_fn fn, int *msg_fd)
{
	int p[2];
	cr_assert(pipe(p) == 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char msg[1024] = "";
		close(p[0]);
		if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(90);
		/* After setuid: a change of credentials clears the death signal. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int rc = fn(msg, sizeof msg);
		if (write(p[1], msg, strlen(msg) + 1) < 0)
			_exit(91);
		close(p[1]);
		if (rc == 0 && msg[0] == 'W') /* "W": wait here, holding the locks */
			for (;;)
				pause();
		_exit(rc);
	}
	close(p[1]);
	*msg_fd = p[0];
	return pid;
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

static otto_lock_manager *manager_as_me(char *msg, size_t size)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = NULL;
	otto_error err = {0};
	if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK)
		fail_msg(msg, size, "manager: %s", err.message);
	return m;
}

static int first_takes_old_and_dies(char *msg, size_t size)
{
	otto_lock_manager *m = manager_as_me(msg, size);
	bool got = false;
	otto_error err = {0};
	if (!m)
		return 1;
	if (otto_lock_manager_acquire(m, "old", 0, 0, &got, NULL, &err) != OTTO_OK || !got)
		return fail_msg(msg, size, "first user: old: %s", err.message);
	otto_lock_manager_detach(m); /* dies holding it: the lock goes stale */
	otto_lock_manager_free(m);
	return 0;
}

static int first_holds_board(char *msg, size_t size)
{
	otto_lock_manager *m = manager_as_me(msg, size);
	bool got = false;
	otto_error err = {0};
	if (!m)
		return 1;
	if (otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, &err) != OTTO_OK || !got)
		return fail_msg(msg, size, "first user: board: %s", err.message);
	snprintf(msg, size, "W holding board");
	return 0;
}

static int second_user_checks(char *msg, size_t size)
{
	otto_lock_manager *m = manager_as_me(msg, size);
	otto_lock_info info;
	otto_error err = {0};
	bool got = true;
	if (!m)
		return 1;
	/* On the stack: the early returns below must not leak. */
	char board[PATH_MAX], mine[PATH_MAX], old1[PATH_MAX], old2[PATH_MAX];
	snprintf(board, sizeof board, "%s/board.lock.1", dir);
	snprintf(mine, sizeof mine, "%s/mine", dir);
	snprintf(old1, sizeof old1, "%s/old.lock.1", dir);
	snprintf(old2, sizeof old2, "%s/old.lock.2", dir);

	if (otto_lock_manager_acquire(m, "board", 0, 0, &got, &info, &err) != OTTO_OK || got)
		return fail_msg(msg, size, "second user took the first user's live lock (%s)", err.message);
	if (strcmp(info.user, "otto-lk-a") != 0)
		return fail_msg(msg, size, "holder named %s", info.user);
	otto_lock_info_clear(&info);
	if (unlink(board) == 0 || errno != EPERM)
		return fail_msg(msg, size, "unlink of the live lock: %s", strerror(errno));
	int fd = open(mine, O_WRONLY | O_CREAT | O_EXCL, 0644);
	close(fd);
	if (rename(mine, board) == 0 || errno != EPERM)
		return fail_msg(msg, size, "rename over the live lock: %s", strerror(errno));
	if (open(board, O_WRONLY | O_TRUNC) >= 0 || errno != EACCES)
		return fail_msg(msg, size, "opening the live lock for writing: %s", strerror(errno));
	unlink(mine);
	if (otto_lock_manager_release(m, "board", 0, NULL, &err) != OTTO_ERROR ||
	    !tu_contains(err.message, "held by otto-lk-a (pid "))
		return fail_msg(msg, size, "release of the first user's lock: %s", err.message);

	if (otto_lock_manager_acquire(m, "free", 0, 0, &got, NULL, &err) != OTTO_OK || !got)
		return fail_msg(msg, size, "a free lock: %s", err.message);
	if (otto_lock_manager_acquire(m, "old", 0, 0, &got, NULL, &err) != OTTO_OK || !got)
		return fail_msg(msg, size, "the first user's stale lock was not taken over: %s", err.message);
	if (access(old1, F_OK) != 0 || access(old2, F_OK) != 0)
		return fail_msg(msg, size, "expected old.lock.1 (first user's, undeletable) under old.lock.2");
	if (otto_lock_manager_release(m, "old", 0, NULL, &err) != OTTO_OK)
		return fail_msg(msg, size, "release of the taken-over lock: %s", err.message);
	if (otto_lock_manager_get(m, "old", &info, &err) != OTTO_OK || info.state != OTTO_LOCK_FREE)
		return fail_msg(msg, size, "after release 'old' is %s", otto_lock_state_name(info.state));
	otto_lock_info_clear(&info);
	otto_lock_manager_free(m);
	return 0;
}

static int second_takes_board(char *msg, size_t size)
{
	otto_lock_manager *m = manager_as_me(msg, size);
	bool got = false;
	otto_error err = {0};
	if (!m)
		return 1;
	if (otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, &err) != OTTO_OK || !got)
		return fail_msg(msg, size, "the dead first user's board was not taken over: %s", err.message);
	otto_lock_manager_free(m);
	return 0;
}

Test(lock_users, two_real_users, .timeout = 60)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	root = tu_mkdtemp();
	dir = lt_shared_folder(root);
	char msg[1024];
	int fd;

	pid_t pid = start_as(&a, first_takes_old_and_dies, &fd);
	cr_assert_eq(finish(pid, fd, msg, sizeof msg), 0, "%s", msg);

	pid_t holder = start_as(&a, first_holds_board, &fd);
	ssize_t n = read(fd, msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	cr_assert(tu_contains(msg, "W holding board"), "%s", msg);
	char *board = tu_fmt("%s/board.lock.1", dir);
	char *before = tu_read(board);

	pid = start_as(&b, second_user_checks, &fd);
	cr_assert_eq(finish(pid, fd, msg, sizeof msg), 0, "%s", msg);
	char *after = tu_read(board);
	cr_assert_str_eq(after, before, "the first user's live lock is unchanged");
	free(after);

	kill(holder, SIGKILL);
	finish(holder, fd, msg, sizeof msg);
	pid = start_as(&b, second_takes_board, &fd);
	cr_assert_eq(finish(pid, fd, msg, sizeof msg), 0, "%s", msg);
	free(before);
	free(board);
	tu_rm_rf(root);
	free(root);
	free(dir);
}
