/*
 * The fields of the worker protocol (worker.h): file stamps, configs,
 * reservation requests, and the items a plugin hands its out-objects. The
 * worker writes items as it reads them from the plugin's structs (only
 * the fields its struct_size holds); libotto reads them back into full-size
 * structs for the same out-objects an in-process call fills.
 */
#include "worker/worker.h"
#include "backends/backends.h"

#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------------------- stamps -- */

void otto__stamp_from_stat(otto__file_stamp *stamp, const struct stat *st)
{
	memset(stamp, 0, sizeof *stamp);
	stamp->dev = (uint64_t)st->st_dev;
	stamp->ino = (uint64_t)st->st_ino;
	stamp->size = (int64_t)st->st_size;
	stamp->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	stamp->mode = (uint32_t)st->st_mode;
	stamp->uid = (uint32_t)st->st_uid;
}

bool otto__stamp_equal(const otto__file_stamp *a, const otto__file_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns &&
	       a->mode == b->mode && a->uid == b->uid;
}

char *otto__stamp_difference(const otto__file_stamp *then, const otto__file_stamp *now)
{
	if (then->dev != now->dev || then->ino != now->ino)
		return otto__asprintf("it is another file now (device %llu inode %llu, then device %llu inode %llu)",
				      (unsigned long long)now->dev, (unsigned long long)now->ino,
				      (unsigned long long)then->dev, (unsigned long long)then->ino);
	if (then->size != now->size)
		return otto__asprintf("it was rewritten (%lld bytes now, %lld then)", (long long)now->size,
				      (long long)then->size);
	if (then->mtime_ns != now->mtime_ns)
		return otto__strdup("it was rewritten (its modification time changed)");
	if (then->uid != now->uid)
		return otto__asprintf("its owner changed (uid %u now, %u then)", now->uid, then->uid);
	return otto__asprintf("its mode changed (%o now, %o then)", now->mode & 07777u, then->mode & 07777u);
}

void otto__put_stamp(otto_buf *b, const otto__file_stamp *stamp)
{
	otto__put_u64(b, stamp->dev);
	otto__put_u64(b, stamp->ino);
	otto__put_i64(b, stamp->size);
	otto__put_i64(b, stamp->mtime_ns);
}

void otto__get_stamp(otto__reader *r, otto__file_stamp *stamp)
{
	memset(stamp, 0, sizeof *stamp);
	stamp->dev = otto__get_u64(r);
	stamp->ino = otto__get_u64(r);
	stamp->size = otto__get_i64(r);
	stamp->mtime_ns = otto__get_i64(r);
}

/* ------------------------------------------------------------- strings -- */

void otto__put_strs(otto_buf *b, const char *const *items, size_t n)
{
	otto__put_u64(b, (uint64_t)n);
	otto__put_u8(b, items == NULL);
	for (size_t i = 0; items && i < n; i++)
		otto__put_str(b, items[i]);
}

static const char **grow_ptrs(otto__item_scratch *s, size_t need)
{
	if (need > s->ptrs_cap) {
		s->ptrs_cap = need < 16 ? 16 : need * 2;
		s->ptrs = otto__realloc(s->ptrs, s->ptrs_cap * sizeof *s->ptrs);
	}
	return s->ptrs;
}

/* Read a `strs` into ptrs[*used ...]; *items and *n as the plugin gave
 * them. The array may move until the item is complete, so positions are
 * returned and turned into pointers at the end. */
static bool get_strs(otto__reader *r, otto__item_scratch *s, size_t *used, size_t *at, size_t *n, bool *null)
{
	uint64_t count = otto__get_u64(r);
	*null = otto__get_u8(r) != 0;
	*n = (size_t)count;
	*at = *used;
	if (r->bad || *null)
		return !r->bad;
	/* Each string takes at least 4 bytes. */
	if (count > r->left / 4) {
		r->bad = true;
		return false;
	}
	grow_ptrs(s, *used + (size_t)count);
	for (size_t i = 0; i < (size_t)count; i++)
		s->ptrs[(*used)++] = otto__get_str(r);
	return !r->bad;
}

/* -------------------------------------------------------------- config -- */

static void put_setting(otto_buf *b, const otto_setting *st)
{
	otto__put_str(b, st->key);
	otto__put_u32(b, (uint32_t)st->type);
	otto__put_str(b, st->string);
	otto__put_i64(b, st->integer);
	otto__put_u8(b, st->boolean);
	otto__put_strs(b, st->items, st->items ? st->n_items : 0);
	otto__put_str(b, st->file);
	otto__put_u32(b, st->line);
}

void otto__put_config(otto_buf *b, const otto_config *config)
{
	otto__put_str(b, config->backend);
	otto__put_str(b, config->section);
	otto__put_str(b, config->repo_root);
	otto__put_str(b, config->url);
	otto__put_u32(b, (uint32_t)(config->settings ? config->n_settings : 0));
	for (size_t i = 0; config->settings && i < config->n_settings; i++)
		put_setting(b, &config->settings[i]);
}

