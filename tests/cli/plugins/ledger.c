/*
 * A test plugin for otto reservation reserve|cancel: reservation backend
 * "ledger", with the ABI 1.2 write capability, whose reservations persist
 * in a file between runs of otto (so one test can reserve, look, conflict
 * and cancel through separate otto processes, the worker included), and
 * reservation backend "ledger-ro", the same file read-only.
 *
 *   [reservations.ledger]
 *   file = "/abs/path"        # one reservation a line: RESOURCE USER START END shared|exclusive
 *   admins = ["root"]         # who may cancel others' reservations (--force)
 *   partial = true            # misbehave: make the first resource only, yet say OK
 *
 * The whole read-decide-write runs under flock() on the file, so two otto
 * processes cannot both win an overlapping window (the store decides, not
 * the client).
 */
#include <otto/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

typedef struct entry {
	char resource[128], user[64];
	long long start, end;
	int shared;
} entry;

typedef struct ledger {
	char path[4096];
	char admins[8][64];
	size_t n_admins;
	int partial;
} ledger;

typedef struct book {
	int fd;
	entry *e;
	size_t n;
} book;

static int l_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"file", "admins", "partial", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc)
		return rc;
	const otto_setting *file = otto_config_find(config, "file");
	if (!file || !file->string || file->string[0] != '/')
		return otto_error_set(err, OTTO_EINVALID, "ledger: 'file' must be an absolute path");
	ledger *l = calloc(1, sizeof *l);
	if (!l)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	snprintf(l->path, sizeof l->path, "%s", file->string);
	const otto_setting *admins = otto_config_find(config, "admins");
	for (size_t i = 0; admins && i < admins->n_items && l->n_admins < 8; i++)
		snprintf(l->admins[l->n_admins++], sizeof l->admins[0], "%s", admins->items[i]);
	const otto_setting *partial = otto_config_find(config, "partial");
	l->partial = partial && partial->type == OTTO_VALUE_BOOLEAN && partial->boolean;
	*self = l;
	return OTTO_OK;
}

static void l_destroy(void *self)
{
	free(self);
}

static const char *l_name(void *self)
{
	(void)self;
	return "ledger";
}

static const char *l_ro_name(void *self)
{
	(void)self;
	return "ledger-ro";
}

static void book_close(book *b)
{
	if (b->fd >= 0)
		close(b->fd); /* drops the flock */
	free(b->e);
	b->fd = -1;
	b->e = NULL;
}

/* Open and lock the file, read every entry. */
static int book_open(const ledger *l, book *b, otto_error *err)
{
	b->e = NULL;
	b->n = 0;
	b->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (b->fd < 0)
		return otto_error_set(err, OTTO_ERROR, "ledger %s: %s", l->path, strerror(errno));
	if (flock(b->fd, LOCK_EX) != 0) {
		int e = errno;
		book_close(b);
		return otto_error_set(err, OTTO_ERROR, "ledger %s: flock: %s", l->path, strerror(e));
	}
	FILE *f = fdopen(dup(b->fd), "r");
	if (!f) {
		book_close(b);
		return otto_error_set(err, OTTO_ERROR, "ledger %s: cannot read", l->path);
	}
	char line[512], kind[16];
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		entry x = {0};
		if (sscanf(line, "%127s %63s %lld %lld %15s", x.resource, x.user, &x.start, &x.end, kind) != 5) {
			fclose(f);
			book_close(b);
			return otto_error_set(err, OTTO_ERROR, "ledger %s: a line is not RESOURCE USER START END KIND",
					      l->path);
		}
		x.shared = strcmp(kind, "shared") == 0;
		if (b->n == cap) {
			cap = cap ? cap * 2 : 16;
			entry *grown = realloc(b->e, cap * sizeof *grown);
			if (!grown) {
				fclose(f);
				book_close(b);
				return otto_error_set(err, OTTO_ENOMEM, "out of memory");
			}
			b->e = grown;
		}
		b->e[b->n++] = x;
	}
	fclose(f);
	return OTTO_OK;
}

static int book_write(const ledger *l, book *b, otto_error *err)
{
	if (ftruncate(b->fd, 0) != 0 || lseek(b->fd, 0, SEEK_SET) != 0)
		return otto_error_set(err, OTTO_ERROR, "ledger %s: %s", l->path, strerror(errno));
	for (size_t i = 0; i < b->n; i++)
		if (dprintf(b->fd, "%s %s %lld %lld %s\n", b->e[i].resource, b->e[i].user, b->e[i].start, b->e[i].end,
			    b->e[i].shared ? "shared" : "exclusive") < 0)
			return otto_error_set(err, OTTO_ERROR, "ledger %s: write failed", l->path);
	return OTTO_OK;
}

static void iso(char *buf, size_t size, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int l_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	book b;
	long long now = (long long)time(NULL);
	int rc = book_open(self, &b, err);
	for (size_t i = 0; rc == OTTO_OK && i < b.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup = dup || (strcmp(b.e[k].resource, b.e[i].resource) == 0 && strcmp(b.e[k].user, user) == 0 &&
				      b.e[k].start <= now && now < b.e[k].end);
		if (!dup && strcmp(b.e[i].user, user) == 0 && b.e[i].start <= now && now < b.e[i].end)
			rc = otto_string_out_add(out, b.e[i].resource, err);
	}
	book_close(&b);
	return rc;
}

