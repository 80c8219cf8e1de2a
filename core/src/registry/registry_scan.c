/*
 * Inspecting a plugin file in otto-worker (the SCAN request of worker.h),
 * so that a plugin that crashes, hangs, exits or prints while loading or
 * registering cannot take the host down or pollute its output. The worker
 * is handed the descriptor the scan opened, so it inspects exactly the file
 * whose stamp the registry records. Its answer is checked like anything
 * else a worker says.
 */
#include "registry/registry_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

/* ------------------------------------------------------ the PLUGIN frame -- */

uint32_t otto__caps_of_kind(otto_backend_kind kind)
{
	switch (kind) {
	case OTTO_KIND_LAB:
		return OTTO_BACKEND_CAP_SUMMARIES;
	case OTTO_KIND_RESERVATION:
		return OTTO_BACKEND_CAP_USERNAMES | OTTO_BACKEND_CAP_WINDOWS | OTTO_BACKEND_CAP_WRITE |
		       OTTO_BACKEND_CAP_PREPARE;
	case OTTO_KIND_LOCK_STORE:
		return OTTO_BACKEND_CAP_PREPARE | OTTO_BACKEND_CAP_RENEW;
	}
	return 0;
}

void otto__inspection_put(otto_buf *b, uint32_t index, const otto__inspection *insp)
{
	otto__put_u32(b, index);
	otto__put_u32(b, (uint32_t)insp->status);
	otto__put_str(b, insp->detail);
	otto__put_str(b, insp->plugin_name);
	otto__put_str(b, insp->plugin_version);
	otto__put_u32(b, insp->abi_major);
	otto__put_u32(b, insp->abi_minor);
	otto__put_u32(b, (uint32_t)insp->n_backends);
	for (size_t i = 0; i < insp->n_backends; i++) {
		const otto__backend_entry *e = &insp->backends[i];
		otto__put_u32(b, (uint32_t)e->kind);
		otto__put_str(b, e->name);
		otto__put_str(b, e->description);
		otto__put_u32(b, e->caps);
		otto__put_u32(b, (uint32_t)e->n_keys);
		for (size_t k = 0; k < e->n_keys; k++) {
			otto__put_str(b, e->keys[k].key);
			otto__put_u32(b, (uint32_t)e->keys[k].type);
			otto__put_u32(b, e->keys[k].flags);
			otto__put_str(b, e->keys[k].description);
		}
	}
}

bool otto__inspection_get(otto__reader *r, uint32_t *index, otto__inspection *out)
{
	return otto__inspection_get_part(r, index, out, NULL) && otto__reader_done(r);
}

/* A string of the frame kept: copied, or the frame's own bytes. */
static char *keep_str(const char *s, otto__arena *arena)
{
	return arena ? (char *)s : otto__strdup(s);
}

static void *keep_array(size_t n, size_t size, otto__arena *arena)
{
	return arena ? otto__arena_alloc(arena, n * size) : otto__calloc(n, size);
}

