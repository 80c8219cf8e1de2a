/*
 * The `example` reservation backend: who holds what, held in memory.
 *
 * With no configuration it serves the demo set (contracts.md section 6):
 * alice holds lab-a and shared, bob holds lab-b and shared. Its own data
 * comes from settings:
 *
 *   [reservations]
 *   backend = "example"
 *
 *   [reservations.example]
 *   # "USER: [RESOURCE...]": what each user holds (a user may hold nothing)
 *   holds = ["alice: lab-a shared", "bob: lab-b shared"]
 *
 *   # who may cancel others' reservations (otto reservation cancel --force)
 *   admins = ["root"]
 *
 * A user written twice holds the union. Holders are answered in the order
 * users are first written, so who_reserved is deterministic. It can also
 * write (reserve, cancel: reservation_writes.c), in memory only: what one
 * otto command reserves is gone when that command ends.
 */
#include "reservations.h"

#include <stdlib.h>

#define HOLD_FORM "USER: [RESOURCE...]"

static const char *const demo_holds[] = {"alice: lab-a shared", "bob: lab-b shared"};

static void reservations_free(example_reservations *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_users; i++) {
		free(r->users[i].name);
		example_strv_free(&r->users[i].resources);
	}
	free(r->users);
	example_writes_free(r);
	free(r);
}

example_user *example_find_user(const example_reservations *r, const char *name)
{
	for (size_t i = 0; i < r->n_users; i++)
		if (strcmp(r->users[i].name, name) == 0)
			return &r->users[i];
	return NULL;
}

static int add_hold_entry(example_reservations *r, const otto_config *cfg, const otto_setting *holds, size_t index,
			  otto_error *err)
{
	example_entry entry;
	char where[800];
	int rc = example_entry_parse(cfg, holds, index, HOLD_FORM, &entry, err);
	if (rc != OTTO_OK)
		return rc;
	if (strpbrk(entry.head, " \t")) {
		example_entry_where(cfg, holds, index, where, sizeof where);
		rc = otto_error_set(err, OTTO_EINVALID, "%s: user name '%s' contains a space; expected \"%s\"", where,
				    entry.head, HOLD_FORM);
		goto out;
	}
	example_user *user = example_find_user(r, entry.head);
	if (!user) {
		user = &r->users[r->n_users++];
		user->name = entry.head;
		entry.head = NULL; /* now owned by the user */
	}
	for (size_t i = 0; rc == OTTO_OK && i < entry.words.count; i++)
		rc = example_strv_push_unique(&user->resources, entry.words.items[i]);
	if (rc != OTTO_OK)
		otto_error_set(err, rc, "out of memory");
out:
	example_entry_free(&entry);
	return rc;
}

static int res_create(const otto_config *config, void **self, otto_error *err)
{
	/* url and repo_root are accepted (every backend is handed them) and
	 * ignored: the data is all in memory. */
	static const char *const known[] = {"holds", "admins", "url", "repo_root", NULL};
	const otto_setting demo = {.key = "holds", .type = OTTO_VALUE_ARRAY, .items = demo_holds,
				   .n_items = sizeof demo_holds / sizeof demo_holds[0], .file = "(built-in demo data)"};
	const otto_setting *holds;
	example_reservations *r;
	int rc = otto_config_check_keys(config, known, err);
	if (rc != OTTO_OK)
		return rc;
	holds = otto_config_find(config, "holds");
	if (!holds)
		holds = &demo;
	rc = example_expect_array(config, holds, "\"alice: lab-a shared\"", err);
	if (rc != OTTO_OK)
		return rc;

	r = calloc(1, sizeof *r);
	if (!r || !(r->users = calloc(holds->n_items ? holds->n_items : 1, sizeof *r->users))) {
		free(r);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == OTTO_OK && i < holds->n_items; i++)
		rc = add_hold_entry(r, config, holds, i, err);
	if (rc == OTTO_OK)
		rc = example_writes_configure(r, config, err);
	if (rc != OTTO_OK) {
		reservations_free(r); /* create() failed: the host will not call destroy() */
		return rc;
	}
	*self = r;
	return OTTO_OK;
}

static void res_destroy(void *self)
{
	reservations_free(self);
}

static const char *res_backend_name(void *self)
{
	(void)self;
	return "example"; /* static storage: valid for as long as the plugin is loaded */
}

static int res_get_reserved_resources(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	const example_user *u = example_find_user(self, user);
	for (size_t i = 0; u && i < u->resources.count; i++) {
		int rc = otto_string_out_add(out, u->resources.items[i], err);
		if (rc != OTTO_OK)
			return rc;
	}
	return example_writes_reserved(self, user, out, err);
}

static int res_who_reserved(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	const example_reservations *r = self;
	for (size_t i = 0; i < r->n_users; i++) {
		if (example_strv_index(&r->users[i].resources, resource) < 0)
			continue;
		int rc = otto_string_out_add(out, r->users[i].name, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return example_writes_who(r, resource, out, err);
}

static int res_list_usernames(void *self, otto_string_out *out, otto_error *err)
{
	const example_reservations *r = self;
	for (size_t i = 0; i < r->n_users; i++) {
		int rc = otto_string_out_add(out, r->users[i].name, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return example_writes_users(r, out, err);
}

/* In-memory holds have no schedule: every one is open from the epoch to the
 * far future, so the resources covered now equal get_reserved_resources. */
static int res_get_reservation_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	const example_user *u = example_find_user(self, user);
	for (size_t i = 0; u && i < u->resources.count; i++) {
		int rc = otto_window_out_add(out, u->resources.items[i], OTTO_TIME_EPOCH, OTTO_TIME_FAR_FUTURE, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return example_writes_windows(self, user, out, err);
}

const otto_reservation_backend_type example_reservation_backend = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "example",
	.description = "in-memory sample reservations (alice, bob), or the holds given in [reservations.example]",
	.create = res_create,
	.destroy = res_destroy,
	.backend_name = res_backend_name,
	.get_reserved_resources = res_get_reserved_resources,
	.who_reserved = res_who_reserved,
	.list_usernames = res_list_usernames,
	.get_reservation_windows = res_get_reservation_windows,
	.reserve = example_reserve,
	.cancel = example_cancel,
};
