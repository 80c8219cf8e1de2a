/*
 * The regression half of a fuzz target: a plain program (gcc, no libFuzzer)
 * that feeds every file it is given, or every file in every folder it is
 * given, to the target's LLVMFuzzerTestOneInput, once each, in name order.
 * CTest runs it over the target's seed corpus and over every input that
 * ever crashed it, so a fixed crash stays fixed in the normal suite (and
 * under AddressSanitizer and valgrind with the rest).
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static int run_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	if (!f) {
		fprintf(stderr, "fuzz driver: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	int failed = !buf || ferror(f);
	fclose(f);
	if (failed) {
		fprintf(stderr, "fuzz driver: cannot read %s\n", path);
		free(buf);
		return 1;
	}
	/* An exact-size copy, so that AddressSanitizer sees a read one byte
	 * past the input as libFuzzer would. */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	fprintf(stderr, "fuzz driver: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir (not starting with '.'), in name order. */
static int run_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fuzz driver: cannot list %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		snprintf(path, len, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			failed |= run_file(path);
			(*count)++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz driver: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
		} else if (S_ISDIR(st.st_mode)) {
			failed |= run_dir(argv[i], &count);
		} else {
			failed |= run_file(argv[i]);
			count++;
		}
	}
	printf("%zu inputs replayed\n", count);
	if (count == 0) {
		fprintf(stderr, "fuzz driver: no input to replay\n");
		return 1;
	}
	return failed;
}
