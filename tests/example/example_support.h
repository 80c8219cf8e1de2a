/* Opening the example plugin's backends through libotto. */
#ifndef OTTO_EXAMPLE_SUPPORT_H
#define OTTO_EXAMPLE_SUPPORT_H

#include <criterion/criterion.h>
#include <otto/otto.h>

/* A registry that found the example plugin in the build tree. */
static inline otto_registry *ex_registry(const char *dir)
{
	otto_registry *reg = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, dir, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	return reg;
}

/* A configuration as the settings would hand it: one table, written in
 * "settings.toml" from line 10 on. */
static inline otto_config ex_config(const char *section, otto_setting *settings, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		settings[i].file = "settings.toml";
		settings[i].line = (unsigned)(10 + i);
	}
	otto_config cfg = {sizeof(otto_config), NULL, section, "/repo", "https://ignored.invalid", settings, n};
	return cfg;
}

#define EX_ARRAY(key_, ...)                                                                                            \
	{                                                                                                              \
		.key = (key_), .type = OTTO_VALUE_ARRAY, .string = "[...]",                                            \
		.items = (const char *const[]){__VA_ARGS__},                                                           \
		.n_items = sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)                          \
	}
#define EX_STRING(key_, value_) {.key = (key_), .type = OTTO_VALUE_STRING, .string = (value_)}

#endif
