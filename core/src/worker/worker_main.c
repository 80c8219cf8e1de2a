/*
 * otto-worker: the process plugin code runs in (worker.h has the protocol).
 * It greets libotto, then answers one request at a time on fd 3: scan
 * plugin files, or open one backend, create it and run its calls, until
 * libotto closes the socket. It trusts its parent and nothing else; what
 * the plugin does to this process (exit, crash, chdir, setenv, signal
 * handlers, threads) stays here, and libotto sees only what arrives on the
 * socket and how the process ended.
 */
#include "worker/worker_int.h"
#include "registry/registry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHANNEL_FD 3

typedef struct backend_state {
	lt_dlhandle module;
	int fd; /* the plugin file, open while the module is (see otto__inspect_fd) */
	otto__inspection insp;
	otto_backend_kind kind;
	otto__any_type type;
	bool opened, created;
	void *self;
} backend_state;

/* ------------------------------------------------------------ the wire -- */

void otto__wk_flush(otto__wk *w)
{
	if (w->out.len == 0)
		return;
	if (otto__send_all(w->fd, w->out.data, w->out.len, NULL, 0) != 0)
		_exit(0); /* libotto is gone: nobody to answer */
	w->out.len = 0;
}

/* Read until a whole frame is there, keeping the descriptors that come
 * with it. False at end of file (libotto closed the socket). */
static bool read_frame(otto__wk *w, otto__frame *f)
{
	for (;;) {
		int got = otto__frame_in_next(&w->in, f);
		if (got > 0)
			return true;
		if (got < 0) {
			fputs("otto-worker: a request larger than a frame may be\n", stderr);
			exit(2);
		}
		if (w->in.start > 0) {
			memmove(w->in.data, w->in.data + w->in.start, w->in.len - w->in.start);
			w->in.len -= w->in.start;
			w->in.start = 0;
		}
		if (w->in.cap - w->in.len < 65536) {
			w->in.cap = w->in.cap ? w->in.cap * 2 : 131072;
			w->in.data = otto__realloc(w->in.data, w->in.cap);
		}
		union {
			char buf[CMSG_SPACE(sizeof(int) * OTTO__WORKER_SCAN_MAX)];
			struct cmsghdr align;
		} control;
		struct iovec iov = {w->in.data + w->in.len, w->in.cap - w->in.len};
		struct msghdr msg = {0};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof control.buf;
		ssize_t n = recvmsg(w->fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		w->in.len += (size_t)n;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
				if (w->n_fds == w->cap_fds) {
					w->cap_fds = w->cap_fds ? w->cap_fds * 2 : 8;
					w->fds = otto__realloc(w->fds, w->cap_fds * sizeof *w->fds);
				}
				w->fds[w->n_fds++] = fd;
			}
		}
	}
}

/* The oldest descriptor received, or -1. */
static int take_fd(otto__wk *w)
{
	if (w->n_fds == 0)
		return -1;
	int fd = w->fds[0];
	memmove(w->fds, w->fds + 1, (w->n_fds - 1) * sizeof *w->fds);
	w->n_fds--;
	return fd;
}

void otto__wk_send_end(otto__wk *w, int status, const char *message)
{
	otto__wk_items_close(w);
	size_t start = otto__frame_begin(&w->out, OTTO__W_END, w->tag);
	otto__put_u32(&w->out, (uint32_t)(int32_t)status);
	otto__put_str(&w->out, message);
	otto__frame_end(&w->out, start);
	otto__wk_flush(w);
}

/* After a plugin call: what it left in stdio's buffer reaches the pipe
 * libotto watches before the answer does; then the answer. An item that
 * could not be carried makes the answer an error whatever the plugin said. */
static void send_end(otto__wk *w, int status, const char *message)
{
	otto__wk_send_end(w, status, message);
}

static void end_call(otto__wk *w, int status, otto_error *err)
{
	fflush(stdout);
	err->message[sizeof err->message - 1] = '\0';
	if (w->item_error) {
		send_end(w, OTTO_ERROR, w->item_error);
		free(w->item_error);
		w->item_error = NULL;
		return;
	}
	send_end(w, status, status == OTTO_OK ? NULL : err->message);
}

