/*
 * otto-conformance: check a plugin's backends against the contracts.
 * See docs/conformance.md. Exit codes: 0 every selected rule ran and
 * passed, 1 a violation, 2 the plugin could not be loaded, the command line
 * is wrong or a report could not be written, 3 no violation but rules left
 * unchecked by a failed prerequisite (0 with --allow-skips). Nothing else.
 */
#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct conf_main {
	conf_options opts;
	otto_settings *settings;
	otto_registry *registry;
	conf_report report;
	size_t n_targets;
	conf_target **targets; /* one per backend checked: no cap */
	otto_strlist labs, reservations; /* what the probed plugin registers */
	char *plugin_path;               /* the probed file, NULL for built-ins */
} conf_main;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message = otto__vasprintf(fmt, ap);
	va_end(ap);
	/* Paths, names and libotto's messages: one line, no control character. */
	char *shown = otto__text_escape(message);
	fprintf(stderr, "otto-conformance: %s\n", shown);
	free(shown);
	free(message);
	return CONF_EXIT_UNUSABLE;
}

static void list_rules(const conf_options *o)
{
	for (size_t i = 0; i < conf_rule_count; i++)
		if (o->selected[i])
			printf("%-4s %-12s %s\n", conf_rules[i].id, conf_rule_kind_name(conf_rules[i].kind),
			       conf_rules[i].statement);
}

static bool kind_wanted(const conf_options *o, otto_backend_kind kind)
{
	return !o->kind || o->kind == (int)kind;
}

static void add_target(conf_main *m, otto_backend_kind kind, const char *name, bool from_settings)
{
	m->targets = otto__realloc(m->targets, (m->n_targets + 1) * sizeof *m->targets);
	conf_target *t = otto__calloc(1, sizeof *t);
	m->targets[m->n_targets++] = t;
	t->kind = kind;
	t->name = otto__strdup(name);
	t->from_settings = from_settings;
	t->plugin_path = m->plugin_path;
	t->registry = m->registry;
	t->settings = m->settings;
	if (!from_settings)
		conf_target_build_config(t, &m->opts);
	const char *k = kind == OTTO_KIND_LAB ? "lab" : "reservation";
	conf_scope scope = kind == OTTO_KIND_LAB ? CONF_SCOPE_LAB : CONF_SCOPE_RESERVATION;
	if (from_settings)
		t->section = conf_report_add_section(&m->report, scope, "%s backend selected by %s", k,
						     m->report.subject);
	else
		t->section = conf_report_add_section(&m->report, scope, "%s backend '%s'", k, name);
}

/* Probe the plugin file; false when it is unusable (exit 2 after the report). */
static bool probe(conf_main *m, const char *path)
{
	m->plugin_path = otto__strdup(path);
	conf_section *sec = conf_report_add_section(&m->report, CONF_SCOPE_PLUGIN, "plugin %s", path);
	return conf_probe_plugin(path, &m->opts, sec, &m->labs, &m->reservations);
}

static int targets_from_plugin_file(conf_main *m)
{
	const conf_options *o = &m->opts;
	for (int pass = 0; pass < 2; pass++) {
		otto_backend_kind kind = pass == 0 ? OTTO_KIND_LAB : OTTO_KIND_RESERVATION;
		const otto_strlist *names = pass == 0 ? &m->labs : &m->reservations;
		for (size_t i = 0; i < names->count; i++)
			if (kind_wanted(o, kind) && (!o->backend || strcmp(o->backend, names->items[i]) == 0))
				add_target(m, kind, names->items[i], false);
	}
	if (m->n_targets)
		return 0;
	otto_strlist all = {0};
	for (size_t i = 0; i < m->labs.count; i++)
		otto__strlist_push_owned(&all, otto__asprintf("lab '%s'", m->labs.items[i]));
	for (size_t i = 0; i < m->reservations.count; i++)
		otto__strlist_push_owned(&all, otto__asprintf("reservation '%s'", m->reservations.items[i]));
	otto_buf b = {0};
	for (size_t i = 0; i < all.count; i++)
		otto__buf_printf(&b, "%s%s", i ? ", " : "", all.items[i]);
	char *msg = otto__asprintf("%s registers no %s%sbackend%s%s%s (it registers: %s)", m->plugin_path,
				   o->kind == OTTO_KIND_LAB ? "lab " : o->kind == OTTO_KIND_RESERVATION ? "reservation " : "",
				   "", o->backend ? " named '" : "", o->backend ? o->backend : "", o->backend ? "'" : "",
				   b.data ? b.data : "nothing");
	int rc = fail("%s", msg);
	free(msg);
	otto__buf_free(&b);
	otto_strlist_free(&all);
	return rc;
}

