/*
 * libotto's side of a worker: start otto-worker, check its handshake, send
 * one request at a time and read its answer within the per-call time limit,
 * and turn every way the worker can fail to answer into one fault that the
 * caller reports (see worker.h for the protocol).
 */
#include "worker/worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* How long a worker that closed its socket may take to be gone. */
#define CLOSE_GRACE_MS 2000

static void set_fault(otto__worker *w, otto__worker_fault fault, const char *op, char *how)
{
	if (w->fault) {
		free(how);
		return;
	}
	w->fault = fault;
	w->fault_op = otto__strdup(op);
	w->how = how;
}

/* The worker did something it may not: stop it and remember why. */
static void garbage(otto__worker *w, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void garbage(otto__worker *w, const char *op, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = otto__vasprintf(fmt, ap);
	va_end(ap);
	otto__child_kill(&w->child);
	set_fault(w, OTTO__WF_GARBAGE, op, what);
}

/* The channel says end of file or broke: the worker ended, or closed it
 * and stays (then it is stopped after a grace period). */
static void lost(otto__worker *w, const char *op, int64_t deadline)
{
	int64_t until = otto__now_ms() + CLOSE_GRACE_MS;
	if (deadline >= 0 && deadline < until)
		until = deadline;
	if (otto__child_reap(&w->child, until))
		set_fault(w, OTTO__WF_ENDED, op, otto__child_describe_end(&w->child));
	else
		set_fault(w, OTTO__WF_CLOSED, op, NULL);
}

static char **wrapper_words(void)
{
	const char *env = getenv("OTTO_WORKER_WRAPPER");
	if (!env || !*env)
		return NULL;
	char *copy = otto__strdup(env);
	size_t n = 0;
	char **words = otto__calloc(strlen(env) / 2 + 2, sizeof *words);
	for (char *save = NULL, *word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save))
		words[n++] = otto__strdup(word);
	free(copy);
	if (n == 0) {
		free(words);
		return NULL;
	}
	return words;
}

static void free_words(char **words)
{
	for (size_t i = 0; words && words[i]; i++)
		free(words[i]);
	free(words);
}

/* Read until one complete frame is there: true with it in *f. */
static bool next_frame(otto__worker *w, const char *op, int64_t deadline, otto__frame *f)
{
	for (;;) {
		int got = otto__frame_in_next(&w->in, f);
		if (got > 0)
			return true;
		if (got < 0) {
			garbage(w, op, "a frame header announcing more than %u bytes", OTTO__FRAME_MAX);
			return false;
		}
		ssize_t n = otto__frame_in_fill(&w->in, w->child.channel);
		if (n > 0)
			continue;
		if (n == 0 || n == -2) {
			/* (In the middle of a frame or not: how it ended says more.) */
			lost(w, op, deadline);
			return false;
		}
		switch (otto__child_wait(&w->child, POLLIN, deadline)) {
		case OTTO__CHILD_READY:
			continue;
		case OTTO__CHILD_ENDED:
			/* Whatever it wrote before it ended is readable now. */
			if (otto__frame_in_fill(&w->in, w->child.channel) > 0)
				continue;
			set_fault(w, OTTO__WF_ENDED, op, otto__child_describe_end(&w->child));
			return false;
		case OTTO__CHILD_TIMEOUT:
			otto__child_kill(&w->child);
			set_fault(w, OTTO__WF_TIMEOUT, op, NULL);
			return false;
		}
	}
}

