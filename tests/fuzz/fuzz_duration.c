/*
 * Fuzz target: durations on the command line (otto lock --expiry, --wait):
 * "90s", "30m", "2h", "1d" or plain seconds. Any text must be accepted
 * with exactly the seconds it says, or refused with a message; an
 * independent reading of the grammar decides which.
 *
 * Linked with libotto (otto_lock_duration_parse is public).
 */
#include <otto/lock.h>

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* digits [s|m|h|d], value > 0, and value * unit small enough that twice it
 * still fits (the parser's own margin for adding it to a time). */
static bool expected(const char *text, int64_t *seconds)
{
	size_t digits = strspn(text, "0123456789");
	const char *unit = text + digits;
	int64_t scale = 1, value = 0;
	if (digits == 0 || (unit[0] && unit[1]))
		return false;
	switch (unit[0]) {
	case '\0':
	case 's':
		break;
	case 'm':
		scale = 60;
		break;
	case 'h':
		scale = 3600;
		break;
	case 'd':
		scale = 86400;
		break;
	default:
		return false;
	}
	for (size_t i = 0; i < digits; i++) {
		if (value > (INT64_MAX - 9) / 10)
			return false;
		value = value * 10 + (text[i] - '0');
	}
	if (value <= 0 || value > INT64_MAX / scale / 2)
		return false;
	*seconds = value * scale;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	int64_t got = -1, want = -1;
	otto_error err = {0};
	int rc = otto_lock_duration_parse(text, &got, &err);
	bool valid = expected(text, &want);
	if (rc == OTTO_OK && (!valid || got != want))
		abort();
	if (rc != OTTO_OK && (valid || rc != OTTO_EINVALID || !err.message[0]))
		abort();
	free(text);
	return 0;
}
