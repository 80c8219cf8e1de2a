/*
 * otto __complete [--] WORD... : the candidates for the last WORD of an otto
 * command line, one a line, for the shell completion scripts (completion/).
 * A stable, hidden interface: the words are those after "otto" as typed,
 * the last one being the word under the cursor (possibly empty).
 *
 * It must never disturb a prompt: stderr goes to /dev/null, the exit code
 * is always 0, and nothing is printed until every candidate is known. It
 * must never block: after OTTO_COMPLETE_TIMEOUT_MS (default 1500) the
 * process leaves with no candidates, whatever a backend is doing.
 *
 * Its words come from grammar.c, the table the parsers read too. What a
 * backend answers goes through the answer cache (complete_cache.h): a TAB
 * pressed again within seconds starts no worker.
 */
#include "commands.h"
#include "complete_cache.h"
#include "grammar.h"
#include "names.h"

#include <otto/lock.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static otto_strlist found;

static void add(const char *word)
{
	for (const unsigned char *p = (const unsigned char *)word; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return; /* a name a shell cannot take as one word */
	found.items = realloc(found.items, (found.count + 1) * sizeof *found.items);
	if (!found.items || !(found.items[found.count] = strdup(word)))
		_exit(0);
	found.count++;
}

static void add_list(const otto_strlist *list)
{
	for (size_t i = 0; list && i < list->count; i++)
		add(list->items[i]);
}

/* Does option `word` take the next word as its value (a global option,
 * or one of any command: before the command is known, any may come)? */
static bool takes_value(const char *word)
{
	const cli_option_spec *g = cli_global_option(word);
	if (g)
		return g->takes_value;
	for (size_t i = 0; i < cli_n_commands; i++) {
		const cli_option_spec *o = cli_command_option(&cli_commands[i], word, strlen(word));
		if (o && o->takes_value)
			return true;
	}
	return false;
}

static void on_deadline(int sig)
{
	(void)sig;
	_exit(0); /* nothing printed yet: no candidates */
}

typedef bool (*backend_question)(otto_cli *cli, otto_strlist *names);

static bool ask_labs(otto_cli *cli, otto_strlist *names)
{
	otto_lab_repository *repo = NULL;
	otto_error err = {0};
	if (cli_open_lab(cli, &repo) != CLI_EXIT_OK)
		return false;
	int code = otto_lab_repository_list_labs(repo, names, &err) == OTTO_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	/* A worker that fails after answering (a crash in destroy) is broken:
	 * nothing it said is offered or kept. */
	return cli_close_lab(repo, code) == CLI_EXIT_OK;
}

/* Every host id (for lock names: boards are usually named after hosts). */
static bool ask_hosts(otto_cli *cli, otto_strlist *names)
{
	otto_lab_repository *repo = NULL;
	otto_summary_list summaries = {0};
	otto_error err = {0};
	if (cli_open_lab(cli, &repo) != CLI_EXIT_OK)
		return false;
	int code = otto_lab_repository_host_summaries(repo, &summaries, &err) == OTTO_OK ? CLI_EXIT_OK
											: CLI_EXIT_FAILED;
	if (code == CLI_EXIT_OK && !(names->items = calloc(summaries.count + 1, sizeof *names->items)))
		code = CLI_EXIT_FAILED;
	for (size_t i = 0; code == CLI_EXIT_OK && i < summaries.count; i++)
		if ((names->items[names->count] = strdup(summaries.items[i].id)))
			names->count++;
	otto_summary_list_free(&summaries);
	return cli_close_lab(repo, code) == CLI_EXIT_OK;
}

static void add_copy(otto_strlist *to, const otto_strlist *from)
{
	for (size_t i = 0; from && i < from->count; i++) {
		char **grown = realloc(to->items, (to->count + 2) * sizeof *to->items);
		if (!grown)
			return;
		to->items = grown;
		if ((to->items[to->count] = strdup(from->items[i])))
			to->items[++to->count] = NULL;
	}
}

/* Every resource some lab requires. */
static bool ask_resources(otto_cli *cli, otto_strlist *names)
{
	otto_lab_repository *repo = NULL;
	otto_strlist labs = {0};
	otto_error err = {0};
	if (cli_open_lab(cli, &repo) != CLI_EXIT_OK)
		return false;
	int code = otto_lab_repository_list_labs(repo, &labs, &err) == OTTO_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	for (size_t i = 0; code == CLI_EXIT_OK && i < labs.count; i++) {
		otto_lab *lab = NULL;
		if (otto_lab_repository_load_lab(repo, labs.items[i], NULL, &lab, &err) != OTTO_OK)
			continue; /* a lab that does not load still leaves the others */
		add_copy(names, &lab->resources);
		for (size_t h = 0; h < lab->n_hosts; h++)
			add_copy(names, &lab->hosts[h].resources);
		otto_lab_free(lab);
	}
	otto_strlist_free(&labs);
	return cli_close_lab(repo, code) == CLI_EXIT_OK;
}

static bool ask_users(otto_cli *cli, otto_strlist *names)
{
	otto_reservation_backend *backend = NULL;
	otto_error err = {0};
	if (cli_open_reservation(cli, &backend) != CLI_EXIT_OK)
		return false;
	int code = CLI_EXIT_OK;
	if (otto_reservation_backend_has_usernames(backend) &&
	    otto_reservation_backend_list_usernames(backend, names, &err) != OTTO_OK)
		code = CLI_EXIT_FAILED;
	return cli_close_reservation(backend, code) == CLI_EXIT_OK;
}

/* The backend's answer to `query`: from the answer cache when it holds a
 * fresh one for exactly these settings and plugin files, else asked (in
 * the backend's worker, never in this process) and kept. */
static void from_backend(otto_cli *cli, const char *query, backend_question ask)
{
	cli_answer_key key;
	otto_strlist names = {0};
	bool keyed = cli_answer_key_make(cli, query, &key);
	if (keyed && cli_answer_cache_get(&key, &names)) {
		add_list(&names);
	} else if (ask(cli, &names)) {
		add_list(&names);
		if (keyed)
			cli_answer_cache_put(&key, &names);
	}
	otto_strlist_free(&names);
	cli_answer_key_free(&key);
}

static void lab_names(otto_cli *cli)
{
	from_backend(cli, "labs", ask_labs);
}

static void host_ids(otto_cli *cli)
{
	from_backend(cli, "hosts", ask_hosts);
}

static void resource_names(otto_cli *cli)
{
	from_backend(cli, "resources", ask_resources);
}

static void user_names(otto_cli *cli)
{
	from_backend(cli, "users", ask_users);
}

static void lock_names(otto_cli *cli)
{
	otto_lock_options o;
	otto_lock_manager *m = NULL;
	otto_lock_list list = {0};
	otto_error err = {0};
	char *owned_dir = NULL;
	otto_settings *s = cli_settings(cli);
	if (!s)
		return;
	otto_lock_options_init(&o);
	o.holder_pid = getppid();
	struct stat st;
	/* Opening a manager makes a missing lock folder: completion must not. */
	if (otto_lock_options_from_settings(&o, s, &owned_dir, &err) == OTTO_OK &&
	    stat(o.dir ? o.dir : OTTO_LOCK_DEFAULT_DIR, &st) == 0 && S_ISDIR(st.st_mode) &&
	    otto_lock_manager_new(&m, &o, &err) == OTTO_OK && otto_lock_manager_list(m, &list, &err) == OTTO_OK)
		for (size_t i = 0; i < list.count; i++)
			if (strncmp(list.items[i].name, "otto-pool-", 10) != 0)
				add(list.items[i].name);
	otto_lock_list_free(&list);
	otto_lock_manager_detach(m);
	otto_lock_manager_free(m);
	free(owned_dir);
}

static void subcommands_of(const char *family)
{
	const char *subs[16];
	cli_subcommands(family, subs, sizeof subs / sizeof subs[0]);
	for (size_t i = 0; subs[i]; i++)
		add(subs[i]);
}

static void add_families(void)
{
	for (size_t i = 0; cli_families[i]; i++)
		add(cli_families[i]);
}

/* What may come at the cursor, given the words before it. */
static void candidates(otto_cli *cli, char **words, int n, const char *current)
{
	const char *prev = n >= 2 ? words[n - 2] : "";
	const char *positional[8];
	int n_pos = 0;
	if (strcmp(prev, "--as-user") == 0)
		return user_names(cli);
	if (strcmp(prev, "--lab") == 0)
		return lab_names(cli);
	if (strcmp(prev, "--from") == 0 || strcmp(prev, "--until") == 0) {
		add("now"); /* or an ISO 8601 time, which no list holds */
		return;
	}
	if (prev[0] == '-' && takes_value(prev))
		return; /* a file, a folder, a duration, a token: the shell's own business */
	for (int i = 0; i < n - 1; i++) {
		if (strcmp(words[i], "--") == 0)
			return; /* lock run's COMMAND: the shell completes it */
		if (words[i][0] == '-') {
			if (!strchr(words[i], '=') && takes_value(words[i]))
				i++;
			continue;
		}
		if (n_pos < 8)
			positional[n_pos++] = words[i];
	}
	const char *family = n_pos ? positional[0] : NULL;
	const char *sub = n_pos >= 2 ? positional[1] : NULL;
	if (current[0] == '-') {
		/* "plugins inspect" is a subcommand; any other word after
		 * "plugins" is an argument of the family's own command. */
		const cli_command_spec *spec =
		    family ? cli_command_find(family, sub && cli_command_find(family, sub) ? sub : NULL) : NULL;
		for (const cli_option_spec *o = spec ? spec->options : NULL; o && o->name; o++)
			add(o->name);
		for (const cli_option_spec *o = cli_global_options; o->name; o++)
			add(o->name);
		return;
	}
	if (n_pos == 0)
		return add_families();
	if (strcmp(family, "help") == 0) {
		if (n_pos == 1)
			add_families();
		else if (n_pos == 2)
			subcommands_of(positional[1]);
		return;
	}
	if (n_pos == 1)
		return subcommands_of(family);
	if (strcmp(family, "lab") == 0 && n_pos == 2 && (strcmp(sub, "show") == 0 || strcmp(sub, "status") == 0))
		return lab_names(cli);
	if (strcmp(family, "reservation") == 0 && n_pos == 2 && strcmp(sub, "who") == 0)
		return resource_names(cli);
	if (strcmp(family, "reservation") == 0 && (strcmp(sub, "reserve") == 0 || strcmp(sub, "cancel") == 0))
		return resource_names(cli); /* RESOURCE...: any number of them */
	if (strcmp(family, "lock") == 0 && strcmp(sub, "release") == 0)
		return lock_names(cli);
	if (strcmp(family, "lock") == 0 && (strcmp(sub, "acquire") == 0 || strcmp(sub, "run") == 0)) {
		lock_names(cli);
		host_ids(cli);
	}
}

static void arm_deadline(long ms)
{
	struct itimerval timer = {.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &timer, NULL);
}

/* "~/x" as the shell would have expanded it: completion sees the words as
 * typed. NULL when there is nothing to expand. */
static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");
	char *out = NULL;
	if (!path || strncmp(path, "~/", 2) != 0 || !home || home[0] != '/' ||
	    asprintf(&out, "%s%s", home, path + 1) < 0)
		return NULL;
	return out;
}

