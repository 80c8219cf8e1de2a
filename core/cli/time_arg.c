/*
 * See time_arg.h. The grammar is small on purpose: a date, 'T', hours and
 * minutes, optional seconds and fraction, then a zone (Z or +HH:MM, +HHMM,
 * +HH). A time without a zone is refused rather than guessed: a
 * reservation made in the wrong zone silently holds the wrong hours.
 */
#include "time_arg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Read exactly `n` digits at *p into *value; advance *p. */
static bool digits(const char **p, int n, int *value)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*value = v;
	return true;
}

static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian calendar). */
static int64_t days_since_epoch(int year, int month, int day)
{
	int64_t days = 0;
	/* Whole years, counted through the 400-year cycle's rule. */
	for (int y = 1970; y < year; y++)
		days += is_leap(y) ? 366 : 365;
	for (int y = year; y < 1970; y++)
		days -= is_leap(y) ? 366 : 365;
	for (int m = 1; m < month; m++)
		days += days_in_month(year, m);
	return days + day - 1;
}

/* One field out of range: "month 13 is not 01-12". */
static int out_of_range(char *why, size_t size, const char *field, int value, const char *range)
{
	snprintf(why, size, "%s %02d is not %s", field, value, range);
	return -1;
}

int cli_time_parse(const char *text, int64_t now, int64_t *out, char *why, size_t size)
{
	static const char form[] = "expected 'now' or an ISO 8601 time with a zone, e.g. 2026-12-01T09:00Z or "
				   "2026-12-01T09:00:00+01:00";
	const char *p = text;
	int year, month, day, hour, minute, second = 0, zone_h = 0, zone_m = 0, sign = 0;

	*out = 0;
	if (!text || !*text) {
		snprintf(why, size, "empty time: %s", form);
		return -1;
	}
	if (strcmp(text, "now") == 0) {
		*out = now;
		return 0;
	}
	if (!digits(&p, 4, &year) || *p++ != '-' || !digits(&p, 2, &month) || *p++ != '-' || !digits(&p, 2, &day)) {
		snprintf(why, size, "not a date (YYYY-MM-DD): %s", form);
		return -1;
	}
	if (month < 1 || month > 12)
		return out_of_range(why, size, "month", month, "01-12");
	if (day < 1 || day > days_in_month(year, month)) {
		*out = 0;
		snprintf(why, size, "day %02d does not exist in %04d-%02d (it has %d days)", day, year, month,
			 days_in_month(year, month));
		return -1;
	}
	if (*p == '\0') {
		snprintf(why, size, "a date without a time: add one, e.g. %04d-%02d-%02dT09:00Z", year, month, day);
		return -1;
	}
	if ((*p != 'T' && *p != 't') || (p++, !digits(&p, 2, &hour)) || *p++ != ':' || !digits(&p, 2, &minute)) {
		snprintf(why, size, "not a time of day (THH:MM after the date): %s", form);
		return -1;
	}
	if (*p == ':' && (p++, !digits(&p, 2, &second))) {
		snprintf(why, size, "seconds need two digits: %s", form);
		return -1;
	}
	if (*p == '.' || *p == ',') {
		/* A fraction: at least one digit, dropped (rounded down). */
		const char *start = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start) {
			snprintf(why, size, "a decimal point without digits: %s", form);
			return -1;
		}
	}
	if (hour > 23)
		return out_of_range(why, size, "hour", hour, "00-23");
	if (minute > 59)
		return out_of_range(why, size, "minute", minute, "00-59");
	if (second > 59)
		return out_of_range(why, size, "second", second, "00-59 (leap seconds are not supported)");
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits(&p, 2, &zone_h) || (*p == ':' ? (p++, !digits(&p, 2, &zone_m))
							  : (*p != '\0' && !digits(&p, 2, &zone_m)))) {
			snprintf(why, size, "a zone offset is +HH:MM, +HHMM or +HH: %s", form);
			return -1;
		}
		if (zone_h > 23 || zone_m > 59) {
			snprintf(why, size, "zone offset %c%02d:%02d is out of range (-23:59 to +23:59)",
				 sign > 0 ? '+' : '-', zone_h, zone_m);
			return -1;
		}
	} else if (*p == '\0') {
		snprintf(why, size, "no zone: add Z for UTC or an offset such as +01:00");
		return -1;
	}
	if (*p != '\0') {
		snprintf(why, size, "unexpected text after the time: %s", form);
		return -1;
	}
	int64_t t = days_since_epoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	*out = t - (int64_t)sign * (zone_h * 3600 + zone_m * 60);
	return 0;
}
