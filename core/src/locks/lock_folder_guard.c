/*
 * NAME.guard: every change to NAME happens under flock(2) on it. Anyone can
 * open it (it must be readable by all for that), so anyone can also hold
 * it: the wait for it has a deadline, and LOCK_NB polling is the only way
 * to give flock(2) one without signals (a library must not own SIGALRM).
 * Polling is unfair under heavy contention, so at the deadline the holder
 * is looked up in /proc/locks: a guard passed from holder to holder is
 * busy, not stuck, and is waited for a while longer (up to a cap); one
 * process keeping it all along is named in the error.
 * The guard is opened non-blocking and checked before it is locked: a FIFO,
 * a symbolic link or a device in its place makes the name corrupt, never a
 * hang, and `--force` by someone allowed to delete it (its owner, the
 * folder's owner, root) clears it.
 */
#include "locks/lock_folder_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define GUARD_MODE 0644
#define OPEN_ATTEMPTS 10

static void guard_file(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s.guard", name);
}

static void describe_bad(otto__lock_view *bad, const char *name, const char *file, int64_t owner, const char *why)
{
	memset(bad, 0, sizeof *bad);
	bad->state = OTTO_LOCK_CORRUPT;
	bad->owner = owner;
	snprintf(bad->rec.name, sizeof bad->rec.name, "%s", name);
	snprintf(bad->file, sizeof bad->file, "%s", file);
	snprintf(bad->why, sizeof bad->why, "%s", why);
}

static const char *kind_of(mode_t mode)
{
	return S_ISREG(mode) ? "a regular file" : S_ISFIFO(mode)   ? "a FIFO"
	       : S_ISLNK(mode)  ? "a symbolic link"
	       : S_ISDIR(mode)  ? "a folder"
	       : S_ISSOCK(mode) ? "a socket"
	       : S_ISCHR(mode)  ? "a character device"
	       : S_ISBLK(mode)  ? "a block device"
				: "not a regular file";
}

/* Open (or create) the guard without blocking. OTTO_OK with *fd, or with
 * *fd -1 and `bad` filled; OTTO_EIO for folder trouble. */
static int open_guard(otto__folder_store *s, const char *name, int *fd_out, otto__lock_view *bad, otto_error *err)
{
	char file[OTTO__LOCK_FILE_MAX], why[160];
	struct stat st;
	int fd = -1;

	*fd_out = -1;
	guard_file(file, sizeof file, name);
	/* Open before create: with fs.protected_regular, O_CREAT on another
	 * user's file in a sticky folder fails even when it exists. */
	for (int attempt = 0; fd < 0 && attempt < OPEN_ATTEMPTS; attempt++) {
		fd = openat(s->dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		fd = openat(s->dirfd, file, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, GUARD_MODE);
		if (fd >= 0)
			fchmod(fd, GUARD_MODE); /* whatever the umask, everybody must be able to open it */
		else if (errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int e = errno;
		if (fstatat(s->dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (!S_ISREG(st.st_mode))
				snprintf(why, sizeof why, "its guard is %s, not a regular file", kind_of(st.st_mode));
			else
				snprintf(why, sizeof why, "its guard cannot be opened (%s)", strerror(e));
			describe_bad(bad, name, file, st.st_uid, why);
			return OTTO_OK;
		}
		return otto_error_set(err, OTTO_EIO, "cannot open lock guard %s/%s: %s", s->dir, file, strerror(e));
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return otto_error_set(err, OTTO_EIO, "cannot read lock guard %s/%s: %s", s->dir, file, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, sizeof why, "its guard is %s, not a regular file", kind_of(st.st_mode));
		describe_bad(bad, name, file, st.st_uid, why);
		return OTTO_OK;
	}
	*fd_out = fd;
	return OTTO_OK;
}

/* The process holding flock(2) on the file `st` describes, from
 * /proc/locks; 0 when /proc does not say (no /proc, another namespace). */
static pid_t flock_holder(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	pid_t pid = 0;
	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof line, f)) {
		/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; waiters say "->". */
		char type[16];
		long p;
		unsigned maj, min;
		unsigned long ino;
		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%lu", type, &p, &maj, &min, &ino) != 5)
			continue;
		if (strcmp(type, "FLOCK") == 0 && maj == major(st->st_dev) && min == minor(st->st_dev) &&
		    ino == (unsigned long)st->st_ino)
			pid = (pid_t)p;
	}
	fclose(f);
	return pid;
}

static int stuck(otto__folder_store *s, const char *name, pid_t holder, otto_error *err)
{
	char path[64], comm[64] = "?";
	if (!holder)
		return otto_error_set(err, OTTO_EIO,
				      "gave up waiting for lock guard %s/%s.guard: another process keeps it locked with "
				      "flock(2) (a stuck otto, or someone holding it on purpose)",
				      s->dir, name);
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)holder);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof comm, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	return otto_error_set(err, OTTO_EIO,
			      "gave up waiting for lock guard %s/%s.guard: process %ld (%s) keeps it locked with flock(2) "
			      "(a stuck otto, or someone holding it on purpose)",
			      s->dir, name, (long)holder, comm);
}

