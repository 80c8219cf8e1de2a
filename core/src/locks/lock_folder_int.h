/*
 * Private to the folder store's sources (lock_store_folder.c and
 * lock_folder_*.c): the store object and its per-name primitives, the
 * guard, the writes and the wait. Nothing outside the folder store
 * includes this.
 */
#ifndef OTTO_LOCK_FOLDER_INT_H
#define OTTO_LOCK_FOLDER_INT_H

#include "locks/locks.h"

struct otto__folder_store {
	char *dir;
	int dirfd; /* opened once, trusted: everything else is relative to it */
	uid_t uid;
	bool no_sync;
	bool no_tmpfile; /* O_TMPFILE is missing here: named temporary files */
	const otto__lock_holder *holder;
	/* What the last refused acquire ran into, for the wait that follows. */
	bool has_in_way;
	otto__lock_view in_way;
};

/* ------------------------------------------------------------- guard -- */

/* Take flock(2) on NAME.guard, creating it when missing, and give up at
 * deadline_ms (CLOCK_MONOTONIC). OTTO_OK with *fd the locked guard; or
 * OTTO_OK with *fd -1 and `bad` describing a guard that is not a regular
 * file or cannot be opened (a corrupt name: never opened blocking); or
 * OTTO_EIO naming the guard (the deadline passed, or the folder failed). */
int otto__folder_guard_lock(otto__folder_store *s, const char *name, int64_t deadline_ms, int *fd,
			    otto__lock_view *bad, otto_error *err);

/* Delete a bad guard (--force): OTTO_OK, or OTTO_EIO saying who can. */
int otto__folder_guard_remove(otto__folder_store *s, const otto__lock_view *bad, otto_error *err);

/* ------------------------------------------------------------ writing -- */

/* A record of `kind` for `name` by `h`, taken `now`. */
void otto__folder_record_make(const otto__lock_holder *h, const char *name, otto__lockrec_kind kind, int64_t now,
			      int64_t expiry_seconds, const char *token_hash, otto__lockrec *rec);

/* Write `rec` as generation `gen`: an unnamed O_TMPFILE (a killed writer
 * leaves nothing) or a named temporary file, fsynced, then linked; link(2)
 * never replaces an existing file. */
int otto__folder_publish(otto__folder_store *s, const otto__lockrec *rec, uint64_t gen, otto_error *err);

/* Delete the generations of `g` below `keep` that we may delete; true
 * when none are left (the others belong to users the sticky bit protects). */
bool otto__folder_drop_below(otto__folder_store *s, const otto__lock_gens *g, uint64_t keep);

/* The generation after the current view's: view->gen + 1, or, at
 * OTTO__LOCK_GEN_MAX, 1 once every file of the name could be deleted;
 * OTTO_EIO naming the file that stays otherwise. */
int otto__folder_next_gen(otto__folder_store *s, const otto__lock_gens *g, const otto__lock_view *view,
			  uint64_t *gen, otto_error *err);

/* Remove the named temporary files of writers that are dead (or older than
 * an hour) that this user may remove. */
void otto__folder_clean_temps(otto__folder_store *s, const otto__lock_dirscan *scan);

/* -------------------------------------------------------------- wait -- */

/* The store's `wait` op (otto__lock_store_ops). */
void otto__folder_wait(void *store, const char *name, const otto__lock_eval *ev, int64_t deadline_ms);

#endif
