/*
 * A backend in a worker, seen from libotto: start otto-worker, load the
 * plugin file the scan saw there (OPEN), create the backend (CREATE), then
 * run the proxies' calls and replay their answers into the real
 * out-objects. Every way the worker fails to answer becomes one backend
 * error naming the backend, the plugin file and the call, and the backend
 * stays failed: later calls fail at once, and closing it reports it.
 */
#include "backends/backends.h"
#include "registry/registry.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct otto__remote {
	otto__worker w;
	const char *kind; /* "lab", "reservation" */
	char *label;      /* "lab backend 'x' (plugin /p/x.so)" */
	uint32_t caps;
	otto__item_scratch scratch;
	char *first_failure; /* the first fault, reported again at close */
	otto_strlist names;  /* backend_name() answers */
};

uint32_t otto__remote_caps(const otto__remote *remote)
{
	return remote->caps;
}

const char *otto__remote_keep_name(otto__remote *remote, const char *name)
{
	long at = otto_strlist_index(&remote->names, name);
	if (at < 0) {
		otto__strlist_push(&remote->names, name);
		at = (long)remote->names.count - 1;
	}
	return remote->names.items[at];
}

otto_buf *otto__remote_request(otto__remote *remote, uint32_t type)
{
	return otto__worker_request(&remote->w, type);
}

/* "<label> <what the worker did>" plus `tail`, kept as the first failure. */
static void fault_message(otto__remote *r, const char *op, const char *tail, otto_error *err)
{
	char *text = otto__worker_fault_text(&r->w);
	const char *fault_op = r->w.fault_op ? r->w.fault_op : op;
	if (strcmp(fault_op, op) == 0)
		otto_error_set(err, OTTO_ERROR, "%s %s%s", r->label, text, tail);
	else
		otto_error_set(err, OTTO_ERROR, "%s cannot answer %s: it %s", r->label, op, text);
	if (!r->first_failure)
		r->first_failure = otto__strdup(err->message);
	free(text);
}

int otto__remote_call(otto__remote *remote, const char *op, otto__worker_item_fn on_item, otto__replay *rp)
{
	int status;
	char message[OTTO_ERROR_MESSAGE_MAX];
	if (!otto__worker_call(&remote->w, op, NULL, 0, on_item, rp, &status, message)) {
		fault_message(remote, op, "; nothing was answered.", rp->err);
		return OTTO_ERROR;
	}
	if (rp->refused)
		return rp->refused; /* the out-object's message is in err already */
	/* As the plugin left it: the message of a failure, or nothing. */
	otto_error_set(rp->err, status, "%s", message);
	return status;
}

void otto__replay_init(otto__replay *rp, otto__remote *remote, void *out, otto_error *err)
{
	memset(rp, 0, sizeof *rp);
	rp->remote = remote;
	rp->out = out;
	rp->err = err;
	rp->scratch = &remote->scratch;
}

bool otto__replay_warnings(otto__replay *rp, const otto__frame *f, bool summaries, const char **why)
{
	otto__reader r;
	otto__reader_init(&r, f);
	uint32_t n = otto__get_count(&r, 4);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		const char *s = otto__get_str(&r);
		if (r.bad || !s || !rp->out || rp->refused)
			continue;
		if (summaries)
			otto_summary_out_warn(rp->out, s);
		else
			otto_string_out_warn(rp->out, s);
	}
	if (!otto__reader_done(&r)) {
		*why = "a malformed batch of warnings";
		return false;
	}
	return true;
}

bool otto__replay_strings(void *ud, const otto__frame *f, const char **why)
{
	otto__replay *rp = ud;
	if (f->type == OTTO__W_WARNINGS)
		return otto__replay_warnings(rp, f, false, why);
	if (f->type != OTTO__W_STRINGS) {
		*why = "items of another kind than this call answers";
		return false;
	}
	otto__reader r;
	otto__reader_init(&r, f);
	uint32_t n = otto__get_count(&r, 4);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		const char *s = otto__get_str(&r);
		if (r.bad)
			break;
		rp->strings++;
		rp->string = s;
		if (rp->out && !rp->refused) {
			int rc = otto_string_out_add(rp->out, s, rp->err);
			if (rc != OTTO_OK)
				rp->refused = rc;
		}
	}
	if (!otto__reader_done(&r)) {
		*why = "a malformed batch of strings";
		return false;
	}
	return true;
}

