/*
 * The one table of otto's command line (grammar.h). Adding an option:
 * add it here, bind it in the command's parser, name it in the usage text
 * and in docs/cli.md; the completion offers it by itself.
 */
#include "grammar.h"

#include <string.h>

#define FLAG(n) {n, false}
#define VALUE(n) {n, true}

const cli_command_spec cli_commands[] = {
    {"plugins", NULL, "plugins", {FLAG("--json"), FLAG("--rescan")}},
    {"plugins", "inspect", "plugins inspect", {{0}}},
    {"lab", "list", "lab list", {FLAG("--json")}},
    {"lab", "show", "lab show", {FLAG("--json"), FLAG("--show-passwords")}},
    {"lab", "hosts", "lab hosts", {VALUE("--lab"), FLAG("--json")}},
    {"lab", "status", "lab status", {FLAG("--json")}},
    {"reservation", "whoami", "reservation whoami", {FLAG("--json")}},
    {"reservation", "held", "reservation held", {FLAG("--windows"), FLAG("--json")}},
    {"reservation", "who", "reservation who", {FLAG("--json")}},
    {"reservation", "users", "reservation users", {FLAG("--json")}},
    {"reservation", "check", "reservation check", {VALUE("--lab"), FLAG("--skip-reservation-check"), FLAG("--json")}},
    {"reservation", "reserve", "reservation reserve",
     {VALUE("--from"), VALUE("--for"), VALUE("--until"), FLAG("--shared"), FLAG("--json")}},
    {"reservation", "cancel", "reservation cancel", {VALUE("--from"), FLAG("--force"), FLAG("--json")}},
    {"lock", "acquire", "lock acquire",
     {FLAG("--any"), VALUE("--expiry"), VALUE("--wait"), FLAG("--print-token"), FLAG("--json")}},
    {"lock", "release", "lock release", {VALUE("--token"), FLAG("--force"), FLAG("--json")}},
    {"lock", "list", "lock list", {FLAG("--json")}},
    {"lock", "run", "lock run", {FLAG("--any"), VALUE("--expiry"), VALUE("--wait")}},
    {"db", "init", "db init", {FLAG("--json")}},
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

const cli_option_spec cli_global_options[] = {
    VALUE("--as-user"), VALUE("--settings"), VALUE("--plugin-dir"), FLAG("--help"), FLAG("--version"), {0},
};

const char *const cli_families[] = {"plugins", "lab", "reservation", "lock", "db", "help", NULL};

const cli_command_spec *cli_command_by_label(const char *label)
{
	for (size_t i = 0; i < cli_n_commands; i++)
		if (strcmp(cli_commands[i].label, label) == 0)
			return &cli_commands[i];
	return NULL;
}

const cli_command_spec *cli_command_find(const char *family, const char *sub)
{
	for (size_t i = 0; i < cli_n_commands; i++) {
		const cli_command_spec *c = &cli_commands[i];
		if (strcmp(c->family, family) == 0 && (c->sub == NULL ? sub == NULL : sub && strcmp(c->sub, sub) == 0))
			return c;
	}
	return NULL;
}

const cli_option_spec *cli_command_option(const cli_command_spec *spec, const char *name, size_t len)
{
	for (const cli_option_spec *o = spec ? spec->options : NULL; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

const cli_option_spec *cli_global_option(const char *name)
{
	for (const cli_option_spec *o = cli_global_options; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

size_t cli_subcommands(const char *family, const char **out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < cli_n_commands && n + 1 < size; i++)
		if (strcmp(cli_commands[i].family, family) == 0 && cli_commands[i].sub)
			out[n++] = cli_commands[i].sub;
	out[n] = NULL;
	return n;
}

size_t cli_option_names(const cli_command_spec *spec, const char **out, size_t size)
{
	size_t n = 0;
	for (const cli_option_spec *o = spec ? spec->options : NULL; o && o->name && n + 2 < size; o++)
		out[n++] = o->name;
	out[n++] = "--help";
	out[n] = NULL;
	return n;
}
