/*
 * The worker's out-objects: every add a plugin makes becomes one item of a
 * batch frame (STRINGS, HOSTS, ...), sent once the batch reaches
 * OTTO__WORKER_BATCH bytes, so libotto builds while the plugin is still
 * producing. They accept everything they can carry: judging the items is
 * libotto's job, on its side. An item larger than a frame cannot be
 * carried; the call then ends in an error rather than a shorter answer.
 */
#include "worker/worker_int.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#define OUT_OF(ptr, member) ((otto__wk_out *)(void *)((char *)(ptr)-offsetof(otto__wk_out, member)))

void otto__wk_items_close(otto__wk *w)
{
	if (!w->item_open)
		return;
	uint32_t le = htole32(w->item_count);
	memcpy(w->out.data + w->item_count_at, &le, sizeof le);
	otto__frame_end(&w->out, w->item_start);
	w->item_open = false;
}

static void items_open(otto__wk *w, uint32_t type)
{
	w->item_start = otto__frame_begin(&w->out, type, w->tag);
	w->item_count_at = w->out.len;
	otto__put_u32(&w->out, 0);
	w->item_type = type;
	w->item_count = 0;
	w->item_open = true;
}

typedef void (*put_fn)(otto_buf *b, const void *item);

/* One item of `type`, written by put(). */
static int add_item(otto__wk *w, uint32_t type, put_fn put, const void *item, otto_error *err)
{
	if (w->item_error)
		return otto_error_set(err, OTTO_ERROR, "%s", w->item_error);
	if (w->item_open && w->item_type != type)
		otto__wk_items_close(w);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!w->item_open)
			items_open(w, type);
		size_t mark = w->out.len;
		put(&w->out, item);
		size_t payload = w->out.len - w->item_start - OTTO__FRAME_HEADER;
		if (payload <= OTTO__FRAME_MAX) {
			w->item_count++;
			if (payload >= OTTO__WORKER_BATCH) {
				otto__wk_items_close(w);
				otto__wk_flush(w);
			}
			return OTTO_OK;
		}
		/* Too big for this frame: alone in a new one, or not at all. */
		w->out.len = mark;
		if (w->item_count == 0) {
			w->out.len = w->item_start; /* drop the empty frame */
			w->item_open = false;
			break;
		}
		otto__wk_items_close(w);
		otto__wk_flush(w);
	}
	w->item_error = otto__asprintf("an item of more than %u bytes cannot be carried from the worker",
				       OTTO__FRAME_MAX);
	return otto_error_set(err, OTTO_ERROR, "%s", w->item_error);
}

static void put_string(otto_buf *b, const void *item)
{
	otto__put_str(b, item);
}

static void put_host(otto_buf *b, const void *item)
{
	otto__put_host(b, item);
}

static void put_link(otto_buf *b, const void *item)
{
	otto__put_link(b, item);
}

static void put_summary(otto_buf *b, const void *item)
{
	otto__put_summary(b, item);
}

typedef struct window_item {
	const char *resource;
	int64_t start, end;
} window_item;

static void put_window(otto_buf *b, const void *item)
{
	const window_item *w = item;
	otto__put_str(b, w->resource);
	otto__put_i64(b, w->start);
	otto__put_i64(b, w->end);
}

static int string_add(otto_string_out *out, const char *s, otto_error *err)
{
	return add_item(OUT_OF(out, strings)->w, OTTO__W_STRINGS, put_string, s, err);
}

/* A warning travels as an item of its own kind, in order with the answer's
 * items. It must never fail the call, so it is cut to a size any frame
 * carries (a warning is one sentence; the rest would not be read). */
#define WARNING_MAX 4096
static void warn_item(otto__wk *w, const char *message)
{
	if (!message || w->item_error)
		return;
	char cut[WARNING_MAX + 1];
	if (strlen(message) > WARNING_MAX) {
		memcpy(cut, message, WARNING_MAX);
		cut[WARNING_MAX] = '\0';
		message = cut;
	}
	otto_error ignored = {0};
	(void)add_item(w, OTTO__W_WARNINGS, put_string, message, &ignored);
}

static void string_warn(otto_string_out *out, const char *message)
{
	warn_item(OUT_OF(out, strings)->w, message);
}

static void summary_warn(otto_summary_out *out, const char *message)
{
	warn_item(OUT_OF(out, summaries)->w, message);
}

static int lab_add_host(otto_lab_out *out, const otto_host *host, otto_error *err)
{
	return add_item(OUT_OF(out, lab)->w, OTTO__W_HOSTS, put_host, host, err);
}

static int lab_add_resource(otto_lab_out *out, const char *resource, otto_error *err)
{
	return add_item(OUT_OF(out, lab)->w, OTTO__W_RESOURCES, put_string, resource, err);
}

static int lab_add_link(otto_lab_out *out, const otto_link *link, otto_error *err)
{
	return add_item(OUT_OF(out, lab)->w, OTTO__W_LINKS, put_link, link, err);
}

static int summary_add(otto_summary_out *out, const otto_host_summary *summary, otto_error *err)
{
	return add_item(OUT_OF(out, summaries)->w, OTTO__W_SUMMARIES, put_summary, summary, err);
}

static int window_add(otto_window_out *out, const char *resource, int64_t start, int64_t end, otto_error *err)
{
	window_item item = {resource, start, end};
	return add_item(OUT_OF(out, windows)->w, OTTO__W_WINDOWS, put_window, &item, err);
}

static void put_lock(otto_buf *b, const void *item)
{
	otto__put_lock_record(b, item);
}

static int lock_add(otto_lock_out *out, const otto_lock_record *record, otto_error *err)
{
	return add_item(OUT_OF(out, locks)->w, OTTO__W_LOCKS, put_lock, record, err);
}

static const otto_lock_out_ops lock_ops = {sizeof(otto_lock_out_ops), lock_add};
static const otto_string_out_ops string_ops = {sizeof(otto_string_out_ops), string_add, string_warn};
static const otto_lab_out_ops lab_ops = {sizeof(otto_lab_out_ops), lab_add_host, lab_add_resource, lab_add_link};
static const otto_summary_out_ops summary_ops = {sizeof(otto_summary_out_ops), summary_add, summary_warn};
static const otto_window_out_ops window_ops = {sizeof(otto_window_out_ops), window_add};

void otto__wk_out_init(otto__wk_out *o, otto__wk *w)
{
	o->strings.ops = &string_ops;
	o->lab.ops = &lab_ops;
	o->summaries.ops = &summary_ops;
	o->windows.ops = &window_ops;
	o->locks.ops = &lock_ops;
	o->w = w;
}
