/*
 * otto lock acquire | release | list | run: machine locks on the lab host
 * (docs/locks.md). The lock folder and PID checking come from [locks].
 */
#include "args.h"
#include "cmd_lock.h"
#include "cmd_lock_pool.h"
#include "commands.h"
#include "grammar.h"
#include "json_out.h"
#include "names.h"
#include "table.h"
#include "text.h"

#include <otto/lock.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char family_usage[] =
	"Usage: otto lock COMMAND\n"
	"\n"
	"Locks on the lab host, so that two people never drive the same board at once. They live in\n"
	"the lock folder ([locks] dir, default " OTTO_LOCK_DEFAULT_DIR "), recorded under your user.\n"
	"\n"
	"  acquire NAME... [--expiry DURATION] [--wait DURATION] [--any] [--print-token] [--json]\n"
	"                     take every NAME or none (--any: the first free one of the pool NAME...); the locks stay with the calling shell (its PID)\n"
	"                     until released, until it exits, or until they expire; prints a release token\n"
	"  release NAME... [--token TOKEN] [--force] [--json]\n"
	"                     release locks the calling shell holds (or TOKEN's); --force breaks anyone's\n"
	"                     and says whose\n"
	"  list [--json]      every lock: name, holder, host, pid, taken, expiry, state\n"
	"                     (held, expired, stale, corrupt), fencing token\n"
	"  run NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND [ARGS]\n"
	"                     hold the locks while COMMAND runs (COMMAND is their holder); exit with its status;\n"
	"                     --any: one lock of the pool, named to COMMAND in $OTTO_LOCK_NAME; --expiry is a\n"
	"                     lease, renewed while COMMAND runs (COMMAND is stopped if a lock is lost)\n"
	"\n"
	"DURATION: 90s, 30m, 2h, 1d or plain seconds. --wait waits up to DURATION for the locks.\n";

#define DURATION_HELP "DURATION: 90s, 30m, 2h, 1d or plain seconds. --wait waits up to DURATION for the locks.\n"
#define ANY_HELP                                                                                                   \
	"--any takes one lock of the pool NAME... instead of all: one the caller holds already,\n"                  \
	"else the first free one in the order given, and says which. With --wait, callers queue:\n"                \
	"the first to wait is served first.\n"

/* One usage text per subcommand, for 'otto lock SUB --help'. */
static const struct {
	const char *name;
	const char *usage;
} subcommands[] = {
	{"acquire", "Usage: otto lock acquire NAME... [--expiry DURATION] [--wait DURATION] [--print-token] [--json]\n"
		    "       otto lock acquire --any NAME... [--expiry DURATION] [--wait DURATION] [--print-token] [--json]\n"
		    "\n"
		    "Take every NAME or none. The locks stay with the calling shell (its PID) until\n"
		    "released, until that shell exits, or until they expire, and are recorded under your\n"
		    "user. Prints a release token: 'otto lock release NAME --token TOKEN' releases them from\n"
		    "any process. When the calling process cannot hold locks (otto's parent already exited,\n"
		    "or is a reaper such as init), only a lock with --expiry can be taken: it lasts until\n"
		    "its expiry or its release with the token.\n"
		    "\n"
		    "--print-token adds each grant's fencing token, a number that grows with every grant\n"
		    "of a name, for systems downstream to refuse an older holder (docs/team-store.md);\n"
		    "the lock folder has none. --json prints the grants as JSON (docs/cli.md).\n"
		    "\n" DURATION_HELP ANY_HELP},
	{"release", "Usage: otto lock release NAME... [--token TOKEN] [--force] [--json]\n"
		    "\n"
		    "Release locks the calling shell holds, or the locks the acquire that printed TOKEN\n"
		    "took. A lock of yours whose holder is dead may be released too. --force breaks\n"
		    "anyone's lock (also a corrupt one) and says whose. --json prints what was released,\n"
		    "and whose it was, as JSON (docs/cli.md).\n"},
	{"list", "Usage: otto lock list [--json]\n"
		 "\n"
		 "Every lock in the lock folder: name, holder, host, pid, taken, expiry, state\n"
		 "(held, expired, stale, corrupt) and fencing token ('-': the store gives none).\n"},
	{"run", "Usage: otto lock run NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND [ARGS]\n"
		"       otto lock run --any NAME... [--expiry DURATION] [--wait DURATION] -- COMMAND [ARGS]\n"
		"\n"
		"Hold the locks while COMMAND runs: COMMAND's process is their holder, so they stay\n"
		"held while it runs even if otto itself is killed. Releases them when it ends (also on\n"
		"SIGINT, SIGTERM or SIGHUP, which are passed on to it) and exits with its status.\n"
		"With --expiry the locks are a lease: renewed every third of DURATION while COMMAND\n"
		"runs, so they outlive a long command but not a dead one. A renewal the store cannot\n"
		"answer is retried while the lease lasts; a lock found lost (taken over, broken, or\n"
		"its lease ran out) stops COMMAND with SIGTERM and says so.\n"
		"\n" DURATION_HELP ANY_HELP "With --any, COMMAND finds the lock's name in $OTTO_LOCK_NAME.\n"},
};


