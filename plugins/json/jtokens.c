/*
 * yajl's callbacks as a stream of tokens (jtokens.h).
 */
#include "jtokens.h"

static int step(void *ctx, enum tok t, const char *s, size_t len, int b)
{
	ju_token_sink *sink = ctx;
	return sink->step(sink->parser, t, s, len, b);
}

static int cb_null(void *ctx)
{
	return step(ctx, T_NULL, NULL, 0, 0);
}
static int cb_bool(void *ctx, int b)
{
	return step(ctx, T_BOOL, NULL, 0, b);
}
static int cb_number(void *ctx, const char *s, size_t len)
{
	return step(ctx, T_NUM, s, len, 0);
}
static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return step(ctx, T_STR, (const char *)s, len, 0);
}
static int cb_start_map(void *ctx)
{
	return step(ctx, T_MAP, NULL, 0, 0);
}
static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
	return step(ctx, T_KEY, (const char *)s, len, 0);
}
static int cb_end_map(void *ctx)
{
	return step(ctx, T_MAP_END, NULL, 0, 0);
}
static int cb_start_array(void *ctx)
{
	return step(ctx, T_ARR, NULL, 0, 0);
}
static int cb_end_array(void *ctx)
{
	return step(ctx, T_ARR_END, NULL, 0, 0);
}

/* Integers and doubles stay NULL: numbers arrive as their text (cb_number),
 * so that each parser reads them by its own rules. */
static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_bool,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_key,
    .yajl_end_map = cb_end_map,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end_array,
};

yajl_handle ju_tokens_alloc(ju_token_sink *sink)
{
	return yajl_alloc(&callbacks, NULL, sink);
}

const char *ju_tok_name(enum tok t)
{
	static const char *const names[] = {"null", "a boolean", "a number", "a string", "an object",
					    "}",    "an array",	 "]",	     "a key"};
	return names[t];
}
