/*
 * The registry cache through the otto command (issue 13): a warm run
 * inspects no file, any change of a file's key makes it inspected again, a
 * failure is remembered until the file changes, --rescan and
 * OTTO_PLUGIN_CACHE=0 bypass it, and nothing about which backend wins
 * changes. The marker plugins' log says which files a run really loaded.
 */
#include "cache_support.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A cold run (both markers inspected once), then a warm one (neither). */
static char *warm_up(cache_fx *f)
{
	size_t base = cf_loads(f, NULL);
	char *cold = cf_plugins_json(f, NULL);
	cr_assert_eq(cf_loads(f, NULL), base + 2, "the cold run inspects both files");
	struct stat st;
	cr_assert(stat(f->cache, &st) == 0 && S_ISREG(st.st_mode), "the cold run writes the cache");
	cr_assert_eq(st.st_mode & 0777, 0600);
	char *warm = cf_plugins_json(f, NULL);
	cr_assert_eq(cf_loads(f, NULL), base + 2, "the warm run inspects nothing");
	cr_assert_str_eq(warm, cold, "the warm run says what the cold one said");
	free(cold);
	return warm;
}

Test(cache, warm_run_inspects_nothing_and_says_the_same)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	/* The cache folder is private. */
	char *dir = tu_fmt("%s/otto", f.xdg);
	struct stat st;
	cr_assert(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	free(dir);
	cf_teardown(&f);
}

Test(cache, warm_lab_list_loads_only_the_backend_used)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	tu_result r = CF_RUN(&f, NULL, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "lab-of-marker-a\n");
	cr_assert_eq(cf_loads(&f, "marker-a"), 2, "the backend used is loaded once, to be used");
	cr_assert_eq(cf_loads(&f, "marker-b"), 1, "the other file is not loaded at all");
	tu_result_free(&r);
	cf_teardown(&f);
}

/* The file changes in some way; the next run inspects it (and only it). */
static void expect_rescanned(cache_fx *f, const char *what)
{
	size_t a = cf_loads(f, "marker-a"), b = cf_loads(f, "marker-b");
	char *json = cf_plugins_json(f, NULL);
	cr_assert_eq(cf_loads(f, "marker-a"), a + 1, "after %s, the file is inspected again", what);
	cr_assert_eq(cf_loads(f, "marker-b"), b, "after %s, the other file still comes from the cache", what);
	char *status = cf_status(json, "marker_a.so");
	cr_assert_str_eq(status, "loaded");
	free(status);
	free(json);
	/* ... and the cache now holds the new file. */
	free(cf_plugins_json(f, NULL));
	cr_assert_eq(cf_loads(f, "marker-a"), a + 1, "after %s, the new file is cached", what);
}

static char *marker_a(const cache_fx *f)
{
	return tu_fmt("%s/marker_a.so", f->plugins);
}

static void set_mtime(const char *path, const struct timespec *mtime)
{
	struct timespec times[2] = {{0, UTIME_OMIT}, *mtime};
	cr_assert(utimensat(AT_FDCWD, path, times, 0) == 0);
}

Test(cache, a_changed_size_is_inspected_again)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	char *path = marker_a(&f);
	struct stat before;
	cr_assert(stat(path, &before) == 0);
	int fd = open(path, O_WRONLY | O_APPEND);
	cr_assert(fd >= 0 && write(fd, "\0", 1) == 1 && close(fd) == 0);
	set_mtime(path, &before.st_mtim); /* only the size (and ctime) differ */
	expect_rescanned(&f, "a byte appended");
	free(path);
	cf_teardown(&f);
}

Test(cache, a_changed_mtime_is_inspected_again)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	char *path = marker_a(&f);
	struct stat before;
	cr_assert(stat(path, &before) == 0);
	struct timespec later = before.st_mtim;
	later.tv_nsec = (later.tv_nsec + 1) % 1000000000; /* one nanosecond away */
	set_mtime(path, &later);
	expect_rescanned(&f, "touch");
	free(path);
	cf_teardown(&f);
}

