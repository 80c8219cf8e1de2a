/*
 * The otto command: global options (before or after the command), then
 * dispatch to a command family.
 */
#include "commands.h"
#include "names.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static const char usage[] =
	"Usage: otto [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
	"\n"
	"Commands:\n"
	"  plugins [--json]                   plugin folders, plugin files and the backends they register\n"
	"  lab list [--json]                  the labs of the configured lab repository\n"
	"  lab show LAB [--json]              a lab's resources and hosts\n"
	"  lab hosts [--lab LAB] [--json]     every host, with the labs it belongs to\n"
	"  lab status LAB [--json]            who holds what LAB needs, until when, and may you run\n"
	"  reservation whoami [--json]        the user otto acts for\n"
	"  reservation held [--windows] [--json]\n"
	"                                     the resources the user holds (and until when)\n"
	"  reservation who RESOURCE [--json]  who holds a resource\n"
	"  reservation users [--json]         every user the reservation backend knows\n"
	"  reservation check --lab LAB [--json]\n"
	"                                     fail unless the user holds every resource the lab needs\n"
	"  lock ...                           locks on lab hosts (see 'otto lock --help')\n"
	"  db init                            create or migrate what the configured backends store\n"
	"  help [COMMAND [SUBCOMMAND]]        this text, or a command's ('otto COMMAND --help')\n"
	"\n"
	"Global options (accepted before or after the command):\n"
	"  --as-user USER     act as USER (default: LOGNAME, USER, LNAME, USERNAME, then the passwd entry)\n"
	"  --settings FILE    read FILE instead of the .otto/settings.toml found from the current folder up\n"
	"  --plugin-dir DIR   search DIR for plugins before every other folder (repeatable)\n"
	"  --help             show help; 'otto COMMAND --help' or 'otto help COMMAND' shows a command's\n"
	"  --version          print the version\n"
	"\n"
	"Plugin folders, in search order: every --plugin-dir, OTTO_PLUGIN_PATH (colon-separated),\n"
	"[plugins] path in the settings, then the installed folder next to the otto executable.\n"
	"What they hold is cached per user in $XDG_CACHE_HOME/otto/ (OTTO_PLUGIN_CACHE=0: off).\n"
	"\n"
	"Exit codes: 0 success; 1 a failed check or a backend error; 2 usage, settings or plugin errors.\n";

typedef struct command {
	const char *name;
	int (*run)(otto_cli *cli, int argc, char **argv);
} command;

static const command commands[] = {
	{"plugins", cli_cmd_plugins},
	{"lab", cli_cmd_lab},
	{"reservation", cli_cmd_reservation},
	{"lock", cli_cmd_lock},
	{"db", cli_cmd_db},
};

static void *checked(void *p)
{
	if (!p) {
		fprintf(stderr, "otto: out of memory\n");
		exit(CLI_EXIT_FAILED);
	}
	return p;
}

static void add_plugin_dir(otto_cli *cli, const char *dir)
{
	otto_strlist *l = &cli->plugin_dirs;
	l->items = checked(realloc(l->items, (l->count + 1) * sizeof *l->items));
	l->items[l->count++] = checked(strdup(dir));
}

/* If argv[*i] is the global option `name` (as "--name VALUE" or
 * "--name=VALUE"), store its value and return 1; -1 when the value is
 * missing; 0 when it is another word. */
