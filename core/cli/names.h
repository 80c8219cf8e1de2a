/*
 * What people expect of names on a screen: natural order (bench2 before
 * bench10), the nearest known word for a typo ("did you mean"), and the
 * width a string takes on a terminal (UTF-8, wide and combining
 * characters), so that tables line up whatever the names hold.
 */
#ifndef OTTO_CLI_NAMES_H
#define OTTO_CLI_NAMES_H

#include <otto/otto.h>

#include <stddef.h>

/* Natural order: runs of digits compare as numbers ("bench2" < "bench10"),
 * everything else byte by byte; names equal that way (e.g. "a01", "a1")
 * fall back to byte order, so the order is total and deterministic. */
int cli_natural_compare(const char *a, const char *b);
/* qsort comparator over char * elements. */
int cli_natural_compare_ptrs(const void *a, const void *b);
/* Sort a list in natural order. */
void cli_sort_names(otto_strlist *list);

/* Edit distance between a and b (bytes; a swap of neighbours counts 1). */
size_t cli_edit_distance(const char *a, const char *b);
/* The candidate nearest to `word` (NULL-terminated list), or NULL when
 * none is close enough to be a likely typo: distance at most 1 for short
 * words, at most a third of the word's length otherwise, or the word is a
 * prefix of the candidate. */
const char *cli_did_you_mean(const char *word, const char *const *candidates);

/* Columns `s` takes on a terminal. s is UTF-8 (text.h has escaped every
 * control character and invalid byte into printable ASCII); the decoding
 * is otto's own, so the answer does not depend on the process's locale. A
 * code point the width table does not know counts as 1. */
size_t cli_display_width(const char *s);

#endif