Test(cache, a_replaced_file_with_the_same_size_and_mtime_is_inspected_again)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	char *path = marker_a(&f);
	char *tmp = tu_fmt("%s/.new", f.plugins);
	struct stat before, after;
	cr_assert(stat(path, &before) == 0);
	/* Another inode, same bytes, same size and mtime (cp, touch -d, mv). */
	cf_copy(path, tmp);
	set_mtime(tmp, &before.st_mtim);
	cr_assert(rename(tmp, path) == 0);
	cr_assert(stat(path, &after) == 0);
	cr_assert_neq(after.st_ino, before.st_ino);
	cr_assert_eq(after.st_size, before.st_size);
	cr_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	expect_rescanned(&f, "a file replaced by one of the same size and mtime");
	free(tmp);
	free(path);
	cf_teardown(&f);
}

Test(cache, a_file_rewritten_in_place_with_its_mtime_restored_is_inspected_again)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	char *path = marker_a(&f);
	struct stat before, after;
	cr_assert(stat(path, &before) == 0);
	/* The same inode, size and mtime (cp -p over the old file): only the
	 * ctime, which nobody can set back, tells. Wait for the clock to move. */
	char *bytes = NULL;
	size_t len = (size_t)before.st_size;
	bytes = malloc(len);
	int fd = open(path, O_RDWR);
	cr_assert(fd >= 0 && read(fd, bytes, len) == (ssize_t)len);
	struct timespec pause = {0, 20 * 1000 * 1000};
	nanosleep(&pause, NULL);
	cr_assert(pwrite(fd, bytes, len, 0) == (ssize_t)len && close(fd) == 0);
	set_mtime(path, &before.st_mtim);
	cr_assert(stat(path, &after) == 0);
	cr_assert_eq(after.st_ino, before.st_ino);
	cr_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	cr_assert(after.st_ctim.tv_sec != before.st_ctim.tv_sec || after.st_ctim.tv_nsec != before.st_ctim.tv_nsec);
	expect_rescanned(&f, "a rewrite in place with the mtime restored");
	free(bytes);
	free(path);
	cf_teardown(&f);
}

Test(cache, another_path_to_the_same_content_is_inspected)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	char *path = marker_a(&f);
	char *moved = tu_fmt("%s/marker_z.so", f.plugins);
	cr_assert(rename(path, moved) == 0); /* same inode, size, mtime: another path */
	char *json = cf_plugins_json(&f, NULL);
	cr_assert_eq(cf_loads(&f, "marker-a"), 2);
	char *status = cf_status(json, "marker_z.so");
	cr_assert_str_eq(status, "loaded");
	free(status);
	free(json);
	free(moved);
	free(path);
	cf_teardown(&f);
}

Test(cache, a_failed_file_is_remembered_until_it_changes)
{
	cache_fx f;
	cf_setup(&f);
	char *crash = cf_add(&f, "crash", "marker_crash.so");
	char *cold = cf_plugins_json(&f, NULL);
	/* (Once in the shared worker, then alone: a crash after another file
	 * is only believed from a worker of its own.) */
	size_t crashes = cf_loads(&f, "marker-crash");
	cr_assert(crashes >= 1);
	char *status = cf_status(cold, "marker_crash.so");
	cr_assert_str_eq(status, "failed");
	free(status);
	cr_assert(tu_contains(cold, "crashed with SIGSEGV"), "%s", cold);
	char *warm = cf_plugins_json(&f, NULL);
	cr_assert_eq(cf_loads(&f, "marker-crash"), crashes, "a crash is not retried while the file is unchanged");
	cr_assert_str_eq(warm, cold, "and it is reported the same");
	/* The file changes: inspected again (and it still crashes). */
	struct stat st;
	cr_assert(stat(crash, &st) == 0);
	struct timespec later = {st.st_mtim.tv_sec + 1, st.st_mtim.tv_nsec};
	set_mtime(crash, &later);
	char *again = cf_plugins_json(&f, NULL);
	cr_assert_gt(cf_loads(&f, "marker-crash"), crashes, "a changed file is inspected again");
	status = cf_status(again, "marker_crash.so");
	cr_assert_str_eq(status, "failed");
	free(status);
	/* Replaced by a working plugin: loaded. */
	char *tmp = cf_add(&f, "b", ".tmp");
	cr_assert(rename(tmp, crash) == 0);
	char *fixed = cf_plugins_json(&f, NULL);
	status = cf_status(fixed, "marker_crash.so");
	cr_assert_str_eq(status, "duplicate", "marker_b.so registered marker-b first");
	free(status);
	free(fixed);
	free(tmp);
	free(again);
	free(warm);
	free(cold);
	free(crash);
	cf_teardown(&f);
}

