/*
 * otto lock acquire|run --any NAME...: take the first free lock of a pool
 * of boards (as tbot's PooledMachineLock does), fairly.
 *
 * Fairness without a server: a caller that must wait takes a ticket, an
 * ordinary lock named "otto-pool-<pool>.w.<arrival>.<pid>" (pool: a hash
 * of the sorted names; arrival: nanoseconds since the epoch, fixed width,
 * so that names sort in arrival order). Tickets are held by otto's own
 * process through a manager of their own, so a waiter that dies or is
 * killed leaves a stale ticket that no longer counts (the lock manager's PID
 * check). Only the oldest live ticket may take a lock of the pool, and a
 * newcomer that finds a queue joins it instead of trying, so no waiter
 * starves while others keep winning. A caller that already holds a lock of
 * the pool gets it again at once (tried first), queue or not.
 */
#include "cmd_lock_pool.h"

#include "commands.h"
#include "names.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_PREFIX "otto-pool-"
#define POLL_NS (50 * 1000 * 1000L)

/* "otto-pool-<16 hex>": the pool's id, the same whatever the order of the names. */
static void pool_id(const char *const *names, size_t n, char *out, size_t size)
{
	const char **sorted = calloc(n ? n : 1, sizeof *sorted);
	uint64_t hash = 1469598103934665603ull;
	if (!sorted)
		abort();
	memcpy(sorted, names, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cli_natural_compare_ptrs);
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		for (const unsigned char *p = (const unsigned char *)sorted[i]; *p; p++)
			hash = (hash ^ *p) * 1099511628211ull;
		hash = (hash ^ 0xff) * 1099511628211ull; /* the separator: "ab","c" is not "a","bc" */
	}
	free(sorted);
	snprintf(out, size, POOL_PREFIX "%016llx", (unsigned long long)hash);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The live tickets of the pool, as an index of the first one in `list`
 * (sorted by name, so by arrival) and how many; `mine` (may be NULL) gets
 * the rank of `ticket` among them, or -1. */
static size_t live_tickets(const otto_lock_list *list, const char *pool, const char *ticket, long *mine)
{
	char prefix[64];
	size_t live = 0;
	snprintf(prefix, sizeof prefix, "%s.w.", pool);
	if (mine)
		*mine = -1;
	for (size_t i = 0; i < list->count; i++) {
		const otto_lock_info *l = &list->items[i];
		if (strncmp(l->name, prefix, strlen(prefix)) != 0 || l->state != OTTO_LOCK_HELD)
			continue;
		if (mine && ticket && strcmp(l->name, ticket) == 0)
			*mine = (long)live;
		live++;
	}
	return live;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(((const otto_lock_info *)a)->name, ((const otto_lock_info *)b)->name);
}

static int list_sorted(otto_lock_manager *m, otto_lock_list *list, otto_error *err)
{
	int rc = otto_lock_manager_list(m, list, err);
	if (rc == OTTO_OK && list->count > 1)
		qsort(list->items, list->count, sizeof *list->items, compare_names);
	return rc;
}

/* Try the names in order; *chosen is the first one taken (or NULL). */
static int try_names(otto_lock_manager *m, const char *const *order, size_t n, int64_t expiry, const char **chosen,
		     otto_error *err)
{
	*chosen = NULL;
	for (size_t i = 0; i < n && !*chosen; i++) {
		bool got = false;
		int rc = otto_lock_manager_acquire(m, order[i], expiry, 0, &got, NULL, err);
		if (rc != OTTO_OK)
			return rc;
		if (got)
			*chosen = order[i];
	}
	return OTTO_OK;
}

/* The names, those the holder already has first (they are re-entrant). */
static const char **candidate_order(otto_lock_manager *m, const char *const *names, size_t n, pid_t holder,
				    bool *holds_one)
{
	const char **order = calloc(n ? n : 1, sizeof *order);
	size_t k = 0;
	if (!order)
		abort();
	*holds_one = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			otto_lock_info info;
			otto_error ignored = {0};
			bool held = false;
			if (otto_lock_manager_get(m, names[i], &info, &ignored) == OTTO_OK) {
				held = info.state == OTTO_LOCK_HELD && info.pid == (int64_t)holder;
				otto_lock_info_clear(&info);
			}
			if (held != (pass == 0))
				continue;
			order[k++] = names[i];
			*holds_one = *holds_one || held;
		}
	}
	return order;
}

