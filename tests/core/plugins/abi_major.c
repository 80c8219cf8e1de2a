/* Claims ABI major 2: the host must refuse it without calling anything. */
#include <otto/plugin.h>

#include <stdlib.h>

static int register_never(otto_registrar *reg, otto_error *err)
{
	(void)reg;
	(void)err;
	abort(); /* the host must not get this far */
}

OTTO_PLUGIN_EXPORT extern const otto_plugin_descriptor otto_plugin;
const otto_plugin_descriptor otto_plugin = {
    2, 0, sizeof(otto_plugin_descriptor), "future", "9.0", "from ABI 2", register_never};
