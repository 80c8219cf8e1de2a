/*
 * otto reservation whoami | held | who RESOURCE | check --lab LAB: the
 * configured reservation backend (a read-only view of who holds what).
 */
#include "args.h"
#include "commands.h"
#include "json_out.h"
#include "table.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char family_usage[] =
	"Usage: otto reservation COMMAND\n"
	"\n"
	"Who holds which resource, from the reservation backend selected by [reservations] backend\n"
	"in the settings (\"none\" when unset).\n"
	"\n"
	"  whoami                                    the user otto acts for\n"
	"  held [--json]                             the resources the user holds, sorted, one a line\n"
	"  who RESOURCE [--json]                     the holders of RESOURCE, one a line\n"
	"  check --lab LAB [--skip-reservation-check]\n"
	"                                            fail (exit 1) unless the user holds every resource\n"
	"                                            LAB requires\n"
	"\n"
	"Run 'otto reservation COMMAND --help' for a command's options.\n";

static const char whoami_usage[] =
	"Usage: otto reservation whoami\n"
	"\n"
	"Print the user otto acts for: --as-user, else $LOGNAME, $USER, $LNAME, $USERNAME,\n"
	"else the passwd entry of the current uid.\n";

static const char held_usage[] =
	"Usage: otto reservation held [--json]\n"
	"\n"
	"Print the resources the user (see 'otto reservation whoami') holds now, sorted, one a line.\n"
	"\n"
	"  --json   {\"user\": ..., \"backend\": ..., \"resources\": [...]}\n";

static const char who_usage[] =
	"Usage: otto reservation who RESOURCE [--json]\n"
	"\n"
	"Print every current holder of RESOURCE, one a line, in the backend's order. Nothing is\n"
	"printed on stdout for a resource nobody holds (a note goes to stderr).\n"
	"\n"
	"  --json   {\"resource\": ..., \"backend\": ..., \"holders\": [...]}\n";

static const char check_usage[] =
	"Usage: otto reservation check --lab LAB [--skip-reservation-check]\n"
	"\n"
	"Check that the user holds every resource LAB requires (the lab's resources plus every\n"
	"host's). Exit 0 when they do, 1 with the missing resources and their holders when not.\n"
	"A backend that cannot be created or cannot answer fails the check (fail closed).\n"
	"\n"
	"  --lab LAB                  the lab to check (required)\n"
	"  --skip-reservation-check   do not ask the backend; print a warning naming the user,\n"
	"                             the lab and its required resources, and exit 0\n";

static int open_backend(otto_cli *cli, otto_reservation_backend **backend)
{
	otto_error err = {0};
	otto_settings *settings = cli_settings(cli);
	otto_registry *reg = settings ? cli_registry(cli) : NULL;
	if (!reg)
		return CLI_EXIT_USAGE;
	if (otto_reservation_backend_open_from_settings(backend, reg, settings, &err) != OTTO_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

static const char *backend_label(otto_reservation_backend *backend)
{
	const char *name = otto_reservation_backend_name(backend);
	return name ? name : "?";
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int whoami(otto_cli *cli, int argc, char **argv)
{
	cli_args args = {.command = "reservation whoami", .usage = whoami_usage};
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	char *user = cli_user(cli);
	if (!user)
		return CLI_EXIT_USAGE;
	cli_line(stdout, "%s", user);
	free(user);
	return CLI_EXIT_OK;
}

static int held(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation held", .usage = held_usage, .options = options};
	otto_reservation_backend *backend = NULL;
	otto_strlist resources = {0};
	otto_error err = {0};
	char *user = NULL;
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if (!(user = cli_user(cli)))
		return CLI_EXIT_USAGE;
	if ((code = open_backend(cli, &backend)) != CLI_EXIT_OK)
		goto out;
	if (otto_reservation_backend_reserved_resources(backend, user, &resources, &err) != OTTO_OK) {
		code = cli_fail(&err);
		goto out;
	}
	if (resources.count > 1)
		qsort(resources.items, resources.count, sizeof *resources.items, compare_strings);
	if (json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_map_open(g);
		cli_json_key(g, "user");
		cli_json_string(g, user);
		cli_json_key(g, "backend");
		cli_json_string(g, backend_label(backend));
		cli_json_key(g, "resources");
		cli_json_strlist(g, &resources);
		yajl_gen_map_close(g);
		code = cli_json_end(g);
	} else {
		for (size_t i = 0; i < resources.count; i++)
			cli_line(stdout, "%s", resources.items[i]);
	}
out:
	otto_strlist_free(&resources);
	code = cli_close_reservation(backend, code);
	free(user);
	return code;
}

static int who(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation who", .usage = who_usage, .options = options,
			 .positional_names = "RESOURCE", .min_positional = 1, .max_positional = 1};
	otto_reservation_backend *backend = NULL;
	otto_strlist holders = {0};
	otto_error err = {0};
	const char *resource;
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	resource = args.positional[0];
	if ((code = open_backend(cli, &backend)) != CLI_EXIT_OK)
		return code;
	if (otto_reservation_backend_who_reserved(backend, resource, &holders, &err) != OTTO_OK) {
		code = cli_fail(&err);
	} else if (json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_map_open(g);
		cli_json_key(g, "resource");
		cli_json_string(g, resource);
		cli_json_key(g, "backend");
		cli_json_string(g, backend_label(backend));
		cli_json_key(g, "holders");
		cli_json_strlist(g, &holders);
		yajl_gen_map_close(g);
		code = cli_json_end(g);
	} else {
		for (size_t i = 0; i < holders.count; i++)
			cli_line(stdout, "%s", holders.items[i]);
		if (holders.count == 0)
			cli_line(stderr, "otto: nobody holds '%s' (reservation backend '%s').", resource,
				 backend_label(backend));
	}
	otto_strlist_free(&holders);
	return cli_close_reservation(backend, code);
}

/* The resources the check would ask for: the lab's plus every host's. */
static char *required_resources(const otto_lab *lab)
{
	size_t count = lab->resources.count;
	for (size_t i = 0; i < lab->n_hosts; i++)
		count += lab->hosts[i].resources.count;
	char **all = calloc(count ? count : 1, sizeof *all);
	size_t n = 0;
	if (!all)
		return NULL;
	for (size_t i = 0; i < lab->resources.count; i++)
		all[n++] = lab->resources.items[i];
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t r = 0; r < lab->hosts[i].resources.count; r++)
			all[n++] = lab->hosts[i].resources.items[r];
	if (n > 1)
		qsort(all, n, sizeof *all, compare_strings);
	size_t unique = 0;
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || strcmp(all[unique - 1], all[i]) != 0)
			all[unique++] = all[i];
	char *joined = unique ? cli_join(all, unique, ", ") : strdup("(none)");
	free(all);
	return joined;
}

