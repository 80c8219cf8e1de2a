/*
 * Layered lab sources: [lab.sources.<label>] tables, in the order written,
 * combined into one lab repository (see layered.c for the rules).
 */
#ifndef OTTO_LAYERED_H
#define OTTO_LAYERED_H

#include <otto/otto.h>

/* Open every source of `settings` through the registry and wrap them as one
 * repository. Using [lab] backend as well is OTTO_ESETTINGS; a source that
 * cannot be opened fails the whole open with its label in the message. */
int otto__layered_open(otto_lab_repository **out, otto_registry *reg, const otto_settings *settings, otto_error *err);

#endif
