/* Times in reservations.json, read as upstream otto-sh reads them: a string
 * goes through Python's datetime.fromisoformat (3.11 rules) after a final
 * "Z" became "+00:00"; a number is Unix time (milliseconds past 2e10), as
 * pydantic reads it. Results are microseconds since the epoch (UTC). */
#ifndef JSON_TIMESTAMP_H
#define JSON_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2026-05-01T09:30:00.5Z", "20260501T0930+01", "2026-W18-5", "2026-05-01"
 * ... A date alone is its midnight; no offset means UTC; fractions are kept
 * to the microsecond (further digits dropped, as Python does). A lower-case
 * "z" is refused (upstream replaces only "Z"). False when not such a time. */
bool json_parse_time(const char *s, size_t len, int64_t *us);

/* A JSON number as pydantic reads a datetime: seconds since the epoch, or
 * milliseconds when its magnitude is above 2e10. */
bool json_number_time(const char *s, size_t len, int64_t *us);

#endif
