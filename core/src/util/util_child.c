/*
 * Child processes, starting them: the one copy of fork, set up and exec
 * (see util.h for the steps and why; util_child_wait.c waits for them). It
 * serves the plugin scan and the backend worker (worker/), otto-conformance's
 * rule runner, and is there for `otto lock run`.
 *
 * Between fork and exec the child runs in a copy of a possibly
 * multi-threaded caller, so it only makes async-signal-safe calls on data
 * prepared before the fork: no malloc, no stdio, no locks.
 */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int64_t otto__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *otto__signal_name(int sig)
{
	static _Thread_local char buf[32];
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev) {
		snprintf(buf, sizeof buf, "SIG%s", abbrev);
		return buf;
	}
	snprintf(buf, sizeof buf, "signal %d", sig);
	return buf;
}

/* ------------------------------------------------------------- spawning -- */

/* A descriptor of ours at 4 or above (so that placing the child's 0..3
 * never overwrites a source), close-on-exec. -1 on failure. */
static int high_fd(int fd)
{
	if (fd >= 4)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 4);
	close(fd);
	return moved;
}

/* wrapper[0] as an absolute path, looked up in PATH now (execvp is not
 * safe after fork). Caller frees; NULL when not found. */
static char *find_in_path(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? otto__strdup(name) : NULL;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char *dir = otto__strndup(p, n);
		char *full = otto__path_join(n ? dir : ".", name);
		free(dir);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
		p += n + (colon ? 1 : 0);
	}
	return NULL;
}

/* Everything the child needs, made before the fork. */
typedef struct prepared {
	const char *exec_path;
	char **argv;
	int src[4];     /* what becomes fd 0..3 in the child; -1: leave as is (inherit) or none */
	int report_fd;  /* write end of the exec-failure pipe */
	pid_t parent;
	bool own_group, die_with_parent;
	int close_limit; /* for the close() loop when close_range is missing */
} prepared;

static void child_fail(int report_fd, int err) __attribute__((noreturn));
static void child_fail(int report_fd, int err)
{
	ssize_t unused = write(report_fd, &err, sizeof err);
	(void)unused;
	_exit(127);
}

static void close_from(int first, int last, int limit)
{
	if (first > last)
		return;
	if (close_range((unsigned)first, (unsigned)last, 0) == 0)
		return;
	for (int fd = first; fd <= last && fd < limit; fd++)
		close(fd);
}

static void child_setup_and_exec(const prepared *p) __attribute__((noreturn));
static void child_setup_and_exec(const prepared *p)
{
	if (p->own_group)
		setpgid(0, 0);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (p->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The caller may have died between fork and prctl. */
		if (getppid() != p->parent)
			_exit(127);
	}
	for (int target = 0; target < 4; target++)
		if (p->src[target] >= 0 && dup2(p->src[target], target) < 0)
			child_fail(p->report_fd, errno);
	/* Keep only 0..3 and the report pipe (close-on-exec: it closes itself
	 * when exec succeeds). */
	close_from(4, p->report_fd - 1, p->close_limit);
	close_from(p->report_fd + 1, INT_MAX, p->close_limit);
	execve(p->exec_path, p->argv, environ);
	child_fail(p->report_fd, errno);
}

static int open_devnull(int flags)
{
	return open("/dev/null", flags | O_CLOEXEC);
}

/* A pipe for stdout or stderr: the child's end in *child_end, ours
 * (non-blocking) returned. -1 on failure. */
static int make_pipe(int *child_end)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	*child_end = fds[1];
	return fds[0];
}

