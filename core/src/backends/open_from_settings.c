/*
 * Opening the backends that .otto/settings.toml selects.
 */
#include "backends/backends.h"
#include "util/util.h"

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
	return otto_reservation_backend_open(out, reg, name, &config, err);
}
