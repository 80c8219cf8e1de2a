/*
 * The lock manager. Every change to a name happens under flock(2) on its
 * guard file, after re-reading the current generation; a new state is a new
 * generation (NAME.lock.<n+1>), written aside, fsynced and linked into place,
 * so it never overwrites anyone's file: in the sticky folder the old owner's
 * file may not even be deletable by us, and the higher generation supersedes
 * it. Superseded files are deleted by whoever is allowed to.
 */
#include "locks/lock_file.h"
#include "locks/locks.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert((int)OTTO_LOCK_HELD == OTTO__LOCK_HELD && (int)OTTO_LOCK_CORRUPT == OTTO__LOCK_CORRUPT &&
		       (int)OTTO_LOCK_STALE == OTTO__LOCK_STALE && (int)OTTO_LOCK_EXPIRED == OTTO__LOCK_EXPIRED,
	       "lock states must match");

typedef struct held_lock {
	char *name;
	char token[33];
} held_lock;

struct otto_lock_manager {
	char *dir;
	int dirfd;
	bool check_pid;
	bool no_sync;
	char user[64];
	uid_t uid;
	pid_t holder_pid;
	uint64_t holder_start;
	char host[256];
	char boot_id[40];
	otto_lock_clock_fn clock;
	void *clock_ctx;
	held_lock *held;
	size_t n_held, cap_held;
};

static int64_t now(const otto_lock_manager *m)
{
	return m->clock ? m->clock(m->clock_ctx) : (int64_t)time(NULL);
}

static otto__lock_eval eval_of(const otto_lock_manager *m)
{
	otto__lock_eval ev = {m->check_pid, now(m), m->host, m->boot_id};
	return ev;
}

OTTO_API int otto_lock_manager_new(otto_lock_manager **out, const otto_lock_options *opts, otto_error *err)
{
	otto_lock_options defaults;
	otto_lock_manager *m;
	char *user;
	int rc;

	*out = NULL;
	if (!opts) {
		otto_lock_options_init(&defaults);
		opts = &defaults;
	}
	m = otto__calloc(1, sizeof *m);
	m->dirfd = -1;
	m->dir = otto__strdup(opts->dir ? opts->dir : OTTO_LOCK_DEFAULT_DIR);
	m->check_pid = opts->check_pid;
	m->no_sync = opts->no_sync;
	m->clock = opts->clock;
	m->clock_ctx = opts->clock_ctx;
	m->uid = geteuid();
	m->holder_pid = opts->holder_pid ? opts->holder_pid : getpid();
	otto__host_name(m->host, sizeof m->host);
	otto__boot_id(m->boot_id, sizeof m->boot_id);

	user = opts->user ? otto__strdup(opts->user) : otto_current_user(NULL);
	if (!user || !user[0] || strlen(user) >= sizeof m->user || strpbrk(user, "\n=")) {
		rc = otto_error_set(err, OTTO_EINVALID, "cannot record '%s' as a lock holder's user name",
				    user ? user : "");
		free(user);
		goto fail;
	}
	snprintf(m->user, sizeof m->user, "%s", user);
	free(user);
	if (otto__proc_start_time(m->holder_pid, &m->holder_start) != 0) {
		rc = otto_error_set(err, OTTO_EINVALID, "cannot read the start time of holder process %ld from /proc",
				    (long)m->holder_pid);
		goto fail;
	}
	rc = otto__lock_folder_prepare(m->dir, err);
	if (rc != OTTO_OK)
		goto fail;
	m->dirfd = open(m->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->dirfd < 0) {
		rc = otto_error_set(err, OTTO_EIO, "cannot open lock folder %s: %s", m->dir, strerror(errno));
		goto fail;
	}
	*out = m;
	return OTTO_OK;
fail:
	free(m->dir);
	free(m);
	return rc;
}

OTTO_API const char *otto_lock_manager_dir(const otto_lock_manager *m)
{
	return m->dir;
}

static void forget_all(otto_lock_manager *m)
{
	for (size_t i = 0; i < m->n_held; i++)
		free(m->held[i].name);
	free(m->held);
	m->held = NULL;
	m->n_held = m->cap_held = 0;
}

OTTO_API void otto_lock_manager_detach(otto_lock_manager *m)
{
	if (m)
		forget_all(m);
}

