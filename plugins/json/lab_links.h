/*
 * The links a lab gets, by upstream otto-sh's rules: every link (of every
 * file) with at least one endpoint on a host of the lab; its endpoints'
 * hosts are looked up among every valid record of every file (so one end
 * may lie in another lab), each named interface must exist, a missing one
 * is the host's only interface (several: an error, "ambiguous"). A link
 * that breaks a rule fails the labs it touches, and only those.
 */
#ifndef JSON_LAB_LINKS_H
#define JSON_LAB_LINKS_H

#include "lab_files.h"

/* Host id -> the first valid record with that id, across the files. */
typedef struct lab_addressing {
	strtab ids;
	struct lab_hostref {
		const jl_file *file;
		uint32_t host;
	} *refs;
	size_t refs_cap;
	unsigned long generation; /* of the lab_files it was built from */
	bool built;
} lab_addressing;

/* Compute every file's host ids and the addressing, when some file has
 * links and the files changed since. Call it before taking pointers to
 * host ids: computing ids moves them. */
void lab_addressing_refresh(lab_addressing *a, lab_files *lf);
void lab_addressing_free(lab_addressing *a);

/* Whether host id `id` is in the lab being loaded. */
typedef bool (*lab_member_fn)(const char *id, void *ctx);

/* Add the links of lab `lab` to out (in file order). */
int lab_links_add(lab_files *lf, lab_addressing *a, const char *lab, lab_member_fn in_lab, void *ctx,
		  jl_scratch *s, otto_lab_out *out, otto_error *err);

#endif
