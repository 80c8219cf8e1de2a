/*
 * A test plugin that crashes on purpose, for the otto command's crash
 * report. Lab backend "crashy" and reservation backend "crashy" answer
 * normally except in the operation their settings name:
 *   crash_in   = "create" | "list_labs" | "load_lab" | "who_reserved" | "get_reserved_resources" | ...
 *   crash_with = "segv" (a write through NULL, the default) | "abort" | "overflow" (unbounded recursion)
 */
#include <otto/plugin.h>

#include <stdlib.h>

typedef enum crash_kind { CRASH_SEGV, CRASH_ABORT, CRASH_OVERFLOW } crash_kind;

typedef struct crashy {
	char crash_in[64]; /* the operation that crashes, "" for none */
	crash_kind with;
} crashy;

/* Never reached: it only keeps the compiler from seeing the recursion as
 * endless (and from turning it into a loop). */
static volatile long recursion_limit = -1;

/* Each frame keeps a page alive, until the stack runs out. */
static long __attribute__((noinline, no_sanitize("address", "undefined"))) recurse(volatile char *previous, long depth)
{
	volatile char frame[4096];
	frame[0] = previous ? previous[0] : 1;
	if (depth == recursion_limit)
		return frame[0];
	return recurse(frame, depth + 1) + frame[1];
}

/* Uninstrumented even in sanitizer builds: UBSan would stop at the NULL
 * store with its own report, where a plugin built without it faults.
 * Named in crash.supp, which tells valgrind the fault is deliberate. */
static void __attribute__((noinline, no_sanitize("address", "undefined"))) crash(crash_kind with)
{
	switch (with) {
	case CRASH_ABORT:
		abort();
	case CRASH_OVERFLOW:
		recurse(NULL, 0);
		break;
	case CRASH_SEGV:
		*(volatile int *)(uintptr_t)0 = 1;
		break;
	}
}

static void maybe_crash(const crashy *c, const char *op)
{
	if (c && strcmp(c->crash_in, op) == 0)
		crash(c->with);
}

static int crashy_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"crash_in", "crash_with", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc)
		return rc;
	crashy *c = calloc(1, sizeof *c);
	if (!c)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const otto_setting *in = otto_config_find(config, "crash_in");
	const otto_setting *with = otto_config_find(config, "crash_with");
	if (in && in->string)
		snprintf(c->crash_in, sizeof c->crash_in, "%s", in->string);
	if (with && with->string && strcmp(with->string, "abort") == 0)
		c->with = CRASH_ABORT;
	else if (with && with->string && strcmp(with->string, "overflow") == 0)
		c->with = CRASH_OVERFLOW;
	maybe_crash(c, "create");
	*self = c;
	return OTTO_OK;
}

static void crashy_destroy(void *self)
{
	maybe_crash(self, "destroy");
	free(self);
}

static int crashy_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	maybe_crash(self, "list_labs");
	return otto_string_out_add(out, "alpha", err);
}

static int crashy_load_lab(void *self, const char *name, const otto_config *prefs, otto_lab_out *out,
			   otto_error *err)
{
	static const char *const resources[] = {"sw-a"};
	(void)prefs;
	maybe_crash(self, "load_lab");
	if (strcmp(name, "alpha") != 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	otto_host host = OTTO_HOST_INIT;
	host.ip = "10.1.0.1";
	host.element = "switch";
	host.resources = resources;
	host.n_resources = 1;
	return otto_lab_out_add_host(out, &host, err);
}

static const char *crashy_backend_name(void *self)
{
	maybe_crash(self, "backend_name");
	return "crashy";
}

static int crashy_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	(void)user;
	maybe_crash(self, "get_reserved_resources");
	return otto_string_out_add(out, "sw-a", err);
}

static int crashy_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	(void)resource;
	maybe_crash(self, "who_reserved");
	return otto_string_out_add(out, "tester", err);
}

static const otto_lab_repository_type crashy_lab = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = "crashy",
	.description = "crashes in the operation its settings name",
	.create = crashy_create,
	.destroy = crashy_destroy,
	.list_labs = crashy_list_labs,
	.load_lab = crashy_load_lab,
};

static const otto_reservation_backend_type crashy_reservations = {
	.struct_size = sizeof(otto_reservation_backend_type),
	.name = "crashy",
	.description = "crashes in the operation its settings name",
	.create = crashy_create,
	.destroy = crashy_destroy,
	.backend_name = crashy_backend_name,
	.get_reserved_resources = crashy_reserved,
	.who_reserved = crashy_who,
};

static int register_crashy(otto_registrar *reg, otto_error *err)
{
	int rc = otto_register_lab_repository(reg, &crashy_lab, err);
	return rc ? rc : otto_register_reservation_backend(reg, &crashy_reservations, err);
}

OTTO_PLUGIN_DEFINE("cli-crash", "0.0.1", "backends that crash on purpose", register_crashy);
