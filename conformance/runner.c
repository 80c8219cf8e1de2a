/*
 * The rule runner: otto-conformance started again by conf_run_target
 * (isolate.c) with CONF_RUNNER_ARG and the original command line. It builds
 * settings and the registry as the parent did, reads its job (which
 * backend, from which rule, which calls not to make again) from fd 3, runs
 * the rules and reports on fd 3.
 */
#include "child.h"

#include <errno.h>
#include <poll.h>
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
	otto_strlist poisoned = {0};
	conf_target t;
	memset(&t, 0, sizeof t);
	otto__frame f;
	if (rc != 0 || !read_job(&in, &f)) {
		rc = CONF_EXIT_UNUSABLE;
		goto done;
	}
	otto__reader r;
	otto__reader_init(&r, &f);
	t.kind = (otto_backend_kind)otto__get_u32(&r);
	t.name = otto__strdup(otto__get_str(&r));
	t.from_settings = otto__get_u8(&r) != 0;
	char *plugin_path = otto__strdup(otto__get_str(&r));
	uint32_t first = otto__get_u32(&r);
	uint32_t n = otto__get_count(&r, 4);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		const char *call = otto__get_str(&r);
		if (call)
			otto__strlist_push(&poisoned, call);
	}
	otto__frame_in_free(&in);
	bool path_given;
	if (!otto__reader_done(&r) || (rc = conf_setup(&o, &settings, &registry, &path_given)) != 0) {
		free(plugin_path);
		rc = CONF_EXIT_UNUSABLE;
		goto done;
	}
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
	/* The last frame says the run completed (an exit() inside the plugin
	 * ends the runner without it). */
	conf_send_event(CHANNEL_FD, CONF_EV_FINISHED, CONF_NO_RULE, NULL);
	free(plugin_path);
	t.plugin_path = NULL;
done:
	fflush(NULL);
	conf_target_free(&t);
	otto_strlist_free(&poisoned);
	otto_registry_free(registry);
	otto_settings_free(settings);
	conf_options_free(&o);
	return rc;
}
