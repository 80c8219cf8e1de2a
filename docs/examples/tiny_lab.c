/*
 * tiny_lab.c - the plugin built step by step in docs/writing-a-backend.md.
 *
 * A lab repository named "tiny": one lab (named by the `lab` setting,
 * "bench" by default) holding one device-under-test per address in `ips`:
 *
 *   [lab]
 *   backend = "tiny"
 *
 *   [lab.tiny]
 *   lab = "bench"
 *   ips = ["10.9.0.1", "10.9.0.2"]    # hosts dut1, dut2
 *
 * Build:  gcc -shared -fPIC -fvisibility=hidden -I<sdk>/include -o tiny_lab.so tiny_lab.c
 */
#include <otto/plugin.h>

#include <stdlib.h>
#include <string.h>

/* What create() keeps: copies, since the configuration is only borrowed. */
typedef struct tiny {
	char *lab;
	char **ips;
	size_t n_ips;
} tiny;

static void tiny_free(tiny *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_ips; i++)
		free(t->ips[i]);
	free(t->ips);
	free(t->lab);
	free(t);
}

static int tiny_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"lab", "ips", NULL};
	const otto_setting *lab, *ips;
	char where[512];
	tiny *t;

	/* 1. Reject keys we do not know, naming the key and file:line. */
	int rc = otto_config_check_keys(config, known, err);
	if (rc != OTTO_OK)
		return rc;

	/* 2. Check types and required keys before allocating anything. */
	lab = otto_config_find(config, "lab");
	ips = otto_config_find(config, "ips");
	if (lab && lab->type != OTTO_VALUE_STRING) {
		otto_setting_where(lab, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: [%s] lab must be a quoted string", where,
				      config->section);
	}
	if (!ips || ips->type != OTTO_VALUE_ARRAY) {
		if (ips)
			otto_setting_where(ips, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: [%s] needs ips = [\"10.9.0.1\", ...]",
				      ips ? where : "settings", config->section);
	}

	/* 3. Copy what we keep. On failure, clean up: destroy() is not called
	 *    after a failed create(). */
	t = calloc(1, sizeof *t);
	if (t)
		t->ips = calloc(ips->n_items + 1, sizeof *t->ips);
	if (t && t->ips)
		t->lab = strdup(lab ? lab->string : "bench");
	if (!t || !t->ips || !t->lab) {
		tiny_free(t);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < ips->n_items; i++) {
		if (!(t->ips[t->n_ips++] = strdup(ips->items[i]))) {
			tiny_free(t);
			return otto_error_set(err, OTTO_ENOMEM, "out of memory");
		}
	}
	*self = t;
	return OTTO_OK;
}

static void tiny_destroy(void *self)
{
	tiny_free(self);
}

static int tiny_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	const tiny *t = self;
	return otto_string_out_add(out, t->lab, err);
}

static int tiny_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			 otto_error *err)
{
	const tiny *t = self;
	(void)preferences;
	/* An unknown lab is "not found", never an empty lab. */
	if (strcmp(name, t->lab) != 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s' (tiny serves only '%s')", name, t->lab);
	for (size_t i = 0; i < t->n_ips; i++) {
		const char *resources[] = {"dut"};
		const char *labs[] = {t->lab};
		otto_host host = OTTO_HOST_INIT; /* key NULL: the host computes the id */
		host.ip = t->ips[i];
		host.element = "dut";
		host.element_id = (int64_t)i + 1; /* ids dut1, dut2 ... by the id rule */
		host.resources = resources;      /* stack memory is fine: the host copies */
		host.n_resources = 1;
		host.labs = labs;
		host.n_labs = 1;
		int rc = otto_lab_out_add_host(out, &host, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* Optional capability: must agree exactly with load_lab. */
static int tiny_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	const tiny *t = self;
	for (size_t i = 0; i < t->n_ips; i++) {
		const char *labs[] = {t->lab};
		otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
		s.labs = labs;
		s.n_labs = 1;
		s.ip = t->ips[i];
		s.element = "dut";
		s.element_id = (int64_t)i + 1;
		int rc = otto_summary_out_add(out, &s, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

/* Static storage: the host keeps pointing at it while the plugin is loaded. */
static const otto_lab_repository_type tiny_type = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = "tiny",
	.description = "one lab of devices under test, from [lab.tiny] ips",
	.create = tiny_create,
	.destroy = tiny_destroy,
	.list_labs = tiny_list_labs,
	.load_lab = tiny_load_lab,
	.list_host_summaries = tiny_summaries,
};

static int register_tiny(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &tiny_type, err);
}

OTTO_PLUGIN_DEFINE("tiny", "0.1.0", "the writing-a-backend walk-through", register_tiny);
