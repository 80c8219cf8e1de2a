/*
 * lab.json -> jl_file, in one yajl streaming pass over the whole file.
 *
 * The callbacks drive a small state machine. Fields otto-c reads are
 * checked and copied into a string pool; every other field is recorded as
 * a byte range of the file's text (`"key": value`), found with
 * yajl_get_bytes_consumed(), which inside a callback is the offset just past
 * the token yajl reported. Feeding the file as one buffer makes those
 * offsets absolute.
 */
#include "lab_index.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

enum state {
	S_TOP,
	S_TOP_KEYS,
	S_HOSTS_OPEN,
	S_HOSTS,
	S_HOST_KEYS,
	S_FIELD,
	S_STRARR,
	S_CREDS,
	S_CRED_KEYS,
	S_CRED_FIELD,
	S_LINKS_OPEN,
	S_LINKS,
	S_LINK_KEYS,
	S_LINK_FIELD,
	S_ENDPOINTS_OPEN,
	S_ENDPOINTS,
	S_ENDPOINT_KEYS,
	S_ENDPOINT_FIELD,
	S_SKIP,
	S_DONE
};

enum field {
	F_IP,
	F_ELEMENT,
	F_ELEMENT_ID,
	F_BOARD,
	F_SLOT,
	F_OS_TYPE,
	F_RESOURCES,
	F_LABS,
	F_DOCKER,
	F_CREDS,
	F_EXTRA
};

static const char *const field_names[] = {"ip",	     "element",	  "element_id", "board",	  "slot",
					  "os_type", "resources", "labs",	"docker_capable", "creds"};

/* The field a record key names, or -1. Every key of every record comes
 * through here, so the compares have constant lengths (inlined). */
#define KEY_IS(lit) (memcmp(s, lit, sizeof lit - 1) == 0)
static int known_field(const char *s, size_t len)
{
	switch (len) {
	case 2:
		return KEY_IS("ip") ? F_IP : -1;
	case 4:
		return KEY_IS("labs") ? F_LABS : KEY_IS("slot") ? F_SLOT : -1;
	case 5:
		return KEY_IS("board") ? F_BOARD : KEY_IS("creds") ? F_CREDS : -1;
	case 7:
		return KEY_IS("element") ? F_ELEMENT : KEY_IS("os_type") ? F_OS_TYPE : -1;
	case 9:
		return KEY_IS("resources") ? F_RESOURCES : -1;
	case 10:
		return KEY_IS("element_id") ? F_ELEMENT_ID : -1;
	case 14:
		return KEY_IS("docker_capable") ? F_DOCKER : -1;
	default:
		return -1;
	}
}
#undef KEY_IS

enum tok { T_NULL, T_BOOL, T_NUM, T_STR, T_MAP, T_MAP_END, T_ARR, T_ARR_END, T_KEY };

typedef struct parser {
	jl_file *f;
	yajl_handle h;
	enum state state;
	enum field field;
	jl_host cur;
	size_t host_index;
	unsigned seen; /* known fields already given in this record */
	size_t item_index;
	jl_cred cred;
	int cred_field; /* 0 login, 1 password */
	unsigned skip_depth;
	enum state skip_return;
	bool capture;
	size_t capture_start;
	uint32_t *capture_count; /* the record whose pass-through fields are being captured */
	jl_link link;		 /* the link being read */
	bool link_has_endpoints;
	bool link_field_protocol; /* S_LINK_FIELD: protocol (else a pass-through field) */
	jl_endpoint endpoint;	  /* the endpoint being read */
	bool endpoint_interface;  /* S_ENDPOINT_FIELD: interface (else host) */
	ju_pos_cursor cursor;
	char *fatal;
} parser;

static size_t here(const parser *p)
{
	return yajl_get_bytes_consumed(p->h);
}

static unsigned line_here(parser *p)
{
	unsigned line, col;
	ju_line_col(p->f->text, here(p), &p->cursor, &line, &col);
	return line;
}

/* A NUL can only come from a \u0000 escape (yajl refuses a raw one), and
 * yajl hands a string without escapes straight from the file's text: only
 * its decoded copies need looking at, which keeps the common case free. A
 * NUL would cut the C string the host sees ("alice\u0000mallory" read as
 * "alice"), so every field otto-c reads refuses one. */
