/*
 * Upstream's reading of reservations.json times (timestamp.h). The string
 * forms are those of Python 3.11's datetime.fromisoformat, which upstream
 * otto-sh calls: extended (2026-05-01) or basic (20260501) calendar dates,
 * week dates (2026-W18-5), any single character between date and time, a
 * time of hh[:mm[:ss[.f...]]] or hh[mm[ss[.f...]]] (',' works as '.'), an
 * offset of +hh, +hhmm, +hh:mm or +hh:mm:ss[.f] or a final "Z".
 */
#include "timestamp.h"

#include <math.h>
#include <stdlib.h>

static bool digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
	int v = 0;
	if (at + n > len)
		return false;
	for (size_t i = at; i < at + n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The date part: its length (7, 8, 10) and day number, or 0. */
static size_t parse_date(const char *s, size_t len, int64_t *days)
{
	int y, m = 1, d = 1, w, wd = 1;
	if (!digits(s, len, 0, 4, &y) || y < 1)
		return 0;
	bool ext = len > 4 && s[4] == '-';
	size_t i = ext ? 5 : 4;
	if (i < len && s[i] == 'W') { /* ISO week date: YYYY-Www[-D] or YYYYWww[D] */
		if (!digits(s, len, i + 1, 2, &w))
			return 0;
		i += 3;
		if (i < len && ((ext && s[i] == '-' && i + 1 < len && is_digit(s[i + 1])) || (!ext && is_digit(s[i])))) {
			i += ext;
			wd = s[i++] - '0';
		}
		/* Week 1 holds the year's first Thursday. */
		int64_t jan4 = days_from_civil(y, 1, 4);
		int64_t jan4_wd = ((jan4 % 7) + 7 + 3) % 7; /* 0 = Monday */
		int64_t dec28 = days_from_civil(y, 12, 28), dec28_wd = ((dec28 % 7) + 7 + 3) % 7;
		int64_t weeks = (dec28 - dec28_wd - (jan4 - jan4_wd)) / 7 + 1;
		if (w < 1 || w > weeks || wd < 1 || wd > 7)
			return 0;
		*days = jan4 - jan4_wd + (w - 1) * 7 + (wd - 1);
		return i;
	}
	if (!digits(s, len, i, 2, &m))
		return 0;
	i += 2;
	if (ext && (i >= len || s[i] != '-'))
		return 0;
	i += ext;
	if (!digits(s, len, i, 2, &d))
		return 0;
	i += 2;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return 0;
	*days = days_from_civil(y, m, d);
	return i;
}

/* hh[:mm[:ss[.f]]] or hh[mm[ss[.f]]] from s[i..end): microseconds of the day. */
static bool parse_clock(const char *s, size_t i, size_t end, bool allow_fraction, int64_t *us)
{
	int part[3] = {0, 0, 0}, n = 0;
	bool colon = false;
	while (n < 3) {
		if (!digits(s, end, i, 2, &part[n]))
			return false;
		i += 2;
		n++;
		if (n == 1 && i < end && s[i] == ':')
			colon = true;
		if (i < end && colon && s[i] == ':' && n < 3) {
			i++;
			continue;
		}
		if (i < end && !colon && is_digit(s[i]) && n < 3)
			continue;
		break;
	}
	int64_t frac = 0;
	if (i < end && (s[i] == '.' || s[i] == ',') && n == 3 && allow_fraction) {
		i++;
		int got = 0;
		while (i < end && is_digit(s[i])) {
			if (got < 6)
				frac = frac * 10 + (s[i] - '0'), got++;
			i++;
		}
		while (got > 0 && got < 6)
			frac *= 10, got++;
	}
	if (i != end || part[0] > 23 || part[1] > 59 || part[2] > 59)
		return false;
	*us = ((int64_t)part[0] * 3600 + part[1] * 60 + part[2]) * 1000000 + frac;
	return true;
}

bool json_parse_time(const char *s, size_t len, int64_t *us)
{
	int64_t days, clock = 0, offset = 0;
	size_t i = parse_date(s, len, &days);
	if (i == 0)
		return false;
	if (i < len) {
		i++; /* any one character separates date and time */
		size_t end = len;
		if (end > i && s[end - 1] == 'Z') {
			end--; /* upstream's "Z" -> "+00:00" */
		} else {
			size_t j = i;
			while (j < len && s[j] != '+' && s[j] != '-')
				j++;
			if (j < len) {
				int64_t off;
				int sign = s[j] == '-' ? -1 : 1;
				if (!parse_clock(s, j + 1, len, true, &off) || off >= INT64_C(86400000000))
					return false;
				offset = sign * off;
				end = j;
			}
		}
		if (end <= i || !parse_clock(s, i, end, true, &clock))
			return false;
	}
	*us = days * INT64_C(86400000000) + clock - offset;
	return true;
}

bool json_number_time(const char *s, size_t len, int64_t *us)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	for (size_t i = 0; i < len; i++)
		buf[i] = s[i];
	buf[len] = '\0';
	char *end;
	double v = strtod(buf, &end);
	if (*end || !isfinite(v))
		return false;
	if (fabs(v) > 2e10)
		v /= 1000; /* milliseconds, as pydantic reads them */
	double micro = v * 1e6;
	if (fabs(micro) > 2.5e17) /* past year 9999 */
		return false;
	*us = (int64_t)llround(micro);
	return true;
}
