/*
 * Between the postgres lock store's sources (lock_store.c, lock_liveness.c):
 * one row of otto.locks as the client reads it, and what this machine can
 * say about its holder.
 */
#ifndef OTTO_PG_LOCK_H
#define OTTO_PG_LOCK_H

#include "pg_plugin.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct pg_lock_row {
	const char *name, *holder, *host, *boot_id, *pidns, *token_sha256; /* point into the PGresult */
	int64_t pid;
	uint64_t pid_start;
	int64_t taken, expiry; /* Unix seconds; expiry 0: none */
	uint64_t fence;
	bool ran_out; /* past its expiry, by the server's clock */
} pg_lock_row;

typedef enum pg_liveness { PG_HOLDER_UNKNOWN = 0, PG_HOLDER_ALIVE = 1, PG_HOLDER_DEAD = 2 } pg_liveness;

/* Alive or dead only on the holder's own host, boot and PID namespace
 * (its PID and start time against /proc); unknown anywhere else. */
pg_liveness pg_holder_liveness(const pg_lock_row *row, const otto_lock_holder *here);

#endif
