/*
 * Writing a lock folder. A new state of a name is a new generation,
 * NAME.lock.<n+1>, written aside, fsynced and linked into place, so it never
 * overwrites anyone's file: in the sticky folder the old owner's file may
 * not even be deletable by us, and the higher generation supersedes it.
 *
 * "Aside" is an unnamed O_TMPFILE where the file system has it, so a writer
 * killed half way leaves nothing behind; elsewhere a named ".tmp." file
 * whose name says who writes it (boot, PID namespace, PID, start time), so
 * that the next writer can tell a dead writer's leftover and remove it.
 */
#include "locks/lock_folder_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_MODE 0644
#define TEMP_PREFIX ".tmp."
/* A named temporary file this old is a leftover whoever wrote it: a
 * record is written in milliseconds. */
#define TEMP_STALE_SECONDS 3600

void otto__folder_record_make(const otto__lock_holder *h, const char *name, otto__lockrec_kind kind, int64_t now,
			      int64_t expiry_seconds, const char *token_hash, otto__lockrec *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->kind = kind;
	snprintf(rec->name, sizeof rec->name, "%s", name);
	snprintf(rec->user, sizeof rec->user, "%s", h->user);
	rec->uid = (int64_t)h->uid;
	snprintf(rec->host, sizeof rec->host, "%s", h->here.host);
	rec->pid = h->pid;
	rec->pid_start = h->pid_start;
	snprintf(rec->boot_id, sizeof rec->boot_id, "%s", h->here.boot_id);
	snprintf(rec->pidns, sizeof rec->pidns, "%s", h->here.pidns);
	rec->taken = now;
	rec->expiry = expiry_seconds > 0 ? now + expiry_seconds : 0;
	snprintf(rec->token_sha256, sizeof rec->token_sha256, "%s", token_hash);
}

/* write(2) until done: a short write is not an error, and its errno would
 * be stale. */
static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fill(otto__folder_store *s, int fd, const char *text, size_t len)
{
	int rc = write_all(fd, text, len);
	if (rc == 0 && fchmod(fd, RECORD_MODE) != 0)
		rc = -errno;
	if (rc == 0 && !s->no_sync && fsync(fd) != 0)
		rc = -errno;
	return rc;
}

/* The O_TMPFILE way: 0 linked, 1 not supported here, or -errno. */
static int publish_unnamed(otto__folder_store *s, const char *text, size_t len, const char *file)
{
	char proc_path[64];
	int fd = openat(s->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, RECORD_MODE);
	int rc;
	if (fd < 0)
		return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL ? 1 : -errno;
	if ((rc = fill(s, fd, text, len)) == 0) {
		snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc_path, s->dirfd, file, AT_SYMLINK_FOLLOW) != 0)
			rc = errno == ENOENT && access("/proc/self/fd", X_OK) != 0 ? 1 : -errno;
	}
	close(fd);
	return rc;
}

static void temp_name(otto__folder_store *s, char *buf, size_t size)
{
	const otto__lock_holder *h = s->holder;
	unsigned char raw[4] = {0};
	if (getrandom(raw, sizeof raw, GRND_NONBLOCK) != (ssize_t)sizeof raw) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(raw, &ts.tv_nsec, sizeof raw);
	}
	/* Whose: the writer is this process (getpid), not the lock's holder. */
	uint64_t start = 0;
	otto__proc_start_time(getpid(), &start);
	snprintf(buf, size, TEMP_PREFIX "%.8s.%s.%ld.%" PRIu64 ".%02x%02x%02x%02x", h->here.boot_id[0] ? h->here.boot_id : "-",
		 h->here.pidns[0] ? h->here.pidns : "-", (long)getpid(), start, raw[0], raw[1], raw[2], raw[3]);
}

static int publish_named(otto__folder_store *s, const char *text, size_t len, const char *file, otto_error *err)
{
	char tmp[128];
	int fd, rc;
	temp_name(s, tmp, sizeof tmp);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, RECORD_MODE);
	if (fd < 0)
		return otto_error_set(err, OTTO_EIO, "cannot create %s/%s: %s", s->dir, tmp, strerror(errno));
	rc = fill(s, fd, text, len);
	close(fd);
	if (rc == 0 && linkat(s->dirfd, tmp, s->dirfd, file, 0) != 0)
		rc = -errno;
	unlinkat(s->dirfd, tmp, 0);
	if (rc != 0)
		return otto_error_set(err, OTTO_EIO, "cannot write lock file %s/%s: %s", s->dir, file, strerror(-rc));
	return OTTO_OK;
}

