/*
 * Child processes, after the start (util_child.c): waiting for them on
 * events with a deadline (never a sleep, except the bounded reap of the
 * no-pidfd path), draining their stdout and stderr pipes, killing and
 * reaping them, and saying how they ended.
 */
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void close_if(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* -------------------------------------------------------------- waiting -- */

static void keep_stderr(otto__child *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c->err_head_len < sizeof c->err_head)
			c->err_head[c->err_head_len++] = p[i];
		else
			c->err_tail[(c->err_bytes - sizeof c->err_head) % sizeof c->err_tail] = p[i];
		c->err_bytes++;
	}
}

/* Read what a pipe holds now; close it at end of file. */
static void drain_pipe(otto__child *c, int *fd, bool is_err)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(*fd, buf, sizeof buf);
		if (n > 0) {
			if (is_err)
				keep_stderr(c, buf, (size_t)n);
			else
				c->out_bytes += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN)
			close_if(fd);
		return;
	}
}

void otto__child_drain(otto__child *c)
{
	if (c->out_pipe >= 0)
		drain_pipe(c, &c->out_pipe, false);
	if (c->err_pipe >= 0)
		drain_pipe(c, &c->err_pipe, true);
}

static void record_status(otto__child *c, int status)
{
	c->reaped = true;
	c->wstatus = status;
	close_if(&c->pidfd);
}

