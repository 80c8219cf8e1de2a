/*
 * Links of lab.json, checked by upstream otto-sh's LinkSpec: exactly two
 * endpoints {host, interface?} (no other keys, `_*` included), a protocol
 * string (lower-cased; "tcp" when absent), optional name, impair and
 * management strings, `_*` comment keys, nothing else. A link that breaks a
 * rule keeps its first error and fails only the labs it touches (those
 * holding a host one of its endpoints names), as upstream's do; whether its
 * hosts and interfaces exist is checked at load time (lab_links.c).
 */
#include "lab_parse_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum link_field { LF_PROTOCOL, LF_NAME, LF_IMPAIR, LF_MANAGEMENT, LF_ENDPOINTS };
static const char *const link_fields[] = {"protocol", "name", "impair", "management", "endpoints"};

static void fail_link(parser *p, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
static void fail_link(parser *p, const char *fmt, ...)
{
	if (p->link.error != JL_NONE)
		return;
	va_list ap;
	char *where = ju_asprintf("%s:%u: links[%zu]", p->f->path, jp_line_here(p), p->f->n_links);
	va_start(ap, fmt);
	char *full = ju_error_message(where, "invalid link", fmt, ap);
	va_end(ap);
	free(where);
	p->link.error = jp_pool_add(p, full, strlen(full));
	free(full);
}

void jp_start_link(parser *p)
{
	memset(&p->link, 0, sizeof p->link);
	p->link.protocol = p->link.name = p->link.impair = p->link.management = p->link.error = JL_NONE;
	p->link.first_endpoint = (uint32_t)p->f->n_endpoints;
	p->link.offset = (uint32_t)jp_here(p);
	p->link_field = -1;
	p->seen = 0;
	p->state = S_LINK_KEYS;
}

static void finish_link(parser *p)
{
	jl_link *l = &p->link;
	const jl_file *f = p->f;
	if (!(p->seen & (1u << LF_ENDPOINTS)))
		fail_link(p, "'endpoints' is missing (a link has exactly two)");
	else if (l->n_endpoints != 2)
		fail_link(p, "'endpoints' must hold exactly two endpoints, not %u", l->n_endpoints);
	if (l->error == JL_NONE) {
		const jl_endpoint *a = &f->endpoints[l->first_endpoint], *b = a + 1;
		const char *ai = jl_str(f, a->interface), *bi = jl_str(f, b->interface);
		if (strcmp(jl_str(f, a->host), jl_str(f, b->host)) == 0 &&
		    ((!ai && !bi) || (ai && bi && strcmp(ai, bi) == 0)))
			fail_link(p, "link endpoints must differ (same host and interface on both ends)");
	}
	if (l->protocol == JL_NONE && l->error == JL_NONE)
		l->protocol = jp_pool_add(p, "tcp", 3);
	JU_PUSH(p->f->links, p->f->n_links, p->f->links_cap, p->link);
	p->state = S_LINKS;
}

static int link_key(parser *p, enum tok t, const char *s, size_t len)
{
	if (t == T_MAP_END) {
		finish_link(p);
		return 1;
	}
	if (len > 0 && s[0] == '_') {
		jp_skip_next(p, S_LINK_KEYS);
		return 1;
	}
	p->link_field = jp_key_index(link_fields, sizeof link_fields / sizeof link_fields[0], s, len);
	if (p->link_field < 0) {
		char *key = ju_show(s, len);
		fail_link(p, "unknown key '%s' (accepted: endpoints, protocol, name, impair, management, _*)", key);
		free(key);
		jp_skip_next(p, S_LINK_KEYS);
		return 1;
	}
	if (p->seen & (1u << p->link_field))
		fail_link(p, "'%s' is given twice", link_fields[p->link_field]);
	p->seen |= 1u << p->link_field;
	p->state = p->link_field == LF_ENDPOINTS ? S_ENDPOINTS_OPEN : S_LINK_FIELD;
	return 1;
}

static int link_field(parser *p, enum tok t, const char *s, size_t len)
{
	const char *name = link_fields[p->link_field];
	if (t == T_STR && jp_holds_nul(p, s, len)) {
		fail_link(p, "'%s' holds a NUL character (\\u0000)", name);
	} else if (t == T_STR) {
		uint32_t off = jp_pool_add(p, s, len);
		if (p->link_field == LF_PROTOCOL) { /* upstream lower-cases it */
			for (char *c = p->f->pool + off; off != JL_NONE && *c; c++)
				*c = (char)tolower((unsigned char)*c);
			p->link.protocol = off;
		} else {
			*(p->link_field == LF_NAME ? &p->link.name
			  : p->link_field == LF_IMPAIR ? &p->link.impair
						       : &p->link.management) = off;
		}
	} else if (!(t == T_NULL && p->link_field != LF_PROTOCOL)) {
		fail_link(p, "'%s' must be a string, got %s", name, ju_tok_name(t));
	}
	jp_begin_skip(p, t, S_LINK_KEYS);
	return 1;
}

int jp_link_step(parser *p, enum tok t, const char *s, size_t len, int b)
{
	(void)b;
	switch (p->state) {
	case S_LINK_KEYS:
		return link_key(p, t, s, len);
	case S_LINK_FIELD:
		return link_field(p, t, s, len);
	case S_ENDPOINTS_OPEN:
		if (t != T_ARR) {
			fail_link(p, "'endpoints' must be an array, got %s", ju_tok_name(t));
			jp_begin_skip(p, t, S_LINK_KEYS);
			return 1;
		}
		p->state = S_ENDPOINTS;
		return 1;
	case S_ENDPOINTS:
		if (t == T_ARR_END) {
			p->state = S_LINK_KEYS;
			return 1;
		}
		if (t != T_MAP) {
			fail_link(p, "endpoints[%u] must be an object with 'host' and 'interface', got %s",
				  p->link.n_endpoints, ju_tok_name(t));
			p->link.n_endpoints++; /* it counts as an endpoint for "exactly two" */
			p->endpoint.host = p->endpoint.interface = JL_NONE;
			p->endpoint.offset = (uint32_t)jp_here(p);
			JU_PUSH(p->f->endpoints, p->f->n_endpoints, p->f->endpoints_cap, p->endpoint);
			jp_begin_skip(p, t, S_ENDPOINTS);
			return 1;
		}
		p->endpoint.host = p->endpoint.interface = JL_NONE;
		p->endpoint.offset = (uint32_t)jp_here(p);
		p->state = S_ENDPOINT_KEYS;
		return 1;
	case S_ENDPOINT_KEYS:
		if (t == T_MAP_END) {
			if (p->endpoint.host == JL_NONE)
				fail_link(p, "endpoints[%u] has no 'host' (a host id)", p->link.n_endpoints);
			JU_PUSH(p->f->endpoints, p->f->n_endpoints, p->f->endpoints_cap, p->endpoint);
			p->link.n_endpoints++;
			p->state = S_ENDPOINTS;
			return 1;
		}
		if (len == 4 && memcmp(s, "host", 4) == 0) {
			p->endpoint_interface = false;
		} else if (len == 9 && memcmp(s, "interface", 9) == 0) {
			p->endpoint_interface = true;
		} else {
			/* LinkEndpointSpec keeps no `_*` comment keys either. */
			char *key = ju_show(s, len);
			fail_link(p, "endpoints[%u]: unknown key '%s' (accepted: host, interface)", p->link.n_endpoints,
				  key);
			free(key);
			jp_skip_next(p, S_ENDPOINT_KEYS);
			return 1;
		}
		p->state = S_ENDPOINT_FIELD;
		return 1;
	default: /* S_ENDPOINT_FIELD */
		if (t == T_STR && jp_holds_nul(p, s, len)) {
			fail_link(p, "endpoints[%u]: '%s' holds a NUL character (\\u0000)", p->link.n_endpoints,
				  p->endpoint_interface ? "interface" : "host");
		} else if (t == T_STR) {
			*(p->endpoint_interface ? &p->endpoint.interface : &p->endpoint.host) = jp_pool_add(p, s, len);
		} else if (!(t == T_NULL && p->endpoint_interface)) {
			fail_link(p, "endpoints[%u]: '%s' must be a string, got %s", p->link.n_endpoints,
				  p->endpoint_interface ? "interface" : "host", ju_tok_name(t));
		}
		jp_begin_skip(p, t, S_ENDPOINT_KEYS);
		return 1;
	}
}
