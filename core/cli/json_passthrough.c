/*
 * A record's pass-through fields (extra_json: every field of a lab.json
 * host or link that otto-c does not read itself) written into the JSON
 * output, exactly and at any depth.
 *
 * yajl_gen refuses to nest deeper than 128 levels, and then the document
 * it leaves behind is silently invalid; a tree built and walked by
 * recursion overflows the stack on a deep enough input. So the value is
 * re-encoded here by a streaming pass (yajl_parse: no recursion, its own
 * growing stack) into text laid out as yajl_gen's beautify mode would lay it
 * out at that depth, and each member's text is handed to yajl_gen as one
 * atom through yajl_gen_number, which writes its argument verbatim (with
 * the separator and indentation before it). yajl_gen itself stays a few
 * levels deep, whatever the input.
 *
 * Exact: numbers keep their text, strings are re-escaped from their decoded
 * bytes (a \u0000 stays \u0000), keys keep their order and repeats.
 *
 * Linear: indenting every level makes the output grow with the square of
 * the depth (200,000 levels would be 40 GB), so containers more than
 * PRETTY_MAX levels deep are written compactly, on the line they start.
 */
#include "json_out.h"

#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

typedef struct text {
	char *data;
	size_t len, cap;
} text;

typedef struct member {
	char *key;
	size_t key_len;
	text value;
} member;

typedef struct passthrough {
	const char *const *skip;
	unsigned base; /* yajl_gen's depth of the object the members go into */
	/* Open containers below the top-level object: for each, whether it is
	 * an object and whether it has a member yet. */
	unsigned char *levels;
	size_t depth, levels_cap;
	bool top_open, top_closed, skipping;
	member *members;
	size_t n_members, members_cap;
	text *out; /* the value being written, NULL while skipping */
} passthrough;

enum { LEVEL_MAP = 1, LEVEL_USED = 2, LEVEL_COMPACT = 4 };

/* Deeper than this (in the whole document), containers are compact. */
#define PRETTY_MAX 64

static void *checked(void *p)
{
	if (!p) {
		fprintf(stderr, "otto: out of memory\n");
		exit(CLI_EXIT_FAILED);
	}
	return p;
}

static void put(text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		while (cap < t->len + n + 1)
			cap *= 2;
		t->data = checked(realloc(t->data, cap));
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void indent(passthrough *p, size_t levels)
{
	for (size_t i = 0; i < levels; i++)
		put(p->out, "  ", 2);
}

/* As yajl_gen writes a string: \" \\ \b \f \n \r \t, other controls \u00XX. */
static void put_string(text *t, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t plain = 0;
	put(t, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		const char *esc = NULL;
		char u[7];
		switch (s[i]) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (s[i] < 0x20) {
				memcpy(u, "\\u00", 4);
				u[4] = hex[s[i] >> 4];
				u[5] = hex[s[i] & 15];
				u[6] = '\0';
				esc = u;
			}
		}
		if (!esc)
			continue;
		put(t, (const char *)s + plain, i - plain);
		put(t, esc, strlen(esc));
		plain = i + 1;
	}
	put(t, (const char *)s + plain, len - plain);
	put(t, "\"", 1);
}

/* Before a value (or a key) in the innermost open container. */
static void separate(passthrough *p, bool is_key)
{
	if (p->depth == 0)
		return; /* a top-level member's value: yajl_gen wrote "key": */
	unsigned char *level = &p->levels[p->depth - 1];
	if ((*level & LEVEL_MAP) && !is_key)
		return; /* after the key and ": " */
	bool used = *level & LEVEL_USED;
	*level |= LEVEL_USED;
	if (*level & LEVEL_COMPACT) {
		if (used)
			put(p->out, ",", 1);
		return;
	}
	if (used)
		put(p->out, ",\n", 2);
	indent(p, p->base + p->depth);
}

/* A top-level member's value is complete. */
static void end_member(passthrough *p)
{
	if (p->depth != 0)
		return;
	if (!p->skipping)
		p->n_members++;
	p->skipping = false;
	p->out = NULL;
}

static int on_scalar(passthrough *p, const char *s, size_t len)
{
	if (!p->top_open || p->top_closed)
		return 0; /* not an object */
	if (p->out) {
		separate(p, false);
		put(p->out, s, len);
	}
	end_member(p);
	return 1;
}

