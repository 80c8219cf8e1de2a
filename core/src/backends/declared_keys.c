/*
 * The host's own check of a backend's table against the settings keys the
 * backend declares (ABI 1.2 `settings_keys`, read as data at scan time and
 * kept in the registry cache). A key the backend does not declare is a
 * settings error named the way the settings file's own errors are
 * (file:line, the table, the key), before the plugin is loaded or a worker
 * started: a typo never depends on how carefully create() checks, and the
 * answer is the same in a worker and in process. A backend that declares
 * nothing (ABI 1.1, or no declaration) is left to check its own keys with
 * otto_config_check_keys.
 */
#include "backends/backends.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int otto__config_check_declared(const otto_registry *reg, otto_backend_kind kind, const char *name,
				const otto_config *config, otto_error *err)
{
	const otto_backend_info *info = otto_registry_find(reg, kind, name);
	if (!info || info->n_settings_keys == 0 || !config)
		return OTTO_OK;
	for (size_t i = 0; i < config->n_settings; i++) {
		const otto_setting *s = &config->settings[i];
		bool declared = false;
		for (size_t k = 0; k < info->n_settings_keys && !declared; k++)
			declared = strcmp(info->settings_keys[k].key, s->key) == 0;
		if (declared)
			continue;
		otto_buf accepted = {0};
		for (size_t k = 0; k < info->n_settings_keys; k++)
			otto__buf_printf(&accepted, "%s%s", k ? ", " : "", info->settings_keys[k].key);
		char where[512];
		otto_setting_where(s, where, sizeof where);
		char *key = otto__text_escape(s->key);
		char *path = otto__text_escape(info->path);
		otto_error_set(err, OTTO_ESETTINGS,
			       "%s: unknown key '%s' in [%s] for %s backend '%s' (it declares: %s; see otto plugins "
			       "inspect %s)",
			       where, key, config->section ? config->section : "?", otto_backend_kind_name(kind), name,
			       accepted.data, path);
		free(key);
		free(path);
		otto__buf_free(&accepted);
		return OTTO_ESETTINGS;
	}
	return OTTO_OK;
}
