/* A lab type without its required load_lab. */
#include "lab_common.h"

static const otto_lab_repository_type incomplete_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "incomplete",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
};

static int register_incomplete(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &incomplete_type, err);
}

OTTO_PLUGIN_DEFINE("incomplete", "1.0", "misses load_lab", register_incomplete);
