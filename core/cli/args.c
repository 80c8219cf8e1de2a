/*
 * See args.h. Mistakes get the nearest known word ("did you mean"), and
 * "otto help lab show" arrives here as "lab show --help".
 */
#include "args.h"

#include "commands.h"
#include "grammar.h"
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_help(const char *word)
{
	return strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0;
}

static const cli_option *find_option(const cli_args *args, const char *word, size_t name_len)
{
	for (const cli_option *o = args->options; o && o->name; o++)
		if (strlen(o->name) == name_len && strncmp(o->name, word, name_len) == 0)
			return o;
	return NULL;
}

static int unknown_option(const cli_args *args, const cli_command_spec *spec, const char *word, size_t name_len)
{
	const char *names[CLI_MAX_OPTIONS + 2];
	cli_option_names(spec, names, sizeof names / sizeof names[0]);
	char *typed = strndup(word, name_len);
	const char *suggestion = typed ? cli_did_you_mean(typed, names) : NULL;
	int code = suggestion ? cli_usage_error(args->command, "unknown option '%s'. Did you mean '%s'?", typed,
						suggestion)
			      : cli_usage_error(args->command, "unknown option '%.*s'", (int)name_len, word);
	free(typed);
	return code;
}

/* The options the command binds are exactly those grammar.c gives it, each
 * a flag or taking a value as there: else completion would offer what the
 * parser refuses, or hide what it takes. A programming error, said at the
 * first run of the command (every command runs in tests/cli). */
static const char *binding_mismatch(const cli_args *args, const cli_command_spec *spec)
{
	if (!spec)
		return "(the command itself)";
	for (const cli_option *o = args->options; o && o->name; o++) {
		const cli_option_spec *g = cli_command_option(spec, o->name, strlen(o->name));
		if (!g || g->takes_value != (o->value != NULL))
			return o->name;
	}
	for (const cli_option_spec *g = spec->options; g->name; g++)
		if (!find_option(args, g->name, strlen(g->name)))
			return g->name;
	return NULL;
}

int cli_parse_args(cli_args *args, int argc, char **argv)
{
	bool options_done = false;
	const cli_command_spec *spec = cli_command_by_label(args->command);
	const char *mismatch = binding_mismatch(args, spec);
	if (mismatch) {
		fprintf(stderr, "otto: internal error: option '%s' of '%s' differs from core/cli/grammar.c\n", mismatch,
			args->command);
		return CLI_EXIT_FAILED;
	}

	/* --help wins over every other mistake on the line. */
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (is_help(argv[i])) {
			fputs(args->usage, stdout);
			return CLI_EXIT_OK;
		}
	}
	args->n_positional = 0;
	for (int i = 0; i < argc; i++) {
		const char *word = argv[i];
		if (!options_done && strcmp(word, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && word[0] == '-' && word[1] != '\0') {
			const char *eq = strchr(word, '=');
			size_t name_len = eq ? (size_t)(eq - word) : strlen(word);
			const cli_option *o = find_option(args, word, name_len);
			if (!o)
				return unknown_option(args, spec, word, name_len);
			if (o->flag) {
				if (eq)
					return cli_usage_error(args->command, "option '%s' takes no value", o->name);
				*o->flag = true;
			} else if (eq) {
				*o->value = eq + 1;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				return cli_usage_error(args->command, "option '%s' needs a value", o->name);
			}
			continue;
		}
		if (args->n_positional >= args->max_positional && args->max_positional == CLI_MAX_POSITIONAL)
			return cli_usage_error(args->command, "at most %d %s at once ('%s' is one too many)",
					       CLI_MAX_POSITIONAL, args->positional_names, word);
		if (args->n_positional >= args->max_positional)
			return cli_usage_error(args->command, "unexpected argument '%s'", word);
		args->positional[args->n_positional++] = word;
	}
	if (args->n_positional < args->min_positional)
		return cli_usage_error(args->command, "missing %s", args->positional_names);
	return -1;
}

int cli_family_usage(const char *family, const char *usage, int argc, char **argv)
{
	const char *subcommands[16];
	cli_subcommands(family, subcommands, sizeof subcommands / sizeof subcommands[0]);
	if (argc >= 2 && is_help(argv[1])) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error(family, "missing subcommand");
	const char *suggestion = cli_did_you_mean(argv[1], subcommands);
	if (suggestion)
		return cli_usage_error(family, "unknown subcommand '%s'. Did you mean '%s'?", argv[1], suggestion);
	return cli_usage_error(family, "unknown subcommand '%s'", argv[1]);
}
