/* The file helpers of fuzz.h. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[4096];
static char path[4096 + 64];

static void remove_dir(void)
{
	char file[sizeof path];
	static const char *const names[] = {"lab.json", "reservations.json", NULL};
	for (size_t i = 0; names[i]; i++) {
		snprintf(file, sizeof file, "%s/%s", dir, names[i]);
		unlink(file);
	}
	rmdir(dir);
}

const char *fuzz_dir(void)
{
	if (dir[0])
		return dir;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/otto-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("otto fuzz: mkdtemp");
		abort();
	}
	atexit(remove_dir);
	return dir;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	/* The targets open a new backend per input, so no cached parse of
	 * the previous input can be used. */
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("otto fuzz: open");
		abort();
	}
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0) {
			perror("otto fuzz: write");
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
	return path;
}
