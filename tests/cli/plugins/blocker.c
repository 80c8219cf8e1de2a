/*
 * A test plugin whose registration never returns, after it opened for
 * writing the FIFO that OTTO_TEST_BLOCK_FIFO names: once a test's open of
 * that FIFO for reading returns, otto is waiting for the scan in its own
 * code (no plugin call in progress), which is where the crash test sends
 * its signal. It registers nothing.
 */
#include <otto/plugin.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int register_blocker(otto_registrar *reg, otto_error *err)
{
	(void)reg;
	(void)err;
	const char *fifo = getenv("OTTO_TEST_BLOCK_FIFO");
	if (fifo && open(fifo, O_WRONLY) < 0)
		return OTTO_ERROR;
	for (;;)
		pause();
	return OTTO_OK;
}

OTTO_PLUGIN_DEFINE("blocker", "1.0", "blocks in register_backends", register_blocker);
