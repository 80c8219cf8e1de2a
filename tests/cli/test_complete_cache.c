/*
 * Completion's answer cache (core/cli/complete_cache.h) and the global
 * options it honours: a kept answer starts no worker (seen by breaking the
 * worker with OTTO_WORKER_PROGRAM=/bin/false: a run that asks the backend
 * then completes nothing), every change its key covers asks again, an old
 * answer expires, and a cache file that is not this user's alone, or not
 * whole, is never read. Real plugins, real files, a real second user.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXAMPLE_LABS                                                                                             \
	"[lab]\nbackend = \"example\"\n[lab.example]\nhosts = [\"bench10: b10 10.0.0.10 r10\", "                 \
	"\"bench2: b2 10.0.0.2 r2\"]\n[reservations]\nbackend = \"example\"\n"

static char *project, *xdg, *cache_file, *time_limit;

static void make_project(void)
{
	project = ct_project(EXAMPLE_LABS);
	xdg = tu_fmt("XDG_CACHE_HOME=%s/xdg", project);
	cache_file = tu_fmt("%s/xdg/otto/complete.cache", project);
	time_limit = tu_fmt("OTTO_COMPLETE_TIMEOUT_MS=%d", tu_scaled_seconds(10) * 1000);
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
	free(xdg);
	free(cache_file);
	free(time_limit);
}

TestSuite(complete_cache, .init = make_project, .fini = remove_project);

enum { WORKER_OK, WORKER_BROKEN };

/* The candidates of `otto __complete -- WORDS`, with the answer cache's
 * time limit `ttl` ("3600", "0"...), the worker working or broken. */
