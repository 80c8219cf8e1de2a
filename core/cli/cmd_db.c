/*
 * otto db init: create or migrate what the configured backends store (the
 * team store's schema, docs/team-store.md), through their ABI 1.2
 * `prepare`. The reservation backend first, then the lock store, once only
 * when both are the same plugin at the same url. A backend without
 * `prepare` answers "this backend has nothing to prepare". Every line
 * names the backend it is about; any failure makes the exit code 1.
 */
#include "args.h"
#include "commands.h"
#include "text.h"

#include <otto/lock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: otto db init\n"
	"\n"
	"Create or migrate what the configured reservation backend ([reservations] backend) and\n"
	"lock store ([locks] store) keep, e.g. the tables of the postgres team store\n"
	"(docs/team-store.md). Safe to run again: a second run changes nothing and says so.\n"
	"Each backend is prepared once: a lock store in the same plugin at the same url as the\n"
	"reservation backend was prepared with it. Backends that keep nothing of their own say\n"
	"\"this backend has nothing to prepare\". A database whose schema is newer than the plugin\n"
	"understands is refused and left untouched.\n"
	"\n"
	"Exit codes: 0 every backend is ready; 1 one could not be prepared; 2 usage or settings.\n";

static const char usage_family[] =
	"Usage: otto db init\n"
	"\n"
	"  init   create or migrate what the configured backends store (see 'otto db init --help')\n";

static void print_done(const char *label, const otto_strlist *done)
{
	for (size_t i = 0; i < done->count; i++)
		cli_line(stdout, "%s: %s", label, done->items[i]);
	if (done->count == 0)
		cli_line(stdout, "%s: prepared", label);
}

/* The plugin file a backend comes from, or NULL for a built-in. */
static const char *plugin_of(otto_registry *reg, otto_backend_kind kind, const char *name)
{
	const otto_backend_info *be = name ? otto_registry_find(reg, kind, name) : NULL;
	return be && be->path && be->path[0] == '/' ? be->path : NULL;
}

static bool same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int db_init(otto_cli *cli)
{
	otto_error err = {0};
	otto_reservation_backend *backend = NULL;
	otto_strlist done = {0};
	int code = CLI_EXIT_OK;
	bool res_prepared = false;

	otto_settings *s = cli_settings(cli);
	otto_registry *reg = s ? cli_registry(cli) : NULL;
	if (!reg)
		return CLI_EXIT_USAGE;
	const char *res_name = otto_settings_reservation_backend(s);

	/* The reservation backend. */
	int rc = cli_open_reservation(cli, &backend);
	if (rc != CLI_EXIT_OK)
		return rc;
	char *label = NULL;
	if (asprintf(&label, "reservation backend '%s'", res_name) < 0)
		label = NULL;
	if (!otto_reservation_backend_can_prepare(backend)) {
		cli_line(stdout, "%s: this backend has nothing to prepare", label ? label : res_name);
	} else if (otto_reservation_backend_prepare(backend, &done, &err) == OTTO_OK) {
		print_done(label ? label : res_name, &done);
		res_prepared = true;
	} else {
		code = cli_fail(&err);
	}
	otto_strlist_free(&done);
	free(label);
	code = cli_close_reservation(backend, code);

	/* The lock store. */
	otto_lock_options o;
	char *owned_dir = NULL;
	otto_lock_options_init(&o);
	if (otto_lock_options_from_settings(&o, s, &owned_dir, &err) != OTTO_OK) {
		int c = cli_fail(&err);
		free(owned_dir);
		return code != CLI_EXIT_OK ? code : c;
	}
	o.registry = reg;
	const char *store = o.store ? o.store : "files";
	const char *res_plugin = plugin_of(reg, OTTO_KIND_RESERVATION, res_name);
	const char *store_plugin = plugin_of(reg, OTTO_KIND_LOCK_STORE, o.store);
	if (res_prepared && same_text(res_plugin, store_plugin) && same_text(otto_settings_reservation_url(s), o.url)) {
		cli_line(stdout, "lock store '%s': prepared with reservation backend '%s' (same plugin, same url)", store,
			 res_name);
	} else {
		rc = otto_lock_store_prepare(&o, &done, &err);
		if (rc == OTTO_OK) {
			char *store_label = NULL;
			if (asprintf(&store_label, "lock store '%s'", store) < 0)
				store_label = NULL;
			print_done(store_label ? store_label : store, &done);
			free(store_label);
		} else if (rc == OTTO_ENOTSUPPORTED) {
			cli_line(stdout, "lock store '%s': this backend has nothing to prepare", store);
		} else {
			int c = cli_fail(&err);
			if (code == CLI_EXIT_OK)
				code = c;
		}
		otto_strlist_free(&done);
	}
	free(owned_dir);
	return code;
}

int cli_cmd_db(otto_cli *cli, int argc, char **argv)
{
	static const char *const subcommands[] = {"init", NULL};
	if (argc < 2 || strcmp(argv[1], "init") != 0)
		return cli_family_usage("db", usage_family, subcommands, argc, argv);
	const cli_option options[] = {{NULL, NULL, NULL}};
	cli_args args = {.command = "db init", .usage = usage, .options = options};
	int code = cli_parse_args(&args, argc - 2, argv + 2);
	if (code >= 0)
		return code;
	return db_init(cli);
}