static int targets_from_name(conf_main *m, bool *usable)
{
	const conf_options *o = &m->opts;
	const otto_backend_info *found[2] = {NULL, NULL};
	for (int pass = 0; pass < 2; pass++) {
		otto_backend_kind kind = pass == 0 ? OTTO_KIND_LAB : OTTO_KIND_RESERVATION;
		if (kind_wanted(o, kind))
			found[pass] = otto_registry_find(m->registry, kind, o->plugin);
	}
	if (!found[0] && !found[1]) {
		otto_error err = {0};
		otto_registry_unknown_backend_error(m->registry, o->kind ? (otto_backend_kind)o->kind : OTTO_KIND_LAB,
						    o->plugin, &err);
		return fail("%s", err.message);
	}
	const otto_backend_info *first = found[0] ? found[0] : found[1];
	bool builtin = !first->path || strcmp(first->path, "(built-in)") == 0;
	if (!builtin && !(*usable = probe(m, first->path)))
		return 0;
	for (int pass = 0; pass < 2; pass++)
		if (found[pass])
			add_target(m, pass == 0 ? OTTO_KIND_LAB : OTTO_KIND_RESERVATION, o->plugin, false);
	return 0;
}

static int targets_from_settings(conf_main *m)
{
	const conf_options *o = &m->opts;
	if (kind_wanted(o, OTTO_KIND_LAB) &&
	    (otto_settings_lab_backend(m->settings) || otto_settings_lab_source_count(m->settings)))
		add_target(m, OTTO_KIND_LAB, NULL, true);
	if (kind_wanted(o, OTTO_KIND_RESERVATION))
		add_target(m, OTTO_KIND_RESERVATION, NULL, true);
	if (!m->n_targets)
		return fail("%s: selects no lab backend (no [lab] backend and no [lab.sources.*])", m->report.subject);
	return 0;
}

/* One report; 0, or exit 2 after saying why it could not be written. */
static int write_one(conf_main *m, const conf_output *dest)
{
	FILE *out = stdout;
	if (dest->path && !(out = fopen(dest->path, "we")))
		return fail("cannot write the report to %s: %s", dest->path, strerror(errno));
	bool colour = !dest->path && isatty(fileno(out)) && !getenv("NO_COLOR");
	switch (dest->format) {
	case CONF_FORMAT_TAP:
		conf_report_tap(out, &m->report, &m->opts);
		break;
	case CONF_FORMAT_JUNIT:
		conf_report_junit(out, &m->report, &m->opts);
		break;
	case CONF_FORMAT_JSON:
		conf_report_json(out, &m->report, &m->opts);
		break;
	case CONF_FORMAT_TEXT:
		conf_report_text(out, &m->report, &m->opts, colour);
		break;
	}
	/* A full disk or a closed pipe must not pass for a written report. */
	errno = 0;
	bool ok = fflush(out) == 0 && !ferror(out);
	int saved = errno;
	if (out != stdout)
		ok = fclose(out) == 0 && ok;
	if (!ok)
		return fail("cannot write the report to %s: %s", dest->path ? dest->path : "stdout",
			    saved ? strerror(saved) : "write error");
	return 0;
}

static int write_report(conf_main *m)
{
	int rc = 0;
	for (size_t i = 0; i < m->opts.n_outputs; i++)
		if (write_one(m, &m->opts.outputs[i]))
			rc = CONF_EXIT_UNUSABLE; /* the others are still written */
	return rc;
}

static int run(conf_main *m)
{
	const conf_options *o = &m->opts;
	bool path = false;
	int rc = conf_setup(o, &m->settings, &m->registry, &path);
	if (rc)
		return rc;
	m->report.subject = otto__text_escape(o->from_settings ? otto_settings_path(m->settings) : o->plugin);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool usable = true;
	if (o->from_settings)
		rc = targets_from_settings(m);
	else if (path)
		rc = (usable = probe(m, o->plugin)) ? targets_from_plugin_file(m) : 0;
	else
		rc = targets_from_name(m, &usable);
	if (rc)
		return rc;
	conf_pool *pool = conf_pool_new();
	for (size_t i = 0; i < m->n_targets; i++)
		conf_run_target(m->targets[i], o, pool);
	conf_pool_free(pool, o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	m->report.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if ((rc = write_report(m)))
		return rc;
	size_t passed, failed, skipped;
	conf_report_count(&m->report, o, &passed, &failed, &skipped);
	if (!usable)
		return CONF_EXIT_UNUSABLE;
	if (failed)
		return CONF_EXIT_VIOLATION;
	return conf_report_blocked(&m->report, o) && !o->allow_skips ? CONF_EXIT_INCOMPLETE : CONF_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], CONF_RUNNER_ARG) == 0)
		return conf_runner_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], CONF_PROBE_ARG) == 0)
		return conf_probe_main(argc - 1, argv + 1);
	conf_main m;
	memset(&m, 0, sizeof m);
	int rc = conf_options_parse(&m.opts, argc, argv);
	if (rc == 0 && m.opts.help)
		conf_print_usage(stdout);
	else if (rc == 0 && m.opts.list_rules)
		list_rules(&m.opts);
	else if (rc == 0)
		rc = run(&m);
	/* --help and --list-rules write to stdout too. */
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = fail("cannot write to stdout: %s", strerror(errno ? errno : EIO));
	for (size_t i = 0; i < m.n_targets; i++) {
		conf_target_free(m.targets[i]);
		free(m.targets[i]);
	}
	free(m.targets);
	conf_report_free(&m.report);
	otto_registry_free(m.registry);
	otto_settings_free(m.settings);
	otto_strlist_free(&m.labs);
	otto_strlist_free(&m.reservations);
	free(m.plugin_path);
	conf_options_free(&m.opts);
	return rc;
}
