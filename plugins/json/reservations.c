/*
 * The `json` reservation backend: a read-only view of reservations.json.
 * Every query looks at the file again (stat, and a re-parse when its
 * identity changed), so an edit is seen by the next query.
 */
#include "json_plugin.h"

#include "config.h"
#include "reservations_index.h"
#include "strtab.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct res_backend {
	char *path;
	jr_file *file; /* the last good parse, or NULL */
} res_backend;

static int res_create(const otto_config *config, void **self, otto_error *err)
{
	res_backend *b = memset(ju_malloc(sizeof *b), 0, sizeof *b);
	int rc = json_config_reservations_path(config, &b->path, err);
	if (rc != OTTO_OK) {
		free(b);
		return rc;
	}
	*self = b;
	return OTTO_OK;
}

static void res_destroy(void *self)
{
	res_backend *b = self;
	jr_file_free(b->file);
	free(b->path);
	free(b);
}

static const char *res_name(void *self)
{
	(void)self;
	return "json";
}

static int refresh(res_backend *b, otto_error *err)
{
	jr_file *f = b->file;
	if (f && ju_cache_valid(b->path, "reservations file", JU_RESERVATIONS_FILE_MAX, &f->id, f->text, f->text_len)) {
		jr_file_settle(f);
		return OTTO_OK;
	}
	jr_file_free(b->file);
	b->file = NULL;
	return jr_file_load(b->path, &b->file, err);
}

/* Now, in microseconds: an entry expiring at 12:00:00.5 is still held at
 * 12:00:00.2 (upstream compares datetimes to the microsecond). */
static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool live(const jr_entry *e, int64_t now)
{
	return e->expires > now;
}

/* A window's end in the ABI's whole seconds: rounded up, so the window
 * covers every moment the entry is held. */
static int64_t window_end(const jr_entry *e)
{
	if (e->expires == JR_NO_EXPIRY || e->expires / 1000000 >= OTTO_TIME_FAR_FUTURE)
		return OTTO_TIME_FAR_FUTURE;
	return e->expires / 1000000 + (e->expires % 1000000 > 0);
}

/* Add s to out unless `seen` already has it. */
static int add_once(strtab *seen, otto_string_out *out, const char *s, otto_error *err)
{
	bool added;
	strtab_intern(seen, s, strlen(s), &added);
	return added ? otto_string_out_add(out, s, err) : OTTO_OK;
}

/* What to do with one resource of a live entry of the user asked about. */
typedef int (*resource_fn)(void *ctx, const jr_entry *e, const char *resource, otto_error *err);

/* Re-read the file if it changed, then call `fn` on every resource of every
 * entry of `user` that is live now, in file order; the first error stops. */
static int each_live_resource(res_backend *b, const char *user, resource_fn fn, void *ctx, otto_error *err)
{
	int rc = refresh(b, err);
	if (rc != OTTO_OK)
		return rc;
	const jr_file *f = b->file;
	int64_t now = now_us();
	for (size_t i = 0; i < f->n_entries && rc == OTTO_OK; i++) {
		const jr_entry *e = &f->entries[i];
		if (!live(e, now) || strcmp(jr_str(f, e->user), user) != 0)
			continue;
		for (uint32_t j = 0; j < e->n_resources && rc == OTTO_OK; j++)
			rc = fn(ctx, e, jr_str(f, f->resources[e->first_resource + j]), err);
	}
	return rc;
}

typedef struct unique_out {
	strtab seen;
	otto_string_out *out;
} unique_out;

static int add_resource_once(void *ctx, const jr_entry *e, const char *resource, otto_error *err)
{
	(void)e;
	unique_out *u = ctx;
	return add_once(&u->seen, u->out, resource, err);
}

static int res_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	unique_out u = {.out = out};
	int rc = each_live_resource(self, user, add_resource_once, &u, err);
	strtab_free(&u.seen);
	return rc;
}

static int res_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	res_backend *b = self;
	int rc = refresh(b, err);
	if (rc != OTTO_OK)
		return rc;
	const jr_file *f = b->file;
	int64_t now = now_us();
	strtab seen = {0};
	for (size_t i = 0; i < f->n_entries && rc == OTTO_OK; i++) {
		const jr_entry *e = &f->entries[i];
		if (!live(e, now))
			continue;
		for (uint32_t j = 0; j < e->n_resources; j++) {
			if (strcmp(jr_str(f, f->resources[e->first_resource + j]), resource) == 0) {
				rc = add_once(&seen, out, jr_str(f, e->user), err);
				break;
			}
		}
	}
	strtab_free(&seen);
	return rc;
}

static int res_usernames(void *self, otto_string_out *out, otto_error *err)
{
	res_backend *b = self;
	int rc = refresh(b, err);
	if (rc != OTTO_OK)
		return rc;
	strtab seen = {0};
	for (size_t i = 0; i < b->file->n_entries && rc == OTTO_OK; i++)
		rc = add_once(&seen, out, jr_str(b->file, b->file->entries[i].user), err);
	strtab_free(&seen);
	return rc;
}

static int add_window(void *ctx, const jr_entry *e, const char *resource, otto_error *err)
{
	/* The file records no start: unknown, so the epoch. */
	return otto_window_out_add(ctx, resource, OTTO_TIME_EPOCH, window_end(e), err);
}

static int res_windows(void *self, const char *user, otto_window_out *out, otto_error *err)
{
	return each_live_resource(self, user, add_window, out, err);
}

const otto_reservation_backend_type json_reservation_backend = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "json",
    .description = "reservations from a reservations.json file (format version 1)",
    .create = res_create,
    .destroy = res_destroy,
    .backend_name = res_name,
    .get_reserved_resources = res_reserved,
    .who_reserved = res_who,
    .list_usernames = res_usernames,
    .get_reservation_windows = res_windows,
};
