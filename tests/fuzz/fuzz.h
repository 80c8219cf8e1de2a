/*
 * What the fuzz targets share: the entry point each defines (libFuzzer's,
 * also called by driver.c), and for the file-based ones a private folder
 * made once per process and a way to write the input into a file there
 * (the json backends read files by path, as they do in use).
 */
#ifndef OTTO_FUZZ_H
#define OTTO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input; always returns 0. A failed expectation aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The folder, made on first use under $TMPDIR (or /tmp) and removed at exit. */
const char *fuzz_dir(void);
/* Write data to <fuzz_dir>/<name>, replacing it; returns the path (static). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

#endif
