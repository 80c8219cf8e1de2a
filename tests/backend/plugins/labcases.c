/*
 * Test plugin: lab backends that misbehave on purpose.
 *
 * "cases": load_lab(name) acts out the case the lab name says (see
 * load_case); list_labs lists the two well-behaved labs east and west; no
 * host summaries. Settings: `fail` (create fails: "invalid", "error",
 * "empty", "status"), `trace` (a file create/destroy append their name to).
 * "summaries": the same labs plus list_host_summaries acting out the
 * setting `case`.
 */
#include <otto/plugin.h>

#include <stdlib.h>
#include <string.h>

typedef struct state {
	char *trace;
	char *summary_case;
} state;

static void trace(const state *s, const char *what)
{
	if (!s || !s->trace)
		return;
	FILE *f = fopen(s->trace, "a");
	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static int create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"fail", "trace", "case", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc)
		return rc;
	const otto_setting *fail = otto_config_find(config, "fail");
	if (fail) {
		if (strcmp(fail->string, "invalid") == 0)
			return otto_error_set(err, OTTO_EINVALID, "setting 'fail' says invalid");
		if (strcmp(fail->string, "error") == 0)
			return otto_error_set(err, OTTO_ERROR, "cannot reach the lab database");
		if (strcmp(fail->string, "empty") == 0)
			return OTTO_ERROR;
		return 42;
	}
	state *s = calloc(1, sizeof *s);
	if (!s)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const otto_setting *t = otto_config_find(config, "trace");
	const otto_setting *c = otto_config_find(config, "case");
	s->trace = t ? dup_string(t->string) : NULL;
	s->summary_case = dup_string(c ? c->string : "good");
	trace(s, "create");
	*self = s;
	return OTTO_OK;
}

static void destroy(void *self)
{
	state *s = self;
	trace(s, "destroy");
	free(s->trace);
	free(s->summary_case);
	free(s);
}

static int list_labs(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	int rc = otto_string_out_add(out, "west", err);
	if (!rc)
		rc = otto_string_out_add(out, "east", err);
	return rc;
}

/* A host with only an element and its resources. */
static int add_simple(otto_lab_out *out, const char *element, const char *ip, const char *const *resources,
		      size_t n, otto_error *err)
{
	otto_host h = OTTO_HOST_INIT;
	h.element = element;
	h.ip = ip;
	h.resources = resources;
	h.n_resources = n;
	return otto_lab_out_add_host(out, &h, err);
}

static int load_region(const char *name, otto_lab_out *out, otto_error *err)
{
	static const otto_cred admin[] = {{"admin", "admin"}};
	static const char *const shared_res[] = {"zeta", "alpha", "alpha"};
	const bool east = strcmp(name, "east") == 0;
	const char *const res[] = {east ? "router1" : "router2"};
	otto_host h = OTTO_HOST_INIT;
	h.element = east ? "router1" : "router2";
	h.ip = east ? "10.0.0.1" : "10.0.1.1";
	h.resources = res;
	h.n_resources = 1;
	h.creds = admin;
	h.n_creds = 1;
	int rc = otto_lab_out_add_host(out, &h, err);
	if (rc)
		return rc;
	/* The same host in both labs (summaries name it once, with both). */
	otto_host s = OTTO_HOST_INIT;
	s.element = "Shared Host";
	s.element_id = 2;
	s.ip = "10.0.9.9";
	s.docker_capable = true;
	s.resources = shared_res;
	s.n_resources = 3;
	return otto_lab_out_add_host(out, &s, err);
}

/* Labs "link*": hosts a and b, then the link(s) the name says (ABI 1.1). */
static int load_link_case(const char *name, otto_lab_out *out, otto_error *err)
{
	static const otto_link_endpoint ab[] = {{"a", "eth0"}, {"b", NULL}};
	int rc = add_simple(out, "a", "10.3.0.1", NULL, 0, err);
	if (!rc)
		rc = add_simple(out, "b", "10.3.0.2", NULL, 0, err);
	if (rc)
		return rc;
	otto_link link = OTTO_LINK_INIT;
	link.endpoints = ab;
	link.n_endpoints = 2;
	if (strcmp(name, "links") == 0) {
		static const otto_link_endpoint only_b[] = {{"b", "lo"}};
		link.protocol = "udp";
		link.extra_json = "{\"speed\":\"1G\"}";
		if ((rc = otto_lab_out_add_link(out, &link, err)))
			return rc;
		otto_link second = OTTO_LINK_INIT;
		second.endpoints = only_b;
		second.n_endpoints = 1;
		return otto_lab_out_add_link(out, &second, err);
	}
	if (strcmp(name, "link-null") == 0)
		return otto_lab_out_add_link(out, NULL, err);
	if (strcmp(name, "link-no-endpoints") == 0)
		link.n_endpoints = 0;
	else if (strcmp(name, "link-null-endpoints") == 0)
		link.endpoints = NULL;
	else if (strcmp(name, "link-null-host") == 0) {
		static const otto_link_endpoint ends[] = {{"a", NULL}, {NULL, "eth1"}};
		link.endpoints = ends;
	} else if (strcmp(name, "link-empty-host") == 0) {
		static const otto_link_endpoint ends[] = {{"", "eth1"}};
		link.endpoints = ends;
		link.n_endpoints = 1;
	} else if (strcmp(name, "link-tiny-struct") == 0) {
		link.struct_size = offsetof(otto_link, n_endpoints);
	} else if (strcmp(name, "link-old-struct") == 0) {
		/* A shorter struct: protocol and extra_json are not part of it
		 * (and hold garbage). */
		link.struct_size = offsetof(otto_link, protocol);
		link.protocol = (const char *)(uintptr_t)1;
		link.extra_json = (const char *)(uintptr_t)1;
	} else if (strcmp(name, "link-unknown-host") == 0) {
		static const otto_link_endpoint ends[] = {{"a", NULL}, {"ghost", NULL}};
		link.endpoints = ends;
	} else if (strcmp(name, "link-second-bad") == 0) {
		if ((rc = otto_lab_out_add_link(out, &link, err)))
			return rc;
		link.n_endpoints = 0;
	} else {
		return otto_error_set(err, OTTO_ENOTFOUND, "no link case '%s'", name);
	}
	return otto_lab_out_add_link(out, &link, err);
}

