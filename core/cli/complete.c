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
 */
#include "commands.h"
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

/* The words otto knows; tests/cli/test_complete.c checks them against
 * every --help text, so that the two cannot drift apart. */
typedef struct sub_words {
	const char *family, *sub;
	const char *options; /* space-separated */
} sub_words;

static const sub_words known[] = {
    {"plugins", NULL, "--json --rescan"},
    {"plugins", "inspect", ""},
    {"lab", "list", "--json"},
    {"lab", "show", "--json --show-passwords"},
    {"lab", "hosts", "--lab --json"},
    {"lab", "status", "--json"},
    {"reservation", "whoami", "--json"},
    {"reservation", "held", "--windows --json"},
    {"reservation", "who", "--json"},
    {"reservation", "users", "--json"},
    {"reservation", "check", "--lab --skip-reservation-check --json"},
    {"lock", "acquire", "--any --expiry --wait --print-token --json"},
    {"lock", "release", "--token --force --json"},
    {"lock", "list", "--json"},
    {"lock", "run", "--any --expiry --wait"},
    {"db", "init", ""},
};

static const char *const globals[] = {"--as-user", "--settings", "--plugin-dir", "--help", "--version", NULL};
static const char *const families[] = {"plugins", "lab", "reservation", "lock", "db", "help", NULL};
/* Options whose value is the next word. */
static const char *const takes_value[] = {"--as-user", "--settings", "--plugin-dir", "--lab",
					  "--expiry",  "--wait",     "--token",	     NULL};

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

static void add_words(const char *space_separated)
{
	char *copy = strdup(space_separated), *save = NULL;
	for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
		add(w);
	free(copy);
}

static bool in(const char *word, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(word, list[i]) == 0)
			return true;
	return false;
}

static void on_deadline(int sig)
{
	(void)sig;
	_exit(0); /* nothing printed yet: no candidates */
}

static void lab_names(otto_cli *cli)
{
	otto_lab_repository *repo = NULL;
	otto_strlist names = {0};
	otto_error err = {0};
	if (cli_open_lab(cli, &repo) != CLI_EXIT_OK)
		return;
	if (otto_lab_repository_list_labs(repo, &names, &err) == OTTO_OK)
		add_list(&names);
	otto_strlist_free(&names);
	cli_close_lab(repo, CLI_EXIT_OK);
}

/* Every host id (for lock names: boards are usually named after hosts). */
static void host_ids(otto_cli *cli)
{
	otto_lab_repository *repo = NULL;
	otto_summary_list summaries = {0};
	otto_error err = {0};
	if (cli_open_lab(cli, &repo) != CLI_EXIT_OK)
		return;
	if (otto_lab_repository_host_summaries(repo, &summaries, &err) == OTTO_OK)
		for (size_t i = 0; i < summaries.count; i++)
			add(summaries.items[i].id);
	otto_summary_list_free(&summaries);
	cli_close_lab(repo, CLI_EXIT_OK);
}

/* Every resource some lab requires. */
static void resource_names(otto_cli *cli)
{
	otto_lab_repository *repo = NULL;
	otto_strlist names = {0};
	otto_error err = {0};
	if (cli_open_lab(cli, &repo) != CLI_EXIT_OK)
		return;
	if (otto_lab_repository_list_labs(repo, &names, &err) == OTTO_OK) {
		for (size_t i = 0; i < names.count; i++) {
			otto_lab *lab = NULL;
			if (otto_lab_repository_load_lab(repo, names.items[i], NULL, &lab, &err) != OTTO_OK)
				continue;
			add_list(&lab->resources);
			for (size_t h = 0; h < lab->n_hosts; h++)
				add_list(&lab->hosts[h].resources);
			otto_lab_free(lab);
		}
	}
	otto_strlist_free(&names);
	cli_close_lab(repo, CLI_EXIT_OK);
}

static void user_names(otto_cli *cli)
{
	otto_reservation_backend *backend = NULL;
	otto_strlist names = {0};
	otto_error err = {0};
	if (cli_open_reservation(cli, &backend) != CLI_EXIT_OK)
		return;
	if (otto_reservation_backend_has_usernames(backend) &&
	    otto_reservation_backend_list_usernames(backend, &names, &err) == OTTO_OK)
		add_list(&names);
	otto_strlist_free(&names);
	cli_close_reservation(backend, CLI_EXIT_OK);
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

static const sub_words *find_sub(const char *family, const char *sub)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i].family, family) == 0 &&
		    (known[i].sub == NULL ? sub == NULL : sub && strcmp(known[i].sub, sub) == 0))
			return &known[i];
	return NULL;
}

static void subcommands_of(const char *family)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i].family, family) == 0 && known[i].sub)
			add(known[i].sub);
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
	if (in(prev, takes_value))
		return; /* a file, a folder, a duration, a token: the shell's own business */
	for (int i = 0; i < n - 1; i++) {
		if (strcmp(words[i], "--") == 0)
			return; /* lock run's COMMAND: the shell completes it */
		if (words[i][0] == '-') {
			if (in(words[i], takes_value) && !strchr(words[i], '='))
				i++;
			continue;
		}
		if (n_pos < 8)
			positional[n_pos++] = words[i];
	}
	const char *family = n_pos ? positional[0] : NULL;
	const char *sub = n_pos >= 2 ? positional[1] : NULL;
	if (current[0] == '-') {
		const sub_words *w = family ? find_sub(family, strcmp(family, "plugins") == 0 && !(sub && strcmp(sub, "inspect") == 0) ? NULL : sub) : NULL;
		if (w)
			add_words(w->options);
		for (size_t i = 0; globals[i]; i++)
			add(globals[i]);
		return;
	}
	if (n_pos == 0) {
		for (size_t i = 0; families[i]; i++)
			add(families[i]);
		return;
	}
	if (strcmp(family, "help") == 0) {
		if (n_pos == 1)
			for (size_t i = 0; families[i]; i++)
				add(families[i]);
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
	if (strcmp(family, "lock") == 0 && strcmp(sub, "release") == 0)
		return lock_names(cli);
	if (strcmp(family, "lock") == 0 && (strcmp(sub, "acquire") == 0 || strcmp(sub, "run") == 0)) {
		lock_names(cli);
		host_ids(cli);
	}
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
	struct itimerval timer = {.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &timer, NULL);

	/* argv[0] is "__complete"; then an optional "--", then the words. */
	int first = argc >= 2 && strcmp(argv[1], "--") == 0 ? 2 : 1;
	char **words = argv + first;
	int n = argc - first;
	const char *current = n > 0 ? words[n - 1] : "";
	if (n == 0)
		n = 1, words = (char *[]){"", NULL};
	/* The global options on the line choose the settings and plugins. */
	for (int i = 0; i + 2 < n; i++) {
		if (strcmp(words[i], "--settings") == 0)
			cli->settings_file = words[i + 1];
		else if (strcmp(words[i], "--as-user") == 0 && words[i + 1][0])
			cli->as_user = words[i + 1];
	}
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
	return CLI_EXIT_OK;
}
