/*
 * otto db init: create or migrate what the configured backends store (the
 * team store's schema, docs/team-store.md), through their ABI 1.2
 * `prepare`. The reservation backend first, then the lock store, once only
 * when both are the same plugin at the same url. A backend without
 * `prepare` answers "this backend has nothing to prepare". Every line
 * names the backend it is about; any failure makes the exit code 1.
 * --json prints the same as one document once both were tried (errors
 * stay on stderr).
 */
#include "args.h"
#include "commands.h"
#include "json_out.h"
#include "text.h"

#include <otto/lock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: otto db init [--json]\n"
	"\n"
	"Create or migrate what the configured reservation backend ([reservations] backend) and\n"
	"lock store ([locks] store) keep, e.g. the tables of the postgres team store\n"
	"(docs/team-store.md). Safe to run again: a second run changes nothing and says so.\n"
	"Each backend is prepared once: a lock store in the same plugin at the same url as the\n"
	"reservation backend was prepared with it. Backends that keep nothing of their own say\n"
	"\"this backend has nothing to prepare\". A database whose schema is newer than the plugin\n"
	"understands is refused and left untouched.\n"
	"\n"
	"  --json   print {\"backends\": [{\"kind\", \"name\", \"status\", \"with\", \"steps\", \"summary\"}]}:\n"
	"           status \"prepared\", \"nothing to prepare\", \"prepared with\" (the reservation\n"
	"           backend named in \"with\") or \"failed\" (the error is on stderr); \"steps\" what was\n"
	"           done (empty when up to date), \"summary\" the backend's last line, saying where\n"
	"\n"
	"Exit codes: 0 every backend is ready; 1 one could not be prepared; 2 usage or settings.\n";

static const char usage_family[] =
	"Usage: otto db init [--json]\n"
	"\n"
	"  init   create or migrate what the configured backends store (see 'otto db init --help')\n";

/* What happened to one backend, printed once both were tried. */
typedef enum prep_status { PREP_DONE, PREP_NOTHING, PREP_WITH, PREP_FAILED } prep_status;

typedef struct prep_result {
	otto_backend_kind kind;
	const char *name;
	prep_status status;
	otto_strlist done; /* PREP_DONE: every line prepare added, the summary last */
	const char *with;  /* PREP_WITH: the reservation backend it was prepared with */
} prep_result;

static const char *const status_names[] = {"prepared", "nothing to prepare", "prepared with", "failed"};

/* "reservation backend" or "lock store", as every line of db init names it. */
static const char *kind_label(otto_backend_kind kind)
{
	return kind == OTTO_KIND_RESERVATION ? "reservation backend" : otto_backend_kind_name(kind);
}

static void print_text(const prep_result *r)
{
	const char *kind = kind_label(r->kind);
	switch (r->status) {
	case PREP_DONE:
		for (size_t i = 0; i < r->done.count; i++)
			cli_line(stdout, "%s '%s': %s", kind, r->name, r->done.items[i]);
		if (r->done.count == 0)
			cli_line(stdout, "%s '%s': prepared", kind, r->name);
		break;
	case PREP_NOTHING:
		cli_line(stdout, "%s '%s': this backend has nothing to prepare", kind, r->name);
		break;
	case PREP_WITH:
		cli_line(stdout, "%s '%s': prepared with reservation backend '%s' (same plugin, same url)", kind,
			 r->name, r->with);
		break;
	case PREP_FAILED: /* said on stderr when it happened */
		break;
	}
}

/* The plugin's lines are its steps, then one summary (plugin.h, prepare):
 * a single line is a summary with nothing done ("up to date"). */
