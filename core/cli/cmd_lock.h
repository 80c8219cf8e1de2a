/*
 * Between the sources of `otto lock` (cmd_lock.c: parsing, acquire,
 * release, list; cmd_lock_run.c: run and its lease renewal).
 */
#ifndef OTTO_CLI_CMD_LOCK_H
#define OTTO_CLI_CMD_LOCK_H

#include "commands.h"

#include <otto/lock.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct lock_args {
	const char *sub;
	char label[32]; /* "lock acquire", for messages */
	const char **names;
	int n_names;
	int64_t expiry;
	int64_t wait_s;
	const char *token;
	bool force, json, help;
	bool print_token;   /* acquire: each grant's fencing token */
	bool any;           /* --any: one lock of the pool NAME... */
	const char *chosen; /* --any: the one taken */
	char **command; /* run: after "--" */
	int n_command;
} lock_args;

/* A lock manager from [locks] for `holder`; CLI_EXIT_OK or the exit code
 * after saying why. */
int cli_lock_open_manager(otto_cli *cli, bool record, pid_t holder, const char *token, otto_lock_manager **m,
			  char **owned_dir);
/* Take a->names (all, or one of the pool with --any) for `holder`. */
int cli_lock_acquire_names(otto_cli *cli, otto_lock_manager *m, lock_args *a, pid_t holder);

/* otto lock run (cmd_lock_run.c). */
int cli_lock_run(otto_cli *cli, lock_args *a);

#endif