bool otto__worker_start(otto__worker *w, unsigned timeout_ms)
{
	memset(w, 0, sizeof *w);
	w->child.pid = 0;
	w->child.channel = w->child.pidfd = w->child.out_pipe = w->child.err_pipe = -1;
	w->timeout_ms = timeout_ms;
	/* Test-only: libotto's own tests that link its objects statically
	 * (so "beside libotto" is beside the test) name the worker. */
	const char *named = getenv("OTTO_WORKER_PROGRAM");
	char *program = named && *named ? otto__strdup(named) : otto__self_private_path(OTTO__WORKER_PROGRAM);
	if (!program) {
		set_fault(w, OTTO__WF_START, "starting the worker",
			  otto__strdup("cannot tell where libotto is installed, so where otto-worker is"));
		return false;
	}
	char **wrapper = wrapper_words();
	const char *argv[] = {program, NULL};
	otto__child_spec spec = {
	    .path = program,
	    .argv = argv,
	    .wrapper = (const char *const *)wrapper,
	    .channel = true,
	    .in = OTTO__CHILD_DEVNULL,
	    .out = OTTO__CHILD_PIPE,
	    .err = OTTO__CHILD_PIPE,
	    .own_process_group = true,
	    .die_with_parent = true,
	};
	char why[512];
	int rc = otto__child_spawn(&w->child, &spec, why, sizeof why);
	free_words(wrapper);
	if (rc != 0) {
		set_fault(w, OTTO__WF_START, "starting the worker",
			  otto__asprintf("%s (otto-worker belongs beside libotto, in %s)", why, program));
		free(program);
		return false;
	}
	free(program);

	const char *op = "starting the worker";
	otto__frame f;
	if (!next_frame(w, op, otto__now_ms() + timeout_ms, &f))
		return false;
	otto__reader r;
	otto__reader_init(&r, &f);
	uint32_t protocol = otto__get_u32(&r), major = otto__get_u32(&r), minor = otto__get_u32(&r);
	const char *version = otto__get_str(&r);
	if (f.type != OTTO__W_HELLO || f.tag != 0 || !otto__reader_done(&r) || !version) {
		garbage(w, op, "a first frame that is not its greeting (type %u)", f.type);
		return false;
	}
	if (protocol != OTTO__WORKER_PROTOCOL || major != OTTO_ABI_MAJOR || minor != OTTO_ABI_MINOR ||
	    strcmp(version, OTTO_VERSION) != 0) {
		char *how = otto__asprintf("it is otto-worker %s speaking protocol %u with ABI %u.%u, but this libotto is %s "
					   "speaking protocol %d with ABI %d.%d (reinstall otto)",
					   version, protocol, major, minor, OTTO_VERSION, OTTO__WORKER_PROTOCOL,
					   OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
		otto__child_kill(&w->child);
		set_fault(w, OTTO__WF_START, op, how);
		return false;
	}
	w->started = true;
	return true;
}

otto_buf *otto__worker_request(otto__worker *w, uint32_t type)
{
	w->out.len = 0;
	otto__frame_begin(&w->out, type, ++w->tag);
	return &w->out;
}

/* Send w->out before the deadline (the socket is non-blocking). */
static bool send_request(otto__worker *w, const char *op, const int *fds, size_t n_fds, int64_t deadline)
{
	size_t start = 0;
	if (!otto__frame_end(&w->out, 0)) {
		set_fault(w, OTTO__WF_IO, op, otto__strdup("the request is larger than a frame may be"));
		return false;
	}
	while (start < w->out.len) {
		struct iovec iov = {w->out.data + start, w->out.len - start};
		union {
			char buf[CMSG_SPACE(sizeof(int) * OTTO__WORKER_SCAN_MAX)];
			struct cmsghdr align;
		} control;
		struct msghdr msg = {0};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (n_fds > 0 && start == 0) {
			memset(&control, 0, sizeof control);
			msg.msg_control = control.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
		}
		ssize_t n = sendmsg(w->child.channel, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			start += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			otto__child_event e = otto__child_wait(&w->child, POLLOUT, deadline);
			if (e == OTTO__CHILD_READY)
				continue;
			if (e == OTTO__CHILD_TIMEOUT) {
				otto__child_kill(&w->child);
				set_fault(w, OTTO__WF_TIMEOUT, op, NULL);
			} else {
				set_fault(w, OTTO__WF_ENDED, op, otto__child_describe_end(&w->child));
			}
			return false;
		}
		/* EPIPE, ECONNRESET: it is gone. */
		lost(w, op, deadline);
		return false;
	}
	return true;
}

bool otto__worker_call(otto__worker *w, const char *op, const int *fds, size_t n_fds, otto__worker_item_fn on_item,
		       void *ud, int *status, char message[OTTO_ERROR_MESSAGE_MAX])
{
	*status = OTTO_ERROR;
	message[0] = '\0';
	w->answered_part = false;
	if (w->fault)
		return false;
	int64_t deadline = otto__now_ms() + w->timeout_ms;
	uint32_t tag = w->tag;
	if (!send_request(w, op, fds, n_fds, deadline))
		return false;
	for (;;) {
		otto__frame f;
		if (!next_frame(w, op, deadline, &f))
			return false;
		if (f.tag != tag) {
			garbage(w, op, "an answer tagged %u to request %u", f.tag, tag);
			return false;
		}
		if (f.type != OTTO__W_END) {
			const char *why = "a frame type this call cannot have";
			if (!on_item || !on_item(ud, &f, &why)) {
				garbage(w, op, "%s (frame type %u)", why, f.type);
				return false;
			}
			w->answered_part = true;
			continue;
		}
		otto__reader r;
		otto__reader_init(&r, &f);
		int32_t st = (int32_t)otto__get_u32(&r);
		const char *msg = otto__get_str(&r);
		if (!otto__reader_done(&r)) {
			garbage(w, op, "a malformed end of answer");
			return false;
		}
		/* What the plugin wrote to stdout before it returned is in the
		 * pipe by now. */
		otto__child_drain(&w->child);
		if (w->child.out_bytes > w->stdout_seen) {
			char *how = otto__asprintf("%llu bytes",
						   (unsigned long long)(w->child.out_bytes - w->stdout_seen));
			w->stdout_seen = w->child.out_bytes;
			otto__child_kill(&w->child);
			set_fault(w, OTTO__WF_STDOUT, op, how);
			return false;
		}
		*status = st;
		snprintf(message, OTTO_ERROR_MESSAGE_MAX, "%s", msg ? msg : "");
		return true;
	}
}

char *otto__worker_fault_text(const otto__worker *w)
{
	const char *op = w->fault_op ? w->fault_op : "a call";
	char *text;
	switch (w->fault) {
	case OTTO__WF_NONE:
		return otto__strdup("is fine");
	case OTTO__WF_START:
		text = otto__asprintf("could not be started: %s", w->how ? w->how : "unknown error");
		break;
	case OTTO__WF_ENDED: {
		/* A signal says enough; an exit, even with status 0, is only wrong
		 * because the answer did not come. */
		bool exited = w->child.reaped && !w->child.status_lost && WIFEXITED(w->child.wstatus);
		const char *tail = w->answered_part ? " before its answer was complete"
				   : exited ? " without answering"
					    : "";
		text = otto__asprintf("%s during %s%s", w->how ? w->how : "ended", op, tail);
		break;
	}
	case OTTO__WF_TIMEOUT: {
		unsigned s = w->timeout_ms / 1000, ms = w->timeout_ms % 1000;
		text = ms ? otto__asprintf("did not answer %s within %u.%03u s and was stopped", op, s, ms)
			  : otto__asprintf("did not answer %s within %u s and was stopped", op, s);
		break;
	}
	case OTTO__WF_CLOSED:
		text = otto__asprintf("closed its connection during %s without answering and was stopped", op);
		break;
	case OTTO__WF_GARBAGE:
		text = otto__asprintf("sent %s during %s and was stopped", w->how ? w->how : "garbage", op);
		break;
	case OTTO__WF_STDOUT:
		text = otto__asprintf("wrote %s to stdout during %s, which a plugin must never do (stdout is otto's "
				      "output; diagnostics belong in the error message)",
				      w->how ? w->how : "", op);
		break;
	case OTTO__WF_IO:
	default:
		text = otto__asprintf("could not be reached during %s: %s", op, w->how ? w->how : "it is gone");
		break;
	}
	char *err = otto__child_stderr_text(&w->child, OTTO__WORKER_STDERR_SHOWN);
	if (!err)
		return text;
	char *both = otto__asprintf("%s (its stderr: \"%s\")", text, err);
	free(text);
	free(err);
	return both;
}

bool otto__worker_stop(otto__worker *w)
{
	if (w->child.pid <= 0)
		return false;
	if (w->child.reaped)
		return !w->child.status_lost && WIFEXITED(w->child.wstatus) && WEXITSTATUS(w->child.wstatus) == 0;
	return otto__child_finish(&w->child, otto__now_ms() + w->timeout_ms);
}

void otto__worker_free(otto__worker *w)
{
	if (!w)
		return;
	otto__child_free(&w->child);
	otto__frame_in_free(&w->in);
	otto__buf_free(&w->out);
	free(w->fault_op);
	free(w->how);
	memset(w, 0, sizeof *w);
	w->child.channel = w->child.pidfd = w->child.out_pipe = w->child.err_pipe = -1;
}
