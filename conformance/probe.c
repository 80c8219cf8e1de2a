/*
 * The plugin probe: load and register the plugin in a child (this program
 * started again with CONF_PROBE_ARG, so a constructor or register_backends
 * that crashes or hangs cannot take us down), and turn what happened into
 * the plugin rules C1-C3, C8 (registration) and C9 (backend names).
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

/* What the plugin wrote to our stdout (a capture file) since *seen: one
 * C8 violation naming the stage. */
static void report_stdout(const char *path, const char *stage, off_t *seen)
{
	char *news = conf_stdout_news(STDOUT_FILENO, seen);
	if (!news)
		return;
	char *line = otto__asprintf("%s: %s wrote %s; otto refuses a plugin that does", path, stage, news);
	put(CONF_EV_STDOUT, line);
	free(line);
	free(news);
}

int conf_probe_main(int argc, char **argv)
{
	struct stat st;
	if (argc != 2 || fstat(CHANNEL_FD, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		fputs("otto-conformance: " CONF_PROBE_ARG " is for otto-conformance's own use\n", stderr);
		return CONF_EXIT_UNUSABLE;
	}
	const char *path = argv[1];
	off_t seen = 0;
	put(CONF_EV_LOADING, "loading"); /* a crash from here on, before 'G', is a load-time crash */
	conf_plugin p;
	bool ok = conf_plugin_open(&p, path);
	report_stdout(path, "loading the plugin (a constructor)", &seen);
	if (ok) {
		/* From here a crash, exit() or hang is register_backends' (C8). */
		put(CONF_EV_REGISTERING, "registering");
		ok = conf_plugin_register(&p, path);
		report_stdout(path, "register_backends", &seen);
	}
	if (!ok) {
		char *line = otto__asprintf("%s %s", conf_rules[p.rule_failed].id, p.message);
		put(CONF_EV_PLUGIN_FAIL, line);
		free(line);
	}
	for (size_t i = 0; i < p.abi_problems.count; i++)
		put(CONF_EV_ABI, p.abi_problems.items[i]);
	for (size_t i = 0; i < p.name_problems.count; i++)
		put(CONF_EV_NAME, p.name_problems.items[i]);
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

/* Set one plugin rule: a violation, a block (not checked because an
 * earlier stage failed), or a pass. */
static void set_state(conf_section *sec, const char *id, const char *violation, const char *blocked)
{
	conf_outcome *o = &sec->outcomes[conf_rule_index(id)];
	if (violation)
		conf_outcome_violation(o, violation);
	else if (blocked)
		conf_outcome_block(o, blocked);
	else
		o->ran = true;
	conf_outcome_finish(o);
}

/* What the probe child said. */
typedef struct probe_result {
	bool registering, finished, timed_out;
	int status; /* wait status, 0 when lost */
	char *failed_rule, *failure;
	otto_strlist abi, names, stdout_writes;
} probe_result;

static void probe_frame(probe_result *pr, const otto__frame *f, const char *text, otto_strlist *lab_names,
			otto_strlist *reservation_names)
{
	const char *sp = strchr(text, ' ');
	switch (f->type) {
	case CONF_EV_REGISTERING:
		pr->registering = true;
		break;
	case CONF_EV_FINISHED:
		pr->finished = true;
		break;
	case CONF_EV_ABI:
		otto__strlist_push(&pr->abi, text);
		break;
	case CONF_EV_NAME:
		otto__strlist_push(&pr->names, text);
		break;
	case CONF_EV_STDOUT:
		otto__strlist_push(&pr->stdout_writes, text);
		break;
	case CONF_EV_PLUGIN_FAIL:
		free(pr->failed_rule);
		free(pr->failure);
		pr->failed_rule = otto__strndup(text, sp ? (size_t)(sp - text) : strlen(text));
		pr->failure = otto__strdup(sp ? sp + 1 : "");
		break;
	case CONF_EV_BACKEND:
		if (sp)
			otto__strlist_push(strncmp(text, "lab ", 4) == 0 ? lab_names : reservation_names, sp + 1);
		break;
	default:
		break;
	}
}

/* Run the probe child to its end or the --timeout limit. */
static bool run_probe(const char *path, const conf_options *o, probe_result *pr, otto_strlist *lab_names,
		      otto_strlist *reservation_names)
{
	otto__child c;
	const char *const args[] = {path, NULL};
	int capture = conf_capture_file();
	bool spawned = conf_spawn_self(&c, CONF_PROBE_ARG, args, capture);
	if (capture >= 0)
		close(capture);
	if (!spawned)
		return false;
	int64_t deadline = otto__now_ms() + (int64_t)o->timeout_s * 1000;
	otto__frame_in in = {0};
	for (;;) {
		otto__frame f;
		int got = otto__frame_in_next(&in, &f);
		if (got > 0) {
			otto__reader r;
			otto__reader_init(&r, &f);
			const char *text = otto__get_str(&r);
			if (!otto__reader_done(&r) || !text)
				break;
			probe_frame(pr, &f, text, lab_names, reservation_names);
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
			pr->timed_out = true;
			break;
		}
		if (e == OTTO__CHILD_ENDED && otto__frame_in_fill(&in, c.channel) <= 0)
			break;
	}
	otto__frame_in_free(&in);
	if (pr->timed_out)
		otto__child_kill(&c);
	else
		otto__child_finish(&c, deadline);
	pr->status = c.status_lost ? 0 : c.wstatus;
	otto__child_free(&c);
	return true;
}

/* The probe child never finished: charge the stage it was in. */
static void charge_stage(probe_result *pr, const char *path, const conf_options *o)
{
	const char *stage = pr->registering ? "register_backends" : "loading the plugin (a constructor)";
	free(pr->failed_rule);
	pr->failed_rule = otto__strdup(pr->registering ? "C8" : "C1");
	if (pr->timed_out)
		pr->failure = otto__asprintf("%s: %s did not return within the %d s limit (--timeout)", path, stage,
					     o->timeout_s);
	else if (WIFSIGNALED(pr->status))
		pr->failure = otto__asprintf("%s: %s crashed with %s", path, stage, conf_signal_name(WTERMSIG(pr->status)));
	else
		pr->failure = otto__asprintf("%s: %s ended the process (exit status %d)", path, stage,
					     WIFEXITED(pr->status) ? WEXITSTATUS(pr->status) : -1);
}

bool conf_probe_plugin(const char *path, const conf_options *o, conf_section *sec, otto_strlist *lab_names,
		       otto_strlist *reservation_names)
{
	probe_result pr = {0};
	if (!run_probe(path, o, &pr, lab_names, reservation_names))
		return false;
	if (!pr.finished && !pr.failure)
		charge_stage(&pr, path, o);

	const char *not_loaded = "not checked: the plugin did not load (see C1)";
	const char *no_symbol = "not checked: the registration symbol is unusable (see C2)";
	const char *bad_abi = "not checked: the ABI is not acceptable (see C3)";
	const char *not_registered = "not checked: register_backends did not return (see C8)";
	const char *failed = pr.failed_rule ? pr.failed_rule : "";
	bool registered = pr.registering && strcmp(failed, "C8") != 0;
	if (!pr.failure || strcmp(failed, "C8") == 0 || strcmp(failed, "C2") == 0) {
		set_state(sec, "C1", NULL, NULL);
		bool c2_failed = strcmp(failed, "C2") == 0;
		set_state(sec, "C2", c2_failed ? pr.failure : NULL, registered || c2_failed ? NULL : not_registered);
		/* The descriptor passed; the types' sizes are known once registered. */
		conf_outcome *c3 = &sec->outcomes[conf_rule_index("C3")];
		for (size_t i = 0; i < pr.abi.count; i++)
			conf_outcome_violation(c3, pr.abi.items[i]);
		set_state(sec, "C3", NULL, registered ? NULL : pr.registering ? not_registered : no_symbol);
		conf_outcome *c8 = &sec->outcomes[conf_rule_index("C8")];
		for (size_t i = 0; i < pr.stdout_writes.count; i++)
			conf_outcome_violation(c8, pr.stdout_writes.items[i]);
		set_state(sec, "C8", strcmp(failed, "C8") == 0 ? pr.failure : NULL, pr.registering ? NULL : no_symbol);
		conf_outcome *c9 = &sec->outcomes[conf_rule_index("C9")];
		for (size_t i = 0; i < pr.names.count; i++)
			conf_outcome_violation(c9, pr.names.items[i]);
		set_state(sec, "C9", NULL, registered ? NULL : pr.registering ? not_registered : no_symbol);
	} else if (strcmp(failed, "C1") == 0) {
		set_state(sec, "C1", pr.failure, NULL);
		conf_outcome *c8 = &sec->outcomes[conf_rule_index("C8")];
		for (size_t i = 0; i < pr.stdout_writes.count; i++)
			conf_outcome_violation(c8, pr.stdout_writes.items[i]);
		const char *ids[] = {"C2", "C3", "C8", "C9"};
		for (size_t i = 0; i < 4; i++)
			set_state(sec, ids[i], NULL, not_loaded);
	} else { /* C3: the descriptor's ABI */
		set_state(sec, "C1", NULL, NULL);
		set_state(sec, "C3", pr.failure, NULL);
		const char *ids[] = {"C2", "C8", "C9"};
		for (size_t i = 0; i < 3; i++)
			set_state(sec, ids[i], NULL, bad_abi);
	}
	/* otto refuses the whole file for any of these: nothing else to check. */
	bool usable = !pr.failure && !pr.abi.count && !pr.names.count && !pr.stdout_writes.count;
	free(pr.failed_rule);
	free(pr.failure);
	otto_strlist_free(&pr.abi);
	otto_strlist_free(&pr.names);
	otto_strlist_free(&pr.stdout_writes);
	return usable;
}
