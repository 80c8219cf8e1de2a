/*
 * Can another user change what a path names? The walk behind three trust
 * rules (docs/plugins.md, docs/locks.md):
 *
 *   - a plugin file is loaded only if it and every folder on its path are
 *     owned by root or the user and writable by nobody else (sudo and
 *     OpenPAM check their modules and configuration the same way);
 *   - a settings file owned by another user is not read;
 *   - the lock folder is reached through no symbolic link another user
 *     could retarget, and is owned by root or the user.
 *
 * Standalone like locks/lock_file.h (libc and the SDK header only, no
 * aborting allocations, every failure a status): libotto includes it
 * through util/util.h, and the `lock` plugin compiles path_trust.c in to
 * check the folder it reads.
 *
 * "Other users" never includes root, who can change anything anyway: a
 * path is trusted by user U when only U and root can change it. For root,
 * that means only root.
 */
#ifndef OTTO_PATH_TRUST_H
#define OTTO_PATH_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef enum otto__trust_mode {
	/* Every folder on the way is owned by root or the user and writable
	 * by nobody else; a root-owned sticky folder (/tmp) is fine, since
	 * nobody can replace another user's entry in it. Plugins. */
	OTTO__TRUST_EVERY_FOLDER = 1,
	/* Only the symbolic links on the way matter: each must be owned by
	 * root or the user, in a folder only they can change (or a sticky
	 * one). Folders on the way may be anybody's: a folder put in place of
	 * ours is caught by the caller's check of the final folder's owner.
	 * The lock folder. */
	OTTO__TRUST_SYMLINKS = 2
} otto__trust_mode;

/* Follow `path` (absolute, or relative to the current folder) component by
 * component from "/", resolving symbolic links the way open(2) would (at
 * most 40), and check every step under `mode` for user `uid`. The final
 * component itself is not judged: the caller checks *st_out with the rule
 * that fits it (otto__trust_check_file, otto__trust_check_folder).
 *
 * Returns 0 with *fd_out (when fd_out is not NULL) an O_PATH|O_CLOEXEC
 * descriptor of the final object (the caller closes it), *st_out its
 * fstat and *real_out (when not NULL, size PATH_MAX) its path with every
 * link resolved; 1 when a step is not trusted, with `why` saying which path
 * and how to fix it; -errno when the path cannot be followed (a missing
 * component: -ENOENT), with `why` naming the component. *fd_out is -1 on
 * every path but success. */
int otto__path_trust_walk(const char *path, uid_t uid, otto__trust_mode mode, int *fd_out, struct stat *st_out,
			  char *real_out, char *why, size_t why_size);

/* Root, or `uid`. */
bool otto__trust_owner_ok(uid_t owner, uid_t uid);

/* Someone besides the owner (and root) can write it: world-writable, or
 * group-writable by a group that is not the owner's private group (a group
 * named like its owner, with no other members: Debian's user private
 * groups, common with umask 002). */
bool otto__trust_writable_by_others(const struct stat *st);

/* A plugin file (or a settings file): a regular file owned by root or
 * `uid`, writable by nobody else. 0, or 1 with `why` ("<path> is ...: fix"). */
int otto__trust_check_file(const char *path, const struct stat *st, uid_t uid, char *why, size_t why_size);

/* A folder on the way to a plugin (OTTO__TRUST_EVERY_FOLDER's rule):
 * owned by root or `uid`, writable by nobody else unless it is root's and
 * sticky. 0, or 1 with `why`. */
int otto__trust_check_way_folder(const char *path, const struct stat *st, uid_t uid, char *why, size_t why_size);

/* The lock folder: a folder owned by root or `uid`; if others can write
 * it, it must be sticky. 0, or 1 with `why`. */
int otto__trust_check_folder(const char *path, const struct stat *st, uid_t uid, char *why, size_t why_size);

/* The user name of `uid` ("uid 1234" style "uid1234" when it has no
 * password entry), as records and messages show it. */
void otto__user_name_of(uid_t uid, char *buf, size_t size);

#endif
