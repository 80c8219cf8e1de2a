/*
 * Times on the command line (otto reservation reserve|cancel --from/--until):
 * "now" or ISO 8601 with a zone, "2026-12-01T09:00Z",
 * "2026-12-01T09:00:30+01:00", "2026-12-01T09:00:30.75Z".
 */
#ifndef OTTO_CLI_TIME_ARG_H
#define OTTO_CLI_TIME_ARG_H

#include <stddef.h>
#include <stdint.h>

/* Parse `text` into Unix seconds (*out; `now` for "now"). Fractions of a
 * second are dropped (rounded down to the second). Returns 0, or -1 with
 * one sentence in `why` saying what is wrong ("month 13 is not 01-12"),
 * without the option name. *out is set on every path (0 on failure). */
int cli_time_parse(const char *text, int64_t now, int64_t *out, char *why, size_t why_size);

#endif
