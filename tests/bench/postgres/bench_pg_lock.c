/*
 * bench_pg_lock [CYCLES] [RUNS]: the postgres lock store measured against
 * bare libpq in the same run (docs/team-store.md, "Benchmarks"). Run as
 * root: it starts its own server with tests/support/pgserver.sh and runs
 * `otto db init`, then measures
 *
 *   cycle:      one acquire + release of a free lock through libotto's
 *               lock manager ([locks] store = "postgres", through
 *               otto-worker) against the store's own two statements
 *               (lock_sql.h: LOCK_SQL_INSERT, LOCK_SQL_RELEASE) sent bare
 *               with PQexecParams on an open connection; median and best
 *               of CYCLES (default 2,000) each, and the client CPU time of
 *               a cycle (the caller and its otto-worker; the server's is
 *               not counted);
 *   throughput: 1, 4 and 16 client processes, each with its own manager
 *               (or its own libpq connection for the floor), each taking
 *               and releasing its own name CYCLES/4 times; best of RUNS
 *               (default 3) wall times, as cycles per second.
 *
 * Prints times and ratios; asserts nothing about time.
 */
#include <otto/otto.h>
#include <otto/lock.h>

#include "bench_pg.h"
#include "lock_sql.h" /* plugins/postgres: the statements the store sends */

#include <libpq-fe.h>
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bench_pg pg;

/* One client's cycles through libotto: its own registry and manager. */
static double otto_cycles(const char *name, int cycles, double *each)
{
	otto_error err = {0, ""};
	otto_registry *reg = NULL;
	otto_lock_manager *mgr = NULL;
	if (otto_registry_new(&reg, &err) || otto_registry_add_dir(reg, OTTO_PLUGIN_BUILD_DIR, &err) ||
	    otto_registry_scan(reg, &err))
		bench_die(err.message);
	otto_lock_options o;
	otto_lock_options_init(&o);
	o.store = "postgres";
	o.url = pg.url;
	o.registry = reg;
	if (otto_lock_manager_new(&mgr, &o, &err))
		bench_die(err.message);
	double start = 0;
	for (int i = -10; i < cycles; i++) { /* 10 to warm the worker and the connection */
		if (i == 0)
			start = bench_now();
		bool acquired = false;
		double t0 = bench_now();
		if (otto_lock_manager_acquire(mgr, name, 0, 0, &acquired, NULL, &err) || !acquired)
			bench_die(acquired ? err.message : "acquire refused a free lock");
		if (otto_lock_manager_release(mgr, name, 0, NULL, &err))
			bench_die(err.message);
		if (each && i >= 0)
			each[i] = bench_now() - t0;
	}
	double total = bench_now() - start;
	otto_lock_manager_free(mgr);
	otto_registry_free(reg);
	return total;
}

/* The same client with the store's two statements sent bare, with the
 * parameters the store sends for a free name taken and released by the
 * token it was taken with. */
