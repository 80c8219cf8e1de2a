/*
 * A test plugin for the otto command:
 *   lab "fixture": no summaries capability (otto lab hosts falls back to
 *     list_labs + load_lab), a host with every field (element_id, board,
 *     slot, docker, two creds, extra record fields) in labs alpha and beta.
 *   reservation "failing": created fine, every question fails.
 *   reservation "nocreate": create() fails.
 */
#include <otto/plugin.h>

static int fixture_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	*self = NULL;
	return OTTO_OK;
}

static void fixture_destroy(void *self)
{
	(void)self;
}

static int fixture_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	int rc = otto_string_out_add(out, "beta", err);
	return rc ? rc : otto_string_out_add(out, "alpha", err);
}

static int fixture_load_lab(void *self, const char *name, const otto_config *prefs, otto_lab_out *out,
			    otto_error *err)
{
	static const char *const both[] = {"alpha", "beta"};
	static const char *const beta[] = {"beta"};
	static const char *const switch_resources[] = {"sw-a"};
	static const char *const probe_resources[] = {"probe"};
	static const otto_cred creds[] = {{"root", "s3cret"}, {"guest", NULL}};
	(void)self;
	(void)prefs;
	int is_alpha = strcmp(name, "alpha") == 0, is_beta = strcmp(name, "beta") == 0;
	if (!is_alpha && !is_beta)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s' in the fixture", name);
	otto_host sw = OTTO_HOST_INIT;
	sw.ip = "10.1.0.1";
	sw.element = "Big Switch";
	sw.element_id = 3;
	sw.board = "Line Card";
	sw.slot = 2;
	sw.os_type = "junos";
	sw.resources = switch_resources;
	sw.n_resources = 1;
	sw.labs = both;
	sw.n_labs = 2;
	sw.docker_capable = true;
	sw.creds = creds;
	sw.n_creds = 2;
	sw.extra_json = "{\"interfaces\":{\"eth0\":{\"mac\":\"aa:bb\"}},\"is_virtual\":true,\"ip\":\"shadowed\"}";
	int rc = otto_lab_out_add_host(out, &sw, err);
	if (rc || !is_beta)
		return rc ? rc : otto_lab_out_add_resource(out, "alpha-room", err);
	otto_host probe = OTTO_HOST_INIT;
	probe.element = "probe";
	probe.resources = probe_resources;
	probe.n_resources = 1;
	probe.labs = beta;
	probe.n_labs = 1;
	return otto_lab_out_add_host(out, &probe, err);
}

static const otto_lab_repository_type fixture_lab = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = "fixture",
	.description = "test labs alpha and beta, without summaries",
	.create = fixture_create,
	.destroy = fixture_destroy,
	.list_labs = fixture_list_labs,
	.load_lab = fixture_load_lab,
};

static const char *failing_name(void *self)
{
	(void)self;
	return "failing";
}

static int failing_query(void *self, const char *what, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)out;
	return otto_error_set(err, OTTO_ERROR, "cannot reach the booking service at http://booking.invalid (asked "
					       "about '%s')", what);
}

static const otto_reservation_backend_type failing = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "failing",
	.description = "every question fails",
	.create = fixture_create,
	.destroy = fixture_destroy,
	.backend_name = failing_name,
	.get_reserved_resources = failing_query,
	.who_reserved = failing_query,
};

/* "bare": holds nothing, and has neither windows nor usernames. */
static int bare_query(void *self, const char *what, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)what;
	(void)out;
	(void)err;
	return OTTO_OK;
}

static const char *bare_name(void *self)
{
	(void)self;
	return "bare";
}

static const otto_reservation_backend_type bare = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "bare",
	.description = "holds nothing; no windows, no usernames",
	.create = fixture_create,
	.destroy = fixture_destroy,
	.backend_name = bare_name,
	.get_reserved_resources = bare_query,
	.who_reserved = bare_query,
};

static int nocreate_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)self;
	return otto_error_set(err, OTTO_ERROR, "cannot connect to the booking database at db.invalid:5432");
}

static const otto_reservation_backend_type nocreate = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "nocreate",
	.description = "create() fails",
	.create = nocreate_create,
	.destroy = fixture_destroy,
	.backend_name = failing_name,
	.get_reserved_resources = failing_query,
	.who_reserved = failing_query,
};

static int register_fixture(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &fixture_lab, err);
	if (!rc)
		rc = otto_register_reservation_backend(reg, &failing, err);
	if (!rc)
		rc = otto_register_reservation_backend(reg, &bare, err);
	return rc ? rc : otto_register_reservation_backend(reg, &nocreate, err);
}

OTTO_PLUGIN_DEFINE("cli-fixture", "0.0.1", "test fixtures for the otto command", register_fixture);
