/*
 * Reading a whole data file (settings) without trusting what is at the
 * path. A FIFO blocks open() and read() forever, a character device such
 * as /dev/zero never ends, and opening some devices has side effects; a
 * file can also be swapped between a check and its use. So: only regular
 * files, judged before opening (lstat follows no link, stat the target),
 * opened without blocking, judged again on the descriptor, and read up to
 * a size cap, past which the file is refused rather than read until memory
 * runs out. Running out of memory aborts (util.h), so a short read is never
 * mistaken for the end of the file.
 */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "something else";
}

void otto__size_text(char *buf, size_t size, size_t bytes)
{
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
		snprintf(buf, size, "%zu MiB", bytes / (1024 * 1024));
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, size, "%zu KiB", bytes / 1024);
	else
		snprintf(buf, size, "%zu bytes", bytes);
}

static int refuse_kind(otto_error *err, int code, const char *what, const char *path, mode_t mode)
{
	return otto_error_set(err, code, "cannot read %s %s: it is %s, not a regular file", what, path,
			      kind_name(mode));
}

static int too_large(otto_error *err, int code, const char *what, const char *path, size_t cap)
{
	char limit[32];
	otto__size_text(limit, sizeof limit, cap);
	return otto_error_set(err, code, "cannot read %s %s: it is larger than %s, the most a %s may hold", what, path,
			      limit, what);
}

int otto__read_regular_file(const char *path, const char *what, size_t cap, int code, char **text, size_t *len,
			    otto_error *err)
{
	struct stat before, st;
	char *buf = NULL;
	size_t n = 0;
	int fd = -1, rc = OTTO_OK;
	*text = NULL;
	*len = 0;
	if (stat(path, &before) != 0)
		return otto_error_set(err, code, "cannot read %s %s: %s", what, path, strerror(errno));
	if (!S_ISREG(before.st_mode))
		return refuse_kind(err, code, what, path, before.st_mode);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return otto_error_set(err, code, "cannot read %s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = otto_error_set(err, code, "cannot read %s %s: %s", what, path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = refuse_kind(err, code, what, path, st.st_mode);
		goto done;
	}
	if (st.st_dev != before.st_dev || st.st_ino != before.st_ino) {
		rc = otto_error_set(err, code, "cannot read %s %s: it was replaced while otto opened it; try again",
				    what, path);
		goto done;
	}
	if ((unsigned long long)st.st_size > cap) {
		rc = too_large(err, code, what, path, cap);
		goto done;
	}
	/* The size is a hint (the file may grow): read until the end, but
	 * never more than one byte past the cap. */
	size_t alloc = (size_t)st.st_size + 1;
	buf = otto__malloc(alloc + 1);
	for (;;) {
		if (n == alloc) {
			if (alloc > cap) {
				rc = too_large(err, code, what, path, cap);
				goto done;
			}
			alloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
			buf = otto__realloc(buf, alloc + 1);
		}
		ssize_t got = read(fd, buf + n, alloc - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = otto_error_set(err, code, "cannot read %s %s: %s", what, path, strerror(errno));
			goto done;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > cap) {
		rc = too_large(err, code, what, path, cap);
		goto done;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
done:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}
