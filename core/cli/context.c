/*
 * What every command shares: settings and the plugin registry (both made on
 * first use, so that `otto --help` needs neither), the user, and errors.
 */
#include "commands.h"
#include "names.h"
#include "table.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static otto_settings *load_settings(otto_cli *cli, otto_error *err)
{
	otto_settings *settings = NULL;
	char *found = NULL;
	int rc;

	if (cli->settings_file) {
		struct stat st;
		/* Said here rather than left to the parser, so the message can
		 * name the option the file came from. */
		if (stat(cli->settings_file, &st) != 0) {
			otto_error_set(err, OTTO_ESETTINGS,
				       "cannot read the settings file '%s' given by --settings: %s", cli->settings_file,
				       strerror(errno));
			return NULL;
		}
		rc = otto_settings_load(&settings, cli->settings_file, err);
		return rc == OTTO_OK ? settings : NULL;
	}
	rc = otto_settings_find(NULL, &found, err);
	if (rc != OTTO_OK)
		return NULL;
	if (found) {
		rc = otto_settings_load(&settings, found, err);
		free(found);
		return rc == OTTO_OK ? settings : NULL;
	}
	char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		otto_error_set(err, OTTO_EIO, "cannot tell the current folder: %s", strerror(errno));
		return NULL;
	}
	rc = otto_settings_new_empty(&settings, cwd, err);
	free(cwd);
	return rc == OTTO_OK ? settings : NULL;
}

otto_settings *cli_settings(otto_cli *cli)
{
	otto_error err = {0};
	if (cli->settings)
		return cli->settings;
	cli->settings = load_settings(cli, &err);
	if (!cli->settings)
		cli_fail(&err);
	return cli->settings;
}

/* [plugins] allow_untrusted = true turns the plugin trust check off; the
 * warning for each file it lets through names this line. */
static int allow_untrusted_from_settings(otto_registry *reg, const otto_settings *settings, otto_error *err)
{
	const otto_setting *items = NULL;
	size_t n = otto_settings_table(settings, "plugins", &items);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i].key, "allow_untrusted") != 0 || items[i].type != OTTO_VALUE_BOOLEAN ||
		    !items[i].boolean)
			continue;
		char where[600], source[700];
		otto_setting_where(&items[i], where, sizeof where);
		snprintf(source, sizeof source, "[plugins] allow_untrusted at %s", where);
		return otto_registry_allow_untrusted(reg, source, err);
	}
	return OTTO_OK;
}

/* The search order users rely on: --plugin-dir, OTTO_PLUGIN_PATH,
 * [plugins] path, then the installed default next to the executable. */
static int build_search_path(otto_cli *cli, otto_registry *reg, const otto_settings *settings, otto_error *err)
{
	const char *env = getenv("OTTO_PLUGIN_PATH");
	int rc = OTTO_OK;
	for (size_t i = 0; rc == OTTO_OK && i < cli->plugin_dirs.count; i++)
		rc = otto_registry_add_dir(reg, cli->plugin_dirs.items[i], err);
	if (rc == OTTO_OK && env && *env)
		rc = otto_registry_add_path_list(reg, env, err);
	for (size_t i = 0; rc == OTTO_OK && i < otto_settings_plugin_dir_count(settings); i++)
		rc = otto_registry_add_dir(reg, otto_settings_plugin_dir(settings, i), err);
	if (rc == OTTO_OK)
		rc = otto_registry_add_default_dirs(reg, err);
	if (rc == OTTO_OK)
		rc = allow_untrusted_from_settings(reg, settings, err);
	return rc;
}

otto_registry *cli_registry(otto_cli *cli)
{
	otto_error err = {0};
	otto_settings *settings;
	otto_registry *reg = NULL;
	int rc;

	if (cli->registry)
		return cli->registry;
	settings = cli_settings(cli);
	if (!settings)
		return NULL;
	rc = otto_registry_new(&reg, &err);
	if (rc == OTTO_OK)
		rc = otto_registry_configure(reg, settings, &err);
	if (rc == OTTO_OK)
		rc = build_search_path(cli, reg, settings, &err);
	/* The registry cache (docs/plugins.md): a run whose plugin files did
	 * not change inspects none of them. */
	if (rc == OTTO_OK)
		rc = otto_registry_set_cache(reg, cli->rescan ? OTTO_CACHE_REFRESH : OTTO_CACHE_USE, &err);
	if (rc == OTTO_OK)
		rc = otto_registry_scan(reg, &err);
	if (rc != OTTO_OK) {
		otto_registry_free(reg);
		cli_fail(&err);
		return NULL;
	}
	cli->registry = reg;
	return reg;
}

