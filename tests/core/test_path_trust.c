/*
 * The trust walk behind plugin, settings and lock folder trust
 * (util/path_trust.h): links followed as open(2) would and judged on the
 * way, "..", relative paths, loops, and what is wrong named with its path.
 * Other owners are real users (tests run as root).
 */
#include "util/path_trust.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *root;

static void setup(void)
{
	root = tu_mkdtemp();
	cr_assert(chmod(root, 0755) == 0);
}

static void teardown(void)
{
	tu_rm_rf(root);
	free(root);
}

TestSuite(path_trust, .init = setup, .fini = teardown, .timeout = 30);

typedef struct walked {
	int rc;
	struct stat st;
	char real[PATH_MAX];
	char why[1400];
} walked;

static walked walk(const char *path, otto__trust_mode mode)
{
	walked w;
	int fd = 12345;
	w.rc = otto__path_trust_walk(path, geteuid(), mode, &fd, &w.st, w.real, w.why, sizeof w.why);
	if (w.rc == 0) {
		struct stat st;
		cr_assert(fstat(fd, &st) == 0 && st.st_ino == w.st.st_ino, "the descriptor is the object checked");
		close(fd);
	} else {
		cr_assert_eq(fd, -1, "no descriptor on failure");
	}
	return w;
}

static char *at(const char *name)
{
	return tu_fmt("%s/%s", root, name);
}

Test(path_trust, a_plain_path_is_walked_to_its_real_name)
{
	free(tu_write(root, "a/b/file", "x"));
	char *path = at("a/./b/../b/file"), *real = at("a/b/file");
	walked w = walk(path, OTTO__TRUST_EVERY_FOLDER);
	cr_assert_eq(w.rc, 0, "%s", w.why);
	cr_assert_str_eq(w.real, real);
	cr_assert(S_ISREG(w.st.st_mode));
	cr_assert_eq(otto__trust_check_file(w.real, &w.st, geteuid(), w.why, sizeof w.why), 0, "%s", w.why);
	free(path);
	free(real);
	walked top = walk("/", OTTO__TRUST_EVERY_FOLDER);
	cr_assert_eq(top.rc, 0, "%s", top.why);
	cr_assert_str_eq(top.real, "/");
}

Test(path_trust, a_relative_path_starts_at_the_current_folder)
{
	free(tu_write(root, "a/file", "x"));
	char *cwd = getcwd(NULL, 0), *real = at("a/file");
	cr_assert(chdir(root) == 0);
	walked w = walk("a/file", OTTO__TRUST_EVERY_FOLDER);
	cr_assert(chdir(cwd) == 0);
	cr_assert_eq(w.rc, 0, "%s", w.why);
	cr_assert_str_eq(w.real, real);
	free(real);
	free(cwd);
}

Test(path_trust, links_are_followed_relative_and_absolute)
{
	free(tu_write(root, "target/file", "x"));
	char *abs_target = at("target");
	char *rel = at("rel"), *abs = at("abs"), *chain = at("chain");
	cr_assert(symlink("target", rel) == 0 && symlink(abs_target, abs) == 0 && symlink("rel/../abs", chain) == 0);
	char *real = at("target/file");
	const char *via[] = {"rel/file", "abs/file", "chain/file"};
	for (size_t i = 0; i < 3; i++) {
		char *path = at(via[i]);
		walked w = walk(path, OTTO__TRUST_SYMLINKS);
		cr_assert_eq(w.rc, 0, "%s: %s", via[i], w.why);
		cr_assert_str_eq(w.real, real, "%s", via[i]);
		free(path);
	}
	free(real);
	free(abs_target);
	free(rel);
	free(abs);
	free(chain);
}

Test(path_trust, what_cannot_be_followed_is_an_error_naming_it)
{
	char *loop = at("loop"), *missing = at("missing/file"), *file = at("file"), *below = at("file/x");
	cr_assert(symlink("loop", loop) == 0);
	free(tu_write(root, "file", "x"));
	walked w = walk(loop, OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, -ELOOP, "%s", w.why);
	w = walk(missing, OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, -ENOENT);
	char *want = tu_fmt("%s/missing: No such file or directory", root);
	cr_assert_str_eq(w.why, want);
	free(want);
	w = walk(below, OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, -ENOTDIR);
	want = tu_fmt("%s: Not a directory", file);
	cr_assert_str_eq(w.why, want);
	free(want);
	w = walk("", OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, -ENOENT);
	free(loop);
	free(missing);
	free(file);
	free(below);
}

