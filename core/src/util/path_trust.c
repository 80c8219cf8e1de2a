/*
 * The trust walk (path_trust.h): follow a path one component at a time
 * from "/", each step opened relative to the folder before it with
 * O_NOFOLLOW, so that what is checked is what is used: a check by name
 * followed by an open by name would let a neighbour swap the object in
 * between. Symbolic links are read from the descriptor of the link itself
 * and their targets walked the same way.
 */
#include "util/path_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINKS 40

bool otto__trust_owner_ok(uid_t owner, uid_t uid)
{
	return owner == 0 || owner == uid;
}

void otto__user_name_of(uid_t uid, char *buf, size_t size)
{
	struct passwd pw, *found = NULL;
	char scratch[4096];
	if (getpwuid_r(uid, &pw, scratch, sizeof scratch, &found) == 0 && found && found->pw_name &&
	    found->pw_name[0] && strlen(found->pw_name) < size)
		snprintf(buf, size, "%s", found->pw_name);
	else
		snprintf(buf, size, "uid%lu", (unsigned long)uid);
}

/* A group named like the owner with no member but the owner. */
static bool private_group_of(gid_t gid, uid_t owner)
{
	struct group gr, *found = NULL;
	char scratch[8192], name[256];
	if (getgrgid_r(gid, &gr, scratch, sizeof scratch, &found) != 0 || !found || !found->gr_name)
		return false;
	otto__user_name_of(owner, name, sizeof name);
	if (strcmp(found->gr_name, name) != 0)
		return false;
	for (char **m = found->gr_mem; m && *m; m++)
		if (strcmp(*m, name) != 0)
			return false;
	return true;
}

bool otto__trust_writable_by_others(const struct stat *st)
{
	if (st->st_mode & S_IWOTH)
		return true;
	return (st->st_mode & S_IWGRP) && !private_group_of(st->st_gid, st->st_uid);
}

static void owner_text(uid_t owner, char *buf, size_t size)
{
	char name[128];
	otto__user_name_of(owner, name, sizeof name);
	snprintf(buf, size, "%s (uid %lu)", name, (unsigned long)owner);
}

static int refuse(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return 1;
}

int otto__trust_check_file(const char *path, const struct stat *st, uid_t uid, char *why, size_t why_size)
{
	char owner[160];
	if (!S_ISREG(st->st_mode))
		return refuse(why, why_size, "%s is not a regular file", path);
	if (!otto__trust_owner_ok(st->st_uid, uid)) {
		owner_text(st->st_uid, owner, sizeof owner);
		return refuse(why, why_size, "%s belongs to %s, not to root or you (fix: a copy of your own, or chown root %s)",
			      path, owner, path);
	}
	if (otto__trust_writable_by_others(st))
		return refuse(why, why_size, "%s is writable by other users (mode %04o; fix: chmod go-w %s)", path,
			      (unsigned)(st->st_mode & 07777), path);
	return 0;
}

int otto__trust_check_folder(const char *path, const struct stat *st, uid_t uid, char *why, size_t why_size)
{
	char owner[160];
	if (!S_ISDIR(st->st_mode))
		return refuse(why, why_size, "%s is not a folder", path);
	if (!otto__trust_owner_ok(st->st_uid, uid)) {
		owner_text(st->st_uid, owner, sizeof owner);
		return refuse(why, why_size,
			      "%s belongs to %s, who could delete or replace anything in it (fix: have root create it: "
			      "install -d -m 1777 -o root -g root %s)",
			      path, owner, path);
	}
	if (otto__trust_writable_by_others(st) && !(st->st_mode & S_ISVTX))
		return refuse(why, why_size,
			      "%s is writable by other users but not sticky, so anyone could delete anyone's files in it "
			      "(fix: chmod +t %s)",
			      path, path);
	return 0;
}

/* A folder on the way to a plugin: only root and the user can change it. */
int otto__trust_check_way_folder(const char *path, const struct stat *st, uid_t uid, char *why, size_t why_size)
{
	char owner[160];
	if (!otto__trust_owner_ok(st->st_uid, uid)) {
		owner_text(st->st_uid, owner, sizeof owner);
		return refuse(why, why_size,
			      "folder %s belongs to %s, not to root or you, who could swap anything below it (fix: keep "
			      "plugins in folders owned by root or you)",
			      path, owner);
	}
	if (otto__trust_writable_by_others(st) && !(st->st_uid == 0 && (st->st_mode & S_ISVTX)))
		return refuse(why, why_size,
			      "folder %s is writable by other users (mode %04o), who could swap anything below it (fix: "
			      "chmod go-w %s)",
			      path, (unsigned)(st->st_mode & 07777), path);
	return 0;
}

