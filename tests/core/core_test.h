/*
 * Helpers for the registry tests: the folders of the test plugins, a scan
 * of a list of folders, finding a file's row, copying files.
 */
#ifndef OTTO_CORE_TEST_H
#define OTTO_CORE_TEST_H

#include <otto/otto.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The folder holding test plugin <case>. */
#define CASE_DIR(c) OTTO_TEST_PLUGIN_DIR "/core_" c
/* The plugin file of <case> (named <case>.so). */
#define CASE_SO(c) CASE_DIR(c) "/" c ".so"

/* A registry over `dirs` (NULL-terminated), scanned. */
static inline otto_registry *scan_dirs(const char *const *dirs)
{
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "registry_new: %s", err.message);
	for (size_t i = 0; dirs && dirs[i]; i++)
		cr_assert_eq(otto_registry_add_dir(reg, dirs[i], &err), OTTO_OK, "add_dir: %s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "scan: %s", err.message);
	return reg;
}

static inline otto_registry *scan_dir(const char *dir)
{
	const char *dirs[] = {dir, NULL};
	return scan_dirs(dirs);
}

/* The row of the file at `path`; fails the test when there is none. */
static inline const otto_plugin_info *plugin_at(const otto_registry *reg, const char *path)
{
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
		const otto_plugin_info *p = otto_registry_plugin(reg, i);
		if (strcmp(p->path, path) == 0)
			return p;
	}
	cr_assert_fail("no plugin row for %s", path);
	return NULL;
}

static inline void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	cr_assert(in != NULL, "cannot read %s", from);
	FILE *out = fopen(to, "wb");
	cr_assert(out != NULL, "cannot write %s", to);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

#endif
