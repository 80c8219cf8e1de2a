/*
 * A plugin that says when it is loaded: its constructor appends its name
 * and a newline to the file named by $OTTO_TEST_SCAN_LOG (when set). A
 * scan loads every file it inspects, and using a backend loads its file,
 * so the log tells the cache tests which files a command really opened.
 *
 * MARKER_NAME names its one lab backend (and the plugin); with
 * MARKER_CRASH, registering crashes instead (a failed file the cache must
 * remember until the file changes); with MARKER_DTOR_CRASH, it registers
 * fine but crashes when it is unloaded (after the worker answered for it).
 */
#include <otto/plugin.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void say_loaded(void)
{
	const char *log = getenv("OTTO_TEST_SCAN_LOG");
	if (!log || !*log)
		return;
	int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	const char line[] = MARKER_NAME "\n";
	ssize_t w = write(fd, line, sizeof line - 1);
	(void)w;
	close(fd);
}

#ifdef MARKER_DTOR_CRASH
__attribute__((destructor)) static void crash_at_unload(void)
{
	raise(SIGSEGV);
}
#endif

static int m_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	*self = NULL;
	return OTTO_OK;
}

static void m_destroy(void *self)
{
	(void)self;
}

static int m_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	return otto_string_out_add(out, "lab-of-" MARKER_NAME, err);
}

static int m_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out, otto_error *err)
{
	(void)self;
	(void)preferences;
	(void)out;
	return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
}

static int m_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	(void)self;
	(void)out;
	(void)err;
	return OTTO_OK;
}

/* Declared settings keys (ABI 1.2): what `otto plugins inspect` shows,
 * from the scan or the cache. */
static const otto_setting_decl marker_keys[] = {
	{"lab", OTTO_VALUE_STRING, OTTO_SETTING_REQUIRED, "the lab to serve"},
	{"verbose", OTTO_VALUE_BOOLEAN, 0, NULL},
	{NULL, 0, 0, NULL},
};

static const otto_lab_repository_type marker_type = {
    .struct_size = sizeof(otto_lab_repository_type),
    .name = MARKER_NAME,
    .description = "says when it is loaded",
    .create = m_create,
    .destroy = m_destroy,
    .list_labs = m_list_labs,
    .load_lab = m_load_lab,
    .list_host_summaries = m_summaries,
    .settings_keys = marker_keys,
};

static int register_marker(otto_registrar *reg, otto_error *err)
{
#ifdef MARKER_CRASH
	raise(SIGSEGV);
#endif
	return otto_register_lab_repository(reg, &marker_type, err);
}

OTTO_PLUGIN_DEFINE(MARKER_NAME, "1.0.0", "says when it is loaded", register_marker);
