#include "worker_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

char *ws_project(const char *lab_table, const char *res_table)
{
	char *settings = tu_fmt("[lab]\nbackend = \"hostile\"\n[lab.hostile]\n%s\n"
				"[reservations]\nbackend = \"hostile\"\n[reservations.hostile]\n%s\n",
				lab_table ? lab_table : "", res_table ? res_table : "");
	char *dir = ct_project(settings);
	free(settings);
	return dir;
}

int ws_call_limit(void)
{
	/* A worker under valgrind (the worker stage of .ci/test) starts slowly:
	 * that stage runs with the valgrind scale too. */
	return tu_scaled_seconds(2);
}

tu_result ws_run(const char *project, const char *plugin_dir, const char *const *env, const char *const *words)
{
	const char *argv[32] = {"--plugin-dir", plugin_dir ? plugin_dir : HOSTILE_DIR};
	size_t n = 2;
	for (size_t i = 0; words[i]; i++) {
		cr_assert(n < 31);
		argv[n++] = words[i];
	}
	argv[n] = NULL;
	char *limit = tu_fmt("OTTO_CALL_TIMEOUT=%d", ws_call_limit());
	const char *full_env[32] = {limit};
	size_t e = 1;
	for (size_t i = 0; env && env[i]; i++) {
		cr_assert(e < 31);
		full_env[e++] = env[i];
	}
	full_env[e] = NULL;
	tu_result r = ct_run(project, full_env, argv);
	free(limit);
	return r;
}

char *ws_sentence(const char *kind, const char *so, const char *how)
{
	return tu_fmt("otto: %s backend 'hostile' (plugin %s) %s\n", kind, so, how);
}