Test(cache, rescan_inspects_every_file_and_rewrites_the_cache)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	struct stat before, after;
	cr_assert(stat(f.cache, &before) == 0);
	tu_result r = CF_RUN(&f, NULL, "plugins", "--rescan");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "marker_a.so: loaded"), "%s", r.out);
	tu_result_free(&r);
	cr_assert_eq(cf_loads(&f, NULL), 4, "--rescan inspects both files");
	cr_assert(stat(f.cache, &after) == 0);
	cr_assert_neq(after.st_ino, before.st_ino, "the cache is written anew");
	free(cf_plugins_json(&f, NULL));
	cr_assert_eq(cf_loads(&f, NULL), 4, "and used by the next run");
	cf_teardown(&f);
}

Test(cache, turned_off_by_the_environment)
{
	cache_fx f;
	cf_setup(&f);
	const char *const off[] = {"OTTO_PLUGIN_CACHE=0", NULL};
	free(cf_plugins_json(&f, off));
	free(cf_plugins_json(&f, off));
	cr_assert_eq(cf_loads(&f, NULL), 4, "every run inspects every file");
	cr_assert(access(f.cache, F_OK) != 0, "and no cache is written");
	/* A warm cache is not read either. */
	free(warm_up(&f));
	free(cf_plugins_json(&f, off));
	cr_assert_eq(cf_loads(&f, NULL), 8);
	cf_teardown(&f);
}

Test(cache, an_unwritable_cache_folder_works_just_slower)
{
	cache_fx f;
	cf_setup(&f);
	/* XDG_CACHE_HOME is a plain file: no folder can be made there (a
	 * read-only folder root could still write to). */
	char *file_home = tu_write(f.root, "not-a-folder", "x");
	char *env_home = tu_fmt("XDG_CACHE_HOME=%s", file_home);
	const char *const env[] = {env_home, NULL};
	char *first = cf_plugins_json(&f, env);
	char *second = cf_plugins_json(&f, env);
	cr_assert_str_eq(first, second);
	cr_assert_eq(cf_loads(&f, NULL), 4, "no cache, so each run inspects the files");
	free(first);
	free(second);
	free(env_home);
	free(file_home);
	cf_teardown(&f);
}

Test(cache, a_read_only_cache_folder_of_another_user_works_just_slower)
{
	int uid, gid;
	tu_test_user("otto-cache-ro", &uid, &gid);
	cache_fx f;
	cf_setup(&f);
	/* The test user's own cache folder, read-only (0500): nothing can be
	 * written, every run works. */
	char *otto_dir = tu_fmt("%s/otto", f.xdg);
	cr_assert(mkdir(otto_dir, 0500) == 0);
	cr_assert(chown(otto_dir, (uid_t)uid, (gid_t)gid) == 0 && chown(f.xdg, (uid_t)uid, (gid_t)gid) == 0);
	cr_assert(chmod(f.project, 0755) == 0 && chmod(f.root, 0755) == 0);
	chmod(f.log, 0666);
	int fd = open(f.log, O_CREAT | O_WRONLY, 0666);
	cr_assert(fd >= 0 && fchmod(fd, 0666) == 0 && close(fd) == 0);
	char *e_path = tu_fmt("OTTO_PLUGIN_PATH=%s", f.plugins);
	char *e_xdg = tu_fmt("XDG_CACHE_HOME=%s", f.xdg);
	char *e_log = tu_fmt("OTTO_TEST_SCAN_LOG=%s", f.log);
	const char *const env[] = {"OTTO_PLUGIN_CACHE=1", e_path, e_xdg, e_log, "HOME=/nonexistent", NULL};
	for (int i = 0; i < 2; i++) {
		tu_result r = tu_run_as(uid, gid, (const char *const[]){OTTO_BIN, "plugins", NULL}, f.project, env, 30);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(tu_contains(r.out, "marker_a.so: loaded"), "%s", r.out);
		cr_assert_str_empty(r.err);
		tu_result_free(&r);
	}
	cr_assert_eq(cf_loads(&f, NULL), 4, "each run inspects the files");
	cr_assert(access(f.cache, F_OK) != 0);
	free(e_path);
	free(e_xdg);
	free(e_log);
	free(otto_dir);
	cf_teardown(&f);
}

