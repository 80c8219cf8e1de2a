/*
 * bench_lock [FOLDER-BASE] [SECONDS]
 *
 * Acquire+release pairs per second of the lock manager, as a ratio to bare
 * flock(2) LOCK_EX/LOCK_UN pairs on a file in the same folder, measured in
 * the same run: uncontended (one process), then 4 processes contending for
 * one name (only successful pairs count; a refused acquire retries at once).
 */
#include <otto/lock.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONTENDERS 4

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long flock_pairs(const char *dir, double seconds)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/flock-floor", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	long n = 0;
	if (fd < 0)
		return -1;
	for (double end = now_s() + seconds; now_s() < end;) {
		for (int i = 0; i < 100; i++, n++) {
			flock(fd, LOCK_EX);
			flock(fd, LOCK_UN);
		}
	}
	close(fd);
	return n;
}

static long lock_pairs(const char *dir, double seconds)
{
	otto_lock_options o;
	otto_lock_manager *m;
	otto_error err = {0};
	long n = 0;
	otto_lock_options_init(&o);
	o.dir = dir;
	if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK) {
		fprintf(stderr, "bench_lock: %s\n", err.message);
		exit(1);
	}
	for (double end = now_s() + seconds; now_s() < end;) {
		bool got = false;
		if (otto_lock_manager_acquire(m, "bench", 0, 0, &got, NULL, &err) != OTTO_OK) {
			fprintf(stderr, "bench_lock: %s\n", err.message);
			exit(1);
		}
		if (!got)
			continue;
		if (otto_lock_manager_release(m, "bench", 0, NULL, &err) != OTTO_OK) {
			fprintf(stderr, "bench_lock: %s\n", err.message);
			exit(1);
		}
		n++;
	}
	otto_lock_manager_free(m);
	return n;
}

/* Total pairs of `procs` processes running fn for `seconds` at once. */
static long together(int procs, long (*fn)(const char *, double), const char *dir, double seconds)
{
	long *counts = mmap(NULL, sizeof(long) * procs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long total = 0;
	fflush(NULL);
	for (int p = 0; p < procs; p++) {
		if (fork() == 0) {
			counts[p] = fn(dir, seconds);
			_exit(0);
		}
	}
	for (int p = 0; p < procs; p++)
		wait(NULL);
	for (int p = 0; p < procs; p++)
		total += counts[p];
	munmap(counts, sizeof(long) * procs);
	return total;
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : "/tmp";
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	char root[4096], dir[4200];
	snprintf(root, sizeof root, "%s/otto-bench-lock-XXXXXX", base);
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/locks", root);
	lock_pairs(dir, 0.05); /* creates the folder */

	long f1 = flock_pairs(dir, seconds), l1 = lock_pairs(dir, seconds);
	long f4 = together(CONTENDERS, flock_pairs, dir, seconds), l4 = together(CONTENDERS, lock_pairs, dir, seconds);
	printf("lock folder: %s\n", dir);
	printf("uncontended: lock %.0f pairs/s, flock %.0f pairs/s, ratio %.4f\n", l1 / seconds, f1 / seconds,
	       (double)l1 / (double)f1);
	printf("%d contending: lock %.0f pairs/s, flock %.0f pairs/s, ratio %.4f\n", CONTENDERS, l4 / seconds,
	       f4 / seconds, (double)l4 / (double)f4);
	char cmd[8500];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}
