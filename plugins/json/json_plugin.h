/* The json plugin's two backends. */
#ifndef JSON_PLUGIN_H
#define JSON_PLUGIN_H

#include <otto/plugin.h>

extern const otto_lab_repository_type json_lab_repository;
extern const otto_reservation_backend_type json_reservation_backend;

/* qsort comparator over char * elements. */
int json_compare_strings(const void *a, const void *b);

#endif
