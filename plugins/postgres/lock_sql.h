/*
 * The postgres lock store's statements (lock_store.c), in a header of
 * their own so that tests/bench/postgres/bench_pg_lock.c sends exactly
 * these, bare, as its floor. Every statement reads back the row in
 * LOCK_SQL_COLUMNS order (row_of in lock_store.c).
 */
#ifndef OTTO_PG_LOCK_SQL_H
#define OTTO_PG_LOCK_SQL_H

#define LOCK_SQL_COLUMNS                                                                                               \
	"name, holder, host, pid, pid_start::text, boot_id, pidns, token_sha256, "                                     \
	"extract(epoch FROM taken)::bigint, coalesce(extract(epoch FROM expiry)::bigint, 0), fence, "                \
	"coalesce(expiry <= now(), false)"

/* $8: the lease in seconds, 0 for none. */
#define LOCK_SQL_EXPIRY_OF_8 "CASE WHEN $8::bigint > 0 THEN now() + $8::bigint * interval '1 second' END"

/* Both writes that grant first take the name's transaction-level advisory
 * lock (7028413, hashtext(name)): the trigger draws the fence before an
 * INSERT waits out a racing writer of the same name, so without it a grant
 * made later could carry a smaller fence (pg_lock_chaos caught 1356
 * granted after 1358). Under the lock, fences grow in grant order per
 * name. Transaction-level, it ends with its statement: no session state. */
#define LOCK_SQL_NAME_LOCKED_1 "(SELECT $1::text FROM pg_advisory_xact_lock(7028413, hashtext($1::text)))"

/* $1 name. */
#define LOCK_SQL_GET "SELECT " LOCK_SQL_COLUMNS " FROM otto.locks WHERE name = $1"

/* $1 name, $2 host, $3 pid, $4 pid_start, $5 boot_id, $6 pidns, $7 token,
 * $8 expiry seconds; no row back: the name has a lock. */
#define LOCK_SQL_INSERT                                                                                                \
	"INSERT INTO otto.locks (name, host, pid, pid_start, boot_id, pidns, token_sha256, expiry) "                   \
	"VALUES (" LOCK_SQL_NAME_LOCKED_1 ", $2, $3, $4::numeric, $5, $6, $7, " LOCK_SQL_EXPIRY_OF_8                   \
	") ON CONFLICT (name) DO NOTHING RETURNING " LOCK_SQL_COLUMNS

/* As LOCK_SQL_INSERT, and $9: the fence judged; no row back: the lock
 * changed since, or row-level security kept this role from it. */
#define LOCK_SQL_TAKE                                                                                                  \
	"UPDATE otto.locks SET host = $2, pid = $3, pid_start = $4::numeric, boot_id = $5, "                           \
	"pidns = $6, token_sha256 = $7, expiry = " LOCK_SQL_EXPIRY_OF_8 " WHERE name = " LOCK_SQL_NAME_LOCKED_1        \
	" AND fence = $9::bigint RETURNING " LOCK_SQL_COLUMNS

/* $1 name, $2 held token, $3 given token, the claimant process of this
 * role (host, boot, pidns, pid, start in $4..$8), $9 the fence of a dead
 * holder's lock of this role (0: none), or $10 = -1: force. */
#define LOCK_SQL_RELEASE                                                                                               \
	"DELETE FROM otto.locks WHERE name = $1 AND ("                                                                 \
	"  $10::bigint = -1"                                                                                           \
	"  OR ($2 <> '' AND token_sha256 = $2) OR ($3 <> '' AND token_sha256 = $3)"                                    \
	"  OR (holder = current_user AND host = $4 AND boot_id = $5 AND pidns = $6 AND pid = $7::bigint"               \
	"      AND pid_start = $8::numeric)"                                                                           \
	"  OR (holder = current_user AND fence = $9::bigint)"                                                          \
	") RETURNING " LOCK_SQL_COLUMNS

/* $1 name, $2 the new lease in seconds, $3 the claimant's token: matches
 * only its own unexpired lock; the trigger keeps holder, taken and fence. */
#define LOCK_SQL_RENEW                                                                                                 \
	"UPDATE otto.locks SET expiry = now() + $2::bigint * interval '1 second' "                                     \
	"WHERE name = $1 AND token_sha256 = $3 AND (expiry IS NULL OR expiry > now()) RETURNING " LOCK_SQL_COLUMNS

#endif