OTTO_API void otto_lock_manager_free(otto_lock_manager *m)
{
	if (!m)
		return;
	otto_lock_manager_release_all(m, NULL);
	forget_all(m);
	if (m->dirfd >= 0)
		close(m->dirfd);
	free(m->dir);
	free(m);
}

/* ---------------------------------------------------------- held list -- */

static held_lock *find_held(otto_lock_manager *m, const char *name)
{
	for (size_t i = 0; i < m->n_held; i++)
		if (strcmp(m->held[i].name, name) == 0)
			return &m->held[i];
	return NULL;
}

static void remember(otto_lock_manager *m, const char *name, const char *token)
{
	held_lock *h = find_held(m, name);
	if (!h) {
		if (m->n_held == m->cap_held) {
			m->cap_held = m->cap_held ? m->cap_held * 2 : 4;
			m->held = otto__realloc(m->held, m->cap_held * sizeof *m->held);
		}
		h = &m->held[m->n_held++];
		h->name = otto__strdup(name);
	}
	memcpy(h->token, token, sizeof h->token);
}

static void forget(otto_lock_manager *m, const char *name)
{
	held_lock *h = find_held(m, name);
	if (!h)
		return;
	free(h->name);
	*h = m->held[--m->n_held];
}

/* ------------------------------------------------------------- guard -- */

