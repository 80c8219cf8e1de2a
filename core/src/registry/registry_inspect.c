/*
 * Looking at one plugin descriptor: the ABI check (fields read as plain data
 * before anything is called) and register_backends with a registrar that
 * validates every type it is handed. The same code serves built-ins, the
 * scan child and in-process loading.
 */
#include "registry/registry_int.h"

#include <stdlib.h>
#include <string.h>

#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* Everything ABI 1.0 put in the descriptor. */
#define DESCRIPTOR_FROZEN_SIZE END_OF(otto_plugin_descriptor, register_backends)
/* A type struct must reach at least its last required entry; what follows
 * is optional and reads as NULL when an older SDK's struct stops short. */
#define LAB_REQUIRED_SIZE END_OF(otto_lab_repository_type, load_lab)
#define RESERVATION_REQUIRED_SIZE END_OF(otto_reservation_backend_type, who_reserved)
#define LOCK_STORE_REQUIRED_SIZE END_OF(otto_lock_store_type, list)

void otto__backend_entry_clear(otto__backend_entry *e)
{
	free(e->name);
	free(e->description);
	for (size_t k = 0; k < e->n_keys; k++) {
		free((char *)e->keys[k].key);
		free((char *)e->keys[k].description);
	}
	free(e->keys);
	memset(e, 0, sizeof *e);
}

void otto__inspection_free(otto__inspection *insp)
{
	if (!insp)
		return;
	if (insp->borrowed) {
		memset(insp, 0, sizeof *insp);
		return;
	}
	free(insp->detail);
	free(insp->plugin_name);
	free(insp->plugin_version);
	for (size_t i = 0; i < insp->n_backends; i++)
		otto__backend_entry_clear(&insp->backends[i]);
	free(insp->backends);
	free(insp->types);
	memset(insp, 0, sizeof *insp);
}

void otto__inspection_copy(otto__inspection *dst, const otto__inspection *src)
{
	memset(dst, 0, sizeof *dst);
	dst->status = src->status;
	dst->detail = otto__strdup(src->detail);
	dst->plugin_name = otto__strdup(src->plugin_name);
	dst->plugin_version = otto__strdup(src->plugin_version);
	dst->abi_major = src->abi_major;
	dst->abi_minor = src->abi_minor;
	dst->backends = otto__calloc(src->n_backends + 1, sizeof *dst->backends);
	for (size_t i = 0; i < src->n_backends; i++) {
		const otto__backend_entry *from = &src->backends[i];
		otto__backend_entry *to = &dst->backends[i];
		to->kind = from->kind;
		to->name = otto__strdup(from->name);
		to->description = otto__strdup(from->description);
		to->caps = from->caps;
		to->keys = otto__calloc(from->n_keys + 1, sizeof *to->keys);
		for (size_t k = 0; k < from->n_keys; k++) {
			to->keys[k] = from->keys[k];
			to->keys[k].key = otto__strdup(from->keys[k].key);
			to->keys[k].description = otto__strdup(from->keys[k].description);
		}
		to->n_keys = from->n_keys;
	}
	dst->n_backends = src->n_backends;
}

void otto__inspection_fail(otto__inspection *insp, otto_plugin_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(insp->detail);
	insp->detail = otto__vasprintf(fmt, ap);
	va_end(ap);
	insp->status = status;
}

/* The registrar handed to register_backends, with what it collected. */
typedef struct collecting_registrar {
	otto_registrar base; /* first: the plugin only sees this */
	otto__inspection *insp;
	size_t cap;
	char *first_error; /* the first type that was refused */
} collecting_registrar;

