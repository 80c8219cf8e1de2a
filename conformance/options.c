/*
 * The command line. Every mistake is a usage error (exit 2) that names the
 * option and the value.
 */
#include "conf.h"

#include <ctype.h>
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
	      "  --format text|tap|junit  report format (default text)\n"
	      "  --output FILE          write the report to FILE instead of stdout\n"
	      "  --timeout SECONDS      time limit per plugin call (default 5)\n"
	      "  --only RULES           run only these rules: ids or letter prefixes, comma-separated (L12,S)\n"
	      "  --skip RULES           do not run these rules\n"
	      "  --list-rules           print every rule: id, kind, statement\n"
	      "  --no-isolation         run in this process (for measuring; a crash ends the run)\n"
	      "  --help, --version\n"
	      "\n"
	      "Exit status: 0 every rule passed; 1 at least one violation; 2 the plugin could\n"
	      "not be loaded or the command line is wrong.\n",
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
	const char *only = NULL;
	otto_strlist skips = {0};
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
						    "--no-isolation", NULL};
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
			else if (strcmp(name, "--version") == 0) {
				printf("otto-conformance %s\n", OTTO_VERSION);
				exit(0);
			} else
				o->help = true;
			continue;
		}
		static const char *const valued[] = {"--backend", "--kind", "--set", "--settings", "--plugin-dir",
						     "--expect-lab", "--known-user", "--known-resource", "--format",
						     "--output", "--timeout", "--only", "--skip", NULL};
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
		else if (strcmp(name, "--format") == 0) {
			if (strcmp(value, "text") == 0)
				o->format = CONF_FORMAT_TEXT;
			else if (strcmp(value, "tap") == 0)
				o->format = CONF_FORMAT_TAP;
			else if (strcmp(value, "junit") == 0)
				o->format = CONF_FORMAT_JUNIT;
			else
				rc = usage_error("--format: '%s' is not text, tap or junit", value);
		} else if (strcmp(name, "--output") == 0)
			o->output = value;
		else if (strcmp(name, "--timeout") == 0) {
			long t;
			if (!parse_int(value, &t) || t < 1 || t > 3600)
				rc = usage_error("--timeout: '%s' is not a number of seconds between 1 and 3600", value);
			else
				o->timeout_s = (int)t;
		} else if (strcmp(name, "--only") == 0)
			only = value;
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
	otto_strlist_free(&skips);
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
}
