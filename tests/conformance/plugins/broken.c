/*
 * The broken-plugin corpus: one well-behaved pair of backends (the example
 * data: labs east/west; alice holds lab-a and shared, bob lab-b and shared)
 * with exactly one defect switched on per build (BREAK_<rule>), so that
 * otto-conformance must report exactly that rule. Each defect is the
 * smallest change that breaks its rule and nothing else.
 */
#include <otto/plugin.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef BREAK_C1
/* Defined nowhere: loading with every symbol bound must fail. */
extern int otto_broken_missing_function(void);
#endif

static int calls; /* for defects that change behaviour from call to call */

/* ----------------------------------------------------------------- lab -- */

static int lab_create(const otto_config *cfg, void **self, otto_error *err)
{
	(void)cfg;
#ifdef BREAK_L1
	return otto_error_set(err, OTTO_EINVALID, "broken: this backend refuses every configuration");
#endif
	(void)err;
	*self = &calls;
	return OTTO_OK;
}

__attribute__((unused)) static void lab_destroy(void *self)
{
	(void)self;
}

__attribute__((unused)) static int lab_list(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
#ifdef BREAK_CRASH_LIST_LABS
	raise(SIGSEGV);
#endif
#ifdef BREAK_C7
	printf("debug: listing labs\n");
#endif
#ifdef BREAK_L4
	return otto_error_set(err, OTTO_ERROR, "broken: the lab index cannot be read");
#endif
#ifdef BREAK_E1
	/* Ignores the host's errors: a refused add becomes a partial answer. */
	otto_string_out_add(out, "east", err);
	otto_string_out_add(out, "west", err);
	return OTTO_OK;
#endif
	int rc = otto_string_out_add(out, "east", err);
	if (rc)
		return rc;
#ifndef BREAK_L13
	if ((rc = otto_string_out_add(out, "west", err)))
		return rc;
#endif
#ifdef BREAK_L5
	if ((rc = otto_string_out_add(out, "east", err)))
		return rc;
#endif
#ifdef BREAK_L6
	if ((rc = otto_string_out_add(out, "ghost", err)))
		return rc;
#endif
#ifdef BREAK_C6
	if ((rc = otto_string_out_add(out, NULL, err)))
		return rc;
#endif
	return OTTO_OK;
}

__attribute__((unused)) static int lab_load(void *self, const char *name, const otto_config *prefs, otto_lab_out *out, otto_error *err)
{
	(void)self;
	(void)prefs;
	static const char *const east_res[] = {"router1"};
	static const char *const west_res[] = {"router2"};
	static const char *const east_labs[] = {"east"};
	static const char *const west_labs[] = {"west"};
	static const otto_cred creds[] = {{"admin", "admin"}};
	otto_host h = OTTO_HOST_INIT;
	h.creds = creds;
	h.n_creds = 1;
	if (strcmp(name, "east") == 0) {
		h.ip = "10.0.0.1";
		h.element = "router1";
		h.resources = east_res;
		h.n_resources = 1;
		h.labs = east_labs;
		h.n_labs = 1;
	} else if (strcmp(name, "west") == 0) {
		h.ip = "10.0.1.1";
		h.element = "router2";
		h.resources = west_res;
		h.n_resources = 1;
		h.labs = west_labs;
		h.n_labs = 1;
	} else {
#ifdef BREAK_L12
		return otto_error_set(err, OTTO_ERROR, "broken: something went wrong");
#elif defined(BREAK_C5)
		return OTTO_ENOTFOUND; /* without a message */
#else
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
#endif
	}
	calls++;
#ifdef BREAK_L10
	if (calls > 2)
		return otto_error_set(err, OTTO_ERROR, "broken: the second load fails");
#endif
#ifdef BREAK_L9
	if (strcmp(name, "east") == 0)
		h.key = "router-one";
#endif
#ifdef BREAK_L8
	h.os_type = "";
#endif
	int rc = otto_lab_out_add_host(out, &h, err);
	if (rc)
		return rc;
	if (strcmp(name, "east") == 0) {
		/* A link whose one endpoint is the lab's host (L15 checks it). */
#ifdef BREAK_L15
		static const otto_link_endpoint ends[] = {{"router9", "eth0"}};
#else
		static const otto_link_endpoint ends[] = {{"router1", "eth0"}};
#endif
		otto_link link = OTTO_LINK_INIT;
		link.endpoints = ends;
		link.n_endpoints = 1;
		if ((rc = otto_lab_out_add_link(out, &link, err)))
			return rc;
	}
#ifdef BREAK_L11
	/* Not idempotent: every load adds one more lab-level resource. */
	char extra[32];
	snprintf(extra, sizeof extra, "extra%d", calls);
	if ((rc = otto_lab_out_add_resource(out, extra, err)))
		return rc;
#endif
	return OTTO_OK;
}

__attribute__((unused)) static int lab_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	(void)self;
#ifdef BREAK_S1
	return otto_error_set(err, OTTO_ERROR, "broken: the summary index cannot be read");
