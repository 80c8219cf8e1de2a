/* Breaks the rule of conduct: prints while registering. It is refused (its
 * worker's stdout is watched), and the host's stdout and stderr stay clean. */
#include "lab_common.h"

static const otto_lab_repository_type noisy_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "noisy",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_noisy(otto_registrar *reg, otto_error *err)
{
	printf("NOISY PLUGIN WAS HERE\n");
	fflush(stdout);
	fprintf(stderr, "NOISY PLUGIN ON STDERR\n");
	return otto_register_lab_repository(reg, &noisy_type, err);
}

OTTO_PLUGIN_DEFINE("noisy", "1.0", "prints while registering", register_noisy);