bool otto__inspection_get_part(otto__reader *r, uint32_t *index, otto__inspection *out, otto__arena *arena)
{
	memset(out, 0, sizeof *out);
	out->borrowed = arena != NULL;
	*index = otto__get_u32(r);
	uint32_t status = otto__get_u32(r);
	const char *detail = otto__get_str(r);
	const char *name = otto__get_str(r);
	const char *version = otto__get_str(r);
	out->abi_major = otto__get_u32(r);
	out->abi_minor = otto__get_u32(r);
	/* A backend takes at least 20 bytes. */
	uint32_t n = otto__get_count(r, 20);
	bool ok = !r->bad && status >= OTTO_PLUGIN_LOADED && status <= OTTO_PLUGIN_FAILED &&
		  (status == OTTO_PLUGIN_LOADED) == (detail == NULL) && (status != OTTO_PLUGIN_LOADED || n > 0);
	out->status = (otto_plugin_status)status;
	out->detail = keep_str(detail, arena);
	out->plugin_name = keep_str(name, arena);
	out->plugin_version = keep_str(version, arena);
	if (!ok)
		return false;
	out->backends = keep_array(n + 1, sizeof *out->backends, arena);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t kind = otto__get_u32(r);
		const char *bname = otto__get_str(r);
		const char *description = otto__get_str(r);
		uint32_t caps = otto__get_u32(r);
		/* A key takes at least 16 bytes. */
		uint32_t n_keys = otto__get_count(r, 16);
		if (r->bad || !bname || !otto__valid_backend_name(bname) ||
		    (kind != OTTO_KIND_LAB && kind != OTTO_KIND_RESERVATION && kind != OTTO_KIND_LOCK_STORE) ||
		    n_keys > OTTO__SETTINGS_KEYS_MAX || (caps & ~otto__caps_of_kind((otto_backend_kind)kind)))
			return false;
		for (size_t k = 0; k < out->n_backends; k++)
			if (out->backends[k].kind == (otto_backend_kind)kind && strcmp(out->backends[k].name, bname) == 0)
				return false;
		otto__backend_entry *e = &out->backends[out->n_backends++];
		e->kind = (otto_backend_kind)kind;
		e->name = keep_str(bname, arena);
		e->description = keep_str(description, arena);
		e->caps = caps;
		e->keys = keep_array(n_keys + 1, sizeof *e->keys, arena);
		for (uint32_t k = 0; k < n_keys; k++) {
			const char *key = otto__get_str(r);
			uint32_t type = otto__get_u32(r);
			uint32_t flags = otto__get_u32(r);
			const char *kdesc = otto__get_str(r);
			if (r->bad || !key)
				return false;
			otto_setting_decl *d = &e->keys[e->n_keys++];
			d->key = keep_str(key, arena);
			d->type = (otto_value_type)type;
			d->flags = flags;
			d->description = keep_str(kdesc, arena);
		}
	}
	return !r->bad;
}

/* ---------------------------------------------------------- the parent -- */

typedef struct scan_answer {
	otto__inspection *out;
	bool got;
} scan_answer;

static bool on_plugin(void *ud, const otto__frame *f, const char **why)
{
	scan_answer *a = ud;
	if (f->type != OTTO__W_PLUGIN || a->got) {
		*why = "a frame the scan of one file cannot have";
		return false;
	}
	otto__reader r;
	otto__reader_init(&r, f);
	uint32_t index;
	otto__inspection insp;
	bool ok = otto__inspection_get(&r, &index, &insp) && index == 0;
	if (!ok) {
		otto__inspection_free(&insp);
		*why = "a malformed inspection";
		return false;
	}
	otto__inspection_free(a->out);
	*a->out = insp;
	a->got = true;
	return true;
}

/* The worker's fault in the words `otto plugins` has always used. */
static void describe_fault(const otto__worker *w, unsigned timeout_s, otto__inspection *out)
{
	const otto__child *c = &w->child;
	switch (w->started ? w->fault : OTTO__WF_START) {
	case OTTO__WF_TIMEOUT:
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "did not finish registering within %u s (killed)",
				      timeout_s);
		return;
	case OTTO__WF_ENDED:
		if (c->reaped && !c->status_lost && WIFSIGNALED(c->wstatus)) {
			int sig = WTERMSIG(c->wstatus);
			const char *desc = sigdescr_np(sig);
			otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
					      "crashed with %s (%s) while loading or registering",
					      otto__signal_name(sig), desc ? desc : "unknown signal");
		} else if (c->reaped && !c->status_lost && WIFEXITED(c->wstatus) && WEXITSTATUS(c->wstatus) != 0) {
			otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
					      "exited with status %d while loading or registering",
					      WEXITSTATUS(c->wstatus));
		} else {
			otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
					      "exited while loading or registering without reporting a result");
		}
		return;
	case OTTO__WF_STDOUT:
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
				      "wrote %s to stdout while loading or registering, which a plugin must never do "
				      "(stdout is otto's output)",
				      w->how ? w->how : "");
		return;
	default: {
		char *text = otto__worker_fault_text(w);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be inspected: the worker %s", text);
		free(text);
		return;
	}
	}
}

