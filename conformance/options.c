/*
 * The command line. Every mistake is a usage error (exit 2) that names the
 * option and the value.
 */
#include "conf.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void conf_print_usage(FILE *f)
{
	fputs("Usage: otto-conformance PLUGIN [options]\n"
	      "       otto-conformance --from-settings [--settings FILE] [options]\n"
	      "       otto-conformance --list-rules\n"
	      "\n"
	      "Check every backend a plugin registers against the LabRepository and\n"
	      "ReservationBackend contracts. PLUGIN is a path to a shared object, or a\n"
	      "backend name looked up the way otto finds plugins.\n"
	      "\n"
	      "Options:\n"
	      "  --backend NAME         only this backend (default: every backend of the plugin)\n"
	      "  --kind lab|reservation only backends of this kind\n"
	      "  --set KEY=VALUE        a setting the backend is created with (repeatable)\n"
	      "  --settings FILE        settings file: the backend's table configures it\n"
	      "  --from-settings        check the lab repository and reservation backend the\n"
	      "                         settings select (including layered lab sources)\n"
	      "  --plugin-dir DIR       search DIR for plugins first (repeatable)\n"
	      "  --expect-lab NAME      ground truth: a lab the repository must list and load\n"
	      "  --known-user USER      ground truth: a user holding every --known-resource\n"
	      "  --known-resource RES   ground truth: a resource every --known-user holds\n"
	      "  --format FORMAT[:FILE] a report: text, tap, junit or json, to FILE or stdout\n"
	      "                         (repeatable; the text report goes to stdout unless\n"
	      "                         another report does)\n"
	      "  --output FILE          the FILE of the last --format given without one\n"
	      "  --junit FILE, --tap FILE, --json FILE  the same as --format junit:FILE ...\n"
	      "  --timeout SECONDS      time limit per plugin call and for loading (default 5)\n"
	      "  --only RULES           run only these rules: ids or letter prefixes, comma-separated (L12,S)\n"
	      "  --skip RULES           do not run these rules\n"
	      "  --focus REGEX          run only rules whose \"<id> <statement>\" matches (repeatable)\n"
	      "  --skip-regex REGEX     do not run rules whose \"<id> <statement>\" matches (repeatable)\n"
	      "  --allow-skips          exit 0 even when a prerequisite failure left rules unchecked\n"
	      "  --list-rules           print every rule: id, kind, statement\n"
	      "  --no-isolation         run in this process (for measuring; a crash ends the run)\n"
	      "  --help, --version\n"
	      "\n"
	      "Exit status: 0 every selected rule ran and passed (plain skips allowed); 1 at\n"
	      "least one violation; 2 the plugin could not be loaded (otto would refuse it),\n"
	      "the command line is wrong, or a report could not be written; 3 no violation,\n"
	      "but a failed prerequisite left selected rules unchecked (0 with --allow-skips).\n",
	      f);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("otto-conformance: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nRun 'otto-conformance --help' for usage.\n", stderr);
	return CONF_EXIT_UNUSABLE;
}

/* Whether one --only/--skip item names rule i: an exact id, or a letter
 * prefix ("S", "L") naming a whole family. */
static bool item_matches(const char *item, size_t i)
{
	if (strcmp(item, conf_rules[i].id) == 0)
		return true;
	for (const char *p = item; *p; p++)
		if (!isalpha((unsigned char)*p))
			return false;
	size_t n = strlen(item);
	return n && strncmp(conf_rules[i].id, item, n) == 0 && isdigit((unsigned char)conf_rules[i].id[n]);
}

static int apply_rule_list(conf_options *o, const char *option, const char *list, bool value)
{
	char *copy = otto__strdup(list);
	int rc = 0;
	for (char *save = NULL, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*item))
			item++;
		for (char *e = item + strlen(item); e > item && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		for (char *p = item; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		bool any = false;
		for (size_t i = 0; i < conf_rule_count; i++)
			if (item_matches(item, i)) {
				o->selected[i] = value;
				any = true;
			}
		if (!any) {
			rc = usage_error("%s: unknown rule '%s' (see --list-rules)", option, item);
			break;
		}
	}
	free(copy);
	return rc;
}

/* --focus / --skip-regex: an extended, case-insensitive regular
 * expression matched anywhere in "<id> <statement>". */
static int apply_regex(conf_options *o, const char *option, const char *pattern, bool focus, bool *focused)
{
	regex_t re;
	int err = regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (err) {
		char why[256];
		regerror(err, &re, why, sizeof why);
		regfree(&re);
		return usage_error("%s: '%s' is not a regular expression: %s", option, pattern, why);
	}
	for (size_t i = 0; i < conf_rule_count; i++) {
		char *subject = otto__asprintf("%s %s", conf_rules[i].id, conf_rules[i].statement);
		bool match = regexec(&re, subject, 0, NULL, 0) == 0;
		free(subject);
		if (focus && match)
			focused[i] = true;
		else if (!focus && match)
			o->selected[i] = false;
	}
	regfree(&re);
	return 0;
}

