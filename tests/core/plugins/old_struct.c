/* Built against an older SDK whose lab type ended before
 * list_host_summaries: the host must read that entry as absent even though
 * the memory after the struct happens to hold a function pointer here. */
#include "lab_common.h"

#include <stddef.h>

static const otto_lab_repository_type old_type = {
    .struct_size = offsetof(otto_lab_repository_type, list_host_summaries),
    .name = "old",
    .description = "an older lab type",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
    .list_host_summaries = t_summaries,
};

static int register_old(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &old_type, err);
}

OTTO_PLUGIN_DEFINE("old", "0.9", "an older SDK's lab type", register_old);
