/*
 * Waiting for a name in the lock folder to change (acquire --wait). A lock
 * frees up in one of three ways, and each has an event: its record is
 * deleted or superseded (inotify on the folder, filtered to NAME.lock.*),
 * its holder dies (a pidfd, when the holder is a process of this PID
 * namespace), or it expires (a timeout at its expiry). The caller retries
 * after any of them. Each wait is capped at one second all the same, for
 * what has no event: a holder whose liveness cannot be seen from here, a
 * network file system that does not report others' changes.
 */
#include "locks/lock_folder_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WAIT_SLICE_MS 1000

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* A pidfd for the holder in the way, or -1 when there is none to watch.
 * *gone when the holder is already dead (or its PID was reused). */
static int holder_pidfd(const otto__lock_view *v, const otto__lock_eval *ev, bool *gone)
{
	uint64_t start;
	*gone = false;
	if (v->state != OTTO_LOCK_HELD || otto__lockrec_liveness(&v->rec, ev) != OTTO__HOLDER_ALIVE)
		return -1;
	int fd = pidfd_of((pid_t)v->rec.pid);
	if (fd < 0)
		return -1;
	/* The PID may have been reused between the check and the open. */
	if (otto__proc_start_time(v->rec.pid, &start) != 0 || start != v->rec.pid_start) {
		close(fd);
		*gone = true;
		return -1;
	}
	return fd;
}

/* True when an inotify event in buf names a record of `name`. */
static bool names_record(const char *buf, ssize_t len, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = buf; p < buf + len;) {
		const struct inotify_event *e = (const struct inotify_event *)p;
		if (e->mask & IN_Q_OVERFLOW)
			return true;
		if (e->len && strncmp(e->name, name, n) == 0 && strncmp(e->name + n, ".lock.", 6) == 0)
			return true;
		p += sizeof *e + e->len;
	}
	return false;
}

/* The record we ran into is gone, or a newer one exists: the change came
 * before the watch did. */
static bool changed_already(const otto__folder_store *s, const otto__lock_view *v)
{
	char next[OTTO__LOCK_FILE_MAX];
	struct stat st;
	if (v->gen == 0)
		return false;
	if (fstatat(s->dirfd, v->file, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return true;
	otto__lock_file_name(next, sizeof next, v->rec.name, v->gen + 1);
	return fstatat(s->dirfd, next, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void otto__folder_wait(void *store, const char *name, const otto__lock_eval *ev, int64_t deadline_ms)
{
	otto__folder_store *s = store;
	const otto__lock_view *v = s->has_in_way && strcmp(s->in_way.rec.name, name) == 0 ? &s->in_way : NULL;
	char path[64];
	int64_t now = otto__monotonic_ms(), end = deadline_ms;
	int ifd = -1, pfd = -1;
	bool gone = false;

	if (end > now + WAIT_SLICE_MS)
		end = now + WAIT_SLICE_MS;
	if (v && v->state == OTTO_LOCK_HELD && v->rec.expiry > ev->now) {
		int64_t at_expiry = now + (v->rec.expiry - ev->now) * 1000;
		if (at_expiry < end)
			end = at_expiry;
	}
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(path, sizeof path, "/proc/self/fd/%d", s->dirfd);
	if (ifd >= 0 && inotify_add_watch(ifd, path, IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR) < 0) {
		close(ifd);
		ifd = -1;
	}
	if (v)
		pfd = holder_pidfd(v, ev, &gone);
	if (gone || (v && ifd >= 0 && changed_already(s, v)))
		goto done;
	while ((now = otto__monotonic_ms()) < end) {
		struct pollfd fds[2];
		nfds_t n = 0;
		if (ifd >= 0)
			fds[n++] = (struct pollfd){.fd = ifd, .events = POLLIN};
		if (pfd >= 0)
			fds[n++] = (struct pollfd){.fd = pfd, .events = POLLIN};
		int r = poll(fds, n, (int)(end - now));
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (pfd >= 0 && (fds[n - 1].revents & POLLIN))
			break; /* the holder died */
		if (ifd >= 0 && (fds[0].revents & POLLIN)) {
			char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
			ssize_t len = read(ifd, buf, sizeof buf);
			if (len > 0 && names_record(buf, len, name))
				break;
		}
	}
done:
	if (ifd >= 0)
		close(ifd);
	if (pfd >= 0)
		close(pfd);
}
