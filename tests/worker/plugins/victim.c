/* Lab backend "victim": harmless, except that while registering it writes
 * a byte to the FIFO at $OTTO_TEST_FIFO when someone has it open for reading
 * (the saboteur, in a shared worker), and then waits to be ended. Alone in
 * a worker nobody reads the FIFO, and it registers normally. */
#include "../../core/plugins/lab_common.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static const otto_lab_repository_type victim = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "victim",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_victim(otto_registrar *reg, otto_error *err)
{
	const char *fifo = getenv("OTTO_TEST_FIFO");
	int fd = fifo ? open(fifo, O_WRONLY | O_NONBLOCK) : -1;
	if (fd >= 0) {
		if (write(fd, "x", 1) != 1)
			return otto_error_set(err, OTTO_ERROR, "cannot write to the FIFO");
		for (;;)
			pause();
	}
	return otto_register_lab_repository(reg, &victim, err);
}

OTTO_PLUGIN_DEFINE("victim", "1.0", "harmless, unless a saboteur ran before it", register_victim);