bool otto__replay_windows(void *ud, const otto__frame *f, const char **why)
{
	otto__replay *rp = ud;
	if (f->type != OTTO__W_WINDOWS) {
		*why = "items of another kind than this call answers";
		return false;
	}
	otto__reader r;
	otto__reader_init(&r, f);
	uint32_t n = otto__get_count(&r, 20);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		const char *resource = otto__get_str(&r);
		int64_t start = otto__get_i64(&r);
		int64_t end = otto__get_i64(&r);
		if (r.bad)
			break;
		if (!rp->refused) {
			int rc = otto_window_out_add(rp->out, resource, start, end, rp->err);
			if (rc != OTTO_OK)
				rp->refused = rc;
		}
	}
	if (!otto__reader_done(&r)) {
		*why = "a malformed batch of windows";
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ opening -- */

static bool on_opened(void *ud, const otto__frame *f, const char **why)
{
	otto__remote *r = ud;
	otto__reader rd;
	otto__reader_init(&rd, f);
	uint32_t caps = otto__get_u32(&rd);
	otto__get_str(&rd);
	if (f->type != OTTO__W_OPENED || !otto__reader_done(&rd) || (caps & ~31u)) {
		*why = "a malformed answer to opening the plugin";
		return false;
	}
	r->caps = caps;
	return true;
}

static int remote_create(void *ctx, const otto_config *config, void **self, otto_error *err)
{
	otto__remote *r = ctx;
	otto__put_config(otto__remote_request(r, OTTO__W_CREATE), config);
	otto__replay rp;
	otto__replay_init(&rp, r, NULL, err);
	int rc = otto__remote_call(r, "create", NULL, &rp);
	*self = rc == OTTO_OK ? r : NULL;
	return rc;
}

static void remote_free(otto__remote *r)
{
	if (!r)
		return;
	otto__worker_free(&r->w);
	otto__item_scratch_free(&r->scratch);
	free(r->label);
	free(r->first_failure);
	otto_strlist_free(&r->names);
	free(r);
}

int otto__remote_open(otto__remote **out, otto_registry *reg, otto_backend_kind kind, const char *name,
		      const otto_config *config, otto_error *err)
{
	*out = NULL;
	int fd;
	const char *path;
	int rc = otto__registry_open_provider(reg, kind, name, &fd, &path, err);
	if (rc != OTTO_OK)
		return rc;
	otto__remote *r = otto__calloc(1, sizeof *r);
	r->kind = otto_backend_kind_name(kind);
	/* A file name is data: escaped, as every message of libotto is. */
	char *shown = otto__text_escape(path);
	r->label = otto__asprintf("%s backend '%s' (plugin %s)", r->kind, name, shown);
	free(shown);
	const char *op = "the plugin's loading and registration";

	if (!otto__worker_start(&r->w, otto__registry_call_timeout(reg))) {
		char *text = otto__worker_fault_text(&r->w);
		rc = otto_error_set(err, OTTO_EPLUGIN, "%s was not loaded: the worker %s", r->label, text);
		free(text);
		goto fail;
	}
	struct stat st;
	otto__file_stamp stamp;
	memset(&stamp, 0, sizeof stamp);
	if (fstat(fd, &st) == 0)
		otto__stamp_from_stat(&stamp, &st);
	otto_buf *b = otto__remote_request(r, OTTO__W_OPEN);
	otto__put_u32(b, (uint32_t)kind);
	otto__put_str(b, name);
	otto__put_str(b, path);
	otto__put_stamp(b, &stamp);
	int status;
	char message[OTTO_ERROR_MESSAGE_MAX];
	if (!otto__worker_call(&r->w, op, &fd, 1, on_opened, r, &status, message)) {
		char *text = otto__worker_fault_text(&r->w);
		rc = otto_error_set(err, OTTO_EPLUGIN, "%s %s; nothing was answered.", r->label, text);
		free(text);
		goto fail;
	}
	if (status != OTTO_OK) {
		/* The scan saw it load and register this name; now it does not. */
		rc = otto_error_set(err, OTTO_EPLUGIN, "%s loaded when scanned but fails now: %s", r->label,
				    message[0] ? message : "no reason given");
		goto fail;
	}
	close(fd);
	fd = -1;
	void *self = NULL;
	const char *table = kind == OTTO_KIND_LAB ? "lab" : kind == OTTO_KIND_LOCK_STORE ? "locks" : "reservations";
	rc = otto__backend_create_ctx(r->kind, table, name, path, remote_create, r, config, &self, err);
	if (rc != OTTO_OK)
		goto fail;
	*out = r;
	return OTTO_OK;
fail:
	if (fd >= 0)
		close(fd);
	remote_free(r);
	return rc;
}

int otto__remote_close(otto__remote *r, otto_error *err)
{
	if (!r)
		return OTTO_OK;
	int rc = OTTO_OK;
	if (!r->w.fault) {
		otto__worker_request(&r->w, OTTO__W_DESTROY);
		int status;
		char message[OTTO_ERROR_MESSAGE_MAX];
		if (!otto__worker_call(&r->w, "destroy", NULL, 0, NULL, NULL, &status, message)) {
			otto_error e;
			fault_message(r, "destroy", ".", &e);
		} else if (!otto__worker_stop(&r->w)) {
			/* destroy() returned, then the process did not end well: a
			 * destructor or atexit handler of the plugin, or a leak
			 * checker's verdict under a test wrapper. */
			char *how = otto__child_describe_end(&r->w.child);
			char *said = otto__child_stderr_text(&r->w.child, OTTO__WORKER_STDERR_SHOWN);
			char *msg = otto__asprintf("%s %s after destroy%s%s%s", r->label, how, said ? " (its stderr: \"" : "",
						   said ? said : "", said ? "\")" : "");
			if (!r->first_failure)
				r->first_failure = msg;
			else
				free(msg);
			free(how);
			free(said);
		}
	}
	if (r->first_failure)
		rc = otto_error_set(err, OTTO_ERROR, "%s", r->first_failure);
	remote_free(r);
	return rc;
}