void otto__get_config(otto__reader *r, otto__config_hold *hold, otto_config *config)
{
	memset(hold, 0, sizeof *hold);
	memset(config, 0, sizeof *config);
	config->struct_size = sizeof *config;
	config->backend = otto__get_str(r);
	config->section = otto__get_str(r);
	config->repo_root = otto__get_str(r);
	config->url = otto__get_str(r);
	/* A setting takes at least 38 bytes. */
	uint32_t n = otto__get_count(r, 38);
	hold->settings = otto__calloc(n + 1, sizeof *hold->settings);
	otto__item_scratch items = {0};
	size_t used = 0;
	size_t *at = otto__calloc(n + 1, sizeof *at);
	bool *null = otto__calloc(n + 1, sizeof *null);
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		otto_setting *st = &hold->settings[i];
		st->key = otto__get_str(r);
		st->type = (otto_value_type)otto__get_u32(r);
		st->string = otto__get_str(r);
		st->integer = otto__get_i64(r);
		st->boolean = otto__get_u8(r) != 0;
		get_strs(r, &items, &used, &at[i], &st->n_items, &null[i]);
		st->file = otto__get_str(r);
		st->line = otto__get_u32(r);
	}
	/* The strings now sit in one array that will not move again. */
	hold->items = items.ptrs;
	for (uint32_t i = 0; i < n && !r->bad; i++)
		hold->settings[i].items = null[i] ? NULL : hold->items + at[i];
	free(at);
	free(null);
	config->settings = hold->settings;
	config->n_settings = r->bad ? 0 : n;
}

void otto__config_hold_free(otto__config_hold *hold)
{
	free(hold->settings);
	free(hold->items);
	memset(hold, 0, sizeof *hold);
}

void otto__put_request(otto_buf *b, const otto_reservation_request *request)
{
	otto__put_str(b, request->user);
	otto__put_strs(b, request->resources, request->n_resources);
	otto__put_i64(b, request->start);
	otto__put_i64(b, request->end);
	otto__put_u32(b, request->flags);
}

void otto__get_request(otto__reader *r, otto__config_hold *hold, otto_reservation_request *request)
{
	memset(hold, 0, sizeof *hold);
	otto_reservation_request init = OTTO_RESERVATION_REQUEST_INIT;
	*request = init;
	request->user = otto__get_str(r);
	otto__item_scratch s = {0};
	size_t used = 0, at, n;
	bool null;
	get_strs(r, &s, &used, &at, &n, &null);
	hold->items = s.ptrs;
	request->resources = null ? NULL : hold->items;
	request->n_resources = n;
	request->start = otto__get_i64(r);
	request->end = otto__get_i64(r);
	request->flags = otto__get_u32(r);
}

/* --------------------------------------------------------------- items -- */

void otto__put_host(otto_buf *b, const otto_host *plugin_host)
{
	otto__put_u8(b, plugin_host != NULL);
	if (!plugin_host)
		return;
	otto_host h = otto__host_read(plugin_host);
	otto__put_str(b, h.key);
	otto__put_str(b, h.ip);
	otto__put_str(b, h.element);
	otto__put_i64(b, h.element_id);
	otto__put_str(b, h.board);
	otto__put_i64(b, h.slot);
	otto__put_str(b, h.os_type);
	otto__put_strs(b, h.resources, h.n_resources);
	otto__put_strs(b, h.labs, h.n_labs);
	otto__put_u8(b, h.docker_capable);
	otto__put_u64(b, (uint64_t)h.n_creds);
	otto__put_u8(b, h.creds == NULL);
	for (size_t i = 0; h.creds && i < h.n_creds; i++) {
		otto__put_str(b, h.creds[i].login);
		otto__put_str(b, h.creds[i].password);
	}
	otto__put_str(b, h.extra_json);
}

bool otto__get_host(otto__reader *r, otto__item_scratch *s, otto_host *host, bool *present)
{
	otto_host h = OTTO_HOST_INIT;
	*present = otto__get_u8(r) != 0;
	if (!*present) {
		*host = h;
		return !r->bad;
	}
	size_t used = 0, res_at, labs_at;
	bool res_null, labs_null;
	h.key = otto__get_str(r);
	h.ip = otto__get_str(r);
	h.element = otto__get_str(r);
	h.element_id = otto__get_i64(r);
	h.board = otto__get_str(r);
	h.slot = otto__get_i64(r);
	h.os_type = otto__get_str(r);
	get_strs(r, s, &used, &res_at, &h.n_resources, &res_null);
	get_strs(r, s, &used, &labs_at, &h.n_labs, &labs_null);
	h.docker_capable = otto__get_u8(r) != 0;
	uint64_t n_creds = otto__get_u64(r);
	bool creds_null = otto__get_u8(r) != 0;
	h.n_creds = (size_t)n_creds;
	if (!creds_null && !r->bad) {
		/* A credential takes at least 8 bytes. */
		if (n_creds > r->left / 8) {
			r->bad = true;
		} else {
			if (n_creds > s->creds_cap) {
				s->creds_cap = (size_t)n_creds * 2;
				s->creds = otto__realloc(s->creds, s->creds_cap * sizeof *s->creds);
			}
			for (size_t i = 0; i < (size_t)n_creds; i++) {
				s->creds[i].login = otto__get_str(r);
				s->creds[i].password = otto__get_str(r);
			}
			h.creds = s->creds;
		}
	}
	h.extra_json = otto__get_str(r);
	if (r->bad)
		return false;
	h.resources = res_null ? NULL : s->ptrs + res_at;
	h.labs = labs_null ? NULL : s->ptrs + labs_at;
	if (creds_null)
		h.creds = NULL;
	*host = h;
	return true;
}

