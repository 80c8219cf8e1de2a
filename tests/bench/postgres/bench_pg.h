/*
 * What the postgres benchmarks share: a throwaway PostgreSQL server of
 * their own (tests/support/pgserver.sh, run as root), a settings file that
 * names it, `otto db init`, and the small timing helpers. Failing steps
 * end the benchmark with a message naming the program and the step.
 */
#ifndef OTTO_BENCH_PG_H
#define OTTO_BENCH_PG_H

#include <stdbool.h>

typedef struct bench_pg {
	char tmp[64];       /* the run's folder, /tmp/otto-bench-<name>-XXXXXX */
	char state[300];    /* pgserver.sh's state file in it */
	char dir[256];      /* the server's folder (its socket) */
	char url[512];      /* the measuring role otto_dba on database otto */
	char settings[300]; /* <tmp>/.otto/settings.toml */
} bench_pg;

/* Start the server for run `name`, write settings with [reservations]
 * (and [locks] when `locks`) on it and run `otto db init`. */
void bench_pg_start(bench_pg *pg, const char *name, bool locks);
/* Stop the server and remove the run's folder. */
void bench_pg_stop(bench_pg *pg);

/* Print "<program>: <what>" on stderr and exit 1. */
_Noreturn void bench_die(const char *what);
/* Run a shell command; exit 1 naming it when it fails. */
void bench_sh(const char *cmd);
/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);
/* qsort order of doubles. */
int bench_cmp_double(const void *a, const void *b);

#endif
