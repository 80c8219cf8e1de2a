/*
 * otto plugins [--json] [--rescan]: where otto looked and what it found
 * there (--rescan: inspecting every file again instead of trusting the
 * registry cache).
 */
#include "args.h"
#include "commands.h"
#include "json_out.h"
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"Usage: otto plugins [--json] [--rescan]\n"
	"       otto plugins inspect FILE|BACKEND\n"
	"\n"
	"List the plugin folders in search order, then every file found in them with its status:\n"
	"loaded (with the backends it registers: kind, name, plugin version, file), not a plugin,\n"
	"ABI mismatch, failed (with the loader's error), duplicate, or refused (never opened, because\n"
	"other users could have changed it: the reason names the file or folder and the fix).\n"
	"Built-in backends come first.\n"
	"When two files register the same backend name, the first in search order wins.\n"
	"What each file held is kept in the registry cache ($XDG_CACHE_HOME/otto/plugins.cache) and\n"
	"reused while the file is unchanged; OTTO_PLUGIN_CACHE=0 turns the cache off.\n"
	"\n"
	"  --json     print one JSON object: {\"folders\": [...], \"plugins\": [...]}\n"
	"  --rescan   inspect every plugin file again, ignoring the cache, and rewrite it\n";

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void print_text(const otto_registry *reg)
{
	printf("Plugin folders (in search order):\n");
	for (size_t i = 0; i < otto_registry_dir_count(reg); i++) {
		const char *dir = otto_registry_dir(reg, i);
		cli_line(stdout, "  %s%s", dir, is_dir(dir) ? "" : " (missing)");
	}
	if (otto_registry_dir_count(reg) == 0)
		printf("  (none)\n");
	printf("\nPlugins:\n");
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
		const otto_plugin_info *p = otto_registry_plugin(reg, i);
		cli_linebuf line;
		cli_linebuf_open(&line);
		fprintf(line.f, "  %s: %s", p->path, otto_plugin_status_name(p->status));
		if (p->plugin_name)
			fprintf(line.f, " (plugin %s %s)", p->plugin_name, p->plugin_version ? p->plugin_version : "?");
		if (p->detail)
			fprintf(line.f, ": %s", p->detail);
		cli_linebuf_print(&line, stdout);
		for (size_t b = 0; b < p->n_backends; b++) {
			const otto_backend_info *be = &p->backends[b];
			cli_linebuf_open(&line);
			fprintf(line.f, "    %-11s %-12s %-8s %s", otto_backend_kind_name(be->kind), be->name,
				be->plugin_version ? be->plugin_version : "-", be->path);
			if (be->shadowed_by)
				fprintf(line.f, " (not used: %s registered '%s' first)", be->shadowed_by, be->name);
			cli_linebuf_print(&line, stdout);
		}
	}
}

static void json_backend(yajl_gen g, const otto_backend_info *be)
{
	yajl_gen_map_open(g);
	cli_json_key(g, "kind");
	cli_json_string(g, otto_backend_kind_name(be->kind));
	cli_json_key(g, "name");
	cli_json_string(g, be->name);
	cli_json_key(g, "description");
	cli_json_string(g, be->description);
	cli_json_key(g, "plugin_name");
	cli_json_string(g, be->plugin_name);
	cli_json_key(g, "plugin_version");
	cli_json_string(g, be->plugin_version);
	cli_json_key(g, "path");
	cli_json_string(g, be->path);
	cli_json_key(g, "in_use");
	cli_json_bool(g, be->shadowed_by == NULL);
	cli_json_key(g, "shadowed_by");
	cli_json_string(g, be->shadowed_by);
	cli_json_key(g, "capabilities");
	yajl_gen_array_open(g);
	for (const cli_capability *c = cli_capabilities; c->text; c++)
		if (c->kind == be->kind && (be->capabilities & c->bit))
			cli_json_string(g, c->json);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

static int print_json(const otto_registry *reg)
{
	yajl_gen g = cli_json_begin();
	yajl_gen_map_open(g);
	cli_json_key(g, "folders");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < otto_registry_dir_count(reg); i++) {
		const char *dir = otto_registry_dir(reg, i);
		yajl_gen_map_open(g);
		cli_json_key(g, "path");
		cli_json_string(g, dir);
		cli_json_key(g, "exists");
		cli_json_bool(g, is_dir(dir));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	cli_json_key(g, "plugins");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
		const otto_plugin_info *p = otto_registry_plugin(reg, i);
		yajl_gen_map_open(g);
		cli_json_key(g, "path");
		cli_json_string(g, p->path);
		cli_json_key(g, "status");
		cli_json_string(g, otto_plugin_status_name(p->status));
		cli_json_key(g, "detail");
		cli_json_string(g, p->detail);
		cli_json_key(g, "plugin_name");
		cli_json_string(g, p->plugin_name);
		cli_json_key(g, "plugin_version");
		cli_json_string(g, p->plugin_version);
		cli_json_key(g, "abi_major");
		yajl_gen_integer(g, p->abi_major);
		cli_json_key(g, "abi_minor");
		yajl_gen_integer(g, p->abi_minor);
		cli_json_key(g, "backends");
		yajl_gen_array_open(g);
		for (size_t b = 0; b < p->n_backends; b++)
			json_backend(g, &p->backends[b]);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_end(g);
}

int cli_cmd_plugins(otto_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "inspect") == 0)
		return cli_cmd_plugins_inspect(cli, argc - 2, argv + 2);
	bool json = false, rescan = false;
	const cli_option options[] = {{"--json", &json, NULL}, {"--rescan", &rescan, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "plugins", .usage = usage, .options = options};
	int code = cli_parse_args(&args, argc - 1, argv + 1);
	if (code >= 0)
		return code;
	cli->rescan = rescan;
	otto_registry *reg = cli_registry(cli);
	if (!reg)
		return CLI_EXIT_USAGE;
	if (json)
		return print_json(reg);
	print_text(reg);
	return CLI_EXIT_OK;
}
