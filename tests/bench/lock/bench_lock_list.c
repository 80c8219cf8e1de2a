/*
 * bench_lock_list [FOLDER-BASE] [MAX-NAMES]
 *
 * Listing a lock folder of 1k, 4k, 16k and 64k held locks (issue 9: 64k
 * names once took 38 s, the scan being quadratic): time per name through
 * otto_lock_manager_list, against a floor measured in the same run on the
 * same folder: one readdir(3) pass plus an open/read/close of every record,
 * the I/O a listing cannot avoid. Prints, per size, microseconds per name
 * for both and their ratio, then the growth of time per name from the
 * smallest size to the largest (flat is 1.0), and of the ratio to the floor
 * (which also cancels what the file system itself does with a larger
 * folder). Each figure is the best of 3.
 */
#include <otto/lock.h>

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A record as otto writes it, held for an hour by this process. */
static void write_record(const char *dir, size_t i, const char *user, const char *host, const char *boot,
			 const char *pidns, unsigned long long start, long long now)
{
	char path[4300], text[1024];
	snprintf(path, sizeof path, "%s/board-%06zu.lock.1", dir, i);
	int n = snprintf(text, sizeof text,
			 "otto-lock 2\nkind=lock\nname=board-%06zu\nuser=%s\nuid=%ld\nhost=%s\npid=%ld\npid_start=%llu\n"
			 "boot_id=%s\npidns=%s\ntaken=%lld\nexpiry=%lld\ntoken_sha256=%064d\nend\n",
			 i, user, (long)geteuid(), host, (long)getpid(), start, boot, pidns, now, now + 3600, 0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	buf[0] = '\0';
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* The floor: read the folder once and every record once. */
static double floor_pass(const char *dir)
{
	double t0 = now_s();
	DIR *d = opendir(dir);
	char buf[4096], path[4500];
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (read(fd, buf, sizeof buf) < 0)
				perror(path);
			close(fd);
		}
	}
	closedir(d);
	return now_s() - t0;
}

static double list_pass(otto_lock_manager *m, size_t expect)
{
	otto_lock_list list;
	otto_error err = {0};
	double t0 = now_s();
	if (otto_lock_manager_list(m, &list, &err) != OTTO_OK) {
		fprintf(stderr, "bench_lock_list: %s\n", err.message);
		exit(1);
	}
	double t = now_s() - t0;
	if (list.count != expect) {
		fprintf(stderr, "bench_lock_list: listed %zu locks, expected %zu\n", list.count, expect);
		exit(1);
	}
	otto_lock_list_free(&list);
	return t;
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	size_t max = argc > 2 ? (size_t)atol(argv[2]) : 65536;
	char root[4096], dir[4200], host[256], boot[64], ns[64], link[64], stat[1024];
	snprintf(root, sizeof root, "%s/otto-bench-list-XXXXXX", base);
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/locks", root);
	gethostname(host, sizeof host);
	read_line("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
	ssize_t len = readlink("/proc/self/ns/pid", link, sizeof link - 1);
	link[len > 0 ? len : 0] = '\0';
	snprintf(ns, sizeof ns, "%s", strchr(link, '[') ? strchr(link, '[') + 1 : "-");
	ns[strcspn(ns, "]")] = '\0';
	read_line("/proc/self/stat", stat, sizeof stat);
	char *p = strrchr(stat, ')') + 2;
	for (int field = 3; field < 22; field++)
		p = strchr(p, ' ') + 1;
	unsigned long long start = strtoull(p, NULL, 10);
	long long now = (long long)time(NULL);

	otto_lock_options o;
	otto_lock_manager *m = NULL;
	otto_error err = {0};
	otto_lock_options_init(&o);
	o.dir = dir;
	if (otto_lock_manager_new(&m, &o, &err) != OTTO_OK) {
		fprintf(stderr, "bench_lock_list: %s\n", err.message);
		return 1;
	}
	/* Records carry the name of the uid that owns them. */
	char user[64];
	struct passwd *pw = getpwuid(geteuid());
	if (!pw) {
		fprintf(stderr, "bench_lock_list: no passwd entry for uid %ld\n", (long)geteuid());
		return 1;
	}
	snprintf(user, sizeof user, "%s", pw->pw_name);

	printf("lock folder: %s\n", dir);
	printf("%8s  %14s  %14s  %8s\n", "names", "list us/name", "floor us/name", "ratio");
	size_t written = 0;
	double first = 0, last = 0, first_ratio = 0, last_ratio = 0;
	for (size_t n = 1024; n <= max; n *= 4) {
		for (; written < n; written++)
			write_record(dir, written, user, host, boot, ns, start, now);
		double best_list = 1e9, best_floor = 1e9;
		for (int round = 0; round < 3; round++) {
			double f = floor_pass(dir), l = list_pass(m, n);
			best_floor = f < best_floor ? f : best_floor;
			best_list = l < best_list ? l : best_list;
		}
		double per = best_list / (double)n * 1e6, floor_per = best_floor / (double)n * 1e6;
		printf("%8zu  %14.2f  %14.2f  %8.2f\n", n, per, floor_per, per / floor_per);
		if (first == 0) {
			first = per;
			first_ratio = per / floor_per;
		}
		last = per;
		last_ratio = per / floor_per;
	}
	printf("time per name, largest size against the smallest: %.2f (flat: 1.00)\n", last / first);
	printf("ratio to the floor, largest size against the smallest: %.2f (flat: 1.00)\n", last_ratio / first_ratio);
	otto_lock_manager_free(m);
	char cmd[8500];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}