Test(cache, two_processes_writing_at_once_leave_a_whole_cache)
{
	cache_fx f;
	cf_setup(&f);
	for (int round = 0; round < 5; round++) {
		unlink(f.cache);
		char *script = tu_fmt("'%s' plugins >/dev/null & '%s' plugins >/dev/null & '%s' plugins >/dev/null & "
				      "wait",
				      OTTO_BIN, OTTO_BIN, OTTO_BIN);
		char *e_path = tu_fmt("OTTO_PLUGIN_PATH=%s", f.plugins);
		char *e_xdg = tu_fmt("XDG_CACHE_HOME=%s", f.xdg);
		char *e_log = tu_fmt("OTTO_TEST_SCAN_LOG=%s", f.log);
		const char *const env[] = {"OTTO_PLUGIN_CACHE=1", e_path, e_xdg, e_log, NULL};
		tu_result r = tu_run((const char *const[]){"/bin/sh", "-c", script, NULL}, f.project, env, 60);
		cr_assert_eq(r.status, 0, "%s", r.err);
		tu_result_free(&r);
		size_t before = cf_loads(&f, NULL);
		free(cf_plugins_json(&f, NULL));
		cr_assert_eq(cf_loads(&f, NULL), before, "round %d: the cache left is whole and used", round);
		free(e_path);
		free(e_xdg);
		free(e_log);
		free(script);
	}
	/* No temporary file is left behind. */
	char *dir = tu_fmt("%s/otto", f.xdg);
	tu_result ls = tu_run((const char *const[]){"/bin/ls", "-A", dir, NULL}, NULL, NULL, 10);
	cr_assert_str_eq(ls.out, "plugins.cache\n");
	tu_result_free(&ls);
	free(dir);
	cf_teardown(&f);
}

Test(cache, duplicates_and_search_order_are_unchanged)
{
	cache_fx f;
	cf_setup(&f);
	/* A second folder first in the search path, holding another file
	 * that registers marker-b: it wins, cold and warm. */
	char *first = tu_fmt("%s/first", f.root);
	cr_assert(mkdir(first, 0755) == 0);
	char *from = tu_fmt("%s/marker_b.so", CF_MARKER_DIR);
	char *to = tu_fmt("%s/zz_marker_b.so", first);
	cf_copy(from, to);
	char *e_path = tu_fmt("OTTO_PLUGIN_PATH=%s:%s", first, f.plugins);
	const char *const env[] = {e_path, NULL};
	char *cold = cf_plugins_json(&f, env);
	char *warm = cf_plugins_json(&f, env);
	cr_assert_eq(cf_loads(&f, NULL), 3);
	cr_assert_str_eq(warm, cold);
	char *status = cf_status(warm, "marker_b.so");
	cr_assert_str_eq(status, "duplicate");
	free(status);
	status = cf_status(warm, "zz_marker_b.so");
	cr_assert_str_eq(status, "loaded");
	free(status);
	/* The other order, from the same cache: the other file wins. */
	char *e_other = tu_fmt("OTTO_PLUGIN_PATH=%s:%s", f.plugins, first);
	const char *const other[] = {e_other, NULL};
	char *swapped = cf_plugins_json(&f, other);
	cr_assert_eq(cf_loads(&f, NULL), 3, "still from the cache");
	status = cf_status(swapped, "zz_marker_b.so");
	cr_assert_str_eq(status, "duplicate");
	free(status);
	free(swapped);
	free(e_other);
	free(cold);
	free(warm);
	free(e_path);
	free(to);
	free(from);
	free(first);
	cf_teardown(&f);
}

