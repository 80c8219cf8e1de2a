/*
 * How the registry's plugins are called: in a worker or in process, and the
 * per-call time limit of worker calls; and what the otto command takes for
 * them from its settings and environment: [plugins] call_timeout,
 * overridden by OTTO_CALL_TIMEOUT (the environment is the user's decision
 * for this run; the settings file is the repository's).
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

/* ------------------------------------------------------------ isolation -- */

OTTO_API int otto_registry_set_isolation(otto_registry *reg, otto_isolation isolation, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to set the isolation of");
	if (isolation != OTTO_ISOLATION_WORKER && isolation != OTTO_ISOLATION_IN_PROCESS)
		return otto_error_set(err, OTTO_EINVALID,
				      "unknown isolation %d (OTTO_ISOLATION_WORKER or OTTO_ISOLATION_IN_PROCESS)",
				      (int)isolation);
	reg->isolation = isolation;
	return OTTO_OK;
}

OTTO_API otto_isolation otto_registry_isolation(const otto_registry *reg)
{
	return reg ? reg->isolation : OTTO_ISOLATION_WORKER;
}

OTTO_API int otto_registry_set_call_timeout(otto_registry *reg, unsigned milliseconds, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to set the call time limit of");
	if (milliseconds == 0 || milliseconds > OTTO_CALL_TIMEOUT_MAX * 1000u)
		return otto_error_set(err, OTTO_EINVALID,
				      "a call time limit of %u ms is out of range (1 ms to %d s)", milliseconds,
				      OTTO_CALL_TIMEOUT_MAX);
	reg->call_timeout_ms = milliseconds;
	return OTTO_OK;
}

OTTO_API unsigned otto_registry_call_timeout(const otto_registry *reg)
{
	return reg ? reg->call_timeout_ms : OTTO_CALL_TIMEOUT_DEFAULT * 1000u;
}

otto_isolation otto__registry_isolation(const otto_registry *reg)
{
	return otto_registry_isolation(reg);
}

unsigned otto__registry_call_timeout(const otto_registry *reg)
{
	return otto_registry_call_timeout(reg);
}
