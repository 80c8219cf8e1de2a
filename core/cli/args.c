#include "args.h"

#include "commands.h"

#include <stdio.h>
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

int cli_parse_args(cli_args *args, int argc, char **argv)
{
	bool options_done = false;

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
				return cli_usage_error(args->command, "unknown option '%.*s'", (int)name_len, word);
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
	if (argc >= 2 && is_help(argv[1])) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error(family, "missing subcommand");
	return cli_usage_error(family, "unknown subcommand '%s'", argv[1]);
}
