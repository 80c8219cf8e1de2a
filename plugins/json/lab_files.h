/*
 * Which lab.json files the configured paths name right now, and their
 * parsed indexes, cached on each file's identity (device, inode, size,
 * modification time in ns) so a re-read happens exactly when the file
 * changed.
 */
#ifndef JSON_LAB_FILES_H
#define JSON_LAB_FILES_H

#include "lab_index.h"

typedef struct lab_files {
	char **paths;	 /* configured, resolved */
	jl_file **files; /* the current files, in search order */
	size_t n_files, files_cap;
} lab_files;

/* Find the files again and (re)parse those that changed. A missing path is
 * skipped; anything else that fails is an OTTO_ERROR. */
int lab_files_refresh(lab_files *lf, otto_error *err);
void lab_files_free(lab_files *lf);

#endif