static bool option_value(int argc, char **argv, int *i, const char *opt, const char **value)
{
	size_t n = strlen(opt);
	if (strncmp(argv[*i], opt, n) != 0)
		return false;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return true;
	}
	if (argv[*i][n] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

/* Parse argv[2..]: -1 to go on, else an exit code. */
static int parse(lock_args *a, int argc, char **argv)
{
	const char *cmd = a->sub;
	bool takes_time = !strcmp(cmd, "acquire") || !strcmp(cmd, "run");
	a->names = calloc((size_t)argc, sizeof *a->names);
	for (int i = 2; i < argc; i++) {
		const char *arg = argv[i], *value = NULL;
		otto_error err = {0};
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			a->help = true;
			return -1;
		}
		if (arg[0] == '-' && strcmp(arg, "--") != 0) {
			/* grammar.c says which options exist (completion offers the
			 * same); the code below binds each. */
			size_t len = strcspn(arg, "=");
			const cli_option_spec *o = cli_command_option(cli_command_find("lock", cmd), arg, len);
			if (!o) {
				const char *names[CLI_MAX_OPTIONS + 2];
				cli_option_names(cli_command_find("lock", cmd), names, sizeof names / sizeof names[0]);
				char *typed = strndup(arg, len);
				const char *best = typed ? cli_did_you_mean(typed, names) : NULL;
				int code = best ? cli_usage_error(a->label, "unknown option '%s'. Did you mean '%s'?", typed,
								  best)
						: cli_usage_error(a->label, "unknown option '%.*s'", (int)len, arg);
				free(typed);
				return code;
			}
			if (!o->takes_value && arg[len] == '=')
				return cli_usage_error(a->label, "option '%s' takes no value", o->name);
		}
		if (!strcmp(arg, "--")) {
			if (strcmp(cmd, "run") != 0)
				return cli_usage_error(a->label, "unexpected '--'");
			a->command = argv + i + 1;
			a->n_command = argc - i - 1;
			break;
		}
		for (int k = 0; takes_time && k < 2; k++) {
			const char *opt = k == 0 ? "--expiry" : "--wait";
			int64_t *dst = k == 0 ? &a->expiry : &a->wait_s;
			if (!option_value(argc, argv, &i, opt, &value))
				continue;
			if (!value)
				return cli_usage_error(a->label, "%s needs a DURATION (e.g. 90s, 30m, 2h)", opt);
			if (otto_lock_duration_parse(value, dst, &err) != OTTO_OK)
				return cli_usage_error(a->label, "%s: %s", opt, err.message);
			value = opt;
			break;
		}
		if (value)
			continue;
		if (!strcmp(cmd, "release") && !strcmp(arg, "--force")) {
			a->force = true;
			continue;
		}
		if (!strcmp(cmd, "release") && option_value(argc, argv, &i, "--token", &value)) {
			if (!value || !value[0])
				return cli_usage_error(a->label, "--token needs the TOKEN acquire printed");
			a->token = value;
			continue;
		}
		if (!strcmp(cmd, "acquire") && !strcmp(arg, "--print-token")) {
			a->print_token = true;
			continue;
		}
		if (strcmp(cmd, "run") != 0 && !strcmp(arg, "--json")) {
			a->json = true;
			continue;
		}
		if (takes_time && !strcmp(arg, "--any")) {
			a->any = true;
			continue;
		}
		if (arg[0] == '-') {
			fprintf(stderr, "otto: internal error: option '%s' of '%s' is in core/cli/grammar.c but not bound\n",
				arg, a->label);
			return CLI_EXIT_FAILED;
		}
		if (!strcmp(cmd, "list"))
			return cli_usage_error(a->label, "unexpected argument '%s'", arg);
		a->names[a->n_names++] = arg;
	}
	if (strcmp(cmd, "list") != 0 && a->n_names == 0)
		return cli_usage_error(a->label, "missing NAME");
	if (!strcmp(cmd, "run") && a->n_command == 0)
		return cli_usage_error(a->label, "missing '-- COMMAND'");
	return -1;
}

