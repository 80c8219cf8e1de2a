/* A lab type whose struct_size claims more than this SDK's type, although
 * the descriptor declares this SDK's minor: a wrong struct_size that otto
 * (and otto-conformance's C3, from the same code) refuses. The struct is
 * really that large, so reading it is never out of bounds. */
#include "lab_common.h"

static const struct {
	otto_lab_repository_type type;
	char padding[64];
} oversized = {.type = {
		   .struct_size = sizeof(otto_lab_repository_type) + 64,
		   .name = "oversized",
		   .create = t_create,
		   .destroy = t_destroy,
		   .list_labs = t_list,
		   .load_lab = t_load,
	       }};

static int register_oversized(otto_registrar *reg, otto_error *err)
{
	return otto_register_lab_repository(reg, &oversized.type, err);
}

OTTO_PLUGIN_DEFINE("oversized", "1.0", "a type with a wrong struct_size", register_oversized);
