/* otto lock acquire|run --any: the first free lock of a pool, fairly
 * (cmd_lock_pool.c says how). */
#ifndef OTTO_CLI_CMD_LOCK_POOL_H
#define OTTO_CLI_CMD_LOCK_POOL_H

#include <otto/lock.h>

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct cli_lock_pool_request {
	const char *label;	  /* "lock acquire", for messages */
	const char *const *names; /* the pool */
	size_t n_names;
	int64_t expiry; /* seconds, 0: none */
	int64_t wait_s; /* 0: try once */
	pid_t holder;	/* who holds the locks m takes */
} cli_lock_pool_request;

/* Take one lock of the pool through `m` (waiting in the pool's queue
 * through `tickets`, a manager whose holder is this process). *chosen
 * points into req->names. CLI_EXIT_OK, or the exit code after printing
 * why (CLI_EXIT_FAILED: every lock stayed held). */
int cli_lock_pool_acquire(otto_lock_manager *m, otto_lock_manager *tickets, const cli_lock_pool_request *req,
			  const char **chosen);

#endif
