/*
 * Finding the lab.json files of the configured paths, and keeping their
 * parses while the files stay the same (lab_files.h). A path that is
 * missing is skipped (the upstream contract); anything that exists but
 * cannot be fully searched is an error naming it, because hosts that
 * silently vanish from a lab make the reservation check pass on the rest.
 */
#include "lab_files.h"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* How many folder levels below a configured folder are searched. A
 * lab.json deeper than that is an error, never silently left out. */
#define MAX_DEPTH 8

typedef struct pathlist {
	char **items;
	size_t n, cap;
} pathlist;

/* The folders being searched, from the configured one down: a sub-folder
 * that is one of them again (a symlink loop) is an error. */
typedef struct ancestors {
	dev_t dev[MAX_DEPTH + 1];
	ino_t ino[MAX_DEPTH + 1];
	int n;
} ancestors;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with_json(const char *p)
{
	size_t n = strlen(p);
	return n >= 5 && strcmp(p + n - 5, ".json") == 0;
}

static const char *kind_name(mode_t mode)
{
	return S_ISDIR(mode)	? "a folder"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)	? "a character device"
	       : S_ISBLK(mode)	? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "not a regular file";
}

/* Why stat(path) failed with `e`, as an error: a symlink whose target is
 * missing is named as such (stat alone says "No such file"). */
