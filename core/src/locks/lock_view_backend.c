/*
 * The built-in `lock` reservation backend: a resource is reserved by the
 * holder of the live lock of that name in the lock store that [locks]
 * names (the lock folder, or a lock store a plugin provides), so that
 * `otto lock` and the gate can never look at two different places. It is
 * compiled into libotto, like `none`: no plugin includes core's private
 * lock sources any more. Read-only. On the lock folder it fails
 * closed: a folder it cannot read or cannot trust (reached through another
 * user's symbolic link, owned by another user, world-writable and not
 * sticky) is a backend error, and so is a corrupt lock wherever it could
 * change the answer. A record is only ever its file owner's (the reader
 * checks uid and user against the owner), so a corrupt file of bob's can
 * hide a lock of bob's, never one of alice's: asking about alice's
 * resources skips it, so a neighbour cannot break everyone's gate with a
 * garbage file.
 */
#include "backends/backends.h"
#include "locks/lock_file.h"
#include "registry/registry.h"
#include "util/util.h"

#include <otto/lock.h>

#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct lock_backend {
	char dir[PATH_MAX];
	bool check_pid;
	otto__lock_here here;
} lock_backend;

static const char *const KNOWN_KEYS[] = {"dir", "check_pid", NULL};

static int lock_create(const otto_config *cfg, void **self, otto_error *err)
{
	const otto_setting *dir, *check;
	char where[512];
	lock_backend *b;
	int rc = otto_config_check_keys(cfg, KNOWN_KEYS, err);

	if (rc != OTTO_OK)
		return rc;
	dir = otto_config_find(cfg, "dir");
	check = otto_config_find(cfg, "check_pid");
	if (dir && (dir->type != OTTO_VALUE_STRING || !dir->string[0])) {
		otto_setting_where(dir, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: [%s] dir must be a non-empty string", where,
				      cfg->section ? cfg->section : "reservations.lock");
	}
	if (check && check->type != OTTO_VALUE_BOOLEAN) {
		otto_setting_where(check, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: [%s] check_pid must be a boolean (true or false)", where,
				      cfg->section ? cfg->section : "reservations.lock");
	}
	b = calloc(1, sizeof *b);
	if (!b)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	if (!dir)
		snprintf(b->dir, sizeof b->dir, "%s", OTTO_LOCK_DEFAULT_DIR);
	else if (dir->string[0] == '/' || !cfg->repo_root)
		snprintf(b->dir, sizeof b->dir, "%s", dir->string);
	else
		snprintf(b->dir, sizeof b->dir, "%s/%s", cfg->repo_root, dir->string);
	b->check_pid = check ? check->boolean : true;
	otto__lock_here_read(&b->here);
	*self = b;
	return OTTO_OK;
}

static void lock_destroy(void *self)
{
	free(self);
}

static const char *lock_name(void *self)
{
	(void)self;
	return "lock";
}

static otto__lock_eval eval_of(const lock_backend *b)
{
	return otto__lock_eval_of(&b->here, b->check_pid, (int64_t)time(NULL));
}

static int corrupt_error(const lock_backend *b, const otto__lock_view *v, otto_error *err);
static int corrupt_error(const lock_backend *b, const otto__lock_view *v, otto_error *err)
{
	return otto_error_set(err, OTTO_ERROR, "lock '%s' is corrupt (%s/%s: %s); cannot tell who holds it",
			      v->rec.name, b->dir, v->file, v->why);
}

/* A corrupt lock could be hiding a lock of `user` (NULL: of anyone): its
 * file belongs to them, or its owner is unknown. */
static bool may_hide(const otto__lock_view *v, const char *user)
{
	char owner[64];
	if (v->state != OTTO_LOCK_CORRUPT)
		return false;
	if (!user || v->owner < 0)
		return true;
	otto__user_name_of((uid_t)v->owner, owner, sizeof owner);
	return strcmp(owner, user) == 0;
}

/* What each answer needs from one view (lock_file.h hands them over one
 * at a time, so a large folder costs no large array). */
