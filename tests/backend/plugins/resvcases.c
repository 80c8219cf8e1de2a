/*
 * Test plugin: reservation backends for the wrapper and check tests.
 *
 * "holdings": alice holds lab-a; bob holds carrot and shared; who_reserved
 * answers carrot: bob, shared: alice, bob (so alice misses shared while
 * being named a holder, as in the contract's example), lab-a: alice. The
 * setting `case` makes it misbehave (see the functions). "minimal": the
 * same without the optional capabilities.
 */
#include <otto/plugin.h>

#include <stdlib.h>
#include <string.h>

typedef struct state {
	char mode[32];
	int reserved_calls;
} state;

static bool is(const state *s, const char *mode)
{
	return strcmp(s->mode, mode) == 0;
}

static int create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"case", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc)
		return rc;
	state *s = calloc(1, sizeof *s);
	if (!s)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const otto_setting *c = otto_config_find(config, "case");
	snprintf(s->mode, sizeof s->mode, "%s", c ? c->string : "good");
	*self = s;
	return OTTO_OK;
}

static void destroy(void *self)
{
	free(self);
}

/* Cases shared by every operation; returns 1 when it answered. */
static int common(state *s, int *rc, otto_error *err)
{
	if (is(s, "forbidden"))
		abort(); /* the test asserts the backend is never asked */
	if (is(s, "fail")) {
		*rc = otto_error_set(err, OTTO_ERROR, "database down at db.example:5432");
		return 1;
	}
	if (is(s, "empty-message")) {
		*rc = OTTO_ERROR;
		return 1;
	}
	if (is(s, "unknown-status")) {
		*rc = 7;
		return 1;
	}
	return 0;
}

static const char *backend_name(void *self)
{
	state *s = self;
	return is(s, "null-name") ? NULL : "holdings";
}

static int add_all(otto_string_out *out, const char *const *items, size_t n, otto_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = otto_string_out_add(out, items[i], err);
		if (rc)
			return rc;
	}
	return OTTO_OK;
}

static int get_reserved_resources(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	state *s = self;
	int rc;
	if (common(s, &rc, err))
		return rc;
	if (is(s, "once") && s->reserved_calls++ > 0)
		return otto_error_set(err, OTTO_ERROR, "get_reserved_resources asked twice");
	if (is(s, "null-string")) {
		static const char *const items[] = {"x", NULL};
		return add_all(out, items, 2, err);
	}
	if (is(s, "dupes")) {
		static const char *const items[] = {"shared", "lab-a", "shared"};
		return add_all(out, items, 3, err);
	}
	if (strcmp(user, "alice") == 0)
		return otto_string_out_add(out, "lab-a", err);
	if (strcmp(user, "bob") == 0) {
		static const char *const items[] = {"carrot", "shared"};
		return add_all(out, items, 2, err);
	}
	return OTTO_OK;
}

static int who_reserved(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	state *s = self;
	int rc;
	if (common(s, &rc, err))
		return rc;
	if (is(s, "fail-who"))
		return otto_error_set(err, OTTO_ERROR, "timeout asking who holds '%s'", resource);
	if (is(s, "ignore")) {
		otto_string_out_add(out, NULL, err);
		return OTTO_OK;
	}
	if (is(s, "dupes")) {
		static const char *const items[] = {"bob", "alice", "bob"};
		return add_all(out, items, 3, err);
	}
	if (strcmp(resource, "carrot") == 0)
		return otto_string_out_add(out, "bob", err);
	if (strcmp(resource, "shared") == 0) {
		static const char *const items[] = {"alice", "bob"};
		return add_all(out, items, 2, err);
	}
	if (strcmp(resource, "lab-a") == 0)
		return otto_string_out_add(out, "alice", err);
	return OTTO_OK;
}

static int list_usernames(void *self, otto_string_out *out, otto_error *err)
{
	state *s = self;
	int rc;
	if (common(s, &rc, err))
		return rc;
	static const char *const items[] = {"bob", "alice"};
	return add_all(out, items, 2, err);
}

static int get_reservation_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	state *s = self;
	int rc;
	if (common(s, &rc, err))
		return rc;
	if (is(s, "null-window"))
		return otto_window_out_add(out, NULL, 0, 1, err);
	if (strcmp(user, "alice") != 0)
		return OTTO_OK;
	rc = otto_window_out_add(out, "lab-a", OTTO_TIME_EPOCH, OTTO_TIME_FAR_FUTURE, err);
	return rc ? rc : otto_window_out_add(out, "old", 100, 50, err);
}

static const otto_reservation_backend_type holdings_type = {
	sizeof(otto_reservation_backend_type), "holdings", "who holds what, for tests", create, destroy, backend_name,
	get_reserved_resources, who_reserved, list_usernames, get_reservation_windows, NULL, NULL, NULL, NULL};

static const otto_reservation_backend_type minimal_type = {
	sizeof(otto_reservation_backend_type), "minimal", "no optional capabilities", create, destroy, backend_name,
	get_reserved_resources, who_reserved, NULL, NULL, NULL, NULL, NULL, NULL};

static int register_backends(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_reservation_backend(reg, &holdings_type, err);
	return rc ? rc : otto_register_reservation_backend(reg, &minimal_type, err);
}

OTTO_PLUGIN_DEFINE("resvcases", "1.0.0", "reservation backends for the backend wrapper tests", register_backends);
