/*
 * Options and arguments of one subcommand (the global options were already
 * taken out by main.c). "--" ends the options; "--name=value" and
 * "--name value" are both accepted.
 */
#ifndef OTTO_CLI_ARGS_H
#define OTTO_CLI_ARGS_H

#include <stdbool.h>

typedef struct cli_option {
	const char *name;   /* "--json" */
	bool *flag;         /* set for a flag */
	const char **value; /* set for an option taking a value */
} cli_option;

/* Enough for a command taking NAME... (reservation reserve). */
#define CLI_MAX_POSITIONAL 64

typedef struct cli_args {
	const char *command;          /* "lab show": its label in grammar.c, also for messages */
	const char *usage;            /* printed on stdout for --help */
	const cli_option *options;    /* grammar.c's options of `command`, bound; name NULL ends */
	const char *positional_names; /* "LAB", for "missing LAB" */
	int min_positional, max_positional;
	const char *positional[CLI_MAX_POSITIONAL];
	int n_positional;
} cli_args;

/* Parse argv[0..argc). Returns -1 to go on, or the exit code to return at
 * once: CLI_EXIT_OK after printing the usage for --help, CLI_EXIT_USAGE after
 * an error message. */
int cli_parse_args(cli_args *args, int argc, char **argv);

/* Print a command family's usage on stdout for --help; otherwise say
 * "missing subcommand" or "unknown subcommand" (with the nearest of the
 * family's subcommands in grammar.c as a suggestion). Returns the exit code. */
int cli_family_usage(const char *family, const char *usage, int argc, char **argv);

#endif
