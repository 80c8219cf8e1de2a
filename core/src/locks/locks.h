/*
 * Between the lock manager's sources (libotto only).
 *
 * One lock manager, stores behind it. The manager (lock_manager.c) owns
 * what every store shares: who the holder is, the held list, the release
 * token, the sorted all-or-nothing acquire and its deadline. A store owns
 * one name at a time: it takes, releases and reads a name under its own
 * exclusion and decides, from the claim the manager hands it, whether the
 * current lock is the caller's. The stores: the lock folder
 * (lock_store_folder.c) and any lock store a plugin registers (ABI 1.2,
 * lock_store_plugin.c, in its worker), selected by [locks] store.
 */
#ifndef OTTO_LOCKS_H
#define OTTO_LOCKS_H

#include "locks/lock_file.h"

#include <otto/lock.h>

/* Give up on a store's own exclusion (the folder's guard) no sooner than
 * this after the caller's deadline: a guard is held for a few milliseconds,
 * and a neighbour holding it on purpose must not hang `otto lock` forever. */
#define OTTO__LOCK_GUARD_GRACE_MS 2000
/* A guard that changes hands all the while (heavy contention, not a stuck
 * holder) is waited for this much longer than the deadline, at most. */
#define OTTO__LOCK_GUARD_BUSY_MAX_MS 60000

/* Who takes a lock: what acquire records and what makes a lock "the
 * holder's own" at release. */
typedef struct otto__lock_holder {
	char user[64]; /* the name of uid: records carry no other */
	uid_t uid;
	pid_t pid;
	uint64_t pid_start;
	otto__lock_here here; /* host, boot, PID namespace */
} otto__lock_holder;

/* What the manager asks of a store for one name. */
typedef struct otto__lock_claim {
	const otto__lock_holder *holder;
	const char *new_hash;   /* token hash to write into a new record */
	const char *held_hash;  /* the manager took this name with this hash ("" it did not) */
	const char *given_hash; /* a lock with this hash is the caller's (--token); "" none */
	int64_t expiry_seconds; /* acquire: 0 none */
	unsigned flags;         /* OTTO_LOCK_FORCE */
	int64_t deadline_ms;    /* CLOCK_MONOTONIC: stop waiting for the store's exclusion */
	otto__lock_eval ev;     /* now, check_pid, this machine */
	uint64_t *granted_fence; /* acquire: the new grant's fencing token (NULL: not wanted) */
} otto__lock_claim;

/* The record is the claimant's: its token (the manager's or --token), or
 * the very same holder process (same uid, host, boot, PID namespace, PID
 * and start time): `otto lock release` run from the shell that acquired. */
bool otto__lock_claim_owns(const otto__lock_claim *claim, const otto__lockrec *rec);

typedef enum otto__take {
	OTTO__TAKE_TAKEN = 1,   /* a new record holds it for the claimant */
	OTTO__TAKE_ALREADY = 2, /* the manager holds it already; nothing written */
	OTTO__TAKE_REFUSED = 3  /* held by someone else, or corrupt: `info` says */
} otto__take;

typedef struct otto__lock_store_ops {
	const char *name;
	/* `where`: the store's place (the folder). The holder outlives the store. */
	int (*open)(void **store, const char *where, const otto__lock_holder *holder, bool no_sync, otto_error *err);
	void (*close)(void *store);
	const char *(*where)(const void *store);
	/* Take `name`. *took always set; `info` (zeroed first) describes the
	 * lock in the way (REFUSED) or the one broken (TAKEN with FORCE). */
	int (*acquire)(void *store, const char *name, const otto__lock_claim *claim, otto__take *took,
		       otto_lock_info *info, otto_error *err);
	/* Release `name` if it is the claimant's (or by force); `broken`
	 * describes what was released. OTTO_ENOTFOUND when nobody holds it. */
	int (*release)(void *store, const char *name, const otto__lock_claim *claim, otto_lock_info *broken,
		       otto_error *err);
	int (*get)(void *store, const char *name, const otto__lock_eval *ev, otto_lock_info *out, otto_error *err);
	int (*list)(void *store, const otto__lock_eval *ev, otto_lock_list *out, otto_error *err);
	/* Optional (NULL: leases cannot be renewed): extend the claimant's
	 * unexpired lock on `name` to claim->expiry_seconds from now; `renewed`
	 * describes it after. No longer the claimant's (nobody's, someone
	 * else's, its lease ran out): OTTO_ENOTFOUND; trouble: another code. */
	int (*renew)(void *store, const char *name, const otto__lock_claim *claim, otto_lock_info *renewed,
		     otto_error *err);
	/* Optional: block until `name`, refused by the last acquire, may have
	 * changed, or until the deadline (a bounded slice of it at most). */
	void (*wait)(void *store, const char *name, const otto__lock_eval *ev, int64_t deadline_ms);
} otto__lock_store_ops;

/* The store named `name` ("files"), or NULL. */
const otto__lock_store_ops *otto__lock_store_find(const char *name);

extern const otto__lock_store_ops otto__lock_store_folder;

/* A lock store a plugin provides ([locks] store = "<name>", found in
 * opts->registry, created with [locks] url), behind the same ops. Its
 * open() is not used: otto__lock_store_plugin_open makes the store. */
extern const otto__lock_store_ops otto__lock_store_plugin;
int otto__lock_store_plugin_open(void **store, const otto_lock_options *opts, const otto__lock_holder *holder,
				 otto_error *err);

/* ------------------------------------------------------------ helpers -- */

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t otto__monotonic_ms(void);

/* A fresh release token (32 hex digits from getrandom) and its SHA-256. */
int otto__lock_token_new(char token[33], char hash[65], otto_error *err);
/* The SHA-256 of a token as records store it (64 hex digits). */
void otto__lock_token_hash(const char *token, char hash[65]);
/* 32 lower-case hex digits. */
bool otto__lock_token_valid(const char *token);

/* The folder store's pieces (lock_folder*.c). */
typedef struct otto__folder_store otto__folder_store;

/* Open (creating it, mode 01777, when missing) and trust the lock folder:
 * *fd_out a descriptor every later step works relative to. */
int otto__lock_folder_open(const char *dir, uid_t uid, int *fd_out, otto_error *err);

#endif