/* The global options typed before the cursor (--settings, --plugin-dir,
 * --as-user) choose what is completed, as they would choose what the
 * command runs with. A mistake among them (a missing value, an empty
 * --as-user) only stops taking the ones after it. */
static char *take_globals(otto_cli *cli, char **words, int n_before)
{
	char **rest = calloc((size_t)n_before + 1, sizeof *rest);
	int n_rest = 0;
	if (rest && cli_split_globals(cli, n_before, words, rest, &n_rest) >= 0 && cli->as_user && !cli->as_user[0])
		cli->as_user = NULL;
	free(rest);
	for (size_t i = 0; i < cli->plugin_dirs.count; i++) {
		char *expanded = expand_home(cli->plugin_dirs.items[i]);
		if (expanded) {
			free(cli->plugin_dirs.items[i]);
			cli->plugin_dirs.items[i] = expanded;
		}
	}
	char *settings = expand_home(cli->settings_file);
	if (settings)
		cli->settings_file = settings;
	return settings; /* the caller frees it once done */
}

int cli_complete(otto_cli *cli, int argc, char **argv)
{
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	const char *limit = getenv("OTTO_COMPLETE_TIMEOUT_MS");
	long ms = limit && atol(limit) > 0 ? atol(limit) : 1500;
	struct sigaction sa = {.sa_handler = on_deadline};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	arm_deadline(ms);

	/* argv[0] is "__complete"; then an optional "--", then the words. */
	int first = argc >= 2 && strcmp(argv[1], "--") == 0 ? 2 : 1;
	char **words = argv + first;
	int n = argc - first;
	const char *current = n > 0 ? words[n - 1] : "";
	if (n == 0)
		n = 1, words = (char *[]){"", NULL};
	char *owned_settings = take_globals(cli, words, n - 1);
	candidates(cli, words, n, current);
	/* Every candidate is known: from here the deadline must not cut the
	 * list short. */
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);
	cli_sort_names(&found);
	size_t len = strlen(current);
	for (size_t i = 0; i < found.count; i++) {
		if (strncmp(found.items[i], current, len) != 0 ||
		    (i && strcmp(found.items[i], found.items[i - 1]) == 0))
			continue;
		fputs(found.items[i], stdout);
		fputc('\n', stdout);
	}
	otto_strlist_free(&found);
	fflush(stdout);
	/* The shell has its answer once stdout closes: keeping the answers
	 * for next time happens after that, under the deadline again. */
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
	arm_deadline(ms);
	cli_answer_cache_save();
	setitimer(ITIMER_REAL, &off, NULL);
	free(owned_settings);
	return CLI_EXIT_OK;
}
