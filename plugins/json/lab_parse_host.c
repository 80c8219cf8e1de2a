/*
 * Host records of lab.json, checked by upstream otto-sh's rules (its
 * HostSpec, UnixHostSpec, EmbeddedHostSpec, CredSpec and InterfaceSpec):
 * the fields a host may have depend on its os_type's family, every other
 * key (except `_*` comments) is refused, a unix host needs a cred, numbers
 * and booleans are read as pydantic reads them ("3" is 3, "yes" is true).
 * Fields otto-c does not use pass through as the record's own text; their
 * top-level type is checked, their contents are left to Python otto
 * (docs/upstream.md).
 */
#include "lab_parse_int.h"

#include "ipaddr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* What a field's value may be (bit per token kind) and how it is checked. */
enum kind { K_NULL = 1, K_BOOL = 2, K_NUM = 4, K_STR = 8, K_MAP = 16, K_ARR = 32 };
enum check { C_TYPE, C_BOOL, C_INT, C_STRLIST, C_MENU };
enum family { FAM_ANY, FAM_UNIX, FAM_EMBEDDED };

/* Fields otto-c reads itself (not passed through). */
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
	F_READ_COUNT, /* fields from here on pass through */
	F_INTERFACES = F_READ_COUNT,
	F_USER
};

typedef struct field_def {
	const char *name;
	unsigned char kinds;
	unsigned char check;
	unsigned char family;
} field_def;

/* Indexed by field number: the read fields first (enum field), then every
 * other upstream host field. */
static const field_def fields[] = {
    {"ip", K_STR, C_TYPE, FAM_ANY},
    {"element", K_STR, C_TYPE, FAM_ANY},
    {"element_id", K_NULL | K_BOOL | K_NUM | K_STR, C_INT, FAM_ANY},
    {"board", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"slot", K_NULL | K_BOOL | K_NUM | K_STR, C_INT, FAM_ANY},
    {"os_type", K_STR, C_TYPE, FAM_ANY},
    {"resources", K_ARR, C_STRLIST, FAM_ANY},
    {"labs", K_ARR, C_STRLIST, FAM_ANY},
    {"docker_capable", K_BOOL | K_NUM | K_STR, C_BOOL, FAM_UNIX},
    {"creds", K_ARR, C_TYPE, FAM_ANY},
    {"interfaces", K_MAP, C_TYPE, FAM_ANY},
    {"user", K_NULL | K_STR, C_TYPE, FAM_ANY},
    /* HostSpec */
    {"name", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"os_name", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"os_version", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"hop", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"is_virtual", K_BOOL | K_NUM | K_STR, C_BOOL, FAM_ANY},
    {"has_bash", K_BOOL | K_NUM | K_STR, C_BOOL, FAM_ANY},
    {"default_dest_dir", K_STR, C_TYPE, FAM_ANY},
    {"max_filename_len", K_BOOL | K_NUM | K_STR, C_INT, FAM_ANY},
    {"debug_log_globs", K_ARR, C_STRLIST, FAM_ANY},
    {"log", K_BOOL | K_STR, C_TYPE, FAM_ANY},
    {"log_stdout", K_BOOL | K_NUM | K_STR, C_BOOL, FAM_ANY},
    {"telnet_options", K_MAP, C_TYPE, FAM_ANY},
    {"snmp", K_NULL | K_MAP, C_TYPE, FAM_ANY},
    {"toolchain", K_MAP, C_TYPE, FAM_ANY},
    {"command_frame", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"power_control", K_NULL | K_STR | K_MAP, C_TYPE, FAM_ANY},
    {"valid_terms", K_STR | K_ARR, C_MENU, FAM_ANY},
    {"valid_transfers", K_STR | K_ARR, C_MENU, FAM_ANY},
    {"term", K_NULL | K_STR, C_TYPE, FAM_ANY},
    {"transfer", K_NULL | K_STR, C_TYPE, FAM_ANY},
    /* UnixHostSpec */
    {"hw_version", K_NULL | K_STR, C_TYPE, FAM_UNIX},
    {"sw_version", K_NULL | K_STR, C_TYPE, FAM_UNIX},
    {"valid_impairers", K_STR | K_ARR, C_MENU, FAM_UNIX},
    {"impairer", K_NULL | K_STR, C_TYPE, FAM_UNIX},
    {"shell_history", K_BOOL | K_NUM | K_STR, C_BOOL, FAM_UNIX},
    {"ssh_options", K_MAP, C_TYPE, FAM_UNIX},
    {"sftp_options", K_MAP, C_TYPE, FAM_UNIX},
    {"scp_options", K_MAP, C_TYPE, FAM_UNIX},
    {"ftp_options", K_MAP, C_TYPE, FAM_UNIX},
    {"nc_options", K_MAP, C_TYPE, FAM_UNIX},
    {"userland_options", K_MAP, C_TYPE, FAM_UNIX},
    /* EmbeddedHostSpec */
    {"filesystem", K_NULL | K_STR, C_TYPE, FAM_EMBEDDED},
    {"loader", K_NULL | K_STR, C_TYPE, FAM_EMBEDDED},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])
