/*
 * Fuzz target: times on the command line (otto reservation reserve|cancel
 * --from/--until, core/cli/time_arg.c): "now" or ISO 8601 with a zone.
 * Any text must be accepted with exactly the seconds it says, or refused
 * with a sentence; an independent reading decides which: the text is
 * matched against the grammar's shapes character by character, and the
 * calendar is the C library's (timegm, then gmtime_r to see whether the
 * day existed), not the parser's own day counting.
 */
#include "time_arg.h"

#include "fuzz.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW ((int64_t)1700000000)

/* Exactly `n` digits at *p: their value; advance *p. */
static bool take_digits(const char **p, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		*value = *value * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return true;
}

static bool take(const char **p, const char *one_of)
{
	if (**p && strchr(one_of, **p)) {
		(*p)++;
		return true;
	}
	return false;
}

/* YYYY-MM-DD[Tt]HH:MM[:SS][(.|,)D+](Z|z|(+|-)HH[[:]MM]), every field in range. */
static bool expected(const char *text, int64_t *seconds)
{
	const char *p = text;
	int y, mo, d, h, mi, s = 0, zh = 0, zm = 0, sign = 0;
	if (strcmp(text, "now") == 0) {
		*seconds = NOW;
		return true;
	}
	if (!take_digits(&p, 4, &y) || !take(&p, "-") || !take_digits(&p, 2, &mo) || !take(&p, "-") ||
	    !take_digits(&p, 2, &d) || !take(&p, "Tt") || !take_digits(&p, 2, &h) || !take(&p, ":") ||
	    !take_digits(&p, 2, &mi))
		return false;
	if (take(&p, ":") && !take_digits(&p, 2, &s))
		return false;
	if (take(&p, ".,")) {
		size_t n = strspn(p, "0123456789");
		if (n == 0)
			return false;
		p += n;
	}
	if (!take(&p, "Zz")) { /* Z: UTC, no offset */
		if (*p != '+' && *p != '-')
			return false;
		sign = *p++ == '+' ? 1 : -1;
		if (!take_digits(&p, 2, &zh))
			return false;
		if (take(&p, ":") ? !take_digits(&p, 2, &zm) : (*p && !take_digits(&p, 2, &zm)))
			return false;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || zh > 23 || zm > 59)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
	time_t t = timegm(&tm);
	struct tm back;
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
		return false; /* the 31st of a 30-day month, the 29th of February outside leap years */
	*seconds = (int64_t)t - (int64_t)sign * (zh * 3600 + zm * 60);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	int64_t got = -1, want = -1;
	char why[256] = "";
	int rc = cli_time_parse(text, NOW, &got, why, sizeof why);
	bool valid = expected(text, &want); /* both read up to the first NUL, as argv does */
	if (rc == 0 && (!valid || got != want))
		abort();
	if (rc != 0 && (valid || got != 0 || !why[0]))
		abort();
	free(text);
	return 0;
}
