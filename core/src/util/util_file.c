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

/* Read fd to its end into a new buffer (NUL-terminated), never more than
 * one byte past `cap`: 0, -1 with errno, or -2 when the file holds more
 * than cap. The size is a hint (the file may grow or shrink meanwhile). */
static int read_capped(int fd, size_t hint, size_t cap, char **out, size_t *len)
{
	size_t n = 0, alloc = (hint > cap ? cap : hint) + 1;
	char *buf = otto__malloc(alloc + 1);
	*out = NULL;
	*len = 0;
	for (;;) {
		if (n == alloc) {
			if (alloc > cap) {
				free(buf);
				return -2;
			}
			alloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
			buf = otto__realloc(buf, alloc + 1);
		}
		ssize_t got = read(fd, buf + n, alloc - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > cap) {
		free(buf);
		return -2;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
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
	int got = read_capped(fd, (size_t)st.st_size, cap, &buf, &n);
	if (got == -2) {
		rc = too_large(err, code, what, path, cap);
		goto done;
	}
	if (got < 0) {
		rc = otto_error_set(err, code, "cannot read %s %s: %s", what, path, strerror(errno));
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

int otto__read_private_file(const char *path, size_t cap, char **data, size_t *len, char *why, size_t why_size)
{
	*data = NULL;
	*len = 0;
	/* O_NOFOLLOW: a symlink is refused, whatever it points to; O_NONBLOCK:
	 * a FIFO does not block the open (and is refused on the descriptor). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		snprintf(why, why_size, "%s", e == ELOOP ? "it is a symbolic link" : strerror(e));
		return e == ENOENT ? 1 : -1;
	}
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) != 0)
		snprintf(why, why_size, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(why, why_size, "it is %s, not a regular file", kind_name(st.st_mode));
	else if (st.st_uid != geteuid())
		snprintf(why, why_size, "it belongs to uid %lu, not to uid %lu", (unsigned long)st.st_uid,
			 (unsigned long)geteuid());
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		snprintf(why, why_size, "other users may write to it (mode %04o)", (unsigned)(st.st_mode & 07777));
	else if ((unsigned long long)st.st_size > cap)
		snprintf(why, why_size, "it is larger than %zu bytes", cap);
	else {
		int got = read_capped(fd, (size_t)st.st_size, cap, data, len);
		if (got == -2)
			snprintf(why, why_size, "it is larger than %zu bytes", cap);
		else if (got < 0)
			snprintf(why, why_size, "%s", strerror(errno));
		else
			rc = 0;
	}
	close(fd);
	return rc;
}