static bool fault_is_transient(const otto__worker *w);

void otto__inspect_fd_isolated(int fd, const char *path, const otto__file_stamp *stamp, unsigned timeout_s,
			       otto__inspection *out)
{
	memset(out, 0, sizeof *out);
	otto__worker w;
	unsigned timeout_ms = timeout_s * 1000u;
	if (!otto__worker_start(&w, timeout_ms)) {
		describe_fault(&w, timeout_s, out);
		out->transient = true;
		otto__worker_free(&w);
		return;
	}
	otto_buf *b = otto__worker_request(&w, OTTO__W_SCAN);
	otto__put_u32(b, 1);
	otto__put_str(b, path);
	otto__put_stamp(b, stamp);
	scan_answer answer = {out, false};
	int status;
	char message[OTTO_ERROR_MESSAGE_MAX];
	/* One file per worker: a plugin cannot disturb the inspection of the
	 * next one (the request can carry more, for a later batched scan). */
	bool answered = otto__worker_call(&w, "the scan", &fd, 1, on_plugin, &answer, &status, message);
	if (answered && (!answer.got || status != OTTO_OK)) {
		otto__inspection_free(out);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be inspected: the worker says: %s",
				      message[0] ? message : "no result");
		out->transient = true;
	} else if (!answered) {
		/* The names it registered, when they came (then it wrote to
		 * stdout), stay known: selecting one names this file. */
		if (!answer.got)
			otto__inspection_free(out);
		describe_fault(&w, timeout_s, out);
		out->transient = fault_is_transient(&w);
	} else if (!otto__worker_stop(&w)) {
		/* It answered, then did not leave cleanly: a destructor or an
		 * atexit handler of the plugin crashed or exited. */
		char *how = otto__child_describe_end(&w.child);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "registered, but then %s while being unloaded", how);
		free(how);
	}
	otto__worker_free(&w);
}

/* ------------------------------------------------------- many files -- */

/* The answer to one SCAN request of several files: PLUGIN frames in order. */
typedef struct batch_answer {
	otto__scan_file **files;
	size_t n, got;
} batch_answer;

static bool on_batch_plugin(void *ud, const otto__frame *f, const char **why)
{
	batch_answer *a = ud;
	if (f->type != OTTO__W_PLUGIN || a->got >= a->n) {
		*why = "a frame the scan cannot have";
		return false;
	}
	otto__reader r;
	otto__reader_init(&r, f);
	uint32_t index;
	otto__inspection insp;
	if (!otto__inspection_get(&r, &index, &insp) || index != a->got) {
		otto__inspection_free(&insp);
		*why = "a malformed inspection";
		return false;
	}
	otto__scan_file *file = a->files[a->got++];
	otto__inspection_free(&file->insp);
	file->insp = insp;
	return true;
}

static void scan_alone(otto__scan_file *f, unsigned timeout_s)
{
	otto__inspection_free(&f->insp);
	otto__inspect_fd_isolated(f->fd, f->path, &f->stamp, timeout_s, &f->insp);
}

/* A fault that says nothing about the file (the worker could not start,
 * broke the protocol, the pipe broke): not to be remembered. */
static bool fault_is_transient(const otto__worker *w)
{
	if (!w->started)
		return true;
	return w->fault != OTTO__WF_TIMEOUT && w->fault != OTTO__WF_ENDED && w->fault != OTTO__WF_STDOUT;
}

static void fault_file(const otto__worker *w, unsigned timeout_s, otto__scan_file *f)
{
	otto__inspection_free(&f->insp);
	describe_fault(w, timeout_s, &f->insp);
	f->insp.transient = fault_is_transient(w);
}

/* Send the next files (up to OTTO__WORKER_SCAN_MAX) in one request.
 * Returns how many files of batch[] were settled; *faulted when the worker
 * failed (then it must not be used again). `earlier`: files this worker
 * inspected before the batch. */
