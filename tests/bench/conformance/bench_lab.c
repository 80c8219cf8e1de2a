/*
 * A lab repository that generates its data: `labs` labs ("lab0000", ...)
 * of `hosts_per_lab` hosts each, every host in one lab, with summaries.
 * Settings: labs = N, hosts_per_lab = M (integers).
 */
#include <otto/plugin.h>

#include <stdlib.h>
#include <string.h>

typedef struct bench {
	long labs;
	long hosts;
} bench;

static int get_number(const otto_config *cfg, const char *key, long fallback, long *out, otto_error *err)
{
	const otto_setting *s = otto_config_find(cfg, key);
	*out = fallback;
	if (!s)
		return OTTO_OK;
	if (s->type != OTTO_VALUE_INTEGER || s->integer < 0 || s->integer > 1000000)
		return otto_error_set(err, OTTO_EINVALID, "[%s] %s must be an integer between 0 and 1000000",
				      cfg->section ? cfg->section : "lab.benchlab", key);
	*out = (long)s->integer;
	return OTTO_OK;
}

static int bench_create(const otto_config *cfg, void **self, otto_error *err)
{
	static const char *const known[] = {"labs", "hosts_per_lab", NULL};
	bench b;
	int rc = otto_config_check_keys(cfg, known, err);
	if (!rc)
		rc = get_number(cfg, "labs", 10, &b.labs, err);
	if (!rc)
		rc = get_number(cfg, "hosts_per_lab", 10, &b.hosts, err);
	if (rc)
		return rc;
	bench *p = malloc(sizeof *p);
	if (!p)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	*p = b;
	*self = p;
	return OTTO_OK;
}

static void bench_destroy(void *self)
{
	free(self);
}

static int bench_list(void *self, otto_string_out *out, otto_error *err)
{
	bench *b = self;
	char name[32];
	for (long i = 0; i < b->labs; i++) {
		snprintf(name, sizeof name, "lab%04ld", i);
		int rc = otto_string_out_add(out, name, err);
		if (rc)
			return rc;
	}
	return OTTO_OK;
}

static long lab_number(const bench *b, const char *name)
{
	char *end;
	if (strncmp(name, "lab", 3) != 0 || !name[3])
		return -1;
	long n = strtol(name + 3, &end, 10);
	return *end || n < 0 || n >= b->labs ? -1 : n;
}

static int bench_load(void *self, const char *name, const otto_config *prefs, otto_lab_out *out, otto_error *err)
{
	(void)prefs;
	bench *b = self;
	long lab = lab_number(b, name);
	if (lab < 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	char element[32], ip[80], res[80];
	const char *labs[] = {name};
	const char *resources[] = {res};
	for (long h = 0; h < b->hosts; h++) {
		otto_host host = OTTO_HOST_INIT;
		snprintf(element, sizeof element, "lab%ld-dut", lab);
		snprintf(ip, sizeof ip, "10.%ld.%ld.%ld", lab / 256, lab % 256, h);
		snprintf(res, sizeof res, "%s-dut%ld", name, h);
		host.element = element;
		host.element_id = h;
		host.ip = ip;
		host.labs = labs;
		host.n_labs = 1;
		host.resources = resources;
		host.n_resources = 1;
		int rc = otto_lab_out_add_host(out, &host, err);
		if (rc)
			return rc;
	}
	return OTTO_OK;
}

static int bench_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	bench *b = self;
	char name[32], element[32], ip[80];
	const char *labs[] = {name};
	for (long lab = 0; lab < b->labs; lab++) {
		snprintf(name, sizeof name, "lab%04ld", lab);
		snprintf(element, sizeof element, "lab%ld-dut", lab);
		for (long h = 0; h < b->hosts; h++) {
			otto_host_summary s = OTTO_HOST_SUMMARY_INIT;
			snprintf(ip, sizeof ip, "10.%ld.%ld.%ld", lab / 256, lab % 256, h);
			s.element = element;
			s.element_id = h;
			s.ip = ip;
			s.labs = labs;
			s.n_labs = 1;
			int rc = otto_summary_out_add(out, &s, err);
			if (rc)
				return rc;
		}
	}
	return OTTO_OK;
}

static const otto_lab_repository_type bench_type = {
	sizeof(otto_lab_repository_type), "benchlab", "generated labs for benchmarks", bench_create, bench_destroy,
	bench_list, bench_load, bench_summaries, NULL};

static int register_bench(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &bench_type, err);
}

OTTO_PLUGIN_DEFINE("benchlab", "1.0.0", "generated labs for benchmarks", register_bench);
