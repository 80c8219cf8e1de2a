/*
 * Aligned text tables. Cells are escaped when added (text.h), so they are
 * printable UTF-8; columns are measured in display width (names.h), so a
 * name with wide or combining characters keeps the columns after it
 * straight.
 */
#include "table.h"

#include "commands.h"
#include "names.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *checked(void *p)
{
	if (!p) {
		fprintf(stderr, "otto: out of memory\n");
		exit(CLI_EXIT_FAILED);
	}
	return p;
}

void cli_table_init(cli_table *t, size_t n_columns, const char *const *header)
{
	t->n_columns = n_columns;
	t->n_rows = 0;
	t->cells = NULL;
	cli_table_add(t, header);
}

void cli_table_add(cli_table *t, const char *const *cells)
{
	t->cells = checked(realloc(t->cells, (t->n_rows + 1) * t->n_columns * sizeof *t->cells));
	for (size_t c = 0; c < t->n_columns; c++)
		t->cells[t->n_rows * t->n_columns + c] = cli_escaped(cells[c] ? cells[c] : "-");
	t->n_rows++;
}

void cli_table_print(cli_table *t, const char *indent)
{
	size_t width[CLI_TABLE_MAX_COLUMNS] = {0};
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_columns && c < CLI_TABLE_MAX_COLUMNS; c++) {
			size_t len = cli_display_width(t->cells[r * t->n_columns + c]);
			if (len > width[c])
				width[c] = len;
		}
	for (size_t r = 0; r < t->n_rows; r++) {
		fputs(indent, stdout);
		for (size_t c = 0; c < t->n_columns; c++) {
			const char *cell = t->cells[r * t->n_columns + c];
			fputs(cell, stdout);
			if (c + 1 == t->n_columns) {
				fputc('\n', stdout);
				continue;
			}
			size_t pad = width[c < CLI_TABLE_MAX_COLUMNS ? c : 0] - cli_display_width(cell) + 2;
			while (pad--)
				fputc(' ', stdout);
		}
	}
	for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n_rows = 0;
}

void cli_table_print_nothing(cli_table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n_rows = 0;
}

char *cli_join(char *const *items, size_t count, const char *sep)
{
	size_t len = 2;
	for (size_t i = 0; i < count; i++)
		len += strlen(items[i]) + strlen(sep);
	char *out = checked(malloc(len));
	if (count == 0) {
		strcpy(out, "-");
		return out;
	}
	out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		if (i)
			strcat(out, sep);
		strcat(out, items[i]);
	}
	return out;
}
