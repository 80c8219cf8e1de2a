/*
 * The lab repository: every lab and host comes from the `hosts` setting,
 *
 *   [lab.mybackend]
 *   hosts = ["east,west router1 10.0.0.1 router1 shared",   # LAB[,LAB...] ELEMENT IP [RESOURCE...]
 *            "east switch1 10.0.0.2 switch1"]
 *
 * so one entry is one host: the labs it belongs to, its element name (here
 * also its id), its address and the resources it needs. Replace create()
 * with a read of your own source; keep the answers' rules, which
 * otto-conformance checks: an unknown lab is OTTO_ENOTFOUND (never an empty
 * lab), and the summaries agree exactly with what load_lab() gives.
 */
#include "mybackend.h"

#include <stdlib.h>
#include <string.h>

typedef struct host_entry {
	words labs;
	words fields; /* ELEMENT IP [RESOURCE...] */
} host_entry;

typedef struct lab_repo {
	host_entry *hosts;
	size_t n_hosts;
	words lab_names; /* in the order they first appear */
} lab_repo;

static void repo_free(lab_repo *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_hosts; i++) {
		words_free(&r->hosts[i].labs);
		words_free(&r->hosts[i].fields);
	}
	free(r->hosts);
	words_free(&r->lab_names);
	free(r);
}

/* Declared as data (ABI 1.2), so that `otto plugins inspect` can show them
 * and otto_config_check_decl() can check them. */
static const otto_setting_decl lab_settings[] = {
	{"hosts", OTTO_VALUE_ARRAY, OTTO_SETTING_REQUIRED, "one \"LAB[,LAB...] ELEMENT IP [RESOURCE...]\" per host"},
	{NULL, 0, 0, NULL},
};

/* Parse one entry of `hosts`. Messages name the file, line and entry. */
static int parse_host(lab_repo *r, const otto_config *config, const otto_setting *s, size_t i, otto_error *err)
{
	char where[512];
	otto_setting_where(s, where, sizeof where);
	/* Zeroed by calloc, and freed with the repository if this fails. */
	host_entry *h = &r->hosts[r->n_hosts++];
	words all;
	int rc = OTTO_OK;
	if (words_split(&all, s->items[i], " \t") != 0)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	if (all.count > 0 && words_split(&h->labs, all.items[0], ",") != 0) {
		rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
		goto done;
	}
	if (all.count < 3 || h->labs.count == 0) {
		rc = otto_error_set(err, OTTO_EINVALID,
				    "%s: [%s] hosts[%zu]: '%s' is not \"LAB[,LAB...] ELEMENT IP [RESOURCE...]\"", where,
				    config->section, i + 1, s->items[i]);
		goto done;
	}
	for (size_t k = 1; k < all.count; k++) {
		if (words_add(&h->fields, all.items[k]) != 0) {
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
			goto done;
		}
	}
	for (size_t k = 0; k < h->labs.count; k++) {
		const char *lab = h->labs.items[k];
		for (size_t j = 0; j + 1 < r->n_hosts; j++) {
			if (strcmp(r->hosts[j].fields.items[0], h->fields.items[0]) == 0 &&
			    words_contain(&r->hosts[j].labs, lab)) {
				rc = otto_error_set(err, OTTO_EINVALID, "%s: [%s] hosts[%zu]: lab '%s' already has a host '%s'",
						    where, config->section, i + 1, lab, h->fields.items[0]);
				goto done;
			}
		}
		if (!words_contain(&r->lab_names, lab) && words_add(&r->lab_names, lab) != 0) {
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	words_free(&all);
	return rc;
}

static int lab_create(const otto_config *config, void **self, otto_error *err)
{
	int rc = otto_config_check_decl(config, lab_settings, err);
	if (rc != OTTO_OK)
		return rc;
	const otto_setting *hosts = otto_config_find(config, "hosts");
	lab_repo *r = calloc(1, sizeof *r);
	if (r)
		r->hosts = calloc(hosts->n_items + 1, sizeof *r->hosts);
	if (!r || !r->hosts) {
		repo_free(r);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < hosts->n_items && rc == OTTO_OK; i++)
		rc = parse_host(r, config, hosts, i, err);
	if (rc != OTTO_OK) {
		/* destroy() is never called after a failed create(). */
		repo_free(r);
		return rc;
	}
	*self = r;
	return OTTO_OK;
}

static void lab_destroy(void *self)
{
	repo_free(self);
}

static int lab_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	const lab_repo *r = self;
	for (size_t i = 0; i < r->lab_names.count; i++) {
		int rc = otto_string_out_add(out, r->lab_names.items[i], err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* A host as otto wants it. Every pointer is borrowed: otto copies. */
static otto_host host_of(const host_entry *h)
{
	otto_host host = OTTO_HOST_INIT; /* no key: otto computes the id */
	host.element = h->fields.items[0];
	host.ip = h->fields.items[1];
	host.resources = (const char *const *)h->fields.items + 2;
	host.n_resources = h->fields.count - 2;
	host.labs = (const char *const *)h->labs.items;
	host.n_labs = h->labs.count;
	return host;
}

static int lab_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			otto_error *err)
{
	const lab_repo *r = self;
	(void)preferences;
	if (!words_contain(&r->lab_names, name))
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	for (size_t i = 0; i < r->n_hosts; i++) {
		if (!words_contain(&r->hosts[i].labs, name))
			continue;
		otto_host host = host_of(&r->hosts[i]);
		int rc = otto_lab_out_add_host(out, &host, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* Optional: one summary per host across all labs (`otto lab hosts`). */
static int lab_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	const lab_repo *r = self;
	for (size_t i = 0; i < r->n_hosts; i++) {
		otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
		s.element = r->hosts[i].fields.items[0];
		s.ip = r->hosts[i].fields.items[1];
		s.labs = (const char *const *)r->hosts[i].labs.items;
		s.n_labs = r->hosts[i].labs.count;
		int rc = otto_summary_out_add(out, &s, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

const otto_lab_repository_type mybackend_lab_repository = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = MYBACKEND_NAME,
	.description = "labs and hosts from [lab." MYBACKEND_NAME "] hosts",
	.create = lab_create,
	.destroy = lab_destroy,
	.list_labs = lab_list_labs,
	.load_lab = lab_load_lab,
	.list_host_summaries = lab_summaries,
	.settings_keys = lab_settings,
};
