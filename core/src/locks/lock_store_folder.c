/*
 * The folder store: locks as files in one shared lock folder (docs/locks.md,
 * lock_file.h for the layout). Every change to a name happens under flock(2)
 * on its guard, after re-reading the name's current generation under that
 * guard: two acquirers of a stale lock cannot both win. Superseded files are
 * deleted by whoever is allowed to; a release that cannot delete everything
 * writes a "released" generation on top instead, so that an old record can
 * never become current again.
 */
#include "locks/lock_folder_int.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#define READ_ATTEMPTS 10

static int folder_open(void **out, const char *where, const otto__lock_holder *holder, bool no_sync, otto_error *err)
{
	otto__folder_store *s = otto__calloc(1, sizeof *s);
	int rc;
	*out = NULL;
	s->dir = otto__strdup(where);
	s->uid = holder->uid;
	s->no_sync = no_sync;
	s->holder = holder;
	rc = otto__lock_folder_open(s->dir, s->uid, &s->dirfd, err);
	if (rc != OTTO_OK) {
		free(s->dir);
		free(s);
		return rc;
	}
	*out = s;
	return OTTO_OK;
}

static void folder_close(void *store)
{
	otto__folder_store *s = store;
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
}

static const char *folder_where(const void *store)
{
	return ((const otto__folder_store *)store)->dir;
}

static void info_from_view(const otto__folder_store *s, const otto__lock_view *v, otto_lock_info *info)
{
	if (!info)
		return;
	memset(info, 0, sizeof *info);
	info->name = otto__strdup(v->rec.name);
	info->state = v->state;
	info->path = v->file[0] ? otto__asprintf("%s/%s", s->dir, v->file) : NULL;
	if (v->state == OTTO_LOCK_CORRUPT) {
		info->problem = otto__strdup(v->why);
		return;
	}
	if (v->gen == 0)
		return;
	info->user = otto__strdup(v->rec.user);
	info->uid = v->rec.uid;
	info->host = otto__strdup(v->rec.host);
	info->pid = v->rec.pid;
	info->taken = v->rec.taken;
	info->expiry = v->rec.expiry;
}

/* Under the guard: the generations of `name` and its current state. A
 * file that vanishes now was deleted by hand (writers hold the guard). */
static int read_current(otto__folder_store *s, const char *name, const otto__lock_eval *ev, otto__lock_dirscan *scan,
			const otto__lock_gens **g, otto__lock_view *view, otto_error *err)
{
	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		int rc = otto__lock_dirscan_read(s->dirfd, s->dir, name, scan, err);
		if (rc != OTTO_OK)
			return rc;
		*g = otto__lock_dirscan_find(scan, name);
		memset(view, 0, sizeof *view);
		view->state = OTTO_LOCK_FREE;
		view->owner = -1;
		snprintf(view->rec.name, sizeof view->rec.name, "%s", name);
		if (!*g || (*g)->count == 0)
			return OTTO_OK;
		rc = otto__lock_view_of(s->dirfd, name, (*g)->gens[(*g)->count - 1], ev, view);
		if (rc == 0)
			return OTTO_OK;
		otto__lock_dirscan_free(scan);
		if (rc != -ENOENT)
			return otto_error_set(err, OTTO_EIO, "cannot read lock file %s/%s: %s", s->dir, view->file,
					      strerror(-rc));
	}
	return otto_error_set(err, OTTO_EIO, "lock '%s' in %s keeps changing under its guard", name, s->dir);
}

/* Lock the guard; a bad guard is refused (the caller reports it) unless
 * forced, when it is removed and made anew. */
