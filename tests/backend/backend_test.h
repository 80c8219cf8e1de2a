/*
 * Helpers for the backend wrapper tests: a registry over the test plugins,
 * configurations with one setting, opening the test backends.
 */
#ifndef OTTO_BACKEND_TEST_H
#define OTTO_BACKEND_TEST_H

#include <otto/otto.h>

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define LAB_PLUGIN_DIR OTTO_TEST_PLUGIN_DIR "/backend_labcases"
#define RESV_PLUGIN_DIR OTTO_TEST_PLUGIN_DIR "/backend_resvcases"

static inline otto_registry *test_registry(void)
{
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "registry_new: %s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, LAB_PLUGIN_DIR, &err), OTTO_OK, "add_dir: %s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, RESV_PLUGIN_DIR, &err), OTTO_OK, "add_dir: %s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "scan: %s", err.message);
	return reg;
}

/* A configuration holding at most two string settings. */
typedef struct test_config {
	otto_setting settings[2];
	otto_config config;
} test_config;

static inline const otto_config *test_config_init(test_config *tc, const char *key, const char *value,
						  const char *key2, const char *value2)
{
	memset(tc, 0, sizeof *tc);
	tc->config.struct_size = sizeof tc->config;
	tc->config.repo_root = "/nonexistent-repo";
	tc->config.settings = tc->settings;
	const char *keys[] = {key, key2}, *values[] = {value, value2};
	for (size_t i = 0; i < 2 && keys[i]; i++) {
		tc->settings[i].key = keys[i];
		tc->settings[i].type = OTTO_VALUE_STRING;
		tc->settings[i].string = values[i];
		tc->settings[i].file = "/repo/.otto/settings.toml";
		tc->settings[i].line = (unsigned)(10 + i);
		tc->config.n_settings++;
	}
	return &tc->config;
}

/* The test fixture: a scanned registry, freed after the test (backends must
 * be freed before it). */
static otto_registry *registry;

static inline void registry_setup(void)
{
	registry = test_registry();
}

/* Run plugin calls in this process from now on (otto's contract for
 * embedders that choose it), instead of in workers (the default). */
static inline void use_in_process(void)
{
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_set_isolation(registry, OTTO_ISOLATION_IN_PROCESS, &err), OTTO_OK, "%s",
		     err.message);
}

static inline void registry_teardown(void)
{
	otto_registry_free(registry);
	registry = NULL;
}

static inline otto_lab_repository *open_lab(const char *name, const otto_config *config)
{
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, registry, name, config, &err), OTTO_OK, "open %s: %s", name,
		     err.message);
	cr_assert_not_null(repo);
	return repo;
}

static inline otto_reservation_backend *open_resv(const char *name, const char *mode)
{
	test_config tc;
	otto_reservation_backend *b = NULL;
	otto_error err = {0, ""};
	const otto_config *cfg = test_config_init(&tc, mode ? "case" : NULL, mode, NULL, NULL);
	cr_assert_eq(otto_reservation_backend_open(&b, registry, name, cfg, &err), OTTO_OK, "open %s: %s", name,
		     err.message);
	cr_assert_not_null(b);
	return b;
}

#endif
