/*
 * Fuzz target: reservations.json through the json reservation backend,
 * called as libotto calls it. Every user of the file is asked what they
 * hold (and their windows), every resource they hold who holds it, and the
 * answers must agree: a holder of a resource has it in their own set. Any
 * bytes must give answers or an error with a message, never a crash, a
 * leak, or an empty answer where the file could not be read.
 *
 * Compiled with the json plugin's sources (its parsers are internal to the
 * plugin).
 */
#include "fuzz.h"
#include "json_plugin.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 64

typedef struct strings {
	otto_string_out out; /* first: the backend hands this pointer back */
	char *items[MAX_ITEMS];
	size_t n, total;
} strings;

static int strings_add(otto_string_out *out, const char *s, otto_error *err)
{
	(void)err;
	strings *l = (strings *)out;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			abort(); /* the contract: no duplicates */
	if (l->n < MAX_ITEMS)
		l->items[l->n++] = strdup(s);
	l->total++;
	return OTTO_OK;
}

static const otto_string_out_ops strings_ops = {sizeof strings_ops, strings_add, NULL};

static void strings_init(strings *l)
{
	memset(l, 0, sizeof *l);
	l->out.ops = &strings_ops;
}

static void strings_free(strings *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	l->n = 0;
}

static bool strings_has(const strings *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return l->total > l->n; /* not all kept: cannot say */
}

static int window_add(otto_window_out *out, const char *resource, int64_t start, int64_t end, otto_error *err)
{
	(void)out;
	(void)err;
	if (!resource || start > end)
		abort();
	return OTTO_OK;
}

static const otto_window_out_ops window_ops = {sizeof window_ops, window_add};

/* A failure must say why. */
static int answered(int rc, const otto_error *err)
{
	if (rc != OTTO_OK && (!err->message[0] || rc == OTTO_ENOTFOUND))
		abort();
	return rc == OTTO_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const otto_reservation_backend_type *t = &json_reservation_backend;
	const char *path = fuzz_write("reservations.json", data, size);
	otto_setting setting = {.key = "path", .type = OTTO_VALUE_STRING, .string = path, .file = "fuzz", .line = 1};
	otto_config cfg = {.struct_size = sizeof cfg,
			   .backend = "json",
			   .section = "reservations.json",
			   .repo_root = fuzz_dir(),
			   .settings = &setting,
			   .n_settings = 1};
	void *self = NULL;
	otto_error err = {0};
	if (t->create(&cfg, &self, &err) != OTTO_OK)
		abort();
	strings users, held, holders;
	strings_init(&users);
	if (answered(t->list_usernames(self, &users.out, &err), &err)) {
		for (size_t u = 0; u < users.n; u++) {
			strings_init(&held);
			if (!answered(t->get_reserved_resources(self, users.items[u], &held.out, &err), &err))
				abort(); /* the file read a moment ago reads again */
			for (size_t r = 0; r < held.n; r++) {
				strings_init(&holders);
				if (!answered(t->who_reserved(self, held.items[r], &holders.out, &err), &err) ||
				    !strings_has(&holders, users.items[u]))
					abort();
				strings_free(&holders);
			}
			strings_free(&held);
			otto_window_out windows = {&window_ops};
			answered(t->get_reservation_windows(self, users.items[u], &windows, &err), &err);
		}
	}
	strings_init(&held);
	answered(t->get_reserved_resources(self, "__otto_fuzz_probe_user__", &held.out, &err), &err);
	strings_free(&held);
	strings_free(&users);
	t->destroy(self);
	return 0;
}