#endif
	static const char *const east[] = {"east"};
	static const char *const west[] = {"west"};
	static const char *const both[] = {"east", "west"};
	otto_host_summary a = OTTO_HOST_SUMMARY_INIT, b = OTTO_HOST_SUMMARY_INIT;
	a.labs = east;
	a.n_labs = 1;
	a.ip = "10.0.0.1";
	a.element = "router1";
	b.labs = west;
	b.n_labs = 1;
	b.ip = "10.0.1.1";
	b.element = "router2";
#ifdef BREAK_S2
	b.id = "router2";
	b.element = "";
#endif
#ifdef BREAK_S4
	b.n_labs = 0;
#endif
#ifdef BREAK_S5
	b.id = "";
#endif
#ifdef BREAK_S9
	b.ip = "10.9.9.9";
#endif
#ifdef BREAK_S10
	b.id = "router2";
	b.element = "router-two";
#endif
#ifdef BREAK_S11
	b.id = "router2";
	b.element_id = 7;
#endif
#ifdef BREAK_S12
	b.docker_capable = true;
#endif
#ifdef BREAK_S13
	b.labs = both;
	b.n_labs = 2;
#endif
	(void)both;
	(void)b;
	int rc = otto_summary_out_add(out, &a, err);
	if (rc)
		return rc;
#ifndef BREAK_S8
	if ((rc = otto_summary_out_add(out, &b, err)))
		return rc;
#endif
#ifdef BREAK_S6
	if ((rc = otto_summary_out_add(out, &b, err)))
		return rc;
#endif
#ifdef BREAK_S7
	otto_host_summary g = OTTO_HOST_SUMMARY_INIT;
	g.labs = east;
	g.n_labs = 1;
	g.element = "phantom";
	if ((rc = otto_summary_out_add(out, &g, err)))
		return rc;
#endif
	return OTTO_OK;
}

static const otto_lab_repository_type lab_type = {
	sizeof(otto_lab_repository_type),
	"broken",
	"a deliberately broken lab repository",
	lab_create,
#ifdef BREAK_C4
	NULL,
#else
	lab_destroy,
#endif
#ifdef BREAK_L2
	NULL,
#else
	lab_list,
#endif
#ifdef BREAK_L3
	NULL,
#else
	lab_load,
#endif
#if defined(BREAK_L13)
	NULL,
#else
	lab_summaries,
#endif
	NULL,
};

/* ---------------------------------------------------------- reservations -- */

static int res_create(const otto_config *cfg, void **self, otto_error *err)
{
	(void)cfg;
#ifdef BREAK_R1
	return otto_error_set(err, OTTO_ERROR, "broken: the booking service is unreachable");
#endif
	(void)err;
	*self = &calls;
	return OTTO_OK;
}

static void res_destroy(void *self)
{
	(void)self;
}

__attribute__((unused)) static const char *res_name(void *self)
{
	(void)self;
#ifdef BREAK_R5
	return "";
#endif
#ifdef BREAK_R6
	static int n;
	return n++ % 2 ? "broken-b" : "broken-a";
#endif
	return "broken";
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

__attribute__((unused)) static int res_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	(void)self;
#ifdef BREAK_R8
	static const char *const alice[] = {"lab-a", "shared", "shared"};
#else
	static const char *const alice[] = {"lab-a", "shared"};
#endif
	static const char *const bob[] = {"lab-b", "shared"};
	if (strcmp(user, "alice") == 0)
		return add_all(out, alice, sizeof alice / sizeof alice[0], err);
	if (strcmp(user, "bob") == 0)
		return add_all(out, bob, 2, err);
#ifdef BREAK_R7
	return otto_error_set(err, OTTO_ERROR, "broken: unknown user '%s'", user);
#endif
	return OTTO_OK;
}

__attribute__((unused)) static int res_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	(void)self;
#ifdef BREAK_HANG_WHO_RESERVED
	if (strstr(resource, "probe"))
		for (;;)
			pause();
#endif
	static const char *const a[] = {"alice"};
	static const char *const b[] = {"bob"};
#if defined(BREAK_R9)
	static const char *const ab[] = {"alice", "bob", "alice"};
#elif defined(BREAK_R11)
	static const char *const ab[] = {"bob"};
#elif defined(BREAK_R13)
	static const char *const ab[] = {"alice", "bob", "carol"};
#else
	static const char *const ab[] = {"alice", "bob"};
#endif
	if (strcmp(resource, "lab-a") == 0)
		return add_all(out, a, 1, err);
	if (strcmp(resource, "lab-b") == 0)
		return add_all(out, b, 1, err);
	if (strcmp(resource, "shared") == 0) {
#ifdef BREAK_R10
		static const char *const ba[] = {"bob", "alice"};
		if (calls++ % 2)
			return add_all(out, ba, 2, err);
#endif
		return add_all(out, ab, sizeof ab / sizeof ab[0], err);
	}
	return OTTO_OK;
}

static int res_usernames(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
#ifdef BREAK_U1
	return otto_error_set(err, OTTO_ERROR, "broken: the user directory is down");
#endif
#ifdef BREAK_U2
	static const char *const users[] = {"alice", "bob", "bob"};
#else
	static const char *const users[] = {"alice", "bob"};
#endif
	return add_all(out, users, sizeof users / sizeof users[0], err);
}

