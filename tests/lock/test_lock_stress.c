/*
 * Several processes take and give back the same locks thousands of times,
 * each logging every hold (CLOCK_MONOTONIC, taken after acquire returned and
 * before release is called) to its own file; merged, no two holds of one
 * lock may overlap.
 */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 4
#define ROUNDS 2500
#define NAMES 2

typedef struct hold {
	int name;
	long long start, end;
	int worker;
} hold;

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int worker(const char *dir, const char *log, int id)
{
	static const char *const names[NAMES] = {"board-a", "board-b"};
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = NULL;
	otto_error err = {0};
	FILE *f = fopen(log, "w");
	if (!f)
		return 2;
	if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK) {
		fclose(f);
		return 2;
	}
	srand((unsigned)id * 7919u);
	for (int i = 0; i < ROUNDS; i++) {
		int n = rand() % NAMES;
		bool got = false;
		if (otto_lock_manager_acquire(m, names[n], 0, 0, &got, NULL, &err) != OTTO_OK) {
			fprintf(stderr, "worker %d: %s\n", id, err.message);
			otto_lock_manager_free(m);
			fclose(f);
			return 3;
		}
		if (!got)
			continue;
		long long start = mono_ns();
		for (volatile int spin = 0; spin < 2000; spin++)
			;
		long long end = mono_ns();
		fprintf(f, "%d %lld %lld\n", n, start, end);
		if (otto_lock_manager_release(m, names[n], 0, NULL, &err) != OTTO_OK) {
			fprintf(stderr, "worker %d: %s\n", id, err.message);
			otto_lock_manager_free(m);
			fclose(f);
			return 4;
		}
	}
	otto_lock_manager_free(m);
	return fclose(f) == 0 ? 0 : 5;
}

static int by_start(const void *a, const void *b)
{
	const hold *x = a, *y = b;
	if (x->name != y->name)
		return x->name - y->name;
	return x->start < y->start ? -1 : x->start > y->start;
}

Test(lock_stress, no_two_holds_overlap, .timeout = 110)
{
	/* tmpfs when there is one: this is about exclusion, not the disk. */
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char *root = tu_fmt("%s/otto-lock-stress-XXXXXX", base);
	cr_assert(mkdtemp(root));
	char *dir = tu_fmt("%s/locks", root);
	pid_t pids[WORKERS];
	fflush(NULL);
	for (int w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		cr_assert(pids[w] >= 0);
		if (pids[w] == 0) {
			char *log = tu_fmt("%s/holds.%d", root, w);
			int rc = worker(dir, log, w);
			free(log);
			_exit(rc);
		}
	}
	for (int w = 0; w < WORKERS; w++) {
		int status;
		waitpid(pids[w], &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "worker %d: status %d", w, status);
	}

	size_t n = 0, cap = 1024;
	hold *holds = malloc(cap * sizeof *holds);
	size_t per_worker[WORKERS] = {0};
	for (int w = 0; w < WORKERS; w++) {
		char *log = tu_fmt("%s/holds.%d", root, w);
		FILE *f = fopen(log, "r");
		cr_assert(f);
		hold h = {.worker = w};
		while (fscanf(f, "%d %lld %lld", &h.name, &h.start, &h.end) == 3) {
			if (n == cap)
				holds = realloc(holds, (cap *= 2) * sizeof *holds);
			holds[n++] = h;
			per_worker[w]++;
		}
		fclose(f);
		free(log);
	}
	qsort(holds, n, sizeof *holds, by_start);
	size_t handovers = 0;
	for (size_t i = 1; i < n; i++) {
		if (holds[i].name != holds[i - 1].name)
			continue;
		cr_assert_geq(holds[i].start, holds[i - 1].end,
			      "lock %d: worker %d held it from %lld while worker %d held it until %lld", holds[i].name,
			      holds[i].worker, holds[i].start, holds[i - 1].worker, holds[i - 1].end);
		handovers += holds[i].worker != holds[i - 1].worker;
	}
	cr_log_info("%zu holds, %zu handovers between workers", n, handovers);
	for (int w = 0; w < WORKERS; w++)
		cr_assert_gt(per_worker[w], 0, "worker %d never got a lock: no contention was tested", w);
	cr_assert_gt(handovers, 100, "the workers must really contend (%zu handovers)", handovers);
	free(holds);
	tu_rm_rf(root);
	free(root);
	free(dir);
}
