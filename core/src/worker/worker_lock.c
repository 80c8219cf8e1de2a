/*
 * Lock stores across the worker (ABI 1.2, kind 3): the claim and record
 * fields of the protocol (worker.h, "Lock stores") on both sides, and the
 * worker's side of a lock store call. libotto replays the records into the
 * lock manager's own out-object (backends/remote_lock.c), so a store in a
 * worker is judged exactly as one in process.
 */
#include "worker/worker_int.h"

#include <stdlib.h>
#include <string.h>

#define HAS(rec, field) ((rec)->struct_size >= offsetof(otto_lock_record, field) + sizeof(rec)->field)

void otto__put_lock_claim(otto_buf *b, const otto_lock_claim *c)
{
	const otto_lock_holder *h = c->holder;
	otto__put_str(b, c->name);
	otto__put_str(b, h ? h->user : NULL);
	otto__put_i64(b, h ? h->uid : -1);
	otto__put_str(b, h ? h->host : NULL);
	otto__put_i64(b, h ? h->pid : 0);
	otto__put_u64(b, h ? h->pid_start : 0);
	otto__put_str(b, h ? h->boot_id : NULL);
	otto__put_str(b, h ? h->pidns : NULL);
	otto__put_str(b, c->new_sha256);
	otto__put_str(b, c->held_sha256);
	otto__put_str(b, c->given_sha256);
	otto__put_i64(b, c->expiry_seconds);
	otto__put_u32(b, c->flags);
	otto__put_u8(b, c->check_pid ? 1 : 0);
	otto__put_i64(b, c->now);
}

/* NULL strings of the holder read as "" for the plugin: it never gets a
 * NULL where the ABI promises a string. */
static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void otto__get_lock_claim(otto__reader *r, otto_lock_holder *h, otto_lock_claim *c)
{
	memset(h, 0, sizeof *h);
	memset(c, 0, sizeof *c);
	h->struct_size = sizeof *h;
	c->struct_size = sizeof *c;
	c->name = otto__get_str(r);
	h->user = or_empty(otto__get_str(r));
	h->uid = otto__get_i64(r);
	h->host = or_empty(otto__get_str(r));
	h->pid = otto__get_i64(r);
	h->pid_start = otto__get_u64(r);
	h->boot_id = or_empty(otto__get_str(r));
	h->pidns = or_empty(otto__get_str(r));
	c->holder = h;
	c->new_sha256 = or_empty(otto__get_str(r));
	c->held_sha256 = or_empty(otto__get_str(r));
	c->given_sha256 = or_empty(otto__get_str(r));
	c->expiry_seconds = otto__get_i64(r);
	c->flags = otto__get_u32(r);
	c->check_pid = otto__get_u8(r) != 0;
	c->now = otto__get_i64(r);
}

void otto__put_lock_record(otto_buf *b, const otto_lock_record *rec)
{
	otto__put_str(b, HAS(rec, name) ? rec->name : NULL);
	otto__put_u32(b, HAS(rec, state) ? (uint32_t)rec->state : 0);
	otto__put_str(b, HAS(rec, problem) ? rec->problem : NULL);
	otto__put_str(b, HAS(rec, user) ? rec->user : NULL);
	otto__put_i64(b, HAS(rec, uid) ? rec->uid : -1);
	otto__put_str(b, HAS(rec, host) ? rec->host : NULL);
	otto__put_i64(b, HAS(rec, pid) ? rec->pid : 0);
	otto__put_i64(b, HAS(rec, taken) ? rec->taken : 0);
	otto__put_i64(b, HAS(rec, expiry) ? rec->expiry : 0);
	otto__put_str(b, HAS(rec, where) ? rec->where : NULL);
	otto__put_u64(b, HAS(rec, fence) ? rec->fence : 0);
}

void otto__get_lock_record(otto__reader *r, otto_lock_record *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->struct_size = sizeof *rec;
	rec->name = otto__get_str(r);
	rec->state = (otto_lock_state)otto__get_u32(r);
	rec->problem = otto__get_str(r);
	rec->user = otto__get_str(r);
	rec->uid = otto__get_i64(r);
	rec->host = otto__get_str(r);
	rec->pid = otto__get_i64(r);
	rec->taken = otto__get_i64(r);
	rec->expiry = otto__get_i64(r);
	rec->where = otto__get_str(r);
	rec->fence = otto__get_u64(r);
}

void otto__wk_lock_call(otto__wk *w, uint32_t type, otto__reader *r, const otto_lock_store_type *t, void *self)
{
	otto__wk_out out;
	otto__wk_out_init(&out, w);
	otto_error err = {0, ""};
	otto_lock_holder holder;
	otto_lock_claim claim;
	uint32_t outcome = 0;
	int st;

	if (type != OTTO__W_LOCK_WHERE && type != OTTO__W_LOCK_PREPARE)
		otto__get_lock_claim(r, &holder, &claim);
	if (!otto__reader_done(r)) {
		otto__wk_send_end(w, OTTO_EINVALID, "a malformed lock store request");
		return;
	}
	switch (type) {
	case OTTO__W_LOCK_WHERE:
		st = out.strings.ops->add(&out.strings, t->where(self), &err);
		break;
	case OTTO__W_LOCK_ACQUIRE:
		st = t->acquire(self, &claim, &outcome, &out.locks, &err);
		break;
	case OTTO__W_LOCK_RELEASE:
		st = t->release(self, &claim, &out.locks, &err);
		break;
	case OTTO__W_LOCK_GET:
		st = t->get(self, &claim, &out.locks, &err);
		break;
	case OTTO__W_LOCK_PREPARE:
		st = t->prepare ? t->prepare(self, &out.strings, &err) : OTTO_EPLUGIN;
		break;
	case OTTO__W_LOCK_RENEW:
		st = otto_lock_store_renew(t, self, &claim, &out.locks, &err);
		break;
	default:
		st = t->list(self, &claim, &out.locks, &err);
		break;
	}
	fflush(stdout);
	err.message[sizeof err.message - 1] = '\0';
	if (w->item_error) {
		otto__wk_send_end(w, OTTO_ERROR, w->item_error);
		free(w->item_error);
		w->item_error = NULL;
		return;
	}
	if (type == OTTO__W_LOCK_ACQUIRE) {
		otto__wk_items_close(w);
		size_t start = otto__frame_begin(&w->out, OTTO__W_LOCK_OUTCOME, w->tag);
		otto__put_u32(&w->out, outcome);
		otto__frame_end(&w->out, start);
	}
	otto__wk_send_end(w, st, st == OTTO_OK ? NULL : err.message);
}
