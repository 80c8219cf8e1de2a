/*
 * Plugin trust (issue 9, case 11), through the real otto: a plugin file is
 * loaded only if it and every folder on its path are owned by root or the
 * user running otto and writable by nobody else; otherwise `otto plugins`
 * lists it as refused with the reason and the path to fix, and selecting a
 * backend it may provide says so. The plugin is the fixture plugin (backend
 * "fixture", found nowhere else), copied where each case needs it. Other
 * users are real users made for the test.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURE_SO CT_FIXTURE_DIR "/fixture.so"
#define SETTINGS "[lab]\nbackend = \"fixture\"\n"

static char *project;

static void setup(void)
{
	project = ct_project(SETTINGS);
	cr_assert(chmod(project, 0755) == 0);
}

static void teardown(void)
{
	tu_rm_rf(project);
	free(project);
}

/* Per test; scaled by the time scale of the run (tests/support/testutil.h). */
TestSuite(plugin_trust, .init = setup, .fini = teardown, .timeout = 120);

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("skipped: other owners need root");
}

/* The other user of these tests, a real one. */
static struct passwd other_user(void)
{
	int uid, gid;
	tu_test_user("otto-lk-a", &uid, &gid);
	struct passwd pw = {.pw_name = "otto-lk-a", .pw_uid = (uid_t)uid, .pw_gid = (gid_t)gid};
	return pw;
}

/* Copy `from` to `to` with `mode` (exactly: no umask). */
static void copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct stat st;
	cr_assert(in >= 0 && out >= 0 && fstat(in, &st) == 0, "copy %s: %s", from, strerror(errno));
	cr_assert_eq(sendfile(out, in, NULL, (size_t)st.st_size), st.st_size);
	close(in);
	close(out);
	cr_assert(chmod(to, mode) == 0);
}

/* project/<name>, a folder of `mode` holding a copy of the fixture plugin. */
static char *plugin_folder(const char *name, mode_t mode)
{
	char *dir = tu_fmt("%s/%s", project, name);
	cr_assert(mkdir(dir, 0700) == 0 && chmod(dir, mode) == 0, "%s: %s", dir, strerror(errno));
	char *so = tu_fmt("%s/fixture.so", dir);
	copy_file(FIXTURE_SO, so, 0755);
	free(so);
	return dir;
}

static tu_result otto_with_path(const char *path, const char *const *words)
{
	char *env = tu_fmt("OTTO_PLUGIN_PATH=%s", path);
	/* ct_run clears OTTO_PLUGIN_PATH first; a later entry sets it. */
	tu_result r = ct_run(project, (const char *const[]){env, NULL}, words);
	free(env);
	return r;
}
#define OTTO_PATH(path, ...) otto_with_path((path), CT_ARGS(__VA_ARGS__))

/* `otto plugins` lists the file as refused for `why`, and selecting the
 * fixture backend names the file and the reason. */