/* Reap without waiting: true once the child is reaped. */
static bool try_reap(otto__child *c)
{
	if (c->reaped || c->pid <= 0)
		return true;
	int status = 0;
	pid_t r;
	while ((r = waitpid(c->pid, &status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == c->pid) {
		record_status(c, status);
		return true;
	}
	if (r < 0) {
		/* ECHILD: the caller's own SIGCHLD handling took it. */
		c->status_lost = true;
		record_status(c, 0);
		return true;
	}
	return false;
}

/* Kill the group (a daemon the child forked goes too) while the child's pid
 * is still ours: before reaping, it cannot be reused. */
static void kill_group(const otto__child *c)
{
	if (c->own_group && c->pid > 0 && !c->reaped)
		kill(-c->pid, SIGKILL);
}

otto__child_event otto__child_wait(otto__child *c, short events, int64_t deadline_ms)
{
	for (;;) {
		struct pollfd pfd[4];
		int n = 0, at_channel = -1, at_pidfd = -1;
		if (c->channel >= 0) {
			at_channel = n;
			pfd[n++] = (struct pollfd){c->channel, events, 0};
		}
		if (c->pidfd >= 0 && !c->reaped) {
			at_pidfd = n;
			pfd[n++] = (struct pollfd){c->pidfd, POLLIN, 0};
		}
		if (c->out_pipe >= 0)
			pfd[n++] = (struct pollfd){c->out_pipe, POLLIN, 0};
		if (c->err_pipe >= 0)
			pfd[n++] = (struct pollfd){c->err_pipe, POLLIN, 0};
		if (at_channel < 0 && at_pidfd < 0) {
			/* Nothing to poll for its end (no channel, no pidfd: say the
			 * command of `otto lock run` under valgrind): wait for the
			 * child itself. */
			if (c->reaped)
				return OTTO__CHILD_ENDED;
			if (deadline_ms < 0 && c->out_pipe < 0 && c->err_pipe < 0) {
				int status = 0;
				pid_t r;
				while ((r = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
					;
				if (r < 0)
					c->status_lost = true;
				record_status(c, r < 0 ? 0 : status);
				return OTTO__CHILD_ENDED;
			}
			/* With a deadline (or pipes to drain): the bounded reap,
			 * which kills the child at the deadline. */
			return otto__child_reap(c, deadline_ms) ? OTTO__CHILD_ENDED : OTTO__CHILD_TIMEOUT;
		}
		int timeout = -1;
		if (deadline_ms >= 0) {
			int64_t left = deadline_ms - otto__now_ms();
			if (left <= 0)
				return OTTO__CHILD_TIMEOUT;
			timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		int r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return OTTO__CHILD_ENDED; /* cannot wait at all: treat the child as gone */
		if (r == 0)
			continue; /* the deadline check above decides */
		otto__child_drain(c);
		if (at_channel >= 0 && pfd[at_channel].revents)
			return OTTO__CHILD_READY;
		if (at_pidfd >= 0 && pfd[at_pidfd].revents) {
			/* Ended. What it wrote before is in the channel already, and
			 * the channel was not ready: nothing more can come. */
			kill_group(c);
			try_reap(c);
			otto__child_drain(c);
			return OTTO__CHILD_ENDED;
		}
	}
}

/* Wait `ms`, draining the stdout and stderr pipes meanwhile (a child that
 * writes a long report as it leaves must not block on a full pipe). */
static void pause_draining(otto__child *c, int ms)
{
	int64_t until = otto__now_ms() + ms;
	for (;;) {
		struct pollfd pfd[2];
		int n = 0;
		if (c->out_pipe >= 0)
			pfd[n++] = (struct pollfd){c->out_pipe, POLLIN, 0};
		if (c->err_pipe >= 0)
			pfd[n++] = (struct pollfd){c->err_pipe, POLLIN, 0};
		int64_t left = until - otto__now_ms();
		if (left <= 0)
			return;
		if (poll(pfd, (nfds_t)n, (int)left) > 0)
			otto__child_drain(c);
	}
}

/* With a pidfd: wait until the child ended or the deadline passed,
 * draining its pipes (not the channel). */
static void wait_for_end(otto__child *c, int64_t deadline_ms)
{
	while (!c->reaped && c->pidfd >= 0) {
		struct pollfd pfd[3];
		int n = 0;
		pfd[n++] = (struct pollfd){c->pidfd, POLLIN, 0};
		if (c->out_pipe >= 0)
			pfd[n++] = (struct pollfd){c->out_pipe, POLLIN, 0};
		if (c->err_pipe >= 0)
			pfd[n++] = (struct pollfd){c->err_pipe, POLLIN, 0};
		int timeout = -1;
		if (deadline_ms >= 0) {
			int64_t left = deadline_ms - otto__now_ms();
			if (left <= 0)
				return;
			timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		int r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR)
			return;
		if (r <= 0)
			continue;
		otto__child_drain(c);
		if (pfd[0].revents) {
			kill_group(c);
			try_reap(c);
		}
	}
}

bool otto__child_reap(otto__child *c, int64_t deadline_ms)
{
	if (c->pid <= 0)
		return false;
	if (c->reaped)
		return true;
	if (c->pidfd >= 0) {
		wait_for_end(c, deadline_ms);
		if (c->reaped)
			return true;
		otto__child_kill(c);
		return false;
	}
	/* No pidfd: the channel's end of file came with the child's exit, which
	 * the kernel finishes a moment later. Look again after 1, 2, 4 ... ms,
	 * never past the deadline. Only this fallback waits this way. */
	for (long pause_ms = 1;; pause_ms = pause_ms < 64 ? pause_ms * 2 : 64) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		int r = waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || si.si_pid == c->pid) {
			kill_group(c);
			try_reap(c);
			return true;
		}
		if (deadline_ms >= 0 && otto__now_ms() + pause_ms > deadline_ms)
			break;
		pause_draining(c, (int)pause_ms);
	}
	otto__child_kill(c);
	return false;
}

void otto__child_kill(otto__child *c)
{
	if (c->pid <= 0 || c->reaped)
		return;
	kill_group(c);
	kill(c->pid, SIGKILL);
	int status = 0;
	pid_t r;
	while ((r = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		c->status_lost = true;
	record_status(c, r < 0 ? 0 : status);
	otto__child_drain(c);
}

bool otto__child_finish(otto__child *c, int64_t deadline_ms)
{
	if (c->pid <= 0)
		return false;
	close_if(&c->channel);
	otto__child_reap(c, deadline_ms);
	otto__child_drain(c);
	return c->reaped && !c->status_lost && WIFEXITED(c->wstatus) && WEXITSTATUS(c->wstatus) == 0;
}

void otto__child_free(otto__child *c)
{
	if (!c)
		return;
	if (c->pid > 0 && !c->reaped)
		otto__child_kill(c);
	close_if(&c->channel);
	close_if(&c->pidfd);
	close_if(&c->out_pipe);
	close_if(&c->err_pipe);
	c->pid = 0;
}

/* ------------------------------------------------------------- telling -- */

static bool is_crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT || sig == SIGSYS ||
	       sig == SIGTRAP;
}

char *otto__child_describe_end(const otto__child *c)
{
	if (!c->reaped)
		return otto__strdup("is still running");
	if (c->status_lost)
		return otto__strdup("ended (its exit status was collected elsewhere)");
	if (WIFSIGNALED(c->wstatus)) {
		int sig = WTERMSIG(c->wstatus);
		return otto__asprintf("%s %s", is_crash_signal(sig) ? "crashed with" : "was killed by",
				      otto__signal_name(sig));
	}
	if (WIFEXITED(c->wstatus))
		return otto__asprintf("exited with status %d", WEXITSTATUS(c->wstatus));
	return otto__strdup("ended");
}

/* Byte `i` of what the child wrote to stderr; only the kept ones: the head
 * and the last OTTO__CHILD_ERR_KEEP bytes. */
static char byte_at(const otto__child *c, uint64_t i)
{
	if (i < c->err_head_len)
		return c->err_head[i];
	return c->err_tail[(i - sizeof c->err_head) % sizeof c->err_tail];
}

char *otto__child_stderr_text(const otto__child *c, size_t keep)
{
	if (c->err_bytes == 0)
		return NULL;
	if (keep > OTTO__CHILD_ERR_KEEP)
		keep = OTTO__CHILD_ERR_KEEP;
	otto_buf b = {0};
	otto__buf_append(&b, "");
	uint64_t total = c->err_bytes;
	/* The bytes wanted: the first `head` and the last `tail`. */
	size_t head = total <= 2 * keep ? (size_t)total : keep;
	uint64_t tail = total - head < keep ? total - head : keep;
	char *all = otto__malloc(head + (size_t)tail + 1);
	for (size_t i = 0; i < head; i++)
		all[i] = byte_at(c, i);
	for (uint64_t i = 0; i < tail; i++)
		all[head + i] = byte_at(c, total - tail + i);
	size_t n_head = head, n_tail = (size_t)tail;
	/* One trailing newline is the end of the last line, not content. */
	if (n_tail ? all[head + n_tail - 1] == '\n' : (n_head && all[n_head - 1] == '\n')) {
		if (n_tail)
			n_tail--;
		else
			n_head--;
	}
	otto__buf_append_escaped(&b, all, n_head);
	if (total > head + tail)
		otto__buf_printf(&b, "...(%llu bytes)...", (unsigned long long)(total - head - tail));
	otto__buf_append_escaped(&b, all + head, n_tail);
	free(all);
	return otto__buf_take(&b);
}