static int cb_null(void *ctx)
{
	return on_scalar(ctx, "null", 4);
}

static int cb_bool(void *ctx, int b)
{
	return on_scalar(ctx, b ? "true" : "false", b ? 4 : 5);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	return on_scalar(ctx, s, len);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	passthrough *p = ctx;
	if (!p->top_open || p->top_closed)
		return 0;
	if (p->out) {
		separate(p, false);
		put_string(p->out, s, len);
	}
	end_member(p);
	return 1;
}

static bool listed(const char *const *list, const unsigned char *s, size_t len)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
			return true;
	return false;
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
	passthrough *p = ctx;
	if (p->depth > 0) {
		if (p->out) {
			separate(p, true);
			put_string(p->out, s, len);
			put(p->out, ": ", p->levels[p->depth - 1] & LEVEL_COMPACT ? 1 : 2);
		}
		return 1;
	}
	/* A member of the top-level object. */
	p->skipping = listed(p->skip, s, len);
	if (p->skipping)
		return 1;
	if (p->n_members == p->members_cap) {
		p->members_cap = p->members_cap ? p->members_cap * 2 : 8;
		p->members = checked(realloc(p->members, p->members_cap * sizeof *p->members));
	}
	member *m = &p->members[p->n_members];
	memset(m, 0, sizeof *m);
	m->key = checked(malloc(len + 1));
	memcpy(m->key, s, len);
	m->key[len] = '\0';
	m->key_len = len;
	p->out = &m->value;
	return 1;
}

static int open_container(passthrough *p, bool map)
{
	if (!p->top_open) {
		if (!map)
			return 0;
		p->top_open = true;
		return 1;
	}
	if (p->top_closed)
		return 0;
	bool compact = p->base + p->depth + 1 > PRETTY_MAX;
	if (p->out) {
		separate(p, false);
		put(p->out, map ? "{\n" : "[\n", compact ? 1 : 2);
	}
	if (p->depth == p->levels_cap) {
		p->levels_cap = p->levels_cap ? p->levels_cap * 2 : 16;
		p->levels = checked(realloc(p->levels, p->levels_cap));
	}
	p->levels[p->depth++] = (map ? LEVEL_MAP : 0) | (compact ? LEVEL_COMPACT : 0);
	return 1;
}

static int close_container(passthrough *p, bool map)
{
	if (p->depth == 0) {
		p->top_closed = true; /* the top-level object ends */
		return 1;
	}
	bool compact = p->levels[--p->depth] & LEVEL_COMPACT;
	if (p->out && !compact) {
		put(p->out, "\n", 1);
		indent(p, p->base + p->depth);
	}
	if (p->out)
		put(p->out, map ? "}" : "]", 1);
	end_member(p);
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, true);
}

static int cb_end_map(void *ctx)
{
	return close_container(ctx, true);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, false);
}

static int cb_end_array(void *ctx)
{
	return close_container(ctx, false);
}

static const yajl_callbacks callbacks = {cb_null,      cb_bool, NULL,	    NULL,	    cb_number,	 cb_string,
					 cb_start_map, cb_key,	cb_end_map, cb_start_array, cb_end_array};

static void release(passthrough *p)
{
	/* The member being written when a parse failed is past n_members. */
	size_t n = p->n_members + (p->out && p->n_members < p->members_cap ? 1 : 0);
	for (size_t i = 0; i < n; i++) {
		free(p->members[i].key);
		free(p->members[i].value.data);
	}
	free(p->members);
	free(p->levels);
}

void cli_json_merge_object(yajl_gen g, const char *json, const char *const *skip, unsigned depth)
{
	if (!json)
		return;
	passthrough p = {.skip = skip, .base = depth};
	yajl_handle h = checked(yajl_alloc(&callbacks, NULL, &p));
	yajl_status st = yajl_parse(h, (const unsigned char *)json, strlen(json));
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	if (st != yajl_status_ok || !p.top_closed) {
		/* Not a JSON object: kept whole as a string, so nothing is lost. */
		cli_json_key(g, "extra_json");
		cli_json_string(g, json);
	} else {
		for (size_t i = 0; i < p.n_members; i++) {
			cli_json_key_n(g, p.members[i].key, p.members[i].key_len);
			yajl_gen_number(g, p.members[i].value.data, p.members[i].value.len);
		}
	}
	release(&p);
}
