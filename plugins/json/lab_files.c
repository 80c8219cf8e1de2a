/*
 * Finding the lab.json files of the configured paths, and keeping their
 * parses while the files stay the same (lab_files.h). A path that is
 * missing is skipped (the upstream contract); anything that exists but
 * cannot be read is an error naming it, because hosts that silently
 * vanish from a lab make the reservation check pass on the rest. A file
 * that reads but does not parse is kept aside with its error: upstream's
 * listings skip it, its loads fail.
 */
#include "lab_files.h"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct pathlist {
	char **items;
	size_t n, cap;
} pathlist;

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

/* The lab.json of a configured folder (upstream reads that one file and
 * searches no sub-folder). A folder that cannot be searched, and a lab.json
 * that is a dangling or looping symlink, a folder, a FIFO, a device or a
 * socket, are errors naming the path: upstream skips them, which would
 * make a lab smaller and let the reservation check pass on the rest. */
static int folder_file(const char *dir, pathlist *out, otto_error *err)
{
	struct stat st;
	int rc = OTTO_OK;
	char *own = ju_asprintf("%s/lab.json", dir);
	if (stat(own, &st) == 0) {
		if (S_ISREG(st.st_mode)) {
			JU_PUSH(out->items, out->n, out->cap, own);
			return OTTO_OK;
		}
		rc = otto_error_set(err, OTTO_ERROR, "lab file %s is %s, not a regular file", own, kind_name(st.st_mode));
	} else {
		int e = errno;
		if (e != ENOENT || (lstat(own, &st) == 0 && S_ISLNK(st.st_mode)))
			rc = stat_error("lab file", own, e, err); /* ENOENT alone: no lab.json here */
	}
	free(own);
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
		int rc = folder_file(paths[i], out, err);
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

static void forget_broken(lab_files *lf)
{
	for (size_t i = 0; i < lf->n_broken; i++) {
		free(lf->broken[i].path);
		free(lf->broken[i].error);
	}
	free(lf->broken);
	lf->broken = NULL;
	lf->n_broken = lf->broken_cap = 0;
}

int lab_files_refresh(lab_files *lf, otto_error *err)
{
	pathlist found = {0};
	int rc = find_files(lf->paths, &found, err);
	jl_file **next = ju_malloc((found.n ? found.n : 1) * sizeof *next);
	size_t n_next = 0;
	bool changed = false;
	forget_broken(lf);
	for (size_t i = 0; i < found.n && rc == OTTO_OK; i++) {
		jl_file *f = take_cached(lf, found.items[i]);
		if (f && !ju_cache_valid(f->path, "lab file", JU_LAB_FILE_MAX, &f->id, f->text, f->text_len)) {
			jl_file_free(f);
			f = NULL;
		}
		if (!f) {
			otto_error file_err = {0};
			changed = true;
			if (jl_file_load(found.items[i], &f, &file_err) != OTTO_OK) {
				/* Kept aside: listings skip it and say so, loads fail. */
				lab_broken b = {ju_strdup(found.items[i]), ju_strdup(file_err.message)};
				JU_PUSH(lf->broken, lf->n_broken, lf->broken_cap, b);
				continue;
			}
		}
		next[n_next++] = f;
	}
	for (size_t i = 0; i < found.n; i++)
		free(found.items[i]);
	free(found.items);
	/* Files no longer named (or not reached after an error) are dropped. */
	for (size_t i = 0; i < lf->n_files; i++) {
		if (lf->files[i])
			changed = true;
		jl_file_free(lf->files[i]);
	}
	/* The same parses in another order change what derives from them. */
	if (!changed && n_next != lf->n_files)
		changed = true;
	free(lf->files);
	lf->files = next;
	lf->n_files = n_next;
	lf->files_cap = n_next;
	if (changed || rc != OTTO_OK)
		lf->generation++;
	return rc;
}

void lab_files_free(lab_files *lf)
{
	for (size_t i = 0; i < lf->n_files; i++)
		jl_file_free(lf->files[i]);
	free(lf->files);
	forget_broken(lf);
	json_config_free_paths(lf->paths);
	memset(lf, 0, sizeof *lf);
}