/* OTTO_LOCK_NO_TMPFILE=1: named temporary files even where O_TMPFILE
 * works (a file system that claims it and then fails; and the tests). */
static bool tmpfile_refused(void)
{
	const char *env = getenv("OTTO_LOCK_NO_TMPFILE");
	return env && strcmp(env, "1") == 0;
}

int otto__folder_publish(otto__folder_store *s, const otto__lockrec *rec, uint64_t gen, otto_error *err)
{
	char text[OTTO__LOCK_RECORD_MAX], file[OTTO__LOCK_FILE_MAX];
	int len = otto__lockrec_format(rec, text, sizeof text);
	if (len < 0)
		return otto_error_set(err, OTTO_ERROR, "lock record for '%s' is too long", rec->name);
	otto__lock_file_name(file, sizeof file, rec->name, gen);
	if (!s->no_tmpfile && !tmpfile_refused()) {
		int rc = publish_unnamed(s, text, (size_t)len, file);
		if (rc == 0)
			return OTTO_OK;
		if (rc < 0)
			return otto_error_set(err, OTTO_EIO, "cannot write lock file %s/%s: %s", s->dir, file,
					      strerror(-rc));
		s->no_tmpfile = true;
	}
	return publish_named(s, text, (size_t)len, file, err);
}

bool otto__folder_drop_below(otto__folder_store *s, const otto__lock_gens *g, uint64_t keep)
{
	bool all_gone = true;
	for (size_t i = 0; g && i < g->count; i++) {
		char file[OTTO__LOCK_FILE_MAX];
		if (g->gens[i] >= keep)
			continue;
		otto__lock_file_name(file, sizeof file, g->name, g->gens[i]);
		if (unlinkat(s->dirfd, file, 0) != 0 && errno != ENOENT)
			all_gone = false;
	}
	return all_gone;
}

int otto__folder_next_gen(otto__folder_store *s, const otto__lock_gens *g, const otto__lock_view *view,
			  uint64_t *gen, otto_error *err)
{
	char owner[128];
	*gen = 0;
	if (view->gen < OTTO__LOCK_GEN_MAX) {
		*gen = view->gen + 1;
		return OTTO_OK;
	}
	/* No generation above the last: start again at 1, which only works
	 * when nothing of the name is left to outrank it. */
	if (otto__folder_drop_below(s, g, OTTO__LOCK_GEN_MAX + 1)) {
		*gen = 1;
		return OTTO_OK;
	}
	if (view->owner >= 0)
		otto__user_name_of((uid_t)view->owner, owner, sizeof owner);
	else
		snprintf(owner, sizeof owner, "its owner");
	return otto_error_set(err, OTTO_EIO,
			      "lock '%s' is at its last generation (%s/%s) and its files cannot all be deleted by you: "
			      "root, %s or the folder's owner can clear it with 'otto lock release --force %s'",
			      view->rec.name, s->dir, view->file, owner, view->rec.name);
}

/* ".tmp.BOOT8.PIDNS.PID.START.RAND": is its writer known to be dead? */
static bool temp_writer_dead(const otto__folder_store *s, const char *tmp)
{
	char boot[16], pidns[24];
	long pid;
	uint64_t start, now_start;
	const otto__lock_here *here = &s->holder->here;
	if (sscanf(tmp, TEMP_PREFIX "%15[^.].%23[^.].%ld.%" SCNu64 ".", boot, pidns, &pid, &start) != 4)
		return false;
	if (strcmp(boot, "-") == 0 || !here->boot_id[0])
		return false; /* which boot is unknown: only its age tells */
	if (strncmp(boot, here->boot_id, strlen(boot)) != 0)
		return true; /* written before this boot */
	if (strcmp(pidns, here->pidns) != 0 || !here->proc_ours)
		return false;
	int rc = otto__proc_start_time(pid, &now_start);
	return rc == -ESRCH || (rc == -ENOENT && kill((pid_t)pid, 0) != 0 && errno == ESRCH) ||
	       (rc == 0 && now_start != start);
}

void otto__folder_clean_temps(otto__folder_store *s, const otto__lock_dirscan *scan)
{
	time_t now = time(NULL);
	for (size_t i = 0; i < scan->n_temps; i++) {
		const char *tmp = scan->temps[i];
		struct stat st;
		if (fstatat(s->dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		/* Only what this user may remove anyway: its own, or all for root. */
		if (s->uid != 0 && st.st_uid != s->uid)
			continue;
		if (temp_writer_dead(s, tmp) || now - st.st_mtime > TEMP_STALE_SECONDS)
			unlinkat(s->dirfd, tmp, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	}
}