static void refuse(otto__wk *w, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void refuse(otto__wk *w, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = otto__vasprintf(fmt, ap);
	va_end(ap);
	send_end(w, status, msg);
	free(msg);
}

/* ---------------------------------------------------------- the requests -- */

static void do_scan(otto__wk *w, otto__reader *r)
{
	/* path + stamp take at least 36 bytes. */
	uint32_t n = otto__get_count(r, 36);
	if (r->bad || n > OTTO__WORKER_SCAN_MAX) {
		refuse(w, OTTO_EINVALID, "a malformed scan request");
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *path = otto__get_str(r);
		otto__file_stamp stamp;
		otto__get_stamp(r, &stamp);
		int fd = take_fd(w);
		otto__inspection insp;
		lt_dlhandle module = NULL;
		if (r->bad || !path || fd < 0) {
			memset(&insp, 0, sizeof insp);
			otto__inspection_fail(&insp, OTTO_PLUGIN_FAILED, "the scan request carried no file");
		} else {
			otto__inspect_fd(fd, path, &insp, &module);
		}
		fflush(stdout);
		size_t start = otto__frame_begin(&w->out, OTTO__W_PLUGIN, w->tag);
		otto__inspection_put(&w->out, i, &insp);
		otto__frame_end(&w->out, start);
		otto__wk_flush(w);
		otto__inspection_free(&insp);
		if (module)
			lt_dlclose(module);
		if (fd >= 0)
			close(fd);
	}
	send_end(w, OTTO_OK, NULL);
}

static void do_open(otto__wk *w, otto__reader *r, backend_state *b)
{
	otto_backend_kind kind = (otto_backend_kind)otto__get_u32(r);
	const char *name = otto__get_str(r);
	const char *path = otto__get_str(r);
	otto__file_stamp stamp;
	otto__get_stamp(r, &stamp);
	int fd = take_fd(w);
	if (!otto__reader_done(r) || !name || !path || fd < 0 || b->opened) {
		if (fd >= 0)
			close(fd);
		refuse(w, OTTO_EINVALID, "a malformed open request");
		return;
	}
	b->fd = fd;
	otto__inspect_fd(fd, path, &b->insp, &b->module);
	fflush(stdout);
	if (b->insp.status != OTTO_PLUGIN_LOADED) {
		refuse(w, OTTO_EPLUGIN, "%s", b->insp.detail ? b->insp.detail : "it did not load");
		return;
	}
	for (size_t i = 0; i < b->insp.n_backends; i++) {
		if (b->insp.backends[i].kind == kind && strcmp(b->insp.backends[i].name, name) == 0) {
			b->type = b->insp.types[i];
			b->kind = kind;
			b->opened = true;
		}
	}
	if (!b->opened) {
		refuse(w, OTTO_EPLUGIN, "it no longer registers %s backend '%s'", otto_backend_kind_name(kind), name);
		return;
	}
	uint32_t caps = 0;
	const char *description;
	if (kind == OTTO_KIND_LAB) {
		caps |= b->type.lab.list_host_summaries ? OTTO__CAP_SUMMARIES : 0;
		description = b->type.lab.description;
	} else if (kind == OTTO_KIND_LOCK_STORE) {
		caps |= b->type.lock_store.prepare ? OTTO__CAP_PREPARE : 0;
		description = b->type.lock_store.description;
	} else {
		const otto_reservation_backend_type *t = &b->type.reservation;
		caps |= t->list_usernames ? OTTO__CAP_USERNAMES : 0;
		caps |= t->get_reservation_windows ? OTTO__CAP_WINDOWS : 0;
		caps |= t->reserve && t->cancel ? OTTO__CAP_WRITE : 0;
		caps |= t->prepare ? OTTO__CAP_PREPARE : 0;
		description = t->description;
	}
	size_t start = otto__frame_begin(&w->out, OTTO__W_OPENED, w->tag);
	otto__put_u32(&w->out, caps);
	otto__put_str(&w->out, description);
	otto__frame_end(&w->out, start);
	send_end(w, OTTO_OK, NULL);
}

static void do_create(otto__wk *w, otto__reader *r, backend_state *b)
{
	otto__config_hold hold;
	otto_config cfg;
	otto__get_config(r, &hold, &cfg);
	if (!otto__reader_done(r) || !b->opened || b->created) {
		otto__config_hold_free(&hold);
		refuse(w, OTTO_EINVALID, "a malformed create request");
		return;
	}
	otto_error err = {0, ""};
	int (*create)(const otto_config *, void **, otto_error *) =
	    b->kind == OTTO_KIND_LAB	       ? b->type.lab.create
	    : b->kind == OTTO_KIND_LOCK_STORE ? b->type.lock_store.create
					      : b->type.reservation.create;
	void *self = NULL;
	int st = create(&cfg, &self, &err);
	otto__config_hold_free(&hold);
	if (st == OTTO_OK) {
		b->self = self;
		b->created = true;
	}
	end_call(w, st, &err);
}

static void destroy_backend(backend_state *b)
{
	if (b->kind == OTTO_KIND_LAB)
		b->type.lab.destroy(b->self);
	else if (b->kind == OTTO_KIND_LOCK_STORE)
		b->type.lock_store.destroy(b->self);
	else
		b->type.reservation.destroy(b->self);
}

static void do_destroy(otto__wk *w, backend_state *b)
{
	if (b->created) {
		destroy_backend(b);
		b->created = false;
	}
	fflush(stdout);
	send_end(w, OTTO_OK, NULL);
}

/* The calls of a created backend. */
static void do_call(otto__wk *w, uint32_t type, otto__reader *r, backend_state *b)
{
	bool lock_call = type >= OTTO__W_LOCK_WHERE && type <= OTTO__W_LOCK_RENEW;
	if (lock_call != (b->kind == OTTO_KIND_LOCK_STORE) || (lock_call && !b->created)) {
		refuse(w, OTTO_EINVALID, "a malformed or misplaced request (type %u)", type);
		return;
	}
	if (lock_call) {
		otto__wk_lock_call(w, type, r, &b->type.lock_store, b->self);
		return;
	}
	otto__wk_out out;
	otto__wk_out_init(&out, w);
	otto_error err = {0, ""};
	const otto_lab_repository_type *lab = &b->type.lab;
	const otto_reservation_backend_type *res = &b->type.reservation;
	bool is_lab = b->kind == OTTO_KIND_LAB;
	const char *arg = NULL;
	otto__config_hold hold = {0};
	otto_config prefs;
	bool has_prefs = false;
	otto_reservation_request request;

	switch (type) {
	case OTTO__W_LOAD_LAB:
		arg = otto__get_str(r);
		has_prefs = otto__get_u8(r) != 0;
		if (has_prefs)
			otto__get_config(r, &hold, &prefs);
		break;
	case OTTO__W_GET_RESERVED_RESOURCES:
	case OTTO__W_WHO_RESERVED:
	case OTTO__W_GET_RESERVATION_WINDOWS:
		arg = otto__get_str(r);
		break;
	case OTTO__W_RESERVE:
	case OTTO__W_CANCEL:
		otto__get_request(r, &hold, &request);
		break;
	default:
		break;
	}
	bool lab_call = type == OTTO__W_LIST_LABS || type == OTTO__W_LOAD_LAB || type == OTTO__W_LIST_HOST_SUMMARIES;
	if (!otto__reader_done(r) || !b->created || lab_call != is_lab) {
		otto__config_hold_free(&hold);
		refuse(w, OTTO_EINVALID, "a malformed or misplaced request (type %u)", type);
		return;
	}
	int st = OTTO_EPLUGIN;
	switch (type) {
	case OTTO__W_LIST_LABS:
		st = lab->list_labs(b->self, &out.strings, &err);
		break;
	case OTTO__W_LOAD_LAB:
		st = lab->load_lab(b->self, arg, has_prefs ? &prefs : NULL, &out.lab, &err);
		break;
	case OTTO__W_LIST_HOST_SUMMARIES:
		st = lab->list_host_summaries ? lab->list_host_summaries(b->self, &out.summaries, &err) : OTTO_EPLUGIN;
		break;
	case OTTO__W_BACKEND_NAME: {
		const char *name = res->backend_name(b->self);
		otto__wk_out_init(&out, w);
		st = out.strings.ops->add(&out.strings, name, &err);
		break;
	}
	case OTTO__W_GET_RESERVED_RESOURCES:
		st = res->get_reserved_resources(b->self, arg, &out.strings, &err);
		break;
	case OTTO__W_WHO_RESERVED:
		st = res->who_reserved(b->self, arg, &out.strings, &err);
		break;
	case OTTO__W_LIST_USERNAMES:
		st = res->list_usernames ? res->list_usernames(b->self, &out.strings, &err) : OTTO_EPLUGIN;
		break;
	case OTTO__W_GET_RESERVATION_WINDOWS:
		st = res->get_reservation_windows ? res->get_reservation_windows(b->self, arg, &out.windows, &err)
						  : OTTO_EPLUGIN;
		break;
	case OTTO__W_RESERVE:
		st = res->reserve ? res->reserve(b->self, &request, &out.windows, &err) : OTTO_EPLUGIN;
		break;
	case OTTO__W_CANCEL:
		st = res->cancel ? res->cancel(b->self, &request, &out.windows, &err) : OTTO_EPLUGIN;
		break;
	case OTTO__W_PREPARE:
		st = res->prepare ? res->prepare(b->self, &out.strings, &err) : OTTO_EPLUGIN;
		break;
	}
	otto__config_hold_free(&hold);
	end_call(w, st, &err);
}

/* ---------------------------------------------------------------- main -- */

static void say_hello(otto__wk *w)
{
	size_t start = otto__frame_begin(&w->out, OTTO__W_HELLO, 0);
	otto__put_u32(&w->out, OTTO__WORKER_PROTOCOL);
	otto__put_u32(&w->out, OTTO_ABI_MAJOR);
	otto__put_u32(&w->out, OTTO_ABI_MINOR);
	otto__put_str(&w->out, OTTO_VERSION);
	otto__frame_end(&w->out, start);
	otto__wk_flush(w);
}

static void leave(otto__wk *w, backend_state *b)
{
	/* Every create() that succeeded gets its destroy(), even when libotto
	 * left without asking. */
	if (b->created) {
		destroy_backend(b);
	}
	otto__inspection_free(&b->insp);
	if (b->module)
		lt_dlclose(b->module);
	if (b->fd >= 0)
		close(b->fd);
	lt_dlexit();
	while (w->n_fds > 0)
		close(take_fd(w));
	free(w->fds);
	otto__frame_in_free(&w->in);
	otto__buf_free(&w->out);
	free(w->item_error);
}

int otto__worker_main(int argc, char **argv)
{
	(void)argv;
	struct stat st;
	if (argc != 1 || fstat(CHANNEL_FD, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fputs("otto-worker: runs plugin code for libotto, which starts it; it is not meant to be run by hand\n",
		      stderr);
		return 2;
	}
	/* The channel must not reach a program a plugin runs. */
	fcntl(CHANNEL_FD, F_SETFD, FD_CLOEXEC);
	/* A plugin's crash must end this process by its signal: how the worker
	 * ended is the one account libotto trusts. (exec gave us default
	 * handlers; a sanitizer runtime may have installed its own since.) */
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		signal(fatal[i], SIG_DFL);
	/* Unbuffered: a plugin's printf reaches the watched pipe during the call
	 * that made it, and is charged to that call. */
	setvbuf(stdout, NULL, _IONBF, 0);

	otto__wk w;
	memset(&w, 0, sizeof w);
	w.fd = CHANNEL_FD;
	backend_state b;
	memset(&b, 0, sizeof b);
	b.fd = -1;
	lt_dlinit();
	say_hello(&w);

	otto__frame f;
	while (read_frame(&w, &f)) {
		otto__reader r;
		otto__reader_init(&r, &f);
		w.tag = f.tag;
		switch (f.type) {
		case OTTO__W_SCAN:
			do_scan(&w, &r);
			break;
		case OTTO__W_OPEN:
			do_open(&w, &r, &b);
			break;
		case OTTO__W_CREATE:
			do_create(&w, &r, &b);
			break;
		case OTTO__W_DESTROY:
			do_destroy(&w, &b);
			break;
		default:
			do_call(&w, f.type, &r, &b);
			break;
		}
	}
	leave(&w, &b);
	return 0;
}
