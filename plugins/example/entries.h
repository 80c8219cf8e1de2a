/*
 * The compact configuration form both example backends read: an array of
 * strings, each "HEAD: WORD WORD ...", e.g.
 *
 *   [lab.example]
 *   hosts = ["east: router1 10.0.0.1 router1"]
 *   [reservations.example]
 *   holds = ["alice: lab-a shared"]
 *
 * Private to the example plugin (hidden visibility: nothing here is exported).
 */
#ifndef EXAMPLE_ENTRIES_H
#define EXAMPLE_ENTRIES_H

#include <otto/plugin.h>

/* A growable list of owned strings. */
typedef struct example_strv {
	char **items;
	size_t count;
} example_strv;

/* Append a copy of s. OTTO_OK or OTTO_ENOMEM. */
int example_strv_push(example_strv *v, const char *s);
/* Append a copy of s unless it is already there. */
int example_strv_push_unique(example_strv *v, const char *s);
long example_strv_index(const example_strv *v, const char *s);
void example_strv_sort(example_strv *v);
void example_strv_free(example_strv *v);

/* One parsed entry: the text before the first ':' and the words after it. */
typedef struct example_entry {
	char *head;
	example_strv words;
} example_entry;

/* Where entry `index` of array setting `s` was written, for messages:
 * "file:line: [section] key[index]". */
void example_entry_where(const otto_config *cfg, const otto_setting *s, size_t index, char *buf, size_t size);

/* Parse entry `index` of `s`. `form` describes the expected shape for the
 * error message (e.g. "LAB: ELEMENT IP [RESOURCE...]"). A missing ':' or an
 * empty head is OTTO_EINVALID naming file:line, table and key. */
int example_entry_parse(const otto_config *cfg, const otto_setting *s, size_t index, const char *form,
			example_entry *out, otto_error *err);
void example_entry_free(example_entry *e);

/* OTTO_EINVALID unless `s` is an array of strings. */
int example_expect_array(const otto_config *cfg, const otto_setting *s, const char *sample, otto_error *err);

/* OTTO_EINVALID unless `s` is a string. */
int example_expect_string(const otto_config *cfg, const otto_setting *s, otto_error *err);

#endif
