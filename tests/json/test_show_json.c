/*
 * `otto lab show --json` writes a record's pass-through fields exactly and
 * as valid JSON at any nesting depth the file can have: past yajl_gen's
 * 128 levels (where it used to leave a silently invalid document with exit
 * 0) and past what a recursive writer's stack holds (where it crashed).
 */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

static char *dir;

static void remove_dir(void)
{
	tu_rm_rf(dir);
	free(dir);
}

TestSuite(show_json, .fini = remove_dir);

/* A repository whose lab "deep" has one host with the pass-through field
 * `"toolchain": ` + value (an object: upstream's type for it; otto-c checks
 * only that, and passes its contents through as written). */
static void repo_with(const char *value)
{
	dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml", "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n"));
	char *text = tu_fmt("{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": [\"deep\"], \"toolchain\": %s}]}\n", value);
	free(tu_write(dir, "lab.json", text));
	free(text);
}

static tu_result show(void)
{
	const char *argv[] = {OTTO_BIN, "lab", "show", "deep", "--json", NULL};
	const char *env[] = {"OTTO_PLUGIN_PATH=", NULL};
	return tu_run(argv, dir, env, 60);
}

/* `{"a": ` + `[` * depth + `{"k": 1}` + `]` * depth + `}`. */
static char *nested(size_t depth)
{
	char *s = malloc(2 * depth + 32);
	strcpy(s, "{\"a\": ");
	memset(s + 6, '[', depth);
	strcpy(s + 6 + depth, "{\"k\": 1}");
	memset(s + 6 + depth + 8, ']', depth);
	strcpy(s + 6 + 2 * depth + 8, "}");
	return s;
}

typedef struct depth_count {
	size_t depth, max;
} depth_count;

static int open_level(void *ctx)
{
	depth_count *d = ctx;
	if (++d->depth > d->max)
		d->max = d->depth;
	return 1;
}

static int close_level(void *ctx)
{
	((depth_count *)ctx)->depth--;
	return 1;
}

/* The document parses (yajl_parse: no recursion), and its deepest level. */
static size_t valid_json_depth(const char *text)
{
	static const yajl_callbacks cb = {.yajl_start_map = open_level,
					  .yajl_end_map = close_level,
					  .yajl_start_array = open_level,
					  .yajl_end_array = close_level};
	depth_count d = {0, 0};
	yajl_handle h = yajl_alloc(&cb, NULL, &d);
	yajl_status st = yajl_parse(h, (const unsigned char *)text, strlen(text));
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	unsigned char *why = st == yajl_status_ok ? NULL : yajl_get_error(h, 0, NULL, 0);
	cr_assert_eq(st, yajl_status_ok, "the output is not valid JSON: %s", why ? (char *)why : "");
	yajl_free(h);
	return d.max;
}

/* The document's levels: root object, hosts array, host object, the
 * toolchain object. */
#define ABOVE 4

Test(show_json, past_the_writer_limit_of_128_levels)
{
	char *value = nested(200);
	repo_with(value);
	free(value);
	tu_result r = show();
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(valid_json_depth(r.out), ABOVE + 200 + 1);
	tu_result_free(&r);
}

Test(show_json, a_hundred_thousand_levels)
{
	char *value = nested(100000);
	repo_with(value);
	free(value);
	tu_result r = show();
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert_eq(valid_json_depth(r.out), ABOVE + 100000 + 1);
	/* Deep levels are written compactly: the output grows with the input. */
	cr_assert_lt(strlen(r.out), 1000000, "%zu bytes of output", strlen(r.out));
	tu_result_free(&r);
}

Test(show_json, values_are_exact_and_laid_out_like_the_rest)
{
	repo_with("{\"s\": \"a\\u0000b\\u001b\\\"\\\\/\\u00e9\", \"n\": [1.50, -0, 1e3, null, true], \"e\": {}, "
		  "\"k\\u0000\": 1, \"dup\": 1, \"dup\": 2}");
	tu_result r = show();
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *want = "      \"toolchain\": {\n"
			   "        \"s\": \"a\\u0000b\\u001B\\\"\\\\/\xc3\xa9\",\n"
			   "        \"n\": [\n"
			   "          1.50,\n"
			   "          -0,\n"
			   "          1e3,\n"
			   "          null,\n"
			   "          true\n"
			   "        ],\n"
			   "        \"e\": {\n"
			   "\n"
			   "        },\n"
			   "        \"k\\u0000\": 1,\n"
			   "        \"dup\": 1,\n"
			   "        \"dup\": 2\n"
			   "      }\n";
	cr_assert(tu_contains(r.out, want), "want:\n%s\nin:\n%s", want, r.out);
	valid_json_depth(r.out);
	tu_result_free(&r);
}
