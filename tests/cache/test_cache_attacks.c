/*
 * The cache file is data on disk, and not to be believed: corrupt,
 * truncated, from another format version, a symbolic link, a FIFO, huge,
 * writable by others, owned by another user, or in a folder others may
 * write. Each is ignored (every file inspected again, the answer the same)
 * and, where the folder is ours, replaced by a sound cache.
 */
#include "cache_support.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Warm the cache; return the cold answer. */
static char *warm(cache_fx *f)
{
	char *cold = cf_plugins_json(f, NULL);
	free(cf_plugins_json(f, NULL));
	cr_assert_eq(cf_loads(f, NULL), 2, "the second run came from the cache");
	return cold;
}

/* After tampering: the next run believes none of it, and says the same.
 * When `rebuilt`, the run after that is warm again. */
static void expect_ignored(cache_fx *f, const char *cold, bool rebuilt, const char *what)
{
	size_t before = cf_loads(f, NULL);
	char *now = cf_plugins_json(f, NULL);
	cr_assert_eq(cf_loads(f, NULL), before + 2, "%s: every file is inspected again", what);
	cr_assert_str_eq(now, cold, "%s: the answer is the same", what);
	free(now);
	free(cf_plugins_json(f, NULL));
	if (rebuilt)
		cr_assert_eq(cf_loads(f, NULL), before + 2, "%s: the cache was rebuilt", what);
	else
		cr_assert_eq(cf_loads(f, NULL), before + 4, "%s: still not used", what);
}

static char *read_cache(const cache_fx *f, size_t *len)
{
	struct stat st;
	cr_assert(stat(f->cache, &st) == 0);
	char *data = malloc((size_t)st.st_size + 1);
	int fd = open(f->cache, O_RDONLY);
	cr_assert(fd >= 0 && read(fd, data, (size_t)st.st_size) == st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return data;
}

static void write_cache(const cache_fx *f, const char *data, size_t len)
{
	int fd = open(f->cache, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0 && write(fd, data, len) == (ssize_t)len && close(fd) == 0);
}

Test(cache_attacks, a_corrupt_cache_is_rebuilt)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	size_t len;
	char *data = read_cache(&f, &len);
	/* A byte in the middle of the entries: a backend name, a stamp... */
	data[len / 2] ^= 0x20;
	write_cache(&f, data, len);
	expect_ignored(&f, cold, true, "a flipped byte");
	free(data);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_truncated_cache_is_rebuilt)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	size_t len;
	char *data = read_cache(&f, &len);
	write_cache(&f, data, len - 1);
	expect_ignored(&f, cold, true, "one byte short");
	write_cache(&f, data, 10);
	expect_ignored(&f, cold, true, "a header cut short");
	write_cache(&f, "", 0);
	expect_ignored(&f, cold, true, "an empty file");
	free(data);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, bytes_past_the_end_are_not_believed)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	size_t len;
	char *data = read_cache(&f, &len);
	data = realloc(data, len + 4);
	memcpy(data + len, "junk", 4);
	write_cache(&f, data, len + 4);
	expect_ignored(&f, cold, true, "bytes appended");
	free(data);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_cache_of_another_format_version_is_rebuilt)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	size_t len;
	char *data = read_cache(&f, &len);
	cr_assert(memcmp(data, "OTTOPLGC", 8) == 0);
	/* The format version is a little-endian u32 (2 since the checksum
	 * sums words): the version before and the one after are ignored. */
	unsigned char version = (unsigned char)data[8];
	cr_assert(version >= 2 && data[9] == 0 && data[10] == 0 && data[11] == 0, "format version %u", version);
	data[8] = (char)(version - 1);
	write_cache(&f, data, len);
	expect_ignored(&f, cold, true, "the format version before");
	data[8] = (char)(version + 1);
	write_cache(&f, data, len);
	expect_ignored(&f, cold, true, "the format version after");
	free(data);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_symlinked_cache_is_not_followed)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	/* A sound cache, but reached through a link. */
	char *elsewhere = tu_fmt("%s/elsewhere.cache", f.root);
	cr_assert(rename(f.cache, elsewhere) == 0);
	cr_assert(symlink(elsewhere, f.cache) == 0);
	expect_ignored(&f, cold, true, "a symbolic link");
	struct stat st;
	cr_assert(lstat(f.cache, &st) == 0 && S_ISREG(st.st_mode), "the link was replaced, not written through");
	free(elsewhere);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_fifo_does_not_block, .timeout = 60)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	cr_assert(unlink(f.cache) == 0 && mkfifo(f.cache, 0600) == 0);
	expect_ignored(&f, cold, true, "a FIFO");
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_huge_cache_is_not_read)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	/* A sound cache followed by a hole: 1 GiB, never read. */
	cr_assert(truncate(f.cache, 1L << 30) == 0);
	expect_ignored(&f, cold, true, "a 1 GiB file");
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_cache_others_may_write_is_not_believed)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	cr_assert(chmod(f.cache, 0620) == 0);
	expect_ignored(&f, cold, true, "a group-writable file");
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_cache_of_another_user_is_not_believed)
{
	int uid, gid;
	tu_test_user("otto-cache-owner", &uid, &gid);
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	/* A sound cache, written by root, now owned by another user: it could
	 * have written anything. */
	cr_assert(chown(f.cache, (uid_t)uid, (gid_t)gid) == 0);
	expect_ignored(&f, cold, true, "a file of another user");
	struct stat st;
	cr_assert(stat(f.cache, &st) == 0 && st.st_uid == geteuid(), "replaced by our own");
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_cache_folder_others_may_write_is_not_used)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	char *dir = tu_fmt("%s/otto", f.xdg);
	cr_assert(chmod(dir, 0777) == 0);
	struct stat before, after;
	cr_assert(stat(f.cache, &before) == 0);
	expect_ignored(&f, cold, false, "a folder others may write");
	cr_assert(stat(f.cache, &after) == 0);
	cr_assert_eq(after.st_ino, before.st_ino, "nothing was written there");
	free(dir);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_cache_folder_of_another_user_is_not_used)
{
	int uid, gid;
	tu_test_user("otto-cache-owner", &uid, &gid);
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	char *dir = tu_fmt("%s/otto", f.xdg);
	cr_assert(chown(dir, (uid_t)uid, (gid_t)gid) == 0);
	expect_ignored(&f, cold, false, "a folder of another user");
	free(dir);
	free(cold);
	cf_teardown(&f);
}

Test(cache_attacks, a_symlinked_cache_folder_is_not_used)
{
	cache_fx f;
	cf_setup(&f);
	char *cold = warm(&f);
	char *dir = tu_fmt("%s/otto", f.xdg);
	char *real = tu_fmt("%s/real-otto", f.root);
	cr_assert(rename(dir, real) == 0 && symlink(real, dir) == 0);
	expect_ignored(&f, cold, false, "a folder reached through a link");
	free(real);
	free(dir);
	free(cold);
	cf_teardown(&f);
}
