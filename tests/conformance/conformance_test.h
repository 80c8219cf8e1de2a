/*
 * Helpers for the otto-conformance tests: run the real binary and read the
 * rule ids its TAP report marks "not ok".
 */
#ifndef OTTO_CONFORMANCE_TEST_H
#define OTTO_CONFORMANCE_TEST_H

#include "testutil.h"

#define CORPUS_DIR OTTO_TEST_PLUGIN_DIR "/conformance"

/* Run otto-conformance with args (NULL-terminated), NO_COLOR set. */
tu_result ct_run(const char *const *args);

/* The ids of failed rules in a TAP report, sorted and comma-separated
 * ("" when none). Caller frees. */
char *ct_failed_rules(const char *tap);

/* Whether a TAP report is well-formed: version line, plan matching the
 * number of test points, numbered in order, YAML blocks closed. On failure
 * *why says what is wrong. */
int ct_tap_well_formed(const char *tap, char **why);

#endif
