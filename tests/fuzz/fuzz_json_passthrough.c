/*
 * Fuzz target: the pass-through fields of a record written into `otto lab
 * show --json` (core/cli/json_passthrough.c). Any text handed over as a
 * record's extra fields must give a valid JSON document, whatever its
 * nesting depth: its members when it is a JSON object, the text itself as a
 * string otherwise. Never a crash, a leak, or invalid JSON.
 *
 * Compiled with the otto command's JSON writer sources.
 */
#include "fuzz.h"
#include "json_out.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

static const char *const skip[] = {"id", "ip", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1);
	memcpy(json, data, size);
	json[size] = '\0';
	yajl_gen g = cli_json_begin();
	yajl_gen_map_open(g);
	cli_json_key(g, "hosts");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	cli_json_key(g, "id");
	cli_json_string(g, "host");
	cli_json_merge_object(g, json, skip, 3);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	const unsigned char *out = NULL;
	size_t len = 0;
	if (yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok)
		abort();
	/* The whole document must parse (yajl_parse keeps its own stack: no
	 * recursion however deep the output). */
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	yajl_status st = yajl_parse(h, out, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok)
		abort();
	yajl_free(h);
	yajl_gen_free(g);
	free(json);
	return 0;
}