/* A symbolic link on the way: it cannot be changed, only replaced, by
 * whoever may change entries of the folder holding it. */
static int check_link(const char *link, const struct stat *lst, const char *folder, const struct stat *fst,
		      uid_t uid, char *why, size_t why_size)
{
	char owner[160];
	if (!otto__trust_owner_ok(lst->st_uid, uid)) {
		owner_text(lst->st_uid, owner, sizeof owner);
		return refuse(why, why_size,
			      "symbolic link %s belongs to %s, who could point it elsewhere (fix: use the real path, or "
			      "a link of your own)",
			      link, owner);
	}
	if (!otto__trust_owner_ok(fst->st_uid, uid)) {
		owner_text(fst->st_uid, owner, sizeof owner);
		return refuse(why, why_size,
			      "symbolic link %s sits in folder %s of %s, who could point it elsewhere (fix: use the real "
			      "path)",
			      link, folder, owner);
	}
	if (otto__trust_writable_by_others(fst) && !(fst->st_mode & S_ISVTX))
		return refuse(why, why_size,
			      "symbolic link %s sits in folder %s, which other users can write (mode %04o), so they could "
			      "point it elsewhere (fix: use the real path)",
			      link, folder, (unsigned)(fst->st_mode & 07777));
	return 0;
}

static int sys_fail(int e, char *why, size_t why_size, const char *what)
{
	snprintf(why, why_size, "%s: %s", what, strerror(e));
	return -e;
}

/* "dir" + "/" + "name" into out (PATH_MAX); false when too long. */
static bool join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
	return n > 0 && n < PATH_MAX;
}

typedef struct walk {
	int cur;              /* O_PATH descriptor of the folder we are in */
	struct stat cur_st;
	char here[PATH_MAX];  /* its path, links resolved */
	char todo[2 * PATH_MAX];
	uid_t uid;
	otto__trust_mode mode;
	char *why;
	size_t why_size;
} walk;

static int walk_to_root(walk *w)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(errno, w->why, w->why_size, "/");
	if (w->cur >= 0)
		close(w->cur);
	w->cur = fd;
	snprintf(w->here, sizeof w->here, "/");
	if (fstat(fd, &w->cur_st) != 0)
		return sys_fail(errno, w->why, w->why_size, "/");
	if (w->mode == OTTO__TRUST_EVERY_FOLDER)
		return otto__trust_check_way_folder("/", &w->cur_st, w->uid, w->why, w->why_size);
	return 0;
}

/* Step into `fd` (a folder) named `path`. Takes fd. */
static int enter(walk *w, int fd, const struct stat *st, const char *path)
{
	close(w->cur);
	w->cur = fd;
	w->cur_st = *st;
	snprintf(w->here, sizeof w->here, "%s", path);
	if (w->mode == OTTO__TRUST_EVERY_FOLDER)
		return otto__trust_check_way_folder(w->here, st, w->uid, w->why, w->why_size);
	return 0;
}

/* Take the next component off w->todo into comp; false when none is left. */
static bool next_component(walk *w, char *comp, size_t size)
{
	char *p = w->todo;
	while (*p == '/')
		p++;
	if (!*p)
		return false;
	size_t n = strcspn(p, "/");
	if (n >= size)
		n = size - 1; /* longer than NAME_MAX: openat will say ENAMETOOLONG on the cut name */
	memcpy(comp, p, n);
	comp[n] = '\0';
	p += strcspn(p, "/");
	memmove(w->todo, p, strlen(p) + 1);
	return true;
}

static bool more_to_do(const walk *w)
{
	return w->todo[strspn(w->todo, "/")] != '\0';
}

