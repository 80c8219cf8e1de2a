/* Never returns from register_backends. */
#include <otto/plugin.h>

#include <unistd.h>

static int register_hang(otto_registrar *reg, otto_error *err)
{
	(void)reg;
	(void)err;
	for (;;)
		pause();
	return OTTO_OK;
}

OTTO_PLUGIN_DEFINE("hang", "1.0", "hangs in register_backends", register_hang);
