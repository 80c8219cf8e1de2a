#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *ct_project(const char *settings)
{
	char *dir = tu_mkdtemp();
	if (settings)
		free(tu_write(dir, ".otto/settings.toml", settings));
	return dir;
}

tu_result ct_run(const char *cwd, const char *const *env, const char *const *argv)
{
	const char *full_argv[64] = {OTTO_BIN};
	const char *full_env[64] = {"OTTO_PLUGIN_PATH=", "LOGNAME=tester", "USER=", "LNAME=", "USERNAME="};
	size_t n = 1, e = 5;
	for (size_t i = 0; argv && argv[i]; i++) {
		cr_assert(n < 63);
		full_argv[n++] = argv[i];
	}
	full_argv[n] = NULL;
	for (size_t i = 0; env && env[i]; i++) {
		cr_assert(e < 63);
		full_env[e++] = env[i];
	}
	full_env[e] = NULL;
	return tu_run(full_argv, cwd, full_env, 30);
}

yajl_val ct_json(const char *text)
{
	char errbuf[256] = "";
	yajl_val v = yajl_tree_parse(text, errbuf, sizeof errbuf);
	cr_assert(v != NULL, "output is not JSON (%s):\n%s", errbuf, text);
	return v;
}

yajl_val ct_get(yajl_val v, const char *const *path, yajl_type type)
{
	/* yajl_tree_get only reads the path. */
	return yajl_tree_get(v, (const char **)(uintptr_t)path, type);
}

const char *ct_json_string(yajl_val v, const char *const *path)
{
	yajl_val s = ct_get(v, path, yajl_t_string);
	return s ? YAJL_GET_STRING(s) : NULL;
}