static size_t scan_batch(otto__worker *w, otto__scan_file **batch, size_t k, size_t earlier, unsigned timeout_s,
			 bool *faulted)
{
	otto_buf *b = otto__worker_request(w, OTTO__W_SCAN);
	int fds[OTTO__WORKER_SCAN_MAX];
	otto__put_u32(b, (uint32_t)k);
	for (size_t j = 0; j < k; j++) {
		otto__put_str(b, batch[j]->path);
		otto__put_stamp(b, &batch[j]->stamp);
		fds[j] = batch[j]->fd;
	}
	batch_answer answer = {batch, k, 0};
	int status;
	char message[OTTO_ERROR_MESSAGE_MAX];
	*faulted = false;
	if (otto__worker_call(w, "the scan", fds, k, on_batch_plugin, &answer, &status, message)) {
		/* The worker refused the request (it cannot, for a well-formed
		 * one): the files without an answer say so, and are not kept. */
		for (size_t j = answer.got; j < k; j++) {
			otto__inspection_free(&batch[j]->insp);
			otto__inspection_fail(&batch[j]->insp, OTTO_PLUGIN_FAILED,
					      "cannot be inspected: the worker says: %s",
					      message[0] ? message : "no result");
			batch[j]->insp.transient = true;
		}
		return k;
	}
	*faulted = true;
	if (w->fault == OTTO__WF_STDOUT) {
		/* Seen at the end of the request: which file printed is
		 * unknown. Each is inspected again in a worker of its own. */
		for (size_t j = 0; j < k; j++)
			scan_alone(batch[j], timeout_s);
		return k;
	}
	/* The last file answered was unloaded after its answer (a destructor
	 * may have crashed): only a worker of its own tells. The answers
	 * before it are the files' own. The fault is charged to the file after
	 * them, unless another file ran in this worker before (a thread, a
	 * handler it left): then, again, only a worker of its own tells. */
	if (answer.got > 0)
		scan_alone(batch[answer.got - 1], timeout_s);
	if (answer.got < k) {
		if (earlier + answer.got > 0)
			scan_alone(batch[answer.got], timeout_s);
		else
			fault_file(w, timeout_s, batch[answer.got]);
		return answer.got + 1;
	}
	return k;
}

void otto__inspect_files_isolated(otto__scan_file *files, size_t n, unsigned timeout_s)
{
	size_t i = 0;
	otto__scan_file **batch = otto__calloc(OTTO__WORKER_SCAN_MAX, sizeof *batch);
	while (i < n) {
		while (i < n && files[i].fd < 0)
			i++;
		if (i == n)
			break;
		otto__worker w;
		if (!otto__worker_start(&w, timeout_s * 1000u)) {
			/* No worker at all: every file left says why. */
			for (; i < n; i++)
				if (files[i].fd >= 0)
					fault_file(&w, timeout_s, &files[i]);
			otto__worker_free(&w);
			break;
		}
		size_t first = i, handled = 0;
		bool faulted = false;
		while (!faulted) {
			size_t k = 0, next = i;
			for (; next < n && k < OTTO__WORKER_SCAN_MAX; next++)
				if (files[next].fd >= 0)
					batch[k++] = &files[next];
			if (k == 0) {
				i = n;
				break;
			}
			size_t settled = scan_batch(&w, batch, k, handled, timeout_s, &faulted);
			handled += settled;
			/* Carry on after the last file settled. */
			i = settled == k ? next : (size_t)(batch[settled] - files);
		}
		if (!faulted && !otto__worker_stop(&w)) {
			/* It did not leave cleanly (a destructor or atexit handler
			 * of one of them): find which, each in a worker of its own. */
			for (size_t k = first; k < i; k++)
				if (files[k].fd >= 0)
					scan_alone(&files[k], timeout_s);
		}
		otto__worker_free(&w);
	}
	free(batch);
}
