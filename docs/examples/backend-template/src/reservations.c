/*
 * The reservation backend: who holds what comes from the `holds` setting,
 *
 *   [reservations.mybackend]
 *   holds = ["alice router1 shared",    # USER RESOURCE...
 *            "bob shared"]
 *
 * Replace create() with a read of your own source; keep the answers' rules,
 * which otto-conformance checks: a user nobody has heard of holds nothing
 * (never an error), holders come in a stable order without duplicates, and
 * the windows agree with the resources held now.
 */
#include "mybackend.h"

#include <stdlib.h>
#include <string.h>

typedef struct holder {
	char *user;
	words resources;
} holder;

typedef struct holdings {
	holder *holders;
	size_t count;
} holdings;

static void holdings_free(holdings *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->count; i++) {
		free(h->holders[i].user);
		words_free(&h->holders[i].resources);
	}
	free(h->holders);
	free(h);
}

static const otto_setting_decl res_settings[] = {
	{"holds", OTTO_VALUE_ARRAY, 0, "one \"USER RESOURCE...\" per user (default: nobody holds anything)"},
	{NULL, 0, 0, NULL},
};

static holder *find_holder(const holdings *h, const char *user)
{
	for (size_t i = 0; i < h->count; i++)
		if (strcmp(h->holders[i].user, user) == 0)
			return &h->holders[i];
	return NULL;
}

/* One entry of `holds`; a user named twice holds the union. */
static int parse_holds(holdings *h, const otto_config *config, const otto_setting *s, size_t i, otto_error *err)
{
	words all;
	int rc = OTTO_OK;
	if (words_split(&all, s->items[i], " \t") != 0)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	if (all.count < 2) {
		char where[512];
		otto_setting_where(s, where, sizeof where);
		rc = otto_error_set(err, OTTO_EINVALID, "%s: [%s] holds[%zu]: '%s' is not \"USER RESOURCE...\"", where,
				    config->section, i + 1, s->items[i]);
		goto done;
	}
	holder *who = find_holder(h, all.items[0]);
	if (!who) {
		who = &h->holders[h->count];
		if (!(who->user = strdup(all.items[0]))) {
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
			goto done;
		}
		h->count++;
	}
	for (size_t k = 1; k < all.count; k++) {
		if (!words_contain(&who->resources, all.items[k]) && words_add(&who->resources, all.items[k]) != 0) {
			rc = otto_error_set(err, OTTO_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	words_free(&all);
	return rc;
}

static int res_create(const otto_config *config, void **self, otto_error *err)
{
	int rc = otto_config_check_decl(config, res_settings, err);
	if (rc != OTTO_OK)
		return rc;
	const otto_setting *holds = otto_config_find(config, "holds");
	size_t n = holds ? holds->n_items : 0;
	holdings *h = calloc(1, sizeof *h);
	if (h)
		h->holders = calloc(n + 1, sizeof *h->holders);
	if (!h || !h->holders) {
		holdings_free(h);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n && rc == OTTO_OK; i++)
		rc = parse_holds(h, config, holds, i, err);
	if (rc != OTTO_OK) {
		holdings_free(h);
		return rc;
	}
	*self = h;
	return OTTO_OK;
}

static void res_destroy(void *self)
{
	holdings_free(self);
}

static const char *res_backend_name(void *self)
{
	(void)self;
	return MYBACKEND_NAME;
}

static int res_reserved_resources(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	const holder *who = find_holder(self, user);
	for (size_t i = 0; who && i < who->resources.count; i++) {
		int rc = otto_string_out_add(out, who->resources.items[i], err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

static int res_who_reserved(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	const holdings *h = self;
	for (size_t i = 0; i < h->count; i++) {
		if (!words_contain(&h->holders[i].resources, resource))
			continue;
		int rc = otto_string_out_add(out, h->holders[i].user, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* Optional: every user the backend knows (shell completion, conformance). */
static int res_list_usernames(void *self, otto_string_out *out, otto_error *err)
{
	const holdings *h = self;
	for (size_t i = 0; i < h->count; i++) {
		int rc = otto_string_out_add(out, h->holders[i].user, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* Optional: when each hold starts and ends. These holds have no known start
 * and no end. */
static int res_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	const holder *who = find_holder(self, user);
	for (size_t i = 0; who && i < who->resources.count; i++) {
		int rc = otto_window_out_add(out, who->resources.items[i], OTTO_TIME_EPOCH, OTTO_TIME_FAR_FUTURE, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

const otto_reservation_backend_type mybackend_reservation_backend = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = MYBACKEND_NAME,
	.description = "who holds what, from [reservations." MYBACKEND_NAME "] holds",
	.create = res_create,
	.destroy = res_destroy,
	.backend_name = res_backend_name,
	.get_reserved_resources = res_reserved_resources,
	.who_reserved = res_who_reserved,
	.list_usernames = res_list_usernames,
	.get_reservation_windows = res_windows,
	.settings_keys = res_settings,
};
