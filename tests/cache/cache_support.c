/* The registry cache tests' fixture (cache_support.h). */
#include "cache_support.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cf_copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	cr_assert(in >= 0, "open %s", from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert(out >= 0, "create %s", to);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		cr_assert(write(out, buf, (size_t)n) == n);
	cr_assert(n == 0);
	close(in);
	cr_assert(close(out) == 0);
	chmod(to, 0644);
}

void cf_setup(cache_fx *f)
{
	f->root = tu_mkdtemp();
	cr_assert(chmod(f->root, 0755) == 0);
	f->plugins = tu_fmt("%s/plugins", f->root);
	cr_assert(mkdir(f->plugins, 0755) == 0);
	f->xdg = tu_fmt("%s/xdg", f->root);
	cr_assert(mkdir(f->xdg, 0700) == 0);
	f->cache = tu_fmt("%s/otto/plugins.cache", f->xdg);
	f->log = tu_fmt("%s/scan.log", f->root);
	f->project = tu_fmt("%s/project", f->root);
	free(tu_write(f->project, ".otto/settings.toml", "[lab]\nbackend = \"marker-a\"\n"));
	free(cf_add(f, "a", "marker_a.so"));
	free(cf_add(f, "b", "marker_b.so"));
}

void cf_teardown(cache_fx *f)
{
	tu_rm_rf(f->root);
	free(f->root);
	free(f->plugins);
	free(f->xdg);
	free(f->cache);
	free(f->log);
	free(f->project);
}

char *cf_add(cache_fx *f, const char *variant, const char *name)
{
	char *from = tu_fmt("%s/marker_%s.so", CF_MARKER_DIR, variant);
	char *to = tu_fmt("%s/%s", f->plugins, name);
	cf_copy(from, to);
	free(from);
	return to;
}

tu_result cf_run(cache_fx *f, const char *const *env, const char *const *argv)
{
	char *e_path = tu_fmt("OTTO_PLUGIN_PATH=%s", f->plugins);
	char *e_xdg = tu_fmt("XDG_CACHE_HOME=%s", f->xdg);
	char *e_log = tu_fmt("OTTO_TEST_SCAN_LOG=%s", f->log);
	const char *full[40] = {"OTTO_PLUGIN_CACHE=1", e_path, e_xdg, e_log};
	size_t n = 4;
	for (size_t i = 0; env && env[i]; i++) {
		cr_assert(n < 39);
		full[n++] = env[i];
	}
	full[n] = NULL;
	/* ct_run empties OTTO_PLUGIN_PATH first: ours comes after. */
	tu_result r = ct_run(f->project, full, argv);
	free(e_path);
	free(e_xdg);
	free(e_log);
	return r;
}

char *cf_plugins_json(cache_fx *f, const char *const *env)
{
	tu_result r = CF_RUN(f, env, "plugins", "--json");
	cr_assert(r.status == 0, "otto plugins: %d\n%s", r.status, r.err);
	char *out = r.out;
	r.out = NULL;
	tu_result_free(&r);
	return out;
}

size_t cf_loads(const cache_fx *f, const char *name)
{
	if (access(f->log, F_OK) != 0)
		return 0;
	char *text = tu_read(f->log);
	size_t count = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (!name || strcmp(line, name) == 0)
			count++;
	free(text);
	return count;
}

char *cf_status(const char *json, const char *file_name)
{
	yajl_val v = ct_json(json);
	yajl_val plugins = ct_get(v, (const char *const[]){"plugins", NULL}, yajl_t_array);
	cr_assert(plugins);
	char *status = NULL;
	for (size_t i = 0; i < plugins->u.array.len; i++) {
		yajl_val p = plugins->u.array.values[i];
		const char *path = ct_json_string(p, (const char *const[]){"path", NULL});
		size_t n = strlen(path), k = strlen(file_name);
		if (n >= k && strcmp(path + n - k, file_name) == 0 && path[n - k - 1] == '/')
			status = strdup(ct_json_string(p, (const char *const[]){"status", NULL}));
	}
	yajl_tree_free(v);
	return status;
}