Test(cache, a_cached_file_that_is_no_longer_trusted_is_refused)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	/* Others may write the folder now: refused, whatever the cache says
	 * (the trust check runs first, on every run). Restoring the mode
	 * afterwards gives the same key back: the cached result is fine again. */
	cr_assert(chmod(f.plugins, 0777) == 0);
	char *json = cf_plugins_json(&f, NULL);
	char *status = cf_status(json, "marker_a.so");
	cr_assert_str_eq(status, "refused");
	free(status);
	free(json);
	tu_result r = CF_RUN(&f, NULL, "lab", "list");
	cr_assert_neq(r.status, 0, "a refused backend is never used: %s", r.out);
	tu_result_free(&r);
	cr_assert_eq(cf_loads(&f, NULL), 2, "nothing was loaded");
	cr_assert(chmod(f.plugins, 0755) == 0);
	free(cf_plugins_json(&f, NULL));
	cr_assert_eq(cf_loads(&f, NULL), 2);
	cf_teardown(&f);
}

Test(cache, a_file_made_writable_by_others_is_refused)
{
	cache_fx f;
	cf_setup(&f);
	free(warm_up(&f));
	char *path = marker_a(&f);
	cr_assert(chmod(path, 0666) == 0);
	char *json = cf_plugins_json(&f, NULL);
	char *status = cf_status(json, "marker_a.so");
	cr_assert_str_eq(status, "refused");
	free(status);
	free(json);
	free(path);
	cf_teardown(&f);
}

Test(cache, inspect_one_file_or_backend)
{
	cache_fx f;
	cf_setup(&f);
	free(cf_add(&f, "crash", "marker_crash.so"));
	char *path = marker_a(&f);
	for (int round = 0; round < 2; round++) { /* cold, then from the cache */
		tu_result r = CF_RUN(&f, NULL, "plugins", "inspect", path);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(tu_contains(r.out, "Status:   loaded\n"), "%s", r.out);
		cr_assert(tu_contains(r.out, "Plugin:   marker-a 1.0.0\n"), "%s", r.out);
		cr_assert(tu_contains(r.out, "  lab marker-a: says when it is loaded\n"
					     "    optional capabilities: host summaries yes\n"
					     "    [marker-a] lab (a string, required): the lab to serve\n"
					     "    [marker-a] verbose (a boolean, optional)\n"),
			  "%s", r.out);
		tu_result_free(&r);
		r = CF_RUN(&f, NULL, "plugins", "inspect", "marker-b");
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(tu_contains(r.out, "marker_b.so\n"), "%s", r.out);
		tu_result_free(&r);
		r = CF_RUN(&f, NULL, "plugins", "inspect", "marker_crash.so");
		cr_assert_eq(r.status, 2, "a relative name that is no file here: %s", r.out);
		tu_result_free(&r);
		char *crash = tu_fmt("%s/marker_crash.so", f.plugins);
		r = CF_RUN(&f, NULL, "plugins", "inspect", crash);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(tu_contains(r.out, "Status:   failed\nReason:   crashed with SIGSEGV"), "%s", r.out);
		tu_result_free(&r);
		free(crash);
	}
	tu_result r = CF_RUN(&f, NULL, "plugins", "inspect", "no-such-thing");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "no plugin file or backend named 'no-such-thing'"), "%s", r.err);
	tu_result_free(&r);
	free(path);
	cf_teardown(&f);
}

Test(cache, a_plugin_crashing_when_unloaded_is_failed_wherever_it_is_in_a_batch)
{
	cache_fx f;
	cf_setup(&f);
	/* Several files go to one worker in one request; one that crashes
	 * after its answer (its destructor, at unload) must not be believed
	 * loaded, first or last in the request. */
	free(cf_add(&f, "dtor", "a0_dtor.so"));
	free(cf_add(&f, "dtor", "zz_dtor.so"));
	const char *const off[] = {"OTTO_PLUGIN_CACHE=0", NULL};
	char *json = cf_plugins_json(&f, off);
	const char *const files[] = {"a0_dtor.so", "zz_dtor.so"};
	for (size_t i = 0; i < 2; i++) {
		char *status = cf_status(json, files[i]);
		cr_assert_str_eq(status, "failed", "%s:\n%s", files[i], json);
		free(status);
	}
	char *status = cf_status(json, "marker_a.so");
	cr_assert_str_eq(status, "loaded", "%s", json);
	free(status);
	status = cf_status(json, "marker_b.so");
	cr_assert_str_eq(status, "loaded", "%s", json);
	free(status);
	free(json);
	cf_teardown(&f);
}
