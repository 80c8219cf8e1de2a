/* otto plugins: folders, statuses, and the search order. */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_file(const char *from, const char *dir, const char *name)
{
	char *to = tu_fmt("%s/%s", dir, name);
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[8192];
	size_t n;
	cr_assert(in && out, "copy %s -> %s", from, to);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	free(to);
}

/* The file behind backend `kind`/`name` in use, from otto plugins --json. */
static char *backend_in_use(yajl_val root, const char *kind, const char *name)
{
	yajl_val plugins = ct_get(root, CT_ARGS("plugins"), yajl_t_array);
	cr_assert(plugins);
	for (size_t i = 0; i < YAJL_GET_ARRAY(plugins)->len; i++) {
		yajl_val backends = ct_get(YAJL_GET_ARRAY(plugins)->values[i], CT_ARGS("backends"), yajl_t_array);
		for (size_t b = 0; backends && b < YAJL_GET_ARRAY(backends)->len; b++) {
			yajl_val be = YAJL_GET_ARRAY(backends)->values[b];
			if (strcmp(ct_json_string(be, CT_ARGS("kind")), kind) == 0 &&
			    strcmp(ct_json_string(be, CT_ARGS("name")), name) == 0 &&
			    YAJL_IS_TRUE(ct_get(be, CT_ARGS("in_use"), yajl_t_any)))
				return strdup(ct_json_string(be, CT_ARGS("path")));
		}
	}
	return NULL;
}

Test(plugins, text_lists_folders_and_backends)
{
	char *dir = ct_project(CT_EXAMPLE_SETTINGS);
	tu_result r = CT_RUN(dir, NULL, "plugins");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "Plugin folders (in search order):\n  " OTTO_PLUGIN_BUILD_DIR "\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "(built-in): loaded"), "%s", r.out);
	cr_assert(tu_contains(r.out, CT_EXAMPLE_SO ": loaded (plugin example 1.0.0)"), "%s", r.out);
	cr_assert(tu_contains(r.out, "    lab         example      1.0.0    " CT_EXAMPLE_SO "\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "    reservation example      1.0.0    " CT_EXAMPLE_SO "\n"), "%s", r.out);
	cr_assert(tu_contains(r.out, "    reservation none "), "%s", r.out);
	cr_assert(strstr(r.out, "(built-in)") < strstr(r.out, "example.so"), "built-ins first");
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(plugins, json_and_statuses)
{
	char *dir = ct_project(NULL);
	char *plugdir = tu_fmt("%s/plugins", dir);
	free(tu_write(plugdir, "README", "not a plugin, ignored\n"));
	free(tu_write(plugdir, "junk.so", "this is not an ELF file\n"));
	copy_file(OTTO_BUILD_DIR "/lib/libotto.so", plugdir, "notplugin.so");
	tu_result r = CT_RUN(dir, NULL, "plugins", "--json", "--plugin-dir", plugdir, "--plugin-dir", "/nonexistent");
	cr_assert_eq(r.status, 0, "a broken plugin never stops the others: %s", r.err);
	yajl_val root = ct_json(r.out);
	yajl_val folders = ct_get(root, CT_ARGS("folders"), yajl_t_array);
	cr_assert(folders && YAJL_GET_ARRAY(folders)->len >= 3);
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[0], CT_ARGS("path")), plugdir);
	cr_assert(YAJL_IS_TRUE(ct_get(YAJL_GET_ARRAY(folders)->values[0], CT_ARGS("exists"), yajl_t_any)));
	cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[1], CT_ARGS("path")), "/nonexistent");
	cr_assert(YAJL_IS_FALSE(ct_get(YAJL_GET_ARRAY(folders)->values[1], CT_ARGS("exists"), yajl_t_any)));
	yajl_val plugins = ct_get(root, CT_ARGS("plugins"), yajl_t_array);
	bool saw_other = false, saw_junk = false;
	for (size_t i = 0; i < YAJL_GET_ARRAY(plugins)->len; i++) {
		yajl_val p = YAJL_GET_ARRAY(plugins)->values[i];
		const char *path = ct_json_string(p, CT_ARGS("path"));
		if (tu_contains(path, "notplugin.so")) {
			saw_other = true;
			cr_assert_str_eq(ct_json_string(p, CT_ARGS("status")), "not a plugin");
			cr_assert_not_null(ct_json_string(p, CT_ARGS("detail")), "a reason is given");
		}
		/* Only real shared objects are looked at. */
		cr_assert(!tu_contains(path, "README"), "%s", path);
		saw_junk = saw_junk || tu_contains(path, "junk.so");
	}
	cr_assert(saw_other, "%s", r.out);
	cr_assert(!saw_junk, "a text file named .so is no shared object: %s", r.out);
	char *lab = backend_in_use(root, "lab", "example");
	cr_assert_str_eq(lab, CT_EXAMPLE_SO);
	free(lab);
	yajl_tree_free(root);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(plugdir);
}

