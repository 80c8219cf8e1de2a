/* Dies of a real segmentation fault while registering. */
#include <otto/plugin.h>

#include <stdint.h>

static volatile uintptr_t bad_address = 8;

static int register_crash(otto_registrar *reg, otto_error *err)
{
	(void)reg;
	(void)err;
	*(volatile int *)bad_address = 1;
	return OTTO_OK;
}

OTTO_PLUGIN_DEFINE("crash", "1.0", "segfaults in register_backends", register_crash);
