/*
 * otto reservation whoami | held | who RESOURCE | check --lab LAB: the
 * configured reservation backend's view of who holds what. reserve and
 * cancel, which write, live in cmd_reservation_write.c.
 */
#include "args.h"
#include "commands.h"
#include "json_out.h"
#include "names.h"
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
	"  whoami [--json]                           the user otto acts for\n"
	"  held [--windows] [--json]                 the resources the user holds (and until when)\n"
	"  who RESOURCE [--json]                     the holders of RESOURCE, one a line\n"
	"  users [--json]                            every user the backend knows\n"
	"  check --lab LAB [--skip-reservation-check] [--json]\n"
	"                                            fail (exit 1) unless the user holds every resource\n"
	"                                            LAB requires\n"
	"  reserve RESOURCE... [--from TIME] (--for DURATION | --until TIME) [--shared] [--json]\n"
	"                                            reserve in your own name (a backend that can write)\n"
	"  cancel RESOURCE... [--from TIME] [--force] [--json]\n"
	"                                            cancel your reservations from TIME (default now)\n"
	"\n"
	"Run 'otto reservation COMMAND --help' for a command's options.\n";

static const char whoami_usage[] =
	"Usage: otto reservation whoami [--json]\n"
	"\n"
	"Print the user otto acts for: --as-user, else $LOGNAME, $USER, $LNAME, $USERNAME,\n"
	"else the passwd entry of the current uid.\n"
	"\n"
	"  --json   {\"user\": ..., \"source\": ...} (source: --as-user, LOGNAME, USER, LNAME,\n"
	"           USERNAME or passwd)\n";

static const char who_usage[] =
	"Usage: otto reservation who RESOURCE [--json]\n"
	"\n"
	"Print every current holder of RESOURCE, one a line, in the backend's order. Nothing is\n"
	"printed on stdout for a resource nobody holds (a note goes to stderr).\n"
	"\n"
	"  --json   {\"resource\": ..., \"backend\": ..., \"holders\": [...]}\n";

static const char check_usage[] =
	"Usage: otto reservation check --lab LAB [--skip-reservation-check] [--json]\n"
	"\n"
	"Check that the user holds every resource LAB requires (the lab's resources plus every\n"
	"host's). Exit 0 when they do, 1 with the missing resources and their holders when not.\n"
	"A backend that cannot be created or cannot answer fails the check (fail closed).\n"
	"\n"
	"  --lab LAB                  the lab to check (required)\n"
	"  --skip-reservation-check   do not ask the backend; print a warning naming the user,\n"
	"                             the lab and its required resources, and exit 0\n"
	"  --json                     also print the verdict on stdout: {\"lab\", \"user\", \"backend\",\n"
	"                             \"verdict\", \"ok\", \"required\", \"missing\": [{\"resource\",\n"
	"                             \"holders\"}]} (same exit code)\n";

static int whoami(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation whoami", .usage = whoami_usage, .options = options};
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	char *user = cli_user(cli);
	if (!user)
		return CLI_EXIT_USAGE;
	if (json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_map_open(g);
		cli_json_key(g, "user");
		cli_json_string(g, user);
		cli_json_key(g, "source");
		cli_json_string(g, cli_user_source(cli));
		yajl_gen_map_close(g);
		code = cli_json_end(g);
	} else {
		cli_line(stdout, "%s", user);
		code = CLI_EXIT_OK;
	}
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
	if ((code = cli_open_reservation(cli, &backend)) != CLI_EXIT_OK)
		return code;
	if (otto_reservation_backend_who_reserved(backend, resource, &holders, &err) != OTTO_OK) {
		code = cli_fail(&err);
	} else if (json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_map_open(g);
		cli_json_key(g, "resource");
		cli_json_string(g, resource);
		cli_json_key(g, "backend");
		cli_json_string(g, cli_backend_label(backend));
		cli_json_key(g, "holders");
		cli_json_strlist(g, &holders);
		yajl_gen_map_close(g);
		code = cli_json_end(g);
	} else {
		for (size_t i = 0; i < holders.count; i++)
			cli_line(stdout, "%s", holders.items[i]);
		if (holders.count == 0)
			cli_line(stderr, "otto: nobody holds '%s' (reservation backend '%s').", resource,
				 cli_backend_label(backend));
	}
	otto_strlist_free(&holders);
	return cli_close_reservation(backend, code);
}

/* The resources the check would ask for: the lab's plus every host's,
 * sorted, unique, borrowed from the lab. */
