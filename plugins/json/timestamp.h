/* ISO 8601 times as reservations.json writes them. */
#ifndef JSON_TIMESTAMP_H
#define JSON_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse "YYYY-MM-DD[(T| )hh:mm[:ss[.fff]]][Z|+hh:mm|-hh:mm|+hhmm|+hh]" into
 * Unix seconds. No offset means UTC; a date alone is its midnight UTC.
 * Fractions of a second are dropped. False when it is not such a time. */
bool json_parse_time(const char *s, size_t len, int64_t *out);

#endif