static bool holds_nul(const parser *p, const char *s, size_t len)
{
	uintptr_t at = (uintptr_t)s, text = (uintptr_t)p->f->text;
	if (at >= text && at < text + p->f->text_len)
		return false;
	return memchr(s, '\0', len) != NULL;
}

static uint32_t pool_add(parser *p, const char *s, size_t len)
{
	jl_file *f = p->f;
	if (f->pool_len + len + 1 >= JL_NONE) {
		if (!p->fatal)
			p->fatal = ju_asprintf("%s: file too large (more than 4 GiB of strings)", f->path);
		return JL_NONE;
	}
	ju_reserve((void **)&f->pool, &f->pool_cap, f->pool_len + len + 1, 1);
	uint32_t off = (uint32_t)f->pool_len;
	memcpy(f->pool + off, s, len);
	f->pool[off + len] = '\0';
	f->pool_len += len + 1;
	return off;
}

static int fail_file(parser *p, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
static int fail_file(parser *p, const char *fmt, ...)
{
	unsigned line, col;
	char *msg = NULL;
	va_list ap;
	ju_line_col(p->f->text, here(p), &p->cursor, &line, &col);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(p->fatal);
	p->fatal = ju_asprintf("%s:%u:%u: %s", p->f->path, line, col, msg ? msg : "invalid lab file");
	free(msg);
	return 0;
}

/* Record the first error of the current host record ("path:line: hosts[i]: ..."). */
static void fail_host(parser *p, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
static void fail_host(parser *p, const char *fmt, ...)
{
	if (p->cur.error != JL_NONE)
		return;
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	char *full =
	    ju_asprintf("%s:%u: hosts[%zu]: %s", p->f->path, line_here(p), p->host_index, msg ? msg : "invalid record");
	p->cur.error = pool_add(p, full, strlen(full));
	free(full);
	free(msg);
}

static void begin_skip(parser *p, enum tok t, enum state back)
{
	if (t == T_MAP || t == T_ARR) {
		p->skip_depth = 1;
		p->skip_return = back;
		p->state = S_SKIP;
		return;
	}
	p->state = back;
	if (p->capture) {
		p->capture = false;
		jl_slice sl = {(uint32_t)p->capture_start, (uint32_t)(here(p) - p->capture_start)};
		JU_PUSH(p->f->extras, p->f->n_extras, p->f->extras_cap, sl);
		(*p->capture_count)++;
	}
}

/* The raw key token ends at here(); find its opening quote. */
static size_t key_start(const parser *p)
{
	const char *t = p->f->text;
	size_t i = here(p) - 1; /* the closing quote */
	while (i > 0) {
		i--;
		if (t[i] != '"')
			continue;
		size_t bs = 0;
		while (i > bs && t[i - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
	}
	return i;
}

static void start_host(parser *p)
{
	jl_file *f = p->f;
	memset(&p->cur, 0, sizeof p->cur);
	p->cur.ip = p->cur.element = p->cur.board = p->cur.os_type = p->cur.error = JL_NONE;
	p->cur.element_id = p->cur.slot = OTTO_NO_NUMBER;
	p->cur.first_resource = (uint32_t)f->n_resources;
	p->cur.first_lab = (uint32_t)f->n_host_labs;
	p->cur.first_cred = (uint32_t)f->n_creds;
	p->cur.first_extra = (uint32_t)f->n_extras;
	p->cur.offset = (uint32_t)here(p);
	p->seen = 0;
}

static void finish_host(parser *p)
{
	jl_host *h = &p->cur;
	if (h->element == JL_NONE)
		fail_host(p, "missing 'element'");
	else if (otto_slug(NULL, 0, jl_str(p->f, h->element)) == 0)
		fail_host(p, "'element' \"%s\" slugs to nothing (it needs a letter or a digit)",
			  jl_str(p->f, h->element));
	if (h->board != JL_NONE && otto_slug(NULL, 0, jl_str(p->f, h->board)) == 0)
		fail_host(p, "'board' \"%s\" slugs to nothing (it needs a letter or a digit)", jl_str(p->f, h->board));
	if (h->ip == JL_NONE)
		h->ip = pool_add(p, "", 0);
	JU_PUSH(p->f->hosts, p->f->n_hosts, p->f->hosts_cap, p->cur);
	p->host_index++;
}

static const char *tok_name(enum tok t)
{
	static const char *const names[] = {"null", "a boolean", "a number", "a string", "an object",
					    "}",    "an array",	 "]",	     "a key"};
	return names[t];
}

static void scalar_field(parser *p, enum tok t, const char *s, size_t len, int b)
{
	const char *name = field_names[p->field];
	uint32_t *slot = NULL;
	switch (p->field) {
	case F_IP:
		slot = &p->cur.ip;
		break;
	case F_ELEMENT:
		slot = &p->cur.element;
		break;
	case F_BOARD:
		slot = &p->cur.board;
		break;
	case F_OS_TYPE:
		slot = &p->cur.os_type;
		break;
	case F_ELEMENT_ID:
	case F_SLOT: {
		int64_t v;
		if (t == T_NULL)
			return;
		if (t != T_NUM || !ju_whole_number(s, len, &v)) {
			if (t == T_NUM)
				fail_host(p, "'%s' must be a whole number >= 0, got %.*s", name, (int)len, s);
			else
				fail_host(p, "'%s' must be a whole number >= 0, got %s", name, tok_name(t));
			return;
		}
		*(p->field == F_SLOT ? &p->cur.slot : &p->cur.element_id) = v;
		return;
	}
	case F_DOCKER:
		if (t == T_BOOL)
			p->cur.docker_capable = b;
		else if (t != T_NULL)
			fail_host(p, "'docker_capable' must be true or false, got %s", tok_name(t));
		return;
	default:
		return;
	}
	if (t == T_STR && holds_nul(p, s, len)) {
		fail_host(p, "'%s' holds a NUL character (\\u0000), which no name may hold", name);
	} else if (t == T_STR) {
		*slot = pool_add(p, s, len);
	} else if (t == T_NULL && (p->field == F_BOARD || p->field == F_OS_TYPE || p->field == F_IP)) {
		/* null means absent */
	} else {
		fail_host(p, "'%s' must be a string, got %s", name, tok_name(t));
	}
}

static void add_lab(parser *p, const char *s, size_t len)
{
	jl_file *f = p->f;
	uint32_t lab = strtab_intern(&f->labs, s, len, NULL);
	for (size_t i = p->cur.first_lab; i < f->n_host_labs; i++)
		if (f->host_labs[i] == lab)
			return; /* named twice: one membership */
	JU_PUSH(f->host_labs, f->n_host_labs, f->host_labs_cap, lab);
	p->cur.n_labs++;
}

/* The record's labs cannot be known, so neither can any lab's hosts. */
static void poison_labs_because(parser *p, const char *why)
{
	fail_host(p, "%s", why);
	if (!p->f->poison)
		p->f->poison = ju_asprintf("%s:%u: hosts[%zu]: %s (so no lab of this file can be trusted)", p->f->path,
					   line_here(p), p->host_index, why);
}

static void poison_labs(parser *p, const char *what)
{
	char *why = ju_asprintf("'labs' must be an array of strings, got %s", what);
	poison_labs_because(p, why);
	free(why);
}

/* A key of a link record (or its end). */
static int link_key(parser *p, enum tok t, const char *s, size_t len)
{
	if (t == T_MAP_END) {
		if (!p->link_has_endpoints)
			return fail_file(p, "links[%zu] has no 'endpoints' (a link needs at least one)", p->f->n_links);
		JU_PUSH(p->f->links, p->f->n_links, p->f->links_cap, p->link);
		p->state = S_LINKS;
		return 1;
	}
	if (len == 9 && memcmp(s, "endpoints", 9) == 0) {
		if (p->link_has_endpoints)
			return fail_file(p, "links[%zu]: 'endpoints' is given twice", p->f->n_links);
		p->link_has_endpoints = true;
		p->state = S_ENDPOINTS_OPEN;
		return 1;
	}
	if (len > 0 && s[0] == '_') {
		p->state = S_SKIP, p->skip_depth = 0, p->skip_return = S_LINK_KEYS;
		return 1;
	}
	p->link_field_protocol = len == 8 && memcmp(s, "protocol", 8) == 0;
	if (!p->link_field_protocol) {
		p->capture = true;
		p->capture_count = &p->link.n_extras;
		p->capture_start = key_start(p);
	}
	p->state = S_LINK_FIELD;
	return 1;
}

static int step(parser *p, enum tok t, const char *s, size_t len, int b)
{
	switch (p->state) {
	case S_TOP:
		if (t != T_MAP)
			return fail_file(p, "the top level must be an object with \"hosts\" and \"links\", got %s",
					 tok_name(t));
		p->state = S_TOP_KEYS;
		return 1;
	case S_TOP_KEYS:
		if (t == T_MAP_END) {
			p->state = S_DONE;
			return 1;
		}
		if (len == 5 && memcmp(s, "hosts", 5) == 0)
			p->state = S_HOSTS_OPEN;
		else if (len == 5 && memcmp(s, "links", 5) == 0)
			p->state = S_LINKS_OPEN;
		else if ((len > 0 && s[0] == '_') || (len == 7 && memcmp(s, "$schema", 7) == 0))
			p->state = S_SKIP, p->skip_depth = 0, p->skip_return = S_TOP_KEYS;
		else {
			char *key = ju_show(s, len);
			fail_file(p, "unknown top-level key '%s' (accepted: hosts, links, $schema, _*)", key);
			free(key);
			return 0;
		}
		return 1;
	case S_HOSTS_OPEN:
		if (t != T_ARR)
			return fail_file(p, "'hosts' must be an array, got %s", tok_name(t));
		p->state = S_HOSTS;
		return 1;
	case S_HOSTS:
		if (t == T_ARR_END) {
			p->state = S_TOP_KEYS;
			return 1;
		}
		if (t != T_MAP)
			return fail_file(p, "hosts[%zu] must be an object, got %s", p->host_index, tok_name(t));
		start_host(p);
		p->state = S_HOST_KEYS;
		return 1;
	case S_HOST_KEYS: {
		if (t == T_MAP_END) {
			finish_host(p);
			p->state = S_HOSTS;
			return 1;
		}
		if (len > 0 && s[0] == '_') {
			p->state = S_SKIP, p->skip_depth = 0, p->skip_return = S_HOST_KEYS;
			return 1;
		}
		int known = known_field(s, len);
		if (known >= 0) {
			if (p->seen & (1u << known))
				fail_host(p, "'%s' is given twice", field_names[known]);
			p->seen |= 1u << known;
			p->field = (enum field)known;
			p->state = S_FIELD;
			return 1;
		}
		p->field = F_EXTRA;
		p->capture = true;
		p->capture_count = &p->cur.n_extras;
		p->capture_start = key_start(p);
		p->state = S_FIELD;
		return 1;
	}
	case S_FIELD:
		if (p->field == F_EXTRA) {
			begin_skip(p, t, S_HOST_KEYS);
			return 1;
		}
		if (p->field == F_RESOURCES || p->field == F_LABS || p->field == F_CREDS) {
			if (t == T_ARR) {
				p->item_index = 0;
				p->state = p->field == F_CREDS ? S_CREDS : S_STRARR;
				return 1;
			}
			if (t != T_NULL) {
				if (p->field == F_LABS)
					poison_labs(p, tok_name(t));
				else
					fail_host(p, "'%s' must be an array, got %s", field_names[p->field],
						  tok_name(t));
			}
			begin_skip(p, t, S_HOST_KEYS);
			return 1;
		}
		if (t == T_MAP || t == T_ARR)
			scalar_field(p, t, NULL, 0, 0), begin_skip(p, t, S_HOST_KEYS);
		else
			scalar_field(p, t, s, len, b), p->state = S_HOST_KEYS;
		return 1;
	case S_STRARR:
		if (t == T_ARR_END) {
			p->state = S_HOST_KEYS;
			return 1;
		}
		if (t != T_STR) {
			char what[64];
			snprintf(what, sizeof what, "%s at [%zu]", tok_name(t), p->item_index);
			if (p->field == F_LABS)
				poison_labs(p, what);
			else
				fail_host(p, "'%s' must be an array of strings, got %s", field_names[p->field], what);
			if (t == T_MAP || t == T_ARR)
				begin_skip(p, t, S_STRARR);
		} else if (holds_nul(p, s, len)) {
			char *why = ju_asprintf("'%s'[%zu] holds a NUL character (\\u0000), which no name may hold",
						field_names[p->field], p->item_index);
			if (p->field == F_LABS)
				poison_labs_because(p, why);
			else
				fail_host(p, "%s", why);
			free(why);
		} else if (p->field == F_LABS) {
			add_lab(p, s, len);
		} else {
			uint32_t off = pool_add(p, s, len);
			JU_PUSH(p->f->resources, p->f->n_resources, p->f->resources_cap, off);
			p->cur.n_resources++;
		}
		p->item_index++;
		return 1;
	case S_CREDS:
		if (t == T_ARR_END) {
			p->state = S_HOST_KEYS;
			return 1;
		}
		if (t != T_MAP) {
			fail_host(p, "'creds[%zu]' must be an object with 'login' and 'password', got %s",
				  p->item_index, tok_name(t));
			if (t == T_ARR)
				begin_skip(p, t, S_CREDS);
			p->item_index++;
			return 1;
		}
		p->cred.login = p->cred.password = JL_NONE;
		p->state = S_CRED_KEYS;
		return 1;
	case S_CRED_KEYS:
		if (t == T_MAP_END) {
			if (p->cred.login == JL_NONE) {
				fail_host(p, "'creds[%zu]' has no 'login'", p->item_index);
			} else {
				JU_PUSH(p->f->creds, p->f->n_creds, p->f->creds_cap, p->cred);
				p->cur.n_creds++;
			}
			p->item_index++;
			p->state = S_CREDS;
			return 1;
		}
		if (len == 5 && memcmp(s, "login", 5) == 0) {
			p->cred_field = 0;
		} else if (len == 8 && memcmp(s, "password", 8) == 0) {
			p->cred_field = 1;
		} else if (len > 0 && s[0] == '_') {
			p->state = S_SKIP, p->skip_depth = 0, p->skip_return = S_CRED_KEYS;
			return 1;
		} else {
			char *key = ju_show(s, len);
			fail_host(p, "'creds[%zu]' has unknown key '%s' (accepted: login, password)", p->item_index, key);
			free(key);
			p->state = S_SKIP, p->skip_depth = 0, p->skip_return = S_CRED_KEYS;
			return 1;
		}
		p->state = S_CRED_FIELD;
		return 1;
	case S_CRED_FIELD:
		if (t == T_STR && holds_nul(p, s, len))
			fail_host(p, "'creds[%zu].%s' holds a NUL character (\\u0000)", p->item_index,
				  p->cred_field ? "password" : "login");
		else if (t == T_STR)
			*(p->cred_field ? &p->cred.password : &p->cred.login) = pool_add(p, s, len);
		else if (!(t == T_NULL && p->cred_field == 1))
			fail_host(p, "'creds[%zu].%s' must be a string, got %s", p->item_index,
				  p->cred_field ? "password" : "login", tok_name(t));
		begin_skip(p, t, S_CRED_KEYS);
		return 1;
	case S_LINKS_OPEN:
		if (t != T_ARR)
			return fail_file(p, "'links' must be an array, got %s", tok_name(t));
		p->state = S_LINKS;
		return 1;
	case S_LINKS:
		if (t == T_ARR_END) {
			p->state = S_TOP_KEYS;
			return 1;
		}
		if (t != T_MAP)
			return fail_file(p, "links[%zu] must be an object, got %s", p->f->n_links, tok_name(t));
		memset(&p->link, 0, sizeof p->link);
		p->link.protocol = JL_NONE;
		p->link.first_endpoint = (uint32_t)p->f->n_endpoints;
		p->link.first_extra = (uint32_t)p->f->n_extras;
		p->link_has_endpoints = false;
		p->state = S_LINK_KEYS;
		return 1;
	case S_LINK_KEYS:
		return link_key(p, t, s, len);
	case S_LINK_FIELD:
		if (!p->link_field_protocol) {
			begin_skip(p, t, S_LINK_KEYS);
		} else if (t == T_STR && holds_nul(p, s, len)) {
			return fail_file(p, "links[%zu]: 'protocol' holds a NUL character (\\u0000)", p->f->n_links);
		} else if (t == T_STR) {
			p->link.protocol = pool_add(p, s, len);
			p->state = S_LINK_KEYS;
		} else if (t == T_NULL) {
			p->state = S_LINK_KEYS;
		} else {
			return fail_file(p, "links[%zu]: 'protocol' must be a string, got %s", p->f->n_links,
					 tok_name(t));
		}
		return 1;
	case S_ENDPOINTS_OPEN:
		if (t != T_ARR)
			return fail_file(p, "links[%zu]: 'endpoints' must be an array, got %s", p->f->n_links,
					 tok_name(t));
		p->state = S_ENDPOINTS;
		return 1;
	case S_ENDPOINTS:
		if (t == T_ARR_END) {
			if (p->link.n_endpoints == 0)
				return fail_file(p, "links[%zu]: 'endpoints' is empty (a link needs at least one)",
						 p->f->n_links);
			p->state = S_LINK_KEYS;
			return 1;
		}
		if (t != T_MAP)
			return fail_file(
			    p, "links[%zu].endpoints[%u] must be an object with 'host' and 'interface', got %s",
			    p->f->n_links, p->link.n_endpoints, tok_name(t));
		p->endpoint.host = p->endpoint.interface = JL_NONE;
		p->endpoint.offset = (uint32_t)here(p);
		p->state = S_ENDPOINT_KEYS;
		return 1;
	case S_ENDPOINT_KEYS:
		if (t == T_MAP_END) {
			if (p->endpoint.host == JL_NONE)
				return fail_file(p, "links[%zu].endpoints[%u] has no 'host'", p->f->n_links,
						 p->link.n_endpoints);
			JU_PUSH(p->f->endpoints, p->f->n_endpoints, p->f->endpoints_cap, p->endpoint);
			p->link.n_endpoints++;
			p->state = S_ENDPOINTS;
			return 1;
		}
		if (len == 4 && memcmp(s, "host", 4) == 0)
			p->endpoint_interface = false;
		else if (len == 9 && memcmp(s, "interface", 9) == 0)
			p->endpoint_interface = true;
		else if (len > 0 && s[0] == '_')
			p->state = S_SKIP, p->skip_depth = 0, p->skip_return = S_ENDPOINT_KEYS;
		else {
			char *key = ju_show(s, len);
			fail_file(p, "links[%zu].endpoints[%u]: unknown key '%s' (accepted: host, interface, _*)",
				  p->f->n_links, p->link.n_endpoints, key);
			free(key);
			return 0;
		}
		if (p->state == S_ENDPOINT_KEYS)
			p->state = S_ENDPOINT_FIELD;
		return 1;
	case S_ENDPOINT_FIELD:
		if (!p->endpoint_interface && (t != T_STR || len == 0))
			return fail_file(
			    p, "links[%zu].endpoints[%u]: 'host' must be a host id (a non-empty string), got %s",
			    p->f->n_links, p->link.n_endpoints, t == T_STR ? "\"\"" : tok_name(t));
		if (p->endpoint_interface && t != T_STR && t != T_NULL)
			return fail_file(p, "links[%zu].endpoints[%u]: 'interface' must be a string, got %s",
					 p->f->n_links, p->link.n_endpoints, tok_name(t));
		if (t == T_STR && holds_nul(p, s, len))
			return fail_file(p, "links[%zu].endpoints[%u]: '%s' holds a NUL character (\\u0000)",
					 p->f->n_links, p->link.n_endpoints, p->endpoint_interface ? "interface" : "host");
		if (t == T_STR)
			*(p->endpoint_interface ? &p->endpoint.interface : &p->endpoint.host) = pool_add(p, s, len);
		p->state = S_ENDPOINT_KEYS;
		return 1;
	case S_SKIP:
		if (t == T_MAP || t == T_ARR)
			p->skip_depth++;
		else if (t == T_MAP_END || t == T_ARR_END)
			p->skip_depth--;
		else if (t == T_KEY || p->skip_depth > 0)
			return 1;
		if (p->skip_depth == 0)
			begin_skip(p, T_NULL, p->skip_return);
		return 1;
	case S_DONE:
		return 1;
	}
	return 1;
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

static const yajl_callbacks callbacks = {cb_null,      cb_bool, NULL,	    NULL,	    cb_number,	 cb_string,
					 cb_start_map, cb_key,	cb_end_map, cb_start_array, cb_end_array};

/* lab number -> its hosts, as one flat array (hosts in file order). */
static void index_labs(jl_file *f)
{
	size_t n = f->labs.count;
	f->lab_start = memset(ju_malloc((n + 1) * sizeof *f->lab_start), 0, (n + 1) * sizeof *f->lab_start);
	f->lab_hosts = ju_malloc((f->n_host_labs ? f->n_host_labs : 1) * sizeof *f->lab_hosts);
	for (size_t i = 0; i < f->n_host_labs; i++)
		f->lab_start[f->host_labs[i] + 1]++;
	for (size_t k = 0; k < n; k++)
		f->lab_start[k + 1] += f->lab_start[k];
	uint32_t *fill = ju_malloc((n ? n : 1) * sizeof *fill);
	memcpy(fill, f->lab_start, n * sizeof *fill);
	for (size_t h = 0; h < f->n_hosts; h++) {
		const jl_host *host = &f->hosts[h];
		for (uint32_t j = 0; j < host->n_labs; j++)
			f->lab_hosts[fill[f->host_labs[host->first_lab + j]]++] = (uint32_t)h;
	}
	free(fill);
}

/* Every endpoint names the id of a host record of this file. */
static int check_link_hosts(jl_file *f, otto_error *err)
{
	jl_compute_all_ids(f);
	strtab ids = {0};
	for (size_t i = 0; i < f->n_hosts; i++)
		if (f->host_ids[i] != SIZE_MAX)
			strtab_intern(&ids, jl_host_id(f, (uint32_t)i), strlen(jl_host_id(f, (uint32_t)i)), NULL);
	int rc = OTTO_OK;
	for (size_t l = 0; l < f->n_links && rc == OTTO_OK; l++) {
		const jl_link *link = &f->links[l];
		for (uint32_t e = 0; e < link->n_endpoints && rc == OTTO_OK; e++) {
			const jl_endpoint *ep = &f->endpoints[link->first_endpoint + e];
			if (strtab_find(&ids, jl_str(f, ep->host)) >= 0)
				continue;
			ju_pos_cursor cursor = {0};
			unsigned line, col;
			ju_line_col(f->text, ep->offset, &cursor, &line, &col);
			rc = otto_error_set(
			    err, OTTO_ERROR,
			    "%s:%u: links[%zu].endpoints[%u]: host '%s' is not the id of any host record "
			    "in this file",
			    f->path, line, l, e, jl_str(f, ep->host));
		}
	}
	strtab_free(&ids);
	return rc;
}

int jl_file_load(const char *path, jl_file **out, otto_error *err)
{
	jl_file *f = memset(ju_malloc(sizeof *f), 0, sizeof *f);
	f->path = ju_strdup(path);
	int rc = ju_read_file(path, "lab file", JU_LAB_FILE_MAX, &f->text, &f->text_len, &f->id, err);
	if (rc != OTTO_OK) {
		jl_file_free(f);
		return rc;
	}
	if (f->text_len >= JL_NONE) {
		rc = otto_error_set(err, OTTO_ERROR, "%s: file too large (4 GiB at most)", path);
		jl_file_free(f);
		return rc;
	}
	parser p = {.f = f, .state = S_TOP};
	p.h = yajl_alloc(&callbacks, NULL, &p);
	yajl_status st = yajl_parse(p.h, (const unsigned char *)f->text, f->text_len);
	bool at_end = false;
	if (st == yajl_status_ok)
		st = yajl_complete_parse(p.h), at_end = true;
	if (st == yajl_status_client_canceled || p.fatal) {
		otto_error_set(err, OTTO_ERROR, "%s", p.fatal ? p.fatal : "lab file parse cancelled");
		rc = OTTO_ERROR;
	} else if (st != yajl_status_ok) {
		rc = ju_syntax_error(p.h, path, f->text, f->text_len, at_end, err);
	}
	yajl_free(p.h);
	free(p.fatal);
	if (rc != OTTO_OK) {
		jl_file_free(f);
		return rc;
	}
	index_labs(f);
	if (f->n_links && (rc = check_link_hosts(f, err)) != OTTO_OK) {
		jl_file_free(f);
		return rc;
	}
	*out = f;
	return OTTO_OK;
}

void jl_file_free(jl_file *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->text);
	free(f->pool);
	free(f->hosts);
	free(f->resources);
	free(f->host_labs);
	free(f->creds);
	free(f->extras);
	free(f->links);
	free(f->endpoints);
	strtab_free(&f->labs);
	free(f->lab_start);
	free(f->lab_hosts);
	free(f->poison);
	free(f->host_ids);
	ju_buf_free(&f->ids);
	free(f->lab_in_id_order);
	free(f);
}

void jl_host_view(const jl_file *f, const jl_host *h, jl_scratch *s, otto_host *out)
{
	otto_host init = OTTO_HOST_INIT;
	*out = init;
	ju_reserve((void **)&s->ptrs, &s->ptrs_cap, h->n_resources + h->n_labs + 1, sizeof *s->ptrs);
	for (uint32_t i = 0; i < h->n_resources; i++)
		s->ptrs[i] = jl_str(f, f->resources[h->first_resource + i]);
	for (uint32_t i = 0; i < h->n_labs; i++)
		s->ptrs[h->n_resources + i] = f->labs.keys[f->host_labs[h->first_lab + i]];
	ju_reserve((void **)&s->creds, &s->creds_cap, h->n_creds + 1, sizeof *s->creds);
	for (uint32_t i = 0; i < h->n_creds; i++) {
		const jl_cred *c = &f->creds[h->first_cred + i];
		s->creds[i].login = jl_str(f, c->login);
		s->creds[i].password = jl_str(f, c->password);
	}
	ju_buf_reset(&s->extra);
	for (uint32_t i = 0; i < h->n_extras; i++) {
		const jl_slice *sl = &f->extras[h->first_extra + i];
		ju_buf_add(&s->extra, i ? "," : "{", 1);
		ju_buf_add(&s->extra, f->text + sl->offset, sl->len);
	}
	if (h->n_extras)
		ju_buf_add(&s->extra, "}", 1);
	out->ip = jl_str(f, h->ip);
	out->element = jl_str(f, h->element);
	out->element_id = h->element_id;
	out->board = jl_str(f, h->board);
	out->slot = h->slot;
	out->os_type = jl_str(f, h->os_type);
	out->resources = s->ptrs;
	out->n_resources = h->n_resources;
	out->labs = s->ptrs + h->n_resources;
	out->n_labs = h->n_labs;
	out->docker_capable = h->docker_capable;
	out->creds = s->creds;
	out->n_creds = h->n_creds;
	out->extra_json = h->n_extras ? s->extra.data : NULL;
}

unsigned jl_host_line(const jl_file *f, const jl_host *h)
{
	ju_pos_cursor cursor = {0};
	unsigned line, col;
	ju_line_col(f->text, h->offset, &cursor, &line, &col);
	return line;
}

void jl_link_view(const jl_file *f, const jl_link *l, jl_scratch *s, otto_link *out)
{
	otto_link init = OTTO_LINK_INIT;
	*out = init;
	ju_reserve((void **)&s->ends, &s->ends_cap, l->n_endpoints + 1, sizeof *s->ends);
	for (uint32_t i = 0; i < l->n_endpoints; i++) {
		const jl_endpoint *ep = &f->endpoints[l->first_endpoint + i];
		s->ends[i].host = jl_str(f, ep->host);
		s->ends[i].interface = jl_str(f, ep->interface);
	}
	ju_buf_reset(&s->extra);
	for (uint32_t i = 0; i < l->n_extras; i++) {
		const jl_slice *sl = &f->extras[l->first_extra + i];
		ju_buf_add(&s->extra, i ? "," : "{", 1);
		ju_buf_add(&s->extra, f->text + sl->offset, sl->len);
	}
	if (l->n_extras)
		ju_buf_add(&s->extra, "}", 1);
	out->endpoints = s->ends;
	out->n_endpoints = l->n_endpoints;
	out->protocol = jl_str(f, l->protocol);
	out->extra_json = l->n_extras ? s->extra.data : NULL;
}

void jl_scratch_free(jl_scratch *s)
{
	free(s->ends);
	free(s->ptrs);
	free(s->creds);
	ju_buf_free(&s->extra);
}