static void close_if(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A pidfd for `pid`, or -1 where the kernel (or valgrind) has none: asked
 * once per process, then remembered. */
bool otto__child_without_pidfd;

static int open_pidfd(pid_t pid)
{
	static _Atomic int unsupported;
	if (unsupported || otto__child_without_pidfd)
		return -1;
	int fd = pidfd_open(pid, 0);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		unsupported = 1;
	return fd < 0 ? -1 : fd;
}

int otto__child_spawn(otto__child *c, const otto__child_spec *spec, char *why, size_t why_size)
{
	memset(c, 0, sizeof *c);
	c->pidfd = c->channel = c->out_pipe = c->err_pipe = -1;
	prepared p;
	memset(&p, 0, sizeof p);
	p.src[0] = p.src[1] = p.src[2] = p.src[3] = -1;
	p.report_fd = -1;
	int report_read = -1, rc = -1;
	char *wrapper_path = NULL;
	size_t n_wrapper = 0, n_args = 0;

	if (spec->wrapper && spec->wrapper[0]) {
		wrapper_path = find_in_path(spec->wrapper[0]);
		if (!wrapper_path) {
			snprintf(why, why_size, "cannot find '%s' (the wrapper to run %s under) in PATH", spec->wrapper[0],
				 spec->path);
			return -1;
		}
		while (spec->wrapper[n_wrapper])
			n_wrapper++;
	}
	while (spec->argv[n_args])
		n_args++;
	p.argv = otto__calloc(n_wrapper + n_args + 2, sizeof *p.argv);
	size_t k = 0;
	for (size_t i = 0; i < n_wrapper; i++)
		p.argv[k++] = (char *)spec->wrapper[i];
	if (n_wrapper) {
		/* The wrapper runs the program by its path, with our argv after it. */
		p.argv[k++] = (char *)spec->path;
		for (size_t i = 1; i < n_args; i++)
			p.argv[k++] = (char *)spec->argv[i];
	} else {
		for (size_t i = 0; i < n_args; i++)
			p.argv[k++] = (char *)spec->argv[i];
	}
	p.exec_path = n_wrapper ? wrapper_path : spec->path;
	p.own_group = spec->own_process_group;
	p.die_with_parent = spec->die_with_parent;
	p.parent = getpid();
	struct rlimit rl;
	p.close_limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;

	/* What becomes 0, 1, 2 and 3 in the child. */
	otto__child_stdio modes[3] = {spec->in, spec->out, spec->err};
	int *ours[3] = {NULL, &c->out_pipe, &c->err_pipe};
	for (int i = 0; i < 3; i++) {
		switch (modes[i]) {
		case OTTO__CHILD_DEVNULL:
			p.src[i] = open_devnull(i == 0 ? O_RDONLY : O_WRONLY);
			break;
		case OTTO__CHILD_INHERIT:
			continue;
		case OTTO__CHILD_PIPE:
			if (i == 0 || (*ours[i] = make_pipe(&p.src[i])) < 0)
				p.src[i] = -1;
			break;
		case OTTO__CHILD_FD:
			p.src[i] = i == 1 && spec->out_fd >= 0 ? fcntl(spec->out_fd, F_DUPFD_CLOEXEC, 4) : -1;
			break;
		}
		if (p.src[i] < 0 || (p.src[i] = high_fd(p.src[i])) < 0) {
			snprintf(why, why_size, "cannot set up fd %d for %s: %s", i, spec->path, strerror(errno));
			goto done;
		}
	}
	if (spec->channel) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
			snprintf(why, why_size, "cannot make a socket pair for %s: %s", spec->path, strerror(errno));
			goto done;
		}
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
		c->channel = sv[0];
		if ((p.src[3] = high_fd(sv[1])) < 0) {
			snprintf(why, why_size, "cannot set up fd 3 for %s: %s", spec->path, strerror(errno));
			goto done;
		}
	}
	int report[2];
	if (pipe2(report, O_CLOEXEC) != 0) {
		snprintf(why, why_size, "cannot make a pipe for %s: %s", spec->path, strerror(errno));
		goto done;
	}
	report_read = report[0];
	if ((p.report_fd = high_fd(report[1])) < 0) {
		snprintf(why, why_size, "cannot make a pipe for %s: %s", spec->path, strerror(errno));
		goto done;
	}

	pid_t pid = fork();
	if (pid == 0)
		child_setup_and_exec(&p);
	if (pid < 0) {
		snprintf(why, why_size, "cannot start %s: fork: %s", spec->path, strerror(errno));
		goto done;
	}
	c->pid = pid;
	c->own_group = spec->own_process_group;
	close_if(&p.report_fd);
	/* end of file: exec succeeded; an int: the errno of the failed step. */
	int child_errno = 0;
	ssize_t got;
	while ((got = read(report_read, &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof child_errno) {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		c->pid = 0;
		snprintf(why, why_size, "cannot start %s: %s", p.exec_path, strerror(child_errno));
		goto done;
	}
	c->pidfd = open_pidfd(pid);
	rc = 0;
done:
	for (int i = 0; i < 4; i++)
		close_if(&p.src[i]);
	close_if(&p.report_fd);
	close_if(&report_read);
	free(p.argv);
	free(wrapper_path);
	if (rc != 0) {
		close_if(&c->channel);
		close_if(&c->out_pipe);
		close_if(&c->err_pipe);
	}
	return rc;
}

