/*
 * Helpers for the lock tests: a lock folder per test, other holder
 * processes, forged records and an injected clock.
 */
#ifndef OTTO_LOCK_TEST_H
#define OTTO_LOCK_TEST_H

#include <otto/lock.h>

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
char *lt_boot_id(void);

/* A lock record text as otto writes it (expiry 0: none). */
char *lt_record(const char *name, const char *user, long pid, uint64_t start, int64_t taken, int64_t expiry);

/* The injected clock: returns *(int64_t *)ctx. */
int64_t lt_clock(void *ctx);

/* Options: dir, user "alice", check_pid as given, the fake clock at *now
 * (NULL: real time). */
otto_lock_options lt_options(const char *dir, bool check_pid, int64_t *now);

/* A manager that must open; holder_pid 0: this process. */
otto_lock_manager *lt_manager(const otto_lock_options *opts, pid_t holder_pid);

/* tu_contains with a printf-formatted needle, which it frees. */
bool lt_contains_fmt(const char *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tu_write when the caller has no use for the path. */
void lt_write(const char *dir, const char *name, const char *content);

#endif
