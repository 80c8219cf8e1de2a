/*
 * otto reservation reserve | cancel: writing reservations through the
 * reservation backend's ABI 1.2 write capability. otto checks the command
 * line (times, windows, duplicates, whose name) and prints what the backend
 * made or removed; the backend's store decides conflicts and identity.
 */
#include "args.h"
#include "commands.h"
#include "json_out.h"
#include "names.h"
#include "table.h"
#include "text.h"
#include "time_arg.h"

#include <otto/lock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char reserve_usage[] =
	"Usage: otto reservation reserve RESOURCE... [--from TIME] (--for DURATION | --until TIME)\n"
	"                                [--shared] [--json]\n"
	"\n"
	"Reserve every RESOURCE for the window [--from, --until) in your own name, all or none,\n"
	"through the reservation backend's write capability. Prints one line per window made.\n"
	"Exit 0 made; 1 backend error or read-only backend; 2 usage; 3 conflict (someone holds an\n"
	"overlapping window: the backend's message names them and the window; nothing is made).\n"
	"\n"
	"  --from TIME        when the window starts: 'now' (the default) or ISO 8601 with a zone,\n"
	"                     e.g. 2026-12-01T09:00Z, 2026-12-01T09:00:00+01:00 (fractions of a\n"
	"                     second are dropped)\n"
	"  --for DURATION     how long: 90s, 30m, 2h, 1d or plain seconds\n"
	"  --until TIME       when the window ends (exclusive), same forms as --from\n"
	"  --shared           others may hold shared reservations of the same window\n"
	"  --json             {\"user\", \"backend\", \"shared\", \"windows\": [{\"resource\", \"from\", \"until\"}]}\n";

static const char cancel_usage[] =
	"Usage: otto reservation cancel RESOURCE... [--from TIME] [--force] [--json]\n"
	"\n"
	"Cancel your reservations of each RESOURCE that cover TIME (default now) or start after it.\n"
	"Prints one line per window cancelled. Exit 0 cancelled; 1 backend error or read-only\n"
	"backend; 2 usage; 4 nothing to cancel.\n"
	"\n"
	"  --from TIME   'now' (the default) or ISO 8601 with a zone, e.g. 2026-12-01T09:00Z\n"
	"  --force       also cancel other users' reservations (an administrator's right, which\n"
	"                the backend checks); says whose each window was\n"
	"  --json        {\"user\", \"backend\", \"forced\", \"windows\": [{\"resource\", \"from\", \"until\",\n"
	"                \"holder\"}]}\n";

/* The exit codes of this file beyond 0, 1 and 2 (docs/cli.md). */
enum { EXIT_CONFLICT = 3, EXIT_NOTHING_TO_CANCEL = 4 };

/* What both commands share once the command line is read. */
typedef struct write_args {
	const char *command; /* "reservation reserve" */
	const char **resources;
	size_t n_resources;
	char *user;
	otto_reservation_backend *backend;
	const char *backend_name;
	const char *plugin_path;
} write_args;

static void write_args_free(write_args *w)
{
	free(w->user);
	w->user = NULL;
}

/* The first resource given twice, or NULL. */
static const char *duplicate(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(names[i], names[k]) == 0)
				return names[i];
	return NULL;
}

/* Parse --from/--until TIME, naming the option and its value on error. */
static int parse_time(const char *command, const char *option, const char *value, int64_t now, int64_t *out)
{
	char why[256];
	if (cli_time_parse(value, now, out, why, sizeof why) != 0)
		return cli_usage_error(command, "%s %s: %s", option, value, why);
	if (*out > OTTO_TIME_FAR_FUTURE)
		return cli_usage_error(command, "%s %s: after 9999-12-31T23:59:59Z, the last time otto can store",
				       option, value);
	if (*out < 0)
		return cli_usage_error(command, "%s %s: before 1970-01-01T00:00:00Z", option, value);
	return -1;
}