static void assert_refused(tu_result (*run)(const char *, const char *const *), const char *path, const char *so,
			   const char *why)
{
	tu_result r = run(path, CT_ARGS("plugins"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *row = tu_fmt("  %s: refused: not loaded, because %s", so, why);
	cr_assert(tu_contains(r.out, row), "expected\n%s\nin\n%s", row, r.out);
	cr_assert(tu_contains(r.out, "to load it anyway, set OTTO_ALLOW_UNTRUSTED_PLUGINS=1"), "%s", r.out);
	free(row);
	tu_result_free(&r);

	r = run(path, CT_ARGS("lab", "list"));
	cr_assert_eq(r.status, 2, "the refused plugin was used: %s", r.out);
	cr_assert(tu_contains(r.err, "no lab backend named 'fixture'"), "%s", r.err);
	char *note = tu_fmt("1 plugin file was refused as untrusted, and 'fixture' may be one of its backends: %s, not "
			    "loaded, because %s",
			    so, why);
	cr_assert(tu_contains(r.err, note), "expected\n%s\nin\n%s", note, r.err);
	free(note);
	tu_result_free(&r);

	r = run(path, CT_ARGS("plugins", "--json"));
	yajl_val v = ct_json(r.out);
	yajl_val plugins = ct_get(v, CT_ARGS("plugins"), yajl_t_array);
	bool found = false;
	for (size_t i = 0; plugins && i < YAJL_GET_ARRAY(plugins)->len; i++) {
		yajl_val p = YAJL_GET_ARRAY(plugins)->values[i];
		const char *file = ct_json_string(p, CT_ARGS("path"));
		if (file && strcmp(file, so) == 0) {
			cr_assert_str_eq(ct_json_string(p, CT_ARGS("status")), "refused");
			found = true;
		}
	}
	cr_assert(found, "%s", r.out);
	yajl_tree_free(v);
	tu_result_free(&r);
}

static tu_result run_with_path(const char *path, const char *const *words)
{
	return otto_with_path(path, words);
}

Test(plugin_trust, a_world_writable_plugin_path_folder_is_refused)
{
	char *dir = plugin_folder("plugins", 0777), *so = tu_fmt("%s/fixture.so", dir);
	char *why = tu_fmt("folder %s is writable by other users (mode 0777), who could swap anything below it (fix: "
			   "chmod go-w %s)",
			   dir, dir);
	assert_refused(run_with_path, dir, so, why);
	/* Fixed as the message says: loaded. */
	cr_assert(chmod(dir, 0755) == 0);
	tu_result r = OTTO_PATH(dir, "lab", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alpha\nbeta\n");
	tu_result_free(&r);
	free(why);
	free(so);
	free(dir);
}

static tu_result run_with_settings(const char *unused, const char *const *words)
{
	(void)unused;
	return ct_run(project, NULL, words);
}

Test(plugin_trust, a_world_writable_settings_plugin_folder_is_refused)
{
	char *dir = plugin_folder("plugins", 0777), *so = tu_fmt("%s/fixture.so", dir);
	free(tu_write(project, ".otto/settings.toml", SETTINGS "\n[plugins]\npath = \"plugins\"\n"));
	char *why = tu_fmt("folder %s is writable by other users (mode 0777)", dir);
	assert_refused(run_with_settings, NULL, so, why);
	free(why);
	free(so);
	free(dir);
}

Test(plugin_trust, a_world_writable_default_folder_is_refused)
{
	/* An installed tree of our own: <prefix>/bin/otto finds its default
	 * plugins in <prefix>/lib/otto/plugins, next to its libotto. */
	char *bin = tu_fmt("%s/prefix/bin", project), *lib = tu_fmt("%s/prefix/lib", project);
	char *plugins = tu_fmt("%s/otto/plugins", lib), *otto = tu_fmt("%s/otto", bin);
	free(tu_write(bin, "placeholder", ""));
	free(tu_write(plugins, "placeholder", ""));
	copy_file(OTTO_BIN, otto, 0755);
	char *libotto = tu_fmt("%s/lib/libotto.so.0", OTTO_BUILD_DIR), *copy = tu_fmt("%s/libotto.so.0", lib);
	copy_file(libotto, copy, 0755);
	char *so = tu_fmt("%s/fixture.so", plugins);
	copy_file(FIXTURE_SO, so, 0755);
	cr_assert(chmod(plugins, 0777) == 0);
	char *ld = tu_fmt("LD_LIBRARY_PATH=%s", lib);
	const char *env[] = {ld, "OTTO_PLUGIN_PATH=", "NO_COLOR=1", NULL};
	tu_result r = tu_run(CT_ARGS(otto, "plugins"), project, env, 30);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *row = tu_fmt("  %s: refused: not loaded, because folder %s is writable by other users (mode 0777)", so,
			   plugins);
	cr_assert(tu_contains(r.out, row), "expected\n%s\nin\n%s", row, r.out);
	tu_result_free(&r);
	free(row);
	free(ld);
	free(so);
	free(copy);
	free(libotto);
	free(otto);
	free(plugins);
	free(lib);
	free(bin);
}

Test(plugin_trust, a_plugin_file_of_another_user_is_refused_even_for_root)
{
	need_root();
	struct passwd a = other_user();
	char *dir = plugin_folder("plugins", 0755), *so = tu_fmt("%s/fixture.so", dir);
	cr_assert(chown(so, a.pw_uid, a.pw_gid) == 0 && chmod(so, 0666) == 0);
	char *why = tu_fmt("%s belongs to otto-lk-a (uid %ld), not to root or you", so, (long)a.pw_uid);
	assert_refused(run_with_path, dir, so, why);
	free(why);
	/* 0644, still a's: root does not run an ordinary user's code. */
	cr_assert(chmod(so, 0644) == 0);
	why = tu_fmt("%s belongs to otto-lk-a (uid %ld)", so, (long)a.pw_uid);
	assert_refused(run_with_path, dir, so, why);
	free(why);
	/* root's own file, writable by everybody. */
	cr_assert(chown(so, 0, 0) == 0 && chmod(so, 0666) == 0);
	why = tu_fmt("%s is writable by other users (mode 0666; fix: chmod go-w %s)", so, so);
	assert_refused(run_with_path, dir, so, why);
	free(why);
	free(so);
	free(dir);
}

Test(plugin_trust, a_folder_of_another_user_on_the_way_is_refused)
{
	need_root();
	struct passwd a = other_user();
	char *mine = tu_fmt("%s/mine", project);
	cr_assert(mkdir(mine, 0755) == 0 && chown(mine, a.pw_uid, a.pw_gid) == 0);
	char *dir = plugin_folder("mine/plugins", 0755), *so = tu_fmt("%s/fixture.so", dir);
	char *why = tu_fmt("folder %s belongs to otto-lk-a (uid %ld), not to root or you, who could swap anything below "
			   "it",
			   mine, (long)a.pw_uid);
	assert_refused(run_with_path, dir, so, why);
	/* For otto-lk-a the same folder is its own: loaded. */
	char *env = tu_fmt("OTTO_PLUGIN_PATH=%s", dir);
	const char *argv[] = {OTTO_BIN, "lab", "list", NULL};
	tu_result r = tu_run_as(a.pw_uid, a.pw_gid, argv, project, (const char *const[]){env, NULL}, 30);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alpha\nbeta\n");
	tu_result_free(&r);
	free(env);
	free(why);
	free(so);
	free(dir);
	free(mine);
}

Test(plugin_trust, a_link_another_user_can_change_is_refused_and_sticky_tmp_is_fine)
{
	need_root();
	struct passwd a = other_user();
	/* A /tmp of our own: root's, everybody may write it, sticky. */
	char *tmp = tu_fmt("%s/tmp", project);
	cr_assert(mkdir(tmp, 0700) == 0 && chmod(tmp, 01777) == 0);
	char *dir = plugin_folder("tmp/plugins", 0755), *so = tu_fmt("%s/fixture.so", dir);
	tu_result r = OTTO_PATH(dir, "lab", "list");
	cr_assert_eq(r.status, 0, "a root-owned sticky folder on the way is fine: %s", r.err);
	tu_result_free(&r);
	/* a's link to it, in the sticky folder: a may point it elsewhere. */
	char *link = tu_fmt("%s/link", tmp);
	cr_assert(symlink(dir, link) == 0 && lchown(link, a.pw_uid, a.pw_gid) == 0);
	char *via = tu_fmt("%s/fixture.so", link);
	char *why = tu_fmt("symbolic link %s belongs to otto-lk-a (uid %ld), who could point it elsewhere", link,
			   (long)a.pw_uid);
	assert_refused(run_with_path, link, via, why);
	free(why);
	free(via);
	free(link);
	free(so);
	free(dir);
	free(tmp);
}

Test(plugin_trust, the_override_loads_it_and_says_so)
{
	char *dir = plugin_folder("plugins", 0777), *so = tu_fmt("%s/fixture.so", dir);
	char *path = tu_fmt("OTTO_PLUGIN_PATH=%s", dir);
	tu_result r = ct_run(project, CT_ARGS(path, "OTTO_ALLOW_UNTRUSTED_PLUGINS=1"), CT_ARGS("lab", "list"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alpha\nbeta\n");
	char *warning = tu_fmt("otto: warning: loading plugin %s although folder %s is writable by other users (mode "
			       "0777)",
			       so, dir);
	cr_assert(tu_contains(r.err, warning), "expected\n%s\nin\n%s", warning, r.err);
	cr_assert(tu_contains(r.err, "(trust check turned off by OTTO_ALLOW_UNTRUSTED_PLUGINS=1)"), "%s", r.err);
	tu_result_free(&r);

	/* Any other value is no override. */
	r = ct_run(project, CT_ARGS(path, "OTTO_ALLOW_UNTRUSTED_PLUGINS=yes"), CT_ARGS("lab", "list"));
	cr_assert_eq(r.status, 2, "%s", r.out);
	tu_result_free(&r);

	/* The settings key, named with its file and line. */
	free(tu_write(project, ".otto/settings.toml",
		      SETTINGS "\n[plugins]\npath = \"plugins\"\nallow_untrusted = true\n"));
	r = ct_run(project, NULL, CT_ARGS("lab", "list"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *where = tu_fmt("(trust check turned off by [plugins] allow_untrusted at %s/.otto/settings.toml:6)", project);
	cr_assert(tu_contains(r.err, warning), "%s", r.err);
	cr_assert(tu_contains(r.err, where), "expected\n%s\nin\n%s", where, r.err);
	tu_result_free(&r);
	free(where);
	free(warning);
	free(path);
	free(so);
	free(dir);
}

Test(plugin_trust, a_settings_file_another_user_owns_is_not_read)
{
	need_root();
	struct passwd a = other_user();
	/* a's project, with a's settings pointing at a's plugins: root, working
	 * in a folder below it, must not run a's code. */
	char *theirs = tu_fmt("%s/theirs", project), *sub = tu_fmt("%s/theirs/sub", project);
	free(tu_write(theirs, ".otto/settings.toml", SETTINGS "\n[plugins]\npath = \"plugins\"\n"));
	char *dir = plugin_folder("theirs/plugins", 0755);
	cr_assert(mkdir(sub, 0755) == 0);
	char *cmd = tu_fmt("chown -R %ld:%ld '%s'", (long)a.pw_uid, (long)a.pw_gid, theirs);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	tu_result r = ct_run(sub, NULL, CT_ARGS("lab", "list"));
	cr_assert_neq(r.status, 0, "a's settings were read: %s", r.out);
	char *warning = tu_fmt("otto: warning: ignoring settings file %s/.otto/settings.toml: %s/.otto/settings.toml "
			       "belongs to otto-lk-a (uid %ld)",
			       theirs, theirs, (long)a.pw_uid);
	cr_assert(tu_contains(r.err, warning), "expected\n%s\nin\n%s", warning, r.err);
	tu_result_free(&r);
	/* Named on the command line: an error, not a warning. */
	char *file = tu_fmt("%s/.otto/settings.toml", theirs);
	r = ct_run(sub, NULL, CT_ARGS("--settings", file, "lab", "list"));
	cr_assert_eq(r.status, 2);
	char *refusal = tu_fmt("refusing to read settings file %s: ", file);
	cr_assert(tu_contains(r.err, refusal), "%s", r.err);
	free(refusal);
	tu_result_free(&r);
	/* a itself reads it. */
	const char *argv[] = {OTTO_BIN, "lab", "list", NULL};
	r = tu_run_as(a.pw_uid, a.pw_gid, argv, sub, (const char *const[]){"OTTO_PLUGIN_PATH=", NULL}, 30);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "alpha\nbeta\n");
	tu_result_free(&r);
	free(file);
	free(warning);
	free(dir);
	free(sub);
	free(theirs);
}