static int follow_link(walk *w, int lfd, const struct stat *lst, const char *link_path)
{
	char target[PATH_MAX], rest[2 * PATH_MAX];
	int rc = 0;
	if (w->mode == OTTO__TRUST_SYMLINKS || w->mode == OTTO__TRUST_EVERY_FOLDER)
		rc = check_link(link_path, lst, w->here, &w->cur_st, w->uid, w->why, w->why_size);
	if (rc != 0)
		return rc;
	ssize_t n = readlinkat(lfd, "", target, sizeof target - 1);
	if (n < 0)
		return sys_fail(errno, w->why, w->why_size, link_path);
	target[n] = '\0';
	if ((size_t)snprintf(rest, sizeof rest, "%s/%s", target, w->todo) >= sizeof rest)
		return sys_fail(ENAMETOOLONG, w->why, w->why_size, link_path);
	memcpy(w->todo, rest, strlen(rest) + 1);
	if (target[0] == '/')
		return walk_to_root(w);
	return 0;
}

static int step_up(walk *w)
{
	struct stat st;
	int fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char up[PATH_MAX];
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return sys_fail(e, w->why, w->why_size, w->here);
	}
	snprintf(up, sizeof up, "%s", w->here);
	char *slash = strrchr(up, '/');
	if (slash && slash != up)
		*slash = '\0';
	else
		snprintf(up, sizeof up, "/");
	return enter(w, fd, &st, up);
}

int otto__path_trust_walk(const char *path, uid_t uid, otto__trust_mode mode, int *fd_out, struct stat *st_out,
			  char *real_out, char *why, size_t why_size)
{
	walk w = {.cur = -1, .uid = uid, .mode = mode, .why = why, .why_size = why_size};
	char comp[NAME_MAX + 2], full[PATH_MAX];
	int links = 0, rc;

	if (fd_out)
		*fd_out = -1;
	memset(st_out, 0, sizeof *st_out);
	if (real_out)
		real_out[0] = '\0';
	why[0] = '\0';
	if (!path || !path[0])
		return sys_fail(ENOENT, why, why_size, "(empty path)");
	if (path[0] == '/') {
		if (strlen(path) >= sizeof w.todo)
			return sys_fail(ENAMETOOLONG, why, why_size, path);
		snprintf(w.todo, sizeof w.todo, "%s", path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return sys_fail(errno, why, why_size, "the current folder");
		if ((size_t)snprintf(w.todo, sizeof w.todo, "%s/%s", cwd, path) >= sizeof w.todo)
			return sys_fail(ENAMETOOLONG, why, why_size, path);
	}
	if ((rc = walk_to_root(&w)) != 0)
		goto done;
	for (;;) {
		struct stat st;
		if (!next_component(&w, comp, sizeof comp)) {
			/* The path named a folder we are already in ("/", "a/.."). */
			int fd = openat(w.cur, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				rc = sys_fail(errno, why, why_size, w.here);
				goto done;
			}
			*st_out = w.cur_st;
			if (real_out)
				snprintf(real_out, PATH_MAX, "%s", w.here);
			if (fd_out)
				*fd_out = fd;
			else
				close(fd);
			rc = 0;
			goto done;
		}
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if ((rc = step_up(&w)) != 0)
				goto done;
			continue;
		}
		if (!join(full, w.here, comp)) {
			rc = sys_fail(ENAMETOOLONG, why, why_size, w.here);
			goto done;
		}
		int fd = openat(w.cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			rc = sys_fail(errno, why, why_size, full);
			goto done;
		}
		if (fstat(fd, &st) != 0) {
			rc = sys_fail(errno, why, why_size, full);
			close(fd);
			goto done;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_LINKS) {
				close(fd);
				rc = sys_fail(ELOOP, why, why_size, full);
				goto done;
			}
			rc = follow_link(&w, fd, &st, full);
			close(fd);
			if (rc != 0)
				goto done;
			continue;
		}
		if (!more_to_do(&w)) {
			*st_out = st;
			if (real_out)
				snprintf(real_out, PATH_MAX, "%s", full);
			if (fd_out)
				*fd_out = fd;
			else
				close(fd);
			rc = 0;
			goto done;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			rc = sys_fail(ENOTDIR, why, why_size, full);
			goto done;
		}
		if ((rc = enter(&w, fd, &st, full)) != 0)
			goto done;
	}
done:
	if (w.cur >= 0)
		close(w.cur);
	return rc;
}
