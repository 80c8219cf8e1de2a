/* Calls a function no library defines: binding everything at load time
 * must turn that into a load error naming the symbol. */
#include "lab_common.h"

void otto_test_defined_nowhere(void);

static const otto_lab_repository_type undefined_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "undefined",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_undefined(otto_registrar *reg, otto_error *err)
{
	otto_test_defined_nowhere();
	return otto_register_lab_repository(reg, &undefined_type, err);
}

OTTO_PLUGIN_DEFINE("undefined", "1.0", "needs a symbol nobody has", register_undefined);
