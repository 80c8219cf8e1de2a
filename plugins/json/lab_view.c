/*
 * A parsed host record as the otto_host the SDK hands to libotto, and
 * where records lie in the file (for messages). The views point into the
 * parse and a scratch buffer, so building a lab allocates nothing per host.
 */
#include "lab_index.h"

#include <stdlib.h>
#include <string.h>

void jl_host_view(const jl_file *f, const jl_host *h, jl_scratch *s, otto_host *out)
{
	otto_host init = OTTO_HOST_INIT;
	*out = init;
	ju_reserve((void **)&s->ptrs, &s->ptrs_cap, h->n_resources + h->n_labs + 1, sizeof *s->ptrs);
	for (uint32_t i = 0; i < h->n_resources; i++)
		s->ptrs[i] = jl_str(f, f->resources[h->first_resource + i]);
	for (uint32_t i = 0; i < h->n_labs; i++)
		s->ptrs[h->n_resources + i] = f->labs.keys[f->host_labs[h->first_lab + i]];
	ju_reserve((void **)&s->creds, &s->creds_cap, h->n_creds + 1, sizeof *s->creds);
	for (uint32_t i = 0; i < h->n_creds; i++) {
		const jl_cred *c = &f->creds[h->first_cred + i];
		s->creds[i].login = jl_str(f, c->login);
		s->creds[i].password = jl_str(f, c->password);
	}
	ju_buf_reset(&s->extra);
	for (uint32_t i = 0; i < h->n_extras; i++) {
		const jl_slice *sl = &f->extras[h->first_extra + i];
		ju_buf_add(&s->extra, i ? "," : "{", 1);
		ju_buf_add(&s->extra, f->text + sl->offset, sl->len);
	}
	if (h->n_extras)
		ju_buf_add(&s->extra, "}", 1);
	out->ip = jl_str(f, h->ip);
	out->element = jl_str(f, h->element);
	out->element_id = h->element_id;
	out->board = jl_str(f, h->board);
	out->slot = h->slot;
	out->os_type = jl_str(f, h->os_type);
	out->resources = s->ptrs;
	out->n_resources = h->n_resources;
	out->labs = s->ptrs + h->n_resources;
	out->n_labs = h->n_labs;
	out->docker_capable = h->docker_capable;
	out->creds = s->creds;
	out->n_creds = h->n_creds;
	out->extra_json = h->n_extras ? s->extra.data : NULL;
}

unsigned jl_line_at(const jl_file *f, uint32_t offset)
{
	ju_pos_cursor cursor = {0};
	unsigned line, col;
	ju_line_col(f->text, offset, &cursor, &line, &col);
	return line;
}

unsigned jl_host_line(const jl_file *f, const jl_host *h)
{
	return jl_line_at(f, h->offset);
}

void jl_scratch_free(jl_scratch *s)
{
	free(s->ends);
	free(s->ptrs);
	free(s->creds);
	ju_buf_free(&s->extra);
}
