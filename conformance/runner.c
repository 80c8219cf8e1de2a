/*
 * The rule runner: otto-conformance started again by conf_run_target
 * (isolate.c) with CONF_RUNNER_ARG and the original command line. It builds
 * settings and the registry as the parent did, reads its jobs (which
 * backend, from which rule, which calls not to make again) from fd 3, runs
 * the rules and reports on fd 3, until the parent closes the channel or a
 * backend left the process changed.
 */
#include "child.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHANNEL_FD 3

/* Read the job frame (blocking). False on anything unexpected. */
static bool read_job(otto__frame_in *in, otto__frame *f)
{
	for (;;) {
		int got = otto__frame_in_next(in, f);
		if (got != 0)
			return got > 0 && f->type == CONF_EV_JOB;
		ssize_t n = otto__frame_in_fill(in, CHANNEL_FD);
		if (n > 0)
			continue;
		if (n == -1) {
			struct pollfd p = {CHANNEL_FD, POLLIN, 0};
			if (poll(&p, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		return false;
	}
}

/* What a backend's code may leave behind in this process: the folder,
 * threads, signal handlers. A runner still as it started may check the
 * next backend; one that is not says so and leaves. */
typedef struct runner_state {
	char *cwd;
	struct sigaction actions[NSIG];
} runner_state;

static long thread_count(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	long n = -1;
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "Threads:", 8) == 0)
			n = strtol(line + 8, NULL, 10);
	if (f)
		fclose(f);
	return n;
}

static void state_record(runner_state *st)
{
	st->cwd = getcwd(NULL, 0);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, NULL, &st->actions[sig]);
}

static bool state_unchanged(const runner_state *st)
{
	char *cwd = getcwd(NULL, 0);
	bool same = cwd && st->cwd && strcmp(cwd, st->cwd) == 0 && thread_count() == 1;
	free(cwd);
	for (int sig = 1; same && sig < NSIG; sig++) {
		struct sigaction now;
		if (sigaction(sig, NULL, &now) == 0 && now.sa_handler != st->actions[sig].sa_handler)
			same = false;
	}
	return same;
}

/* One job: the backend, where to start, which calls not to make again. */
static bool parse_job(const otto__frame *f, conf_target *t, char **plugin_path, uint32_t *first,
		      otto_strlist *poisoned)
{
	otto__reader r;
	otto__reader_init(&r, f);
	t->kind = (otto_backend_kind)otto__get_u32(&r);
	t->name = otto__strdup(otto__get_str(&r));
	t->from_settings = otto__get_u8(&r) != 0;
	*plugin_path = otto__strdup(otto__get_str(&r));
	*first = otto__get_u32(&r);
	uint32_t n = otto__get_count(&r, 4);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		const char *call = otto__get_str(&r);
		if (call)
			otto__strlist_push(poisoned, call);
	}
	return otto__reader_done(&r);
}

int conf_runner_main(int argc, char **argv)
{
	struct stat st;
	if (fstat(CHANNEL_FD, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fputs("otto-conformance: " CONF_RUNNER_ARG " is for otto-conformance's own use\n", stderr);
		return CONF_EXIT_UNUSABLE;
	}
	conf_options o;
	int rc = conf_options_parse(&o, argc, argv);
	otto_settings *settings = NULL;
	otto_registry *registry = NULL;
	otto__frame_in in = {0};
	runner_state before = {0};
	bool path_given, set_up = false;
	otto__frame f;
	/* The settings and the registry are built once, for every job. */
	while (rc == 0 && read_job(&in, &f)) {
		conf_target t;
		memset(&t, 0, sizeof t);
		otto_strlist poisoned = {0};
		char *plugin_path = NULL;
		uint32_t first = 0;
		bool job_ok = parse_job(&f, &t, &plugin_path, &first, &poisoned);
		if (job_ok && !set_up) {
			set_up = true;
			job_ok = conf_setup(&o, &settings, &registry, &path_given) == 0;
			state_record(&before);
		}
		if (!job_ok) {
			rc = CONF_EXIT_UNUSABLE;
		} else {
			t.plugin_path = plugin_path;
			t.registry = registry;
			t.settings = settings;
			if (!t.from_settings)
				conf_target_build_config(&t, &o);
			/* The plugin's stdout is the capture file the parent gave us as fd 1. */
			conf_child c = {0};
			c.out_fd = CHANNEL_FD;
			c.poisoned = &poisoned;
			c.stdout_fd = STDOUT_FILENO;
			c.stdout_seen = fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
			if (!S_ISREG(st.st_mode))
				c.stdout_fd = -1;
			conf_child_init(&c, &o, &t);
			conf_child_run(&c, first);
			conf_child_teardown(&c);
			fflush(NULL);
			/* The last frame says the job completed (an exit() inside the
			 * plugin ends the runner without it). */
			bool reusable = state_unchanged(&before);
			conf_send_event(CHANNEL_FD, CONF_EV_FINISHED, CONF_NO_RULE, reusable ? "reusable" : "spent");
			if (!reusable)
				job_ok = false;
		}
		t.plugin_path = NULL;
		conf_target_free(&t);
		free(plugin_path);
		otto_strlist_free(&poisoned);
		if (!job_ok)
			break;
	}
	otto__frame_in_free(&in);
	fflush(NULL);
	free(before.cwd);
	otto_registry_free(registry);
	otto_settings_free(settings);
	conf_options_free(&o);
	return rc;
}
