/*
 * Lock manager options: defaults and the [locks] settings table.
 */
#include "util/util.h"

#include <otto/lock.h>

#include <stdlib.h>

OTTO_API void otto_lock_options_init(otto_lock_options *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->check_pid = true;
}

OTTO_API const char *otto_lock_state_name(otto_lock_state state)
{
	switch (state) {
	case OTTO_LOCK_FREE:
		return "free";
	case OTTO_LOCK_HELD:
		return "held";
	case OTTO_LOCK_EXPIRED:
		return "expired";
	case OTTO_LOCK_STALE:
		return "stale";
	case OTTO_LOCK_CORRUPT:
		return "corrupt";
	}
	return "unknown";
}

OTTO_API int otto_lock_options_from_settings(otto_lock_options *opts, const otto_settings *s, char **dir_out,
					     otto_error *err)
{
	const otto_setting *items = NULL;
	size_t n = otto_settings_table(s, "locks", &items);

	*dir_out = NULL;
	for (size_t i = 0; i < n; i++) {
		const otto_setting *it = &items[i];
		char where[512];
		otto_setting_where(it, where, sizeof where);
		if (strcmp(it->key, "dir") == 0) {
			if (it->type != OTTO_VALUE_STRING || !it->string[0]) {
				free(*dir_out);
				*dir_out = NULL;
				return otto_error_set(err, OTTO_ESETTINGS, "%s: [locks] dir must be a non-empty string",
						      where);
			}
			free(*dir_out);
			*dir_out = otto__path_join(otto_settings_repo_root(s), it->string);
			opts->dir = *dir_out;
		} else if (strcmp(it->key, "check_pid") == 0) {
			if (it->type != OTTO_VALUE_BOOLEAN) {
				free(*dir_out);
				*dir_out = NULL;
				return otto_error_set(err, OTTO_ESETTINGS,
						      "%s: [locks] check_pid must be a boolean (true or false)", where);
			}
			opts->check_pid = it->boolean;
		} else if (strcmp(it->key, "store") == 0 || strcmp(it->key, "url") == 0) {
			if (it->type != OTTO_VALUE_STRING || !it->string[0]) {
				free(*dir_out);
				*dir_out = NULL;
				return otto_error_set(err, OTTO_ESETTINGS, "%s: [locks] %s must be a non-empty string",
						      where, it->key);
			}
			if (it->key[0] == 's')
				opts->store = strcmp(it->string, "files") == 0 ? NULL : it->string;
			else
				opts->url = it->string;
		}
	}
	return OTTO_OK;
}