static otto_strlist required_resources(const otto_lab *lab)
{
	size_t count = lab->resources.count;
	for (size_t i = 0; i < lab->n_hosts; i++)
		count += lab->hosts[i].resources.count;
	char **all = calloc(count ? count : 1, sizeof *all);
	size_t n = 0;
	if (!all)
		abort();
	for (size_t i = 0; i < lab->resources.count; i++)
		all[n++] = lab->resources.items[i];
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t r = 0; r < lab->hosts[i].resources.count; r++)
			all[n++] = lab->hosts[i].resources.items[r];
	if (n > 1)
		qsort(all, n, sizeof *all, cli_natural_compare_ptrs);
	size_t unique = 0;
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || strcmp(all[unique - 1], all[i]) != 0)
			all[unique++] = all[i];
	return (otto_strlist){.count = unique, .items = all};
}

static int compare_missing(const void *a, const void *b)
{
	return cli_natural_compare(((const otto_missing_resource *)a)->resource,
				   ((const otto_missing_resource *)b)->resource);
}

/* check --json: the verdict ("pass", "fail" or "skipped") on stdout. */
static int check_json(const otto_lab *lab, const char *user, const char *backend, const char *verdict,
		      const otto_strlist *required, const otto_missing_resource *missing, size_t n_missing)
{
	yajl_gen g = cli_json_begin_answer(lab->name, user, backend);
	cli_json_key(g, "verdict");
	cli_json_string(g, verdict);
	cli_json_key(g, "ok");
	cli_json_bool(g, strcmp(verdict, "fail") != 0);
	cli_json_key(g, "required");
	cli_json_strlist(g, required);
	cli_json_key(g, "missing");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n_missing; i++) {
		yajl_gen_map_open(g);
		cli_json_key(g, "resource");
		cli_json_string(g, missing[i].resource);
		cli_json_key(g, "holders");
		cli_json_strlist(g, &missing[i].holders);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_end(g);
}

static int run_check(otto_cli *cli, const otto_lab *lab, const char *user, bool json)
{
	otto_reservation_backend *backend = NULL;
	otto_check_result result = {0};
	int code = cli_open_reservation_check(cli, lab, user, &backend, &result);
	if (code != CLI_EXIT_OK && !backend) {
		cli_line(stderr, "otto: the reservation check of lab '%s' for user '%s' did not run; failing closed "
				 "(use --skip-reservation-check only in an emergency).",
			 lab->name, user);
		goto out;
	}
	if (code != CLI_EXIT_OK) {
		cli_line(stderr, "otto: the reservation check of lab '%s' for user '%s' could not get an answer; "
				 "failing closed.",
			 lab->name, user);
		goto out;
	}
	if (result.n_missing > 1)
		qsort(result.missing, result.n_missing, sizeof *result.missing, compare_missing);
	if (!result.ok) {
		/* libotto escaped every name in it; its newlines are its own lines. */
		fprintf(stderr, "otto: %s\n", result.message ? result.message : "the reservation check failed");
		code = CLI_EXIT_FAILED;
	}
	if (json) {
		int written = check_json(lab, user, cli_backend_label(backend), result.ok ? "pass" : "fail",
					 &result.required, result.missing, result.n_missing);
		if (code == CLI_EXIT_OK)
			code = written;
	} else if (!result.ok) {
		/* said on stderr above */
	} else if (result.required.count == 0) {
		cli_line(stdout, "Lab '%s' requires no resources: nothing to check.", lab->name);
	} else {
		char *joined = cli_join(result.required.items, result.required.count, ", ");
		cli_line(stdout, "User '%s' holds every resource lab '%s' requires: %s.", user, lab->name, joined);
		free(joined);
	}
out:
	otto_check_result_free(&result);
	return cli_close_reservation(backend, code);
}

static int check(otto_cli *cli, int argc, char **argv)
{
	bool skip = false, json = false;
	const char *lab_name = NULL;
	const cli_option options[] = {{"--lab", NULL, &lab_name},
				      {"--skip-reservation-check", &skip, NULL},
				      {"--json", &json, NULL},
				      {NULL, NULL, NULL}};
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
		otto_strlist required = required_resources(lab);
		char *joined = required.count ? cli_join(required.items, required.count, ", ") : strdup("(none)");
		cli_line(stderr,
			 "otto: warning: reservation check SKIPPED (--skip-reservation-check): user '%s' was not "
			 "checked for lab '%s', which requires: %s.",
			 user, lab->name, joined ? joined : "(unknown)");
		free(joined);
		code = json ? check_json(lab, user, NULL, "skipped", &required, NULL, 0) : CLI_EXIT_OK;
		free(required.items); /* the names are the lab's */
		goto out;
	}
	code = run_check(cli, lab, user, json);
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
		return cli_reservation_held(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "users") == 0)
		return cli_reservation_users(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "who") == 0)
		return who(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return check(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "reserve") == 0)
		return cli_reservation_reserve(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "cancel") == 0)
		return cli_reservation_cancel(cli, argc - 2, argv + 2);
	return cli_family_usage("reservation", family_usage, argc, argv);
}