static int load_case(const char *name, otto_lab_out *out, otto_error *err)
{
	static const char *const one[] = {"a"};
	otto_host h = OTTO_HOST_INIT;
	h.element = "dut";
	h.ip = "10.1.1.1";
	if (strcmp(name, "east") == 0 || strcmp(name, "west") == 0)
		return load_region(name, out, err);
	if (strcmp(name, "tech1") == 0) {
		static const char *const r1[] = {"lab-a", "carrot", "lab-a"};
		static const char *const r2[] = {"tomato"};
		int rc = add_simple(out, "h2", "10.2.0.2", r2, 1, err);
		if (!rc)
			rc = add_simple(out, "h1", "10.2.0.1", r1, 3, err);
		if (!rc)
			rc = otto_lab_out_add_resource(out, "shared", err);
		if (!rc)
			rc = otto_lab_out_add_resource(out, "carrot", err);
		return rc;
	}
	if (strcmp(name, "sorted") == 0) {
		int rc = add_simple(out, "zulu", "1", one, 1, err);
		if (!rc)
			rc = add_simple(out, "alpha", "2", NULL, 0, err);
		if (!rc)
			rc = add_simple(out, "mike", "3", NULL, 0, err);
		return rc;
	}
	if (strcmp(name, "empty") == 0)
		return OTTO_OK;
	if (strcmp(name, "bare") == 0)
		return add_simple(out, "lonely", "", NULL, 0, err);
	if (strcmp(name, "full") == 0) {
		static const char *const labs[] = {"full", "other"};
		static const otto_cred creds[] = {{"root", NULL}, {"admin", "secret"}};
		h.element = "BB 1350";
		h.element_id = 0;
		h.board = "Qemu";
		h.slot = 4;
		h.labs = labs;
		h.n_labs = 2;
		h.creds = creds;
		h.n_creds = 2;
		h.extra_json = "{\"interfaces\":{\"eth0\":\"10.1.1.1\"}}";
		return otto_lab_out_add_host(out, &h, err);
	}
	if (strcmp(name, "key-not-id") == 0) {
		h.key = "custom";
		h.element = "Dut";
		h.element_id = 3;
		return otto_lab_out_add_host(out, &h, err);
	}
	if (strcmp(name, "old-struct") == 0) {
		/* An older plugin's shorter host struct: everything from
		 * docker_capable on is not part of it (and holds garbage). */
		h.struct_size = offsetof(otto_host, docker_capable);
		h.docker_capable = true;
		h.creds = (const otto_cred *)(uintptr_t)1;
		h.n_creds = 5;
		h.extra_json = (const char *)(uintptr_t)1;
		return otto_lab_out_add_host(out, &h, err);
	}
	if (strncmp(name, "link", 4) == 0)
		return load_link_case(name, out, err);
	if (strcmp(name, "null-host") == 0) {
		int rc = add_simple(out, "ok", "1", NULL, 0, err);
		return rc ? rc : otto_lab_out_add_host(out, NULL, err);
	}
	if (strcmp(name, "null-element") == 0)
		h.element = NULL;
	else if (strcmp(name, "empty-element") == 0)
		h.element = "!!";
	else if (strcmp(name, "empty-board") == 0)
		h.board = "--";
	else if (strcmp(name, "neg-element-id") == 0)
		h.element_id = -5;
	else if (strcmp(name, "neg-slot") == 0)
		h.slot = -2;
	else if (strcmp(name, "null-ip") == 0)
		h.ip = NULL;
	else if (strcmp(name, "empty-key") == 0)
		h.key = "";
	else if (strcmp(name, "null-resource") == 0) {
		static const char *const res[] = {"a", NULL};
		h.resources = res;
		h.n_resources = 2;
	} else if (strcmp(name, "null-resources-array") == 0) {
		h.n_resources = 2;
	} else if (strcmp(name, "null-lab") == 0) {
		static const char *const labs[] = {NULL};
		h.labs = labs;
		h.n_labs = 1;
	} else if (strcmp(name, "null-login") == 0) {
		static const otto_cred creds[] = {{"admin", "x"}, {NULL, "y"}};
		h.creds = creds;
		h.n_creds = 2;
	} else if (strcmp(name, "null-extra-resource") == 0) {
		return otto_lab_out_add_resource(out, NULL, err);
	} else if (strcmp(name, "dup-key") == 0) {
		int rc = add_simple(out, "a", "1", NULL, 0, err);
		if (!rc)
			rc = add_simple(out, "b", "2", NULL, 0, err);
		if (!rc)
			rc = add_simple(out, "A", "3", NULL, 0, err);
		return rc;
	} else if (strcmp(name, "dup-key-unordered") == 0) {
		/* Keys out of order take the host's hash-table path, not the
		 * in-order one. */
		int rc = add_simple(out, "b", "1", NULL, 0, err);
		if (!rc)
			rc = add_simple(out, "a", "2", NULL, 0, err);
		if (!rc)
			rc = add_simple(out, "b", "3", NULL, 0, err);
		return rc;
	} else if (strcmp(name, "ignore-error") == 0) {
		h.element = NULL;
		otto_lab_out_add_host(out, &h, err);
		h.element = "fine";
		otto_lab_out_add_host(out, &h, err);
		return OTTO_OK;
	} else if (strcmp(name, "wrapped-error") == 0) {
		h.element = NULL;
		int rc = otto_lab_out_add_host(out, &h, err);
		char cause[sizeof err->message];
		snprintf(cause, sizeof cause, "%s", err->message);
		return otto_error_set(err, rc, "lab.json:7: %s", cause);
	} else if (strcmp(name, "fail-after-hosts") == 0) {
		int rc = add_simple(out, "x", "1", one, 1, err);
		if (!rc)
			rc = add_simple(out, "y", "2", one, 1, err);
		if (!rc)
			rc = otto_lab_out_add_resource(out, "extra", err);
		return rc ? rc : otto_error_set(err, OTTO_ERROR, "lab.json: disk on fire");
	} else if (strcmp(name, "empty-message") == 0) {
		return OTTO_ERROR;
	} else if (strcmp(name, "unknown-status") == 0) {
		return 42;
	} else if (strcmp(name, "notfound-own") == 0) {
		return otto_error_set(err, OTTO_ENOTFOUND, "lab 'notfound-own' is not in /srv/lab.json");
	} else if (strcmp(name, "invalid-status") == 0) {
		return otto_error_set(err, OTTO_EINVALID, "preference 'speed' must be a number");
	} else {
		return OTTO_ENOTFOUND;
	}
	return otto_lab_out_add_host(out, &h, err);
}

