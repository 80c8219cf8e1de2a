/*
 * Who holds what until when: otto reservation held [--windows], otto
 * reservation users and otto lab status LAB. They show what a reservation
 * backend knows beyond the gate's yes/no: its reservation windows
 * (get_reservation_windows) and its users (list_usernames).
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
#include <time.h>

static const char held_usage[] =
    "Usage: otto reservation held [--windows] [--json]\n"
    "\n"
    "Print the resources the user (see 'otto reservation whoami') holds now, sorted, one a line.\n"
    "\n"
    "  --windows   a table instead: RESOURCE, FROM and UNTIL of each reservation window\n"
    "              (\"open\" for no end); needs a backend that knows windows\n"
    "  --json      {\"user\", \"backend\", \"resources\": [...], \"windows\": [{\"resource\", \"from\",\n"
    "              \"until\"}] or null when the backend knows no windows}\n";

static const char users_usage[] =
    "Usage: otto reservation users [--json]\n"
    "\n"
    "Print every user the reservation backend knows (its list_usernames), sorted, one a line.\n"
    "A backend that cannot list its users is an error (exit 1).\n"
    "\n"
    "  --json   {\"backend\": ..., \"users\": [...]}\n";

static const char status_usage[] =
    "Usage: otto lab status LAB [--json]\n"
    "\n"
    "Every resource LAB requires (its resources plus every host's), who holds it and until\n"
    "when (when the reservation backend knows windows), and whether the user may run on the\n"
    "lab: the answer 'otto reservation check --lab LAB' would give, as a table. Exit 0 when\n"
    "the backends answered, whatever the answer; 1 for an unknown lab or a backend error.\n"
    "\n"
    "  --json   {\"lab\", \"user\", \"backend\", \"may_run\", \"windows_known\", \"required\",\n"
    "           \"resources\": [{\"resource\", \"held_by_you\", \"holders\": [{\"user\", \"from\", \"until\"}]}]}\n";

/* A window's ends as printed: NULL for an unknown start / an open end. */
static const char *window_from(char *buf, size_t size, int64_t start)
{
	if (start <= OTTO_TIME_EPOCH)
		return NULL;
	cli_format_utc(buf, size, start);
	return buf;
}

static const char *window_until(char *buf, size_t size, int64_t end)
{
	if (end >= OTTO_TIME_FAR_FUTURE)
		return NULL;
	cli_format_utc(buf, size, end);
	return buf;
}