static int run_check(otto_cli *cli, const otto_lab *lab, const char *user)
{
	otto_reservation_backend *backend = NULL;
	otto_check_result result = {0};
	otto_error err = {0};
	int code = open_backend(cli, &backend);
	if (code != CLI_EXIT_OK) {
		cli_line(stderr, "otto: the reservation check of lab '%s' for user '%s' did not run; failing closed "
				 "(use --skip-reservation-check only in an emergency).",
			 lab->name, user);
		return code;
	}
	if (otto_reservation_check(backend, lab, user, &result, &err) != OTTO_OK) {
		code = cli_fail(&err);
		cli_line(stderr, "otto: the reservation check of lab '%s' for user '%s' could not get an answer; "
				 "failing closed.",
			 lab->name, user);
	} else if (!result.ok) {
		/* libotto escaped every name in it; its newlines are its own lines. */
		fprintf(stderr, "otto: %s\n", result.message ? result.message : "the reservation check failed");
		code = CLI_EXIT_FAILED;
	} else if (result.required.count == 0) {
		cli_line(stdout, "Lab '%s' requires no resources: nothing to check.", lab->name);
	} else {
		char *joined = cli_join(result.required.items, result.required.count, ", ");
		cli_line(stdout, "User '%s' holds every resource lab '%s' requires: %s.", user, lab->name, joined);
		free(joined);
	}
	otto_check_result_free(&result);
	return cli_close_reservation(backend, code);
}

static int check(otto_cli *cli, int argc, char **argv)
{
	bool skip = false;
	const char *lab_name = NULL;
	const cli_option options[] = {
		{"--lab", NULL, &lab_name}, {"--skip-reservation-check", &skip, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation check", .usage = check_usage, .options = options};
	otto_lab_repository *repo = NULL;
	otto_lab *lab = NULL;
	otto_error err = {0};
	otto_settings *settings;
	otto_registry *reg;
	char *user = NULL;
	int code = cli_parse_args(&args, argc, argv), rc;
	if (code >= 0)
		return code;
	if (!lab_name)
		return cli_usage_error("reservation check", "missing --lab LAB");
	if (!(user = cli_user(cli)))
		return CLI_EXIT_USAGE;
	settings = cli_settings(cli);
	reg = settings ? cli_registry(cli) : NULL;
	if (!reg) {
		code = CLI_EXIT_USAGE;
		goto out;
	}
	if (otto_lab_repository_open_from_settings(&repo, reg, settings, &err) != OTTO_OK) {
		code = cli_fail(&err);
		goto out;
	}
	rc = otto_lab_repository_load_lab(repo, lab_name, NULL, &lab, &err);
	if (rc != OTTO_OK) {
		code = cli_fail(&err);
		goto out;
	}
	if (skip) {
		char *required = required_resources(lab);
		cli_line(stderr,
			 "otto: warning: reservation check SKIPPED (--skip-reservation-check): user '%s' was not "
			 "checked for lab '%s', which requires: %s.",
			 user, lab->name, required ? required : "(unknown)");
		free(required);
		code = CLI_EXIT_OK;
		goto out;
	}
	code = run_check(cli, lab, user);
out:
	otto_lab_free(lab);
	code = cli_close_lab(repo, code);
	free(user);
	return code;
}

int cli_cmd_reservation(otto_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "whoami") == 0)
		return whoami(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "held") == 0)
		return held(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "who") == 0)
		return who(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return check(cli, argc - 2, argv + 2);
	return cli_family_usage("reservation", family_usage, argc, argv);
}
