/*
 * Private to otto-worker's own sources (worker_main.c, worker_out.c,
 * worker_lock.c): the
 * worker's state and the out-objects that stream what a plugin adds.
 */
#ifndef OTTO_WORKER_INT_H
#define OTTO_WORKER_INT_H

#include "worker/worker.h"

typedef struct otto__wk {
	int fd;                 /* the channel, fd 3 */
	otto__frame_in in;
	int *fds;               /* descriptors received, oldest first */
	size_t n_fds, cap_fds;
	otto_buf out;           /* answer frames not sent yet */
	uint32_t tag;           /* the request being answered */

	/* The item frame being filled (see worker_out.c). */
	bool item_open;
	uint32_t item_type;
	size_t item_start, item_count_at;
	uint32_t item_count;
	/* An item that could not be carried: the call's answer is an error. */
	char *item_error;
} otto__wk;

/* Send everything in w->out (the parent reads it as it comes). Leaves the
 * process when the parent is gone. */
void otto__wk_flush(otto__wk *w);

/* Close the item frame being filled, if any. */
void otto__wk_items_close(otto__wk *w);

/* The out-objects handed to the plugin: each add becomes an item. */
typedef struct otto__wk_out {
	otto_string_out strings;
	otto_lab_out lab;
	otto_summary_out summaries;
	otto_window_out windows;
	otto_lock_out locks;
	otto__wk *w;
} otto__wk_out;

void otto__wk_out_init(otto__wk_out *o, otto__wk *w);

/* Send END (worker_main.c), after closing the item frame being filled. */
void otto__wk_send_end(otto__wk *w, int status, const char *message);

/* A lock store's call (worker_lock.c): answers the request completely. */
void otto__wk_lock_call(otto__wk *w, uint32_t type, otto__reader *r, const otto_lock_store_type *t, void *self);

#endif
