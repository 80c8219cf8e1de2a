/* Registers differently from one load to the next, as a plugin that reads
 * its environment while registering would: lab backend "fickle" normally;
 * nothing under another name when OTTO_TEST_FICKLE=rename; a failing
 * register_backends when OTTO_TEST_FICKLE=fail. The same file, so the scan's
 * stamp still matches when it is used. */
#include "lab_common.h"

#include <stdlib.h>
#include <string.h>

static const otto_lab_repository_type fickle_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "fickle",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static const otto_lab_repository_type renamed_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "renamed",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_fickle(otto_registrar *reg, otto_error *err)
{
	const char *mood = getenv("OTTO_TEST_FICKLE");
	if (mood && strcmp(mood, "fail") == 0)
		return otto_error_set(err, OTTO_ERROR, "not in the mood today");
	if (mood && strcmp(mood, "rename") == 0)
		return otto_register_lab_repository(reg, &renamed_type, err);
	return otto_register_lab_repository(reg, &fickle_type, err);
}

OTTO_PLUGIN_DEFINE("fickle", "1.0", "registers by its mood", register_fickle);