typedef struct walk {
	const lock_backend *b;
	const char *user;        /* whose locks count; NULL: everybody's */
	otto_string_out *names;  /* get_reserved_resources */
	otto_window_out *windows;
	int64_t now;
	char **users;            /* list_usernames */
	size_t n_users, cap_users;
} walk;

static int visit(size_t index, const otto__lock_view *v, void *ctx, otto_error *err)
{
	walk *w = ctx;
	const otto__lockrec *r = &v->rec;
	(void)index;
	if (may_hide(v, w->user))
		return corrupt_error(w->b, v, err);
	if (v->state != OTTO_LOCK_HELD || (w->user && strcmp(r->user, w->user) != 0))
		return OTTO_OK;
	if (w->names)
		return otto_string_out_add(w->names, r->name, err);
	if (w->windows) {
		/* Past its expiry a lock lives on only with its holder: no known end. */
		int64_t end = r->expiry > w->now ? r->expiry : OTTO_TIME_FAR_FUTURE;
		int64_t start = r->taken <= w->now ? r->taken : w->now;
		return otto_window_out_add(w->windows, r->name, start, end, err);
	}
	if (w->n_users == w->cap_users) {
		size_t cap = w->cap_users ? w->cap_users * 2 : 16;
		char **p = realloc(w->users, cap * sizeof *p);
		if (!p)
			return otto_error_set(err, OTTO_ENOMEM, "out of memory");
		w->users = p;
		w->cap_users = cap;
	}
	if (!(w->users[w->n_users] = strdup(r->user)))
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	w->n_users++;
	return OTTO_OK;
}

/* Every non-free lock through visit(); a corrupt one that may hide a lock
 * of w->user (any corrupt one when NULL) fails the whole answer. */
static int read_all(walk *w, otto_error *err)
{
	otto__lock_eval ev = eval_of(w->b);
	int fd, rc = otto__lock_dir_open(w->b->dir, geteuid(), &fd, err);
	if (rc != OTTO_OK)
		return rc;
	rc = otto__lock_views_each(fd, w->b->dir, &ev, false, visit, w, err);
	close(fd);
	return rc;
}

static int lock_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	walk w = {.b = self, .user = user, .names = out};
	return read_all(&w, err);
}

static int lock_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	const lock_backend *b = self;
	otto__lock_eval ev = eval_of(b);
	otto__lock_view v;
	int fd = -1, rc = otto__lock_dir_open(b->dir, geteuid(), &fd, err);

	if (rc != OTTO_OK)
		return rc;
	if (!otto__lock_name_valid(resource)) {
		close(fd); /* no lock can have that name */
		return OTTO_OK;
	}
	rc = otto__lock_view_read(fd, b->dir, resource, &ev, &v, err);
	close(fd);
	if (rc != OTTO_OK)
		return rc;
	if (v.state == OTTO_LOCK_CORRUPT)
		return corrupt_error(b, &v, err);
	if (v.state == OTTO_LOCK_HELD)
		return otto_string_out_add(out, v.rec.user, err);
	return OTTO_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int lock_usernames(void *self, otto_string_out *out, otto_error *err)
{
	walk w = {.b = self};
	int rc = read_all(&w, err);
	if (rc == OTTO_OK && w.n_users > 1)
		qsort(w.users, w.n_users, sizeof *w.users, cmp_str);
	for (size_t i = 0; rc == OTTO_OK && i < w.n_users; i++)
		if (i == 0 || strcmp(w.users[i], w.users[i - 1]) != 0)
			rc = otto_string_out_add(out, w.users[i], err);
	for (size_t i = 0; i < w.n_users; i++)
		free(w.users[i]);
	free(w.users);
	return rc;
}

static int lock_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	walk w = {.b = self, .user = user, .windows = out, .now = (int64_t)time(NULL)};
	return read_all(&w, err);
}

/* ------------------------------------------- on a plugin's lock store -- */

/* The same answers from the lock manager's list of a plugin's store: the
 * store decides each lock's state (held, expired, stale, corrupt) and a
 * corrupt one fails every answer, since nobody can tell whose it is. */