static int guard_lock(otto_lock_manager *m, const char *name, int *fd_out, otto_error *err)
{
	char file[OTTO__LOCK_NAME_MAX + 16];
	int fd = -1;

	snprintf(file, sizeof file, "%s.guard", name);
	/* Open before create: with fs.protected_regular, O_CREAT on another
	 * user's file in a sticky folder fails even when it exists. */
	for (int attempt = 0; fd < 0 && attempt < 10; attempt++) {
		fd = openat(m->dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		fd = openat(m->dirfd, file, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			fchmod(fd, 0644); /* whatever the umask, everybody must be able to open it */
		else if (errno != EEXIST)
			break;
	}
	if (fd < 0)
		return otto_error_set(err, OTTO_EIO, "cannot open lock guard %s/%s: %s", m->dir, file,
				      strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return otto_error_set(err, OTTO_EIO, "cannot flock lock guard %s/%s: %s", m->dir, file,
					      strerror(e));
		}
	}
	*fd_out = fd;
	return OTTO_OK;
}

/* ------------------------------------------------------------ records -- */

static int new_token(char token[33], otto_error *err)
{
	unsigned char raw[16];
	size_t got = 0;
	while (got < sizeof raw) {
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return otto_error_set(err, OTTO_EIO, "getrandom: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	return OTTO_OK;
}

static int make_record(otto_lock_manager *m, const char *name, otto__lockrec_kind kind, int64_t expiry_seconds,
		       otto__lockrec *rec, otto_error *err)
{
	memset(rec, 0, sizeof *rec);
	rec->kind = kind;
	snprintf(rec->name, sizeof rec->name, "%s", name);
	snprintf(rec->user, sizeof rec->user, "%s", m->user);
	rec->uid = (int64_t)m->uid;
	snprintf(rec->host, sizeof rec->host, "%s", m->host);
	rec->pid = m->holder_pid;
	rec->pid_start = m->holder_start;
	snprintf(rec->boot_id, sizeof rec->boot_id, "%s", m->boot_id);
	rec->taken = now(m);
	rec->expiry = expiry_seconds > 0 ? rec->taken + expiry_seconds : 0;
	return new_token(rec->token, err);
}

/* Write the record aside, then link it as generation `gen` (never replaces). */
static int publish(otto_lock_manager *m, const otto__lockrec *rec, uint64_t gen, otto_error *err)
{
	char text[OTTO__LOCK_RECORD_MAX], tmp[64], file[OTTO__LOCK_NAME_MAX + 32];
	int len = otto__lockrec_format(rec, text, sizeof text);
	int fd, rc = OTTO_OK;

	if (len < 0)
		return otto_error_set(err, OTTO_ERROR, "lock record for '%s' is too long", rec->name);
	otto__lock_file_name(file, sizeof file, rec->name, gen);
	snprintf(tmp, sizeof tmp, ".tmp.%ld.%.8s", (long)getpid(), rec->token);
	fd = openat(m->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return otto_error_set(err, OTTO_EIO, "cannot create %s/%s: %s", m->dir, tmp, strerror(errno));
	if (fchmod(fd, 0644) != 0 || write(fd, text, (size_t)len) != len || (!m->no_sync && fsync(fd) != 0))
		rc = otto_error_set(err, OTTO_EIO, "cannot write %s/%s: %s", m->dir, tmp, strerror(errno));
	close(fd);
	if (rc == OTTO_OK && linkat(m->dirfd, tmp, m->dirfd, file, 0) != 0)
		rc = otto_error_set(err, OTTO_EIO, "cannot create lock file %s/%s: %s", m->dir, file,
				    strerror(errno));
	unlinkat(m->dirfd, tmp, 0);
	return rc;
}

/* Delete the generations below `keep` that we may delete; true when none
 * are left (the others belong to users the sticky bit protects). */
static bool drop_superseded(otto_lock_manager *m, const otto__lock_gens *g, uint64_t keep)
{
	bool all_gone = true;
	for (size_t i = 0; g && i < g->count; i++) {
		char file[OTTO__LOCK_NAME_MAX + 32];
		if (g->gens[i] >= keep)
			continue;
		otto__lock_file_name(file, sizeof file, g->name, g->gens[i]);
		if (unlinkat(m->dirfd, file, 0) != 0 && errno != ENOENT)
			all_gone = false;
	}
	return all_gone;
}

static void info_from_view(otto_lock_manager *m, const otto__lock_view *v, otto_lock_info *info)
{
	if (!info)
		return;
	memset(info, 0, sizeof *info);
	info->name = otto__strdup(v->rec.name);
	info->state = (otto_lock_state)v->state;
	info->path = v->gen ? otto__asprintf("%s/%s", m->dir, v->file) : NULL;
	if (v->state == OTTO__LOCK_CORRUPT) {
		info->problem = otto__strdup(v->why);
		return;
	}
	if (v->gen == 0)
		return;
	info->user = otto__strdup(v->rec.user);
	info->uid = v->rec.uid;
	info->host = otto__strdup(v->rec.host);
	info->pid = v->rec.pid;
	info->taken = v->rec.taken;
	info->expiry = v->rec.expiry;
}

OTTO_API void otto_lock_info_clear(otto_lock_info *info)
{
	if (!info)
		return;
	free(info->name);
	free(info->path);
	free(info->problem);
	free(info->user);
	free(info->host);
	memset(info, 0, sizeof *info);
}

OTTO_API void otto_lock_list_free(otto_lock_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		otto_lock_info_clear(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* Under the guard: the generations of `name` and its current state. */
static int read_current(otto_lock_manager *m, const char *name, otto__lock_dirscan *scan, const otto__lock_gens **g,
			otto__lock_view *view, otto_error *err)
{
	otto__lock_eval ev = eval_of(m);
	int rc = otto__lock_dirscan_read(m->dirfd, m->dir, name, scan, err);
	if (rc != OTTO_OK)
		return rc;
	*g = otto__lock_dirscan_find(scan, name);
	memset(view, 0, sizeof *view);
	view->state = OTTO__LOCK_FREE;
	snprintf(view->rec.name, sizeof view->rec.name, "%s", name);
	if (*g) {
		uint64_t gen = (*g)->gens[(*g)->count - 1];
		rc = otto__lock_view_of(m->dirfd, name, gen, &ev, view);
		if (rc < 0) {
			otto__lock_dirscan_free(scan);
			return otto_error_set(err, OTTO_EIO, "cannot read lock file %s/%s: %s", m->dir, view->file,
					      strerror(-rc));
		}
	}
	return OTTO_OK;
}

static bool same_holder(const otto_lock_manager *m, const otto__lockrec *rec)
{
	return rec->uid == (int64_t)m->uid && strcmp(rec->user, m->user) == 0 && rec->pid == m->holder_pid &&
	       rec->pid_start == m->holder_start &&
	       strcmp(rec->host, m->host) == 0 && strcmp(rec->boot_id, m->boot_id) == 0;
}

static int check_name(const char *name, otto_error *err)
{
	if (!otto__lock_name_valid(name))
		return otto_error_set(err, OTTO_EINVALID,
				      "invalid lock name '%s': use 1 to %d of the characters A-Z a-z 0-9 . _ - : @ +, "
				      "not starting with '.'",
				      name ? name : "", OTTO__LOCK_NAME_MAX);
	return OTTO_OK;
}

/* ------------------------------------------------------------ acquire -- */

OTTO_API int otto_lock_manager_acquire(otto_lock_manager *m, const char *name, int64_t expiry_seconds,
				       unsigned flags, bool *acquired, otto_lock_info *holder, otto_error *err)
{
	otto__lock_dirscan scan;
	const otto__lock_gens *g;
	otto__lock_view view;
	otto__lockrec rec;
	int guard, rc;
	bool take;

	*acquired = false;
	if (holder)
		memset(holder, 0, sizeof *holder);
	if ((rc = check_name(name, err)) != OTTO_OK)
		return rc;
	if (expiry_seconds < 0)
		return otto_error_set(err, OTTO_EINVALID, "negative expiry for lock '%s'", name);
	if ((rc = guard_lock(m, name, &guard, err)) != OTTO_OK)
		return rc;
	if ((rc = read_current(m, name, &scan, &g, &view, err)) != OTTO_OK) {
		close(guard);
		return rc;
	}
	if (view.state == OTTO__LOCK_HELD && view.rec.kind == OTTO__LOCKREC_LOCK) {
		const held_lock *h = find_held(m, name);
		if ((h && strcmp(h->token, view.rec.token) == 0) || same_holder(m, &view.rec)) {
			remember(m, name, view.rec.token);
			*acquired = true;
			goto done;
		}
	}
	take = view.state == OTTO__LOCK_FREE || view.state == OTTO__LOCK_EXPIRED || view.state == OTTO__LOCK_STALE ||
	       (flags & OTTO_LOCK_FORCE);
	if (!take || (flags & OTTO_LOCK_FORCE))
		info_from_view(m, &view, holder);
	if (!take)
		goto done;
	rc = make_record(m, name, OTTO__LOCKREC_LOCK, expiry_seconds, &rec, err);
	if (rc == OTTO_OK)
		rc = publish(m, &rec, view.gen + 1, err);
	if (rc == OTTO_OK) {
		drop_superseded(m, g, view.gen + 1);
		remember(m, name, rec.token);
		*acquired = true;
	} else if (holder) {
		otto_lock_info_clear(holder);
	}
done:
	otto__lock_dirscan_free(&scan);
	close(guard);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

OTTO_API int otto_lock_manager_acquire_all(otto_lock_manager *m, const char *const *names, size_t count,
					   int64_t expiry_seconds, unsigned flags, int64_t wait_ms, bool *acquired,
					   otto_lock_info *holder, otto_error *err)
{
	const char **sorted = otto__calloc(count ? count : 1, sizeof *sorted);
	bool *fresh = otto__calloc(count ? count : 1, sizeof *fresh);
	int64_t deadline = monotonic_ms() + (wait_ms > 0 ? wait_ms : 0);
	int rc = OTTO_OK;

	*acquired = false;
	if (holder)
		memset(holder, 0, sizeof *holder);
	for (size_t i = 0; i < count; i++) {
		if ((rc = check_name(names[i], err)) != OTTO_OK)
			goto out;
		sorted[i] = names[i];
	}
	/* One order for everybody, so that two waiters never hold a part each. */
	qsort(sorted, count, sizeof *sorted, cmp_str);
	for (;;) {
		size_t i;
		bool got = true;
		for (i = 0; i < count && got; i++) {
			if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
				continue;
			fresh[i] = find_held(m, sorted[i]) == NULL;
			otto_lock_info_clear(holder);
			rc = otto_lock_manager_acquire(m, sorted[i], expiry_seconds, flags, &got, holder, err);
			if (rc != OTTO_OK)
				got = false;
		}
		if (got) {
			*acquired = true;
			goto out;
		}
		/* Give back what this attempt took, but not what was held before. */
		for (size_t j = 0; j + 1 < i; j++)
			if (fresh[j] && (j == 0 || strcmp(sorted[j], sorted[j - 1]) != 0))
				otto_lock_manager_release(m, sorted[j], 0, NULL, NULL);
		if (rc != OTTO_OK || monotonic_ms() >= deadline)
			goto out;
		struct timespec pause = {0, (10 + rand() % 20) * 1000000L};
		nanosleep(&pause, NULL);
	}
out:
	free(sorted);
	free(fresh);
	return rc;
}

/* ------------------------------------------------------------ release -- */

static void describe_holder(char *buf, size_t size, const otto__lock_view *v)
{
	snprintf(buf, size, "%s (pid %" PRId64 " on %s)", v->rec.user, v->rec.pid, v->rec.host);
}

OTTO_API int otto_lock_manager_release(otto_lock_manager *m, const char *name, unsigned flags,
				       otto_lock_info *broken, otto_error *err)
{
	otto__lock_dirscan scan;
	const otto__lock_gens *g;
	otto__lock_view view;
	otto__lockrec rec;
	const held_lock *h;
	int guard, rc;
	char who[400];

	if (broken)
		memset(broken, 0, sizeof *broken);
	if ((rc = check_name(name, err)) != OTTO_OK)
		return rc;
	if ((rc = guard_lock(m, name, &guard, err)) != OTTO_OK)
		return rc;
	if ((rc = read_current(m, name, &scan, &g, &view, err)) != OTTO_OK) {
		close(guard);
		return rc;
	}
	h = find_held(m, name);
	if (view.state == OTTO__LOCK_FREE) {
		rc = otto_error_set(err, OTTO_ENOTFOUND, "lock '%s' is not held by anyone", name);
		goto forget;
	}
	if (view.state == OTTO__LOCK_CORRUPT && !(flags & OTTO_LOCK_FORCE)) {
		rc = otto_error_set(err, OTTO_ERROR, "lock '%s' is corrupt (%s/%s: %s); only --force replaces it", name,
				    m->dir, view.file, view.why);
		goto done;
	}
	if (!(flags & OTTO_LOCK_FORCE) && view.state != OTTO__LOCK_CORRUPT) {
		bool mine = h ? strcmp(h->token, view.rec.token) == 0
			      : view.rec.uid == (int64_t)m->uid && strcmp(view.rec.user, m->user) == 0;
		if (!mine) {
			describe_holder(who, sizeof who, &view);
			if (h)
				rc = otto_error_set(err, OTTO_ERROR,
						    "lock '%s' was taken over by %s since this process took it; "
						    "left it alone",
						    name, who);
			else
				rc = otto_error_set(err, OTTO_ERROR,
						    "lock '%s' is %s by %s, not by you; use --force to break it", name,
						    otto_lock_state_name((otto_lock_state)view.state), who);
			goto forget;
		}
	}
	info_from_view(m, &view, broken);
	/* Delete below, then the current file; whatever the sticky bit keeps
	 * us from deleting is superseded by a release record instead. */
	if (drop_superseded(m, g, view.gen) && unlinkat(m->dirfd, view.file, 0) == 0)
		goto forget;
	rc = make_record(m, name, OTTO__LOCKREC_RELEASED, 0, &rec, err);
	if (rc == OTTO_OK)
		rc = publish(m, &rec, view.gen + 1, err);
	if (rc == OTTO_OK)
		drop_superseded(m, g, view.gen + 1);
	else
		otto_lock_info_clear(broken);
forget:
	forget(m, name);
done:
	otto__lock_dirscan_free(&scan);
	close(guard);
	return rc;
}

OTTO_API int otto_lock_manager_release_all(otto_lock_manager *m, otto_error *err)
{
	int first = OTTO_OK;
	while (m->n_held > 0) {
		char *name = otto__strdup(m->held[m->n_held - 1].name);
		otto_error e1;
		int rc = otto_lock_manager_release(m, name, 0, NULL, &e1);
		forget(m, name); /* even on failure: never loop */
		free(name);
		if (rc != OTTO_OK && first == OTTO_OK) {
			first = rc;
			if (err)
				*err = e1;
		}
	}
	return first;
}

/* ------------------------------------------------------------ reading -- */

OTTO_API int otto_lock_manager_get(otto_lock_manager *m, const char *name, otto_lock_info *out, otto_error *err)
{
	otto__lock_eval ev = eval_of(m);
	otto__lock_view view;
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = check_name(name, err)) != OTTO_OK)
		return rc;
	rc = otto__lock_view_read(m->dirfd, m->dir, name, &ev, &view, err);
	if (rc == OTTO_OK)
		info_from_view(m, &view, out);
	return rc;
}

OTTO_API int otto_lock_manager_list(otto_lock_manager *m, otto_lock_list *out, otto_error *err)
{
	otto__lock_eval ev = eval_of(m);
	otto__lock_view *views = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof *out);
	rc = otto__lock_view_read_all(m->dirfd, m->dir, &ev, &views, &n, err);
	if (rc != OTTO_OK)
		return rc;
	out->items = otto__calloc(n ? n : 1, sizeof *out->items);
	for (size_t i = 0; i < n; i++)
		info_from_view(m, &views[i], &out->items[i]);
	out->count = n;
	free(views);
	return OTTO_OK;
}
