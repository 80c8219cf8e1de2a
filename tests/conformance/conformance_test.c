#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tu_result ct_run(const char *const *args)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = OTTO_CONFORMANCE_BIN;
	/* The runner's per-call limit (default 5 s) scaled for valgrind and a
	 * loaded machine, unless the test sets its own. */
	int own_timeout = 0;
	for (size_t i = 0; args[i]; i++)
		own_timeout |= strcmp(args[i], "--timeout") == 0;
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%d", tu_scaled_seconds(5));
	if (!own_timeout && tu_time_scale() > 1) {
		argv[n++] = "--timeout";
		argv[n++] = timeout;
	}
	for (size_t i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* handle_segv=0: under AddressSanitizer a corpus plugin's deliberate
	 * SIGSEGV must stay a signal, as it is for users. */
	static const char *const env[] = {"NO_COLOR=1", "OTTO_PLUGIN_PATH=",
					  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:handle_segv=0", NULL};
	return tu_run(argv, NULL, env, 60);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *ct_failed_rules(const char *tap)
{
	char *ids[256];
	size_t n = 0;
	for (const char *line = tap; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "not ok ", 7) != 0)
			continue;
		const char *dash = strstr(line, " - ");
		cr_assert(dash, "malformed TAP line: %.80s", line);
		const char *id = dash + 3;
		size_t len = strcspn(id, " ");
		char *s = strndup(id, len);
		int dup = 0;
		for (size_t i = 0; i < n; i++)
			dup |= strcmp(ids[i], s) == 0;
		if (dup || n == 256)
			free(s);
		else
			ids[n++] = s;
	}
	qsort(ids, n, sizeof *ids, cmp);
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += strlen(ids[i]) + 1;
	char *out = calloc(1, total);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, ids[i]);
		free(ids[i]);
	}
	return out;
}

int ct_tap_well_formed(const char *tap, char **why)
{
	*why = NULL;
	if (strncmp(tap, "TAP version 13\n", 15) != 0) {
		*why = strdup("no 'TAP version 13' first line");
		return 0;
	}
	long plan = -1, seen = 0;
	int in_yaml = 0;
	for (const char *line = tap + 15; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		if (strncmp(line, "1..", 3) == 0) {
			plan = strtol(line + 3, NULL, 10);
		} else if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0) {
			if (in_yaml) {
				*why = tu_fmt("test point inside an open YAML block: %.60s", line);
				return 0;
			}
			long num = strtol(line + (line[0] == 'o' ? 3 : 7), NULL, 10);
			if (num != ++seen) {
				*why = tu_fmt("test point %ld numbered %ld", seen, num);
				return 0;
			}
		} else if (strncmp(line, "  ---", 5) == 0) {
			in_yaml = 1;
		} else if (strncmp(line, "  ...", 5) == 0) {
			in_yaml = 0;
		} else if (!in_yaml && line[0] != '#' && line[0] != '\n') {
			*why = tu_fmt("unexpected line: %.60s", line);
			return 0;
		}
	}
	if (in_yaml || plan != seen) {
		*why = tu_fmt("plan 1..%ld but %ld test points%s", plan, seen, in_yaml ? " (YAML block not closed)" : "");
		return 0;
	}
	return 1;
}
