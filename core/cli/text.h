/*
 * Text output for people. Every name, user, resource, path and message
 * otto prints comes from a plugin, a data file or the command line, and a
 * control character in it would be an instruction to the terminal (ESC
 * sequences, CR) or a line of its own (LF): so each line otto prints goes
 * through here and is escaped visibly (otto_text_escape: \x1b, \n ...).
 * JSON output is exact instead (json_out.h).
 */
#ifndef OTTO_CLI_TEXT_H
#define OTTO_CLI_TEXT_H

#include <stdio.h>

/* Print the formatted text on f, escaped, then a newline. The format's own
 * text must hold no control character (the newline is added here). */
void cli_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line written in pieces (fprintf on .f), then printed as cli_line does. */
typedef struct cli_linebuf {
	FILE *f;
	char *text;
	size_t size;
} cli_linebuf;
void cli_linebuf_open(cli_linebuf *b);
/* Print the line on out, escaped, with a newline; release the buffer. */
void cli_linebuf_print(cli_linebuf *b, FILE *out);

/* s made safe to print (NULL: NULL). Caller frees. */
char *cli_escaped(const char *s);

#endif