static int res_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	(void)self;
#ifdef BREAK_W1
	return otto_error_set(err, OTTO_ERROR, "broken: the calendar is down");
#endif
	int rc = OTTO_OK;
	if (strcmp(user, "alice") == 0) {
		rc = otto_window_out_add(out, "lab-a", OTTO_TIME_EPOCH, OTTO_TIME_FAR_FUTURE, err);
#ifndef BREAK_W6
		if (!rc)
			rc = otto_window_out_add(out, "shared", 1000, OTTO_TIME_FAR_FUTURE, err);
#endif
#ifdef BREAK_W2
		if (!rc)
			rc = otto_window_out_add(out, "", 1000, 2000, err);
#endif
#ifdef BREAK_W3
		if (!rc)
			rc = otto_window_out_add(out, "lab-a", 2000, 1000, err);
#endif
#ifdef BREAK_W4
		if (!rc)
			rc = otto_window_out_add(out, "shared", 1000, OTTO_TIME_FAR_FUTURE + 3600, err);
#endif
#ifdef BREAK_W5
		if (!rc)
			rc = otto_window_out_add(out, "lab-b", 1000, OTTO_TIME_FAR_FUTURE, err);
#endif
	} else if (strcmp(user, "bob") == 0) {
		rc = otto_window_out_add(out, "lab-b", 1000, OTTO_TIME_FAR_FUTURE, err);
		if (!rc)
			rc = otto_window_out_add(out, "shared", 1000, OTTO_TIME_FAR_FUTURE, err);
	}
	return rc;
}

/* The reservation backend's name and struct_size, which the registration
 * defects (C3_SIZE, C9_*) change. */
#define TEN "aaaaaaaaaa"
#define HUNDRED TEN TEN TEN TEN TEN TEN TEN TEN TEN TEN
#if defined(BREAK_C9_SPACE)
#define RES_NAME "has space"
#elif defined(BREAK_C9_LONG)
#define RES_NAME HUNDRED HUNDRED HUNDRED HUNDRED HUNDRED HUNDRED HUNDRED HUNDRED HUNDRED HUNDRED
#else
#define RES_NAME "broken"
#endif
#ifdef BREAK_C3_SIZE
#define RES_STRUCT_SIZE (sizeof(otto_reservation_backend_type) + 64)
#else
#define RES_STRUCT_SIZE sizeof(otto_reservation_backend_type)
#endif

/* The type sits in a larger object, so that even the oversized
 * struct_size of C3_SIZE names readable memory. */
static const struct {
	otto_reservation_backend_type type;
	char beyond[64];
} res_storage = {{
	RES_STRUCT_SIZE,
	RES_NAME,
	"a deliberately broken reservation backend",
	res_create,
	res_destroy,
#ifdef BREAK_R2
	NULL,
#else
	res_name,
#endif
#ifdef BREAK_R3
	NULL,
#else
	res_reserved,
#endif
#ifdef BREAK_R4
	NULL,
#else
	res_who,
#endif
	res_usernames,
	res_windows,
	NULL,
	NULL,
	NULL,
	NULL,
}, {0}};
#define res_type (res_storage.type)

static int register_broken(otto_registrar *reg, otto_error *err)
{
#ifdef BREAK_C1
	if (otto_broken_missing_function())
		return OTTO_ERROR;
#endif
#ifdef BREAK_C2
	return otto_error_set(err, OTTO_ERROR, "broken: registration refuses to run");
#endif
	/* The registration defects (C8): each stops register_backends its way. */
#ifdef BREAK_C8_CRASH
	raise(SIGSEGV);
#endif
#ifdef BREAK_C8_EXIT
	exit(7);
#endif
#ifdef BREAK_C8_HANG
	for (;;)
		pause();
#endif
#ifdef BREAK_C8_STDOUT
	printf("hello from register_backends\n");
#endif
	/* libotto refuses a plugin whose type lacks a required entry; the
	 * defects of that sort register only the broken kind, so that the
	 * other kind's rules are not dragged down with it. */
	int rc = OTTO_OK;
#if !defined(BREAK_R2) && !defined(BREAK_R3) && !defined(BREAK_R4)
	rc = otto_register_lab_repository(reg, &lab_type, err);
#else
	(void)lab_type;
#endif
	if (rc)
		return rc;
#if !defined(BREAK_C4) && !defined(BREAK_L2) && !defined(BREAK_L3)
	rc = otto_register_reservation_backend(reg, &res_type, err);
#else
	(void)res_type;
#endif
	return rc;
}

#ifdef BREAK_C3
OTTO_PLUGIN_EXPORT extern const otto_plugin_descriptor otto_plugin;
const otto_plugin_descriptor otto_plugin = {OTTO_ABI_MAJOR + 1, 0, (uint32_t)sizeof(otto_plugin_descriptor),
					    "broken", "1.0.0", "a plugin from the future", register_broken};
#else
OTTO_PLUGIN_DEFINE("broken", "1.0.0", "a deliberately broken plugin", register_broken);
#endif
