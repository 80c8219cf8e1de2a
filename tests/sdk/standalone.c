/*
 * Uses every SDK header with nothing but the C library: if this compiles
 * as plain C17 and links without libotto, the SDK stands alone.
 */
#include <otto/host_id.h>
#include <otto/plugin.h>

#include <stdio.h>
#include <string.h>

static int check(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return 0;
	fprintf(stderr, "%s: got '%s', want '%s'\n", what, got, want);
	return 1;
}

int main(void)
{
	char id[64];
	otto_error err = {0, ""};
	otto_host host = OTTO_HOST_INIT;
	otto_host_summary summary = OTTO_HOST_SUMMARY_INIT;
	int failures = 0;

	otto_host_id(id, sizeof id, "carrot", OTTO_NO_NUMBER, "seed", OTTO_NO_NUMBER);
	failures += check("otto_host_id", id, "carrot_seed");
	otto_error_set(&err, OTTO_ENOTFOUND, "no lab '%s'", "x");
	failures += check("otto_error_set", err.message, "no lab 'x'");
	if (err.code != OTTO_ENOTFOUND || host.struct_size != sizeof host || summary.struct_size != sizeof summary)
		failures++;
	return failures ? 1 : 0;
}