int cli_lock_open_manager(otto_cli *cli, bool record, pid_t holder, const char *token, otto_lock_manager **m,
			char **owned_dir)
{
	otto_error err = {0};
	otto_lock_options o;
	otto_settings *s = cli_settings(cli);
	if (!s)
		return CLI_EXIT_USAGE;
	otto_lock_options_init(&o);
	if (otto_lock_options_from_settings(&o, s, owned_dir, &err) != OTTO_OK)
		return cli_fail(&err);
	/* Commands that write pass an explicit --as-user on, for libotto to
	 * refuse: a lock is recorded under the user who owns its file, whatever
	 * --as-user or LOGNAME say. `list` only reads. */
	o.user = record ? cli->as_user : NULL;
	o.holder_pid = holder;
	o.token = token;
	/* A store a plugin provides ([locks] store) is found in the registry;
	 * the lock folder needs none, so no scan for it. */
	if (o.store && !(o.registry = cli_registry(cli)))
		return CLI_EXIT_USAGE;
	if (otto_lock_manager_new(m, &o, &err) != OTTO_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

/* Can otto's parent hold locks? Not process 1, and not a reaper that
 * adopted otto after the process that ran it exited (such a process is
 * outside otto's session: a shell and the commands it runs share one).
 * Either would keep a lock for as long as the machine runs. A parent
 * outside the session may also be a wrapper (sudo with a pty, setsid):
 * then it is not the shell either, and exits with otto. */
static bool parent_can_hold(pid_t ppid, char *why, size_t size)
{
	char path[64], comm[64] = "?";
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)ppid);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof comm, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (ppid == 1) {
		snprintf(why, size,
			 "otto's parent is process 1 (%s): the process that ran otto has already exited, or init ran it",
			 comm);
		return false;
	}
	if (getsid(ppid) != getsid(0)) {
		snprintf(why, size,
			 "otto's parent, process %ld (%s), is outside otto's session: a process reaper that adopted otto "
			 "after the process that ran it exited, or a wrapper such as sudo or setsid that put otto in a "
			 "session of its own, and not the shell that asked",
			 (long)ppid, comm);
		return false;
	}
	return true;
}

static void format_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "-");
}

/* "held by bob on labhost (pid 42) since ..., expires ..." or the corrupt file. */
static void describe(const otto_lock_info *h, char *buf, size_t size)
{
	char taken[32], expiry[32];
	if (h->state == OTTO_LOCK_CORRUPT) {
		snprintf(buf, size, "is corrupt (%s: %s); only 'otto lock release --force %s' replaces it", h->path,
			 h->problem, h->name);
		return;
	}
	format_time(taken, sizeof taken, h->taken);
	format_time(expiry, sizeof expiry, h->expiry);
	snprintf(buf, size, "is %s by %s on %s (pid %lld) since %s, %s%s", otto_lock_state_name(h->state), h->user,
		 h->host, (long long)h->pid, taken, h->expiry ? "expiry " : "no expiry", h->expiry ? expiry : "");
}

/* --any: one lock of the pool, waiting in its queue (cmd_lock_pool.c)
 * through a manager of otto's own process, so that a killed otto leaves
 * no live ticket behind. */
