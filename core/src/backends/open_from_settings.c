/*
 * Opening the backends that .otto/settings.toml selects.
 */
#include "backends/backends.h"
#include "registry/registry.h"
#include "util/util.h"

#include <otto/lock.h>

#include <stdlib.h>

/* The built-in `lock` view reads the lock store [locks] names, the same
 * one `otto lock` writes: never a table of its own, so that the two cannot
 * disagree (a [locks] dir alone once left the gate reading the default
 * folder while `otto lock` wrote elsewhere). */
static int open_lock_view(otto_reservation_backend **out, otto_registry *reg, const otto_settings *settings,
			  const otto_config *table, otto_error *err)
{
	if (table->n_settings > 0) {
		char where[512];
		otto_setting_where(&table->settings[0], where, sizeof where);
		return otto_error_set(err, OTTO_ESETTINGS,
				      "%s: [reservations.lock] %s is not read: the lock backend reads the lock store "
				      "that [locks] names, as `otto lock` does; write it under [locks]",
				      where, table->settings[0].key);
	}
	otto_lock_options opts;
	char *dir = NULL;
	otto_lock_options_init(&opts);
	int rc = otto_lock_options_from_settings(&opts, settings, &dir, err);
	if (rc != OTTO_OK)
		return rc;
	otto_setting items[4];
	size_t n = 0;
	items[n++] = (otto_setting){.key = "dir", .type = OTTO_VALUE_STRING,
				    .string = opts.dir ? opts.dir : OTTO_LOCK_DEFAULT_DIR, .file = "[locks]"};
	items[n++] = (otto_setting){.key = "check_pid", .type = OTTO_VALUE_BOOLEAN, .boolean = opts.check_pid,
				    .file = "[locks]"};
	if (opts.store)
		items[n++] = (otto_setting){.key = "store", .type = OTTO_VALUE_STRING, .string = opts.store,
					    .file = "[locks]"};
	if (opts.url)
		items[n++] = (otto_setting){.key = "url", .type = OTTO_VALUE_STRING, .string = opts.url,
					    .file = "[locks]"};
	if (opts.store) {
		opts.registry = reg;
		rc = otto__lock_view_open_store(out, &opts, err);
		free(dir);
		return rc;
	}
	otto_config config = *table;
	config.section = "locks";
	config.settings = items;
	config.n_settings = n;
	rc = otto_reservation_backend_open(out, reg, "lock", &config, err);
	free(dir);
	return rc;
}

OTTO_API int otto_lab_repository_open_from_settings(otto_lab_repository **out, otto_registry *reg,
						    const otto_settings *settings, otto_error *err)
{
	*out = NULL;
	if (!reg || !settings)
		return otto_error_set(err, OTTO_EINVALID, "opening the lab backend needs a registry and settings");

	if (otto_settings_lab_source_count(settings) > 0)
		return otto__layered_open(out, reg, settings, err);

	const char *name = otto_settings_lab_backend(settings);
	if (!name) {
		const char *path = otto_settings_path(settings);
		if (path)
			return otto_error_set(err, OTTO_ESETTINGS,
					      "no lab backend configured: set [lab] backend in %s", path);
		return otto_error_set(err, OTTO_ESETTINGS, "no .otto/settings.toml found (searched upward from %s)",
				      otto_settings_repo_root(settings));
	}
	otto_config config;
	otto_settings_backend_config(settings, OTTO_KIND_LAB, name, &config);
	return otto_lab_repository_open(out, reg, name, &config, err);
}

OTTO_API int otto_reservation_backend_open_from_settings(otto_reservation_backend **out, otto_registry *reg,
							 const otto_settings *settings, otto_error *err)
{
	*out = NULL;
	if (!reg || !settings)
		return otto_error_set(err, OTTO_EINVALID, "opening the reservation backend needs a registry and settings");
	const char *name = otto_settings_reservation_backend(settings);
	if (!name || !name[0])
		name = "none";
	otto_config config;
	otto_settings_backend_config(settings, OTTO_KIND_RESERVATION, name, &config);
	if (strcmp(name, "lock") == 0 && otto_registry_find(reg, OTTO_KIND_RESERVATION, name) &&
	    otto__registry_is_builtin(reg, OTTO_KIND_RESERVATION, name))
		return open_lock_view(out, reg, settings, &config, err);
	return otto_reservation_backend_open(out, reg, name, &config, err);
}
