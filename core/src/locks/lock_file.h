/*
 * Lock files on disk: the record format, holder liveness and reading a lock
 * folder. Shared by libotto's folder store and the built-in `lock`
 * reservation backend (lock_view_backend.c). They once were compiled into a
 * plugin too, and still keep its rules (tests/lock's format test and the
 * fuzzers compile them in alone): lock_file*.c use only libc, the SDK header and
 * util/path_trust.h (itself libc-only): no otto__ helpers, no aborting
 * allocations, every failure is a status. Out-parameters are set on every
 * path, failures included (NULL, 0, -1), so that a caller's cleanup never
 * frees or closes a leftover.
 *
 * Layout of a lock folder (see docs/locks.md for why):
 *   NAME.guard       empty, never deleted: flock(2) on it serialises changes to NAME
 *   NAME.lock.GEN    one record; the highest GEN (1 .. OTTO__LOCK_GEN_MAX) is
 *                    the current state of NAME. Files with a larger number
 *                    are not generations: readers and writers ignore them.
 *   .tmp.*           records being written where O_TMPFILE is missing
 *                    (ignored by readers, removed once their writer is dead)
 *
 * A record, "otto-lock 2" format (all keys required, unknown keys ignored):
 *   otto-lock 2
 *   kind=lock            or "released": a release that could not delete
 *   name=NAME            must be the file's NAME
 *   user=alice           must be the name of the file owner's uid
 *   uid=1000             must be the file owner's uid
 *   host=labhost         gethostname(2)
 *   pid=12345            the holder process, in the PID namespace below
 *   pid_start=987654     its start time: /proc/<pid>/stat field 22
 *   boot_id=0f3c...      /proc/sys/kernel/random/boot_id, "-" when unknown
 *   pidns=4026531836     the inode of /proc/self/ns/pid, "-" when unknown
 *   taken=1718000000     Unix seconds
 *   expiry=1718003600    Unix seconds, or "none"
 *   token_sha256=<hex>   SHA-256 of the release token (the token itself is
 *                        printed to the acquirer only: records are public)
 *   end
 */
#ifndef OTTO_LOCK_FILE_H
#define OTTO_LOCK_FILE_H

#include "util/path_trust.h"

#include <otto/plugin.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define OTTO__LOCK_NAME_MAX 128
#define OTTO__LOCK_RECORD_MAX 4096
#define OTTO__LOCK_MAGIC "otto-lock 2"
/* The highest generation: 2^62, so that GEN + 1 never wraps, and a name
 * would need a takeover every nanosecond for 146 years to get there. */
#define OTTO__LOCK_GEN_MAX ((uint64_t)1 << 62)
#define OTTO__LOCK_FILE_MAX (OTTO__LOCK_NAME_MAX + 32)

typedef enum otto__lockrec_kind {
	OTTO__LOCKREC_LOCK = 1,    /* someone took the lock */
	OTTO__LOCKREC_RELEASED = 2 /* a release that had to supersede files it could not delete */
} otto__lockrec_kind;

typedef struct otto__lockrec {
	otto__lockrec_kind kind;
	char name[OTTO__LOCK_NAME_MAX + 1];
	char user[64];
	int64_t uid;
	char host[256];
	int64_t pid;
	uint64_t pid_start; /* clock ticks since boot, /proc/<pid>/stat field 22 */
	char boot_id[40];   /* "" when unknown */
	char pidns[24];     /* decimal inode of the holder's PID namespace; "" when unknown */
	int64_t taken;      /* Unix seconds */
	int64_t expiry;     /* Unix seconds; 0: none */
	char token_sha256[65];
} otto__lockrec;

/* Names: 1..128 of [A-Za-z0-9._:@+-], not starting with '.'. */
bool otto__lock_name_valid(const char *name);

/* The record as text; returns its length, or -1 if it does not fit. */
int otto__lockrec_format(const otto__lockrec *rec, char *buf, size_t size);

/* Parse a record. On a malformed one returns -1 with the reason in `why`. */
int otto__lockrec_parse(const char *text, size_t len, otto__lockrec *rec, char *why, size_t why_size);

/* Read and check dir/file: 0 ok, 1 corrupt (reason in why), or -errno
 * (-ENOENT when it vanished: a concurrent change, the caller rescans).
 * Never blocks: a FIFO or a device is corrupt. *owner is the file's owner
 * uid (-1 when even that cannot be read). */
int otto__lockrec_read(int dirfd, const char *file, const char *expect_name, otto__lockrec *rec, int64_t *owner,
		       char *why, size_t why_size);

/* ------------------------------------------------------------ liveness -- */

/* The start time of a running (not zombie) process: 0, or -errno
 * (-ESRCH for a zombie, -ENOENT for no such /proc entry, -EACCES ...). */
int otto__proc_start_time(int64_t pid, uint64_t *start);
/* This boot's id ("" when /proc does not say). */
void otto__boot_id(char *buf, size_t size);
/* This machine's host name. */
void otto__host_name(char *buf, size_t size);
/* This process's PID namespace, the decimal inode of /proc/self/ns/pid
 * ("" when /proc does not say). */
