/* Write a reservations.json of N entries (version 1): users user0..user999,
 * mixed expiries (some past, some with offsets, some none).
 * Usage: gen_reservations FILE [N] */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [ENTRIES]\n", argv[0]);
		return 2;
	}
	long n = argc > 2 ? atol(argv[2]) : 100000;
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fputs("{\"version\": 1,\n \"reservations\": [\n", f);
	static const char *const expiries[] = {"", ", \"expires\": \"2099-05-01T00:00:00Z\"",
					       ", \"expires\": \"2001-05-01T00:00:00Z\"",
					       ", \"expires\": \"2099-05-01T00:00:00+02:00\""};
	for (long i = 0; i < n; i++)
		fprintf(f, "  {\"user\": \"user%ld\", \"resources\": [\"node%ld\", \"rack%ld-psu\"]%s}%s\n", i % 1000,
			i, i % 1000, expiries[i % 4], i + 1 < n ? "," : "");
	fputs("]}\n", f);
	return fclose(f) == 0 ? 0 : 1;
}
