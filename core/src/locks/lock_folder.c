/*
 * The lock folder: shared by every local user, so it is world-writable and
 * sticky, so that nobody can delete or rename over a file that is not
 * theirs. Whoever owns the folder can, though, and whoever controls a
 * symbolic link on its path can point us at another folder; so the folder
 * is trusted before it is used (util/path_trust.h): reached through no link
 * another user could retarget, owned by root or this user, sticky if
 * others can write it. It is opened once; every later step works relative
 * to that descriptor with O_NOFOLLOW, so a path swapped afterwards changes
 * nothing.
 */
#include "locks/locks.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_FOLDER_MODE 01777

/* "lock folder D: D: No such file" says D twice: once is enough. */
static const char *after_dir(const char *dir, const char *why)
{
	size_t n = strlen(dir);
	return strncmp(why, dir, n) == 0 && why[n] == ':' && why[n + 1] == ' ' ? why + n + 2 : why;
}

/* Open the trusted folder the walk found (pathfd, O_PATH) for use. */
static int open_checked(const char *dir, int pathfd, const struct stat *st, const char *real, uid_t uid,
			int *fd_out, otto_error *err)
{
	char why[1024];
	if (otto__trust_check_folder(real, st, uid, why, sizeof why) != 0)
		return otto_error_set(err, OTTO_EIO, "refusing lock folder %s: %s", dir, why);
	int fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return otto_error_set(err, OTTO_EIO, "cannot open lock folder %s: %s", dir, strerror(errno));
	if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
		int e = errno;
		close(fd);
		return otto_error_set(err, OTTO_EIO, "lock folder %s is not writable by this user: %s", dir, strerror(e));
	}
	*fd_out = fd;
	return OTTO_OK;
}

/* The missing folder `dir`: make it in its (trusted) parent, ours and 01777. */
static int create(const char *dir, uid_t uid, int *fd_out, bool *raced, otto_error *err)
{
	char parent[PATH_MAX], why[1024];
	struct stat st;
	int pfd = -1, fd = -1, rc;

	*raced = false;
	if ((size_t)snprintf(parent, sizeof parent, "%s", dir) >= sizeof parent)
		return otto_error_set(err, OTTO_EIO, "lock folder %s: the path is too long", dir);
	size_t n = strlen(parent);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	char *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : parent;
	char base_copy[NAME_MAX + 1];
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strlen(base) > NAME_MAX)
		return otto_error_set(err, OTTO_EIO, "cannot create lock folder %s: not a folder name", dir);
	memcpy(base_copy, base, strlen(base) + 1); /* at most NAME_MAX, checked above */
	if (!slash)
		snprintf(parent, sizeof parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';

	rc = otto__path_trust_walk(parent, uid, OTTO__TRUST_SYMLINKS, &pfd, &st, NULL, why, sizeof why);
	if (rc < 0)
		return otto_error_set(err, OTTO_EIO, "cannot create lock folder %s: %s", dir, why);
	if (rc > 0)
		return otto_error_set(err, OTTO_EIO, "refusing lock folder %s: %s", dir, why);
	if (mkdirat(pfd, base_copy, 0700) != 0) {
		int e = errno;
		if (e == EEXIST && fstatat(pfd, base_copy, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			close(pfd);
			return otto_error_set(err, OTTO_EIO, "lock folder %s is a symbolic link to a missing folder", dir);
		}
		if (e == EEXIST) {
			close(pfd);
			*raced = true; /* another process made it first: check it as found */
			return OTTO_OK;
		}
		close(pfd);
		return otto_error_set(err, OTTO_EIO, "cannot create lock folder %s: %s", dir, strerror(e));
	}
	fd = openat(pfd, base_copy, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = otto_error_set(err, OTTO_EIO, "cannot open the new lock folder %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		rc = otto_error_set(err, OTTO_EIO, "refusing lock folder %s: it was replaced while being created", dir);
		goto fail;
	}
	/* mkdir's mode passes through the umask; fchmod does not. */
	if (fchmod(fd, LOCK_FOLDER_MODE) != 0) {
		rc = otto_error_set(err, OTTO_EIO, "cannot make lock folder %s shared (mode 1777): %s", dir,
				    strerror(errno));
		goto fail;
	}
	*fd_out = fd;
	return OTTO_OK;
fail:
	if (fd >= 0)
		close(fd);
	return rc;
}

int otto__lock_folder_open(const char *dir, uid_t uid, int *fd_out, otto_error *err)
{
	char why[1024], real[PATH_MAX];
	struct stat st;
	int pathfd = -1, rc;

	*fd_out = -1;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = otto__path_trust_walk(dir, uid, OTTO__TRUST_SYMLINKS, &pathfd, &st, real, why, sizeof why);
		if (rc == 0) {
			rc = open_checked(dir, pathfd, &st, real, uid, fd_out, err);
			close(pathfd);
			return rc;
		}
		if (rc > 0)
			return otto_error_set(err, OTTO_EIO, "refusing lock folder %s: %s", dir, why);
		if (rc != -ENOENT)
			return otto_error_set(err, OTTO_EIO, "lock folder %s: %s", dir, after_dir(dir, why));
		bool raced;
		rc = create(dir, uid, fd_out, &raced, err);
		if (rc != OTTO_OK || !raced)
			return rc;
	}
	return otto_error_set(err, OTTO_EIO, "lock folder %s keeps changing while being opened", dir);
}
