/*
 * Isolation of the rules. Each backend is exercised by a rule runner: this
 * program started again through libotto's child-process code (the one
 * mechanism libotto's scan and workers use), reporting rule and call
 * brackets as frames on fd 3. When the runner dies or a call runs past
 * --timeout, the parent kills it, charges the rule being checked with the
 * call and the signal or the limit, marks the call as poisoned (never made
 * again), and starts a fresh runner at the next rule.
 *
 * A runner that finished a backend cleanly and says its process is as it
 * started (same folder, no thread, no signal handler: runner.c) is handed
 * the next backend, so that a plugin with a thousand backends does not
 * cost a thousand process starts and scans. A reused runner's failure is
 * not believed: the backend is checked again from its first rule in fresh
 * runners.
 */
#include "child.h"
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* --------------------------------------------------------------- frames -- */

void conf_send_event(int fd, uint32_t kind, uint32_t rule, const char *text)
{
	otto_buf b = {0};
	size_t start = otto__frame_begin(&b, kind, rule);
	otto__put_str(&b, text);
	otto__frame_end(&b, start);
	if (otto__send_all(fd, b.data, b.len, NULL, 0) != 0)
		_exit(3); /* the parent is gone: nothing left to report to */
	otto__buf_free(&b);
}

bool conf_spawn_self(otto__child *c, const char *hidden, const char *const *args, int stdout_fd)
{
	char *self = realpath("/proc/self/exe", NULL);
	if (!self) {
		fprintf(stderr, "otto-conformance: cannot tell where this program is: %s\n", strerror(errno));
		return false;
	}
	size_t n = 0;
	while (args && args[n])
		n++;
	const char **argv = otto__calloc(n + 3, sizeof *argv);
	argv[0] = self;
	argv[1] = hidden;
	for (size_t i = 0; i < n; i++)
		argv[2 + i] = args[i];
	otto__child_spec spec = {
	    .path = self,
	    .argv = argv,
	    .channel = true,
	    .in = OTTO__CHILD_DEVNULL,
	    .out = stdout_fd >= 0 ? OTTO__CHILD_FD : OTTO__CHILD_DEVNULL,
	    .out_fd = stdout_fd,
	    /* A plugin's stderr reaches the user, as when it runs in otto. */
	    .err = OTTO__CHILD_INHERIT,
	    .own_process_group = true,
	    .die_with_parent = true,
	};
	char why[512];
	fflush(NULL);
	int rc = otto__child_spawn(c, &spec, why, sizeof why);
	free(argv);
	free(self);
	if (rc != 0) {
		fprintf(stderr, "otto-conformance: %s\n", why);
		return false;
	}
	return true;
}

/* -------------------------------------------------------------- session -- */

static conf_outcome *outcome(conf_session *s, int rule)
{
	if (rule < 0 || (size_t)rule >= conf_rule_count)
		return NULL;
	return &s->target->section->outcomes[rule];
}

void conf_session_event(conf_session *s, uint32_t kind, int rule, const char *text)
{
	conf_outcome *o = outcome(s, rule);
	switch (kind) {
	case CONF_EV_RULE:
		s->current_rule = rule;
		free(s->current_call);
		s->current_call = NULL;
		break;
	case CONF_EV_CALL:
		free(s->current_call);
		s->current_call = otto__strdup(text ? text : "a plugin call");
		clock_gettime(CLOCK_MONOTONIC, &s->call_start);
		break;
	case CONF_EV_CALL_END:
		free(s->current_call);
		s->current_call = NULL;
		break;
	case CONF_EV_VIOLATION:
		if (o)
			conf_outcome_violation(o, text ? text : "");
		break;
	case CONF_EV_SKIP:
		if (o)
			conf_outcome_skip(o, text ? text : "");
		break;
	case CONF_EV_BLOCK:
		if (o)
			conf_outcome_block(o, text ? text : "");
		break;
	case CONF_EV_PASS:
		if (o)
			o->ran = true;
		break;
	case CONF_EV_DONE:
		s->last_done = rule;
		break;
	default:
		break;
	}
}

/* --------------------------------------------------------------- parent -- */

typedef enum { CHILD_DONE, CHILD_DIED } child_end;