static int refuse(collecting_registrar *cr, otto_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(collecting_registrar *cr, otto_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = otto__vasprintf(fmt, ap);
	va_end(ap);
	otto_error_set(err, OTTO_EINVALID, "%s", msg);
	if (!cr->first_error)
		cr->first_error = msg;
	else
		free(msg);
	return OTTO_EINVALID;
}

/* The checks common to both kinds. `required` lists the entries that must
 * be non-NULL, as (name, function pointer present) pairs. */
typedef struct required_entry {
	const char *name;
	bool present;
} required_entry;

static int check_and_add(collecting_registrar *cr, otto_backend_kind kind, const void *type, size_t struct_size,
			 const required_entry *required, size_t n_required, otto_error *err)
{
	const char *kind_name = otto_backend_kind_name(kind);
	if (!type)
		return refuse(cr, err, "register_backends passed a NULL %s backend type", kind_name);
	if (struct_size < END_OF(otto_lab_repository_type, name))
		return refuse(cr, err, "a %s backend type is %zu bytes, too small to hold its name", kind_name,
			      struct_size);
	/* name sits at the same place in both kinds. */
	const char *name = ((const otto_lab_repository_type *)type)->name;
	if (!name || !*name)
		return refuse(cr, err, "a %s backend has an empty name", kind_name);
	/* The same sentences otto-conformance shows under C9 and C3 (util_abi.c). */
	char *refusal = otto__backend_name_refusal(kind, name);
	if (!refusal)
		refusal = otto__type_size_refusal(kind, name, struct_size);
	if (refusal) {
		int rc = refuse(cr, err, "%s", refusal);
		free(refusal);
		return rc;
	}
	for (size_t i = 0; i < n_required; i++)
		if (!required[i].present)
			return refuse(cr, err, "%s backend '%s' has no %s", kind_name, name, required[i].name);
	otto__inspection *insp = cr->insp;
	for (size_t i = 0; i < insp->n_backends; i++)
		if (insp->backends[i].kind == kind && strcmp(insp->backends[i].name, name) == 0)
			return refuse(cr, err, "%s backend '%s' is registered twice by this plugin", kind_name, name);

	if (insp->n_backends == cr->cap) {
		cr->cap = cr->cap ? cr->cap * 2 : 4;
		insp->backends = otto__realloc(insp->backends, cr->cap * sizeof *insp->backends);
		insp->types = otto__realloc(insp->types, cr->cap * sizeof *insp->types);
	}
	otto__any_type *copy = &insp->types[insp->n_backends];
	memset(copy, 0, sizeof *copy);
	size_t host_size = kind == OTTO_KIND_LAB	   ? sizeof copy->lab
			   : kind == OTTO_KIND_RESERVATION ? sizeof copy->reservation
							   : sizeof copy->lock_store;
	memcpy(copy, type, struct_size < host_size ? struct_size : host_size);
	/* From now on the host's own size: every field it knows is readable. */
	copy->lab.struct_size = host_size;

	otto__backend_entry *e = &insp->backends[insp->n_backends++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->name = otto__strdup(name);
	e->description = otto__strdup(copy->lab.description);
	const otto_setting_decl *keys;
	if (kind == OTTO_KIND_LAB) {
		e->caps = copy->lab.list_host_summaries ? OTTO_BACKEND_CAP_SUMMARIES : 0;
		keys = copy->lab.settings_keys;
	} else if (kind == OTTO_KIND_LOCK_STORE) {
		/* The copy is host-sized: entries past an older plugin's struct read NULL. */
		const otto_lock_store_type *t = &copy->lock_store;
		e->caps = (t->prepare ? OTTO_BACKEND_CAP_PREPARE : 0) | (t->renew ? OTTO_BACKEND_CAP_RENEW : 0);
		keys = t->settings_keys;
	} else {
		const otto_reservation_backend_type *t = &copy->reservation;
		e->caps = (t->list_usernames ? OTTO_BACKEND_CAP_USERNAMES : 0) |
			  (t->get_reservation_windows ? OTTO_BACKEND_CAP_WINDOWS : 0) |
			  (t->reserve && t->cancel ? OTTO_BACKEND_CAP_WRITE : 0) |
			  (t->prepare ? OTTO_BACKEND_CAP_PREPARE : 0);
		keys = t->settings_keys;
	}
	/* Read as data, like the descriptor: up to the NULL key, at most
	 * OTTO__SETTINGS_KEYS_MAX (a declaration without its end is cut
	 * there, not read past). */
	size_t n = 0;
	while (keys && n < OTTO__SETTINGS_KEYS_MAX && keys[n].key)
		n++;
	e->keys = otto__calloc(n + 1, sizeof *e->keys);
	for (size_t k = 0; k < n; k++) {
		e->keys[k].key = otto__strdup(keys[k].key);
		e->keys[k].type = keys[k].type;
		e->keys[k].flags = keys[k].flags;
		e->keys[k].description = otto__strdup(keys[k].description);
	}
	e->n_keys = n;
	return OTTO_OK;
}

static int add_lab(otto_registrar *reg, const otto_lab_repository_type *type, otto_error *err)
{
	collecting_registrar *cr = (collecting_registrar *)reg;
	size_t size = type ? type->struct_size : 0;
	required_entry required[4] = {{"create", false}, {"destroy", false}, {"list_labs", false}, {"load_lab", false}};
	if (type && size >= LAB_REQUIRED_SIZE) {
		required[0].present = type->create != NULL;
		required[1].present = type->destroy != NULL;
		required[2].present = type->list_labs != NULL;
		required[3].present = type->load_lab != NULL;
	}
	return check_and_add(cr, OTTO_KIND_LAB, type, size, required, 4, err);
}

static int add_reservation(otto_registrar *reg, const otto_reservation_backend_type *type, otto_error *err)
{
	collecting_registrar *cr = (collecting_registrar *)reg;
	size_t size = type ? type->struct_size : 0;
	required_entry required[5] = {{"create", false},
				      {"destroy", false},
				      {"backend_name", false},
				      {"get_reserved_resources", false},
				      {"who_reserved", false}};
	if (type && size >= RESERVATION_REQUIRED_SIZE) {
		required[0].present = type->create != NULL;
		required[1].present = type->destroy != NULL;
		required[2].present = type->backend_name != NULL;
		required[3].present = type->get_reserved_resources != NULL;
		required[4].present = type->who_reserved != NULL;
	}
	return check_and_add(cr, OTTO_KIND_RESERVATION, type, size, required, 5, err);
}

static int add_lock_store(otto_registrar *reg, const otto_lock_store_type *type, otto_error *err)
{
	collecting_registrar *cr = (collecting_registrar *)reg;
	size_t size = type ? type->struct_size : 0;
	required_entry required[7] = {{"create", false}, {"destroy", false}, {"where", false}, {"acquire", false},
				      {"release", false}, {"get", false},     {"list", false}};
	if (type && size >= LOCK_STORE_REQUIRED_SIZE) {
		required[0].present = type->create != NULL;
		required[1].present = type->destroy != NULL;
		required[2].present = type->where != NULL;
		required[3].present = type->acquire != NULL;
		required[4].present = type->release != NULL;
		required[5].present = type->get != NULL;
		required[6].present = type->list != NULL;
	}
	return check_and_add(cr, OTTO_KIND_LOCK_STORE, type, size, required, 7, err);
}

static const otto_registrar_ops registrar_ops = {
    sizeof(otto_registrar_ops),
    add_lab,
    add_reservation,
    add_lock_store,
};

static void drop_backends(otto__inspection *insp)
{
	for (size_t i = 0; i < insp->n_backends; i++)
		otto__backend_entry_clear(&insp->backends[i]);
	free(insp->backends);
	free(insp->types);
	insp->backends = NULL;
	insp->types = NULL;
	insp->n_backends = 0;
}

void otto__inspect_descriptor(const otto_plugin_descriptor *desc, otto__inspection *out)
{
	memset(out, 0, sizeof *out);
	out->abi_major = desc->abi_major;
	out->abi_minor = desc->abi_minor;
	if (desc->abi_major != OTTO_ABI_MAJOR) {
		otto__inspection_fail(out, OTTO_PLUGIN_ABI_MISMATCH,
				      "built for otto ABI %u.%u; this host provides %d.%d (the major must match)",
				      desc->abi_major, desc->abi_minor, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
		return;
	}
	if (desc->abi_minor > OTTO_ABI_MINOR) {
		otto__inspection_fail(out, OTTO_PLUGIN_ABI_MISMATCH,
				      "built for otto ABI %u.%u; this host provides %d.%d (the minor must not be newer "
				      "than the host's)",
				      desc->abi_major, desc->abi_minor, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
		return;
	}
	if (desc->struct_size < DESCRIPTOR_FROZEN_SIZE) {
		otto__inspection_fail(out, OTTO_PLUGIN_ABI_MISMATCH,
				      "its descriptor is %u bytes; otto ABI %u.%u needs at least %zu",
				      desc->struct_size, desc->abi_major, desc->abi_minor, DESCRIPTOR_FROZEN_SIZE);
		return;
	}
	out->plugin_name = otto__strdup(desc->name);
	out->plugin_version = otto__strdup(desc->version);
	if (!desc->name || !desc->version) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "its descriptor has no %s",
				      !desc->name ? "name" : "version");
		return;
	}
	if (!desc->register_backends) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "its descriptor has no register_backends function");
		return;
	}

	collecting_registrar cr = {{&registrar_ops, OTTO_ABI_MAJOR, OTTO_ABI_MINOR}, out, 0, NULL};
	otto_error err = {0, ""};
	int rc = desc->register_backends(&cr.base, &err);
	if (cr.first_error) {
		drop_backends(out);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "%s", cr.first_error);
		free(cr.first_error);
	} else if (rc != OTTO_OK) {
		drop_backends(out);
		if (err.message[0])
			otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "register_backends failed: %.*s",
					      (int)sizeof err.message, err.message);
		else
			otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
					      "register_backends failed with status %s and no message",
					      otto_status_name(rc));
	} else if (out->n_backends == 0) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "register_backends registered no backend");
	} else {
		out->status = OTTO_PLUGIN_LOADED;
	}
}
