/*
 * Inspecting a plugin file in a forked child, so that a plugin that
 * crashes, hangs, exits or prints while loading or registering cannot take
 * the host down or pollute its output. The child sends its inspection back
 * over a pipe as length-prefixed fields; the parent enforces the time limit.
 */
#include "registry/registry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPORT_MAGIC 0x6f74746fu /* "otto" */
#define REPORT_MAX (1u << 20)
#define NULL_STRING 0xffffffffu

unsigned otto__scan_timeout(void)
{
	const char *s = getenv("OTTO_PLUGIN_SCAN_TIMEOUT");
	if (s && *s) {
		char *end;
		errno = 0;
		long v = strtol(s, &end, 10);
		if (!errno && !*end && v > 0 && v <= 3600)
			return (unsigned)v;
	}
	return OTTO__SCAN_TIMEOUT_DEFAULT;
}

/* ---------------------------------------------------------- the report -- */

static void put_u32(otto_buf *b, uint32_t v)
{
	otto__buf_appendn(b, (const char *)&v, sizeof v);
}

static void put_str(otto_buf *b, const char *s)
{
	if (!s) {
		put_u32(b, NULL_STRING);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	otto__buf_appendn(b, s, n);
}

static void encode(const otto__inspection *insp, otto_buf *b)
{
	put_u32(b, REPORT_MAGIC);
	put_u32(b, (uint32_t)insp->status);
	put_str(b, insp->detail);
	put_str(b, insp->plugin_name);
	put_str(b, insp->plugin_version);
	put_u32(b, insp->abi_major);
	put_u32(b, insp->abi_minor);
	put_u32(b, (uint32_t)insp->n_backends);
	for (size_t i = 0; i < insp->n_backends; i++) {
		put_u32(b, (uint32_t)insp->backends[i].kind);
		put_str(b, insp->backends[i].name);
		put_str(b, insp->backends[i].description);
	}
}

typedef struct reader {
	const char *p;
	size_t left;
	bool bad;
} reader;

static uint32_t get_u32(reader *r)
{
	uint32_t v = 0;
	if (r->left < sizeof v) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, sizeof v);
	r->p += sizeof v;
	r->left -= sizeof v;
	return v;
}

static char *get_str(reader *r)
{
	uint32_t n = get_u32(r);
	if (r->bad || n == NULL_STRING)
		return NULL;
	if (n > r->left) {
		r->bad = true;
		return NULL;
	}
	char *s = otto__strndup(r->p, n);
	r->p += n;
	r->left -= n;
	return s;
}

static bool decode(const char *data, size_t len, otto__inspection *out)
{
	reader r = {data, len, false};
	memset(out, 0, sizeof *out);
	if (get_u32(&r) != REPORT_MAGIC)
		return false;
	out->status = (otto_plugin_status)get_u32(&r);
	out->detail = get_str(&r);
	out->plugin_name = get_str(&r);
	out->plugin_version = get_str(&r);
	out->abi_major = get_u32(&r);
	out->abi_minor = get_u32(&r);
	uint32_t n = get_u32(&r);
	if (r.bad || n > r.left)
		return false;
	out->backends = otto__calloc(n, sizeof *out->backends);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		otto__backend_entry *e = &out->backends[out->n_backends++];
		e->kind = (otto_backend_kind)get_u32(&r);
		e->name = get_str(&r);
		e->description = get_str(&r);
		if (!e->name || (e->kind != OTTO_KIND_LAB && e->kind != OTTO_KIND_RESERVATION))
			r.bad = true;
	}
	bool known = out->status >= OTTO_PLUGIN_LOADED && out->status <= OTTO_PLUGIN_FAILED;
	return !r.bad && r.left == 0 && known && (out->status == OTTO_PLUGIN_LOADED) == (out->detail == NULL);
}

/* ----------------------------------------------------------- the child -- */

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static __attribute__((noreturn)) void child_main(const char *path, int fd)
{
	/* Die with the host, and die of a crash rather than through a handler
	 * the host (or a sanitizer) installed, so the parent sees the signal. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		signal(fatal[i], SIG_DFL);
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
	}

	otto__inspection insp;
	lt_dlhandle module;
	lt_dlinit();
	otto__inspect_file(path, &insp, &module);
	otto_buf b = {0};
	encode(&insp, &b);
	write_all(fd, b.data, b.len);
	/* _exit: no atexit handlers or destructors of the host run twice. */
	_exit(0);
}

/* ---------------------------------------------------------- the parent -- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read until EOF or the deadline. False on timeout. */
static bool read_report(int fd, long long deadline, otto_buf *b)
{
	char chunk[4096];
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = {fd, POLLIN, 0};
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return pr < 0; /* poll failure: treat as EOF, the wait status tells */
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (b->len + (size_t)n <= REPORT_MAX)
			otto__buf_appendn(b, chunk, (size_t)n);
	}
}

/* Reap the child, killing it once the deadline passes. False on timeout. */
static bool reap(pid_t pid, long long deadline, int *wstatus)
{
	for (;;) {
		pid_t r = waitpid(pid, wstatus, WNOHANG);
		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return true;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
				;
			return false;
		}
		struct timespec pause = {0, 2 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

void otto__inspect_file_isolated(const char *path, unsigned timeout_s, otto__inspection *out)
{
	memset(out, 0, sizeof *out);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be inspected: pipe: %s", strerror(errno));
		return;
	}
	/* Fork while holding the ltdl lock, so the child never inherits libltdl
	 * half-way through another thread's call. */
	otto__ltdl_lock();
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_main(path, fds[1]);
	}
	int fork_errno = errno;
	otto__ltdl_unlock();
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be inspected: fork: %s", strerror(fork_errno));
		return;
	}

	long long deadline = now_ms() + (long long)timeout_s * 1000;
	otto_buf report = {0};
	bool in_time = read_report(fds[0], deadline, &report);
	close(fds[0]);
	int wstatus = 0;
	in_time = reap(pid, in_time ? deadline : 0, &wstatus) && in_time;

	if (!in_time) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "did not finish registering within %u s (killed)",
				      timeout_s);
	} else if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		const char *abbrev = sigabbrev_np(sig);
		const char *desc = sigdescr_np(sig);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "crashed with SIG%s (%s) while loading or registering",
				      abbrev ? abbrev : "?", desc ? desc : "unknown signal");
	} else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "exited with status %d while loading or registering",
				      WEXITSTATUS(wstatus));
	} else if (!decode(report.data, report.len, out)) {
		otto__inspection_free(out);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
				      "exited while loading or registering without reporting a result");
	}
	otto__buf_free(&report);
}
