/*
 * Between the lock manager's sources (libotto only; the plugin reads
 * through lock_file.h).
 */
#ifndef OTTO_LOCKS_H
#define OTTO_LOCKS_H

#include <otto/lock.h>

/* Make sure `dir` is a usable lock folder: created with mode 01777 when
 * missing (its parent must exist); otherwise a folder this user can write,
 * sticky if anyone else can write it. OTTO_EIO naming the path otherwise. */
int otto__lock_folder_prepare(const char *dir, otto_error *err);

#endif
