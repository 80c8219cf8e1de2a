/*
 * bench_pg_check [ROWS] [RUNS]: the reservation gate against the postgres
 * team store, as ratios against bare libpq measured in the same run
 * (docs/team-store.md, "Benchmarks"). Run as root: it starts its own
 * server with tests/support/pgserver.sh, fills otto.reservations with ROWS
 * (default 100,000) reservations of 1,000 users, 20 of them held now by
 * the measuring role, then measures, best of RUNS (default 30):
 *
 *   process: `otto reservation check --lab east` (a whole otto process:
 *            settings, plugin registry, worker, connect, query) against a
 *            process that connects with libpq, runs the same SELECT and
 *            exits;
 *   call:    otto_reservation_backend_reserved_resources() on an open
 *            backend (through otto-worker) against PQexecParams of the
 *            same SELECT on an open connection.
 *
 * Prints wall-clock medians and best times and their ratios; asserts
 * nothing about time.
 */
#include <otto/otto.h>

#include <libpq-fe.h>

#include "bench_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define SELECT_SQL                                                                                                     \
	"SELECT DISTINCT resource FROM otto.reservations WHERE holder = $1 AND during @> now() ORDER BY resource"

static bench_pg pg;

static int bare_process(void)
{
	PGconn *c = PQconnectdb(pg.url);
	if (PQstatus(c) != CONNECTION_OK)
		return 1;
	const char *p[] = {"otto_dba"};
	PGresult *r = PQexecParams(c, SELECT_SQL, 1, NULL, p, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 20;
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : 2;
}

static double run_child(char *const argv[])
{
	double t0 = bench_now();
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", 1);
		dup2(devnull, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	double t = bench_now() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_pg_check: %s exited with %d\n", argv[0], WEXITSTATUS(st));
		exit(1);
	}
	return t;
}

static void report(const char *what, double *a, double *b, int runs)
{
	qsort(a, (size_t)runs, sizeof *a, bench_cmp_double);
	qsort(b, (size_t)runs, sizeof *b, bench_cmp_double);
	printf("%-8s otto %8.3f ms (best %8.3f)  bare libpq %8.3f ms (best %8.3f)  ratio %.2fx (best %.2fx)\n", what,
	       a[runs / 2] * 1e3, a[0] * 1e3, b[runs / 2] * 1e3, b[0] * 1e3, a[runs / 2] / b[runs / 2], a[0] / b[0]);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--bare") == 0) {
		snprintf(pg.url, sizeof pg.url, "%s", argv[2]);
		return bare_process();
	}
	long rows = argc > 1 ? atol(argv[1]) : 100000;
	int runs = argc > 2 ? atoi(argv[2]) : 30;
	bench_pg_start(&pg, "pg", false);
	char cmd[2048];
	/* ROWS reservations of 1,000 users, a third of them current; the
	 * measuring role holds router1 and 19 more now. */
	snprintf(cmd, sizeof cmd,
		 "psql -X -q -h %s -U otto_pgsuper -d otto -c \"INSERT INTO otto.reservations (resource, holder, during, shared) "
		 "SELECT 'res-' || i, 'user' || (i %% 1000), tstzrange(now() + ((i %% 3) - 1) * interval '2 hours', "
		 "now() + ((i %% 3) - 1) * interval '2 hours' + interval '1 hour'), false FROM generate_series(1, %ld) i; "
		 "INSERT INTO otto.reservations (resource, holder, during) SELECT CASE WHEN i = 1 THEN 'router1' ELSE 'mine-' || i END, "
		 "'otto_dba', tstzrange(now() - interval '1 hour', now() + interval '1 day') FROM generate_series(1, 20) i; "
		 "ANALYZE otto.reservations\"",
		 pg.dir, rows - 20);
	bench_sh(cmd);
	printf("bench_pg_check: %ld reservations in otto.reservations, %d runs each\n", rows, runs);

	double *a = calloc((size_t)runs, sizeof *a), *b = calloc((size_t)runs, sizeof *b);
	char *otto_argv[] = {OTTO_BIN, "--settings", pg.settings, "--as-user", "otto_dba", "reservation", "check", "--lab", "east", NULL};
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	char *bare_argv[] = {self, "--bare", pg.url, NULL};
	setenv("OTTO_PLUGIN_CACHE", "1", 1);
	run_child(otto_argv); /* warm the registry cache and the page cache */
	run_child(bare_argv);
	for (int i = 0; i < runs; i++) {
		a[i] = run_child(otto_argv);
		b[i] = run_child(bare_argv);
	}
	report("process", a, b, runs);

	/* One call on an open backend against one statement on an open connection. */
	otto_error err = {0, ""};
	otto_registry *reg = NULL;
	otto_settings *s = NULL;
	otto_reservation_backend *backend = NULL;
	if (otto_registry_new(&reg, &err) || otto_registry_add_dir(reg, OTTO_PLUGIN_BUILD_DIR, &err) ||
	    otto_registry_scan(reg, &err) || otto_settings_load(&s, pg.settings, &err) ||
	    otto_reservation_backend_open_from_settings(&backend, reg, s, &err))
		bench_die(err.message);
	PGconn *c = PQconnectdb(pg.url);
	if (PQstatus(c) != CONNECTION_OK)
		bench_die(PQerrorMessage(c));
	int calls = runs * 20;
	double *ca = calloc((size_t)calls, sizeof *ca), *cb = calloc((size_t)calls, sizeof *cb);
	for (int i = -1; i < calls; i++) {
		otto_strlist held = {0, NULL};
		double t0 = bench_now();
		if (otto_reservation_backend_reserved_resources(backend, "otto_dba", &held, &err) || held.count != 20)
			bench_die(err.message);
		double t1 = bench_now();
		otto_strlist_free(&held);
		const char *p[] = {"otto_dba"};
		double t2 = bench_now();
		PGresult *r = PQexecParams(c, SELECT_SQL, 1, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 20)
			bench_die("bare SELECT");
		PQclear(r);
		double t3 = bench_now();
		if (i >= 0) {
			ca[i] = t1 - t0;
			cb[i] = t3 - t2;
		}
	}
	report("call", ca, cb, calls);
	PQfinish(c);
	otto_reservation_backend_free(backend);
	otto_settings_free(s);
	otto_registry_free(reg);
	bench_pg_stop(&pg);
	free(a);
	free(b);
	free(ca);
	free(cb);
	return 0;
}
