/*
 * Settings and the plugin registry, built the way otto builds them, for
 * the runner's parent and for every rule runner it starts (each builds its
 * own from the same command line).
 */
#include "conf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "otto-conformance: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CONF_EXIT_UNUSABLE;
}

static int load_settings(const conf_options *o, otto_settings **settings)
{
	otto_error err = {0};
	if (o->settings_file) {
		if (otto_settings_load(settings, o->settings_file, &err) != OTTO_OK)
			return fail("%s", err.message);
		return 0;
	}
	if (o->from_settings) {
		char *path = NULL;
		if (otto_settings_find(NULL, &path, &err) != OTTO_OK)
			return fail("%s", err.message);
		if (!path)
			return fail("%s", "--from-settings: no .otto/settings.toml here or above (use --settings FILE)");
		int st = otto_settings_load(settings, path, &err);
		free(path);
		if (st != OTTO_OK)
			return fail("%s", err.message);
		return 0;
	}
	char *cwd = getcwd(NULL, 0);
	int st = otto_settings_new_empty(settings, cwd ? cwd : ".", &err);
	free(cwd);
	return st == OTTO_OK ? 0 : fail("%s", err.message);
}

/* The folders otto searches, in otto's order. */
static int add_search_dirs(const conf_options *o, otto_settings *settings, otto_registry *registry)
{
	otto_error err = {0};
	for (size_t i = 0; i < o->plugin_dirs.count; i++)
		if (otto_registry_add_dir(registry, o->plugin_dirs.items[i], &err) != OTTO_OK)
			return fail("%s", err.message);
	const char *env = getenv("OTTO_PLUGIN_PATH");
	if (env && *env && otto_registry_add_path_list(registry, env, &err) != OTTO_OK)
		return fail("%s", err.message);
	for (size_t i = 0; i < otto_settings_plugin_dir_count(settings); i++)
		if (otto_registry_add_dir(registry, otto_settings_plugin_dir(settings, i), &err) != OTTO_OK)
			return fail("%s", err.message);
	if (otto_registry_add_default_dirs(registry, &err) != OTTO_OK)
		return fail("%s", err.message);
	return 0;
}

static bool is_path(const char *plugin)
{
	size_t n = strlen(plugin);
	return strchr(plugin, '/') || (n > 3 && strcmp(plugin + n - 3, ".so") == 0);
}

int conf_setup(const conf_options *o, otto_settings **settings, otto_registry **registry, bool *path_given)
{
	*path_given = o->plugin && is_path(o->plugin);
	int rc = load_settings(o, settings);
	if (rc)
		return rc;
	otto_error err = {0};
	if (otto_registry_new(registry, &err) != OTTO_OK)
		return fail("%s", err.message);
	/* The runners call the plugin themselves (raw types, stdout capture),
	 * inside the isolation otto-conformance gives each of them. */
	otto_registry_set_isolation(*registry, OTTO_ISOLATION_IN_PROCESS, NULL);
	/* The scan below loads and registers plugins in otto-worker under
	 * libotto's own limit (OTTO_PLUGIN_SCAN_TIMEOUT, default 10 s): make it
	 * --timeout, so that a plugin hanging in register_backends costs the
	 * time asked for, no more. Children inherit it. */
	char limit[16];
	snprintf(limit, sizeof limit, "%d", o->timeout_s);
	setenv("OTTO_PLUGIN_SCAN_TIMEOUT", limit, 1);
	if (*path_given) {
		struct stat st;
		if (stat(o->plugin, &st) != 0 || !S_ISREG(st.st_mode))
			return fail("%s: no such plugin file", o->plugin);
		if (otto_registry_add_file(*registry, o->plugin, &err) != OTTO_OK)
			return fail("%s", err.message);
	} else if ((rc = add_search_dirs(o, *settings, *registry))) {
		return rc;
	}
	if (otto_registry_scan(*registry, &err) != OTTO_OK)
		return fail("%s", err.message);
	return 0;
}
