/* Claims a newer minor than the host: it may rely on things the host lacks. */
#include <otto/plugin.h>

#include <stdlib.h>

static int register_never(otto_registrar *reg, otto_error *err)
{
	(void)reg;
	(void)err;
	abort();
}

OTTO_PLUGIN_EXPORT extern const otto_plugin_descriptor otto_plugin;
const otto_plugin_descriptor otto_plugin = {
    OTTO_ABI_MAJOR,	  OTTO_ABI_MINOR + 1, sizeof(otto_plugin_descriptor), "newer", "1.0",
    "from a newer minor", register_never};
