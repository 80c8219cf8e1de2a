/* Registers lab backend "saboteur" fine, but leaves a thread behind in the
 * scan worker that ends the whole process (exit 0) as soon as the next
 * plugin writes to the FIFO at $OTTO_TEST_FIFO: the plugin inspected after
 * it in the same worker dies for nothing it did. The FIFO is opened for
 * reading before registering returns, so the next plugin finds a reader
 * whatever the thread's timing (no race with the scheduler). It is linked
 * with -z nodelete so that unloading it never unmaps the thread's code: its
 * own verdict, alone in a worker, is then always "loaded". */
#include "../../core/plugins/lab_common.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static int fifo_fd = -1;

static void *wait_then_end(void *arg)
{
	(void)arg;
	struct pollfd p = {.fd = fifo_fd, .events = POLLIN};
	while (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN))
		; /* until a writer's byte arrives */
	_exit(0);
}

static const otto_lab_repository_type saboteur = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "saboteur",
    .create = t_create,
    .destroy = t_destroy,
    .list_labs = t_list,
    .load_lab = t_load,
};

static int register_saboteur(otto_registrar *reg, otto_error *err)
{
	const char *fifo = getenv("OTTO_TEST_FIFO");
	pthread_t t;
	if (fifo) {
		fifo_fd = open(fifo, O_RDONLY | O_NONBLOCK);
		if (fifo_fd < 0 || pthread_create(&t, NULL, wait_then_end, NULL) != 0)
			return otto_error_set(err, OTTO_ERROR, "cannot open the FIFO or start the thread");
	}
	return otto_register_lab_repository(reg, &saboteur, err);
}

OTTO_PLUGIN_DEFINE("saboteur", "1.0", "a thread that ends its worker later", register_saboteur);
