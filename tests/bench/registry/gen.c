/* Write N plugins with distinct names: copies of a template plugin whose
 * name is the placeholder "tinyXXXX", each with every occurrence replaced
 * by tiny0000, tiny0001 ... (same length, so nothing else moves).
 * Usage: gen TEMPLATE.so DIR N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s TEMPLATE.so DIR N\n", argv[0]);
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	fseek(in, 0, SEEK_END);
	long size = ftell(in);
	rewind(in);
	unsigned char *data = malloc((size_t)size);
	if (!data || fread(data, 1, (size_t)size, in) != (size_t)size) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(in);
	const char *mark = "tinyXXXX";
	size_t hits[16], n_hits = 0;
	for (long i = 0; i + 8 <= size && n_hits < 16; i++)
		if (memcmp(data + i, mark, 8) == 0)
			hits[n_hits++] = (size_t)i;
	if (n_hits == 0) {
		fprintf(stderr, "no placeholder in %s\n", argv[1]);
		return 1;
	}
	long n = strtol(argv[3], NULL, 10);
	mkdir(argv[2], 0755);
	for (long k = 0; k < n; k++) {
		char name[16], path[4096];
		snprintf(name, sizeof name, "tiny%04ld", k % 10000);
		for (size_t h = 0; h < n_hits; h++)
			memcpy(data + hits[h], name, 8);
		snprintf(path, sizeof path, "%s/%s.so", argv[2], name);
		FILE *out = fopen(path, "wb");
		if (!out || fwrite(data, 1, (size_t)size, out) != (size_t)size || fclose(out) != 0) {
			perror(path);
			return 1;
		}
		chmod(path, 0644);
	}
	return 0;
}
