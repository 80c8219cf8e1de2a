/*
 * yajl's eleven callbacks as one stream of tokens. Both parsers of the json
 * plugin (lab.json in lab_parse*.c, reservations.json in
 * reservations_parse.c) are state machines stepped one token at a time;
 * this is the one place that turns yajl's callbacks into those steps.
 */
#ifndef OTTO_JSON_JTOKENS_H
#define OTTO_JSON_JTOKENS_H

#include <stddef.h>
#include <yajl/yajl_parse.h>

enum tok { T_NULL, T_BOOL, T_NUM, T_STR, T_MAP, T_MAP_END, T_ARR, T_ARR_END, T_KEY };

/* One step of a parser: s/len for numbers, strings and keys, b for
 * booleans. Returns 1 to go on, 0 to stop the parse. */
typedef int (*ju_token_step)(void *parser, enum tok t, const char *s, size_t len, int b);

typedef struct ju_token_sink {
	ju_token_step step;
	void *parser;
} ju_token_sink;

/* A yajl handle that feeds every token to sink->step(sink->parser, ...).
 * The sink must outlive the handle. Free with yajl_free(). */
yajl_handle ju_tokens_alloc(ju_token_sink *sink);

/* How a message names the token: "a string", "an object", "}" ... */
const char *ju_tok_name(enum tok t);

#endif
