/* Built twice (DUP_VERSION "first"/"second") into two folders, both
 * registering lab backend "dup": the first in search order wins. */
#include "lab_common.h"

static const otto_lab_repository_type dup_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "dup",
    .description = "registered by two files",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_dup(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &dup_type, err);
}

OTTO_PLUGIN_DEFINE("dup", DUP_VERSION, "one of two", register_dup);
