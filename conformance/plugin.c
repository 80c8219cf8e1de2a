/*
 * Open a plugin file the strict way (every symbol bound at load), check its
 * descriptor, and let it register through a registrar of our own that
 * accepts anything, so that a type with missing entries is still seen and
 * reported rule by rule instead of being refused wholesale. What otto
 * itself refuses at registration (type sizes: C3, backend names: C9) is
 * judged by libotto's own code (util_abi.c), so the two always agree.
 */
#include "conf.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

typedef struct conf_registrar {
	otto_registrar base;
	conf_plugin *plugin;
} conf_registrar;

static int add_type(conf_registrar *r, otto_backend_kind kind, const void *type, size_t struct_size,
		    const char *name, otto_error *err)
{
	conf_plugin *p = r->plugin;
	if (!type)
		return otto_error_set(err, OTTO_EINVALID, "a NULL backend type was registered");
	char *refusal = otto__type_size_refusal(kind, name, struct_size);
	if (refusal)
		otto__strlist_push_owned(&p->abi_problems, refusal);
	if ((refusal = otto__backend_name_refusal(kind, name)))
		otto__strlist_push_owned(&p->name_problems, refusal);
	if (p->count == p->capacity) {
		p->capacity = p->capacity ? p->capacity * 2 : 16;
		p->items = otto__realloc(p->items, p->capacity * sizeof *p->items);
	}
	conf_registered *item = &p->items[p->count++];
	item->kind = kind;
	item->lab = kind == OTTO_KIND_LAB ? type : NULL;
	item->reservation = kind == OTTO_KIND_RESERVATION ? type : NULL;
	return OTTO_OK;
}

static int add_lab(otto_registrar *reg, const otto_lab_repository_type *type, otto_error *err)
{
	/* name is the second field of every type: readable at any struct_size
	 * worth the name (a tiny one is C3's, the name then reads as NULL). */
	size_t size = type ? type->struct_size : 0;
	const char *name = type && size >= offsetof(otto_lab_repository_type, name) + sizeof type->name ? type->name : NULL;
	return add_type((conf_registrar *)reg, OTTO_KIND_LAB, type, size, name, err);
}

static int add_reservation(otto_registrar *reg, const otto_reservation_backend_type *type, otto_error *err)
{
	size_t size = type ? type->struct_size : 0;
	const char *name =
		type && size >= offsetof(otto_reservation_backend_type, name) + sizeof type->name ? type->name : NULL;
	return add_type((conf_registrar *)reg, OTTO_KIND_RESERVATION, type, size, name, err);
}

/* Lock stores (ABI 1.2) have no conformance rules yet: accepted, not checked. */
static int add_lock_store(otto_registrar *reg, const otto_lock_store_type *type, otto_error *err)
{
	(void)reg;
	(void)type;
	(void)err;
	return OTTO_OK;
}

static const otto_registrar_ops registrar_ops = {sizeof(otto_registrar_ops), add_lab, add_reservation,
						 add_lock_store};

static bool fail(conf_plugin *p, const char *rule, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(conf_plugin *p, const char *rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof p->message, fmt, ap);
	va_end(ap);
	p->rule_failed = conf_rule_index(rule);
	return false;
}

bool conf_plugin_open(conf_plugin *p, const char *path)
{
	memset(p, 0, sizeof *p);
	p->rule_failed = -1;
	p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!p->handle) {
		const char *why = dlerror();
		return fail(p, "C1", "%s", why ? why : "dlopen failed");
	}
	p->descriptor = dlsym(p->handle, OTTO_PLUGIN_SYMBOL);
	if (!p->descriptor)
		return fail(p, "C2", "%s: no exported symbol '%s' (define it with OTTO_PLUGIN_DEFINE)", path,
			    OTTO_PLUGIN_SYMBOL);
	const otto_plugin_descriptor *d = p->descriptor;
	if (d->abi_major != OTTO_ABI_MAJOR || d->abi_minor > OTTO_ABI_MINOR)
		return fail(p, "C3", "%s: plugin ABI %u.%u, host ABI %d.%d (the major must match; the minor may not be newer)",
			    path, d->abi_major, d->abi_minor, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
	if (d->struct_size < sizeof *d)
		return fail(p, "C3", "%s: descriptor struct_size %u is smaller than ABI %d.0's %zu", path, d->struct_size,
			    OTTO_ABI_MAJOR, sizeof *d);
	if (!d->register_backends)
		return fail(p, "C2", "%s: the descriptor's register_backends is NULL", path);
	return true;
}

bool conf_plugin_register(conf_plugin *p, const char *path)
{
	const otto_plugin_descriptor *d = p->descriptor;
	conf_registrar reg = {{&registrar_ops, OTTO_ABI_MAJOR, OTTO_ABI_MINOR}, p};
	otto_error err = {0};
	int st = d->register_backends(&reg.base, &err);
	if (st != OTTO_OK)
		return fail(p, "C2", "%s: register_backends returned %s: %s", path, otto_status_name(st),
			    err.message[0] ? err.message : "(no message)");
	if (p->count == 0)
		return fail(p, "C2", "%s: register_backends registered no backend", path);
	return true;
}

bool conf_plugin_load(conf_plugin *p, const char *path)
{
	return conf_plugin_open(p, path) && conf_plugin_register(p, path);
}

void conf_plugin_close(conf_plugin *p)
{
	otto_strlist_free(&p->abi_problems);
	otto_strlist_free(&p->name_problems);
	free(p->items);
	p->items = NULL;
	p->count = p->capacity = 0;
	if (p->handle)
		dlclose(p->handle);
	p->handle = NULL;
}
