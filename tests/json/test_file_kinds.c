/*
 * What is at a lab or reservations path may be anything: a FIFO (whose
 * open blocks forever), a character device (/dev/zero never ends), a file
 * larger than any lab, or a file rewritten while otto holds its parse. Only
 * regular files are read, up to a documented size (lab.json 1 GiB,
 * reservations.json 256 MiB), with a clear error otherwise; and a parse is
 * reused only while the file provably did not change.
 */
#include "json_test.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *repo(const char *lab_path, const char *reservations_path)
{
	char *dir = tu_mkdtemp();
	char *settings = tu_fmt("[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"%s\"]\n\n[reservations]\nbackend = "
				"\"json\"\n[reservations.json]\npath = \"%s\"\n",
				lab_path, reservations_path);
	free(tu_write(dir, ".otto/settings.toml", settings));
	free(settings);
	free(tu_write(dir, "lab.json",
		      "{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"board\", \"labs\": [\"bench\"], \"resources\": [\"rack3\"]}]}\n"));
	free(tu_write(dir, "reservations.json",
		      "{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"rack3\"]}]}\n"));
	return dir;
}

static tu_result check(const char *dir)
{
	const char *argv[] = {OTTO_BIN, "--as-user", "alice", "reservation", "check", "--lab", "bench", NULL};
	const char *env[] = {"OTTO_PLUGIN_PATH=", NULL};
	return tu_run(argv, dir, env, 60);
}

static void assert_check_fails(const char *dir, const char *needle)
{
	tu_result r = check(dir);
	cr_assert_eq(r.status, 1, "exit %d; stdout: %s stderr: %s", r.status, r.out, r.err);
	cr_assert(tu_contains(r.err, needle), "want '%s' in: %s", needle, r.err);
	tu_result_free(&r);
}

static void done(char *dir)
{
	tu_rm_rf(dir);
	free(dir);
}

Test(json_file_kinds, the_repository_passes_as_written)
{
	char *dir = repo("lab.json", "reservations.json");
	tu_result r = check(dir);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	tu_result_free(&r);
	done(dir);
}

Test(json_file_kinds, a_lab_file_that_is_a_fifo)
{
	char *dir = repo("labs.json", "reservations.json");
	char *fifo = tu_fmt("%s/labs.json", dir);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	char *needle = tu_fmt("lab file %s is a FIFO, not a regular file", fifo);
	assert_check_fails(dir, needle);
	free(needle);
	free(fifo);
	done(dir);
}

Test(json_file_kinds, a_lab_file_that_is_a_character_device)
{
	char *dir = repo("zero.json", "reservations.json");
	char *link = tu_fmt("%s/zero.json", dir);
	cr_assert_eq(symlink("/dev/zero", link), 0);
	char *needle = tu_fmt("lab file %s is a character device, not a regular file", link);
	assert_check_fails(dir, needle);
	free(needle);
	free(link);
	done(dir);
}

Test(json_file_kinds, a_reservations_file_that_is_a_fifo_or_a_device)
{
	char *dir = repo("lab.json", "pipe");
	char *fifo = tu_fmt("%s/pipe", dir);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	char *needle = tu_fmt("cannot read %s: it is a FIFO, not a regular reservations file", fifo);
	assert_check_fails(dir, needle);
	free(needle);
	free(fifo);
	done(dir);
	dir = repo("lab.json", "/dev/zero");
	assert_check_fails(dir, "cannot read /dev/zero: it is a character device, not a regular reservations file");
	done(dir);
}

/* Sparse files: the size is what counts, and nothing is read. */
static void make_sparse(const char *path, off_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, size), 0);
	close(fd);
}

Test(json_file_kinds, a_lab_file_past_one_gib)
{
	char *dir = repo("lab.json", "reservations.json");
	char *lab = tu_fmt("%s/lab.json", dir);
	make_sparse(lab, ((off_t)1 << 30) + 1);
	char *needle = tu_fmt("cannot read %s: it is larger than 1024 MiB, the most a lab file may hold", lab);
	assert_check_fails(dir, needle);
	free(needle);
	free(lab);
	done(dir);
}

