/* The two backend types of the example plugin (see plugin.c). */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <otto/plugin.h>

extern const otto_lab_repository_type example_lab_repository;
extern const otto_reservation_backend_type example_reservation_backend;

#endif
