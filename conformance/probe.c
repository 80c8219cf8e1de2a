/*
 * The plugin probe: load and register the plugin in a child (this program
 * started again with CONF_PROBE_ARG, so a constructor or register_backends
 * that crashes or hangs cannot take us down), and turn what happened into
 * the plugin rules C1-C3.
 */
#include "conf.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHANNEL_FD 3

static void put(uint32_t kind, const char *text)
{
	otto_buf b = {0};
	otto__buf_append(&b, "");
	for (const char *p = text; *p; p++)
		otto__buf_appendn(&b, *p == '\n' ? " " : p, 1);
	conf_send_event(CHANNEL_FD, kind, CONF_NO_RULE, b.data);
	otto__buf_free(&b);
}

int conf_probe_main(int argc, char **argv)
{
	struct stat st;
	if (argc != 2 || fstat(CHANNEL_FD, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fputs("otto-conformance: " CONF_PROBE_ARG " is for otto-conformance's own use\n", stderr);
		return CONF_EXIT_UNUSABLE;
	}
	const char *path = argv[1];
	put(CONF_EV_LOADING, "loading"); /* a crash from here on, before 'G', is a load-time crash */
	conf_plugin p;
	bool ok = conf_plugin_open(&p, path);
	if (p.rule_failed != conf_rule_index("C1"))
		put(CONF_EV_REGISTERING, "registering");
	if (!ok) {
		char *line = otto__asprintf("%s %s", conf_rules[p.rule_failed].id, p.message);
		put(CONF_EV_PLUGIN_FAIL, line);
		free(line);
	}
	for (size_t i = 0; i < p.abi_problems.count; i++)
		put(CONF_EV_ABI, p.abi_problems.items[i]);
	for (size_t i = 0; ok && i < p.count; i++) {
		const conf_registered *r = &p.items[i];
		const char *name = r->lab ? r->lab->name : r->reservation->name;
		char *line = otto__asprintf("%s %s", r->kind == OTTO_KIND_LAB ? "lab" : "reservation", name ? name : "");
		put(CONF_EV_BACKEND, line);
		free(line);
	}
	put(CONF_EV_FINISHED, "done");
	conf_plugin_close(&p);
	fflush(NULL);
	return 0;
}

static void set_state(conf_section *sec, const char *id, const char *violation, const char *skip)
{
	conf_outcome *o = &sec->outcomes[conf_rule_index(id)];
	if (violation)
		conf_outcome_violation(o, violation);
	else if (skip)
		conf_outcome_skip(o, skip);
	else
		o->ran = true;
	conf_outcome_finish(o);
}

bool conf_probe_plugin(const char *path, const conf_options *o, conf_section *sec, otto_strlist *lab_names,
		       otto_strlist *reservation_names)
{
	otto__child c;
	const char *const args[] = {path, NULL};
	if (!conf_spawn_self(&c, CONF_PROBE_ARG, args, -1))
		return false;
	int64_t deadline = otto__now_ms() + (int64_t)o->timeout_s * 1000;
	otto__frame_in in = {0};
	bool registering = false, finished = false, timed_out = false;
	char *failed_rule = NULL, *failure = NULL;
	otto_strlist abi = {0};
	for (;;) {
		otto__frame f;
		int got = otto__frame_in_next(&in, &f);
		if (got > 0) {
			otto__reader r;
			otto__reader_init(&r, &f);
			const char *text = otto__get_str(&r);
			if (!otto__reader_done(&r) || !text)
				break;
			if (f.type == CONF_EV_REGISTERING) {
				registering = true;
			} else if (f.type == CONF_EV_FINISHED) {
				finished = true;
			} else if (f.type == CONF_EV_ABI) {
				otto__strlist_push(&abi, text);
			} else if (f.type == CONF_EV_PLUGIN_FAIL) {
				const char *sp = strchr(text, ' ');
				free(failed_rule);
				free(failure);
				failed_rule = otto__strndup(text, sp ? (size_t)(sp - text) : strlen(text));
				failure = otto__strdup(sp ? sp + 1 : "");
			} else if (f.type == CONF_EV_BACKEND) {
				const char *sp = strchr(text, ' ');
				if (sp)
					otto__strlist_push(strncmp(text, "lab ", 4) == 0 ? lab_names : reservation_names, sp + 1);
			}
			continue;
		}
		if (got < 0)
			break;
		ssize_t n = otto__frame_in_fill(&in, c.channel);
		if (n > 0)
			continue;
		if (n == 0 || n == -2)
			break;
		otto__child_event e = otto__child_wait(&c, POLLIN, deadline);
		if (e == OTTO__CHILD_TIMEOUT) {
			timed_out = true;
			break;
		}
		if (e == OTTO__CHILD_ENDED && otto__frame_in_fill(&in, c.channel) <= 0)
			break;
	}
	otto__frame_in_free(&in);
	if (timed_out)
		otto__child_kill(&c);
	else
		otto__child_finish(&c, deadline);
	int status = c.status_lost ? 0 : c.wstatus;
	otto__child_free(&c);

	if (!finished && !failure) {
		const char *stage = registering ? "register_backends" : "loading the plugin (a constructor)";
		free(failed_rule);
		failed_rule = otto__strdup(registering ? "C2" : "C1");
		if (timed_out)
			failure = otto__asprintf("%s: %s did not return within the %d s limit (--timeout)", path, stage,
						 o->timeout_s);
		else if (WIFSIGNALED(status))
			failure = otto__asprintf("%s: %s crashed with %s", path, stage, conf_signal_name(WTERMSIG(status)));
		else
			failure = otto__asprintf("%s: %s ended the process (exit status %d)", path, stage,
						 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	const char *not_loaded = "not checked: the plugin did not load (see C1)";
	const char *no_symbol = "not checked: the registration symbol is unusable (see C2)";
	const char *bad_abi = "not checked: the ABI is not acceptable (see C3)";
	bool usable = !failure;
	if (!failure) {
		set_state(sec, "C1", NULL, NULL);
		set_state(sec, "C2", NULL, NULL);
		for (size_t i = 0; i < abi.count; i++)
			conf_outcome_violation(&sec->outcomes[conf_rule_index("C3")], abi.items[i]);
		set_state(sec, "C3", NULL, NULL);
	} else if (strcmp(failed_rule, "C1") == 0) {
		set_state(sec, "C1", failure, NULL);
		set_state(sec, "C2", NULL, not_loaded);
		set_state(sec, "C3", NULL, not_loaded);
	} else if (strcmp(failed_rule, "C3") == 0) {
		set_state(sec, "C1", NULL, NULL);
		set_state(sec, "C2", NULL, bad_abi);
		set_state(sec, "C3", failure, NULL);
	} else {
		set_state(sec, "C1", NULL, NULL);
		set_state(sec, "C2", failure, NULL);
		set_state(sec, "C3", NULL, no_symbol);
	}
	free(failed_rule);
	free(failure);
	otto_strlist_free(&abi);
	return usable;
}
