/*
 * What the otto command takes from its settings and environment for the
 * registry: the per-call time limit of worker calls, [plugins]
 * call_timeout, overridden by OTTO_CALL_TIMEOUT (the environment is the
 * user's decision for this run; the settings file is the repository's).
 */
#include "registry/registry_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

OTTO_API int otto_registry_configure(otto_registry *reg, const otto_settings *settings, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to configure");
	unsigned seconds = 0;
	const otto_setting *items = NULL;
	size_t n = settings ? otto_settings_table(settings, "plugins", &items) : 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i].key, "call_timeout") != 0)
			continue;
		/* The reader checked its type and range; a caller-made view may not
		 * have been read. */
		if (items[i].type != OTTO_VALUE_INTEGER || items[i].integer < 1 ||
		    items[i].integer > OTTO_CALL_TIMEOUT_MAX) {
			char where[512];
			otto_setting_where(&items[i], where, sizeof where);
			return otto_error_set(err, OTTO_ESETTINGS,
					      "%s: 'call_timeout' in [plugins] must be an integer between 1 and %d "
					      "seconds",
					      where, OTTO_CALL_TIMEOUT_MAX);
		}
		seconds = (unsigned)items[i].integer;
	}
	const char *env = getenv("OTTO_CALL_TIMEOUT");
	if (env && *env) {
		char *end;
		errno = 0;
		long v = strtol(env, &end, 10);
		if (errno || *end || end == env || env[0] == '+' || env[0] == ' ' || v < 1 || v > OTTO_CALL_TIMEOUT_MAX)
			return otto_error_set(err, OTTO_ESETTINGS,
					      "OTTO_CALL_TIMEOUT='%s' is not a whole number of seconds between 1 and %d",
					      env, OTTO_CALL_TIMEOUT_MAX);
		seconds = (unsigned)v;
	}
	if (seconds)
		reg->call_timeout_ms = seconds * 1000u;
	return OTTO_OK;
}