static int compare_windows(const void *a, const void *b)
{
	const otto_window_rec *x = a, *y = b;
	int order = cli_natural_compare(x->resource, y->resource);
	if (order)
		return order;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int held_print(const char *user, otto_reservation_backend *backend, const otto_strlist *resources,
		      const otto_window_list *windows, bool have_windows, bool json, bool table)
{
	char from[32], until[32];
	if (json) {
		yajl_gen g = cli_json_begin_answer(NULL, user, cli_backend_label(backend));
		cli_json_key(g, "resources");
		cli_json_strlist(g, resources);
		cli_json_key(g, "windows");
		if (!have_windows) {
			yajl_gen_null(g);
		} else {
			yajl_gen_array_open(g);
			for (size_t i = 0; i < windows->count; i++) {
				const otto_window_rec *w = &windows->items[i];
				yajl_gen_map_open(g);
				cli_json_key(g, "resource");
				cli_json_string(g, w->resource);
				cli_json_key(g, "from");
				cli_json_string(g, window_from(from, sizeof from, w->start));
				cli_json_key(g, "until");
				cli_json_string(g, window_until(until, sizeof until, w->end));
				yajl_gen_map_close(g);
			}
			yajl_gen_array_close(g);
		}
		yajl_gen_map_close(g);
		return cli_json_end(g);
	}
	if (!table) {
		for (size_t i = 0; i < resources->count; i++)
			cli_line(stdout, "%s", resources->items[i]);
		return CLI_EXIT_OK;
	}
	static const char *const header[] = {"RESOURCE", "FROM", "UNTIL"};
	cli_table t;
	cli_table_init(&t, 3, header);
	for (size_t i = 0; i < windows->count; i++) {
		const otto_window_rec *w = &windows->items[i];
		const char *f = window_from(from, sizeof from, w->start);
		const char *u = window_until(until, sizeof until, w->end);
		const char *row[] = {w->resource, f ? f : "-", u ? u : "open"};
		cli_table_add(&t, row);
	}
	cli_table_print(&t, "");
	return CLI_EXIT_OK;
}

/* The windows of `user` that cover now, sorted. */
static int live_windows(otto_reservation_backend *backend, const char *user, otto_window_list *out, otto_error *err)
{
	int rc = otto_reservation_backend_windows(backend, user, out, err);
	if (rc != OTTO_OK)
		return rc;
	int64_t now = (int64_t)time(NULL);
	size_t kept = 0;
	for (size_t i = 0; i < out->count; i++) {
		otto_window_rec *w = &out->items[i];
		if (w->start <= now && now <= w->end) {
			otto_window_rec keep = *w;
			out->items[kept++] = keep;
		} else {
			free(w->resource);
		}
	}
	out->count = kept;
	if (kept > 1)
		qsort(out->items, kept, sizeof *out->items, compare_windows);
	return OTTO_OK;
}

int cli_reservation_held(otto_cli *cli, int argc, char **argv)
{
	bool json = false, table = false;
	const cli_option options[] = {{"--json", &json, NULL}, {"--windows", &table, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation held", .usage = held_usage, .options = options};
	otto_reservation_backend *backend = NULL;
	otto_strlist resources = {0};
	otto_window_list windows = {0};
	otto_error err = {0};
	char *user = NULL;
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if (!(user = cli_user(cli)))
		return CLI_EXIT_USAGE;
	if ((code = cli_open_reservation(cli, &backend)) != CLI_EXIT_OK)
		goto out;
	bool have_windows = otto_reservation_backend_has_windows(backend);
	if (table && !have_windows) {
		cli_line(stderr,
			 "otto: reservation backend '%s' does not know reservation windows; run 'otto "
			 "reservation held' without --windows.",
			 cli_backend_label(backend));
		code = CLI_EXIT_FAILED;
		goto out;
	}
	if (otto_reservation_backend_reserved_resources(backend, user, &resources, &err) != OTTO_OK ||
	    (have_windows && (json || table) && live_windows(backend, user, &windows, &err) != OTTO_OK)) {
		code = cli_fail(&err);
		goto out;
	}
	cli_sort_names(&resources);
	code = held_print(user, backend, &resources, &windows, have_windows, json, table);
out:
	otto_window_list_free(&windows);
	otto_strlist_free(&resources);
	code = cli_close_reservation(backend, code);
	free(user);
	return code;
}

int cli_reservation_users(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation users", .usage = users_usage, .options = options};
	otto_reservation_backend *backend = NULL;
	otto_strlist users = {0};
	otto_error err = {0};
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if ((code = cli_open_reservation(cli, &backend)) != CLI_EXIT_OK)
		return code;
	if (!otto_reservation_backend_has_usernames(backend)) {
		cli_line(stderr, "otto: reservation backend '%s' cannot list its users.", cli_backend_label(backend));
		code = CLI_EXIT_FAILED;
	} else if (otto_reservation_backend_list_usernames(backend, &users, &err) != OTTO_OK) {
		code = cli_fail(&err);
	} else if (json) {
		cli_sort_names(&users);
		yajl_gen g = cli_json_begin_answer(NULL, NULL, cli_backend_label(backend));
		cli_json_key(g, "users");
		cli_json_strlist(g, &users);
		yajl_gen_map_close(g);
		code = cli_json_end(g);
	} else {
		cli_sort_names(&users);
		for (size_t i = 0; i < users.count; i++)
			cli_line(stdout, "%s", users.items[i]);
	}
	otto_strlist_free(&users);
	return cli_close_reservation(backend, code);
}

/* ---------------------------------------------------------- lab status -- */

/* One holder of a required resource, and the window that makes it so. */
typedef struct status_holder {
	const char *user;
	int64_t start, end; /* 0/0 when unknown */
	bool known;
} status_holder;

typedef struct status_row {
	const char *resource;
	bool held_by_you;
	otto_strlist holders;
	status_holder *windows; /* one per holder */
} status_row;

/* The windows of every holder, asked once per user. */
typedef struct window_cache {
	size_t count;
	char **users;
	otto_window_list *lists;
} window_cache;

static int cached_windows(otto_reservation_backend *backend, window_cache *cache, const char *user,
			  const otto_window_list **out, otto_error *err)
{
	for (size_t i = 0; i < cache->count; i++)
		if (strcmp(cache->users[i], user) == 0) {
			*out = &cache->lists[i];
			return OTTO_OK;
		}
	cache->users = realloc(cache->users, (cache->count + 1) * sizeof *cache->users);
	cache->lists = realloc(cache->lists, (cache->count + 1) * sizeof *cache->lists);
	if (!cache->users || !cache->lists || !(cache->users[cache->count] = strdup(user)))
		abort();
	otto_window_list *list = &cache->lists[cache->count];
	memset(list, 0, sizeof *list);
	cache->count++;
	*out = list;
	return live_windows(backend, user, list, err);
}

static void window_cache_free(window_cache *cache)
{
	for (size_t i = 0; i < cache->count; i++) {
		free(cache->users[i]);
		otto_window_list_free(&cache->lists[i]);
	}
	free(cache->users);
	free(cache->lists);
}

static int fill_row(otto_reservation_backend *backend, window_cache *cache, status_row *row, const char *user,
		    otto_error *err)
{
	int rc = otto_reservation_backend_who_reserved(backend, row->resource, &row->holders, err);
	if (rc != OTTO_OK)
		return rc;
	row->windows = calloc(row->holders.count ? row->holders.count : 1, sizeof *row->windows);
	if (!row->windows)
		abort();
	for (size_t h = 0; h < row->holders.count; h++) {
		status_holder *sh = &row->windows[h];
		sh->user = row->holders.items[h];
		if (strcmp(sh->user, user) == 0)
			row->held_by_you = true;
		if (!otto_reservation_backend_has_windows(backend))
			continue;
		const otto_window_list *list = NULL;
		if ((rc = cached_windows(backend, cache, sh->user, &list, err)) != OTTO_OK)
			return rc;
		/* The window of this resource that lasts longest. */
		for (size_t w = 0; w < list->count; w++) {
			const otto_window_rec *win = &list->items[w];
			if (strcmp(win->resource, row->resource) != 0 || (sh->known && win->end <= sh->end))
				continue;
			sh->known = true;
			sh->start = win->start;
			sh->end = win->end;
		}
	}
	return OTTO_OK;
}

static void status_text(const otto_lab *lab, const char *user, const char *backend, const otto_check_result *check,
			const status_row *rows, size_t n, bool windows_known)
{
	char until[32];
	cli_line(stdout, "Lab:      %s", lab->name);
	cli_line(stdout, "User:     %s", user);
	cli_line(stdout, "Backend:  %s", backend);
	if (n == 0) {
		cli_line(stdout, "Verdict:  may run (lab '%s' requires no resources)", lab->name);
		return;
	}
	if (check->ok) {
		cli_line(stdout, "Verdict:  may run ('%s' holds every resource the lab requires)", user);
	} else {
		char **missing = calloc(check->n_missing ? check->n_missing : 1, sizeof *missing);
		if (!missing)
			abort();
		for (size_t i = 0; i < check->n_missing; i++)
			missing[i] = check->missing[i].resource;
		char *joined = cli_join(missing, check->n_missing, ", ");
		cli_line(stdout, "Verdict:  may not run ('%s' misses %s)", user, joined);
		free(joined);
		free(missing);
	}
	static const char *const header[] = {"RESOURCE", "YOU", "HOLDER", "UNTIL"};
	cli_table t;
	cli_table_init(&t, 4, header);
	for (size_t r = 0; r < n; r++) {
		const char *you = rows[r].held_by_you ? "held" : "missing";
		if (rows[r].holders.count == 0) {
			const char *row[] = {rows[r].resource, you, "(unreserved)", "-"};
			cli_table_add(&t, row);
		}
		for (size_t h = 0; h < rows[r].holders.count; h++) {
			const status_holder *sh = &rows[r].windows[h];
			const char *u = !windows_known || !sh->known ? "?" : window_until(until, sizeof until, sh->end);
			const char *row[] = {h == 0 ? rows[r].resource : "", h == 0 ? you : "", sh->user,
					     u ? u : "open"};
			cli_table_add(&t, row);
		}
	}
	printf("\n");
	cli_table_print(&t, "  ");
}

static int status_json(const otto_lab *lab, const char *user, const char *backend, const otto_check_result *check,
		       const status_row *rows, size_t n, bool windows_known)
{
	char from[32], until[32];
	yajl_gen g = cli_json_begin_answer(lab->name, user, backend);
	cli_json_key(g, "may_run");
	cli_json_bool(g, check->ok);
	cli_json_key(g, "windows_known");
	cli_json_bool(g, windows_known);
	cli_json_key(g, "required");
	yajl_gen_array_open(g);
	for (size_t r = 0; r < n; r++)
		cli_json_string(g, rows[r].resource);
	yajl_gen_array_close(g);
	cli_json_key(g, "resources");
	yajl_gen_array_open(g);
	for (size_t r = 0; r < n; r++) {
		yajl_gen_map_open(g);
		cli_json_key(g, "resource");
		cli_json_string(g, rows[r].resource);
		cli_json_key(g, "held_by_you");
		cli_json_bool(g, rows[r].held_by_you);
		cli_json_key(g, "holders");
		yajl_gen_array_open(g);
		for (size_t h = 0; h < rows[r].holders.count; h++) {
			const status_holder *sh = &rows[r].windows[h];
			yajl_gen_map_open(g);
			cli_json_key(g, "user");
			cli_json_string(g, sh->user);
			cli_json_key(g, "from");
			cli_json_string(g, sh->known ? window_from(from, sizeof from, sh->start) : NULL);
			cli_json_key(g, "until");
			cli_json_string(g, sh->known ? window_until(until, sizeof until, sh->end) : NULL);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_end(g);
}

static int status_report(otto_cli *cli, const otto_lab *lab, const char *user, bool json)
{
	otto_reservation_backend *backend = NULL;
	otto_check_result check = {0};
	otto_error err = {0};
	window_cache cache = {0};
	status_row *rows = NULL;
	size_t n = 0;
	int code = cli_open_reservation_check(cli, lab, user, &backend, &check);
	if (code != CLI_EXIT_OK)
		goto out;
	n = check.required.count;
	rows = calloc(n ? n : 1, sizeof *rows);
	if (!rows)
		abort();
	for (size_t r = 0; r < n; r++) {
		rows[r].resource = check.required.items[r];
		if (fill_row(backend, &cache, &rows[r], user, &err) != OTTO_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	bool windows_known = otto_reservation_backend_has_windows(backend);
	if (json)
		code = status_json(lab, user, cli_backend_label(backend), &check, rows, n, windows_known);
	else
		status_text(lab, user, cli_backend_label(backend), &check, rows, n, windows_known);
out:
	for (size_t r = 0; rows && r < n; r++) {
		otto_strlist_free(&rows[r].holders);
		free(rows[r].windows);
	}
	free(rows);
	window_cache_free(&cache);
	otto_check_result_free(&check);
	return cli_close_reservation(backend, code);
}

int cli_lab_status(otto_cli *cli, int argc, char **argv)
{
	bool json = false;
	const cli_option options[] = {{"--json", &json, NULL}, {NULL, NULL, NULL}};
	cli_args args = {.command = "lab status",
			 .usage = status_usage,
			 .options = options,
			 .positional_names = "LAB",
			 .min_positional = 1,
			 .max_positional = 1};
	otto_lab_repository *repo = NULL;
	otto_lab *lab = NULL;
	otto_error err = {0};
	char *user = NULL;
	int code = cli_parse_args(&args, argc, argv), rc;
	if (code >= 0)
		return code;
	if (!(user = cli_user(cli)))
		return CLI_EXIT_USAGE;
	if ((code = cli_open_lab(cli, &repo)) != CLI_EXIT_OK)
		goto out;
	rc = otto_lab_repository_load_lab(repo, args.positional[0], NULL, &lab, &err);
	if (rc == OTTO_ENOTFOUND)
		code = cli_no_such_lab(repo, args.positional[0]);
	else if (rc != OTTO_OK)
		code = cli_fail(&err);
	else
		code = status_report(cli, lab, user, json);
out:
	otto_lab_free(lab);
	code = cli_close_lab(repo, code);
	free(user);
	return code;
}