char *cli_user(otto_cli *cli)
{
	char *user = otto_current_user(cli->as_user);
	if (!user)
		fprintf(stderr,
			"otto: cannot tell who you are (no LOGNAME, USER, LNAME or USERNAME, and no passwd "
			"entry for uid %ld); pass --as-user USER\n",
			(long)getuid());
	return user;
}

const char *cli_user_source(const otto_cli *cli)
{
	static const char *const variables[] = {"LOGNAME", "USER", "LNAME", "USERNAME"};
	if (cli->as_user)
		return "--as-user";
	for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++) {
		const char *value = getenv(variables[i]);
		if (value && *value)
			return variables[i];
	}
	return "passwd";
}

int cli_open_lab(otto_cli *cli, otto_lab_repository **repo)
{
	otto_error err = {0};
	otto_settings *settings = cli_settings(cli);
	otto_registry *reg = settings ? cli_registry(cli) : NULL;
	if (!reg)
		return CLI_EXIT_USAGE;
	if (otto_lab_repository_open_from_settings(repo, reg, settings, &err) != OTTO_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

int cli_open_reservation(otto_cli *cli, otto_reservation_backend **backend)
{
	otto_error err = {0};
	otto_settings *settings = cli_settings(cli);
	otto_registry *reg = settings ? cli_registry(cli) : NULL;
	if (!reg)
		return CLI_EXIT_USAGE;
	if (otto_reservation_backend_open_from_settings(backend, reg, settings, &err) != OTTO_OK)
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

const char *cli_backend_label(otto_reservation_backend *backend)
{
	const char *name = otto_reservation_backend_name(backend);
	return name ? name : "?";
}

int cli_open_reservation_check(otto_cli *cli, const otto_lab *lab, const char *user,
			       otto_reservation_backend **backend, otto_check_result *check)
{
	otto_error err = {0};
	*backend = NULL;
	int code = cli_open_reservation(cli, backend);
	if (code != CLI_EXIT_OK)
		return code;
	if (otto_reservation_check(*backend, lab, user, check, &err) != OTTO_OK)
		return cli_fail(&err);
	cli_sort_names(&check->required);
	return CLI_EXIT_OK;
}

int cli_no_such_lab(otto_lab_repository *repo, const char *name)
{
	otto_strlist labs = {0};
	otto_error err = {0};
	if (otto_lab_repository_list_labs(repo, &labs, &err) == OTTO_OK) {
		cli_sort_names(&labs);
		char *joined = cli_join(labs.items, labs.count, ", ");
		cli_line(stderr, "otto: no lab named '%s' in lab backend '%s'. Available: %s.", name,
			 otto_lab_repository_name(repo), labs.count ? joined : "(none)");
		free(joined);
	} else {
		cli_line(stderr, "otto: no lab named '%s' in lab backend '%s'.", name, otto_lab_repository_name(repo));
	}
	otto_strlist_free(&labs);
	return CLI_EXIT_FAILED;
}

void cli_format_utc(char *buf, size_t size, int64_t t)
{
	struct tm tm;
	time_t seconds = (time_t)t;
	if (!gmtime_r(&seconds, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "@%lld", (long long)t);
}

int cli_close_lab(otto_lab_repository *repo, int code)
{
	otto_error err = {0};
	if (otto_lab_repository_close(repo, &err) != OTTO_OK && code == CLI_EXIT_OK)
		return cli_fail(&err);
	return code;
}

int cli_close_reservation(otto_reservation_backend *backend, int code)
{
	otto_error err = {0};
	if (otto_reservation_backend_close(backend, &err) != OTTO_OK && code == CLI_EXIT_OK)
		return cli_fail(&err);
	return code;
}

int cli_fail(const otto_error *err)
{
	const char *message = err && err->message[0] ? err->message : "unknown error";
	int code = err ? err->code : OTTO_ERROR;
	cli_line(stderr, "otto: %s", message);
	return otto_status_exit_code(code ? code : OTTO_ERROR);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	cli_linebuf line;
	cli_linebuf_open(&line);
	fprintf(line.f, "otto: %s: ", command);
	va_start(ap, fmt);
	vfprintf(line.f, fmt, ap);
	va_end(ap);
	fflush(line.f);
	/* "... Did you mean 'x'?" ends as it is. */
	if (line.size == 0 || line.text[line.size - 1] != '?')
		fputc('.', line.f);
	cli_linebuf_print(&line, stderr);
	fprintf(stderr, "Run 'otto %s --help' for usage.\n", command);
	return CLI_EXIT_USAGE;
}
