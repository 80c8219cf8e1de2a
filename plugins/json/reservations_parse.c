/*
 * reservations.json -> jr_file, in one yajl streaming pass. Unlike lab.json
 * every problem fails the whole file: a reservation backend that cannot
 * read its file must not answer.
 */
#include "jtokens.h"
#include "reservations_index.h"

#include "timestamp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

enum state {
	S_TOP,
	S_TOP_KEYS,
	S_VERSION,
	S_LIST_OPEN,
	S_LIST,
	S_ENTRY_KEYS,
	S_USER,
	S_RES_OPEN,
	S_RES,
	S_EXPIRES,
	S_DONE
};

typedef struct parser {
	jr_file *f;
	const char *path;
	const char *text;
	size_t text_len;
	yajl_handle h;
	enum state state;
	bool seen_version, seen_list;
	jr_entry cur;
	bool has_user, has_resources;
	unsigned seen; /* entry keys: 1 user, 2 resources, 4 expires */
	size_t index;
	ju_pos_cursor cursor;
	char *fatal;
} parser;

static int fail(parser *p, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
static int fail(parser *p, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;
	ju_line_col(p->text, yajl_get_bytes_consumed(p->h), &p->cursor, &line, &col);
	char *where = ju_asprintf("%s:%u:%u", p->path, line, col);
	va_start(ap, fmt);
	char *full = ju_error_message(where, "invalid reservations file", fmt, ap);
	va_end(ap);
	free(where);
	free(p->fatal);
	p->fatal = full;
	return 0;
}

/* An unknown key, of the top level or of an entry (shown by ju_show()). */
static int unknown_key(parser *p, bool in_entry, const char *s, size_t len)
{
	char *key = ju_show(s, len);
	if (in_entry)
		fail(p, "reservations[%zu]: unknown key '%s' (accepted: user, resources, expires)", p->index, key);
	else
		fail(p, "unknown key '%s' (accepted: version, reservations)", key);
	free(key);
	return 0;
}

static bool holds_nul(const parser *p, const char *s, size_t len)
{
	return ju_decoded_nul(p->text, p->text_len, s, len);
}

static uint32_t pool_add(parser *p, const char *s, size_t len)
{
	jr_file *f = p->f;
	if (f->pool_len + len + 1 >= UINT32_MAX)
		return (uint32_t)fail(p, "file too large");
	ju_reserve((void **)&f->pool, &f->pool_cap, f->pool_len + len + 1, 1);
	uint32_t off = (uint32_t)f->pool_len;
	memcpy(f->pool + off, s, len);
	f->pool[off + len] = '\0';
	f->pool_len += len + 1;
	return off;
}

static int step(parser *p, enum tok t, const char *s, size_t len, int b)
{
	switch (p->state) {
	case S_TOP:
		if (t != T_MAP)
			return fail(p,
				    "the top level must be an object {\"version\": 1, \"reservations\": [...]}, got %s",
				    ju_tok_name(t));
		p->state = S_TOP_KEYS;
		return 1;
	case S_TOP_KEYS:
		if (t == T_MAP_END) {
			if (!p->seen_version)
				return fail(p, "missing 'version' (must be 1)");
			/* No 'reservations': nobody holds anything (upstream's default). */
			p->state = S_DONE;
			return 1;
		}
		if (len == 7 && memcmp(s, "version", 7) == 0 && !p->seen_version)
			p->state = S_VERSION, p->seen_version = true;
		else if (len == 12 && memcmp(s, "reservations", 12) == 0 && !p->seen_list)
			p->state = S_LIST_OPEN, p->seen_list = true;
		else if ((len == 7 && memcmp(s, "version", 7) == 0) ||
			 (len == 12 && memcmp(s, "reservations", 12) == 0))
			return fail(p, "'%.*s' is given twice", (int)len, s);
		else
			return unknown_key(p, false, s, len);
		return 1;
	case S_VERSION: {
		int64_t v;
		if (t == T_BOOL && b) { /* pydantic's Literal[1] takes true, as Python's 1 == True */
			p->state = S_TOP_KEYS;
			return 1;
		}
		if (t != T_NUM || !ju_whole_number(s, len, &v) || v != 1) {
			if (t == T_NUM)
				return fail(p, "unsupported version %.*s (this backend reads version 1)", (int)len, s);
			return fail(p, "'version' must be the number 1, got %s", ju_tok_name(t));
		}
		p->state = S_TOP_KEYS;
		return 1;
	}
	case S_LIST_OPEN:
		if (t != T_ARR)
			return fail(p, "'reservations' must be an array, got %s", ju_tok_name(t));
		p->state = S_LIST;
		return 1;
	case S_LIST:
		if (t == T_ARR_END) {
			p->state = S_TOP_KEYS;
			return 1;
		}
		if (t != T_MAP)
			return fail(p, "reservations[%zu] must be an object, got %s", p->index, ju_tok_name(t));
		memset(&p->cur, 0, sizeof p->cur);
		p->cur.first_resource = (uint32_t)p->f->n_resources;
		p->cur.expires = JR_NO_EXPIRY;
		p->seen = 0;
		p->state = S_ENTRY_KEYS;
		return 1;
	case S_ENTRY_KEYS: {
		if (t == T_MAP_END) {
			if (!(p->seen & 1))
				return fail(p, "reservations[%zu] has no 'user'", p->index);
			if (!(p->seen & 2))
				return fail(p, "reservations[%zu] has no 'resources'", p->index);
			JU_PUSH(p->f->entries, p->f->n_entries, p->f->entries_cap, p->cur);
			p->index++;
			p->state = S_LIST;
			return 1;
		}
		unsigned bit;
		if (len == 4 && memcmp(s, "user", 4) == 0)
			bit = 1, p->state = S_USER;
		else if (len == 9 && memcmp(s, "resources", 9) == 0)
			bit = 2, p->state = S_RES_OPEN;
		else if (len == 7 && memcmp(s, "expires", 7) == 0)
			bit = 4, p->state = S_EXPIRES;
		else
			return unknown_key(p, true, s, len);
		if (p->seen & bit)
			return fail(p, "reservations[%zu]: '%.*s' is given twice", p->index, (int)len, s);
		p->seen |= bit;
		return 1;
	}
	case S_USER:
		if (t != T_STR) /* "" is a user name to upstream too */
			return fail(p, "reservations[%zu]: 'user' must be a string, got %s", p->index, ju_tok_name(t));
		if (holds_nul(p, s, len))
			return fail(p, "reservations[%zu]: 'user' holds a NUL character (\\u0000), which no user name may "
				       "hold",
				    p->index);
		p->cur.user = pool_add(p, s, len);
		p->state = S_ENTRY_KEYS;
		return !p->fatal;
	case S_RES_OPEN:
		if (t != T_ARR)
			return fail(p, "reservations[%zu]: 'resources' must be an array of strings, got %s", p->index,
				    ju_tok_name(t));
		p->state = S_RES;
		return 1;
	case S_RES: {
		if (t == T_ARR_END) {
			p->state = S_ENTRY_KEYS;
			return 1;
		}
		if (t != T_STR)
			return fail(p, "reservations[%zu]: 'resources' must be an array of strings, got %s", p->index,
				    ju_tok_name(t));
		if (holds_nul(p, s, len))
			return fail(p, "reservations[%zu]: 'resources'[%u] holds a NUL character (\\u0000), which no "
				       "resource name may hold",
				    p->index, p->cur.n_resources);
		uint32_t off = pool_add(p, s, len);
		JU_PUSH(p->f->resources, p->f->n_resources, p->f->resources_cap, off);
		p->cur.n_resources++;
		return !p->fatal;
	}
	case S_EXPIRES:
		if (t == T_STR) {
			if (holds_nul(p, s, len) || !json_parse_time(s, len, &p->cur.expires)) {
				char *shown = ju_show(s, len);
				fail(p, "reservations[%zu]: 'expires' \"%s\" is not an ISO 8601 time (e.g. "
					"2026-05-01T00:00:00Z)",
				     p->index, shown);
				free(shown);
				return 0;
			}
		} else if (t == T_NUM) {
			if (!json_number_time(s, len, &p->cur.expires))
				return fail(p, "reservations[%zu]: 'expires' %.*s is not a Unix time upstream can read",
					    p->index, (int)(len < 40 ? len : 40), s);
		} else if (t != T_NULL) {
			return fail(p, "reservations[%zu]: 'expires' must be an ISO 8601 time string or a Unix time, got %s",
				    p->index, ju_tok_name(t));
		}
		p->state = S_ENTRY_KEYS;
		return 1;
	case S_DONE:
		return 1;
	}
	return 1;
}

static int step_token(void *p, enum tok t, const char *s, size_t len, int b)
{
	return step(p, t, s, len, b);
}

int jr_file_load(const char *path, jr_file **out, otto_error *err)
{
	char *text = NULL;
	size_t len = 0;
	jr_file *f = memset(ju_malloc(sizeof *f), 0, sizeof *f);
	int rc = ju_read_file(path, "reservations file", JU_RESERVATIONS_FILE_MAX, &text, &len, &f->id, err);
	if (rc != OTTO_OK) {
		jr_file_free(f);
		return rc;
	}
	parser p = {.f = f, .path = path, .text = text, .text_len = len, .state = S_TOP};
	ju_token_sink sink = {step_token, &p};
	p.h = ju_tokens_alloc(&sink);
	yajl_status st = yajl_parse(p.h, (const unsigned char *)text, len);
	bool at_end = false;
	if (st == yajl_status_ok)
		st = yajl_complete_parse(p.h), at_end = true;
	if (p.fatal)
		rc = otto_error_set(err, OTTO_ERROR, "%s", p.fatal);
	else if (st != yajl_status_ok)
		rc = ju_syntax_error(p.h, path, text, len, at_end, err);
	yajl_free(p.h);
	free(p.fatal);
	f->text = text;
	f->text_len = len;
	if (rc != OTTO_OK) {
		jr_file_free(f);
		return rc;
	}
	jr_file_settle(f);
	*out = f;
	return OTTO_OK;
}

void jr_file_settle(jr_file *f)
{
	if (f->id.racy)
		return;
	free(f->text);
	f->text = NULL;
	f->text_len = 0;
}

void jr_file_free(jr_file *f)
{
	if (!f)
		return;
	free(f->text);
	free(f->pool);
	free(f->entries);
	free(f->resources);
	free(f);
}
