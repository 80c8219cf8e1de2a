/* Registers a lab backend under BAD_NAME (built as "" and "Upper"). */
#include "lab_common.h"

static const otto_lab_repository_type badname_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = BAD_NAME,
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_badname(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &badname_type, err);
}

OTTO_PLUGIN_DEFINE("badname", "1.0", "an invalid backend name", register_badname);
