/* The floor: read FILE and run yajl's streaming parser over it with no-op
 * callbacks (every callback set, numbers left unconverted). Nothing built. */
#include <stdio.h>
#include <stdlib.h>
#include <yajl/yajl_parse.h>

static int on_null(void *ctx)
{
	(void)ctx;
	return 1;
}
static int on_bool(void *ctx, int b)
{
	(void)ctx, (void)b;
	return 1;
}
static int on_number(void *ctx, const char *s, size_t n)
{
	(void)ctx, (void)s, (void)n;
	return 1;
}
static int on_string(void *ctx, const unsigned char *s, size_t n)
{
	(void)ctx, (void)s, (void)n;
	return 1;
}

static const yajl_callbacks callbacks = {on_null, on_bool,   NULL,    NULL,    on_number, on_string,
					 on_null, on_string, on_null, on_null, on_null};

int main(int argc, char **argv)
{
	int status = 0;
	for (int a = 1; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		if (!f) {
			perror(argv[a]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		rewind(f);
		unsigned char *buf = malloc((size_t)size + 1);
		if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
			fprintf(stderr, "%s: read failed\n", argv[a]);
			return 1;
		}
		fclose(f);
		yajl_handle h = yajl_alloc(&callbacks, NULL, NULL);
		if (yajl_parse(h, buf, (size_t)size) != yajl_status_ok || yajl_complete_parse(h) != yajl_status_ok) {
			fprintf(stderr, "%s: not JSON\n", argv[a]);
			status = 1;
		}
		yajl_free(h);
		free(buf);
	}
	return status;
}