static int guard_for(otto__folder_store *s, const char *name, const otto__lock_claim *c, int *guard,
		     otto__lock_view *bad, bool *cleared, otto_error *err)
{
	*cleared = false;
	int rc = otto__folder_guard_lock(s, name, c->deadline_ms, guard, bad, err);
	if (rc != OTTO_OK || *guard >= 0 || !(c->flags & OTTO_LOCK_FORCE))
		return rc;
	if ((rc = otto__folder_guard_remove(s, bad, err)) != OTTO_OK)
		return rc;
	*cleared = true;
	otto__lock_view removed = *bad;
	rc = otto__folder_guard_lock(s, name, c->deadline_ms, guard, bad, err);
	*bad = removed;
	return rc;
}

static int folder_acquire(void *store, const char *name, const otto__lock_claim *c, otto__take *took,
			  otto_lock_info *info, otto_error *err)
{
	otto__folder_store *s = store;
	otto__lock_dirscan scan = {0};
	const otto__lock_gens *g = NULL;
	otto__lock_view view, bad;
	otto__lockrec rec;
	uint64_t gen;
	int guard = -1, rc;
	bool force = c->flags & OTTO_LOCK_FORCE, cleared;

	*took = OTTO__TAKE_REFUSED;
	if (info)
		memset(info, 0, sizeof *info);
	s->has_in_way = false;
	if ((rc = guard_for(s, name, c, &guard, &bad, &cleared, err)) != OTTO_OK)
		return rc;
	if (guard < 0) {
		info_from_view(s, &bad, info);
		s->in_way = bad;
		s->has_in_way = true;
		return OTTO_OK;
	}
	if ((rc = read_current(s, name, &c->ev, &scan, &g, &view, err)) != OTTO_OK)
		goto done;
	otto__folder_clean_temps(s, &scan);
	if (view.state == OTTO_LOCK_HELD && c->held_hash[0] && strcmp(c->held_hash, view.rec.token_sha256) == 0) {
		*took = OTTO__TAKE_ALREADY;
		goto done;
	}
	/* Free, expired and stale are for the taking; a live lock only when it
	 * is the claimant's own (re-taken: new token, new expiry) or forced. */
	bool in_the_way = view.state == OTTO_LOCK_CORRUPT ||
			  (view.state == OTTO_LOCK_HELD && !otto__lock_claim_owns(c, &view.rec));
	if (in_the_way && !force) {
		info_from_view(s, &view, info);
		s->in_way = view;
		s->has_in_way = true;
		goto done;
	}
	if (force)
		info_from_view(s, cleared && view.state == OTTO_LOCK_FREE ? &bad : &view, info);
	if ((rc = otto__folder_next_gen(s, g, &view, &gen, err)) != OTTO_OK)
		goto fail;
	otto__folder_record_make(s->holder, name, OTTO__LOCKREC_LOCK, c->ev.now, c->expiry_seconds, c->new_hash, &rec);
	if ((rc = otto__folder_publish(s, &rec, gen, err)) != OTTO_OK)
		goto fail;
	otto__folder_drop_below(s, g, gen);
	*took = OTTO__TAKE_TAKEN;
	goto done;
fail:
	otto_lock_info_clear(info);
done:
	otto__lock_dirscan_free(&scan);
	close(guard);
	return rc;
}

static void describe_holder(char *buf, size_t size, const otto__lock_view *v)
{
	snprintf(buf, size, "%s (pid %" PRId64 " on %s)", v->rec.user, v->rec.pid, v->rec.host);
}

/* Without force: may this claimant release the current lock? OTTO_OK, or
 * OTTO_ERROR saying whose it is and what would work. */