static int load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out, otto_error *err)
{
	(void)self;
	(void)preferences;
	return load_case(name, out, err);
}

static int list_host_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	const state *s = self;
	static const char *const both[] = {"east", "west"};
	static const char *const null_lab[] = {NULL};
	otto_host_summary a = OTTO_HOST_SUMMARY_INIT;
	a.element = "router1";
	a.ip = "10.0.0.1";
	a.labs = both;
	a.n_labs = 1;
	otto_host_summary b = OTTO_HOST_SUMMARY_INIT;
	b.id = "given-id";
	b.element = "whatever";
	b.element_id = 7;
	b.ip = "";
	b.labs = both;
	b.n_labs = 2;
	b.docker_capable = true;
	const char *c = s->summary_case;
	if (strcmp(c, "null-ip") == 0)
		b.ip = NULL;
	else if (strcmp(c, "bad-element") == 0)
		a.element = "***";
	else if (strcmp(c, "empty-id") == 0)
		b.id = "";
	else if (strcmp(c, "null-lab") == 0)
		a.labs = null_lab;
	else if (strcmp(c, "null-summary") == 0)
		return otto_summary_out_add(out, NULL, err);
	else if (strcmp(c, "fail") == 0)
		return otto_error_set(err, OTTO_ERROR, "index file unreadable");
	else if (strcmp(c, "ignore") == 0) {
		a.element = NULL;
		otto_summary_out_add(out, &a, err);
		return OTTO_OK;
	}
	int rc = otto_summary_out_add(out, &a, err);
	return rc ? rc : otto_summary_out_add(out, &b, err);
}

static const otto_lab_repository_type cases_type = {
	sizeof(otto_lab_repository_type), "cases", "misbehaving on purpose", create, destroy, list_labs, load_lab,
	NULL, NULL};

static const otto_lab_repository_type summaries_type = {
	sizeof(otto_lab_repository_type), "summaries", "cases with host summaries", create, destroy, list_labs,
	load_lab, list_host_summaries, NULL};

static int register_backends(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &cases_type, err);
	return rc ? rc : otto_register_lab_repository(reg, &summaries_type, err);
}

OTTO_PLUGIN_DEFINE("labcases", "1.0.0", "lab backends for the backend wrapper tests", register_backends);