void otto__put_link(otto_buf *b, const otto_link *link)
{
	otto__put_u8(b, link != NULL);
	if (!link)
		return;
	size_t n = link->struct_size;
	bool has_ends = OTTO__HAS_FIELD(n, otto_link, n_endpoints);
	const otto_link_endpoint *ends = has_ends ? link->endpoints : NULL;
	size_t n_ends = has_ends ? link->n_endpoints : 0;
	otto__put_u64(b, (uint64_t)n);
	otto__put_u64(b, (uint64_t)n_ends);
	otto__put_u8(b, ends == NULL);
	for (size_t i = 0; ends && i < n_ends; i++) {
		otto__put_str(b, ends[i].host);
		otto__put_str(b, ends[i].interface);
	}
	otto__put_str(b, OTTO__HAS_FIELD(n, otto_link, protocol) ? link->protocol : NULL);
	otto__put_str(b, OTTO__HAS_FIELD(n, otto_link, extra_json) ? link->extra_json : NULL);
}

bool otto__get_link(otto__reader *r, otto__item_scratch *s, otto_link *link, bool *present)
{
	otto_link l = OTTO_LINK_INIT;
	*present = otto__get_u8(r) != 0;
	if (!*present) {
		*link = l;
		return !r->bad;
	}
	uint64_t size = otto__get_u64(r);
	/* Never more than ours: every field of our struct is then readable. */
	l.struct_size = size < sizeof l ? (size_t)size : sizeof l;
	uint64_t n = otto__get_u64(r);
	bool null = otto__get_u8(r) != 0;
	l.n_endpoints = (size_t)n;
	if (!null && !r->bad) {
		if (n > r->left / 8) {
			r->bad = true;
		} else {
			if (n > s->ends_cap) {
				s->ends_cap = (size_t)n * 2;
				s->ends = otto__realloc(s->ends, s->ends_cap * sizeof *s->ends);
			}
			for (size_t i = 0; i < (size_t)n; i++) {
				s->ends[i].host = otto__get_str(r);
				s->ends[i].interface = otto__get_str(r);
			}
			l.endpoints = s->ends;
		}
	}
	l.protocol = otto__get_str(r);
	l.extra_json = otto__get_str(r);
	*link = l;
	return !r->bad;
}

void otto__put_summary(otto_buf *b, const otto_host_summary *plugin_summary)
{
	otto__put_u8(b, plugin_summary != NULL);
	if (!plugin_summary)
		return;
	otto_host_summary s = otto__summary_read(plugin_summary);
	otto__put_str(b, s.id);
	otto__put_strs(b, s.labs, s.n_labs);
	otto__put_str(b, s.ip);
	otto__put_str(b, s.element);
	otto__put_i64(b, s.element_id);
	otto__put_str(b, s.board);
	otto__put_i64(b, s.slot);
	otto__put_u8(b, s.docker_capable);
}

bool otto__get_summary(otto__reader *r, otto__item_scratch *s, otto_host_summary *summary, bool *present)
{
	otto_host_summary sum = OTTO_HOST_SUMMARY_INIT;
	*present = otto__get_u8(r) != 0;
	if (!*present) {
		*summary = sum;
		return !r->bad;
	}
	size_t used = 0, at;
	bool null;
	sum.id = otto__get_str(r);
	get_strs(r, s, &used, &at, &sum.n_labs, &null);
	sum.ip = otto__get_str(r);
	sum.element = otto__get_str(r);
	sum.element_id = otto__get_i64(r);
	sum.board = otto__get_str(r);
	sum.slot = otto__get_i64(r);
	sum.docker_capable = otto__get_u8(r) != 0;
	if (r->bad)
		return false;
	sum.labs = null ? NULL : s->ptrs + at;
	*summary = sum;
	return true;
}

void otto__item_scratch_free(otto__item_scratch *s)
{
	free(s->ptrs);
	free(s->creds);
	free(s->ends);
	memset(s, 0, sizeof *s);
}