static char *complete_with(const char *ttl, int worker, const char *home, const char *const *words)
{
	const char *argv[16] = {"__complete", "--"};
	size_t n = 2;
	for (size_t i = 0; words[i] && n + 1 < 16; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	char *ttl_env = tu_fmt("OTTO_COMPLETE_CACHE_TTL=%s", ttl);
	char *home_env = tu_fmt("HOME=%s", home ? home : project);
	/* The registry cache on (it is off in tests): a kept answer still
	 * needs the registry, which a broken worker could not scan. */
	const char *env[] = {xdg, ttl_env, time_limit, home_env, "OTTO_PLUGIN_CACHE=1",
			     worker == WORKER_BROKEN ? "OTTO_WORKER_PROGRAM=/bin/false" : NULL, NULL};
	tu_result r = ct_run(project, env, argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.err);
	char *out = strdup(r.out);
	tu_result_free(&r);
	free(ttl_env);
	free(home_env);
	return out;
}

static void expect(const char *ttl, int worker, const char *const *words, const char *expected, const char *why)
{
	char *got = complete_with(ttl, worker, NULL, words);
	cr_assert_str_eq(got, expected, "%s: got\n%s", why, got);
	free(got);
}

#define LAB_SHOW CT_ARGS("lab", "show", "")

Test(complete_cache, a_kept_answer_starts_no_worker)
{
	expect("0", WORKER_BROKEN, LAB_SHOW, "", "a broken worker answers nothing");
	cr_assert(access(cache_file, F_OK) != 0, "the cache was written with its time limit 0");
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	expect("3600", WORKER_BROKEN, LAB_SHOW, "bench2\nbench10\n", "the answer kept");
	expect("0", WORKER_BROKEN, LAB_SHOW, "", "the cache is off with its time limit 0");
	struct stat st;
	cr_assert_eq(lstat(cache_file, &st), 0);
	cr_assert(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600, "mode %o", (unsigned)st.st_mode);
	/* Only completion reads it: a command asks its backend. */
	tu_result r = CT_RUN(project, CT_ARGS(xdg, "OTTO_PLUGIN_CACHE=1", "OTTO_WORKER_PROGRAM=/bin/false"), "lab", "list");
	cr_assert_neq(r.status, 0, "'otto lab list' answered without its worker:\n%s", r.out);
	tu_result_free(&r);
	/* Each question is its own answer. */
	expect("3600", WORKER_BROKEN, CT_ARGS("--as-user", ""), "", "user names were never asked");
	expect("3600", WORKER_OK, CT_ARGS("--as-user", ""), "alice\nbob\n", "user names");
	expect("3600", WORKER_BROKEN, CT_ARGS("--as-user", ""), "alice\nbob\n", "user names kept");
	expect("3600", WORKER_BROKEN, CT_ARGS("lock", "acquire", ""), "", "host ids were never asked");
	expect("3600", WORKER_OK, CT_ARGS("lock", "acquire", ""), "b2\nb10\n", "host ids");
	expect("3600", WORKER_BROKEN, CT_ARGS("lock", "acquire", ""), "b2\nb10\n", "host ids kept");
}

Test(complete_cache, a_settings_change_asks_again)
{
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	/* Same size, same folder: only the file's stamp tells them apart. */
	char *settings = tu_write(project, ".otto/settings.toml", EXAMPLE_LABS);
	free(tu_write(project, ".otto/settings.toml",
		      "[lab]\nbackend = \"example\"\n[lab.example]\nhosts = [\"bench11: b10 10.0.0.10 r10\", "
		      "\"bench3: b2 10.0.0.2 r2\"]\n[reservations]\nbackend = \"example\"\n"));
	expect("3600", WORKER_BROKEN, LAB_SHOW, "", "new settings, the old answer");
	expect("3600", WORKER_OK, LAB_SHOW, "bench3\nbench11\n", "new settings");
	free(settings);
}

Test(complete_cache, a_data_file_the_settings_name_is_in_the_key)
{
	free(tu_write(project, ".otto/settings.toml", "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n"));
#define HOST "{\"element\": \"e%d\", \"ip\": \"10.0.0.%d\", \"labs\": [\"%s\"]}"
	char *one = tu_fmt(HOST, 1, 1, "bench2"), *two = tu_fmt(HOST, 2, 2, "bench7");
	char *first = tu_fmt("{\"hosts\": [%s]}\n", one), *second = tu_fmt("{\"hosts\": [%s, %s]}\n", one, two);
	free(tu_write(project, "lab.json", first));
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\n", "the json backend answers");
	expect("3600", WORKER_BROKEN, LAB_SHOW, "bench2\n", "the answer kept");
	free(tu_write(project, "lab.json", second));
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench7\n", "the data file changed");
	free(one);
	free(two);
	free(first);
	free(second);
}

Test(complete_cache, a_plugin_file_change_asks_again)
{
	free(tu_write(project, ".otto/settings.toml", "[plugins]\npath = [\"plugins\"]\n[lab]\nbackend = \"fixture\"\n"));
	char *dir = tu_fmt("%s/plugins", project);
	char *copy = tu_fmt("cp %s/fixture.so %s/", CT_FIXTURE_DIR, dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(system(copy), 0);
	expect("3600", WORKER_OK, LAB_SHOW, "alpha\nbeta\n", "the fixture answers");
	expect("3600", WORKER_BROKEN, LAB_SHOW, "alpha\nbeta\n", "the answer kept");
	char *plugin = tu_fmt("%s/fixture.so", dir);
	/* A rebuilt plugin: same path, new stamp. */
	cr_assert_eq(utimensat(AT_FDCWD, plugin, NULL, 0), 0);
	expect("3600", WORKER_BROKEN, LAB_SHOW, "", "the plugin changed, the old answer");
	free(plugin);
	free(copy);
	free(dir);
}

Test(complete_cache, an_old_answer_expires)
{
	expect("1", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	/* A slower machine only makes the answer older. */
	usleep(1300 * 1000);
	expect("1", WORKER_BROKEN, LAB_SHOW, "", "an answer older than its time limit");
}

/* A good cache file, then `spoil` run on it: completion must not read it. */
static void refuses(const char *what, void (*spoil)(void))
{
	unlink(cache_file);
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	expect("3600", WORKER_BROKEN, LAB_SHOW, "bench2\nbench10\n", "the answer kept");
	spoil();
	expect("3600", WORKER_BROKEN, LAB_SHOW, "", what);
}

static void group_readable(void)
{
	cr_assert_eq(chmod(cache_file, 0640), 0);
}

static void through_a_symlink(void)
{
	char *real = tu_fmt("%s.real", cache_file);
	cr_assert_eq(rename(cache_file, real), 0);
	cr_assert_eq(symlink(real, cache_file), 0);
	free(real);
}

static void another_owner(void)
{
	int uid, gid;
	tu_test_user("otto-cc-other", &uid, &gid);
	cr_assert_eq(chown(cache_file, (uid_t)uid, (gid_t)gid), 0);
}

static void a_fifo(void)
{
	cr_assert_eq(unlink(cache_file), 0);
	cr_assert_eq(mkfifo(cache_file, 0600), 0);
}

static void flip_byte(off_t at_end)
{
	int fd = open(cache_file, O_RDWR);
	cr_assert(fd >= 0);
	off_t size = lseek(fd, 0, SEEK_END);
	unsigned char c;
	cr_assert_eq(pread(fd, &c, 1, size - at_end), 1);
	c ^= 0x20;
	cr_assert_eq(pwrite(fd, &c, 1, size - at_end), 1);
	close(fd);
}

static void a_changed_name(void)
{
	flip_byte(2); /* in the last name: only the checksum tells */
}

static void truncated(void)
{
	struct stat st;
	cr_assert_eq(stat(cache_file, &st), 0);
	cr_assert_eq(truncate(cache_file, st.st_size - 1), 0);
}

static void bytes_past_the_end(void)
{
	int fd = open(cache_file, O_WRONLY | O_APPEND);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
}

static void folder_writable_by_group(void)
{
	char *dir = tu_fmt("%s/xdg/otto", project);
	cr_assert_eq(chmod(dir, 0770), 0);
	free(dir);
}

Test(complete_cache, a_file_not_ours_alone_or_not_whole_is_never_read)
{
	refuses("a group-readable cache file", group_readable);
	refuses("a cache file through a symlink", through_a_symlink);
	/* The next answer kept replaces the link, never what it points to. */
	unlink(cache_file);
	refuses("a cache file of another user", another_owner);
	refuses("a FIFO", a_fifo);
	refuses("a name changed in the file", a_changed_name);
	refuses("a truncated file", truncated);
	refuses("bytes past the end", bytes_past_the_end);
	refuses("a folder others may write", folder_writable_by_group);
	/* ... and nothing is kept there either. */
	unlink(cache_file);
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	cr_assert(access(cache_file, F_OK) != 0, "an answer was kept in a folder others may write");
}

Test(complete_cache, a_symlink_in_its_place_is_replaced_not_followed)
{
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	char *victim = tu_write(project, "victim", "untouched\n");
	cr_assert_eq(unlink(cache_file), 0);
	cr_assert_eq(symlink(victim, cache_file), 0);
	expect("3600", WORKER_OK, LAB_SHOW, "bench2\nbench10\n", "the backend answers");
	char *text = tu_read(victim);
	cr_assert_str_eq(text, "untouched\n");
	struct stat st;
	cr_assert_eq(lstat(cache_file, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "the link is still there");
	free(text);
	free(victim);
}

/* ------------------------------------------- options on the line -- */

Test(complete_cache, plugin_dir_and_settings_on_the_line_choose_what_is_completed)
{
	free(tu_write(project, "elsewhere/fixture.toml", "[lab]\nbackend = \"fixture\"\n"));
	/* The fixture plugin is found only through --plugin-dir. */
	expect("0", WORKER_OK, CT_ARGS("--settings", "elsewhere/fixture.toml", "lab", "show", ""), "",
	       "no --plugin-dir, no fixture backend");
	expect("0", WORKER_OK,
	       CT_ARGS("--settings", "elsewhere/fixture.toml", "--plugin-dir", CT_FIXTURE_DIR, "lab", "show", ""),
	       "alpha\nbeta\n", "--plugin-dir before the command");
	expect("0", WORKER_OK,
	       CT_ARGS("lab", "--plugin-dir=" CT_FIXTURE_DIR, "show", "--settings=elsewhere/fixture.toml", ""),
	       "alpha\nbeta\n", "--plugin-dir=DIR and --settings=FILE among the command's words");
	/* Words are completed as typed: "~/" is the shell's to expand. */
	expect("0", WORKER_OK,
	       CT_ARGS("--settings", "~/elsewhere/fixture.toml", "--plugin-dir", CT_FIXTURE_DIR, "lab", "show", ""),
	       "alpha\nbeta\n", "~/ in --settings");
	/* Kept answers are per plugin folder too. */
	expect("3600", WORKER_OK,
	       CT_ARGS("--settings", "elsewhere/fixture.toml", "--plugin-dir", CT_FIXTURE_DIR, "lab", "show", ""),
	       "alpha\nbeta\n", "kept");
	expect("3600", WORKER_OK, CT_ARGS("--settings", "elsewhere/fixture.toml", "lab", "show", ""), "",
	       "another plugin search path, another key");
}