static int may_release(const otto__folder_store *s, const char *name, const otto__lock_claim *c,
		       const otto__lock_view *view, otto_error *err)
{
	char who[400];
	if (view->state == OTTO_LOCK_CORRUPT)
		return otto_error_set(err, OTTO_ERROR, "lock '%s' is corrupt (%s/%s: %s); only --force replaces it", name,
				      s->dir, view->file, view->why);
	if (otto__lock_claim_owns(c, &view->rec))
		return OTTO_OK;
	describe_holder(who, sizeof who, view);
	if (c->held_hash[0])
		return otto_error_set(err, OTTO_ERROR,
				      "lock '%s' was taken over by %s since this process took it; left it alone", name,
				      who);
	/* A dead holder's lock is anybody's to take; its own user may also
	 * tidy it away. */
	if (view->state != OTTO_LOCK_HELD && view->rec.uid == (int64_t)c->holder->uid)
		return OTTO_OK;
	return otto_error_set(err, OTTO_ERROR,
			      "lock '%s' is %s by %s, not by this process (pid %ld): release it from the process that "
			      "took it, with the token its acquire printed (--token), or break it with --force",
			      name, otto_lock_state_name(view->state), who, (long)c->holder->pid);
}

static int folder_release(void *store, const char *name, const otto__lock_claim *c, otto_lock_info *broken,
			  otto_error *err)
{
	otto__folder_store *s = store;
	otto__lock_dirscan scan = {0};
	const otto__lock_gens *g = NULL;
	otto__lock_view view, bad;
	otto__lockrec rec;
	uint64_t gen;
	int guard = -1, rc;
	bool cleared;

	if (broken)
		memset(broken, 0, sizeof *broken);
	if ((rc = guard_for(s, name, c, &guard, &bad, &cleared, err)) != OTTO_OK)
		return rc;
	if (guard < 0)
		return otto_error_set(err, OTTO_ERROR, "lock '%s' is corrupt (%s/%s: %s); only --force replaces it", name,
				      s->dir, bad.file, bad.why);
	if ((rc = read_current(s, name, &c->ev, &scan, &g, &view, err)) != OTTO_OK)
		goto done;
	otto__folder_clean_temps(s, &scan);
	if (view.state == OTTO_LOCK_FREE && cleared) {
		info_from_view(s, &bad, broken); /* what --force cleared was the guard */
		goto done;
	}
	if (view.state == OTTO_LOCK_FREE) {
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held by anyone", name);
		goto done;
	}
	if (!(c->flags & OTTO_LOCK_FORCE) && (rc = may_release(s, name, c, &view, err)) != OTTO_OK)
		goto done;
	info_from_view(s, &view, broken);
	/* Delete below, then the current file; whatever the sticky bit keeps
	 * us from deleting is superseded by a release record instead. */
	if (otto__folder_drop_below(s, g, view.gen) && unlinkat(s->dirfd, view.file, 0) == 0)
		goto done;
	if ((rc = otto__folder_next_gen(s, g, &view, &gen, err)) == OTTO_OK) {
		otto__folder_record_make(s->holder, name, OTTO__LOCKREC_RELEASED, c->ev.now, 0, c->new_hash, &rec);
		rc = otto__folder_publish(s, &rec, gen, err);
	}
	if (rc == OTTO_OK)
		otto__folder_drop_below(s, g, gen);
	else
		otto_lock_info_clear(broken);
done:
	otto__lock_dirscan_free(&scan);
	close(guard);
	return rc;
}

/* A lease renewed: a new generation of the same record (same holder,
 * token and taken time) with the new expiry, published under the guard
 * like any change, so a reader sees the old record or the new one, never
 * a mix, and nobody can take the lock in between. */
