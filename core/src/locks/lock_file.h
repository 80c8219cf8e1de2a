/*
 * Lock files on disk: the record format, holder liveness and reading a lock
 * folder. Shared by libotto's lock manager and the `lock` reservation plugin,
 * which compiles these sources in itself (it must not link libotto), so
 * lock_file*.c use only libc and the SDK header: no otto__ helpers, no
 * aborting allocations, every failure is a status. Out-parameters are set
 * on every path, failures included (NULL, 0, -1), so that a caller's
 * cleanup never frees or closes a leftover.
 *
 * Layout of a lock folder (see docs/locks.md for why):
 *   NAME.guard       empty, never deleted: flock(2) on it serialises changes to NAME
 *   NAME.lock.GEN    one record; the highest GEN is the current state of NAME
 *   .tmp.*           records being written (ignored by readers)
 */
#ifndef OTTO_LOCK_FILE_H
#define OTTO_LOCK_FILE_H

#include <otto/plugin.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define OTTO__LOCK_NAME_MAX 128
#define OTTO__LOCK_RECORD_MAX 4096
#define OTTO__LOCK_DEFAULT_DIR "/tmp/otto-locks"
#define OTTO__LOCK_MAGIC "otto-lock 1"

/* Must match otto_lock_state in otto/lock.h. */
enum {
	OTTO__LOCK_FREE = 0,
	OTTO__LOCK_HELD = 1,
	OTTO__LOCK_EXPIRED = 2,
	OTTO__LOCK_STALE = 3,
	OTTO__LOCK_CORRUPT = 4
};

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
	char boot_id[40];
	int64_t taken;      /* Unix seconds */
	int64_t expiry;     /* Unix seconds; 0: none */
	char token[33];     /* 32 hex digits from getrandom */
} otto__lockrec;

/* Names: 1..128 of [A-Za-z0-9._:@+-], not starting with '.'. */
bool otto__lock_name_valid(const char *name);

/* The record as text; returns its length, or -1 if it does not fit. */
int otto__lockrec_format(const otto__lockrec *rec, char *buf, size_t size);

/* Parse a record. On a malformed one returns -1 with the reason in `why`. */
int otto__lockrec_parse(const char *text, size_t len, otto__lockrec *rec, char *why, size_t why_size);

/* Read and check dir/file: 0 ok, 1 corrupt (reason in why), or -errno
 * (-ENOENT when it vanished: a concurrent change, the caller rescans). */
int otto__lockrec_read(int dirfd, const char *file, const char *expect_name, otto__lockrec *rec, char *why,
		       size_t why_size);

/* ------------------------------------------------------------ liveness -- */

/* The start time of a running (not zombie) process: 0, or -1 when none. */
int otto__proc_start_time(int64_t pid, uint64_t *start);
/* This boot's id ("" when /proc does not say). */
void otto__boot_id(char *buf, size_t size);
/* This machine's host name. */
void otto__host_name(char *buf, size_t size);

typedef struct otto__lock_eval {
	bool check_pid;
	int64_t now;
	const char *host;    /* this machine */
	const char *boot_id; /* this boot */
} otto__lock_eval;

/* The holder process is alive on this machine: same host, same boot, same
 * PID with the same start time. Another host cannot be checked: alive. */
bool otto__lockrec_holder_alive(const otto__lockrec *rec, const otto__lock_eval *ev);

/* OTTO__LOCK_HELD, _EXPIRED, _STALE, or _FREE for a release record. */
int otto__lockrec_state(const otto__lockrec *rec, const otto__lock_eval *ev);

/* ------------------------------------------------------------ a folder -- */

/* Every generation of one name present in a folder, ascending. */
typedef struct otto__lock_gens {
	char *name;
	uint64_t *gens;
	size_t count, cap;
} otto__lock_gens;

typedef struct otto__lock_dirscan {
	otto__lock_gens *names; /* sorted by name */
	size_t count, cap;
} otto__lock_dirscan;

/* Scan an open folder (only `only_name` when not NULL). err names `dir`. */
int otto__lock_dirscan_read(int dirfd, const char *dir, const char *only_name, otto__lock_dirscan *out,
			    otto_error *err);
void otto__lock_dirscan_free(otto__lock_dirscan *scan);
const otto__lock_gens *otto__lock_dirscan_find(const otto__lock_dirscan *scan, const char *name);

/* "NAME.lock.GEN" */
void otto__lock_file_name(char *buf, size_t size, const char *name, uint64_t gen);

/* The current state of one name. */
typedef struct otto__lock_view {
	int state;          /* OTTO__LOCK_* */
	uint64_t gen;       /* 0 when free with no file */
	otto__lockrec rec;  /* valid unless free-without-file or corrupt */
	char file[OTTO__LOCK_NAME_MAX + 32];
	char why[256];      /* corrupt: the reason */
} otto__lock_view;

/* Read generation `gen` of `name`: 0, or -errno (-ENOENT: it vanished). */
int otto__lock_view_of(int dirfd, const char *name, uint64_t gen, const otto__lock_eval *ev, otto__lock_view *out);

/* The current state of `name` from its highest generation, rescanning when a
 * file vanishes under a concurrent change. err names the folder. */
int otto__lock_view_read(int dirfd, const char *dir, const char *name, const otto__lock_eval *ev,
			 otto__lock_view *out, otto_error *err);

/* Every name whose current state is not free, sorted by name. */
int otto__lock_view_read_all(int dirfd, const char *dir, const otto__lock_eval *ev, otto__lock_view **out,
			     size_t *count, otto_error *err);

/* Open a folder for reading (O_DIRECTORY); err says what is wrong with it. */
int otto__lock_dir_open(const char *dir, int *fd_out, otto_error *err);

#endif
