/*
 * lab.json -> jl_file, in one yajl streaming pass over the whole file: the
 * file and its top level (this file), host records (lab_parse_host.c) and
 * links (lab_parse_link.c).
 *
 * The callbacks drive a small state machine. Fields otto-c reads are
 * checked and copied into a string pool; every other field is recorded as
 * a byte range of the file's text (`"key": value`), found with
 * yajl_get_bytes_consumed(), which inside a callback is the offset just past
 * the token yajl reported. Feeding the file as one buffer makes those
 * offsets absolute.
 */
#include "lab_parse_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

unsigned jp_line_here(parser *p)
{
	unsigned line, col;
	ju_line_col(p->f->text, jp_here(p), &p->cursor, &line, &col);
	return line;
}

/* A NUL can only come from a \u0000 escape (yajl refuses a raw one), and
 * yajl hands a string without escapes straight from the file's text: only
 * its decoded copies need looking at, which keeps the common case free. A
 * NUL would cut the C string the host sees ("alice\u0000mallory" read as
 * "alice"), so every field otto-c reads refuses one. */
bool jp_holds_nul(const parser *p, const char *s, size_t len)
{
	return ju_decoded_nul(p->f->text, p->f->text_len, s, len);
}

uint32_t jp_pool_add(parser *p, const char *s, size_t len)
{
	jl_file *f = p->f;
	if (f->pool_len + len + 1 >= JL_NONE) {
		if (!p->fatal)
			p->fatal = ju_asprintf("%s: file too large (more than 4 GiB of strings)", f->path);
		return JL_NONE;
	}
	ju_reserve((void **)&f->pool, &f->pool_cap, f->pool_len + len + 1, 1);
	uint32_t off = (uint32_t)f->pool_len;
	memcpy(f->pool + off, s, len);
	f->pool[off + len] = '\0';
	f->pool_len += len + 1;
	return off;
}

int jp_fail_file(parser *p, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;
	ju_line_col(p->f->text, jp_here(p), &p->cursor, &line, &col);
	char *where = ju_asprintf("%s:%u:%u", p->f->path, line, col);
	va_start(ap, fmt);
	char *full = ju_error_message(where, "invalid lab file", fmt, ap);
	va_end(ap);
	free(where);
	free(p->fatal);
	p->fatal = full;
	return 0;
}


void jp_begin_skip(parser *p, enum tok t, enum state back)
{
	if (t == T_MAP || t == T_ARR) {
		p->skip_depth = 1;
		p->skip_return = back;
		p->state = S_SKIP;
		return;
	}
	p->state = back;
	/* A pass-through field ends when the record (or link) level is back;
	 * values skipped inside it (a bad interface) do not end it. */
	if (p->capture && (back == S_HOST_KEYS || back == S_LINK_KEYS)) {
		p->capture = false;
		jl_slice sl = {(uint32_t)p->capture_start, (uint32_t)(jp_here(p) - p->capture_start)};
		JU_PUSH(p->f->extras, p->f->n_extras, p->f->extras_cap, sl);
		(*p->capture_count)++;
	}
}