static int folder_renew(void *store, const char *name, const otto__lock_claim *c, otto_lock_info *renewed,
			otto_error *err)
{
	otto__folder_store *s = store;
	otto__lock_dirscan scan = {0};
	const otto__lock_gens *g = NULL;
	otto__lock_view view, bad;
	otto__lockrec rec;
	uint64_t gen;
	int guard = -1, rc;
	bool cleared;
	char who[400];

	if (renewed)
		memset(renewed, 0, sizeof *renewed);
	if ((rc = guard_for(s, name, c, &guard, &bad, &cleared, err)) != OTTO_OK)
		return rc;
	if (guard < 0)
		return otto_error_set(err, OTTO_ERROR, "lock '%s' is corrupt (%s/%s: %s); its lease cannot be renewed",
				      name, s->dir, bad.file, bad.why);
	if ((rc = read_current(s, name, &c->ev, &scan, &g, &view, err)) != OTTO_OK)
		goto done;
	if (view.state == OTTO_LOCK_FREE) {
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held by anyone: its lease was lost", name);
		goto done;
	}
	if (view.state == OTTO_LOCK_CORRUPT || !otto__lock_claim_owns(c, &view.rec)) {
		describe_holder(who, sizeof who, &view);
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is %s by %s now: its lease was lost", name,
				    otto_lock_state_name(view.state), who);
		goto done;
	}
	if (view.rec.expiry && view.rec.expiry <= c->ev.now) {
		rc = otto_error_set(err, OTTO_ENOTFOUND,
				    "the lease of lock '%s' ran out %lld s ago; it may have been seen free, so it is "
				    "not renewed",
				    name, (long long)(c->ev.now - view.rec.expiry));
		goto done;
	}
	if ((rc = otto__folder_next_gen(s, g, &view, &gen, err)) != OTTO_OK)
		goto done;
	rec = view.rec;
	rec.expiry = c->ev.now + c->expiry_seconds;
	if ((rc = otto__folder_publish(s, &rec, gen, err)) != OTTO_OK)
		goto done;
	otto__folder_drop_below(s, g, gen);
	view.rec = rec;
	info_from_view(s, &view, renewed);
done:
	otto__lock_dirscan_free(&scan);
	close(guard);
	return rc;
}

static int folder_get(void *store, const char *name, const otto__lock_eval *ev, otto_lock_info *out, otto_error *err)
{
	otto__folder_store *s = store;
	otto__lock_view view;
	int rc = otto__lock_view_read(s->dirfd, s->dir, name, ev, &view, err);
	memset(out, 0, sizeof *out);
	if (rc == OTTO_OK)
		info_from_view(s, &view, out);
	return rc;
}

typedef struct list_ctx {
	const otto__folder_store *s;
	otto_lock_info *items; /* by folder index; a NULL name: free */
	size_t cap;
} list_ctx;

static int collect_info(size_t index, const otto__lock_view *view, void *ctx, otto_error *err)
{
	list_ctx *l = ctx;
	(void)err;
	if (index >= l->cap) {
		size_t cap = l->cap ? l->cap : 64;
		while (cap <= index)
			cap *= 2;
		l->items = otto__realloc(l->items, cap * sizeof *l->items);
		memset(l->items + l->cap, 0, (cap - l->cap) * sizeof *l->items);
		l->cap = cap;
	}
	info_from_view(l->s, view, &l->items[index]);
	return OTTO_OK;
}

static int folder_list(void *store, const otto__lock_eval *ev, otto_lock_list *out, otto_error *err)
{
	otto__folder_store *s = store;
	list_ctx l = {s, NULL, 0};
	int rc;

	memset(out, 0, sizeof *out);
	rc = otto__lock_views_each(s->dirfd, s->dir, ev, true, collect_info, &l, err);
	/* Names came in folder order, with gaps where a name is free. */
	size_t n = 0;
	for (size_t i = 0; i < l.cap; i++) {
		if (!l.items[i].name)
			continue;
		if (rc == OTTO_OK)
			l.items[n++] = l.items[i];
		else
			otto_lock_info_clear(&l.items[i]);
	}
	if (rc != OTTO_OK) {
		free(l.items);
		return rc;
	}
	out->items = l.items ? l.items : otto__calloc(1, sizeof *out->items);
	out->count = n;
	return OTTO_OK;
}

const otto__lock_store_ops otto__lock_store_folder = {
	.name = "files",
	.open = folder_open,
	.close = folder_close,
	.where = folder_where,
	.acquire = folder_acquire,
	.release = folder_release,
	.get = folder_get,
	.list = folder_list,
	.renew = folder_renew,
	.wait = otto__folder_wait,
};