static double bare_cycles(const char *name, int cycles, double *each)
{
	PGconn *c = PQconnectdb(pg.url);
	if (PQstatus(c) != CONNECTION_OK)
		bench_die(PQerrorMessage(c));
	char pid[24];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	const char *ins[] = {name, "benchhost", pid, "12345", "boot-id", "pidns", sha, "0"};
	const char *del[] = {name, sha, "", "benchhost", "boot-id", "pidns", pid, "12345", "0", "0"};
	double start = 0;
	for (int i = -10; i < cycles; i++) {
		if (i == 0)
			start = bench_now();
		double t0 = bench_now();
		PGresult *r = PQexecParams(c, LOCK_SQL_INSERT, 8, NULL, ins, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
			bench_die(PQresultErrorMessage(r));
		PQclear(r);
		r = PQexecParams(c, LOCK_SQL_RELEASE, 10, NULL, del, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
			bench_die(PQresultErrorMessage(r));
		PQclear(r);
		if (each && i >= 0)
			each[i] = bench_now() - t0;
	}
	double total = bench_now() - start;
	PQfinish(c);
	return total;
}

/* CPU seconds of this process and its reaped children so far. */
static double cpu_s(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) /
		       1e6;
}

/* `clients` processes at once, each on its own name; the wall time of all. */
static double throughput(int clients, int cycles, int bare)
{
	pid_t pids[64];
	int ready[2], go[2];
	if (pipe(ready) || pipe(go))
		bench_die("pipe");
	for (int i = 0; i < clients; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			bench_die("fork");
		if (pids[i] == 0) {
			char name[64], byte = 0;
			snprintf(name, sizeof name, "tp-%d-%d", bare, i);
			/* Open everything first, then wait for the start signal, so
			 * the wall time covers only the cycles. */
			PGconn *c = NULL;
			if (bare) {
				c = PQconnectdb(pg.url);
				if (PQstatus(c) != CONNECTION_OK)
					_exit(2);
			}
			if (write(ready[1], "r", 1) != 1 || read(go[0], &byte, 1) != 1)
				_exit(3);
			if (c)
				PQfinish(c);
			if (bare)
				bare_cycles(name, cycles, NULL);
			else
				otto_cycles(name, cycles, NULL);
			_exit(0);
		}
	}
	for (int i = 0; i < clients; i++) {
		char byte;
		if (read(ready[0], &byte, 1) != 1)
			bench_die("a client died before starting");
	}
	double t0 = bench_now();
	for (int i = 0; i < clients; i++)
		if (write(go[1], "g", 1) != 1)
			bench_die("write");
	for (int i = 0; i < clients; i++) {
		int st = 0;
		waitpid(pids[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bench_die("a client failed");
	}
	double t = bench_now() - t0;
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	return t;
}

int main(int argc, char **argv)
{
	int cycles = argc > 1 ? atoi(argv[1]) : 2000;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	if (cycles < 4 || runs < 1)
		bench_die("usage: bench_pg_lock [CYCLES >= 4] [RUNS >= 1]");
	bench_pg_start(&pg, "pglock", true);
	setenv("OTTO_PLUGIN_CACHE", "1", 1);

	double *a = calloc((size_t)cycles, sizeof *a), *b = calloc((size_t)cycles, sizeof *b);
	if (!a || !b)
		bench_die("out of memory");
	/* The manager's worker is reaped when the manager is freed, so its CPU
	 * time is in RUSAGE_CHILDREN by the time otto_cycles returns; a run of
	 * no measured cycles (only the 10 warm-up ones) takes out the setup. */
	double cpu0 = cpu_s();
	otto_cycles("cycle", 0, NULL);
	double cpu1 = cpu_s();
	otto_cycles("cycle", cycles, a);
	double cpu2 = cpu_s();
	bare_cycles("cycle-bare", 0, NULL);
	double cpu3 = cpu_s();
	bare_cycles("cycle-bare", cycles, b);
	double cpu4 = cpu_s();
	double cpu_otto = ((cpu2 - cpu1) - (cpu1 - cpu0)) / cycles, cpu_bare = ((cpu4 - cpu3) - (cpu3 - cpu2)) / cycles;
	qsort(a, (size_t)cycles, sizeof *a, bench_cmp_double);
	qsort(b, (size_t)cycles, sizeof *b, bench_cmp_double);
	printf("bench_pg_lock: %d cycles, throughput best of %d runs\n", cycles, runs);
	printf("cycle      otto %7.3f ms (best %7.3f)  bare libpq %7.3f ms (best %7.3f)  ratio %.2fx (best %.2fx)\n",
	       a[cycles / 2] * 1e3, a[0] * 1e3, b[cycles / 2] * 1e3, b[0] * 1e3, a[cycles / 2] / b[cycles / 2],
	       a[0] / b[0]);
	printf("cycle      client CPU: otto %6.1f us  bare libpq %6.1f us\n", cpu_otto * 1e6, cpu_bare * 1e6);
	static const int counts[] = {1, 4, 16};
	int per = cycles / 4;
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		double best_o = 1e30, best_b = 1e30;
		for (int r = 0; r < runs; r++) {
			double to = throughput(counts[k], per, 0), tb = throughput(counts[k], per, 1);
			best_o = to < best_o ? to : best_o;
			best_b = tb < best_b ? tb : best_b;
		}
		double ops = (double)counts[k] * per;
		printf("clients %2d otto %8.0f cycles/s  bare libpq %8.0f cycles/s  ratio %.2fx\n", counts[k],
		       ops / best_o, ops / best_b, best_b > 0 ? (ops / best_b) / (ops / best_o) : 0.0);
	}
	bench_pg_stop(&pg);
	free(a);
	free(b);
	return 0;
}
