/*
 * Fuzz target: lock records (the files in the lock folder, which any user
 * who can write there may have written). Any bytes must parse or be
 * refused with a reason; a record that parses must format, and its text
 * must parse back to the same text (what is kept is what is read).
 *
 * Linked with otto_internal (libotto's objects as a static library:
 * otto__lockrec_parse is not exported by the shared library).
 */
#include "locks/lock_file.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	otto__lockrec first, second;
	char why[512] = "", text[OTTO__LOCK_RECORD_MAX + 1], again[OTTO__LOCK_RECORD_MAX + 1];
	if (otto__lockrec_parse((const char *)data, size, &first, why, sizeof why) != 0) {
		if (!why[0])
			abort(); /* a refusal says why */
		return 0;
	}
	if (!otto__lock_name_valid(first.name))
		abort();
	int n = otto__lockrec_format(&first, text, sizeof text);
	if (n < 0)
		abort(); /* every record that parses fits in a record */
	why[0] = '\0';
	if (otto__lockrec_parse(text, (size_t)n, &second, why, sizeof why) != 0)
		abort(); /* what otto writes, otto reads */
	int m = otto__lockrec_format(&second, again, sizeof again);
	if (m != n || memcmp(text, again, (size_t)n) != 0)
		abort();
	return 0;
}
