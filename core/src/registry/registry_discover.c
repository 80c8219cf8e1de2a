/*
 * Which files of the plugin folders are opened at all: real shared objects
 * only. Folders hold READMEs, editor backups and the odd text file; opening
 * those would only produce noise (or worse, run something). Of those, only
 * trusted files are loaded (registry_trust.c); the others are listed as
 * refused.
 */
#include "registry/registry_int.h"

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool has_plugin_name(const char *name)
{
	size_t n = strlen(name);
	/* Hidden files (".x.so.swp", ".x.so") and backups ("x.so~") are out. */
	return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* Starts with the ELF magic and is a shared object (ET_DYN). Opened
 * non-blocking: a FIFO swapped in after the stat must not hang the scan. */
static bool is_shared_object(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	unsigned char h[EI_NIDENT + 2];
	ssize_t n = read(fd, h, sizeof h);
	close(fd);
	if (n != (ssize_t)sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0)
		return false;
	unsigned type = h[EI_DATA] == ELFDATA2MSB ? (unsigned)h[EI_NIDENT] << 8 | h[EI_NIDENT + 1]
						  : (unsigned)h[EI_NIDENT + 1] << 8 | h[EI_NIDENT];
	return type == ET_DYN;
}

typedef struct seen_files {
	size_t count;
	struct {
		dev_t dev;
		ino_t ino;
	} * ids;
} seen_files;

/* True the first time a file (by device and inode) is offered. */
static bool first_sighting(seen_files *seen, const struct stat *st)
{
	for (size_t i = 0; i < seen->count; i++)
		if (seen->ids[i].dev == st->st_dev && seen->ids[i].ino == st->st_ino)
			return false;
	seen->ids = otto__realloc(seen->ids, (seen->count + 1) * sizeof *seen->ids);
	seen->ids[seen->count].dev = st->st_dev;
	seen->ids[seen->count].ino = st->st_ino;
	seen->count++;
	return true;
}

/* A file named directly is offered even without the .so suffix: the user
 * asked for it, and the inspection will say what is wrong with it. */
static void offer(const otto_registry *reg, const char *path, bool named_directly, seen_files *seen,
		  otto_strlist *files, otto_strlist *refusals)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (!named_directly && !is_shared_object(path))
		return;
	if (!first_sighting(seen, &st))
		return;
	otto__strlist_push(files, path);
	otto__strlist_push_owned(refusals, otto__registry_trust(reg, path));
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void discover_dir(const otto_registry *reg, const char *dir, seen_files *seen, otto_strlist *files,
			 otto_strlist *refusals)
{
	DIR *d = opendir(dir);
	if (!d)
		return; /* a missing folder simply holds no plugins */
	otto_strlist names = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (has_plugin_name(de->d_name))
			otto__strlist_push(&names, de->d_name);
	closedir(d);
	if (names.count)
		qsort(names.items, names.count, sizeof *names.items, compare_names);
	for (size_t i = 0; i < names.count; i++) {
		char *path = otto__path_join(dir, names.items[i]);
		offer(reg, path, false, seen, files, refusals);
		free(path);
	}
	otto_strlist_free(&names);
}

void otto__registry_discover(const otto_registry *reg, otto_strlist *files, otto_strlist *refusals)
{
	seen_files seen = {0, NULL};
	for (size_t i = 0; i < reg->n_sources; i++) {
		if (reg->sources[i].is_file)
			offer(reg, reg->sources[i].path, true, &seen, files, refusals);
		else
			discover_dir(reg, reg->sources[i].path, &seen, files, refusals);
	}
	free(seen.ids);
}
