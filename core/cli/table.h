/* Text output in aligned columns (two spaces between columns, measured in
 * display width: names.h). */
#ifndef OTTO_CLI_TABLE_H
#define OTTO_CLI_TABLE_H

#include <stddef.h>

#define CLI_TABLE_MAX_COLUMNS 8

typedef struct cli_table {
	size_t n_columns;
	size_t n_rows;
	char **cells; /* n_rows * n_columns, owned */
} cli_table;

/* The first row is the header. */
void cli_table_init(cli_table *t, size_t n_columns, const char *const *header);
/* Append a row; cells are copied, escaped (text.h), and NULL prints as "-". */
void cli_table_add(cli_table *t, const char *const *cells);
/* Print with `indent` spaces before every row, then free the table. */
void cli_table_print(cli_table *t, const char *indent);

/* Free the table without printing it. */
void cli_table_print_nothing(cli_table *t);

/* Join a list of strings with ", " (or "-" when empty). Caller frees. */
char *cli_join(char *const *items, size_t count, const char *sep);

#endif
