/* register_backends fails with its own message. */
#include <otto/plugin.h>

static int register_fail(otto_registrar *reg, otto_error *err)
{
	(void)reg;
	return otto_error_set(err, OTTO_ERROR, "cannot read /etc/otto-test.conf: permission denied");
}

OTTO_PLUGIN_DEFINE("regerror", "1.0", "fails to register", register_fail);
