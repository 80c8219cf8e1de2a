/*
 * The plugin probe: load and register the plugin in a child (a constructor
 * or register_backends that crashes or hangs cannot take us down), and turn
 * what happened into the plugin rules C1-C3.
 */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void put(int fd, char kind, const char *text)
{
	otto_buf b = {0};
	otto__buf_printf(&b, "%c ", kind);
	for (const char *p = text; *p; p++)
		otto__buf_appendn(&b, *p == '\n' ? " " : p, 1);
	otto__buf_append(&b, "\n");
	if (write(fd, b.data, b.len) < 0)
		_exit(3);
	otto__buf_free(&b);
}

static void probe_child(const char *path, int fd)
{
	int devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0)
		dup2(devnull, STDOUT_FILENO);
	put(fd, 'L', "loading"); /* a crash from here on, before 'R', is a load-time crash */
	conf_plugin p;
	bool ok = conf_plugin_open(&p, path);
	if (p.rule_failed != conf_rule_index("C1"))
		put(fd, 'R', "registering");
	if (!ok) {
		char *line = otto__asprintf("%s %s", conf_rules[p.rule_failed].id, p.message);
		put(fd, 'X', line);
		free(line);
	}
	for (size_t i = 0; i < p.abi_problems.count; i++)
		put(fd, 'A', p.abi_problems.items[i]);
	for (size_t i = 0; ok && i < p.count; i++) {
		const conf_registered *r = &p.items[i];
		const char *name = r->lab ? r->lab->name : r->reservation->name;
		char *line = otto__asprintf("%s %s", r->kind == OTTO_KIND_LAB ? "lab" : "reservation", name ? name : "");
		put(fd, 'B', line);
		free(line);
	}
	put(fd, 'F', "done");
	conf_plugin_close(&p);
	exit(0);
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
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return false;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		close(pfd[0]);
		probe_child(path, pfd[1]);
	}
	close(pfd[1]);
	otto_buf all = {0};
	otto__buf_append(&all, "");
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	bool timed_out = false;
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (long)o->timeout_s * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
							  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		int rc = poll(&p, 1, (int)left);
		if (rc <= 0)
			continue;
		char chunk[4096];
		ssize_t n = read(pfd[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		otto__buf_appendn(&all, chunk, (size_t)n);
	}
	close(pfd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	bool registering = false, finished = false;
	char *failed_rule = NULL, *failure = NULL;
	otto_strlist abi = {0};
	for (char *line = all.data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] == 'R')
			registering = true;
		else if (line[0] == 'F')
			finished = true;
		else if (line[0] == 'A')
			otto__strlist_push(&abi, line + 2);
		else if (line[0] == 'X') {
			char *sp = strchr(line + 2, ' ');
			failed_rule = otto__strndup(line + 2, sp ? (size_t)(sp - line - 2) : strlen(line + 2));
			failure = otto__strdup(sp ? sp + 1 : "");
		} else if (line[0] == 'B') {
			bool lab = strncmp(line + 2, "lab ", 4) == 0;
			otto__strlist_push(lab ? lab_names : reservation_names, strchr(line + 2, ' ') + 1);
		}
		if (!nl)
			break;
	}
	otto__buf_free(&all);

	if (!finished && !failure) {
		const char *stage = registering ? "register_backends" : "loading the plugin (a constructor)";
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
