/*
 * What the three parts of the lab.json parser share (lab_parse.c: the file
 * and its top level; lab_parse_host.c: host records; lab_parse_link.c:
 * links). Nothing outside the parser includes it.
 *
 * The rules are upstream otto-sh's (its pydantic HostSpec, CredSpec,
 * InterfaceSpec and LinkSpec), applied while the file streams past: a bad
 * record or link is kept with its first error, and only the labs it
 * touches fail (docs/upstream.md says where otto-c differs, and why).
 */
#ifndef JSON_LAB_PARSE_INT_H
#define JSON_LAB_PARSE_INT_H

#include "jtokens.h"
#include "lab_index.h"

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
	S_IFACES_OPEN,
	S_IFACE_KEYS,
	S_IFACE_VALUE,
	S_IFACE_FIELDS,
	S_IFACE_FIELD,
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


typedef struct parser {
	jl_file *f;
	yajl_handle h;
	enum state state;
	int field;     /* the host field being read (lab_parse_host.c) */
	jl_host cur;
	size_t host_index;
	uint64_t seen; /* host fields already given in this record */
	uint32_t user; /* the record's `user` (checked against its creds) */
	size_t item_index;
	jl_cred cred;
	int cred_field;
	bool cred_params; /* the cred's `params` is a non-empty object */
	bool skip_note_key; /* S_SKIP: set cred_params on a key at depth 1 */
	jl_iface iface;
	bool iface_subnet; /* S_IFACE_FIELD: subnet (else ip) */
	unsigned skip_depth;
	enum state skip_return;
	bool capture;
	size_t capture_start;
	uint32_t *capture_count; /* the record whose pass-through fields are being captured */
	jl_link link;		 /* the link being read */
	int link_field;		 /* S_LINK_FIELD: which field (lab_parse_link.c) */
	jl_endpoint endpoint;	 /* the endpoint being read */
	bool endpoint_interface; /* S_ENDPOINT_FIELD: interface (else host) */
	ju_pos_cursor cursor;
	char *fatal;
} parser;

static inline size_t jp_here(const parser *p)
{
	return yajl_get_bytes_consumed(p->h);
}

unsigned jp_line_here(parser *p);
bool jp_holds_nul(const parser *p, const char *s, size_t len);
uint32_t jp_pool_add(parser *p, const char *s, size_t len);
int jp_fail_file(parser *p, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
/* Skip the value that token t starts, then go on in state `back` (a
 * pass-through field being captured ends there). */
void jp_begin_skip(parser *p, enum tok t, enum state back);
/* Skip the value that the next token starts. */
static inline void jp_skip_next(parser *p, enum state back)
{
	p->state = S_SKIP;
	p->skip_depth = 0;
	p->skip_return = back;
}
size_t jp_key_start(const parser *p);
/* The index of the key s[0..len) in names[0..n), or -1. */
static inline int jp_key_index(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* lab_parse_host.c */
void jp_start_host(parser *p);
void jp_finish_host(parser *p);
void jp_fail_host(parser *p, const char *fmt, ...) OTTO_PRINTF_LIKE(2, 3);
int jp_host_step(parser *p, enum tok t, const char *s, size_t len, int b);

/* lab_parse_record.c: S_CREDS..S_CRED_FIELD and S_IFACE_KEYS..S_IFACE_FIELD */
int jp_cred_step(parser *p, enum tok t, const char *s, size_t len);
int jp_iface_step(parser *p, enum tok t, const char *s, size_t len);

/* lab_parse_link.c */
void jp_start_link(parser *p);
int jp_link_step(parser *p, enum tok t, const char *s, size_t len, int b);

#endif
