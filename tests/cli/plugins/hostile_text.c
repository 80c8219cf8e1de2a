/*
 * A test plugin whose every name and message holds control characters: ESC
 * sequences (clear the screen, colours, a window title), CR, LF (a second
 * line that claims "all reservations OK"), a C1 CSI (U+009B) and a
 * right-to-left override. What otto and otto-conformance print of it must
 * stay printable, one name on one line.
 *
 *   lab "hostile": labs "lab\e[31mred", "ok\notto: all reservations OK" and
 *     "plain", one host each; loading "broken" fails with a hostile message.
 *   reservation "hostile": alice holds one of the two resources every lab
 *     needs; the other is held by two hostile user names.
 *   reservation "hostile-fails": every question fails with a hostile message.
 */
#include <otto/plugin.h>

#include <string.h>

#define RES_HELD "held\r\nres"
#define RES_MISSING "miss\notto: all reservations OK"

static int h_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	*self = NULL;
	return OTTO_OK;
}

static void h_destroy(void *self)
{
	(void)self;
}

static int h_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	static const char *const labs[] = {"lab\x1b[31mred", "ok\notto: all reservations OK", "plain"};
	int rc = OTTO_OK;
	for (size_t i = 0; i < 3 && rc == OTTO_OK; i++)
		rc = otto_string_out_add(out, labs[i], err);
	return rc;
}

static int h_load_lab(void *self, const char *name, const otto_config *prefs, otto_lab_out *out, otto_error *err)
{
	(void)self;
	(void)prefs;
	if (strcmp(name, "broken") == 0)
		return otto_error_set(err, OTTO_ERROR, "cannot load \x1b[2J\x1b[Hlab 'broken'\notto: all reservations OK");
	if (strcmp(name, "lab\x1b[31mred") != 0 && strcmp(name, "ok\notto: all reservations OK") != 0 &&
	    strcmp(name, "plain") != 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab '%s'", name);
	const char *resources[] = {RES_HELD, RES_MISSING};
	const char *labs[] = {name};
	otto_host h = OTTO_HOST_INIT;
	h.ip = "10.0.0.1\r";
	h.element = "el\x1b]0;pwned\x07 \xe2\x80\xaegnp";
	h.resources = resources;
	h.n_resources = 2;
	h.labs = labs;
	h.n_labs = 1;
	h.extra_json = "{\"note\": \"\\u001b[2J\", \"csi\": \"\xc2\x9b" "2J\"}";
	int rc = otto_lab_out_add_host(out, &h, err);
	return rc ? rc : otto_lab_out_add_resource(out, "room\x1b[8m", err);
}

static const otto_lab_repository_type hostile_lab = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = "hostile",
	.description = "labs named with control characters\x1b[2J",
	.create = h_create,
	.destroy = h_destroy,
	.list_labs = h_list_labs,
	.load_lab = h_load_lab,
};

static const char *h_name(void *self)
{
	(void)self;
	return "hostile\x1b[0m";
}

static int h_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	(void)self;
	return strcmp(user, "alice") == 0 ? otto_string_out_add(out, RES_HELD, err) : OTTO_OK;
}

static int h_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	(void)self;
	if (strcmp(resource, RES_HELD) == 0)
		return otto_string_out_add(out, "alice", err);
	if (strcmp(resource, RES_MISSING) != 0)
		return OTTO_OK;
	int rc = otto_string_out_add(out, "bob\x1b[8m", err);
	return rc ? rc : otto_string_out_add(out, "carol\rOK", err);
}

static const otto_reservation_backend_type hostile_res = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "hostile",
	.description = "holders named with control characters",
	.create = h_create,
	.destroy = h_destroy,
	.backend_name = h_name,
	.get_reserved_resources = h_reserved,
	.who_reserved = h_who,
};

static int fails(void *self, const char *what, otto_string_out *out, otto_error *err)
{
	(void)self;
	(void)what;
	(void)out;
	return otto_error_set(err, OTTO_ERROR, "cannot reach the service\r\notto: all reservations OK\x1b[2K");
}

static const otto_reservation_backend_type hostile_fails = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "hostile-fails",
	.description = "fails with control characters",
	.create = h_create,
	.destroy = h_destroy,
	.backend_name = h_name,
	.get_reserved_resources = fails,
	.who_reserved = fails,
};

static int register_hostile(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &hostile_lab, err);
	if (!rc)
		rc = otto_register_reservation_backend(reg, &hostile_res, err);
	return rc ? rc : otto_register_reservation_backend(reg, &hostile_fails, err);
}

OTTO_PLUGIN_DEFINE("hostile\x1b[2J", "1.0\r\nfake", "names with control characters\n", register_hostile);
