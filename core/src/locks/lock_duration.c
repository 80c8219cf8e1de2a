/*
 * Durations on the command line: "90s", "30m", "2h", "1d", or plain seconds.
 */
#include "util/util.h"

#include <otto/lock.h>

#include <errno.h>
#include <stdlib.h>

OTTO_API int otto_lock_duration_parse(const char *text, int64_t *seconds, otto_error *err)
{
	char *end;
	long long v;
	int64_t unit = 1;

	if (!text || !*text || *text < '0' || *text > '9')
		goto bad;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || v <= 0)
		goto bad;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		goto bad;
	}
	if (*end && end[1])
		goto bad;
	if (v > INT64_MAX / unit / 2)
		goto bad;
	*seconds = (int64_t)v * unit;
	return OTTO_OK;
bad:
	return otto_error_set(err, OTTO_EINVALID,
			      "invalid duration '%s': expected a positive number with an optional unit s, m, h or d "
			      "(e.g. 90s, 30m, 2h)",
			      text ? text : "");
}