static int stat_error(const char *what, const char *path, int e, otto_error *err)
{
	struct stat st;
	if (e == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return otto_error_set(err, OTTO_ERROR,
				      "%s %s is a dangling symlink (its target does not exist); a lab source that "
				      "cannot be read is an error, never a smaller lab",
				      what, path);
	if (e == ELOOP)
		return otto_error_set(err, OTTO_ERROR,
				      "%s %s is a symlink loop; a lab source that cannot be read is an error, never a "
				      "smaller lab",
				      what, path);
	if (e == ENOENT)
		return otto_error_set(err, OTTO_ERROR, "%s %s vanished while it was being searched; try again", what,
				      path);
	return otto_error_set(err, OTTO_ERROR, "cannot search %s %s: %s; a lab source that cannot be searched is an "
					       "error, never a smaller lab",
			      what, path, strerror(e));
}

static int read_names(const char *dir, DIR *d, char ***names_out, size_t *n_out, otto_error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = OTTO_OK;
	for (;;) {
		errno = 0;
		if ((e = readdir(d)) == NULL)
			break;
		if (e->d_name[0] != '.')
			JU_PUSH(names, n, cap, ju_strdup(e->d_name));
	}
	if (errno)
		rc = otto_error_set(err, OTTO_ERROR, "cannot list lab folder %s: %s", dir, strerror(errno));
	else if (n > 1)
		qsort(names, n, sizeof *names, by_name);
	*names_out = names;
	*n_out = n;
	return rc;
}

/* Every lab.json under dir: its own first, then each sub-folder in name
 * order. Everything that could hide one is an error naming the path: a
 * folder that cannot be listed or searched, a dangling or looping symlink,
 * a lab.json that is not a regular file, a folder too deep. */
static int search_dir(const char *dir, ancestors *up, pathlist *out, otto_error *err)
{
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	int rc = OTTO_OK;
	DIR *d = opendir(dir);
	if (!d)
		return otto_error_set(err, OTTO_ERROR,
				      "cannot list lab folder %s: %s; a lab source that cannot be searched is an error, "
				      "never a smaller lab",
				      dir, strerror(errno));
	if (fstat(dirfd(d), &st) != 0) {
		rc = otto_error_set(err, OTTO_ERROR, "cannot search lab folder %s: %s", dir, strerror(errno));
		goto done;
	}
	for (int i = 0; i < up->n; i++)
		if (up->dev[i] == st.st_dev && up->ino[i] == st.st_ino) {
			rc = otto_error_set(err, OTTO_ERROR,
					    "lab folder %s leads back to a folder above it (a symlink loop); a lab source "
					    "that cannot be searched is an error, never a smaller lab",
					    dir);
			goto done;
		}
	up->dev[up->n] = st.st_dev;
	up->ino[up->n] = st.st_ino;
	up->n++;
	if ((rc = read_names(dir, d, &names, &n, err)) != OTTO_OK)
		goto done;
	char *own = ju_asprintf("%s/lab.json", dir);
	if (stat(own, &st) == 0) {
		if (S_ISREG(st.st_mode)) {
			JU_PUSH(out->items, out->n, out->cap, own);
			own = NULL;
		} else {
			rc = otto_error_set(err, OTTO_ERROR, "lab file %s is %s, not a regular file", own,
					    kind_name(st.st_mode));
		}
	} else {
		int e = errno;
		if (e != ENOENT || (lstat(own, &st) == 0 && S_ISLNK(st.st_mode)))
			rc = stat_error("lab file", own, e, err); /* ENOENT alone: no lab.json here */
	}
	free(own);
	for (size_t i = 0; i < n && rc == OTTO_OK; i++) {
		if (strcmp(names[i], "lab.json") == 0)
			continue;
		char *sub = ju_asprintf("%s/%s", dir, names[i]);
		if (stat(sub, &st) != 0)
			rc = stat_error("lab folder entry", sub, errno, err);
		else if (S_ISDIR(st.st_mode) && up->n > MAX_DEPTH)
			rc = otto_error_set(err, OTTO_ERROR,
					    "lab folder %s is more than %d levels below the configured folder, deeper "
					    "than otto searches; name it in the lab paths itself",
					    sub, MAX_DEPTH);
		else if (S_ISDIR(st.st_mode))
			rc = search_dir(sub, up, out, err);
		free(sub);
	}
	up->n--;
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int find_files(char **paths, pathlist *out, otto_error *err)
{
	for (size_t i = 0; paths[i]; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			int e = errno;
			if ((e == ENOENT && lstat(paths[i], &st) != 0) || e == ENOTDIR)
				continue; /* missing paths are skipped */
			return stat_error("lab path", paths[i], e, err);
		}
		if (ends_with_json(paths[i])) {
			if (!S_ISREG(st.st_mode))
				return otto_error_set(err, OTTO_ERROR, "lab file %s is %s, not a regular file", paths[i],
						      kind_name(st.st_mode));
			JU_PUSH(out->items, out->n, out->cap, ju_strdup(paths[i]));
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			return otto_error_set(err, OTTO_ERROR,
					      "lab path %s is %s but not a .json file (a folder is searched for lab.json)",
					      paths[i], S_ISREG(st.st_mode) ? "a file" : kind_name(st.st_mode));
		ancestors up = {.n = 0};
		int rc = search_dir(paths[i], &up, out, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

static jl_file *take_cached(lab_files *lf, const char *path)
{
	for (size_t i = 0; i < lf->n_files; i++) {
		jl_file *f = lf->files[i];
		if (f && strcmp(f->path, path) == 0) {
			lf->files[i] = NULL;
			return f;
		}
	}
	return NULL;
}

int lab_files_refresh(lab_files *lf, otto_error *err)
{
	pathlist found = {0};
	int rc = find_files(lf->paths, &found, err);
	jl_file **next = ju_malloc((found.n ? found.n : 1) * sizeof *next);
	size_t n_next = 0;
	for (size_t i = 0; i < found.n && rc == OTTO_OK; i++) {
		jl_file *f = take_cached(lf, found.items[i]);
		if (f && !ju_cache_valid(f->path, "lab file", JU_LAB_FILE_MAX, &f->id, f->text, f->text_len)) {
			jl_file_free(f);
			f = NULL;
		}
		if (!f)
			rc = jl_file_load(found.items[i], &f, err);
		if (rc == OTTO_OK)
			next[n_next++] = f;
	}
	for (size_t i = 0; i < found.n; i++)
		free(found.items[i]);
	free(found.items);
	/* Files no longer named (or not reached after an error) are dropped. */
	for (size_t i = 0; i < lf->n_files; i++)
		jl_file_free(lf->files[i]);
	free(lf->files);
	lf->files = next;
	lf->n_files = n_next;
	lf->files_cap = n_next;
	return rc;
}

void lab_files_free(lab_files *lf)
{
	for (size_t i = 0; i < lf->n_files; i++)
		jl_file_free(lf->files[i]);
	free(lf->files);
	json_config_free_paths(lf->paths);
	memset(lf, 0, sizeof *lf);
}