typedef struct store_view {
	otto_lock_manager *m;
} store_view;

static int store_walk(store_view *v, const char *user, const char *resource, otto_string_out *names,
		      otto_window_out *windows, bool usernames, otto_error *err)
{
	otto_lock_list list = {0};
	int64_t now = (int64_t)time(NULL);
	int rc = otto_lock_manager_list(v->m, &list, err);
	for (size_t i = 0; rc == OTTO_OK && i < list.count; i++) {
		const otto_lock_info *l = &list.items[i];
		if (resource && strcmp(l->name, resource) != 0)
			continue;
		if (l->state == OTTO_LOCK_CORRUPT) {
			rc = otto_error_set(err, OTTO_ERROR, "lock '%s' is corrupt (%s); cannot tell who holds it", l->name,
					    l->problem ? l->problem : "?");
			break;
		}
		if (l->state != OTTO_LOCK_HELD || (user && strcmp(l->user, user) != 0))
			continue;
		if (usernames) {
			bool seen = false;
			for (size_t j = 0; j < i; j++)
				seen = seen || (list.items[j].state == OTTO_LOCK_HELD &&
						strcmp(list.items[j].user, l->user) == 0);
			if (!seen)
				rc = otto_string_out_add(names, l->user, err);
		} else if (windows) {
			int64_t end = l->expiry > now ? l->expiry : OTTO_TIME_FAR_FUTURE;
			rc = otto_window_out_add(windows, l->name, l->taken <= now ? l->taken : now, end, err);
		} else {
			rc = otto_string_out_add(names, resource ? l->user : l->name, err);
		}
	}
	otto_lock_list_free(&list);
	return rc;
}

static int store_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	return store_walk(self, user, NULL, out, NULL, false, err);
}

static int store_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	return store_walk(self, NULL, resource, out, NULL, false, err);
}

static int store_usernames(void *self, otto_string_out *out, otto_error *err)
{
	/* list() is sorted by lock name: users come out in that order. */
	return store_walk(self, NULL, NULL, out, NULL, true, err);
}

static int store_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	return store_walk(self, user, NULL, NULL, out, false, err);
}

static void store_destroy(void *self)
{
	store_view *v = self;
	otto_lock_manager_free(v->m);
	free(v);
}

static const otto_reservation_backend_type STORE_VIEW = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "lock",
	.description = "live locks of `otto lock` in the lock store [locks] names",
	.destroy = store_destroy,
	.backend_name = lock_name,
	.get_reserved_resources = store_reserved,
	.who_reserved = store_who,
	.list_usernames = store_usernames,
	.get_reservation_windows = store_windows,
};

int otto__lock_view_open_store(otto_reservation_backend **out, const otto_lock_options *opts, otto_error *err)
{
	otto_lock_options o = *opts;
	otto_lock_manager *m = NULL;
	*out = NULL;
	o.user = NULL;
	o.holder_pid = 0;
	o.token = NULL;
	int rc = otto_lock_manager_new(&m, &o, err);
	if (rc != OTTO_OK)
		return rc;
	store_view *v = otto__calloc(1, sizeof *v);
	v->m = m;
	otto_reservation_backend *b = otto__calloc(1, sizeof *b);
	otto__backend_handle_adopt(&b->h, OTTO_KIND_RESERVATION, v, "lock");
	b->type = STORE_VIEW;
	*out = b;
	return OTTO_OK;
}

static const otto_reservation_backend_type LOCK_BACKEND = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "lock",
	.description = "live locks of `otto lock` in the lock store [locks] names",
	.create = lock_create,
	.destroy = lock_destroy,
	.backend_name = lock_name,
	.get_reserved_resources = lock_reserved,
	.who_reserved = lock_who,
	.list_usernames = lock_usernames,
	.get_reservation_windows = lock_windows,
};

int otto__register_builtin_lock(otto_registrar *reg, otto_error *err)
{
	return otto_register_reservation_backend(reg, &LOCK_BACKEND, err);
}
