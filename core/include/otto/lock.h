/*
 * otto/lock.h - machine locks on a shared lab host (docs/locks.md).
 *
 * A lock manager takes named locks in a lock folder shared by every local
 * user and releases them again; whatever it still holds is released when it
 * is freed. A lock is held by a process (the holder): while it has not
 * expired, or, with PID checking on, while that process (same PID, same
 * start time, same boot, same PID namespace) is alive or cannot be shown
 * dead from here. A stale or expired lock is taken over; a corrupt one only
 * by force. A lock is recorded under the user who owns its file: nobody
 * takes a lock in someone else's name.
 */
#ifndef OTTO_LOCK_H
#define OTTO_LOCK_H

#include <otto/otto.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* otto_lock_state (free, held, expired, stale, corrupt) and
 * OTTO_LOCK_DEFAULT_DIR are defined in otto/plugin.h (ABI 1.2), shared
 * with the `lock` reservation backend. */
#define OTTO_LOCK_NO_EXPIRY ((int64_t)0)

/* "free", "held", "expired", "stale", "corrupt" */
const char *otto_lock_state_name(otto_lock_state state);

/* Now, in Unix seconds. Injected by tests to move expiry around. */
typedef int64_t (*otto_lock_clock_fn)(void *ctx);

typedef struct otto_lock_options {
	const char *dir;          /* NULL: OTTO_LOCK_DEFAULT_DIR */
	bool check_pid;           /* a live holder keeps its lock (default true) */
	/* NULL, or the name of the effective uid: records carry the name of
	 * the uid that owns them, so any other name is OTTO_EINVALID. */
	const char *user;
	pid_t holder_pid;         /* the process the locks live with; 0: getpid(); never 1 */
	otto_lock_clock_fn clock; /* NULL: time(2) */
	void *clock_ctx;
	bool no_sync;             /* skip fsync (tests on tmpfs-like folders) */
	/* A token an earlier manager's otto_lock_manager_token() gave (what
	 * `otto lock acquire` prints): the locks it took count as this
	 * manager's for release. NULL: none. */
	const char *token;
	/* Since 0.2: the lock store, "files" (NULL: the lock folder `dir`)
	 * or the name of a lock store a plugin provides, found in `registry`
	 * and created with `url` ([locks] store and url). */
	const char *store;
	const char *url;
	otto_registry *registry;
} otto_lock_options;

/* Defaults: dir NULL, check_pid true, everything else unset. */
void otto_lock_options_init(otto_lock_options *opts);

/* Fill dir, check_pid, store and url from the [locks] table ("dir"
 * relative to the repository root). Strings point into `s` (or into *dir_out, which the
 * caller frees). A wrong type is OTTO_ESETTINGS naming file:line. */
int otto_lock_options_from_settings(otto_lock_options *opts, const otto_settings *s, char **dir_out,
				    otto_error *err);

/* Since 0.2 (ABI 1.2 `prepare`): create or migrate what the lock store of
 * `opts` (store, url, registry) keeps (`otto db init`); *done gets one line
 * per thing done. OTTO_ENOTSUPPORTED ("has nothing to prepare") for the
 * lock folder and for a store without prepare. */
int otto_lock_store_prepare(const otto_lock_options *opts, otto_strlist *done, otto_error *err);

/* One lock as seen in the folder. */
typedef struct otto_lock_info {
	char *name;
	otto_lock_state state;
	char *path;    /* the record's file (for corrupt: the file to look at) */
	char *problem; /* corrupt: why; else NULL */
	char *user;
	int64_t uid;
	char *host;
	int64_t pid;
	int64_t taken;  /* Unix seconds */
	int64_t expiry; /* Unix seconds, or OTTO_LOCK_NO_EXPIRY */
	/* Since 0.2: the fencing token of this grant (docs/team-store.md): it
	 * only grows from one grant of a name to the next, so a downstream
	 * system can refuse a holder older than the last one it saw. 0: the
	 * store has none (the lock folder). */
	uint64_t fence;
} otto_lock_info;
/* Free the members (not the struct). */
void otto_lock_info_clear(otto_lock_info *info);

typedef struct otto_lock_list {
	size_t count;
	otto_lock_info *items; /* sorted by name */
} otto_lock_list;
void otto_lock_list_free(otto_lock_list *list);

typedef struct otto_lock_manager otto_lock_manager;

/* Opens (creating it, mode 01777, when missing) and trusts the lock folder:
 * reached through no symbolic link another user could retarget, owned by
 * root or this user, sticky if others can write it, writable by this user.
 * Anything else (a file in its place, a folder another user owns, missing
 * and not creatable) is OTTO_EIO naming the path and the fix. A holder_pid
 * that is 1, or whose start time /proc does not show, or a `user` that is
 * not this uid's, is OTTO_EINVALID. */
