#include "lab_files.h"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 8

typedef struct pathlist {
	char **items;
	size_t n, cap;
} pathlist;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with_json(const char *p)
{
	size_t n = strlen(p);
	return n >= 5 && strcmp(p + n - 5, ".json") == 0;
}

/* Every lab.json under dir: its own first, then each sub-folder in name order. */
static int search_dir(const char *dir, int depth, pathlist *out, otto_error *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return OTTO_OK;
		return otto_error_set(err, OTTO_ERROR, "cannot search lab folder %s: %s", dir, strerror(errno));
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			JU_PUSH(names, n, cap, ju_strdup(e->d_name));
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	int rc = OTTO_OK;
	char *own = ju_asprintf("%s/lab.json", dir);
	struct stat st;
	if (stat(own, &st) == 0 && S_ISREG(st.st_mode))
		JU_PUSH(out->items, out->n, out->cap, own);
	else
		free(own);
	for (size_t i = 0; i < n && rc == OTTO_OK; i++) {
		char *sub = ju_asprintf("%s/%s", dir, names[i]);
		if (depth < MAX_DEPTH && stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rc = search_dir(sub, depth + 1, out, err);
		free(sub);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int find_files(char **paths, pathlist *out, otto_error *err)
{
	for (size_t i = 0; paths[i]; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue; /* missing paths are skipped */
			return otto_error_set(err, OTTO_ERROR, "cannot read lab path %s: %s", paths[i],
					      strerror(errno));
		}
		if (ends_with_json(paths[i]) || !S_ISDIR(st.st_mode)) {
			if (!ends_with_json(paths[i]))
				return otto_error_set(
				    err, OTTO_ERROR,
				    "lab path %s is a file but not a .json file (a folder is searched "
				    "for lab.json)",
				    paths[i]);
			JU_PUSH(out->items, out->n, out->cap, ju_strdup(paths[i]));
			continue;
		}
		int rc = search_dir(paths[i], 0, out, err);
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
		ju_file_id now;
		if (f && (ju_stat_file(f->path, &now) != 0 || !ju_file_id_equal(&now, &f->id))) {
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
