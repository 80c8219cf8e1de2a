/*
 * Lock stores by name: the one place that knows which stores exist, so
 * that a new one (issue 12's team store) is one line here and one file.
 * Also the rule every store applies to decide whether a lock is the
 * claimant's, so that the folder and any later store agree on it.
 */
#include "locks/locks.h"

#include <time.h>

static const otto__lock_store_ops *const stores[] = {&otto__lock_store_folder};

const otto__lock_store_ops *otto__lock_store_find(const char *name)
{
	for (size_t i = 0; i < sizeof stores / sizeof *stores; i++)
		if (strcmp(stores[i]->name, name) == 0)
			return stores[i];
	return NULL;
}

bool otto__lock_claim_owns(const otto__lock_claim *c, const otto__lockrec *rec)
{
	const otto__lock_holder *h = c->holder;
	if (rec->kind != OTTO__LOCKREC_LOCK)
		return false;
	if ((c->held_hash[0] && strcmp(c->held_hash, rec->token_sha256) == 0) ||
	    (c->given_hash[0] && strcmp(c->given_hash, rec->token_sha256) == 0))
		return true;
	return rec->uid == (int64_t)h->uid && rec->pid == (int64_t)h->pid && rec->pid_start == h->pid_start &&
	       strcmp(rec->host, h->here.host) == 0 && h->here.boot_id[0] && strcmp(rec->boot_id, h->here.boot_id) == 0 &&
	       h->here.pidns[0] && strcmp(rec->pidns, h->here.pidns) == 0;
}

int64_t otto__monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