_Static_assert(N_FIELDS <= 64, "the seen-fields mask is 64 bits");

/* The built-in os_type profiles of upstream otto-sh and their families. */
static const struct {
	const char *name;
	enum family family;
} profiles[] = {{"busybox", FAM_UNIX}, {"embedded", FAM_EMBEDDED}, {"unix", FAM_UNIX}, {"zephyr", FAM_EMBEDDED}};
#define PROFILE_NAMES "busybox, embedded, unix, zephyr"

static int find_field(const char *s, size_t len)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strlen(fields[i].name) == len && memcmp(fields[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

static unsigned kind_of(enum tok t)
{
	switch (t) {
	case T_NULL:
		return K_NULL;
	case T_BOOL:
		return K_BOOL;
	case T_NUM:
		return K_NUM;
	case T_STR:
		return K_STR;
	case T_MAP:
		return K_MAP;
	default:
		return K_ARR;
	}
}

void jp_fail_host(parser *p, const char *fmt, ...)
{
	if (p->cur.error != JL_NONE)
		return;
	va_list ap;
	char *where = ju_asprintf("%s:%u: hosts[%zu]", p->f->path, jp_line_here(p), p->host_index);
	va_start(ap, fmt);
	char *full = ju_error_message(where, "invalid record", fmt, ap);
	va_end(ap);
	free(where);
	p->cur.error = jp_pool_add(p, full, strlen(full));
	free(full);
}

void jp_start_host(parser *p)
{
	jl_file *f = p->f;
	memset(&p->cur, 0, sizeof p->cur);
	p->cur.ip = p->cur.element = p->cur.board = p->cur.os_type = p->cur.error = JL_NONE;
	p->cur.element_id = p->cur.slot = OTTO_NO_NUMBER;
	p->cur.first_resource = (uint32_t)f->n_resources;
	p->cur.first_lab = (uint32_t)f->n_host_labs;
	p->cur.first_cred = (uint32_t)f->n_creds;
	p->cur.first_extra = (uint32_t)f->n_extras;
	p->cur.first_iface = (uint32_t)f->n_ifaces;
	p->cur.offset = (uint32_t)jp_here(p);
	p->seen = 0;
	p->user = JL_NONE;
}

/* pydantic's lax bool: true/false, 0/1, and words such as "yes" or "off". */
static bool lax_bool(enum tok t, const char *s, size_t len, int b, bool *out)
{
	static const char *const yes[] = {"1", "on", "t", "true", "y", "yes"};
	static const char *const no[] = {"0", "off", "f", "false", "n", "no"};
	if (t == T_BOOL) {
		*out = b;
		return true;
	}
	if (t == T_NUM) {
		char *end;
		double v = strtod(s, &end);
		if (end != s + len || (v != 0 && v != 1))
			return false;
		*out = v == 1;
		return true;
	}
	if (t != T_STR || len > 5)
		return false;
	char low[6];
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[len] = '\0';
	for (size_t i = 0; i < 6; i++) {
		if (strcmp(low, yes[i]) == 0)
			return *out = true, true;
		if (strcmp(low, no[i]) == 0)
			return *out = false, true;
	}
	return false;
}

/* pydantic's lax int: a JSON integer, a float with no fraction, a boolean,
 * or a string of digits (spaces around, a sign, `_` between digits, a
 * fraction of zeros: " +1_0.0 " is 10). */
static bool lax_int(enum tok t, const char *s, size_t len, int b, int64_t *out)
{
	if (t == T_BOOL) {
		*out = b;
		return true;
	}
	if (t != T_NUM && t != T_STR)
		return false;
	size_t i = 0, end = len;
	if (t == T_STR) {
		while (i < end && isspace((unsigned char)s[i]))
			i++;
		while (end > i && isspace((unsigned char)s[end - 1]))
			end--;
	}
	bool neg = false;
	if (i < end && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (t == T_NUM) {
		/* JSON numbers: "3", "3.0", "3e0"; ju_whole_number takes >= 0. */
		int64_t v;
		if (!ju_whole_number(s + i, end - i, &v))
			return false;
		*out = neg ? -v : v;
		return true;
	}
	uint64_t v = 0;
	size_t digits = 0;
	bool last_digit = false;
	for (; i < end && s[i] != '.'; i++) {
		if (s[i] == '_' && last_digit && i + 1 < end && isdigit((unsigned char)s[i + 1])) {
			last_digit = false;
			continue;
		}
		if (!isdigit((unsigned char)s[i]) || v > (UINT64_C(1) << 62))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
		digits++;
		last_digit = true;
	}
	if (i < end) { /* a fraction: zeros only */
		for (i++; i < end; i++)
			if (s[i] != '0')
				return false;
	}
	if (!digits)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static void read_string(parser *p, int field, const char *s, size_t len)
{
	uint32_t *slot = field == F_IP ? &p->cur.ip
			 : field == F_ELEMENT ? &p->cur.element
			 : field == F_BOARD   ? &p->cur.board
			 : field == F_OS_TYPE ? &p->cur.os_type
					      : &p->user;
	if (jp_holds_nul(p, s, len))
		jp_fail_host(p, "'%s' holds a NUL character (\\u0000), which no name may hold", fields[field].name);
	else
		*slot = jp_pool_add(p, s, len);
}

/* A scalar value (or the first token of an object or array) of `field`. */
static void field_value(parser *p, enum tok t, const char *s, size_t len, int b)
{
	const field_def *d = &fields[p->field];
	if (!(d->kinds & kind_of(t))) {
		if (t == T_NUM || (t == T_STR && len < 40))
			jp_fail_host(p, "'%s' must be %s, got %s %.*s", d->name,
				     d->check == C_BOOL ? "a boolean"
				     : d->check == C_INT ? "a whole number"
				     : (d->kinds & K_MAP) ? "an object"
				     : (d->kinds & K_ARR) ? "an array of strings"
							  : "a string",
				     ju_tok_name(t), (int)len, s);
		else
			jp_fail_host(p, "'%s' must be %s, got %s", d->name,
				     d->check == C_BOOL ? "a boolean"
				     : d->check == C_INT ? "a whole number"
				     : (d->kinds & K_MAP) ? "an object"
				     : (d->kinds & K_ARR) ? "an array of strings"
							  : "a string",
				     ju_tok_name(t));
		return;
	}
	if (t == T_NULL)
		return;
	if (d->check == C_BOOL) {
		bool v;
		if (!lax_bool(t, s, len, b, &v))
			jp_fail_host(p, "'%s' must be a boolean, got %.*s", d->name, (int)(len < 40 ? len : 40), s);
		else if (p->field == F_DOCKER)
			p->cur.docker_capable = v;
		return;
	}
	if (d->check == C_INT) {
		int64_t v;
		if (!lax_int(t, s, len, b, &v)) {
			jp_fail_host(p, "'%s' must be a whole number, got %s%.*s%s", d->name, t == T_STR ? "\"" : "",
				     (int)(len < 40 ? len : 40), t == T_BOOL ? (b ? "true" : "false") : s,
				     t == T_STR ? "\"" : "");
			return;
		}
		if ((p->field == F_ELEMENT_ID || p->field == F_SLOT) && v < 0) {
			jp_fail_host(p, "'%s' must be >= 0, got %lld", d->name, (long long)v);
			return;
		}
		if (p->field == F_ELEMENT_ID)
			p->cur.element_id = v;
		else if (p->field == F_SLOT)
			p->cur.slot = v;
		return;
	}
	if (t == T_STR && (p->field < F_READ_COUNT || p->field == F_USER))
		read_string(p, p->field, s, len);
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
	jp_fail_host(p, "%s", why);
	if (!p->f->poison)
		p->f->poison = ju_asprintf("%s:%u: hosts[%zu]: %s (so no lab of this file can be trusted)", p->f->path,
					   jp_line_here(p), p->host_index, why);
}

static int host_key(parser *p, enum tok t, const char *s, size_t len)
{
	if (t == T_MAP_END) {
		jp_finish_host(p);
		p->state = S_HOSTS;
		return 1;
	}
	if (len > 0 && s[0] == '_') {
		jp_skip_next(p, S_HOST_KEYS);
		return 1;
	}
	int field = find_field(s, len);
	if (field < 0) {
		char *key = ju_show(s, len);
		jp_fail_host(p, "unknown field '%s' (upstream otto refuses it: extra fields are not permitted)", key);
		free(key);
		jp_skip_next(p, S_HOST_KEYS);
		return 1;
	}
	if (p->seen & (UINT64_C(1) << field))
		jp_fail_host(p, "'%s' is given twice", fields[field].name);
	p->seen |= UINT64_C(1) << field;
	p->field = field;
	if (field >= F_READ_COUNT) {
		p->capture = true;
		p->capture_count = &p->cur.n_extras;
		p->capture_start = jp_key_start(p);
	}
	p->state = S_FIELD;
	return 1;
}

static int field_start(parser *p, enum tok t, const char *s, size_t len, int b)
{
	const field_def *d = &fields[p->field];
	if (t == T_ARR && (d->check == C_STRLIST || d->check == C_MENU)) {
		p->item_index = 0;
		p->state = S_STRARR;
		return 1;
	}
	if (t == T_ARR && p->field == F_CREDS) {
		p->item_index = 0;
		p->state = S_CREDS;
		return 1;
	}
	if (t == T_MAP && p->field == F_INTERFACES) {
		p->state = S_IFACE_KEYS;
		return 1;
	}
	if (p->field == F_LABS) {
		char *why = ju_asprintf("'labs' must be an array of strings, got %s", ju_tok_name(t));
		poison_labs_because(p, why);
		free(why);
	} else {
		field_value(p, t, s, len, b);
	}
	jp_begin_skip(p, t, S_HOST_KEYS);
	return 1;
}

static int strarr_item(parser *p, enum tok t, const char *s, size_t len)
{
	const char *name = fields[p->field].name;
	if (t == T_ARR_END) {
		if (fields[p->field].check == C_MENU && p->item_index == 0)
			jp_fail_host(p, "'%s' must be a non-empty list", name);
		jp_begin_skip(p, T_NULL, S_HOST_KEYS);
		return 1;
	}
	if (t != T_STR) {
		char *why = ju_asprintf("'%s' must be an array of strings, got %s at [%zu]", name, ju_tok_name(t),
					p->item_index);
		if (p->field == F_LABS)
			poison_labs_because(p, why);
		else
			jp_fail_host(p, "%s", why);
		free(why);
		if (t == T_MAP || t == T_ARR)
			jp_begin_skip(p, t, S_STRARR);
	} else if (p->field != F_LABS && p->field != F_RESOURCES) {
		/* a pass-through list: checked, not kept */
	} else if (jp_holds_nul(p, s, len)) {
		char *why = ju_asprintf("'%s'[%zu] holds a NUL character (\\u0000), which no name may hold", name,
					p->item_index);
		if (p->field == F_LABS)
			poison_labs_because(p, why);
		else
			jp_fail_host(p, "%s", why);
		free(why);
	} else if (p->field == F_LABS) {
		add_lab(p, s, len);
	} else {
		uint32_t off = jp_pool_add(p, s, len);
		JU_PUSH(p->f->resources, p->f->n_resources, p->f->resources_cap, off);
		p->cur.n_resources++;
	}
	p->item_index++;
	return 1;
}

/* ---------------------------------------------------------- records -- */

static bool has_login(const parser *p, const char *login)
{
	for (uint32_t i = 0; i < p->cur.n_creds; i++)
		if (strcmp(jl_str(p->f, p->f->creds[p->cur.first_cred + i].login), login) == 0)
			return true;
	return false;
}

/* The record-wide rules: required fields, the os_type and its family's
 * fields, the creds among themselves. */
static void check_record(parser *p)
{
	jl_host *h = &p->cur;
	const jl_file *f = p->f;
	if (h->element == JL_NONE && !(p->seen & (UINT64_C(1) << F_ELEMENT)))
		jp_fail_host(p, "missing 'element'");
	else if (h->element != JL_NONE && otto_slug(NULL, 0, jl_str(f, h->element)) == 0)
		jp_fail_host(p, "'element' \"%s\" slugs to nothing (it needs a letter or a digit)", jl_str(f, h->element));
	if (h->board != JL_NONE && otto_slug(NULL, 0, jl_str(f, h->board)) == 0)
		jp_fail_host(p, "'board' \"%s\" slugs to nothing (it needs a letter or a digit)", jl_str(f, h->board));
	if (!(p->seen & (UINT64_C(1) << F_IP)))
		jp_fail_host(p, "missing 'ip' (upstream otto requires it)");
	const char *os_type = h->os_type == JL_NONE ? "unix" : jl_str(f, h->os_type);
	enum family family = FAM_ANY;
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (strcmp(os_type, profiles[i].name) == 0)
			family = profiles[i].family;
	if (family == FAM_ANY && h->os_type != JL_NONE) {
		char *shown = ju_show(os_type, strlen(os_type));
		jp_fail_host(p, "'os_type' '%s' is not a registered profile (otto-c knows: " PROFILE_NAMES ")", shown);
		free(shown);
		return;
	}
	for (size_t i = 0; i < N_FIELDS; i++) {
		if (!(p->seen & (UINT64_C(1) << i)) || fields[i].family == FAM_ANY || fields[i].family == family)
			continue;
		jp_fail_host(p, "'%s' is not a field of %s host (os_type '%s'): upstream otto refuses it", fields[i].name,
			     family == FAM_UNIX ? "a unix" : "an embedded", os_type);
	}
	if (family == FAM_UNIX && h->n_creds == 0 && h->error == JL_NONE)
		jp_fail_host(p, "a unix host needs at least one cred in 'creds' (upstream otto requires one)");
	for (uint32_t i = 0; i < h->n_creds; i++) {
		const jl_cred *c = &f->creds[h->first_cred + i];
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(jl_str(f, f->creds[h->first_cred + j].login), jl_str(f, c->login)) == 0)
				jp_fail_host(p, "duplicate cred login '%s'", jl_str(f, c->login));
		if (c->via != JL_NONE && !has_login(p, jl_str(f, c->via)))
			jp_fail_host(p, "cred '%s': unknown 'via' '%s'", jl_str(f, c->login), jl_str(f, c->via));
	}
	if (p->user != JL_NONE && h->n_creds && !has_login(p, jl_str(f, p->user)))
		jp_fail_host(p, "user '%s' is not a cred login", jl_str(f, p->user));
}

void jp_finish_host(parser *p)
{
	check_record(p);
	if (p->cur.ip == JL_NONE)
		p->cur.ip = jp_pool_add(p, "", 0);
	JU_PUSH(p->f->hosts, p->f->n_hosts, p->f->hosts_cap, p->cur);
	p->host_index++;
}

int jp_host_step(parser *p, enum tok t, const char *s, size_t len, int b)
{
	switch (p->state) {
	case S_HOST_KEYS:
		return host_key(p, t, s, len);
	case S_FIELD:
		return field_start(p, t, s, len, b);
	case S_STRARR:
		return strarr_item(p, t, s, len);
	case S_CREDS:
	case S_CRED_KEYS:
	case S_CRED_FIELD:
		return jp_cred_step(p, t, s, len);
	default:
		return jp_iface_step(p, t, s, len);
	}
}
