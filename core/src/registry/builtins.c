/*
 * Descriptors compiled into libotto. They are registered through the same
 * validating registrar as plugin files and listed first, so no file can
 * take over one of their names.
 */
#include "registry/registry_int.h"

const otto_plugin_descriptor *const otto__builtin_plugins[] = {
    &otto__builtin_none_plugin,
    NULL,
};
