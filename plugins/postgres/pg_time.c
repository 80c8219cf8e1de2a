/*
 * Times in messages: ISO 8601 in UTC, the form `otto reservation reserve`
 * accepts (2026-12-01T09:00:00Z), so a refusal's window can be pasted back.
 */
#include "pg_plugin.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

const char *pg_time_text(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "@%" PRId64, t);
	return buf;
}
