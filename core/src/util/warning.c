/*
 * Warnings: things a user must hear about that do not stop the command
 * (a layered source overriding a host). A library must not own stderr, so
 * the caller may take them over with a handler.
 */
#include "util/util.h"


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static otto_warning_fn warning_handler;
static void *warning_ud;

OTTO_API void otto_set_warning_handler(otto_warning_fn fn, void *ud)
{
	warning_handler = fn;
	warning_ud = ud;
}

void otto__warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = otto__vasprintf(fmt, ap);
	va_end(ap);
	/* Warnings quote names from plugins and files: one printable line. */
	char *message = otto__text_escape(raw);
	free(raw);
	if (warning_handler)
		warning_handler(message, warning_ud);
	else
		fprintf(stderr, "otto: warning: %s\n", message);
	free(message);
}
