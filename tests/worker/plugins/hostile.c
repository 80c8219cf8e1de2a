/*
 * A hostile plugin: lab backend "hostile" (lab "alpha": one host needing
 * resource "sw-a") and reservation backend "hostile" (nobody holds
 * anything, unless OTTO_TEST_GRANT is set in its environment). Each does,
 * in the operation its settings name, what a hostile or careless plugin
 * does to the process it runs in:
 *
 *   in  = "create" | "list_labs" | "load_lab" | "get_reserved_resources" |
 *         "who_reserved" | "destroy"
 *   act = "exit0"        exit(0)
 *         "_exit0"       _exit(0)
 *         "abort"        abort()
 *         "segv_exit0"   its own SIGSEGV handler, which _exit(0)s, then a crash
 *         "segv_default" its own SIGSEGV handler, which restores the default
 *                        and returns, then a crash (the fault comes back)
 *         "hang"         never returns
 *         "stdout"       prints a forged success line on stdout, then answers
 *         "chdir"        chdir("/"), then answers
 *         "setenv"       setenv("OTTO_TEST_GRANT", "1"), then answers
 *         "garbage"      writes bytes on fd 3 (the worker's socket), then answers
 *         "daemon"       forks a child that keeps every descriptor and sleeps,
 *                        then exit(0)
 *
 * While registering (no settings yet), the environment decides:
 *   OTTO_TEST_HOSTILE_REGISTER = "stdout" | "exit0"
 *   OTTO_TEST_SWAP_FROM / OTTO_TEST_SWAP_TO: rename FROM over TO once (a
 *   plugin file replaced between the scan and its use).
 *
 * Built a second time with -DIMPOSTOR: the same names, but its reservation
 * backend says everybody holds "sw-a" and "router1" (what a swapped-in file
 * would claim).
 */
#include <otto/plugin.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct hostile {
	char in[64];
	char act[32];
} hostile;

static void on_segv(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_segv_restore(int sig)
{
	signal(sig, SIG_DFL);
}

/* Read at run time, so the compiler cannot see the store is through NULL
 * (and drop it as undefined behaviour). */
static int *volatile nowhere;

static void __attribute__((noinline, no_sanitize("address", "undefined"))) fault(void)
{
	*nowhere = 1;
}

static void act(const char *what)
{
	if (strcmp(what, "exit0") == 0) {
		exit(0);
	} else if (strcmp(what, "_exit0") == 0) {
		_exit(0);
	} else if (strcmp(what, "abort") == 0) {
		abort();
	} else if (strcmp(what, "segv_exit0") == 0) {
		signal(SIGSEGV, on_segv);
		fault();
	} else if (strcmp(what, "segv_default") == 0) {
		signal(SIGSEGV, on_segv_restore);
		fault();
	} else if (strcmp(what, "hang") == 0) {
		for (;;)
			pause();
	} else if (strcmp(what, "stdout") == 0) {
		printf("User 'tester' holds every resource lab 'alpha' requires: sw-a.\n");
	} else if (strcmp(what, "chdir") == 0) {
		if (chdir("/") != 0)
			abort();
	} else if (strcmp(what, "setenv") == 0) {
		setenv("OTTO_TEST_GRANT", "1", 1);
	} else if (strcmp(what, "garbage") == 0) {
		static const char junk[] = "\xff\xff\xff\x7fnot a frame at all";
		if (write(3, junk, sizeof junk - 1) < 0)
			abort();
	} else if (strcmp(what, "daemon") == 0) {
		if (fork() == 0) {
			sleep(60);
			_exit(0);
		}
		exit(0);
	}
}

static void maybe(const hostile *h, const char *op)
{
	if (h && strcmp(h->in, op) == 0)
		act(h->act);
}

static int h_create(const otto_config *config, void **self, otto_error *err)
{
	static const char *const known[] = {"in", "act", NULL};
	int rc = otto_config_check_keys(config, known, err);
	if (rc)
		return rc;
	hostile *h = calloc(1, sizeof *h);
	if (!h)
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	const otto_setting *in = otto_config_find(config, "in");
	const otto_setting *what = otto_config_find(config, "act");
	if (in && in->string)
		snprintf(h->in, sizeof h->in, "%s", in->string);
	if (what && what->string)
		snprintf(h->act, sizeof h->act, "%s", what->string);
	maybe(h, "create");
	*self = h;
	return OTTO_OK;
}

static void h_destroy(void *self)
{
	maybe(self, "destroy");
	free(self);
}

static int h_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	maybe(self, "list_labs");
	return otto_string_out_add(out, "alpha", err);
}

static int h_load_lab(void *self, const char *name, const otto_config *prefs, otto_lab_out *out, otto_error *err)
{
	static const char *const resources[] = {"sw-a"};
	(void)prefs;
	maybe(self, "load_lab");
	if (strcmp(name, "alpha") != 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
	otto_host host = OTTO_HOST_INIT;
	host.ip = "10.1.0.1";
	host.element = "switch";
	host.resources = resources;
	host.n_resources = 1;
	return otto_lab_out_add_host(out, &host, err);
}

static const char *h_backend_name(void *self)
{
	(void)self;
	return "hostile";
}

static bool granted(void)
{
#ifdef IMPOSTOR
	return true;
#else
	return getenv("OTTO_TEST_GRANT") != NULL;
#endif
}

static int h_reserved(void *self, const char *user, otto_string_out *out, otto_error *err)
{
	(void)user;
	maybe(self, "get_reserved_resources");
	if (!granted())
		return OTTO_OK;
#ifdef IMPOSTOR
	/* Whatever lab is checked: the example's "east" needs router1. */
	int rc = otto_string_out_add(out, "router1", err);
	if (rc)
		return rc;
#endif
	return otto_string_out_add(out, "sw-a", err);
}

static int h_who(void *self, const char *resource, otto_string_out *out, otto_error *err)
{
	(void)resource;
	maybe(self, "who_reserved");
	return granted() ? otto_string_out_add(out, "tester", err) : OTTO_OK;
}

static const otto_lab_repository_type hostile_lab = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = "hostile",
    .description = "does to its process what its settings say",
    .create = h_create,
    .destroy = h_destroy,
    .list_labs = h_list_labs,
    .load_lab = h_load_lab,
};

static const otto_reservation_backend_type hostile_reservations = {
    .struct_size = sizeof(otto_reservation_backend_type),
    .name = "hostile",
    .description = "does to its process what its settings say",
    .create = h_create,
    .destroy = h_destroy,
    .backend_name = h_backend_name,
    .get_reserved_resources = h_reserved,
    .who_reserved = h_who,
};

static int register_hostile(otto_registrar *reg, otto_error *err)
{
	const char *from = getenv("OTTO_TEST_SWAP_FROM"), *to = getenv("OTTO_TEST_SWAP_TO");
	if (from && to && access(from, F_OK) == 0 && rename(from, to) != 0)
		abort();
	const char *now = getenv("OTTO_TEST_HOSTILE_REGISTER");
	if (now)
		act(now);
	int rc = otto_register_lab_repository(reg, &hostile_lab, err);
	return rc ? rc : otto_register_reservation_backend(reg, &hostile_reservations, err);
}

#ifdef IMPOSTOR
OTTO_PLUGIN_DEFINE("impostor", "6.6.6", "the same names, other answers", register_hostile);
#else
OTTO_PLUGIN_DEFINE("hostile", "0.0.1", "a plugin that attacks its process", register_hostile);
#endif
