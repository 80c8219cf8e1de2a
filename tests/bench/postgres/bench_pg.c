/*
 * The postgres benchmarks' shared setup (bench_pg.h): one place that starts
 * and stops their throwaway server and writes their settings, so that
 * bench_pg_check and bench_pg_lock measure against the same server setup.
 */
#include "bench_pg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Noreturn void bench_die(const char *what)
{
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
	exit(1);
}

void bench_sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: failed: %s\n", program_invocation_short_name, cmd);
		exit(1);
	}
}

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void bench_pg_start(bench_pg *pg, const char *name, bool locks)
{
	memset(pg, 0, sizeof *pg);
	if (geteuid() != 0)
		bench_die("run as root (it starts a PostgreSQL server as the user otto-pg)");
	snprintf(pg->tmp, sizeof pg->tmp, "/tmp/otto-bench-%s-XXXXXX", name);
	if (!mkdtemp(pg->tmp))
		bench_die("mkdtemp");
	char cmd[2048];
	snprintf(pg->state, sizeof pg->state, "%s/pg.env", pg->tmp);
	snprintf(cmd, sizeof cmd, "bash %s/tests/support/pgserver.sh start %s >/dev/null", OTTO_SOURCE_DIR, pg->state);
	bench_sh(cmd);
	FILE *f = fopen(pg->state, "r");
	char line[512];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "OTTO_PG_DIR=", 12) == 0)
			snprintf(pg->dir, sizeof pg->dir, "%.*s", (int)strcspn(line + 12, "\n"), line + 12);
	if (f)
		fclose(f);
	snprintf(pg->url, sizeof pg->url, "postgresql:///otto?host=%s&user=otto_dba", pg->dir);
	snprintf(pg->settings, sizeof pg->settings, "%s/.otto/settings.toml", pg->tmp);
	char locks_table[600] = "";
	if (locks)
		snprintf(locks_table, sizeof locks_table, "[locks]\\nstore = \"postgres\"\\nurl = \"%s\"\\n", pg->url);
	snprintf(cmd, sizeof cmd,
		 "mkdir -p %s/.otto && printf '[lab]\\nbackend = \"example\"\\n[reservations]\\nbackend = \"postgres\"\\nurl = "
		 "\"%s\"\\n%s' > %s && %s --settings %s db init >/dev/null",
		 pg->tmp, pg->url, locks_table, pg->settings, OTTO_BIN, pg->settings);
	bench_sh(cmd);
}

void bench_pg_stop(bench_pg *pg)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "bash %s/tests/support/pgserver.sh stop %s >/dev/null; rm -rf %s", OTTO_SOURCE_DIR,
		 pg->state, pg->tmp);
	bench_sh(cmd);
}
