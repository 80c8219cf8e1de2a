/*
 * otto lab list | show LAB | hosts [--lab LAB]: the configured lab repository.
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
	"Usage: otto lab COMMAND\n"
	"\n"
	"Labs and hosts from the lab repository selected by [lab] backend in the settings.\n"
	"\n"
	"  list [--json]               the lab names, sorted, one a line\n"
	"  show LAB [--json]           the lab's resources and hosts\n"
	"  hosts [--lab LAB] [--json]  every host (or those of LAB) with the labs it is in\n"
	"  status LAB [--json]         every resource LAB needs, who holds it until when, and\n"
	"                              whether you may run on it\n"
	"\n"
	"Run 'otto lab COMMAND --help' for a command's options.\n";

static const char list_usage[] =
	"Usage: otto lab list [--json]\n"
	"\n"
	"Print the name of every lab the configured lab repository provides, in natural order\n"
	"(bench2 before bench10), one a line.\n"
	"\n"
	"  --json   {\"backend\": ..., \"labs\": [...]}\n";

static const char show_usage[] =
	"Usage: otto lab show LAB [--json] [--show-passwords]\n"
	"\n"
	"Print the lab's resources (what must be reserved to use it) and its hosts: id, ip,\n"
	"element and resources. An unknown lab is an error (exit 1).\n"
	"\n"
	"  --json             the full host records: id, key, ip, element, element_id, board, slot,\n"
	"                     os_type, resources, labs, docker_capable, creds (logins only) and every\n"
	"                     other field of the record\n"
	"  --show-passwords   with --json, include the credentials' passwords\n";

static const char hosts_usage[] =
	"Usage: otto lab hosts [--lab LAB] [--json]\n"
	"\n"
	"Print every host of every lab once, with the labs it belongs to (id, ip, element, labs),\n"
	"sorted by id. Uses the backend's host summaries when it offers them, else loads every lab.\n"
	"\n"
	"  --lab LAB   only the hosts of LAB (an unknown lab is an error, exit 1)\n"
	"  --json      a JSON array of {id, labs, ip, element, element_id, docker_capable}\n";

static int lab_list(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "lab list", .usage = list_usage, .options = options};
	otto_lab_repository *repo = NULL;
	otto_strlist labs = {0};
	otto_error err = {0};
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if ((code = cli_open_lab(cli, &repo)) != CLI_EXIT_OK)
		return code;
	if (otto_lab_repository_list_labs(repo, &labs, &err) != OTTO_OK) {
		code = cli_fail(&err);
		goto out;
	}
	cli_sort_names(&labs);
	size_t unique = 0;
	for (size_t i = 0; i < labs.count; i++) {
		if (unique && strcmp(labs.items[i], labs.items[unique - 1]) == 0) {
			free(labs.items[i]);
			continue;
		}
		labs.items[unique++] = labs.items[i];
	}
	labs.count = unique;
	if (json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_map_open(g);
		cli_json_key(g, "backend");
		cli_json_string(g, otto_lab_repository_name(repo));
		cli_json_key(g, "labs");
		cli_json_strlist(g, &labs);
		yajl_gen_map_close(g);
		code = cli_json_end(g);
	} else {
		for (size_t i = 0; i < labs.count; i++)
			cli_line(stdout, "%s", labs.items[i]);
	}
out:
	otto_strlist_free(&labs);
	return cli_close_lab(repo, code);
}

static int compare_hosts(const void *a, const void *b)
{
	return cli_natural_compare((*(const otto_host_rec *const *)a)->id, (*(const otto_host_rec *const *)b)->id);
}

/* The lab's hosts in natural order of id (the lab itself is read only). */
static const otto_host_rec **hosts_in_order(const otto_lab *lab)
{
	const otto_host_rec **order = calloc(lab->n_hosts ? lab->n_hosts : 1, sizeof *order);
	if (!order)
		abort();
	for (size_t i = 0; i < lab->n_hosts; i++)
		order[i] = &lab->hosts[i];
	if (lab->n_hosts > 1)
		qsort(order, lab->n_hosts, sizeof *order, compare_hosts);
	return order;
}

/* A list's names in natural order, borrowed. */
static char **names_in_order(const otto_strlist *list)
{
	char **order = calloc(list->count ? list->count : 1, sizeof *order);
	if (!order)
		abort();
	for (size_t i = 0; i < list->count; i++)
		order[i] = list->items[i];
	if (list->count > 1)
		qsort(order, list->count, sizeof *order, cli_natural_compare_ptrs);
	return order;
}