/* --plugin-dir before OTTO_PLUGIN_PATH before [plugins] path before the
 * installed folder: each holds a copy of example.so, the first one wins. */
Test(plugins, search_order)
{
	char *root_dir = tu_mkdtemp();
	char *a = tu_fmt("%s/a", root_dir), *b = tu_fmt("%s/b", root_dir), *c = tu_fmt("%s/c", root_dir);
	char *project = ct_project(NULL);
	char *settings = tu_fmt("[lab]\nbackend = \"example\"\n[plugins]\npath = [\"%s\"]\n", c);
	char *env_path = tu_fmt("OTTO_PLUGIN_PATH=%s:/nonexistent", b);
	free(tu_write(project, ".otto/settings.toml", settings));
	free(tu_write(a, "README", ""));
	free(tu_write(b, "README", ""));
	free(tu_write(c, "README", ""));
	copy_file(CT_EXAMPLE_SO, a, "example.so");
	copy_file(CT_EXAMPLE_SO, b, "example.so");
	copy_file(CT_EXAMPLE_SO, c, "example.so");
	char *in_a = tu_fmt("%s/example.so", a), *in_b = tu_fmt("%s/example.so", b), *in_c = tu_fmt("%s/example.so", c);

	struct {
		const char *const *env;
		bool with_dir;
		const char *winner;
	} cases[] = {
		{CT_ARGS(env_path), true, in_a},
		{CT_ARGS(env_path), false, in_b},
		{NULL, false, in_c},
	};
	for (size_t i = 0; i < 3; i++) {
		tu_result r = cases[i].with_dir ? CT_RUN(project, cases[i].env, "plugins", "--json", "--plugin-dir", a)
						: CT_RUN(project, cases[i].env, "plugins", "--json");
		cr_assert_eq(r.status, 0, "case %zu: %s", i, r.err);
		yajl_val root = ct_json(r.out);
		char *winner = backend_in_use(root, "lab", "example");
		cr_assert_str_eq(winner, cases[i].winner, "case %zu", i);
		free(winner);
		yajl_val folders = ct_get(root, CT_ARGS("folders"), yajl_t_array);
		size_t k = 0;
		if (cases[i].with_dir)
			cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[k++], CT_ARGS("path")), a);
		if (cases[i].env) {
			cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[k++], CT_ARGS("path")), b);
			cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[k++], CT_ARGS("path")),
					 "/nonexistent");
		}
		cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[k++], CT_ARGS("path")), c,
				 "case %zu", i);
		cr_assert_str_eq(ct_json_string(YAJL_GET_ARRAY(folders)->values[k], CT_ARGS("path")),
				 OTTO_PLUGIN_BUILD_DIR, "case %zu", i);
		yajl_tree_free(root);
		tu_result_free(&r);

		/* The text form names the duplicate too. */
		r = cases[i].with_dir ? CT_RUN(project, cases[i].env, "plugins", "--plugin-dir", a)
				      : CT_RUN(project, cases[i].env, "plugins");
		cr_assert(tu_contains(r.out, "duplicate"), "case %zu: %s", i, r.out);
		tu_result_free(&r);
	}
	/* And the winner is the one the commands use. */
	tu_result r = CT_RUN(project, NULL, "lab", "list", "--plugin-dir", a);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "east\nwest\n");
	tu_result_free(&r);

	tu_rm_rf(root_dir);
	tu_rm_rf(project);
	free(root_dir);
	free(project);
	free(settings);
	free(env_path);
	free(a);
	free(b);
	free(c);
	free(in_a);
	free(in_b);
	free(in_c);
}
