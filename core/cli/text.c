/* See text.h: one printable line at a time. */
#include "text.h"

#include "commands.h"

#include <otto/otto.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
	fprintf(stderr, "otto: out of memory\n");
	exit(CLI_EXIT_FAILED);
}

void cli_linebuf_open(cli_linebuf *b)
{
	b->text = NULL;
	b->size = 0;
	b->f = open_memstream(&b->text, &b->size);
	if (!b->f)
		out_of_memory();
}

void cli_linebuf_print(cli_linebuf *b, FILE *out)
{
	if (fclose(b->f) != 0)
		out_of_memory();
	char *shown = cli_escaped(b->text);
	fputs(shown, out);
	fputc('\n', out);
	free(shown);
	free(b->text);
	memset(b, 0, sizeof *b);
}

char *cli_escaped(const char *s)
{
	if (!s)
		return NULL;
	char *shown = otto_text_escape(s);
	if (!shown)
		out_of_memory();
	return shown;
}

void cli_line(FILE *f, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	char *shown = cli_escaped(text);
	fputs(shown, f);
	fputc('\n', f);
	free(shown);
	free(text);
}