/* Resources and whose name: the checks both commands share. -1 to go on. */
static int common_checks(otto_cli *cli, write_args *w, const cli_args *args)
{
	w->resources = (const char **)args->positional;
	w->n_resources = (size_t)args->n_positional;
	for (size_t i = 0; i < w->n_resources; i++)
		if (!w->resources[i][0])
			return cli_usage_error(w->command, "resource %zu is empty", i + 1);
	const char *twice = duplicate(w->resources, w->n_resources);
	if (twice)
		return cli_usage_error(w->command, "resource '%s' is given twice", twice);
	/* Identity belongs to the backend: otto only ever writes in the name
	 * of the person running it, so --as-user may repeat that name and
	 * nothing else. (A backend with its own identity, such as a database
	 * role, ignores the name anyway.) */
	char *login = otto_current_user(NULL);
	if (cli->as_user && (!login || strcmp(cli->as_user, login) != 0)) {
		int code = cli_usage_error(w->command,
					   "--as-user %s: reservations are written only in your own name (%s); the "
					   "reservation backend decides who you are",
					   cli->as_user, login ? login : "unknown");
		free(login);
		return code;
	}
	free(login);
	if (!(w->user = cli_user(cli)))
		return CLI_EXIT_USAGE;
	return -1;
}

/* Open the backend and refuse a read-only one. */
static int open_writer(otto_cli *cli, write_args *w, const char *verb)
{
	int code = cli_open_reservation(cli, &w->backend);
	if (code != CLI_EXIT_OK)
		return code;
	const otto_settings *settings = cli_settings(cli);
	w->backend_name = settings ? otto_settings_reservation_backend(settings) : "?";
	const otto_backend_info *info = otto_registry_find(cli_registry(cli), OTTO_KIND_RESERVATION, w->backend_name);
	/* "(built-in)" reads as "built-in" in the parentheses below. */
	w->plugin_path = !info || !info->path ? "unknown file"
			 : strcmp(info->path, "(built-in)") == 0 ? "built-in"
								  : info->path;
	if (!otto_reservation_backend_can_write(w->backend)) {
		cli_line(stderr, "otto: reservation backend '%s' (%s) is read-only: it cannot %s.", w->backend_name,
			 w->plugin_path, verb);
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

static int compare_windows(const void *a, const void *b)
{
	const otto_window_rec *x = a, *y = b;
	int c = cli_natural_compare(x->resource, y->resource);
	if (c)
		return c;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void window_json(yajl_gen g, const otto_window_rec *win)
{
	char from[32], until[32];
	cli_format_utc(from, sizeof from, win->start);
	cli_format_utc(until, sizeof until, win->end);
	cli_json_key(g, "resource");
	cli_json_string(g, win->resource);
	cli_json_key(g, "from");
	cli_json_string(g, from);
	cli_json_key(g, "until");
	cli_json_string(g, until);
}

/* --------------------------------------------------------------- reserve -- */

/* The window from the options: -1 to go on, else the usage exit code. */
static int reserve_window(const char *command, const char *from_text, const char *for_text, const char *until_text,
			  int64_t now, int64_t *start, int64_t *end)
{
	int code;
	*start = now;
	*end = now;
	if (for_text && until_text)
		return cli_usage_error(command, "--for and --until cannot be used together: give one");
	if (!for_text && !until_text)
		return cli_usage_error(command, "missing --for DURATION or --until TIME");
	if (from_text && (code = parse_time(command, "--from", from_text, now, start)) >= 0)
		return code;
	if (for_text) {
		otto_error err = {0};
		int64_t seconds = 0;
		if (otto_lock_duration_parse(for_text, &seconds, &err) != OTTO_OK)
			return cli_usage_error(command, "--for %s: %s", for_text, err.message);
		if (seconds > OTTO_TIME_FAR_FUTURE - *start)
			return cli_usage_error(command, "--for %s: the window would end after 9999-12-31T23:59:59Z, the "
							"last time otto can store",
					       for_text);
		*end = *start + seconds;
	} else if ((code = parse_time(command, "--until", until_text, now, end)) >= 0) {
		return code;
	}
	if (*end <= *start) {
		if (from_text)
			return cli_usage_error(command, "--from %s is not before --until %s: the window is empty or "
							"negative",
					       from_text, until_text);
		return cli_usage_error(command, "--until %s is not after now: the window is empty or negative",
				       until_text);
	}
	if (*end <= now) {
		char at[32];
		cli_format_utc(at, sizeof at, *end);
		return cli_usage_error(command, "the window ends at %s, which has passed", at);
	}
	return -1;
}

/* Every resource asked for must come back in a window that is what was
 * asked for: a backend that says "done" without saying what it made has
 * not shown it made anything. */
static bool made_what_was_asked(const write_args *w, const otto_window_list *made, int64_t start, int64_t end)
{
	for (size_t r = 0; r < w->n_resources; r++) {
		bool found = false;
		for (size_t i = 0; i < made->count && !found; i++)
			found = strcmp(made->items[i].resource, w->resources[r]) == 0 &&
				made->items[i].start <= start && made->items[i].end >= end;
		if (!found) {
			cli_line(stderr,
				 "otto: reservation backend '%s' (%s) answered reserve without reporting a window "
				 "for '%s' covering the window asked for; treating the reservation as not made.",
				 w->backend_name, w->plugin_path, w->resources[r]);
			return false;
		}
	}
	return true;
}

/* The JSON answer of reserve and cancel: {"user", "backend", <flag>,
 * "windows": [...]}, left open inside the windows array. */
static yajl_gen windows_json_begin(const write_args *w, const char *flag_key, bool flag)
{
	yajl_gen g = cli_json_begin_answer(NULL, w->user, w->backend_name);
	cli_json_key(g, flag_key);
	cli_json_bool(g, flag);
	cli_json_key(g, "windows");
	yajl_gen_array_open(g);
	return g;
}

static int windows_json_end(yajl_gen g)
{
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return cli_json_end(g);
}

static int print_made(const write_args *w, const otto_window_list *made, bool shared, bool json)
{
	if (json) {
		yajl_gen g = windows_json_begin(w, "shared", shared);
		for (size_t i = 0; i < made->count; i++) {
			yajl_gen_map_open(g);
			window_json(g, &made->items[i]);
			yajl_gen_map_close(g);
		}
		return windows_json_end(g);
	}
	for (size_t i = 0; i < made->count; i++) {
		char from[32], until[32];
		cli_format_utc(from, sizeof from, made->items[i].start);
		cli_format_utc(until, sizeof until, made->items[i].end);
		cli_line(stdout, "reserved %s from %s until %s (%s)", made->items[i].resource, from, until,
			 shared ? "shared" : "exclusive");
	}
	return CLI_EXIT_OK;
}

int cli_reservation_reserve(otto_cli *cli, int argc, char **argv)
{
	bool shared = false, json = false;
	const char *from_text = NULL, *for_text = NULL, *until_text = NULL;
	const cli_option options[] = {{"--from", NULL, &from_text}, {"--for", NULL, &for_text},
				      {"--until", NULL, &until_text}, {"--shared", &shared, NULL},
				      {"--json", &json, NULL},        {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation reserve", .usage = reserve_usage, .options = options,
			 .positional_names = "RESOURCE", .min_positional = 1, .max_positional = CLI_MAX_POSITIONAL};
	write_args w = {.command = "reservation reserve"};
	otto_window_list made = {0};
	otto_error err = {0};
	int64_t start, end;
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if ((code = reserve_window(w.command, from_text, for_text, until_text, (int64_t)time(NULL), &start, &end)) >=
	    0)
		return code;
	if ((code = common_checks(cli, &w, &args)) >= 0)
		goto out;
	if ((code = open_writer(cli, &w, "reserve")) != CLI_EXIT_OK)
		goto out;
	otto_reservation_request request = OTTO_RESERVATION_REQUEST_INIT;
	request.user = w.user;
	request.resources = w.resources;
	request.n_resources = w.n_resources;
	request.start = start;
	request.end = end;
	request.flags = shared ? OTTO_RESERVE_SHARED : 0;
	int rc = otto_reservation_backend_reserve(w.backend, &request, &made, &err);
	if (rc == OTTO_ECONFLICT) {
		cli_fail(&err);
		cli_line(stderr, "otto: nothing was reserved (reservation backend '%s' makes all of a request or none).",
			 w.backend_name);
		code = EXIT_CONFLICT;
	} else if (rc != OTTO_OK) {
		code = cli_fail(&err);
	} else if (!made_what_was_asked(&w, &made, start, end)) {
		code = CLI_EXIT_FAILED;
	} else {
		if (made.count > 1)
			qsort(made.items, made.count, sizeof *made.items, compare_windows);
		code = print_made(&w, &made, shared, json);
	}
out:
	otto_window_list_free(&made);
	code = cli_close_reservation(w.backend, code);
	write_args_free(&w);
	return code;
}

/* ---------------------------------------------------------------- cancel -- */

/* Whose window was it? Before a forced cancel, the windows of everyone the
 * backend names for these resources, so that each window cancelled can be
 * matched to its holder. Only what the backend says; unknown stays NULL. */
typedef struct owned_window {
	char *user;
	otto_window_rec window; /* borrowed from `lists` */
} owned_window;

typedef struct holder_map {
	owned_window *items;
	size_t count;
	otto_strlist single_holder; /* per resource: its one holder, or "" */
	otto_window_list *lists;
	size_t n_lists;
} holder_map;

static void holder_map_free(holder_map *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->items[i].user);
	free(m->items);
	for (size_t i = 0; i < m->n_lists; i++)
		otto_window_list_free(&m->lists[i]);
	free(m->lists);
	otto_strlist_free(&m->single_holder);
}

static bool is_requested(const write_args *w, const char *resource)
{
	for (size_t i = 0; i < w->n_resources; i++)
		if (strcmp(w->resources[i], resource) == 0)
			return true;
	return false;
}

static void add_candidate(otto_strlist *candidates, const char *user)
{
	if (otto_strlist_index(candidates, user) >= 0)
		return;
	char **grown = realloc(candidates->items, (candidates->count + 1) * sizeof *grown);
	if (!grown || !(grown[candidates->count] = strdup(user)))
		abort();
	candidates->items = grown;
	candidates->count++;
}

static void snapshot_holders(const write_args *w, holder_map *m)
{
	otto_strlist candidates = {0};
	otto_error err = {0};
	m->single_holder.items = calloc(w->n_resources, sizeof *m->single_holder.items);
	if (!m->single_holder.items)
		abort();
	m->single_holder.count = w->n_resources;
	for (size_t r = 0; r < w->n_resources; r++) {
		otto_strlist holders = {0};
		bool ok = otto_reservation_backend_who_reserved(w->backend, w->resources[r], &holders, &err) == OTTO_OK;
		m->single_holder.items[r] = strdup(ok && holders.count == 1 ? holders.items[0] : "");
		for (size_t i = 0; ok && i < holders.count; i++)
			add_candidate(&candidates, holders.items[i]);
		otto_strlist_free(&holders);
	}
	if (otto_reservation_backend_has_usernames(w->backend)) {
		otto_strlist users = {0};
		if (otto_reservation_backend_list_usernames(w->backend, &users, &err) == OTTO_OK)
			for (size_t i = 0; i < users.count; i++)
				add_candidate(&candidates, users.items[i]);
		otto_strlist_free(&users);
	}
	if (otto_reservation_backend_has_windows(w->backend) && candidates.count) {
		m->lists = calloc(candidates.count, sizeof *m->lists);
		if (!m->lists)
			abort();
		for (size_t c = 0; c < candidates.count; c++) {
			otto_window_list *list = &m->lists[m->n_lists];
			if (otto_reservation_backend_windows(w->backend, candidates.items[c], list, &err) != OTTO_OK)
				continue;
			m->n_lists++;
			for (size_t i = 0; i < list->count; i++) {
				if (!is_requested(w, list->items[i].resource))
					continue;
				owned_window *grown = realloc(m->items, (m->count + 1) * sizeof *grown);
				if (!grown)
					abort();
				m->items = grown;
				m->items[m->count].user = strdup(candidates.items[c]);
				m->items[m->count++].window = list->items[i];
			}
		}
	}
	otto_strlist_free(&candidates);
}

/* The holder of a cancelled window: the caller's own unless forced; else
 * the user whose window matched exactly, else the resource's only holder. */
static const char *holder_of(const write_args *w, const holder_map *m, bool forced, const otto_window_rec *win)
{
	if (!forced)
		return w->user;
	for (size_t i = 0; i < m->count; i++) {
		const otto_window_rec *o = &m->items[i].window;
		if (strcmp(o->resource, win->resource) == 0 && o->start == win->start && o->end == win->end)
			return m->items[i].user;
	}
	for (size_t r = 0; r < w->n_resources && r < m->single_holder.count; r++)
		if (strcmp(w->resources[r], win->resource) == 0 && m->single_holder.items[r][0])
			return m->single_holder.items[r];
	return NULL;
}

static int print_cancelled(const write_args *w, const holder_map *m, const otto_window_list *cancelled, bool forced,
			   bool json)
{
	if (json) {
		yajl_gen g = windows_json_begin(w, "forced", forced);
		for (size_t i = 0; i < cancelled->count; i++) {
			yajl_gen_map_open(g);
			window_json(g, &cancelled->items[i]);
			cli_json_key(g, "holder");
			cli_json_string(g, holder_of(w, m, forced, &cancelled->items[i]));
			yajl_gen_map_close(g);
		}
		return windows_json_end(g);
	}
	for (size_t i = 0; i < cancelled->count; i++) {
		const otto_window_rec *win = &cancelled->items[i];
		const char *holder = holder_of(w, m, forced, win);
		char from[32], until[32];
		cli_format_utc(from, sizeof from, win->start);
		cli_format_utc(until, sizeof until, win->end);
		if (!forced)
			cli_line(stdout, "cancelled %s from %s until %s", win->resource, from, until);
		else if (!holder)
			cli_line(stdout, "cancelled %s from %s until %s (forced; the backend did not say whose it was)",
				 win->resource, from, until);
		else if (strcmp(holder, w->user) == 0)
			cli_line(stdout, "cancelled %s from %s until %s (your own)", win->resource, from, until);
		else
			cli_line(stdout, "cancelled %s from %s until %s (forced: it was %s's)", win->resource, from,
				 until, holder);
	}
	return CLI_EXIT_OK;
}

static void say_nothing_to_cancel(const write_args *w, bool forced, int64_t start)
{
	char at[32];
	char *joined = cli_join((char **)w->resources, w->n_resources, ", ");
	cli_format_utc(at, sizeof at, start);
	cli_line(stderr, "otto: nothing to cancel: %s %s reservation of %s in reservation backend '%s' that covers %s "
			 "or starts after it.",
		 forced ? "nobody" : w->user, forced ? "holds a" : "holds no", joined ? joined : "?", w->backend_name,
		 at);
	free(joined);
}

int cli_reservation_cancel(otto_cli *cli, int argc, char **argv)
{
	bool force = false, json = false;
	const char *from_text = NULL;
	const cli_option options[] = {{"--from", NULL, &from_text},
				      {"--force", &force, NULL},
				      {"--json", &json, NULL},
				      {NULL, NULL, NULL}};
	cli_args args = {.command = "reservation cancel", .usage = cancel_usage, .options = options,
			 .positional_names = "RESOURCE", .min_positional = 1, .max_positional = CLI_MAX_POSITIONAL};
	write_args w = {.command = "reservation cancel"};
	otto_window_list cancelled = {0};
	holder_map holders = {0};
	otto_error err = {0};
	int64_t now = (int64_t)time(NULL), start = now;
	int code = cli_parse_args(&args, argc, argv);
	if (code >= 0)
		return code;
	if (from_text && (code = parse_time(w.command, "--from", from_text, now, &start)) >= 0)
		return code;
	if ((code = common_checks(cli, &w, &args)) >= 0)
		goto out;
	if ((code = open_writer(cli, &w, "cancel")) != CLI_EXIT_OK)
		goto out;
	if (force)
		snapshot_holders(&w, &holders);
	otto_reservation_request request = OTTO_RESERVATION_REQUEST_INIT;
	request.user = w.user;
	request.resources = w.resources;
	request.n_resources = w.n_resources;
	request.start = start;
	request.end = start;
	request.flags = force ? OTTO_RESERVE_FORCE : 0;
	if (otto_reservation_backend_cancel(w.backend, &request, &cancelled, &err) != OTTO_OK) {
		code = cli_fail(&err);
	} else if (cancelled.count == 0) {
		say_nothing_to_cancel(&w, force, start);
		code = json ? print_cancelled(&w, &holders, &cancelled, force, true) : CLI_EXIT_OK;
		if (code == CLI_EXIT_OK)
			code = EXIT_NOTHING_TO_CANCEL;
	} else {
		if (cancelled.count > 1)
			qsort(cancelled.items, cancelled.count, sizeof *cancelled.items, compare_windows);
		code = print_cancelled(&w, &holders, &cancelled, force, json);
	}
out:
	holder_map_free(&holders);
	otto_window_list_free(&cancelled);
	code = cli_close_reservation(w.backend, code);
	write_args_free(&w);
	return code;
}
