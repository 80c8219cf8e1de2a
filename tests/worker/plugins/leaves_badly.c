/* Lab backend "leaves-badly": registers fine, but is never unloaded
 * (linked with -z nodelete) and its destructor ends the process with status
 * 3, so the worker it was inspected in does not leave cleanly. */
#include "../../core/plugins/lab_common.h"

#include <unistd.h>

static void __attribute__((destructor)) at_unload(void)
{
	_exit(3);
}

static const otto_lab_repository_type leaves = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "leaves-badly",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_leaves(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &leaves, err);
}

OTTO_PLUGIN_DEFINE("leaves-badly", "1.0", "exits 3 when the process ends", register_leaves);