static void show_text(const otto_lab *lab)
{
	static const char *const header[] = {"ID", "IP", "ELEMENT", "RESOURCES"};
	char **sorted = names_in_order(&lab->resources);
	char *resources = cli_join(sorted, lab->resources.count, ", ");
	const otto_host_rec **order = hosts_in_order(lab);
	cli_table table;
	free(sorted);
	cli_line(stdout, "Lab:       %s", lab->name);
	cli_line(stdout, "Resources: %s", resources);
	cli_line(stdout, "Hosts:     %zu", lab->n_hosts);
	free(resources);
	if (lab->n_hosts == 0) {
		free(order);
		return;
	}
	cli_table_init(&table, 4, header);
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const otto_host_rec *h = order[i];
		char **host_sorted = names_in_order(&h->resources);
		char *host_resources = cli_join(host_sorted, h->resources.count, ",");
		free(host_sorted);
		const char *row[] = {h->id, h->ip[0] ? h->ip : "-", h->element, host_resources};
		cli_table_add(&table, row);
		free(host_resources);
	}
	free(order);
	printf("\n");
	cli_table_print(&table, "  ");
	if (lab->n_links == 0)
		return;
	/* One line per link: "carrot_seed:eth2 <-> tomato_seed:eth2 (udp)". */
	printf("\nLinks:\n");
	for (size_t i = 0; i < lab->n_links; i++) {
		const otto_link_rec *l = &lab->links[i];
		cli_linebuf line;
		cli_linebuf_open(&line);
		fputc(' ', line.f);
		for (size_t e = 0; e < l->n_endpoints; e++) {
			const otto_link_endpoint_rec *ep = &l->endpoints[e];
			fprintf(line.f, "%s%s%s%s", e ? " <-> " : " ", ep->host, ep->interface ? ":" : "",
				ep->interface ? ep->interface : "");
		}
		if (l->protocol)
			fprintf(line.f, " (%s)", l->protocol);
		cli_linebuf_print(&line, stdout);
	}
}

/* A host or link object of `lab show --json`: {"hosts": [{...}]}. */
#define JSON_RECORD_DEPTH 3

/* Fields otto writes itself; a record's extra field of the same name is
 * shadowed by ours. */
static const char *const host_fields[] = {"id", "key", "ip", "element", "element_id", "board", "slot", "os_type",
					  "resources", "labs", "docker_capable", "creds", NULL};

