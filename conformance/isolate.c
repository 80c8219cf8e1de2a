/*
 * Child-process isolation. Each backend runs in a forked child that reports
 * rule and call brackets over a pipe. When the child dies or a call runs
 * past --timeout, the parent kills it, charges the rule being checked with
 * the call and the signal or the limit, marks the call as poisoned (never
 * made again), and starts a fresh child at the next rule.
 */
#include "child.h"
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *conf_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGABRT:
		return "SIGABRT";
	case SIGBUS:
		return "SIGBUS";
	case SIGFPE:
		return "SIGFPE";
	case SIGILL:
		return "SIGILL";
	case SIGKILL:
		return "SIGKILL";
	case SIGTERM:
		return "SIGTERM";
	case SIGPIPE:
		return "SIGPIPE";
	case SIGTRAP:
		return "SIGTRAP";
	default:
		return "a signal";
	}
}

static char *unescape(const char *s)
{
	otto_buf b = {0};
	otto__buf_append(&b, "");
	for (; *s; s++) {
		if (*s == '\\' && s[1] == 'n') {
			otto__buf_append(&b, "\n");
			s++;
		} else if (*s == '\\' && s[1] == '\\') {
			otto__buf_append(&b, "\\");
			s++;
		} else {
			otto__buf_appendn(&b, s, 1);
		}
	}
	return otto__buf_take(&b);
}

static conf_outcome *outcome(conf_session *s, int rule)
{
	if (rule < 0 || (size_t)rule >= conf_rule_count)
		return NULL;
	return &s->target->section->outcomes[rule];
}

void conf_session_line(conf_session *s, const char *line)
{
	if (!line[0] || line[1] != ' ')
		return;
	char *end;
	long rule = strtol(line + 2, &end, 10);
	char *text = unescape(*end == ' ' ? end + 1 : end);
	conf_outcome *o = outcome(s, (int)rule);
	switch (line[0]) {
	case 'R':
		s->current_rule = (int)rule;
		free(s->current_call);
		s->current_call = NULL;
		break;
	case 'C':
		free(s->current_call);
		s->current_call = text;
		text = NULL;
		clock_gettime(CLOCK_MONOTONIC, &s->call_start);
		break;
	case 'E':
		free(s->current_call);
		s->current_call = NULL;
		break;
	case 'V':
		if (o)
			conf_outcome_violation(o, text);
		break;
	case 'S':
		if (o)
			conf_outcome_skip(o, text);
		break;
	case 'P':
		if (o)
			o->ran = true;
		break;
	case 'D':
		s->last_done = (int)rule;
		break;
	default:
		break;
	}
	free(text);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* The child: never returns. */
static void child_main(conf_session *s, size_t first, int out_fd, int capture_fd)
{
	signal(SIGPIPE, SIG_DFL);
	conf_child c = {0};
	c.out_fd = out_fd;
	c.poisoned = &s->poisoned;
	c.stdout_fd = -1;
	if (capture_fd >= 0 && dup2(capture_fd, STDOUT_FILENO) >= 0) {
		struct stat st;
		c.stdout_fd = STDOUT_FILENO;
		c.stdout_seen = fstat(STDOUT_FILENO, &st) == 0 ? st.st_size : 0;
		close(capture_fd);
	}
	conf_child_init(&c, s->opts, s->target);
	conf_child_run(&c, first);
	conf_child_teardown(&c);
	/* The final line says the run completed (an exit() inside the plugin
	 * would end the child without it). */
	static const char done[] = "F -1 \n";
	if (write(out_fd, done, sizeof done - 1) < 0)
		_exit(3);
	fflush(NULL);
	exit(0);
}

typedef enum { CHILD_DONE, CHILD_DIED } child_end;

static child_end run_child(conf_session *s, size_t first, int capture_fd)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		fprintf(stderr, "otto-conformance: pipe: %s\n", strerror(errno));
		exit(CONF_EXIT_UNUSABLE);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "otto-conformance: fork: %s\n", strerror(errno));
		exit(CONF_EXIT_UNUSABLE);
	}
	if (pid == 0) {
		close(pfd[0]);
		child_main(s, first, pfd[1], capture_fd);
	}
	close(pfd[1]);
	otto_buf pending = {0};
	bool finished = false, timed_out = false;
	long limit_ms = (long)s->opts->timeout_s * 1000;
	for (;;) {
		int wait_ms = -1;
		if (s->current_call) {
			long left = limit_ms - elapsed_ms(&s->call_start);
			if (left <= 0) {
				timed_out = true;
				break;
			}
			wait_ms = (int)left;
		}
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		int rc = poll(&p, 1, wait_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			continue; /* the limit check above decides */
		char chunk[8192];
		ssize_t n = read(pfd[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		otto__buf_appendn(&pending, chunk, (size_t)n);
		char *start = pending.data, *nl;
		while ((nl = memchr(start, '\n', pending.len - (size_t)(start - pending.data)))) {
			*nl = '\0';
			if (start[0] == 'F')
				finished = true;
			else
				conf_session_line(s, start);
			start = nl + 1;
		}
		size_t rest = pending.len - (size_t)(start - pending.data);
		memmove(pending.data, start, rest);
		pending.len = rest;
		pending.data[rest] = '\0';
	}
	close(pfd[0]);
	otto__buf_free(&pending);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!timed_out && finished && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return CHILD_DONE;

	/* Charge the rule being checked with what happened. */
	char *what;
	const char *call = s->current_call;
	if (timed_out)
		what = otto__asprintf("%s did not return within the %d s limit (--timeout); the child was killed", call,
				      s->opts->timeout_s);
	else if (WIFSIGNALED(status))
		what = otto__asprintf("%s crashed with %s (signal %d)", call ? call : "the backend (outside a plugin call)",
				      conf_signal_name(WTERMSIG(status)), WTERMSIG(status));
	else
		what = otto__asprintf("%s ended the process (exit status %d) instead of returning",
				      call ? call : "the backend (outside a plugin call)",
				      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	conf_outcome *o = outcome(s, s->current_rule);
	if (o) {
		conf_outcome_violation(o, what);
		o->ran = true;
	}
	free(what);
	if (call)
		otto__strlist_push(&s->poisoned, call);
	return CHILD_DIED;
}

static int capture_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = otto__asprintf("%s/otto-conformance-stdout-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

void conf_run_target(conf_target *t, const conf_options *o)
{
	conf_session s = {.target = t, .opts = o, .current_rule = -1, .last_done = -1};
	if (o->no_isolation) {
		/* Everything in this process: for measuring the isolation's cost only. */
		conf_child c = {0};
		c.direct = &s;
		c.out_fd = -1;
		c.stdout_fd = -1;
		conf_child_init(&c, o, t);
		conf_child_run(&c, 0);
		conf_child_teardown(&c);
	} else {
		int capture = capture_file();
		size_t next = 0;
		while (next < conf_rule_count) {
			s.current_rule = -1;
			free(s.current_call);
			s.current_call = NULL;
			if (run_child(&s, next, capture) == CHILD_DONE)
				break;
			int resume = s.current_rule > s.last_done ? s.current_rule + 1 : s.last_done + 1;
			if (s.current_rule < 0 || resume <= (int)next || s.current_rule <= s.last_done)
				break; /* died outside a rule or in teardown: nothing left to run */
			next = (size_t)resume;
		}
		if (capture >= 0)
			close(capture);
	}
	free(s.current_call);
	otto_strlist_free(&s.poisoned);
	for (size_t i = 0; i < conf_rule_count; i++)
		conf_outcome_finish(&t->section->outcomes[i]);
}
