/*
 * Listing is linear (issue 9, case 7): one read of the folder, and work per
 * name that does not grow with the number of names. Time is not asserted
 * here (tests/bench/lock/bench_lock_list.c measures it); work is. This test
 * compiles lock_file_scan.c with its string comparisons and readdir(3)
 * counted (tests/lock/CMakeLists.txt), lists 1,000 and 8,000 names and
 * compares the comparisons per name. The quadratic scan did 8 times as
 * many per name at 8,000 as at 1,000; a sort does about 1.3 times.
 */
#include "locks/lock_file.h"
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long compares, dir_reads;

/* The counted names lock_file_scan.c is compiled with. */
size_t lt_counted_strlen(const char *s);
int lt_counted_memcmp(const void *a, const void *b, size_t n);
int lt_counted_strcmp(const char *a, const char *b);
struct dirent *lt_counted_readdir(DIR *d);

size_t lt_counted_strlen(const char *s)
{
	compares++;
	return strlen(s);
}

int lt_counted_memcmp(const void *a, const void *b, size_t n)
{
	compares++;
	return memcmp(a, b, n);
}

int lt_counted_strcmp(const char *a, const char *b)
{
	compares++;
	return strcmp(a, b);
}

struct dirent *lt_counted_readdir(DIR *d)
{
	dir_reads++;
	return readdir(d);
}

typedef struct seen {
	size_t count;
} seen;

/* Every name comes once, in name order, held. */
static int check_view(size_t index, const otto__lock_view *v, void *ctx, otto_error *err)
{
	seen *s = ctx;
	char name[32];
	(void)err;
	snprintf(name, sizeof name, "board-%06zu", s->count);
	cr_assert_eq(index, s->count);
	cr_assert_str_eq(v->rec.name, name, "in name order");
	cr_assert_eq(v->state, OTTO_LOCK_HELD, "%s", v->why);
	s->count++;
	return OTTO_OK;
}

/* Comparisons per name to list `n` held locks, after checking the list. */
static double compares_per_name(size_t n)
{
	char *root, *dir = NULL;
	root = lt_folder(&dir);
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		char name[32], file[48];
		snprintf(name, sizeof name, "board-%06zu", (i * 7919) % n); /* not in name order */
		snprintf(file, sizeof file, "%s.lock.1", name);
		char *text = lt_record(name, lt_me(), (long)getpid(), lt_start_time(getpid()), now, now + 3600);
		lt_write(dir, file, text);
		free(text);
	}
	int fd;
	otto_error err = {0};
	cr_assert_eq(otto__lock_dir_open(dir, geteuid(), &fd, &err), OTTO_OK, "%s", err.message);
	otto__lock_here here;
	otto__lock_here_read(&here);
	otto__lock_eval ev = otto__lock_eval_of(&here, true, now);
	seen s = {0};
	compares = dir_reads = 0;
	cr_assert_eq(otto__lock_views_each(fd, dir, &ev, true, check_view, &s, &err), OTTO_OK, "%s", err.message);
	unsigned long work = compares, reads = dir_reads;
	cr_assert_eq(s.count, n);
	/* One pass: every entry once, plus ".", ".." and the end. */
	cr_assert_eq(reads, n + 3, "%lu readdir calls for %zu entries: more than one read of the folder", reads, n);
	close(fd);
	tu_rm_rf(root);
	free(root);
	free(dir);
	return (double)work / (double)n;
}

Test(lock_scale, listing_work_per_name_does_not_grow_with_the_names, .timeout = 120)
{
	double small = compares_per_name(1000), big = compares_per_name(8000);
	cr_log_info("comparisons per name: %.1f at 1,000 names, %.1f at 8,000 (ratio %.2f)", small, big, big / small);
	cr_assert_lt(big / small, 2.0, "%.1f comparisons per name at 8,000 names against %.1f at 1,000: not linear", big,
		     small);
}