static int acquire_any(otto_cli *cli, otto_lock_manager *m, lock_args *a, pid_t holder)
{
	otto_lock_manager *tickets = NULL;
	char *owned_dir = NULL;
	int rc = cli_lock_open_manager(cli, true, getpid(), NULL, &tickets, &owned_dir);
	if (rc == CLI_EXIT_OK) {
		cli_lock_pool_request req = {.label = a->label, .names = a->names, .n_names = (size_t)a->n_names,
					     .expiry = a->expiry, .wait_s = a->wait_s, .holder = holder};
		rc = cli_lock_pool_acquire(m, tickets, &req, &a->chosen);
	}
	otto_lock_manager_free(tickets);
	free(owned_dir);
	return rc;
}

int cli_lock_acquire_names(otto_cli *cli, otto_lock_manager *m, lock_args *a, pid_t holder_pid)
{
	if (a->any)
		return acquire_any(cli, m, a, holder_pid);
	otto_error err = {0};
	otto_lock_info holder;
	bool got = false;
	char why[1400];
	if (otto_lock_manager_acquire_all(m, a->names, (size_t)a->n_names, a->expiry, 0, a->wait_s * 1000, &got,
					  &holder, &err) != OTTO_OK)
		return cli_fail(&err);
	if (!got) {
		describe(&holder, why, sizeof why);
		cli_line(stderr, "otto: lock '%s' %s", holder.name, why);
		otto_lock_info_clear(&holder);
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

/* The fencing token as text: "none" when the store gives none. */
static void format_fence(char *buf, size_t size, uint64_t fence)
{
	if (fence)
		snprintf(buf, size, "%llu", (unsigned long long)fence);
	else
		snprintf(buf, size, "none");
}

static void json_fence(yajl_gen g, uint64_t fence)
{
	cli_json_key(g, "fence");
	cli_json_number(g, fence ? (int64_t)fence : OTTO_NO_NUMBER);
}

static int cmd_acquire(otto_cli *cli, otto_lock_manager *m, lock_args *a, pid_t holder, bool detached)
{
	char expiry[32], fence[32];
	bool fenced = false;
	int rc = cli_lock_acquire_names(cli, m, a, holder);
	if (rc != CLI_EXIT_OK)
		return rc;
	/* --any took one of them: say which. */
	if (a->any) {
		a->names[0] = a->chosen;
		a->n_names = 1;
	}
	yajl_gen g = a->json ? cli_json_begin() : NULL;
	if (g)
		yajl_gen_array_open(g);
	for (int i = 0; i < a->n_names; i++) {
		otto_lock_info info;
		otto_error err = {0};
		if (otto_lock_manager_get(m, a->names[i], &info, &err) != OTTO_OK) {
			if (g)
				yajl_gen_free(g);
			return cli_fail(&err);
		}
		/* The grant's own token, as the store handed it to acquire. */
		uint64_t token = otto_lock_manager_fence(m, a->names[i]);
		fenced = fenced || token;
		format_time(expiry, sizeof expiry, info.expiry);
		format_fence(fence, sizeof fence, token);
		if (g) {
			yajl_gen_map_open(g);
			cli_json_key(g, "name");
			cli_json_string(g, a->names[i]);
			cli_json_key(g, "pid");
			cli_json_number(g, info.pid);
			cli_json_key(g, "expiry");
			cli_json_string(g, info.expiry ? expiry : NULL);
			cli_json_key(g, "token");
			cli_json_string(g, otto_lock_manager_token(m));
			json_fence(g, token);
			cli_json_key(g, "store");
			cli_json_string(g, otto_lock_manager_dir(m));
			yajl_gen_map_close(g);
		} else if (detached) {
			cli_line(stdout, "acquired %s (until %s; release token %s%s%s)", a->names[i], expiry,
				 otto_lock_manager_token(m), a->print_token ? "; fencing token " : "",
				 a->print_token ? fence : "");
		} else {
			cli_line(stdout, "acquired %s (%s%s, held while pid %lld lives; release token %s%s%s)", a->names[i],
				 info.expiry ? "expiry " : "no expiry", info.expiry ? expiry : "", (long long)info.pid,
				 otto_lock_manager_token(m), a->print_token ? "; fencing token " : "",
				 a->print_token ? fence : "");
		}
		otto_lock_info_clear(&info);
	}
	if (a->print_token && !fenced)
		cli_line(stderr, "otto: lock store %s gives no fencing tokens", otto_lock_manager_dir(m));
	/* The locks belong to the calling shell now, not to this process. */
	otto_lock_manager_detach(m);
	if (!g)
		return CLI_EXIT_OK;
	yajl_gen_array_close(g);
	return cli_json_end(g);
}

static int cmd_release(otto_lock_manager *m, const lock_args *a)
{
	int rc = CLI_EXIT_OK;
	char taken[32];
	yajl_gen g = a->json ? cli_json_begin() : NULL;
	if (g)
		yajl_gen_array_open(g);
	for (int i = 0; i < a->n_names; i++) {
		otto_error err = {0};
		otto_lock_info broken;
		char why[1400];
		if (otto_lock_manager_release(m, a->names[i], a->force ? OTTO_LOCK_FORCE : 0, &broken, &err) != OTTO_OK) {
			cli_fail(&err);
			rc = CLI_EXIT_FAILED;
			continue;
		}
		bool said = broken.name != NULL;
		if (g) {
			/* What was released: whose it was, also without --force. */
			bool ok = said && broken.state != OTTO_LOCK_CORRUPT;
			format_time(taken, sizeof taken, broken.taken);
			yajl_gen_map_open(g);
			cli_json_key(g, "name");
			cli_json_string(g, a->names[i]);
			cli_json_key(g, "forced");
			yajl_gen_bool(g, a->force);
			cli_json_key(g, "holder");
			cli_json_string(g, ok ? broken.user : NULL);
			cli_json_key(g, "host");
			cli_json_string(g, ok ? broken.host : NULL);
			cli_json_key(g, "pid");
			cli_json_number(g, ok ? broken.pid : OTTO_NO_NUMBER);
			cli_json_key(g, "taken");
			cli_json_string(g, ok ? taken : NULL);
			cli_json_key(g, "state");
			cli_json_string(g, said ? otto_lock_state_name(broken.state) : NULL);
			json_fence(g, broken.fence);
			yajl_gen_map_close(g);
		} else if (a->force && said) {
			describe(&broken, why, sizeof why);
			cli_line(stdout, "released %s by force: it %s", a->names[i], why);
		} else {
			cli_line(stdout, "released %s", a->names[i]);
		}
		otto_lock_info_clear(&broken);
	}
	if (g) {
		yajl_gen_array_close(g);
		int jr = cli_json_end(g);
		return rc != CLI_EXIT_OK ? rc : jr;
	}
	return rc;
}

/* Natural order of names (bench2 before bench10). */
static int compare_locks(const void *a, const void *b)
{
	return cli_natural_compare(((const otto_lock_info *)a)->name, ((const otto_lock_info *)b)->name);
}

static int cmd_list(otto_lock_manager *m, const lock_args *a)
{
	otto_error err = {0};
	otto_lock_list list;
	char taken[32], expiry[32], pid[24];
	if (otto_lock_manager_list(m, &list, &err) != OTTO_OK)
		return cli_fail(&err);
	if (list.count > 1)
		qsort(list.items, list.count, sizeof *list.items, compare_locks);
	if (a->json) {
		yajl_gen g = cli_json_begin();
		yajl_gen_array_open(g);
		for (size_t i = 0; i < list.count; i++) {
			const otto_lock_info *l = &list.items[i];
			bool ok = l->state != OTTO_LOCK_CORRUPT;
			yajl_gen_map_open(g);
			cli_json_key(g, "name");
			cli_json_string(g, l->name);
			cli_json_key(g, "holder");
			cli_json_string(g, l->user);
			cli_json_key(g, "host");
			cli_json_string(g, l->host);
			cli_json_key(g, "pid");
			cli_json_number(g, ok ? l->pid : OTTO_NO_NUMBER);
			format_time(taken, sizeof taken, l->taken);
			format_time(expiry, sizeof expiry, l->expiry);
			cli_json_key(g, "taken");
			cli_json_string(g, ok ? taken : NULL);
			cli_json_key(g, "expiry");
			cli_json_string(g, ok && l->expiry ? expiry : NULL);
			cli_json_key(g, "state");
			cli_json_string(g, otto_lock_state_name(l->state));
			cli_json_key(g, "path");
			cli_json_string(g, l->path);
			cli_json_key(g, "problem");
			cli_json_string(g, l->problem);
			json_fence(g, ok ? l->fence : 0);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
		otto_lock_list_free(&list);
		return cli_json_end(g);
	}
	/* The FENCE column only for a store that gives fencing tokens: the
	 * lock folder's table stays as it was. */
	static const char *const header[] = {"NAME", "HOLDER", "HOST", "PID", "TAKEN", "EXPIRY", "FENCE", "STATE"};
	static const char *const header_unfenced[] = {"NAME", "HOLDER", "HOST", "PID", "TAKEN", "EXPIRY", "STATE"};
	bool fenced = false;
	for (size_t i = 0; i < list.count; i++)
		fenced = fenced || list.items[i].fence;
	char fence[32];
	cli_table table;
	cli_table_init(&table, fenced ? 8 : 7, fenced ? header : header_unfenced);
	if (list.count == 0)
		cli_line(stderr, "no locks in %s", otto_lock_manager_dir(m));
	for (size_t i = 0; i < list.count; i++) {
		const otto_lock_info *l = &list.items[i];
		bool ok = l->state != OTTO_LOCK_CORRUPT;
		format_time(taken, sizeof taken, l->taken);
		format_time(expiry, sizeof expiry, l->expiry);
		snprintf(pid, sizeof pid, "%lld", (long long)l->pid);
		if (ok && l->fence)
			snprintf(fence, sizeof fence, "%llu", (unsigned long long)l->fence);
		else
			snprintf(fence, sizeof fence, "-");
		const char *row[] = {l->name,	     ok ? l->user : "-", ok ? l->host : "-",
				     ok ? pid : "-", ok ? taken : "-",	 ok && l->expiry ? expiry : "none",
				     fence, otto_lock_state_name(l->state)};
		if (!fenced)
			row[6] = row[7];
		cli_table_add(&table, row);
		if (!ok)
			cli_line(stderr, "otto: lock '%s' is corrupt: %s: %s", l->name, l->path, l->problem);
	}
	if (list.count)
		cli_table_print(&table, "");
	else
		cli_table_print_nothing(&table);
	otto_lock_list_free(&list);
	return CLI_EXIT_OK;
}

int cli_cmd_lock(otto_cli *cli, int argc, char **argv)
{
	lock_args a = {0};
	otto_lock_manager *m = NULL;
	char *owned_dir = NULL, why[400];
	int rc;
	const char *sub_usage = NULL;
	pid_t holder = getppid();
	bool detached = false;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(family_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			sub_usage = subcommands[i].usage;
	if (!sub_usage || !cli_command_find("lock", argv[1]))
		return cli_family_usage("lock", family_usage, argc, argv);
	a.sub = argv[1];
	snprintf(a.label, sizeof a.label, "lock %s", a.sub);
	rc = parse(&a, argc, argv);
	if (rc >= 0)
		goto out;
	if (a.help) {
		fputs(sub_usage, stdout);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (!strcmp(a.sub, "run")) {
		rc = cli_lock_run(cli, &a);
		goto out;
	}
	/* acquire hands its locks to the shell that called it, and release
	 * recognises that shell's locks; a parent that cannot hold locks gets
	 * none: a lock with an expiry then lives exactly until it expires. */
	if (!parent_can_hold(holder, why, sizeof why)) {
		if (!strcmp(a.sub, "acquire") && a.expiry == 0) {
			cli_line(stderr,
				"otto: lock acquire: %s, so a lock it held would never be released. Run otto from a "
				"shell that stays, hold the locks for one command with 'otto lock run NAME -- COMMAND', "
				"or give --expiry DURATION for a lock that lasts until it expires (release it early with "
				"the token it prints).",
				why);
			rc = CLI_EXIT_FAILED;
			goto out;
		}
		holder = getpid();
		detached = true;
	}
	rc = cli_lock_open_manager(cli, strcmp(a.sub, "list") != 0, holder, a.token, &m, &owned_dir);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (!strcmp(a.sub, "acquire"))
		rc = cmd_acquire(cli, m, &a, holder, detached);
	else if (!strcmp(a.sub, "release"))
		rc = cmd_release(m, &a);
	else
		rc = cmd_list(m, &a);
out:
	otto_lock_manager_free(m);
	free(owned_dir);
	free(a.names);
	return rc;
}
