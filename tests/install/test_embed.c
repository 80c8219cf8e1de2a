/* A program that embeds libotto finds the plugins beside libotto, with no
 * setting, exactly as the otto command does (docs/examples/embed). */
#include "testutil.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LIST_PLUGINS OTTO_BUILD_DIR "/bin/list_plugins"
#define SELF_GONE OTTO_BUILD_DIR "/bin/install_self_gone"

Test(embed, an_embedding_program_lists_the_plugins_beside_libotto)
{
	char *plugins = realpath(OTTO_PLUGIN_BUILD_DIR, NULL);
	cr_assert(plugins);
	static const char *const env[] = {"OTTO_PLUGIN_PATH=", NULL};
	tu_result r = tu_run((const char *const[]){LIST_PLUGINS, NULL}, "/", env, 60);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *folder = tu_fmt("folder %s\n", plugins);
	cr_assert(tu_contains(r.out, folder), "%s", r.out);
	for (const char *const *p = (const char *const[]){"example", "json", NULL}; *p; p++) {
		char *line = tu_fmt("%s/%s.so: loaded\n", plugins, *p);
		cr_assert(tu_contains(r.out, line), "no '%s' in:\n%s", line, r.out);
		free(line);
	}
	cr_assert(tu_contains(r.out, "  lab json\n"), "%s", r.out);
	free(folder);
	free(plugins);
	tu_result_free(&r);
}

/* Not beside libotto's tree: the program's own folder says nothing. */
Test(embed, an_embedding_program_anywhere_finds_the_plugins_beside_libotto)
{
	char *plugins = realpath(OTTO_PLUGIN_BUILD_DIR, NULL);
	char *dir = tu_mkdtemp();
	char *copy = tu_fmt("cp %s %s/ 2>&1", LIST_PLUGINS, dir);
	cr_assert_eq(system(copy), 0, "%s", copy);
	char *prog = tu_fmt("%s/list_plugins", dir);
	static const char *const env[] = {"OTTO_PLUGIN_PATH=", NULL};
	tu_result r = tu_run((const char *const[]){prog, NULL}, dir, env, 60);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *line = tu_fmt("%s/json.so: loaded\n", plugins);
	cr_assert(tu_contains(r.out, line), "no '%s' in:\n%s", line, r.out);
	tu_result_free(&r);
	free(line);
	free(prog);
	free(copy);
	tu_rm_rf(dir);
	free(dir);
	free(plugins);
}

Test(embed, a_libotto_removed_since_it_was_loaded_is_a_clear_error)
{
	char *dir = tu_mkdtemp();
	char *lib = tu_fmt("%s/lib", dir);
	char *copy = tu_fmt("cp %s/lib/libotto.so.0 %s/ 2>&1", OTTO_BUILD_DIR, lib);
	cr_assert(mkdir(lib, 0755) == 0);
	cr_assert_eq(system(copy), 0, "%s", copy);
	char *ld = tu_fmt("LD_LIBRARY_PATH=%s", lib);
	const char *const env[] = {ld, NULL};
	tu_result r = tu_run((const char *const[]){SELF_GONE, lib, NULL}, NULL, env, 60);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
			 "EIO: cannot find the installed plugin folder: the loader does not say where libotto is\n"
			 "folders: 0\n");
	tu_result_free(&r);
	free(ld);
	free(copy);
	free(lib);
	tu_rm_rf(dir);
	free(dir);
}
