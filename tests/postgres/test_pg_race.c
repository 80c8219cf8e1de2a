/*
 * Racing writers (issue 12): 8 processes, as 4 real roles, reserve random
 * overlapping windows of 2 resources (and cancel some) for 30 seconds.
 * Afterwards a query proves that no two exclusive windows of a resource
 * overlap and no shared one overlaps an exclusive one, and every refusal
 * named the holder and the window (pg_client race exits 1 otherwise).
 * Label `long`: .ci/test runs it in its normal stage only.
 */
#include "pg_test.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WRITERS 8
#define SECONDS 30

Test(pg_race, eight_writers_never_overlap, .timeout = 600)
{
	pg_env e;
	pg_user users[4];
	static const char *const names[4] = {"otto-pgr1", "otto-pgr2", "otto-pgr3", "otto-pgr4"};
	pg_env_init(&e, pgt_shared());
	for (int i = 0; i < 4; i++)
		pg_env_user(&e, &users[i], names[i], 0);
	char *base = tu_fmt("%lld", (long long)time(NULL) + 86400);
	char *seconds = tu_fmt("%d", SECONDS);
	pid_t pids[WRITERS];
	char *logs[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		logs[w] = tu_fmt("%s/writer%d.log", e.project, w);
		char *seed = tu_fmt("%d", 1000 + w);
		fflush(NULL);
		pids[w] = fork();
		cr_assert(pids[w] >= 0);
		if (pids[w] == 0) {
			tu_result r = PG_CLIENT(&users[w % 4], "race", seconds, seed, base, "race-a", "race-b");
			FILE *f = fopen(logs[w], "w");
			if (f) {
				fprintf(f, "status %d\n%s%s", r.status, r.out, r.err);
				fclose(f);
			}
			_exit(r.status == 0 ? 0 : 1);
		}
		free(seed);
	}
	long made = 0, refused = 0;
	for (int w = 0; w < WRITERS; w++) {
		int st = 0;
		cr_assert(waitpid(pids[w], &st, 0) == pids[w]);
		char *log = tu_read(logs[w]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed:\n%s", w, log);
		long m = 0, rf = 0, bad = 0;
		const char *line = strstr(log, "made ");
		cr_assert(line && sscanf(line, "made %ld refused %ld bad %ld", &m, &rf, &bad) == 3, "%s", log);
		made += m;
		refused += rf;
		free(log);
		free(logs[w]);
	}
	cr_log_info("racing writers: %ld reservations made, %ld refused (each naming holder and window)", made, refused);
	cr_assert(made > 0 && refused > 0, "the writers did not race (made %ld, refused %ld)", made, refused);
	char *out = pgt_sql_db(e.server, e.db,
			       "SELECT count(*) FROM otto.reservations a JOIN otto.reservations b "
			       "ON a.resource = b.resource AND a.id < b.id AND a.during && b.during "
			       "AND NOT (a.shared AND b.shared)");
	cr_assert_str_eq(out, "0\n", "overlapping exclusive reservations in the table");
	free(out);
	out = pgt_sql_db(e.server, e.db, "SELECT count(*) > 0 FROM otto.reservations");
	cr_assert_str_eq(out, "t\n");
	free(out);
	free(base);
	free(seconds);
	for (int i = 0; i < 4; i++)
		pg_user_free(&users[i]);
	pg_env_free(&e);
}
