/*
 * The nested parts of a lab.json host record (lab_parse_host.c): its creds
 * (upstream's CredSpec: login, password, proxy, via, params; no `_*`
 * comment keys) and its interfaces (InterfaceSpec: an address, or an object
 * with ip and subnet, checked as addresses and networks).
 */
#include "lab_parse_int.h"

#include "ipaddr.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ creds -- */

static const char *const cred_fields[] = {"login", "password", "proxy", "via", "params"};

static uint32_t *cred_slot(parser *p, int field)
{
	switch (field) {
	case 0:
		return &p->cred.login;
	case 1:
		return &p->cred.password;
	case 2:
		return &p->cred.proxy;
	default:
		return &p->cred.via;
	}
}

static void finish_cred(parser *p)
{
	jl_cred *c = &p->cred;
	size_t i = p->item_index;
	if (c->login == JL_NONE)
		jp_fail_host(p, "'creds[%zu]' has no 'login'", i);
	else if (c->proxy == JL_NONE && (c->via != JL_NONE || p->cred_params))
		jp_fail_host(p, "cred '%s': 'via' and 'params' require 'proxy'", jl_str(p->f, c->login));
	else if (c->via != JL_NONE && strcmp(jl_str(p->f, c->via), jl_str(p->f, c->login)) == 0)
		jp_fail_host(p, "cred '%s': 'via' cannot reference itself", jl_str(p->f, c->login));
	else {
		JU_PUSH(p->f->creds, p->f->n_creds, p->f->creds_cap, p->cred);
		p->cur.n_creds++;
	}
}

int jp_cred_step(parser *p, enum tok t, const char *s, size_t len)
{
	switch (p->state) {
	case S_CREDS:
		if (t == T_ARR_END) {
			p->state = S_HOST_KEYS;
			return 1;
		}
		if (t != T_MAP) {
			jp_fail_host(p, "'creds[%zu]' must be an object with 'login' and 'password', got %s",
				     p->item_index, ju_tok_name(t));
			if (t == T_ARR)
				jp_begin_skip(p, t, S_CREDS);
			p->item_index++;
			return 1;
		}
		p->cred.login = p->cred.password = p->cred.proxy = p->cred.via = JL_NONE;
		p->cred_params = false;
		p->state = S_CRED_KEYS;
		return 1;
	case S_CRED_KEYS:
		if (t == T_MAP_END) {
			finish_cred(p);
			p->item_index++;
			p->state = S_CREDS;
			return 1;
		}
		p->cred_field = jp_key_index(cred_fields, sizeof cred_fields / sizeof cred_fields[0], s, len);
		if (p->cred_field < 0) {
			/* CredSpec keeps no `_*` comment keys: they are refused too. */
			char *key = ju_show(s, len);
			jp_fail_host(p,
				     "'creds[%zu]' has unknown key '%s' (accepted: login, password, proxy, via, params)",
				     p->item_index, key);
			free(key);
			jp_skip_next(p, S_CRED_KEYS);
			return 1;
		}
		p->state = S_CRED_FIELD;
		return 1;
	default: /* S_CRED_FIELD */
		if (p->cred_field == 4) {
			if (t != T_MAP)
				jp_fail_host(p, "'creds[%zu].params' must be an object, got %s", p->item_index,
					     ju_tok_name(t));
			else
				p->skip_note_key = true;
			jp_begin_skip(p, t, S_CRED_KEYS);
			return 1;
		}
		const char *name = cred_fields[p->cred_field];
		if (t == T_STR && jp_holds_nul(p, s, len))
			jp_fail_host(p, "'creds[%zu].%s' holds a NUL character (\\u0000)", p->item_index, name);
		else if (t == T_STR)
			*cred_slot(p, p->cred_field) = jp_pool_add(p, s, len);
		else if (!(t == T_NULL && p->cred_field > 0))
			jp_fail_host(p, "'creds[%zu].%s' must be a string, got %s", p->item_index, name,
				     ju_tok_name(t));
		jp_begin_skip(p, t, S_CRED_KEYS);
		return 1;
	}
}

