/*
 * Which lab.json files the configured paths name right now, and their
 * parsed indexes, cached on each file's identity (device, inode, size,
 * modification time in ns) so a re-read happens exactly when the file
 * changed.
 */
#ifndef JSON_LAB_FILES_H
#define JSON_LAB_FILES_H

#include "lab_index.h"

/* A lab file that was read but does not parse (syntax, top level). */
typedef struct lab_broken {
	char *path;
	char *error; /* "path:line:col: ..." */
} lab_broken;

typedef struct lab_files {
	char **paths;	 /* configured, resolved */
	jl_file **files; /* the current files that parse, in search order */
	size_t n_files, files_cap;
	lab_broken *broken; /* the current files that do not, in search order */
	size_t n_broken, broken_cap;
	/* Changes whenever `files` does: what derives from every file (the
	 * link endpoints' hosts) is rebuilt then. */
	unsigned long generation;
} lab_files;

/* Find the files again and (re)parse those that changed. A missing path is
 * skipped; a file that does not parse is put in `broken`; anything else
 * that fails (a dead source) is an OTTO_ERROR. */
int lab_files_refresh(lab_files *lf, otto_error *err);
void lab_files_free(lab_files *lf);

#endif
