/* Run a command RUNS times (output to /dev/null) and print the median wall
 * time and the median CPU time (user + system, children included) in
 * milliseconds: "<wall ms> <cpu ms>". Fails when a run exits non-zero.
 * Usage: timeit RUNS CMD [ARGS...] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s RUNS CMD [ARGS...]\n", argv[0]);
		return 2;
	}
	int runs = atoi(argv[1]);
	if (runs < 1 || runs > 1000)
		return 2;
	double *wall = calloc((size_t)runs, sizeof *wall), *cpu = calloc((size_t)runs, sizeof *cpu);
	for (int i = 0; i < runs; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			dup2(null, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
			perror("timeit");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "timeit: %s failed (status %d)\n", argv[2], status);
			return 1;
		}
		wall[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	}
	qsort(wall, (size_t)runs, sizeof *wall, cmp);
	qsort(cpu, (size_t)runs, sizeof *cpu, cmp);
	printf("%.2f %.2f\n", wall[runs / 2], cpu[runs / 2]);
	free(wall);
	free(cpu);
	return 0;
}
