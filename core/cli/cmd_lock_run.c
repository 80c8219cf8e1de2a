/*
 * otto lock run: hold locks while a command runs (the command's process is
 * their holder), and with --expiry keep their lease alive: renewed every
 * third of it while the command lives. A lock found lost (taken over,
 * broken, or its lease ran out before a renewal got through) stops the
 * command with SIGTERM, as a lease-based tool must: it no longer has the
 * board to itself (docs/locks.md, "Leases").
 */
#include "cmd_lock.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t run_child;
static volatile sig_atomic_t run_pending;

static void forward_signal(int sig)
{
	if (run_child > 0)
		kill((pid_t)run_child, sig);
	else
		run_pending = sig;
}

/* The child that becomes COMMAND: it waits for the word "go" (the locks
 * are its own by then), and exits quietly if otto dies or gives up first. */
static void run_child_main(const lock_args *a, pid_t parent, int go_fd)
{
	char word;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	ssize_t n;
	while ((n = read(go_fd, &word, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(125); /* otto could not take the locks (or died): nothing to run */
	/* With --any, the name of the lock taken follows (to EOF). */
	char chosen[256];
	size_t have = 0;
	while (have + 1 < sizeof chosen && ((n = read(go_fd, chosen + have, sizeof chosen - 1 - have)) > 0 ||
					    (n < 0 && errno == EINTR)))
		have += n > 0 ? (size_t)n : 0;
	chosen[have] = '\0';
	if (have && setenv("OTTO_LOCK_NAME", chosen, 1) != 0)
		_exit(125);
	close(go_fd);
	/* From here COMMAND holds the locks: it must outlive a killed otto
	 * rather than leave its board half done, and the locks stay with it. */
	prctl(PR_SET_PDEATHSIG, 0);
	execvp(a->command[0], a->command);
	cli_line(stderr, "otto lock run: cannot run '%s': %s", a->command[0], strerror(errno));
	_exit(127);
}

static int reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "otto lock run: waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Renew the lease; false when a lock is lost (the command must stop).
 * A store that cannot answer now is retried at the next turn, as long as
 * the lease granted by the last success has not run out. */
static bool renew_lease(otto_lock_manager *m, const lock_args *a, int64_t *good_until_ms, bool *can_renew)
{
	otto_error err = {0};
	int64_t asked = mono_ms();
	int rc = otto_lock_manager_renew(m, a->expiry, &err);
	if (rc == OTTO_OK) {
		*good_until_ms = asked + a->expiry * 1000;
		return true;
	}
	if (rc == OTTO_EINVALID) {
		/* A store without leases: the expiry stays what it was, as before
		 * leases existed; the user hears it once. */
		cli_line(stderr, "otto lock run: %s; the locks expire %lld s after they were taken", err.message,
			 (long long)a->expiry);
		*can_renew = false;
		return true;
	}
	if (rc == OTTO_ENOTFOUND) {
		cli_line(stderr, "otto lock run: a lock is lost: %s; stopping '%s' (SIGTERM)", err.message, a->command[0]);
		return false;
	}
	if (mono_ms() >= *good_until_ms) {
		cli_line(stderr, "otto lock run: the lease ran out before it could be renewed (%s); stopping '%s' (SIGTERM)",
			 err.message, a->command[0]);
		return false;
	}
	cli_line(stderr, "otto lock run: cannot renew the lease now (%s); trying again, %lld s left", err.message,
		 (long long)((*good_until_ms - mono_ms()) / 1000));
	return true;
}

/* Wait for the command, renewing the lease every third of --expiry. It
 * waits on a pidfd (the command's end wakes it at once); without one it
 * looks every 100 ms. */
static int wait_renewing(otto_lock_manager *m, const lock_args *a, pid_t pid, int *status)
{
	int64_t period = a->expiry * 1000 / 3, next = mono_ms() + period;
	int64_t good_until = mono_ms() + a->expiry * 1000;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool stopped = false, can_renew = true;
	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			fprintf(stderr, "otto lock run: waitpid: %s\n", strerror(errno));
			if (pidfd >= 0)
				close(pidfd);
			return -1;
		}
		int64_t left = next - mono_ms();
		if (left <= 0 && !can_renew) {
			left = 60000; /* only the command's end wakes it now */
			next = mono_ms() + left;
		} else if (left <= 0) {
			if (!stopped && !renew_lease(m, a, &good_until, &can_renew)) {
				kill(pid, SIGTERM);
				stopped = true;
			}
			next = mono_ms() + period;
			continue;
		}
		if (pidfd >= 0) {
			struct pollfd p = {.fd = pidfd, .events = POLLIN};
			(void)poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		} else {
			struct timespec ts = {0, (left < 100 ? left : 100) * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return 0;
}

int cli_lock_run(otto_cli *cli, lock_args *a)
{
	static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa, old[3];
	otto_lock_manager *m = NULL;
	char *owned_dir = NULL;
	int go[2], rc, status = 0;
	pid_t pid, parent = getpid();

	if (pipe2(go, O_CLOEXEC) != 0) {
		fprintf(stderr, "otto lock run: cannot make a pipe: %s\n", strerror(errno));
		return CLI_EXIT_FAILED;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "otto lock run: cannot fork: %s\n", strerror(errno));
		close(go[0]);
		close(go[1]);
		return CLI_EXIT_FAILED;
	}
	if (pid == 0) {
		close(go[1]);
		run_child_main(a, parent, go[0]);
	}
	close(go[0]);
	/* The command's process is the holder: if otto is killed, the locks
	 * stay with the command for as long as it runs. */
	rc = cli_lock_open_manager(cli, true, pid, NULL, &m, &owned_dir);
	if (rc == CLI_EXIT_OK)
		rc = cli_lock_acquire_names(cli, m, a, pid);
	if (rc != CLI_EXIT_OK) {
		close(go[1]);
		reap(pid, &status);
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(forwarded[i], &sa, &old[i]);
	run_child = pid;
	/* "g", then with --any the lock taken, for OTTO_LOCK_NAME. */
	if (write(go[1], "g", 1) != 1 ||
	    (a->chosen && write(go[1], a->chosen, strlen(a->chosen)) != (ssize_t)strlen(a->chosen))) {
		cli_line(stderr, "otto lock run: cannot start '%s': %s", a->command[0], strerror(errno));
		kill(pid, SIGKILL);
	}
	close(go[1]);
	if (run_pending)
		kill(pid, run_pending);
	if ((a->expiry > 0 ? wait_renewing(m, a, pid, &status) : reap(pid, &status)) != 0)
		status = 1 << 8;
	run_child = 0;
	for (int i = 0; i < 3; i++)
		sigaction(forwarded[i], &old[i], NULL);
	/* Released below (freeing the manager) whatever happened to the command. */
	if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status);
	else
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_FAILED;
out:
	otto_lock_manager_free(m);
	free(owned_dir);
	return rc;
}

