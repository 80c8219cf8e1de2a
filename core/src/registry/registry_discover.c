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

/* The files offered so far, by device and inode: an open-addressing set
 * (a thousand plugins must not cost a million comparisons). */
typedef struct file_id {
	dev_t dev;
	ino_t ino;
	bool used;
} file_id;

typedef struct seen_files {
	size_t count, n_slots;
	file_id *slots;
} seen_files;

static size_t id_slot(const seen_files *seen, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)ino * 0xc2b2ae3d27d4eb4full);
	size_t k = (size_t)(h ^ (h >> 29)) & (seen->n_slots - 1);
	while (seen->slots[k].used && (seen->slots[k].dev != dev || seen->slots[k].ino != ino))
		k = (k + 1) & (seen->n_slots - 1);
	return k;
}

/* True the first time a file (by device and inode) is offered. */
static bool first_sighting(seen_files *seen, const struct stat *st)
{
	if ((seen->count + 1) * 2 > seen->n_slots) {
		seen_files bigger = {0, seen->n_slots ? seen->n_slots * 2 : 64, NULL};
		bigger.slots = otto__calloc(bigger.n_slots, sizeof *bigger.slots);
		for (size_t i = 0; i < seen->n_slots; i++)
			if (seen->slots[i].used)
				bigger.slots[id_slot(&bigger, seen->slots[i].dev, seen->slots[i].ino)] = seen->slots[i];
		bigger.count = seen->count;
		free(seen->slots);
		*seen = bigger;
	}
	size_t k = id_slot(seen, st->st_dev, st->st_ino);
	if (seen->slots[k].used)
		return false;
	seen->slots[k] = (file_id){st->st_dev, st->st_ino, true};
	seen->count++;
	return true;
}

/* A file named directly is offered even without the .so suffix: the user
 * asked for it, and the inspection will say what is wrong with it. `lst`:
 * the entry's own fstatat in its trusted folder when it is a regular file
 * (then it is what stat would say too), else NULL. */
static void offer(const otto_registry *reg, const otto__trusted_dir *dir, const char *path, const char *name,
		  const struct stat *lst, bool named_directly, seen_files *seen, otto__discovery *d)
{
	struct stat st;
	if (lst)
		st = *lst;
	else if (stat(path, &st) != 0)
		return;
	if (!S_ISREG(st.st_mode))
		return;
	if (!named_directly && !(d->known && d->known(d->known_ud, path, &st)) && !is_shared_object(path))
		return;
	if (!first_sighting(seen, &st))
		return;
	/* Grown in powers of two, as the lists are. */
	size_t n = d->files.count;
	if ((n & (n - 1)) == 0)
		d->stats = otto__realloc(d->stats, (n ? n * 2 : 1) * sizeof *d->stats);
	d->stats[n] = st;
	otto__strlist_push(&d->files, path);
	otto__strlist_push_owned(&d->refusals, otto__registry_trust_in(reg, dir, path, name, lst));
}

/* Sort names by strcmp: a merge sort of the pointers, bottom-up. qsort
 * cost a warm run with a thousand plugins a quarter of its instructions
 * (its generic element moves and the call per comparison). */
static void sort_names(char **items, size_t n)
{
	if (n < 2)
		return;
	char **tmp = otto__malloc(n * sizeof *tmp);
	char **from = items, **to = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				to[k++] = strcmp(from[j], from[i]) < 0 ? from[j++] : from[i++];
			while (i < mid)
				to[k++] = from[i++];
			while (j < hi)
				to[k++] = from[j++];
		}
		char **swap = from;
		from = to;
		to = swap;
	}
	if (from != items)
		memcpy(items, from, n * sizeof *items);
	free(tmp);
}

static void discover_dir(const otto_registry *reg, const char *dir, seen_files *seen, otto__discovery *d)
{
	DIR *dh = opendir(dir);
	if (!dh)
		return; /* a missing folder simply holds no plugins */
	otto_strlist names = {0};
	struct dirent *de;
	while ((de = readdir(dh)) != NULL)
		if (has_plugin_name(de->d_name))
			otto__strlist_push(&names, de->d_name);
	closedir(dh);
	/* The folder's path is walked once, not once per file; each entry
	 * then costs one fstatat in it (more only for a link). */
	otto__trusted_dir trusted;
	otto__registry_trust_dir(dir, &trusted);
	sort_names(names.items, names.count);
	for (size_t i = 0; i < names.count; i++) {
		char *path = otto__path_join(dir, names.items[i]);
		struct stat lst;
		bool plain = trusted.fd >= 0 && fstatat(trusted.fd, names.items[i], &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
			     S_ISREG(lst.st_mode);
		offer(reg, &trusted, path, names.items[i], plain ? &lst : NULL, false, seen, d);
		free(path);
	}
	if (trusted.fd >= 0)
		close(trusted.fd);
	otto_strlist_free(&names);
}

void otto__registry_discover(const otto_registry *reg, otto__discovery *d)
{
	seen_files seen = {0, 0, NULL};
	for (size_t i = 0; i < reg->n_sources; i++) {
		if (reg->sources[i].is_file)
			offer(reg, NULL, reg->sources[i].path, NULL, NULL, true, &seen, d);
		else
			discover_dir(reg, reg->sources[i].path, &seen, d);
	}
	free(seen.slots);
}

void otto__discovery_free(otto__discovery *d)
{
	otto_strlist_free(&d->files);
	otto_strlist_free(&d->refusals);
	free(d->stats);
	d->stats = NULL;
}