Test(path_trust, folders_others_can_write_are_judged_by_mode)
{
	char *open_dir = at("open"), *sticky = at("sticky");
	free(tu_write(root, "open/file", "x"));
	free(tu_write(root, "sticky/file", "x"));
	cr_assert(chmod(open_dir, 0777) == 0 && chmod(sticky, 01777) == 0);
	char *p1 = at("open/file"), *p2 = at("sticky/file");
	walked w = walk(p1, OTTO__TRUST_EVERY_FOLDER);
	cr_assert_eq(w.rc, 1);
	char *want = tu_fmt("folder %s is writable by other users (mode 0777), who could swap anything below it (fix: "
			    "chmod go-w %s)",
			    open_dir, open_dir);
	cr_assert_str_eq(w.why, want);
	free(want);
	w = walk(p2, OTTO__TRUST_EVERY_FOLDER);
	cr_assert_eq(w.rc, 0, "a root-owned sticky folder is fine: %s", w.why);
	w = walk(p1, OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, 0, "only links matter for the lock folder: %s", w.why);
	free(p1);
	free(p2);
	free(open_dir);
	free(sticky);
}

Test(path_trust, other_users_folders_and_links)
{
	if (geteuid() != 0)
		cr_skip_test("skipped: other owners need root");
	int uid, gid;
	tu_test_user("otto-lk-a", &uid, &gid);
	struct {
		uid_t pw_uid;
		gid_t pw_gid;
	} a = {(uid_t)uid, (gid_t)gid};
	char *theirs = at("theirs");
	free(tu_write(root, "theirs/file", "x"));
	cr_assert(chown(theirs, a.pw_uid, a.pw_gid) == 0);
	char *path = at("theirs/file");
	walked w = walk(path, OTTO__TRUST_EVERY_FOLDER);
	cr_assert_eq(w.rc, 1);
	cr_assert(tu_contains(w.why, "belongs to otto-lk-a"), "%s", w.why);
	/* As the lock folder's path: a folder of theirs on the way is the
	 * final folder's owner check's business, not the walk's. */
	w = walk(path, OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, 0, "%s", w.why);
	cr_assert_eq(otto__trust_check_folder(theirs, &(struct stat){.st_mode = S_IFDIR | 0755, .st_uid = a.pw_uid},
					      geteuid(), w.why, sizeof w.why),
		     1);
	/* Their link, even to our own folder. */
	char *link = at("link"), *mine = at("mine");
	cr_assert(mkdir(mine, 0755) == 0 && symlink(mine, link) == 0 && lchown(link, a.pw_uid, a.pw_gid) == 0);
	w = walk(link, OTTO__TRUST_SYMLINKS);
	cr_assert_eq(w.rc, 1);
	char *want = tu_fmt("symbolic link %s belongs to otto-lk-a (uid %ld), who could point it elsewhere (fix: use the "
			    "real path, or a link of your own)",
			    link, (long)a.pw_uid);
	cr_assert_str_eq(w.why, want);
	free(want);
	free(link);
	free(mine);
	free(path);
	free(theirs);
}

Test(path_trust, a_private_group_may_write)
{
	/* root's group is named like root and has no other member: a folder
	 * writable by it is writable by nobody else. */
	struct stat st = {.st_mode = S_IFDIR | 0775, .st_uid = 0, .st_gid = 0};
	cr_assert_not(otto__trust_writable_by_others(&st));
	st.st_mode = S_IFDIR | 0757;
	cr_assert(otto__trust_writable_by_others(&st));
	char name[64];
	otto__user_name_of(0, name, sizeof name);
	cr_assert_str_eq(name, "root");
	otto__user_name_of(4000000000u, name, sizeof name);
	cr_assert_str_eq(name, "uid4000000000");
}