static bool format_named(const char *name, size_t len, conf_format *out)
{
	static const struct {
		const char *name;
		conf_format format;
	} formats[] = {{"text", CONF_FORMAT_TEXT}, {"tap", CONF_FORMAT_TAP}, {"junit", CONF_FORMAT_JUNIT},
		       {"json", CONF_FORMAT_JSON}};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strlen(formats[i].name) == len && strncmp(formats[i].name, name, len) == 0) {
			*out = formats[i].format;
			return true;
		}
	return false;
}

static void add_output(conf_options *o, conf_format format, const char *path)
{
	o->outputs = otto__realloc(o->outputs, (o->n_outputs + 1) * sizeof *o->outputs);
	o->outputs[o->n_outputs++] = (conf_output){format, path};
}

/* --format FORMAT[:FILE] */
static int parse_format(conf_options *o, const char *value)
{
	const char *colon = strchr(value, ':');
	size_t len = colon ? (size_t)(colon - value) : strlen(value);
	conf_format format;
	if (!format_named(value, len, &format))
		return usage_error("--format: '%.*s' is not text, tap, junit or json", (int)len, value);
	if (colon && !colon[1])
		return usage_error("--format: '%s' names no file after ':'", value);
	add_output(o, format, colon ? colon + 1 : NULL);
	return 0;
}

/* Every report has its own destination; at most one is stdout, and the
 * console text goes there unless another report does. */
static int settle_outputs(conf_options *o, const char *output)
{
	if (output) {
		size_t i = o->n_outputs;
		while (i > 0 && o->outputs[i - 1].path)
			i--;
		if (i == 0 && o->n_outputs)
			return usage_error("--output %s: every --format already names its file", output);
		if (i == 0)
			add_output(o, CONF_FORMAT_TEXT, output);
		else
			o->outputs[i - 1].path = output;
	}
	size_t to_stdout = 0;
	for (size_t i = 0; i < o->n_outputs; i++)
		to_stdout += o->outputs[i].path == NULL || strcmp(o->outputs[i].path, "-") == 0;
	if (to_stdout > 1)
		return usage_error("two reports would go to stdout: give every --format but one a FILE");
	if (to_stdout == 0)
		add_output(o, CONF_FORMAT_TEXT, NULL);
	for (size_t i = 0; i < o->n_outputs; i++)
		if (o->outputs[i].path && strcmp(o->outputs[i].path, "-") == 0)
			o->outputs[i].path = NULL;
	return 0;
}

static bool parse_int(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end)
		return false;
	*out = v;
	return true;
}