/* The runner kept between backends, and the capture file of its stdout. */
struct conf_pool {
	otto__child child;
	bool live;
	bool reused; /* it already checked a backend */
	int capture;
};

conf_pool *conf_pool_new(void)
{
	conf_pool *p = otto__calloc(1, sizeof *p);
	p->capture = -1;
	return p;
}

/* Let the kept runner go (closing its channel is its cue to leave). */
static void pool_release(conf_pool *p, const conf_options *o)
{
	if (!p->live)
		return;
	otto__child_finish(&p->child, otto__now_ms() + (int64_t)o->timeout_s * 1000);
	otto__child_free(&p->child);
	p->live = p->reused = false;
	if (p->capture >= 0)
		close(p->capture);
	p->capture = -1;
}

void conf_pool_free(conf_pool *p, const conf_options *o)
{
	if (!p)
		return;
	pool_release(p, o);
	free(p);
}

static void send_job(otto__child *c, const conf_target *t, size_t first, const otto_strlist *poisoned)
{
	otto_buf b = {0};
	size_t start = otto__frame_begin(&b, CONF_EV_JOB, 0);
	otto__put_u32(&b, (uint32_t)t->kind);
	otto__put_str(&b, t->name);
	otto__put_u8(&b, t->from_settings);
	otto__put_str(&b, t->plugin_path);
	otto__put_u32(&b, (uint32_t)first);
	otto__put_u32(&b, (uint32_t)poisoned->count);
	for (size_t i = 0; i < poisoned->count; i++)
		otto__put_str(&b, poisoned->items[i]);
	otto__frame_end(&b, start);
	/* A job is small: the socket's buffer takes it whole. */
	const char *p = b.data;
	size_t left = b.len;
	while (left > 0) {
		ssize_t n = send(c->channel, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && otto__child_wait(c, POLLOUT, -1) == OTTO__CHILD_READY)
			continue;
		if (n <= 0)
			break; /* it is gone: how it ended says why */
		p += n;
		left -= (size_t)n;
	}
	otto__buf_free(&b);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static child_end run_child(conf_session *s, size_t first, conf_pool *pool, bool keep, bool *was_reused)
{
	if (!pool->live) {
		pool->capture = conf_capture_file();
		const char *const *args = (const char *const *)s->opts->argv + 1;
		if (!conf_spawn_self(&pool->child, CONF_RUNNER_ARG, args, pool->capture))
			exit(CONF_EXIT_UNUSABLE);
		pool->live = true;
		pool->reused = false;
	}
	*was_reused = pool->reused;
	otto__child c = pool->child;
	send_job(&c, s->target, first, &s->poisoned);

	otto__frame_in in = {0};
	bool finished = false, timed_out = false, garbage = false, reusable = false;
	long limit_ms = (long)s->opts->timeout_s * 1000;
	for (;;) {
		otto__frame f;
		int got = otto__frame_in_next(&in, &f);
		if (got > 0) {
			otto__reader r;
			otto__reader_init(&r, &f);
			const char *text = otto__get_str(&r);
			if (!otto__reader_done(&r)) {
				garbage = true;
				break;
			}
			if (f.type == CONF_EV_FINISHED) {
				/* The runner now waits for another job, or leaves. */
				finished = true;
				reusable = text && strcmp(text, "reusable") == 0;
				break;
			} else
				conf_session_event(s, f.type, f.tag == CONF_NO_RULE ? -1 : (int)f.tag, text);
			continue;
		}
		if (got < 0) {
			garbage = true;
			break;
		}
		ssize_t n = otto__frame_in_fill(&in, c.channel);
		if (n > 0)
			continue;
		if (n == 0 || n == -2)
			break;
		int64_t deadline = -1;
		if (s->current_call) {
			long left = limit_ms - elapsed_ms(&s->call_start);
			if (left <= 0) {
				timed_out = true;
				break;
			}
			deadline = otto__now_ms() + left;
		}
		otto__child_event e = otto__child_wait(&c, POLLIN, deadline);
		if (e == OTTO__CHILD_ENDED) {
			if (otto__frame_in_fill(&in, c.channel) > 0)
				continue;
			break;
		}
		/* READY: read it; TIMEOUT: the limit check above decides. */
	}
	otto__frame_in_free(&in);
	if (finished && keep && reusable) {
		pool->child = c;
		pool->reused = true;
		return CHILD_DONE;
	}
	if (timed_out || garbage)
		otto__child_kill(&c);
	else
		otto__child_finish(&c, otto__now_ms() + limit_ms); /* a teardown that hangs is killed too */
	int status = c.wstatus;
	bool lost = c.status_lost;
	otto__child_free(&c);
	pool->live = pool->reused = false;
	if (pool->capture >= 0)
		close(pool->capture);
	pool->capture = -1;
	if (!timed_out && !garbage && finished && !lost && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return CHILD_DONE;
	if (*was_reused)
		return CHILD_DIED; /* not believed: the caller starts the backend over */

	/* Charge the rule being checked with what happened. */
	char *what;
	const char *call = s->current_call;
	const char *where = call ? call : "the backend (outside a plugin call)";
	if (timed_out)
		what = otto__asprintf("%s did not return within the %d s limit (--timeout); the child was killed", call,
				      s->opts->timeout_s);
	else if (garbage)
		what = otto__asprintf("%s: the rule runner sent a malformed report; it was killed", where);
	else if (!lost && WIFSIGNALED(status))
		what = otto__asprintf("%s crashed with %s (signal %d)", where, conf_signal_name(WTERMSIG(status)),
				      WTERMSIG(status));
	else
		what = otto__asprintf("%s ended the process (exit status %d) instead of returning", where,
				      !lost && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
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

char *conf_stdout_news(int fd, off_t *seen)
{
	struct stat st;
	fflush(stdout);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= *seen)
		return NULL;
	char sample[81] = "";
	ssize_t n = pread(fd, sample, sizeof sample - 1, *seen);
	if (n > 0)
		sample[n] = '\0';
	for (char *p = sample; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	char *news = otto__asprintf("%lld bytes to stdout (\"%s%s\")", (long long)(st.st_size - *seen), sample,
				    st.st_size - *seen > 80 ? "..." : "");
	*seen = st.st_size;
	return news;
}

int conf_capture_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = otto__asprintf("%s/otto-conformance-stdout-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

/* Forget what a run found (a reused runner's failure is not believed). */
static void reset_outcomes(conf_target *t)
{
	for (size_t i = 0; i < conf_rule_count; i++) {
		conf_outcome *o = &t->section->outcomes[i];
		otto_strlist_free(&o->messages);
		free(o->skip_reason);
		memset(o, 0, sizeof *o);
	}
}

void conf_run_target(conf_target *t, const conf_options *o, conf_pool *pool)
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
		size_t next = 0;
		bool keep = true;
		while (next < conf_rule_count) {
			s.current_rule = -1;
			s.last_done = next ? s.last_done : -1;
			free(s.current_call);
			s.current_call = NULL;
			bool was_reused = false;
			child_end end = run_child(&s, next, pool, keep, &was_reused);
			if (end == CHILD_DONE)
				break;
			if (was_reused) {
				/* Start this backend over in runners of its own. */
				reset_outcomes(t);
				otto_strlist_free(&s.poisoned);
				keep = false;
				next = 0;
				s.last_done = -1;
				continue;
			}
			int resume = s.current_rule > s.last_done ? s.current_rule + 1 : s.last_done + 1;
			if (s.current_rule < 0 || resume <= (int)next || s.current_rule <= s.last_done)
				break; /* died outside a rule or in teardown: nothing left to run */
			next = (size_t)resume;
		}
		if (!keep)
			pool_release(pool, o);
	}
	free(s.current_call);
	otto_strlist_free(&s.poisoned);
	conf_scope scope = t->kind == OTTO_KIND_LAB ? CONF_SCOPE_LAB : CONF_SCOPE_RESERVATION;
	for (size_t i = 0; i < conf_rule_count; i++) {
		conf_outcome *out = &t->section->outcomes[i];
		conf_outcome_finish(out);
		/* A selected rule that never reported: the runner ended before it. */
		if (out->state == CONF_NOT_RUN && o->selected[i] && conf_rule_applies(&conf_rules[i], scope)) {
			conf_outcome_block(out, "not checked: a prerequisite failed: the rule runner ended before this rule "
						"(the failure is reported under the rule it was checking)");
			conf_outcome_finish(out);
		}
	}
}