/* ------------------------------------------------------- interfaces -- */

static void finish_iface(parser *p)
{
	jl_iface *i = &p->iface;
	const char *name = jl_str(p->f, i->name), *ip = jl_str(p->f, i->ip), *subnet = jl_str(p->f, i->subnet);
	if (!ip)
		jp_fail_host(p, "'interfaces.%s' has no 'ip'", name);
	else if (!ip_is_address(ip))
		jp_fail_host(p, "'interfaces.%s': interface address '%s' is not a valid IP", name, ip);
	else if (subnet && !ip_is_network(subnet))
		jp_fail_host(p,
			     "'interfaces.%s': interface subnet '%s' is not a network in CIDR form (e.g. "
			     "\"192.168.1.0/24\": the network address, not a host address)",
			     name, subnet);
	else if (subnet && !ip_in_network(ip, subnet))
		jp_fail_host(p, "'interfaces.%s': interface address '%s' is not inside its declared subnet '%s'", name,
			     ip, subnet);
	else {
		JU_PUSH(p->f->ifaces, p->f->n_ifaces, p->f->ifaces_cap, p->iface);
		p->cur.n_ifaces++;
	}
}

int jp_iface_step(parser *p, enum tok t, const char *s, size_t len)
{
	switch (p->state) {
	case S_IFACE_KEYS:
		if (t == T_MAP_END) {
			jp_begin_skip(p, T_NULL, S_HOST_KEYS);
			return 1;
		}
		if (jp_holds_nul(p, s, len)) {
			jp_fail_host(p, "an interface name holds a NUL character (\\u0000)");
			jp_skip_next(p, S_IFACE_KEYS);
			return 1;
		}
		p->iface.name = jp_pool_add(p, s, len);
		p->iface.ip = p->iface.subnet = JL_NONE;
		p->state = S_IFACE_VALUE;
		return 1;
	case S_IFACE_VALUE:
		if (t == T_STR && !jp_holds_nul(p, s, len)) { /* "eth0": "10.0.0.5" is {"ip": "10.0.0.5"} */
			p->iface.ip = jp_pool_add(p, s, len);
			finish_iface(p);
			p->state = S_IFACE_KEYS;
		} else if (t == T_MAP) {
			p->state = S_IFACE_FIELDS;
		} else {
			jp_fail_host(p, "'interfaces.%s' must be an address or an object with 'ip', got %s",
				     jl_str(p->f, p->iface.name), ju_tok_name(t));
			jp_begin_skip(p, t, S_IFACE_KEYS);
		}
		return 1;
	case S_IFACE_FIELDS:
		if (t == T_MAP_END) {
			finish_iface(p);
			p->state = S_IFACE_KEYS;
			return 1;
		}
		if (len == 2 && memcmp(s, "ip", 2) == 0) {
			p->iface_subnet = false;
		} else if (len == 6 && memcmp(s, "subnet", 6) == 0) {
			p->iface_subnet = true;
		} else {
			char *key = ju_show(s, len);
			jp_fail_host(p, "'interfaces.%s' has unknown key '%s' (accepted: ip, subnet)",
				     jl_str(p->f, p->iface.name), key);
			free(key);
			jp_skip_next(p, S_IFACE_FIELDS);
			return 1;
		}
		p->state = S_IFACE_FIELD;
		return 1;
	default: /* S_IFACE_FIELD */
		if (t == T_STR && !jp_holds_nul(p, s, len))
			*(p->iface_subnet ? &p->iface.subnet : &p->iface.ip) = jp_pool_add(p, s, len);
		else if (!(t == T_NULL && p->iface_subnet))
			jp_fail_host(p, "'interfaces.%s.%s' must be a string, got %s", jl_str(p->f, p->iface.name),
				     p->iface_subnet ? "subnet" : "ip", ju_tok_name(t));
		jp_begin_skip(p, t, S_IFACE_FIELDS);
		return 1;
	}
}
