/*
 * A small libotto client for the postgres tests: reserve and cancel
 * through the public API (and so through otto-worker), as the OS user it
 * runs as, and the racing writer of the `long` test.
 *
 *   pg_client SETTINGS reserve USER START END FLAGS RESOURCE...
 *   pg_client SETTINGS cancel USER START FLAGS RESOURCE...
 *   pg_client SETTINGS race SECONDS SEED BASE RESOURCE...
 *
 * FLAGS: "-", or letters s (shared) and f (force). reserve and cancel print
 * each window "resource start end" and exit 0; a refusal prints the
 * message on stderr and exits 3 (OTTO_ECONFLICT) or 1. race reserves random
 * overlapping windows (BASE + 0..600 s, 1..120 s long, a quarter shared)
 * and cancels now and then, for SECONDS; it prints "made N refused M" and
 * exits 1 if any refusal did not name a holder and a window, or any call
 * failed otherwise.
 */
#include <otto/otto.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static otto_registry *reg;
static otto_settings *settings;

static otto_reservation_backend *open_backend(const char *path)
{
	otto_error err = {0, ""};
	otto_reservation_backend *b = NULL;
	if (otto_registry_new(&reg, &err) != OTTO_OK || otto_registry_add_dir(reg, OTTO_PLUGIN_BUILD_DIR, &err) != OTTO_OK ||
	    otto_registry_scan(reg, &err) != OTTO_OK || otto_settings_load(&settings, path, &err) != OTTO_OK ||
	    otto_reservation_backend_open_from_settings(&b, reg, settings, &err) != OTTO_OK) {
		fprintf(stderr, "pg_client: %s\n", err.message);
		exit(2);
	}
	return b;
}

static uint32_t flags_of(const char *f)
{
	return (strchr(f, 's') ? OTTO_RESERVE_SHARED : 0) | (strchr(f, 'f') ? OTTO_RESERVE_FORCE : 0);
}

static int one(otto_reservation_backend *b, bool reserve, const char *user, int64_t start, int64_t end,
	       const char *flags, char **resources, int n)
{
	otto_reservation_request req = OTTO_RESERVATION_REQUEST_INIT;
	otto_window_list out = {0, NULL};
	otto_error err = {0, ""};
	req.user = user;
	req.resources = (const char *const *)resources;
	req.n_resources = (size_t)n;
	req.start = start;
	req.end = end;
	req.flags = flags_of(flags);
	int rc = reserve ? otto_reservation_backend_reserve(b, &req, &out, &err)
			 : otto_reservation_backend_cancel(b, &req, &out, &err);
	if (rc != OTTO_OK) {
		fprintf(stderr, "%s\n", err.message);
		return rc == OTTO_ECONFLICT ? 3 : 1;
	}
	for (size_t i = 0; i < out.count; i++)
		printf("%s %" PRId64 " %" PRId64 "\n", out.items[i].resource, out.items[i].start, out.items[i].end);
	otto_window_list_free(&out);
	return 0;
}

static int race(otto_reservation_backend *b, int seconds, unsigned seed, int64_t base, char **resources, int n)
{
	long made = 0, refused = 0, bad = 0;
	srand(seed);
	time_t stop = time(NULL) + seconds;
	while (time(NULL) < stop) {
		otto_reservation_request req = OTTO_RESERVATION_REQUEST_INIT;
		otto_window_list out = {0, NULL};
		otto_error err = {0, ""};
		const char *pick[2];
		int k = 1 + rand() % n;
		int first = rand() % n;
		for (int i = 0; i < k && i < 2; i++)
			pick[i] = resources[(first + i) % n];
		req.user = NULL;
		req.resources = pick;
		req.n_resources = (size_t)(k < 2 ? k : 2);
		req.start = base + rand() % 600;
		req.end = req.start + 1 + rand() % 120;
		req.flags = rand() % 4 == 0 ? OTTO_RESERVE_SHARED : 0;
		const char *user = getenv("LOGNAME");
		req.user = user;
		bool cancel = rand() % 5 == 0;
		int rc = cancel ? otto_reservation_backend_cancel(b, &req, &out, &err)
				: otto_reservation_backend_reserve(b, &req, &out, &err);
		if (rc == OTTO_OK) {
			made += cancel ? 0 : 1;
		} else if (rc == OTTO_ECONFLICT && !cancel && strstr(err.message, "is reserved by otto-pgr") &&
			   strstr(err.message, " from ") && strstr(err.message, " to ")) {
			refused++;
		} else {
			bad++;
			fprintf(stderr, "pg_client race: %s: %s\n", cancel ? "cancel" : "reserve", err.message);
		}
		otto_window_list_free(&out);
	}
	printf("made %ld refused %ld bad %ld\n", made, refused, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: see pg_client.c\n");
		return 2;
	}
	otto_reservation_backend *b = open_backend(argv[1]);
	int code = 2;
	if (strcmp(argv[2], "reserve") == 0 && argc >= 8)
		code = one(b, true, argv[3], strtoll(argv[4], NULL, 10), strtoll(argv[5], NULL, 10), argv[6], argv + 7,
			   argc - 7);
	else if (strcmp(argv[2], "cancel") == 0 && argc >= 7)
		code = one(b, false, argv[3], strtoll(argv[4], NULL, 10), 0, argv[5], argv + 6, argc - 6);
	else if (strcmp(argv[2], "race") == 0 && argc >= 7)
		code = race(b, atoi(argv[3]), (unsigned)atoi(argv[4]), strtoll(argv[5], NULL, 10), argv + 6, argc - 6);
	else
		fprintf(stderr, "pg_client: bad arguments\n");
	otto_error err = {0, ""};
	if (otto_reservation_backend_close(b, &err) != OTTO_OK && code == 0) {
		fprintf(stderr, "pg_client: %s\n", err.message);
		code = 1;
	}
	otto_settings_free(settings);
	otto_registry_free(reg);
	return code;
}