static void json_host(yajl_gen g, const otto_host_rec *h, bool show_passwords)
{
	yajl_gen_map_open(g);
	cli_json_key(g, "id");
	cli_json_string(g, h->id);
	cli_json_key(g, "key");
	cli_json_string(g, h->key);
	cli_json_key(g, "ip");
	cli_json_string(g, h->ip);
	cli_json_key(g, "element");
	cli_json_string(g, h->element);
	cli_json_key(g, "element_id");
	cli_json_number(g, h->element_id);
	cli_json_key(g, "board");
	cli_json_string(g, h->board);
	cli_json_key(g, "slot");
	cli_json_number(g, h->slot);
	cli_json_key(g, "os_type");
	cli_json_string(g, h->os_type);
	cli_json_key(g, "resources");
	cli_json_strlist(g, &h->resources);
	cli_json_key(g, "labs");
	cli_json_strlist(g, &h->labs);
	cli_json_key(g, "docker_capable");
	cli_json_bool(g, h->docker_capable);
	cli_json_key(g, "creds");
	yajl_gen_array_open(g);
	for (size_t c = 0; c < h->n_creds; c++) {
		yajl_gen_map_open(g);
		cli_json_key(g, "login");
		cli_json_string(g, h->creds[c].login);
		if (show_passwords && h->creds[c].password) {
			cli_json_key(g, "password");
			cli_json_string(g, h->creds[c].password);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	cli_json_merge_object(g, h->extra_json, host_fields, JSON_RECORD_DEPTH);
	yajl_gen_map_close(g);
}

static const char *const link_fields[] = {"endpoints", "protocol", NULL};

static void json_link(yajl_gen g, const otto_link_rec *l)
{
	yajl_gen_map_open(g);
	cli_json_key(g, "endpoints");
	yajl_gen_array_open(g);
	for (size_t e = 0; e < l->n_endpoints; e++) {
		yajl_gen_map_open(g);
		cli_json_key(g, "host");
		cli_json_string(g, l->endpoints[e].host);
		cli_json_key(g, "interface");
		cli_json_string(g, l->endpoints[e].interface);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	cli_json_key(g, "protocol");
	cli_json_string(g, l->protocol);
	cli_json_merge_object(g, l->extra_json, link_fields, JSON_RECORD_DEPTH);
	yajl_gen_map_close(g);
}

static int show_json(const otto_lab *lab, bool show_passwords)
{
	yajl_gen g = cli_json_begin();
	yajl_gen_map_open(g);
	cli_json_key(g, "name");
	cli_json_string(g, lab->name);
	cli_json_key(g, "resources");
	cli_json_strlist(g, &lab->resources);
	cli_json_key(g, "hosts");
	yajl_gen_array_open(g);
	const otto_host_rec **order = hosts_in_order(lab);
	for (size_t i = 0; i < lab->n_hosts; i++)
		json_host(g, order[i], show_passwords);
	free(order);
	yajl_gen_array_close(g);
	cli_json_key(g, "links");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < lab->n_links; i++)
		json_link(g, &lab->links[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_end(g);
}

static int lab_show(otto_cli *cli, int argc, char **argv)
{
	bool json = false, show_passwords = false;
	const cli_option options[] = {
		{"--json", &json, NULL}, {"--show-passwords", &show_passwords, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "lab show", .usage = show_usage, .options = options, .positional_names = "LAB",
			 .min_positional = 1, .max_positional = 1};
	otto_lab_repository *repo = NULL;
	otto_lab *lab = NULL;
	otto_error err = {0};
	int code = cli_parse_args(&args, argc, argv), rc;
	if (code >= 0)
		return code;
	if (show_passwords && !json)
		return cli_usage_error("lab show", "--show-passwords only applies to --json (text output never shows "
						   "passwords)");
	if ((code = cli_open_lab(cli, &repo)) != CLI_EXIT_OK)
		return code;
	rc = otto_lab_repository_load_lab(repo, args.positional[0], NULL, &lab, &err);
	if (rc == OTTO_ENOTFOUND)
		code = cli_no_such_lab(repo, args.positional[0]);
	else if (rc != OTTO_OK)
		code = cli_fail(&err);
	else if (json)
		code = show_json(lab, show_passwords);
	else
		show_text(lab);
	otto_lab_free(lab);
	return cli_close_lab(repo, code);
}

static int compare_summaries(const void *a, const void *b)
{
	return cli_natural_compare((*(const otto_summary_rec *const *)a)->id, (*(const otto_summary_rec *const *)b)->id);
}

static int hosts_print(const otto_summary_rec *const *rows, size_t n, bool json)
{
	if (json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n; i++) {
			yajl_gen_map_open(g);
			cli_json_key(g, "id");
			cli_json_string(g, rows[i]->id);
			cli_json_key(g, "labs");
			cli_json_strlist(g, &rows[i]->labs);
			cli_json_key(g, "ip");
			cli_json_string(g, rows[i]->ip);
			cli_json_key(g, "element");
			cli_json_string(g, rows[i]->element);
			cli_json_key(g, "element_id");
			cli_json_number(g, rows[i]->element_id);
			cli_json_key(g, "docker_capable");
			cli_json_bool(g, rows[i]->docker_capable);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		return cli_json_end(g);
	}
	static const char *const header[] = {"ID", "IP", "ELEMENT", "LABS"};
	cli_table table;
	cli_table_init(&table, 4, header);
	for (size_t i = 0; i < n; i++) {
		char *labs = cli_join(rows[i]->labs.items, rows[i]->labs.count, ",");
		const char *row[] = {rows[i]->id, rows[i]->ip[0] ? rows[i]->ip : "-", rows[i]->element, labs};
		cli_table_add(&table, row);
		free(labs);
	}
	cli_table_print(&table, "");
	return CLI_EXIT_OK;
}

static int lab_hosts(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const char *only_lab = NULL;
	const cli_option options[] = {{"--json", &json, NULL}, {"--lab", NULL, &only_lab}, {NULL, NULL, NULL}};
	cli_args args = {.command = "lab hosts", .usage = hosts_usage, .options = options};
	otto_lab_repository *repo = NULL;
	otto_summary_list summaries = {0};
	otto_strlist labs = {0};
	otto_error err = {0};
	const otto_summary_rec **rows = NULL;
	size_t n = 0;
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if ((code = cli_open_lab(cli, &repo)) != CLI_EXIT_OK)
		return code;
	if (only_lab) {
		if (otto_lab_repository_list_labs(repo, &labs, &err) != OTTO_OK) {
			code = cli_fail(&err);
			goto out;
		}
		if (otto_strlist_index(&labs, only_lab) < 0) {
			code = cli_no_such_lab(repo, only_lab);
			goto out;
		}
	}
	if (otto_lab_repository_host_summaries(repo, &summaries, &err) != OTTO_OK) {
		code = cli_fail(&err);
		goto out;
	}
	rows = calloc(summaries.count ? summaries.count : 1, sizeof *rows);
	if (!rows) {
		fprintf(stderr, "otto: out of memory\n");
		code = CLI_EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < summaries.count; i++)
		if (!only_lab || otto_strlist_index(&summaries.items[i].labs, only_lab) >= 0)
			rows[n++] = &summaries.items[i];
	qsort(rows, n, sizeof *rows, compare_summaries);
	code = hosts_print(rows, n, json);
out:
	free(rows);
	otto_summary_list_free(&summaries);
	otto_strlist_free(&labs);
	return cli_close_lab(repo, code);
}

int cli_cmd_lab(otto_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return lab_list(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return lab_show(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "hosts") == 0)
		return lab_hosts(cli, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return cli_lab_status(cli, argc - 2, argv + 2);
	return cli_family_usage("lab", family_usage, argc, argv);
}