static int l_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	book b;
	long long now = (long long)time(NULL);
	int rc = book_open(self, &b, err);
	for (size_t i = 0; rc == OTTO_OK && i < b.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup = dup || (strcmp(b.e[k].user, b.e[i].user) == 0 && strcmp(b.e[k].resource, resource) == 0 &&
				      b.e[k].start <= now && now < b.e[k].end);
		if (!dup && strcmp(b.e[i].resource, resource) == 0 && b.e[i].start <= now && now < b.e[i].end)
			rc = otto_string_out_add(out, b.e[i].user, err);
	}
	book_close(&b);
	return rc;
}

static int l_users(void *self, otto_string_out *out, otto_error *err)
{
	book b;
	int rc = book_open(self, &b, err);
	for (size_t i = 0; rc == OTTO_OK && i < b.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup = dup || strcmp(b.e[k].user, b.e[i].user) == 0;
		if (!dup)
			rc = otto_string_out_add(out, b.e[i].user, err);
	}
	book_close(&b);
	return rc;
}

static int l_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	book b;
	long long now = (long long)time(NULL);
	int rc = book_open(self, &b, err);
	for (size_t i = 0; rc == OTTO_OK && i < b.n; i++)
		if (strcmp(b.e[i].user, user) == 0 && b.e[i].end > now)
			rc = otto_window_out_add(out, b.e[i].resource, b.e[i].start, b.e[i].end, err);
	book_close(&b);
	return rc;
}

static int l_reserve(void *self, const otto_reservation_request *r, otto_window_out *made, otto_error *err)
{
	ledger *l = self;
	book b;
	bool shared = (r->flags & OTTO_RESERVE_SHARED) != 0;
	int rc = book_open(l, &b, err);
	if (rc)
		return rc;
	/* All or none: every conflict is found before anything is written. */
	for (size_t k = 0; k < r->n_resources; k++)
		for (size_t i = 0; i < b.n; i++) {
			entry *x = &b.e[i];
			if (strcmp(x->resource, r->resources[k]) != 0 || x->end <= r->start || r->end <= x->start ||
			    (shared && x->shared))
				continue;
			char from[32], until[32];
			iso(from, sizeof from, x->start);
			iso(until, sizeof until, x->end);
			otto_error_set(err, OTTO_ECONFLICT, "%s is held by %s from %s until %s (%s)", r->resources[k],
				       x->user, from, until, x->shared ? "shared" : "exclusive");
			book_close(&b); /* x points into it: the message is made first */
			return OTTO_ECONFLICT;
		}
	entry *grown = realloc(b.e, (b.n + r->n_resources) * sizeof *grown);
	if (!grown) {
		book_close(&b);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	b.e = grown;
	size_t n_make = l->partial ? 1 : r->n_resources;
	for (size_t k = 0; k < n_make; k++) {
		entry *x = &b.e[b.n++];
		memset(x, 0, sizeof *x);
		snprintf(x->resource, sizeof x->resource, "%s", r->resources[k]);
		snprintf(x->user, sizeof x->user, "%s", r->user);
		x->start = r->start;
		x->end = r->end;
		x->shared = shared;
	}
	rc = book_write(l, &b, err);
	for (size_t k = 0; rc == OTTO_OK && k < n_make; k++)
		rc = otto_window_out_add(made, r->resources[k], r->start, r->end, err);
	book_close(&b);
	return rc;
}

static int l_cancel(void *self, const otto_reservation_request *r, otto_window_out *cancelled, otto_error *err)
{
	ledger *l = self;
	book b;
	bool force = (r->flags & OTTO_RESERVE_FORCE) != 0;
	if (force) {
		bool admin = false;
		for (size_t i = 0; i < l->n_admins; i++)
			admin = admin || strcmp(l->admins[i], r->user) == 0;
		if (!admin)
			return otto_error_set(err, OTTO_ERROR,
					      "ledger %s: '%s' is not an administrator and may not cancel others' "
					      "reservations",
					      l->path, r->user);
	}
	int rc = book_open(l, &b, err);
	if (rc)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; rc == OTTO_OK && i < b.n; i++) {
		bool asked = false;
		for (size_t k = 0; k < r->n_resources; k++)
			asked = asked || strcmp(b.e[i].resource, r->resources[k]) == 0;
		bool theirs = force || strcmp(b.e[i].user, r->user) == 0;
		if (asked && theirs && b.e[i].end > r->start)
			rc = otto_window_out_add(cancelled, b.e[i].resource, b.e[i].start, b.e[i].end, err);
		else
			b.e[kept++] = b.e[i];
	}
	b.n = kept;
	if (rc == OTTO_OK)
		rc = book_write(l, &b, err);
	book_close(&b);
	return rc;
}

static const otto_reservation_backend_type ledger_type = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "ledger",
    .description = "reservations in a file, with reserve and cancel",
    .create = l_create,
    .destroy = l_destroy,
    .backend_name = l_name,
    .get_reserved_resources = l_reserved,
    .who_reserved = l_who,
    .list_usernames = l_users,
    .get_reservation_windows = l_windows,
    .reserve = l_reserve,
    .cancel = l_cancel,
};

static const otto_reservation_backend_type ledger_ro_type = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "ledger-ro",
    .description = "reservations in a file, read-only",
    .create = l_create,
    .destroy = l_destroy,
    .backend_name = l_ro_name,
    .get_reserved_resources = l_reserved,
    .who_reserved = l_who,
    .list_usernames = l_users,
    .get_reservation_windows = l_windows,
};

static int register_ledger(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_reservation_backend(reg, &ledger_type, err);
	return rc ? rc : otto_register_reservation_backend(reg, &ledger_ro_type, err);
}

OTTO_PLUGIN_DEFINE("ledger", "1.0", "reservations in a file, for the reserve and cancel tests", register_ledger);
