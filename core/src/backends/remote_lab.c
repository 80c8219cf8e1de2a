/*
 * The lab repository proxy: a host-side otto_lab_repository_type whose
 * calls ask the worker and replay its answer into the out-object libotto
 * passed, so lab_build.c's checks and messages apply to a worker's hosts
 * exactly as to an in-process plugin's.
 */
#include "backends/backends.h"

#include <string.h>

static bool replay_lab(void *ud, const otto__frame *f, const char **why)
{
	otto__replay *rp = ud;
	otto_lab_out *out = rp->out;
	otto__reader r;
	otto__reader_init(&r, f);
	/* The smallest item of each kind: a NULL record is one byte. */
	uint32_t n = otto__get_count(&r, f->type == OTTO__W_RESOURCES ? 4 : 1);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		int rc = OTTO_OK;
		bool present;
		if (f->type == OTTO__W_HOSTS) {
			otto_host h;
			if (!otto__get_host(&r, rp->scratch, &h, &present))
				break;
			if (!rp->refused)
				rc = otto_lab_out_add_host(out, present ? &h : NULL, rp->err);
		} else if (f->type == OTTO__W_RESOURCES) {
			const char *resource = otto__get_str(&r);
			if (r.bad)
				break;
			if (!rp->refused)
				rc = otto_lab_out_add_resource(out, resource, rp->err);
		} else if (f->type == OTTO__W_LINKS) {
			otto_link l;
			if (!otto__get_link(&r, rp->scratch, &l, &present))
				break;
			if (!rp->refused)
				rc = otto_lab_out_add_link(out, present ? &l : NULL, rp->err);
		} else {
			*why = "items of another kind than load_lab answers";
			return false;
		}
		if (rc != OTTO_OK && !rp->refused)
			rp->refused = rc;
	}
	if (!otto__reader_done(&r)) {
		*why = "a malformed batch of lab items";
		return false;
	}
	return true;
}

static bool replay_summaries(void *ud, const otto__frame *f, const char **why)
{
	otto__replay *rp = ud;
	if (f->type == OTTO__W_WARNINGS)
		return otto__replay_warnings(rp, f, true, why);
	if (f->type != OTTO__W_SUMMARIES) {
		*why = "items of another kind than list_host_summaries answers";
		return false;
	}
	otto__reader r;
	otto__reader_init(&r, f);
	uint32_t n = otto__get_count(&r, 1);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		otto_host_summary s;
		bool present;
		if (!otto__get_summary(&r, rp->scratch, &s, &present))
			break;
		if (!rp->refused) {
			int rc = otto_summary_out_add(rp->out, present ? &s : NULL, rp->err);
			if (rc != OTTO_OK)
				rp->refused = rc;
		}
	}
	if (!otto__reader_done(&r)) {
		*why = "a malformed batch of host summaries";
		return false;
	}
	return true;
}

static int proxy_create(const otto_config *config, void **self, otto_error *err)
{
	/* Never called: otto__remote_open creates the backend in its worker. */
	(void)config;
	*self = NULL;
	return otto_error_set(err, OTTO_EINVALID, "the worker proxy is not created this way");
}

static void proxy_destroy(void *self)
{
	/* otto__remote_close destroys the backend in its worker. */
	(void)self;
}

static int proxy_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	otto__remote *remote = self;
	otto__remote_request(remote, OTTO__W_LIST_LABS);
	otto__replay rp;
	otto__replay_init(&rp, remote, out, err);
	return otto__remote_call(remote, "list_labs", otto__replay_strings, &rp);
}

static int proxy_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			  otto_error *err)
{
	otto__remote *remote = self;
	otto_buf *b = otto__remote_request(remote, OTTO__W_LOAD_LAB);
	otto__put_str(b, name);
	otto__put_u8(b, preferences != NULL);
	if (preferences)
		otto__put_config(b, preferences);
	otto__replay rp;
	otto__replay_init(&rp, remote, out, err);
	return otto__remote_call(remote, "load_lab", replay_lab, &rp);
}

static int proxy_list_host_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	otto__remote *remote = self;
	otto__remote_request(remote, OTTO__W_LIST_HOST_SUMMARIES);
	otto__replay rp;
	otto__replay_init(&rp, remote, out, err);
	return otto__remote_call(remote, "list_host_summaries", replay_summaries, &rp);
}

const otto_lab_repository_type otto__remote_lab_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "worker",
    .description = "a lab repository in otto-worker",
    .create = proxy_create,
    .destroy = proxy_destroy,
    .list_labs = proxy_list_labs,
    .load_lab = proxy_load_lab,
    .list_host_summaries = proxy_list_host_summaries,
};
