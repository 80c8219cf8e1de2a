/*
 * Helpers for the lock tests: a lock folder per test, other holder
 * processes, forged records and an injected clock.
 */
#ifndef OTTO_LOCK_TEST_H
#define OTTO_LOCK_TEST_H

#include <otto/lock.h>

#include <pwd.h>
#include <stdint.h>
#include <sys/types.h>

/* A fresh test folder (caller frees, tu_rm_rf) and its "locks" subfolder path. */
char *lt_folder(char **lock_dir);

/* A child process that just sleeps until killed: a lock holder of its own. */
pid_t lt_sleeper(void);
/* SIGKILL and reap it. */
void lt_kill(pid_t pid);

/* /proc/<pid>/stat field 22 of a live process. */
uint64_t lt_start_time(pid_t pid);
char *lt_host(void);
/* This process's PID namespace inode, as records hold it. */
char *lt_pidns(void);
/* The name of the effective uid: the user every lock of this process is recorded under. */
const char *lt_me(void);

/* The token lt_record's records were taken with, and its SHA-256. */
#define LT_TOKEN "0123456789abcdef0123456789abcdef"
#define LT_TOKEN_SHA256 "3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9"

char *lt_boot_id(void);

/* A lock record text as otto writes it (expiry 0: none). */
char *lt_record(const char *name, const char *user, long pid, uint64_t start, int64_t taken, int64_t expiry);

/* The injected clock: returns *(int64_t *)ctx. */
int64_t lt_clock(void *ctx);

/* Options: dir, check_pid as given, the fake clock at *now (NULL: real
 * time). Locks are recorded under this process's user. */
otto_lock_options lt_options(const char *dir, bool check_pid, int64_t *now);

/* A manager that must open; holder_pid 0: this process. */
otto_lock_manager *lt_manager(const otto_lock_options *opts, pid_t holder_pid);

/* tu_contains with a printf-formatted needle, which it frees. */
bool lt_contains_fmt(const char *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A real user made with useradd (once per machine), for the "other user"
 * side of a test: the tests run as root, which file permissions do not
 * stop. lt_need_root() skips a test that cannot create one. */
struct passwd lt_user(const char *name);
void lt_need_root(void);

/* root/locks made as an administrator would: owned by root, mode 01777
 * (and root itself opened to everybody). Caller frees. */
char *lt_shared_folder(const char *root);

/* otto WORDS... in cwd as `pw` (NULL: this process's user), LOGNAME set to
 * that user, OTTO_PLUGIN_PATH empty. */
#include "testutil.h"
tu_result lt_otto(const struct passwd *pw, const char *cwd, const char *const *words);
#define LT_OTTO(pw, cwd, ...) lt_otto((pw), (cwd), (const char *const[]){__VA_ARGS__, NULL})

/* Block until process `pid` (any, not only a child) has exited: an event
 * (a pidfd), not a time limit; Criterion's timeout ends a test that hangs. */
void lt_wait_exit(pid_t pid);
/* Block until `path` exists. */
void lt_wait_file(const char *path);
/* The 32 hex digits after "release token " in acquire's output (caller frees). */
char *lt_token_in(const char *text);

/* tu_write when the caller has no use for the path. */
void lt_write(const char *dir, const char *name, const char *content);

#endif