void otto__pidns(char *buf, size_t size);
/* /proc belongs to this process's PID namespace (/proc/self is getpid()). */
bool otto__proc_is_ours(void);

typedef struct otto__lock_eval {
	bool check_pid;
	int64_t now;
	const char *host;    /* this machine */
	const char *boot_id; /* this boot ("" unknown) */
	const char *pidns;   /* this PID namespace ("" unknown) */
	bool proc_ours;      /* /proc shows this PID namespace */
} otto__lock_eval;

/* Fill the fields that describe this machine (host, boot, PID namespace,
 * /proc) into the caller's buffers; check_pid and now are the caller's. */
typedef struct otto__lock_here {
	char host[256];
	char boot_id[40];
	char pidns[24];
	bool proc_ours;
} otto__lock_here;
void otto__lock_here_read(otto__lock_here *here);
otto__lock_eval otto__lock_eval_of(const otto__lock_here *here, bool check_pid, int64_t now);

typedef enum otto__liveness {
	OTTO__HOLDER_DEAD = 0,
	OTTO__HOLDER_ALIVE = 1,
	/* Cannot be established from here: another host, another PID
	 * namespace, a /proc that hides the process (hidepid) or belongs to
	 * another namespace, an unknown boot. A lock counts as held. */
	OTTO__HOLDER_UNKNOWN = 2
} otto__liveness;

otto__liveness otto__lockrec_liveness(const otto__lockrec *rec, const otto__lock_eval *ev);

/* OTTO_LOCK_HELD, _EXPIRED, _STALE, or _FREE for a release record. */
otto_lock_state otto__lockrec_state(const otto__lockrec *rec, const otto__lock_eval *ev);

/* ------------------------------------------------------------ a folder -- */

/* Every generation of one name present in a folder, ascending, and what
 * its guard is (a DT_* type; 0 when there is no guard). */
typedef struct otto__lock_gens {
	char *name;
	uint64_t *gens;
	size_t count;
	unsigned char guard_type;
} otto__lock_gens;

typedef struct otto__lock_dirscan {
	otto__lock_gens *names; /* sorted by name */
	size_t count;
	char **temps; /* ".tmp.*" entries */
	size_t n_temps;
	/* Storage the pointers above point into. */
	char *pool;
	uint64_t *all_gens;
} otto__lock_dirscan;

/* Read an open folder once (only `only_name` when not NULL): sorting,
 * not searching, so the cost grows with the number of entries, not its
 * square. err names `dir`. */
int otto__lock_dirscan_read(int dirfd, const char *dir, const char *only_name, otto__lock_dirscan *out,
			    otto_error *err);
void otto__lock_dirscan_free(otto__lock_dirscan *scan);
const otto__lock_gens *otto__lock_dirscan_find(const otto__lock_dirscan *scan, const char *name);

/* "NAME.lock.GEN" */
void otto__lock_file_name(char *buf, size_t size, const char *name, uint64_t gen);

/* The current state of one name. */
typedef struct otto__lock_view {
	otto_lock_state state;
	uint64_t gen;       /* 0 when free with no file */
	otto__lockrec rec;  /* valid unless free-without-file or corrupt (then only rec.name) */
	int64_t owner;      /* the record file's owner uid; -1 unknown or no file */
	char file[OTTO__LOCK_FILE_MAX];
	char why[300];      /* corrupt: the reason */
} otto__lock_view;

/* Read generation `gen` of `name`: 0, or -errno (-ENOENT: it vanished). */
int otto__lock_view_of(int dirfd, const char *name, uint64_t gen, const otto__lock_eval *ev, otto__lock_view *out);

/* The current state of `name` from its highest generation, rescanning when a
 * file vanishes under a concurrent change. err names the folder. */
int otto__lock_view_read(int dirfd, const char *dir, const char *name, const otto__lock_eval *ev,
			 otto__lock_view *out, otto_error *err);

/* Called once for every name whose current state is not free, with the
 * name's place in the folder's name order (0, 1, ... with gaps for free
 * names). Any status other than OTTO_OK stops the walk and is returned. */
typedef int (*otto__lock_view_fn)(size_t index, const otto__lock_view *view, void *ctx, otto_error *err);

/* Every name whose current state is not free, in name order: one read of
 * the folder, and one more for all the names whose record vanished under a
 * concurrent change while it ran (those come last, with their own index).
 * Views are handed over one at a time and never kept, so the memory does
 * not grow with the folder. With `guards`, a name whose guard is not a
 * regular file is reported as corrupt too (the lock manager's view); the
 * reservation backend leaves guards out, since they say nothing about who
 * holds a lock. */
int otto__lock_views_each(int dirfd, const char *dir, const otto__lock_eval *ev, bool guards, otto__lock_view_fn fn,
			  void *ctx, otto_error *err);

/* Open a lock folder for reading: reached through no symbolic link another
 * user could retarget, owned by root or `uid`, sticky if others can write
 * it (util/path_trust.h). err names the folder and the fix. */
int otto__lock_dir_open(const char *dir, uid_t uid, int *fd_out, otto_error *err);

#endif
