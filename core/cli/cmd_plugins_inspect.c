/*
 * otto plugins inspect FILE|BACKEND: one plugin file, as the registry knows
 * it (from the cache, or a scan): path, status and the reason, descriptor,
 * ABI, and every backend with its description, optional capabilities and
 * declared settings keys; for a backend name, the file that provides it (a
 * lab backend first, then a reservation backend, then a lock store).
 */
#include "args.h"
#include "commands.h"
#include "text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: otto plugins inspect FILE|BACKEND\n"
	"\n"
	"Show one plugin file: its path, status (and the loader's own reason when it is not loaded),\n"
	"plugin name and version, ABI, and every backend it registers with its description, the\n"
	"optional capabilities it implements (lab: host summaries; reservation: usernames,\n"
	"reservation windows, reserve and cancel, prepare; lock store: prepare, renew) and the\n"
	"settings keys it declares ([lab.NAME], [reservations.NAME] or [locks.NAME]: key, value\n"
	"type, required or optional, what it is for). A BACKEND name (lab, reservation or lock\n"
	"store) shows the file that provides it. Nothing of the plugin is loaded: this is what the\n"
	"scan (or the registry cache) recorded.\n";

static bool same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

static const otto_plugin_info *find_plugin(const otto_registry *reg, const char *what)
{
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
		const otto_plugin_info *p = otto_registry_plugin(reg, i);
		if (strcmp(p->path, "(built-in)") != 0 && (strcmp(p->path, what) == 0 || same_file(p->path, what)))
			return p;
	}
	const otto_backend_kind kinds[] = {OTTO_KIND_LAB, OTTO_KIND_RESERVATION, OTTO_KIND_LOCK_STORE};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		const otto_backend_info *b = otto_registry_find(reg, kinds[k], what);
		if (!b)
			continue;
		for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
			const otto_plugin_info *p = otto_registry_plugin(reg, i);
			for (size_t j = 0; j < p->n_backends; j++)
				if (&p->backends[j] == b)
					return p;
		}
	}
	return NULL;
}

/* Every optional capability, in the order shown, with the kind that can
 * have it: its words in `plugins inspect` and its name in `plugins --json`. */
const cli_capability cli_capabilities[] = {
    {OTTO_BACKEND_CAP_SUMMARIES, OTTO_KIND_LAB, "host summaries", "summaries"},
    {OTTO_BACKEND_CAP_USERNAMES, OTTO_KIND_RESERVATION, "usernames", "usernames"},
    {OTTO_BACKEND_CAP_WINDOWS, OTTO_KIND_RESERVATION, "reservation windows", "windows"},
    {OTTO_BACKEND_CAP_WRITE, OTTO_KIND_RESERVATION, "reserve and cancel", "write"},
    {OTTO_BACKEND_CAP_PREPARE, OTTO_KIND_RESERVATION, "prepare", "prepare"},
    {OTTO_BACKEND_CAP_PREPARE, OTTO_KIND_LOCK_STORE, "prepare", "prepare"},
    {OTTO_BACKEND_CAP_RENEW, OTTO_KIND_LOCK_STORE, "renew", "renew"},
    {0, 0, NULL, NULL},
};

/* "optional capabilities: usernames yes, ..., prepare no": every one its
 * kind can have, so that "no" is said, not left out. */
static void print_capabilities(const otto_backend_info *b)
{
	printf("    optional capabilities:");
	const char *sep = " ";
	for (const cli_capability *c = cli_capabilities; c->text; c++) {
		if (c->kind != b->kind)
			continue;
		printf("%s%s %s", sep, c->text, b->capabilities & c->bit ? "yes" : "no");
		sep = ", ";
	}
	printf("\n");
}

int cli_cmd_plugins_inspect(otto_cli *cli, int argc, char **argv)
{
	const cli_option options[] = {{NULL, NULL, NULL}};
	cli_args args = {.command = "plugins inspect", .usage = usage, .options = options,
			 .positional_names = "FILE|BACKEND", .min_positional = 1, .max_positional = 1};
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	otto_registry *reg = cli_registry(cli);
	if (!reg)
		return CLI_EXIT_USAGE;
	const otto_plugin_info *p = find_plugin(reg, args.positional[0]);
	if (!p)
		return cli_usage_error("plugins inspect", "no plugin file or backend named '%s' (otto plugins lists them)",
				       args.positional[0]);
	cli_line(stdout, "Path:     %s", p->path);
	cli_line(stdout, "Status:   %s", otto_plugin_status_name(p->status));
	if (p->detail)
		cli_line(stdout, "Reason:   %s", p->detail);
	cli_line(stdout, "Plugin:   %s %s", p->plugin_name ? p->plugin_name : "(unknown)",
		 p->plugin_version ? p->plugin_version : "");
	if (p->abi_major || p->abi_minor)
		printf("ABI:      %u.%u (otto's: %d.%d)\n", (unsigned)p->abi_major, (unsigned)p->abi_minor, OTTO_ABI_MAJOR,
		       OTTO_ABI_MINOR);
	printf("Backends:%s\n", p->n_backends ? "" : " (none)");
	for (size_t i = 0; i < p->n_backends; i++) {
		const otto_backend_info *b = &p->backends[i];
		cli_line(stdout, "  %s %s: %s%s", otto_backend_kind_name(b->kind), b->name,
			 b->description ? b->description : "(no description)",
			 b->shadowed_by ? " (not used: registered first by another file)" : "");
		print_capabilities(b);
		if (b->n_settings_keys == 0)
			printf("    settings keys: not declared\n");
		for (size_t k = 0; k < b->n_settings_keys; k++) {
			const otto_setting_decl *d = &b->settings_keys[k];
			cli_line(stdout, "    [%s] %s (%s, %s)%s%s", b->name, d->key, otto_value_type_name(d->type),
				 d->flags & OTTO_SETTING_REQUIRED ? "required" : "optional", d->description ? ": " : "",
				 d->description ? d->description : "");
		}
	}
	return CLI_EXIT_OK;
}