int conf_options_parse(conf_options *o, int argc, char **argv)
{
	memset(o, 0, sizeof *o);
	o->argc = argc;
	o->argv = argv;
	o->timeout_s = 5;
	o->selected = otto__calloc(conf_rule_count, sizeof *o->selected);
	for (size_t i = 0; i < conf_rule_count; i++)
		o->selected[i] = true;
	const char *only = NULL, *output = NULL;
	otto_strlist skips = {0}, focus = {0}, skip_regex = {0};
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || !arg[1]) {
			if (o->plugin)
				rc = usage_error("unexpected argument '%s' (one PLUGIN only)", arg);
			else
				o->plugin = arg;
			continue;
		}
		const char *name = arg, *value = NULL, *eq = strchr(arg, '=');
		char opt[64];
		if (strncmp(arg, "--", 2) == 0 && eq && (size_t)(eq - arg) < sizeof opt) {
			snprintf(opt, sizeof opt, "%.*s", (int)(eq - arg), arg);
			name = opt;
			value = eq + 1;
		}
		static const char *const flags[] = {"--from-settings", "--list-rules", "--help", "-h", "--version",
						    "--no-isolation", "--allow-skips", NULL};
		bool is_flag = false;
		for (size_t k = 0; flags[k]; k++)
			is_flag |= strcmp(name, flags[k]) == 0;
		if (is_flag) {
			if (value) {
				rc = usage_error("%s takes no value", name);
				break;
			}
			if (strcmp(name, "--from-settings") == 0)
				o->from_settings = true;
			else if (strcmp(name, "--list-rules") == 0)
				o->list_rules = true;
			else if (strcmp(name, "--no-isolation") == 0)
				o->no_isolation = true;
			else if (strcmp(name, "--allow-skips") == 0)
				o->allow_skips = true;
			else if (strcmp(name, "--version") == 0) {
				printf("otto-conformance %s\n", OTTO_VERSION);
				exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : CONF_EXIT_UNUSABLE);
			} else
				o->help = true;
			continue;
		}
		static const char *const valued[] = {"--backend", "--kind", "--set", "--settings", "--plugin-dir",
						     "--expect-lab", "--known-user", "--known-resource", "--format",
						     "--output", "--timeout", "--only", "--skip", "--junit", "--tap",
						     "--json", "--focus", "--skip-regex", NULL};
		bool known = false;
		for (size_t k = 0; valued[k]; k++)
			known |= strcmp(name, valued[k]) == 0;
		if (!known) {
			rc = usage_error("unknown option '%s'", name);
			break;
		}
		if (!value) {
			if (i + 1 >= argc) {
				rc = usage_error("%s needs a value", name);
				break;
			}
			value = argv[++i];
		}
		if (strcmp(name, "--backend") == 0)
			o->backend = value;
		else if (strcmp(name, "--kind") == 0) {
			if (strcmp(value, "lab") == 0)
				o->kind = OTTO_KIND_LAB;
			else if (strcmp(value, "reservation") == 0)
				o->kind = OTTO_KIND_RESERVATION;
			else
				rc = usage_error("--kind: '%s' is not lab or reservation", value);
		} else if (strcmp(name, "--set") == 0) {
			const char *e = strchr(value, '=');
			if (!e || e == value)
				rc = usage_error("--set: '%s' is not KEY=VALUE", value);
			else
				otto__strlist_push(&o->sets, value);
		} else if (strcmp(name, "--settings") == 0)
			o->settings_file = value;
		else if (strcmp(name, "--plugin-dir") == 0)
			otto__strlist_push(&o->plugin_dirs, value);
		else if (strcmp(name, "--expect-lab") == 0)
			otto__strlist_push(&o->expect_labs, value);
		else if (strcmp(name, "--known-user") == 0)
			otto__strlist_push(&o->known_users, value);
		else if (strcmp(name, "--known-resource") == 0)
			otto__strlist_push(&o->known_resources, value);
		else if (strcmp(name, "--format") == 0)
			rc = parse_format(o, value);
		else if (strcmp(name, "--junit") == 0 || strcmp(name, "--tap") == 0 || strcmp(name, "--json") == 0) {
			conf_format format;
			format_named(name + 2, strlen(name + 2), &format);
			add_output(o, format, value);
		} else if (strcmp(name, "--output") == 0) {
			if (output)
				rc = usage_error("--output given twice ('%s', '%s'): use --format FORMAT:FILE for more reports",
						 output, value);
			output = value;
		}
		else if (strcmp(name, "--timeout") == 0) {
			long t;
			if (!parse_int(value, &t) || t < 1 || t > 3600)
				rc = usage_error("--timeout: '%s' is not a number of seconds between 1 and 3600", value);
			else
				o->timeout_s = (int)t;
		} else if (strcmp(name, "--only") == 0)
			only = value;
		else if (strcmp(name, "--focus") == 0)
			otto__strlist_push(&focus, value);
		else if (strcmp(name, "--skip-regex") == 0)
			otto__strlist_push(&skip_regex, value);
		else if (strcmp(name, "--skip") == 0)
			otto__strlist_push(&skips, value);
		else
			rc = usage_error("unknown option '%s'", name);
	}
	if (rc == 0 && only) {
		for (size_t i = 0; i < conf_rule_count; i++)
			o->selected[i] = false;
		rc = apply_rule_list(o, "--only", only, true);
	}
	for (size_t i = 0; rc == 0 && i < skips.count; i++)
		rc = apply_rule_list(o, "--skip", skips.items[i], false);
	if (rc == 0 && focus.count) {
		bool *focused = otto__calloc(conf_rule_count, sizeof *focused);
		for (size_t i = 0; rc == 0 && i < focus.count; i++)
			rc = apply_regex(o, "--focus", focus.items[i], true, focused);
		for (size_t i = 0; i < conf_rule_count; i++)
			o->selected[i] = o->selected[i] && focused[i];
		free(focused);
	}
	for (size_t i = 0; rc == 0 && i < skip_regex.count; i++)
		rc = apply_regex(o, "--skip-regex", skip_regex.items[i], false, NULL);
	bool any = false;
	for (size_t i = 0; i < conf_rule_count; i++)
		any |= o->selected[i];
	if (rc == 0 && !any)
		rc = usage_error("--only, --skip, --focus and --skip-regex leave no rule to run (see --list-rules)");
	if (rc == 0)
		rc = settle_outputs(o, output);
	otto_strlist_free(&skips);
	otto_strlist_free(&focus);
	otto_strlist_free(&skip_regex);
	if (rc || o->help || o->list_rules)
		return rc;
	if (o->from_settings && o->plugin)
		return usage_error("give either PLUGIN or --from-settings, not both");
	if (!o->from_settings && !o->plugin)
		return usage_error("missing PLUGIN (a plugin file or a backend name)");
	if (o->known_users.count != 0 && o->known_resources.count == 0)
		return usage_error("--known-user needs at least one --known-resource");
	if (o->known_resources.count != 0 && o->known_users.count == 0)
		return usage_error("--known-resource needs at least one --known-user");
	return 0;
}

void conf_options_free(conf_options *o)
{
	otto_strlist_free(&o->sets);
	otto_strlist_free(&o->plugin_dirs);
	otto_strlist_free(&o->expect_labs);
	otto_strlist_free(&o->known_users);
	otto_strlist_free(&o->known_resources);
	free(o->selected);
	o->selected = NULL;
	free(o->outputs);
	o->outputs = NULL;
	o->n_outputs = 0;
}
