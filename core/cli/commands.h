/*
 * The otto command: shared context and one entry point per command family.
 * main.c parses the global options (anywhere on the line), then hands the
 * remaining words to the command.
 */
#ifndef OTTO_CLI_COMMANDS_H
#define OTTO_CLI_COMMANDS_H

#include <otto/otto.h>

#include <stdbool.h>

/* Exit codes: users and scripts depend on them. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1, /* a failed check or a backend error */
	CLI_EXIT_USAGE = 2   /* usage, settings or plugin-loading errors */
};

typedef struct otto_cli {
	const char *as_user;       /* --as-user USER, or NULL */
	const char *settings_file; /* --settings FILE, or NULL */
	otto_strlist plugin_dirs;  /* --plugin-dir DIR, in order */
	otto_settings *settings;   /* loaded by cli_settings() on first use */
	otto_registry *registry;   /* scanned by cli_registry() on first use */
	bool rescan;               /* otto plugins --rescan: inspect every file, rewrite the cache */
} otto_cli;

/* Settings on first use: --settings FILE, else .otto/settings.toml found by
 * walking up from the current folder, else empty settings rooted at the
 * current folder. On error prints it and returns NULL (exit 2). */
otto_settings *cli_settings(otto_cli *cli);

/* The registry on first use, searching --plugin-dir, OTTO_PLUGIN_PATH,
 * [plugins] path, then the installed default. NULL after printing an error. */
otto_registry *cli_registry(otto_cli *cli);

/* The user the command acts for (--as-user, environment, passwd). Caller frees. */
char *cli_user(otto_cli *cli);

/* The lab repository [lab] backend selects, and the reservation backend
 * [reservations] backend selects: CLI_EXIT_OK, or the exit code after
 * printing the error. */
int cli_open_lab(otto_cli *cli, otto_lab_repository **repo);
int cli_open_reservation(otto_cli *cli, otto_reservation_backend **backend);

/* The reservation backend's own name for messages and JSON ("?" when it
 * gives none). */
const char *cli_backend_label(otto_reservation_backend *backend);

/* Open the reservation backend and ask it whether `user` may run on `lab`
 * (otto_reservation_check), the required resources sorted. CLI_EXIT_OK, or
 * the exit code after printing the error: *backend is then NULL when the
 * backend did not open, else open (the check failed). The caller closes
 * *backend with cli_close_reservation and frees *check either way. */
int cli_open_reservation_check(otto_cli *cli, const otto_lab *lab, const char *user,
			       otto_reservation_backend **backend, otto_check_result *check);

/* "otto: no lab named 'x' in lab backend 'y'. Available: ..." on stderr;
 * returns CLI_EXIT_FAILED. */
int cli_no_such_lab(otto_lab_repository *repo, const char *name);

/* A time for people and JSON alike: "2026-05-01T00:00:00Z" (UTC). */
void cli_format_utc(char *buf, size_t size, int64_t t);

/* Print "otto: <message>" on stderr and return the exit code for its status. */
int cli_fail(const otto_error *err);

/* Close a backend the command used (NULL is fine). Its worker may have
 * failed after the answer was made (a crash in destroy, an unclean exit):
 * when the command has succeeded so far (code 0), that fails it now, with
 * the message; otherwise `code` stands (the failure was reported already). */
int cli_close_lab(otto_lab_repository *repo, int code);
int cli_close_reservation(otto_reservation_backend *backend, int code);

/* Where the user of cli_user() came from: "--as-user", "LOGNAME", "USER",
 * "LNAME", "USERNAME" or "passwd". */
const char *cli_user_source(const otto_cli *cli);

/* Print "otto: <command>: <message>." and a hint to --help on stderr; return CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Command families: argv[0] is the family name ("lab"), argv[1] the
 * subcommand. Each handles --help itself and returns an exit code. */
int cli_cmd_plugins(otto_cli *cli, int argc, char **argv);
/* otto plugins inspect (argv: the words after "inspect"). */
int cli_cmd_plugins_inspect(otto_cli *cli, int argc, char **argv);
/* The optional capabilities (OTTO_BACKEND_CAP_*), per kind, in the order
 * shown; ended by an entry whose `text` is NULL (cmd_plugins_inspect.c). */
typedef struct cli_capability {
	uint32_t bit;
	otto_backend_kind kind;
	const char *text; /* plugins inspect: "reserve and cancel" */
	const char *json; /* plugins --json: "write" */
} cli_capability;
extern const cli_capability cli_capabilities[];
int cli_cmd_lab(otto_cli *cli, int argc, char **argv);
int cli_cmd_reservation(otto_cli *cli, int argc, char **argv);
int cli_cmd_lock(otto_cli *cli, int argc, char **argv);
/* otto db init (cmd_db.c). */
int cli_cmd_db(otto_cli *cli, int argc, char **argv);

/* Subcommands that live in files of their own; argv[0] is the first word
 * after the subcommand's name. */
int cli_lab_status(otto_cli *cli, int argc, char **argv);
int cli_reservation_held(otto_cli *cli, int argc, char **argv);
/* Take the global options (grammar.c) out of argv[0..argc), wherever they
 * are up to "--", into cli; the other words go to rest[] in order (NULL
 * after them). Returns -1 to go on, or the exit code after printing the
 * error (a missing value, an empty --as-user). */
int cli_split_globals(otto_cli *cli, int argc, char **argv, char **rest, int *n_rest);
/* The hidden "otto __complete WORD...": argv[0] is "__complete" (complete.c). */
int cli_complete(otto_cli *cli, int argc, char **argv);
int cli_reservation_users(otto_cli *cli, int argc, char **argv);
/* otto reservation reserve|cancel (cmd_reservation_write.c). */
int cli_reservation_reserve(otto_cli *cli, int argc, char **argv);
int cli_reservation_cancel(otto_cli *cli, int argc, char **argv);

#endif