/* The raw key token ends at jp_here(); find its opening quote. */
size_t jp_key_start(const parser *p)
{
	const char *t = p->f->text;
	size_t i = jp_here(p) - 1; /* the closing quote */
	while (i > 0) {
		i--;
		if (t[i] != '"')
			continue;
		size_t bs = 0;
		while (i > bs && t[i - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
	}
	return i;
}

static int skip_step(parser *p, enum tok t)
{
	if (t == T_KEY && p->skip_depth == 1 && p->skip_note_key)
		p->cred_params = true;
	if (t == T_MAP || t == T_ARR)
		p->skip_depth++;
	else if (t == T_MAP_END || t == T_ARR_END)
		p->skip_depth--;
	else if (t == T_KEY || p->skip_depth > 0)
		return 1;
	if (p->skip_depth == 0) {
		p->skip_note_key = false;
		jp_begin_skip(p, T_NULL, p->skip_return);
	}
	return 1;
}

static int step(parser *p, enum tok t, const char *s, size_t len, int b)
{
	switch (p->state) {
	case S_TOP:
		if (t != T_MAP)
			return jp_fail_file(p, "the top level must be an object with \"hosts\" and \"links\", got %s",
					    ju_tok_name(t));
		p->state = S_TOP_KEYS;
		return 1;
	case S_TOP_KEYS:
		if (t == T_MAP_END) {
			p->state = S_DONE;
			return 1;
		}
		if (len == 5 && memcmp(s, "hosts", 5) == 0) {
			p->state = S_HOSTS_OPEN;
		} else if (len == 5 && memcmp(s, "links", 5) == 0) {
			p->state = S_LINKS_OPEN;
		} else if ((len > 0 && s[0] == '_') || (len == 7 && memcmp(s, "$schema", 7) == 0)) {
			jp_skip_next(p, S_TOP_KEYS);
		} else {
			char *key = ju_show(s, len);
			jp_fail_file(p, "unknown top-level key '%s' (accepted: hosts, links, $schema, _*)", key);
			free(key);
			return 0;
		}
		return 1;
	case S_HOSTS_OPEN:
		if (t != T_ARR)
			return jp_fail_file(p, "'hosts' must be an array, got %s", ju_tok_name(t));
		p->state = S_HOSTS;
		return 1;
	case S_HOSTS:
		if (t == T_ARR_END) {
			p->state = S_TOP_KEYS;
			return 1;
		}
		if (t != T_MAP)
			return jp_fail_file(p, "hosts[%zu] must be an object, got %s", p->host_index, ju_tok_name(t));
		jp_start_host(p);
		p->state = S_HOST_KEYS;
		return 1;
	case S_LINKS_OPEN:
		if (t != T_ARR)
			return jp_fail_file(p, "'links' must be an array, got %s", ju_tok_name(t));
		p->state = S_LINKS;
		return 1;
	case S_LINKS:
		if (t == T_ARR_END) {
			p->state = S_TOP_KEYS;
			return 1;
		}
		if (t != T_MAP) {
			/* Upstream skips a link that is not an object: it names no
			 * host, so it touches no lab. */
			jp_begin_skip(p, t, S_LINKS);
			return 1;
		}
		jp_start_link(p);
		return 1;
	case S_SKIP:
		return skip_step(p, t);
	case S_DONE:
		return 1;
	case S_LINK_KEYS:
	case S_LINK_FIELD:
	case S_ENDPOINTS_OPEN:
	case S_ENDPOINTS:
	case S_ENDPOINT_KEYS:
	case S_ENDPOINT_FIELD:
		return jp_link_step(p, t, s, len, b);
	default:
		return jp_host_step(p, t, s, len, b);
	}
}

static int step_token(void *p, enum tok t, const char *s, size_t len, int b)
{
	return step(p, t, s, len, b);
}

/* lab number -> its hosts, as one flat array (hosts in file order). */
static void index_labs(jl_file *f)
{
	size_t n = f->labs.count;
	f->lab_start = memset(ju_malloc((n + 1) * sizeof *f->lab_start), 0, (n + 1) * sizeof *f->lab_start);
	f->lab_hosts = ju_malloc((f->n_host_labs ? f->n_host_labs : 1) * sizeof *f->lab_hosts);
	for (size_t i = 0; i < f->n_host_labs; i++)
		f->lab_start[f->host_labs[i] + 1]++;
	for (size_t k = 0; k < n; k++)
		f->lab_start[k + 1] += f->lab_start[k];
	uint32_t *fill = ju_malloc((n ? n : 1) * sizeof *fill);
	memcpy(fill, f->lab_start, n * sizeof *fill);
	for (size_t h = 0; h < f->n_hosts; h++) {
		const jl_host *host = &f->hosts[h];
		for (uint32_t j = 0; j < host->n_labs; j++)
			f->lab_hosts[fill[f->host_labs[host->first_lab + j]]++] = (uint32_t)h;
	}
	free(fill);
}

int jl_file_load(const char *path, jl_file **out, otto_error *err)
{
	jl_file *f = memset(ju_malloc(sizeof *f), 0, sizeof *f);
	*out = NULL;
	f->path = ju_strdup(path);
	int rc = ju_read_file(path, "lab file", JU_LAB_FILE_MAX, &f->text, &f->text_len, &f->id, err);
	if (rc == OTTO_OK && f->text_len >= JL_NONE)
		rc = otto_error_set(err, OTTO_ERROR, "%s: file too large (4 GiB at most)", path);
	if (rc != OTTO_OK)
		goto fail;
	parser p = {.f = f, .state = S_TOP};
	ju_token_sink sink = {step_token, &p};
	p.h = ju_tokens_alloc(&sink);
	yajl_status st = yajl_parse(p.h, (const unsigned char *)f->text, f->text_len);
	bool at_end = false;
	if (st == yajl_status_ok)
		st = yajl_complete_parse(p.h), at_end = true;
	if (st == yajl_status_client_canceled || p.fatal)
		rc = otto_error_set(err, OTTO_ERROR, "%s", p.fatal ? p.fatal : "lab file parse cancelled");
	else if (st != yajl_status_ok)
		rc = ju_syntax_error(p.h, path, f->text, f->text_len, at_end, err);
	yajl_free(p.h);
	free(p.fatal);
	if (rc != OTTO_OK)
		goto fail;
	index_labs(f);
	*out = f;
	return OTTO_OK;
fail:
	jl_file_free(f);
	return rc;
}

void jl_file_free(jl_file *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->text);
	free(f->pool);
	free(f->hosts);
	free(f->resources);
	free(f->host_labs);
	free(f->creds);
	free(f->extras);
	free(f->ifaces);
	free(f->links);
	free(f->endpoints);
	strtab_free(&f->labs);
	free(f->lab_start);
	free(f->lab_hosts);
	free(f->poison);
	free(f->host_ids);
	ju_buf_free(&f->ids);
	free(f->lab_in_id_order);
	free(f);
}