static int print_json(const prep_result *results, size_t n)
{
	yajl_gen g = cli_json_begin();
	yajl_gen_map_open(g);
	cli_json_key(g, "backends");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		const prep_result *r = &results[i];
		size_t lines = r->status == PREP_DONE ? r->done.count : 0;
		yajl_gen_map_open(g);
		cli_json_key(g, "kind");
		cli_json_string(g, otto_backend_kind_name(r->kind));
		cli_json_key(g, "name");
		cli_json_string(g, r->name);
		cli_json_key(g, "status");
		cli_json_string(g, status_names[r->status]);
		cli_json_key(g, "with");
		cli_json_string(g, r->status == PREP_WITH ? r->with : NULL);
		cli_json_key(g, "steps");
		yajl_gen_array_open(g);
		for (size_t k = 0; k + 1 < lines; k++)
			cli_json_string(g, r->done.items[k]);
		yajl_gen_array_close(g);
		cli_json_key(g, "summary");
		cli_json_string(g, lines ? r->done.items[lines - 1] : NULL);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_end(g);
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

/* Prepare the lock store unless the reservation backend `res` already did. */
static int prepare_store(otto_settings *s, otto_registry *reg, const prep_result *res, prep_result *out)
{
	otto_error err = {0};
	otto_lock_options o;
	char *owned_dir = NULL;
	int code = CLI_EXIT_OK;
	otto_lock_options_init(&o);
	if (otto_lock_options_from_settings(&o, s, &owned_dir, &err) != OTTO_OK) {
		code = cli_fail(&err);
		goto done;
	}
	o.registry = reg;
	out->kind = OTTO_KIND_LOCK_STORE;
	out->name = o.store ? o.store : "files";
	const char *res_plugin = plugin_of(reg, OTTO_KIND_RESERVATION, res->name);
	const char *store_plugin = plugin_of(reg, OTTO_KIND_LOCK_STORE, o.store);
	if (res->status == PREP_DONE && same_text(res_plugin, store_plugin) &&
	    same_text(otto_settings_reservation_url(s), o.url)) {
		out->status = PREP_WITH;
		out->with = res->name;
		goto done;
	}
	int rc = otto_lock_store_prepare(&o, &out->done, &err);
	if (rc == OTTO_OK) {
		out->status = PREP_DONE;
	} else if (rc == OTTO_ENOTSUPPORTED) {
		out->status = PREP_NOTHING;
	} else {
		out->status = PREP_FAILED;
		code = cli_fail(&err);
	}
done:
	free(owned_dir);
	return code;
}

static int db_init(otto_cli *cli, bool json)
{
	otto_error err = {0};
	otto_reservation_backend *backend = NULL;
	prep_result results[2];
	size_t n = 0;
	memset(results, 0, sizeof results);

	otto_settings *s = cli_settings(cli);
	otto_registry *reg = s ? cli_registry(cli) : NULL;
	if (!reg)
		return CLI_EXIT_USAGE;

	/* The reservation backend. */
	int code = cli_open_reservation(cli, &backend);
	if (code != CLI_EXIT_OK)
		return code;
	prep_result *res = &results[n++];
	res->kind = OTTO_KIND_RESERVATION;
	res->name = otto_settings_reservation_backend(s);
	if (!otto_reservation_backend_can_prepare(backend)) {
		res->status = PREP_NOTHING;
	} else if (otto_reservation_backend_prepare(backend, &res->done, &err) == OTTO_OK) {
		res->status = PREP_DONE;
	} else {
		res->status = PREP_FAILED;
		code = cli_fail(&err);
	}
	code = cli_close_reservation(backend, code);

	/* The lock store ([locks] settings: names borrowed from `s`). */
	int store_code = prepare_store(s, reg, res, &results[n]);
	bool store_answered = results[n].name != NULL;
	if (store_answered)
		n++;
	if (code == CLI_EXIT_OK)
		code = store_code;

	if (json) {
		/* A settings error of [locks] leaves no answer to print. */
		if (store_answered) {
			int c = print_json(results, n);
			if (code == CLI_EXIT_OK)
				code = c;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			print_text(&results[i]);
	}
	for (size_t i = 0; i < n; i++)
		otto_strlist_free(&results[i].done);
	return code;
}

int cli_cmd_db(otto_cli *cli, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "init") != 0)
		return cli_family_usage("db", usage_family, argc, argv);
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "db init", .usage = usage, .options = options};
	int code = cli_parse_args(&args, argc - 2, argv + 2);
	if (code >= 0)
		return code;
	return db_init(cli, json);
}
