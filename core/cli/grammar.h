/*
 * The words of the otto command line, in one table: the global options,
 * the command families, each subcommand and its options (and which of them
 * take a value). The parsers (main.c, args.c, cmd_lock.c) accept exactly
 * these options, and `otto __complete` (complete.c) offers exactly these,
 * so the two cannot drift apart: an option a parser binds that the table
 * lacks, or the reverse, is an internal error the first time the command
 * runs (tests/cli/test_complete.c runs every one).
 */
#ifndef OTTO_CLI_GRAMMAR_H
#define OTTO_CLI_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_option_spec {
	const char *name; /* "--json"; NULL ends a list */
	bool takes_value; /* "--lab LAB": the next word (or "--lab=LAB") is its value */
} cli_option_spec;

#define CLI_MAX_OPTIONS 6

typedef struct cli_command_spec {
	const char *family; /* "lab" */
	const char *sub;    /* "show"; NULL for a family that is itself a command ("plugins") */
	const char *label;  /* "lab show", as messages name the command */
	cli_option_spec options[CLI_MAX_OPTIONS + 1];
} cli_command_spec;

/* Every command, in help order. */
extern const cli_command_spec cli_commands[];
extern const size_t cli_n_commands;

/* The global options (accepted anywhere before "--"), NULL-terminated. */
extern const cli_option_spec cli_global_options[];

/* The command families, "help" last; NULL-terminated. */
extern const char *const cli_families[];

/* The command `label` names ("lab show", "plugins"), or NULL. */
const cli_command_spec *cli_command_by_label(const char *label);

/* The command FAMILY SUB (sub NULL: the family itself), or NULL. */
const cli_command_spec *cli_command_find(const char *family, const char *sub);

/* Option `name` (exactly `len` bytes of it) of `spec`, or NULL. */
const cli_option_spec *cli_command_option(const cli_command_spec *spec, const char *name, size_t len);

/* The global option `name`, or NULL. */
const cli_option_spec *cli_global_option(const char *name);

/* The subcommands of `family` into out[] (NULL-terminated, at most
 * `size - 1`), for "did you mean" and completion. Returns the count. */
size_t cli_subcommands(const char *family, const char **out, size_t size);

/* The option names of `spec` plus "--help" into out[] (NULL-terminated). */
size_t cli_option_names(const cli_command_spec *spec, const char **out, size_t size);

#endif