static void say_pool_busy(otto_lock_manager *m, const char *label, const char *const *names, size_t n, size_t waiting)
{
	cli_linebuf line;
	cli_linebuf_open(&line);
	fprintf(line.f, "otto: %s --any: no lock of the pool is free:", label);
	for (size_t i = 0; i < n; i++) {
		otto_lock_info info;
		otto_error err = {0};
		if (otto_lock_manager_get(m, names[i], &info, &err) != OTTO_OK) {
			fprintf(line.f, "%s %s (?)", i ? "," : "", names[i]);
			continue;
		}
		fprintf(line.f, "%s %s (%s by %s, pid %lld)", i ? "," : "", names[i], otto_lock_state_name(info.state),
			info.user ? info.user : "?", (long long)info.pid);
		otto_lock_info_clear(&info);
	}
	if (waiting)
		fprintf(line.f, "; %zu other caller%s waiting", waiting, waiting == 1 ? " is" : "s are");
	cli_linebuf_print(&line, stderr);
}

int cli_lock_pool_acquire(otto_lock_manager *m, otto_lock_manager *tickets, const cli_lock_pool_request *req,
			  const char **chosen)
{
	otto_error err = {0};
	otto_lock_list list = {0};
	char pool[64], ticket[128] = "";
	bool holds_one = false;
	long rank = -1;
	int code = CLI_EXIT_FAILED;
	const char **order = candidate_order(m, req->names, req->n_names, req->holder, &holds_one);
	int64_t deadline = now_ns() + req->wait_s * 1000000000;

	*chosen = NULL;
	pool_id(req->names, req->n_names, pool, sizeof pool);
	if (list_sorted(m, &list, &err) != OTTO_OK)
		goto fail;
	size_t queued = live_tickets(&list, pool, NULL, NULL);
	otto_lock_list_free(&list);
	/* Nobody waiting, or a lock of the pool is ours already: try now. */
	if (holds_one || queued == 0) {
		if (try_names(m, order, req->n_names, req->expiry, chosen, &err) != OTTO_OK)
			goto fail;
		if (*chosen || req->wait_s <= 0) {
			code = *chosen ? CLI_EXIT_OK : CLI_EXIT_FAILED;
			if (!*chosen)
				say_pool_busy(m, req->label, order, req->n_names, queued);
			goto out;
		}
	} else if (req->wait_s <= 0) {
		say_pool_busy(m, req->label, order, req->n_names, queued);
		goto out;
	}
	/* Join the queue and wait for our turn. */
	snprintf(ticket, sizeof ticket, "%s.w.%016llx.%ld", pool, (unsigned long long)now_ns(), (long)getpid());
	bool got = false;
	if (otto_lock_manager_acquire(tickets, ticket, 0, 0, &got, NULL, &err) != OTTO_OK)
		goto fail;
	for (;;) {
		if (list_sorted(m, &list, &err) != OTTO_OK)
			goto fail;
		queued = live_tickets(&list, pool, ticket, &rank);
		otto_lock_list_free(&list);
		if (rank == 0 && try_names(m, order, req->n_names, req->expiry, chosen, &err) != OTTO_OK)
			goto fail;
		if (*chosen) {
			code = CLI_EXIT_OK;
			break;
		}
		if (now_ns() >= deadline) {
			say_pool_busy(m, req->label, order, req->n_names, queued ? queued - 1 : 0);
			break;
		}
		struct timespec pause = {0, POLL_NS};
		while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
			;
	}
	goto out;
fail:
	code = cli_fail(&err);
out:
	if (ticket[0]) {
		otto_error ignored = {0};
		otto_lock_manager_release(tickets, ticket, 0, NULL, &ignored);
	}
	free(order);
	return code;
}