int otto_lock_manager_new(otto_lock_manager **out, const otto_lock_options *opts, otto_error *err);
/* Releases every lock the manager still holds. NULL is fine. */
void otto_lock_manager_free(otto_lock_manager *mgr);
/* Forget the held locks without releasing them (they stay with holder_pid
 * until it dies or they expire): `otto lock acquire` hands them to its shell. */
void otto_lock_manager_detach(otto_lock_manager *mgr);
const char *otto_lock_manager_dir(const otto_lock_manager *mgr);
/* The release token of this manager's locks (32 hex digits), written into
 * their records only as a SHA-256: whoever has the token may release them
 * (otto_lock_options.token), from any process. Valid until free. */
const char *otto_lock_manager_token(const otto_lock_manager *mgr);

enum {
	OTTO_LOCK_FORCE = 1u << 0 /* break a live or corrupt lock of anyone */
};

/* Take `name`, expiring `expiry_seconds` from now (0: never). When it is
 * not free, *acquired is false and `holder` (optional) describes the live or
 * corrupt lock in the way. With OTTO_LOCK_FORCE, `holder` describes the lock
 * that was broken (state FREE when there was none). A lock this manager
 * already holds counts as acquired; one the same holder process took
 * through another manager is taken again (this manager's token, the new
 * expiry). An invalid name is OTTO_EINVALID; folder trouble OTTO_EIO,
 * also when the name's guard stays locked past the grace period. */
int otto_lock_manager_acquire(otto_lock_manager *mgr, const char *name, int64_t expiry_seconds, unsigned flags,
			      bool *acquired, otto_lock_info *holder, otto_error *err);

/* All names or none, in sorted order, waiting up to wait_ms (0: once) for
 * the lock in the way to change (released, its holder dead, expired) and
 * trying again. On failure *acquired is false, `holder` describes the first
 * lock in the way and none of the names is held. */
int otto_lock_manager_acquire_all(otto_lock_manager *mgr, const char *const *names, size_t count,
				  int64_t expiry_seconds, unsigned flags, int64_t wait_ms, bool *acquired,
				  otto_lock_info *holder, otto_error *err);

/* Release `name`. Without flags, only the holder's own lock: the lock this
 * manager holds, one recorded with the token of options.token, or one whose
 * holder is this manager's holder process (`otto lock release` from the
 * shell that acquired); a dead holder's lock may also be released by its
 * own user. Anybody else's is left untouched: OTTO_ERROR naming the holder
 * (and the manager forgets a lock that was taken over). A name that is not
 * locked: OTTO_ENOTFOUND. A corrupt lock: OTTO_ERROR naming its file.
 * OTTO_LOCK_FORCE releases whatever is there, and clears a guard that is not
 * a regular file when this user may delete it; `broken` (optional)
 * describes what was released. */
int otto_lock_manager_release(otto_lock_manager *mgr, const char *name, unsigned flags, otto_lock_info *broken,
			      otto_error *err);

/* Since 0.2: extend every lock this manager holds to expire
 * `expiry_seconds` from now (a lease, renewed while its holder works:
 * `otto lock run --expiry`). Each is renewed atomically in the store, and
 * only while it is still this manager's and unexpired; a lock that is not
 * (taken over, expired, broken with --force) is forgotten: OTTO_ENOTFOUND
 * naming it. A store that cannot answer now: OTTO_ERROR or OTTO_EIO (the
 * lock is kept; try again while the lease lasts); one that cannot renew
 * leases at all: OTTO_EINVALID. The first failure is returned. No lock
 * held: OTTO_OK. */
int otto_lock_manager_renew(otto_lock_manager *mgr, int64_t expiry_seconds, otto_error *err);

/* Since 0.2: the fencing token of the grant this manager holds `name`
 * under; 0 when it does not hold it, or the store gives none. */
uint64_t otto_lock_manager_fence(const otto_lock_manager *mgr, const char *name);

/* Release everything this manager holds; the first error is returned. */
int otto_lock_manager_release_all(otto_lock_manager *mgr, otto_error *err);

/* The current state of one name (state FREE when nobody holds it). */
int otto_lock_manager_get(otto_lock_manager *mgr, const char *name, otto_lock_info *out, otto_error *err);

/* Every lock in the folder that is not free: held, expired, stale, corrupt
 * (also a name whose guard is not a regular file). One read of the folder. */
int otto_lock_manager_list(otto_lock_manager *mgr, otto_lock_list *out, otto_error *err);

/* "90s", "30m", "2h", "1d", or plain seconds; > 0. OTTO_EINVALID otherwise,
 * naming the text. */
int otto_lock_duration_parse(const char *text, int64_t *seconds, otto_error *err);

#ifdef __cplusplus
}
#endif

#endif /* OTTO_LOCK_H */