static int take_global(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t len = strlen(name);
	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*value = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "otto: option '%s' needs a value.\nRun 'otto --help' for usage.\n", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

/* Move the global options out of argv, wherever they are (up to "--"),
 * leaving the other words in order in rest[]. Returns -1 or an exit code. */
static int split_globals(otto_cli *cli, int argc, char **argv, char **rest, int *n_rest)
{
	bool literal = false;
	*n_rest = 0;
	for (int i = 1; i < argc; i++) {
		const char *dir = NULL;
		int took = 0;
		if (!literal && strcmp(argv[i], "--") == 0)
			literal = true;
		if (!literal) {
			took = take_global(argc, argv, &i, "--as-user", &cli->as_user);
			if (took == 0)
				took = take_global(argc, argv, &i, "--settings", &cli->settings_file);
			if (took == 0 && (took = take_global(argc, argv, &i, "--plugin-dir", &dir)) == 1)
				add_plugin_dir(cli, dir);
		}
		if (took < 0)
			return CLI_EXIT_USAGE;
		if (took > 0 && cli->as_user && cli->as_user[0] == '\0') {
			fprintf(stderr, "otto: --as-user needs a user name, not an empty string.\n"
					"Run 'otto --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
		if (took == 0)
			rest[(*n_rest)++] = argv[i];
	}
	rest[*n_rest] = NULL;
	return -1;
}

static int unknown_command(const char *word)
{
	const char *names[sizeof commands / sizeof commands[0] + 2];
	size_t n = 0;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		names[n++] = commands[i].name;
	names[n++] = "help";
	names[n] = NULL;
	const char *best = cli_did_you_mean(word, names);
	if (best)
		cli_line(stderr, "otto: unknown command '%s'. Did you mean '%s'?", word, best);
	else
		cli_line(stderr, "otto: unknown command '%s'.", word);
	fprintf(stderr, "Run 'otto --help' for the list of commands.\n");
	return CLI_EXIT_USAGE;
}

/* "otto help lab show" is "otto lab show --help". */
static int help(otto_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	char **words = checked(calloc((size_t)argc + 1, sizeof *words));
	for (int i = 1; i < argc; i++)
		words[i - 1] = argv[i];
	words[argc - 1] = "--help";
	int code = -1;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, words[0]) == 0)
			code = commands[i].run(cli, argc, words);
	if (code < 0)
		code = unknown_command(words[0]);
	free(words);
	return code;
}

static int dispatch(otto_cli *cli, int argc, char **argv)
{
	if (argc == 0) {
		fputs(usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[0], "help") == 0)
		return help(cli, argc, argv);
	if (strcmp(argv[0], "--version") == 0) {
		printf("otto %s (plugin ABI %d.%d)\n", OTTO_VERSION, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
		return CLI_EXIT_OK;
	}
	if (argv[0][0] == '-') {
		static const char *const globals[] = {"--as-user", "--settings", "--plugin-dir", "--help",
						      "--version", NULL};
		const char *best = cli_did_you_mean(argv[0], globals);
		if (best)
			cli_line(stderr, "otto: unknown option '%s'. Did you mean '%s'?", argv[0], best);
		else
			cli_line(stderr, "otto: unknown option '%s'.", argv[0]);
		fputs("Run 'otto --help' for usage.\n", stderr);
		return CLI_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, argv[0]) == 0)
			return commands[i].run(cli, argc, argv);
	return unknown_command(argv[0]);
}

int main(int argc, char **argv)
{
	/* Plugin code runs in workers of the same user, which could otherwise
	 * attach to this process (ptrace, /proc/PID/mem) and change what it
	 * decides; non-dumpable processes only let CAP_SYS_PTRACE do that. */
	prctl(PR_SET_DUMPABLE, 0);
	otto_cli cli = {0};
	char **rest = checked(calloc((size_t)argc + 1, sizeof *rest));
	int n_rest = 0;
	int code;
	/* Shell completion reads the line as typed, global options included. */
	if (argc >= 2 && strcmp(argv[1], "__complete") == 0)
		code = cli_complete(&cli, argc - 1, argv + 1);
	else if ((code = split_globals(&cli, argc, argv, rest, &n_rest)) < 0)
		code = dispatch(&cli, n_rest, rest);
	/* Every backend instance is gone by now; the registry goes last. */
	otto_registry_free(cli.registry);
	otto_settings_free(cli.settings);
	otto_strlist_free(&cli.plugin_dirs);
	free(rest);
	fflush(stdout);
	if (ferror(stdout) && code == CLI_EXIT_OK) {
		fprintf(stderr, "otto: cannot write the output\n");
		code = CLI_EXIT_FAILED;
	}
	return code;
}