int otto__folder_guard_lock(otto__folder_store *s, const char *name, int64_t deadline_ms, int *fd_out,
			    otto__lock_view *bad, otto_error *err)
{
	int fd, rc;
	long pause_us = 500;
	struct stat st;
	pid_t holder = 0;
	int64_t give_up = deadline_ms, cap = deadline_ms + OTTO__LOCK_GUARD_BUSY_MAX_MS;
	bool waiting = false;

	*fd_out = -1;
	memset(bad, 0, sizeof *bad);
	if ((rc = open_guard(s, name, &fd, bad, err)) != OTTO_OK || fd < 0)
		return rc;
	if (fstat(fd, &st) != 0)
		memset(&st, 0, sizeof st);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		int e = errno;
		if (e == EINTR)
			continue;
		if (e != EWOULDBLOCK) {
			close(fd);
			return otto_error_set(err, OTTO_EIO, "cannot flock lock guard %s/%s.guard: %s", s->dir, name,
					      strerror(e));
		}
		if (!waiting) {
			holder = flock_holder(&st);
			waiting = true;
		}
		int64_t now = otto__monotonic_ms();
		if (now >= give_up) {
			/* Busy with others coming and going is progress: wait on, up to
			 * a cap. One holder all the while is a guard kept on purpose. */
			pid_t current = flock_holder(&st);
			if (current && holder && current != holder && now < cap) {
				holder = current;
				give_up = now + OTTO__LOCK_GUARD_GRACE_MS;
				continue;
			}
			close(fd);
			return stuck(s, name, current ? current : holder, err);
		}
		struct timespec ts = {0, pause_us * 1000};
		nanosleep(&ts, NULL);
		if (pause_us < 16000)
			pause_us *= 2;
	}
	*fd_out = fd;
	return OTTO_OK;
}

int otto__folder_guard_remove(otto__folder_store *s, const otto__lock_view *bad, otto_error *err)
{
	char owner[128];
	if (unlinkat(s->dirfd, bad->file, 0) == 0 || errno == ENOENT)
		return OTTO_OK;
	if (errno == EISDIR && unlinkat(s->dirfd, bad->file, AT_REMOVEDIR) == 0)
		return OTTO_OK;
	int e = errno;
	if (bad->owner >= 0)
		otto__user_name_of((uid_t)bad->owner, owner, sizeof owner);
	else
		snprintf(owner, sizeof owner, "its owner");
	return otto_error_set(err, OTTO_EIO, "cannot remove %s/%s (%s): only root, %s or the folder's owner can", s->dir,
			      bad->file, strerror(e), owner);
}