Test(json_file_kinds, a_reservations_file_past_256_mib)
{
	char *dir = repo("lab.json", "reservations.json");
	char *res = tu_fmt("%s/reservations.json", dir);
	make_sparse(res, ((off_t)256 << 20) + 1);
	char *needle = tu_fmt("cannot read %s: it is larger than 256 MiB, the most a reservations file may hold", res);
	assert_check_fails(dir, needle);
	free(needle);
	free(res);
	done(dir);
}

/* Rewrite `path` in place (same inode, same size) and give it back the
 * modification time `when`: to a cache that compares device, inode, size
 * and mtime, nothing changed, as after a rewrite within one tick of the
 * file system's clock. */
static void rewrite_same_stamp(const char *path, const char *text, const struct timespec *when)
{
	int fd = open(path, O_WRONLY);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct timespec times[2] = {*when, *when};
	cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
}

Test(json_file_kinds, a_reservations_file_rewritten_within_one_tick)
{
	char *dir = repo("lab.json", "reservations.json");
	char *settings = tu_fmt("%s/.otto/settings.toml", dir);
	char *path = tu_fmt("%s/reservations.json", dir);
	/* A stamp in the future: the first read cannot tell whether the
	 * file will change again within the same tick. */
	struct timespec when = {.tv_sec = time(NULL) + 3600, .tv_nsec = 0};
	const char *alice = "{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"rack3\"]}]}\n";
	const char *carol = "{\"version\": 1, \"reservations\": [{\"user\": \"carol\", \"resources\": [\"rack3\"]}]}\n";
	rewrite_same_stamp(path, alice, &when);
	jt_env env = {0};
	env.root = dir;
	cr_assert_eq(otto_settings_load(&env.settings, settings, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert_eq(otto_registry_new(&env.registry, &env.err), OTTO_OK);
	cr_assert_eq(otto_registry_add_dir(env.registry, OTTO_PLUGIN_BUILD_DIR, &env.err), OTTO_OK);
	cr_assert_eq(otto_registry_scan(env.registry, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert_eq(jt_open_res(&env), OTTO_OK, "%s", env.err.message);
	otto_strlist held = {0};
	cr_assert_eq(otto_reservation_backend_reserved_resources(env.res, "alice", &held, &env.err), OTTO_OK, "%s",
		     env.err.message);
	cr_assert_eq(held.count, 1);
	otto_strlist_free(&held);
	rewrite_same_stamp(path, carol, &when);
	cr_assert_eq(otto_reservation_backend_reserved_resources(env.res, "alice", &held, &env.err), OTTO_OK, "%s",
		     env.err.message);
	cr_assert_eq(held.count, 0, "alice still holds rack3: the old parse of a rewritten file was used");
	otto_strlist_free(&held);
	/* Unchanged bytes keep the parse (and still answer the same). */
	cr_assert_eq(otto_reservation_backend_reserved_resources(env.res, "carol", &held, &env.err), OTTO_OK);
	cr_assert_eq(held.count, 1);
	otto_strlist_free(&held);
	jt_env_free(&env);
	free(settings);
	free(path);
}

Test(json_file_kinds, a_lab_file_rewritten_within_one_tick)
{
	char *settings_text = jt_lab_settings("[\"lab.json\"]");
	jt_env env = jt_env_new(settings_text);
	free(settings_text);
	char *path = jt_write(&env, "lab.json", "");
	struct timespec when = {.tv_sec = time(NULL) + 3600, .tv_nsec = 0};
	rewrite_same_stamp(path, "{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"one\", \"labs\": [\"a\"]}]}\n", &when);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_lab *lab = jt_load(&env, "a");
	cr_assert_str_eq(lab->hosts[0].id, "one");
	otto_lab_free(lab);
	rewrite_same_stamp(path, "{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"two\", \"labs\": [\"a\"]}]}\n", &when);
	lab = jt_load(&env, "a");
	cr_assert_str_eq(lab->hosts[0].id, "two", "the old parse of a rewritten lab file was used");
	otto_lab_free(lab);
	free(path);
	jt_env_free(&env);
}
