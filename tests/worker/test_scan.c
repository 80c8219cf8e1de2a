/*
 * The scan inspects many files in one worker, and a file's result never
 * depends on another file: a plugin that leaves a saboteur thread behind
 * cannot get the next one refused, and a worker that does not leave cleanly
 * has each of its files inspected again alone to find the culprit.
 */
#include "testutil.h"

#include <criterion/criterion.h>
#include <otto/otto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DIR_OF(c) OTTO_TEST_PLUGIN_DIR "/worker_scan_" c

static const otto_plugin_info *row(const otto_registry *reg, const char *path)
{
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++)
		if (strcmp(otto_registry_plugin(reg, i)->path, path) == 0)
			return otto_registry_plugin(reg, i);
	cr_assert_fail("no row for %s", path);
	return NULL;
}

static otto_registry *scan(const char *dir)
{
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_new(&reg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(reg, dir, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(reg, &err), OTTO_OK, "%s", err.message);
	return reg;
}

Test(scan, a_plugin_cannot_get_the_next_one_refused)
{
	char *tmp = tu_mkdtemp();
	char *fifo = tu_fmt("%s/fifo", tmp);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	setenv("OTTO_TEST_FIFO", fifo, 1);
	otto_registry *reg = scan(DIR_OF("sabotage"));
	unsetenv("OTTO_TEST_FIFO");
	const otto_plugin_info *victim = row(reg, DIR_OF("sabotage") "/b_victim.so");
	cr_assert_eq(victim->status, OTTO_PLUGIN_LOADED, "the victim was charged: %s", victim->detail);
	cr_assert_eq(row(reg, DIR_OF("sabotage") "/a_saboteur.so")->status, OTTO_PLUGIN_LOADED);
	otto_registry_free(reg);
	tu_rm_rf(tmp);
	free(fifo);
	free(tmp);
}

Test(scan, a_worker_that_leaves_badly_is_traced_to_its_file)
{
	otto_registry *reg = scan(DIR_OF("leaves"));
	const otto_plugin_info *bad = row(reg, DIR_OF("leaves") "/a_leaves_badly.so");
	cr_assert_eq(bad->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(bad->detail, "registered, but then exited with status 3 while being unloaded");
	const otto_plugin_info *other = row(reg, DIR_OF("leaves") "/b_victim.so");
	cr_assert_eq(other->status, OTTO_PLUGIN_LOADED, "%s", other->detail);
	/* Selecting its backend names the file and why. */
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "leaves-badly", NULL, &err), OTTO_ENOBACKEND);
	cr_assert_str_eq(err.message, "lab backend 'leaves-badly' is registered only by " DIR_OF("leaves")
				      "/a_leaves_badly.so, which failed when it was scanned: registered, but then exited "
				      "with status 3 while being unloaded; for the details, run otto plugins inspect " DIR_OF(
					  "leaves") "/a_leaves_badly.so");
	otto_registry_free(reg);
}
