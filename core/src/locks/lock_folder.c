/*
 * The lock folder: shared by every local user, so it is world-writable, and
 * sticky so that nobody can delete or rename over a file that is not theirs.
 */
#include "locks/locks.h"
#include "util/util.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_FOLDER_MODE 01777

static int check_existing(const char *dir, const struct stat *st, otto_error *err)
{
	if (!S_ISDIR(st->st_mode))
		return otto_error_set(err, OTTO_EIO, "lock folder %s exists but is not a folder", dir);
	if (access(dir, W_OK | X_OK) != 0)
		return otto_error_set(err, OTTO_EIO, "lock folder %s is not writable by this user: %s", dir,
				      strerror(errno));
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX))
		return otto_error_set(err, OTTO_EIO,
				      "lock folder %s is writable by others but not sticky, so anyone could delete "
				      "anyone's locks (fix: chmod +t %s)",
				      dir, dir);
	return OTTO_OK;
}

int otto__lock_folder_prepare(const char *dir, otto_error *err)
{
	struct stat st;
	if (stat(dir, &st) == 0)
		return check_existing(dir, &st, err);
	if (errno != ENOENT)
		return otto_error_set(err, OTTO_EIO, "lock folder %s: %s", dir, strerror(errno));
	if (mkdir(dir, 0700) != 0) {
		if (errno == EEXIST && stat(dir, &st) == 0)
			return check_existing(dir, &st, err); /* another process made it first */
		return otto_error_set(err, OTTO_EIO, "cannot create lock folder %s: %s", dir, strerror(errno));
	}
	/* mkdir's mode passes through the umask; chmod does not. */
	if (chmod(dir, LOCK_FOLDER_MODE) != 0)
		return otto_error_set(err, OTTO_EIO, "cannot make lock folder %s shared (mode 1777): %s", dir,
				      strerror(errno));
	return OTTO_OK;
}
