/*
 * Opening plugin files: by descriptor, once, checked against what the scan
 * saw (the file that is used is the file that was scanned), and loaded
 * through /proc/self/fd/N so that the loader maps that very file. In this
 * process (OTTO_ISOLATION_IN_PROCESS, and inside otto-worker) through the
 * RTLD_NOW pre-check and libltdl, behind one lock (libltdl is not
 * thread-safe and lt_dlerror is one process-wide string).
 */
#include "registry/registry_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t ltdl_mutex = PTHREAD_MUTEX_INITIALIZER;

void otto__ltdl_lock(void)
{
	pthread_mutex_lock(&ltdl_mutex);
}

void otto__ltdl_unlock(void)
{
	pthread_mutex_unlock(&ltdl_mutex);
}

int otto__plugin_open(const char *path, int *fd, otto__file_stamp *stamp, char *why, size_t why_size)
{
	*fd = -1;
	memset(stamp, 0, sizeof *stamp);
	/* O_NONBLOCK: a FIFO put where a plugin was must not stall us. */
	int f = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (f < 0) {
		snprintf(why, why_size, "cannot be opened: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(f, &st) != 0) {
		snprintf(why, why_size, "cannot be read: %s", strerror(errno));
		close(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "is not a regular file");
		close(f);
		return -1;
	}
	otto__stamp_from_stat(stamp, &st);
	*fd = f;
	return 0;
}

/* Replace every "/proc/self/fd/N" the loader put in `text` with `path`. */
static char *name_the_file(const char *text, const char *proc_path, const char *path)
{
	otto_buf b = {0};
	otto__buf_append(&b, "");
	size_t n = strlen(proc_path);
	for (const char *p = text; *p;) {
		const char *hit = strstr(p, proc_path);
		if (!hit) {
			otto__buf_append(&b, p);
			break;
		}
		otto__buf_appendn(&b, p, (size_t)(hit - p));
		otto__buf_append(&b, path);
		p = hit + n;
	}
	return otto__buf_take(&b);
}

void otto__inspect_fd(int fd, const char *path, otto__inspection *out, lt_dlhandle *module)
{
	memset(out, 0, sizeof *out);
	*module = NULL;
	char proc_path[64];
	snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
	struct stat via_proc, via_fd;
	if (stat(proc_path, &via_proc) != 0 || fstat(fd, &via_fd) != 0 || via_proc.st_ino != via_fd.st_ino ||
	    via_proc.st_dev != via_fd.st_dev) {
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED,
				      "cannot be loaded: %s does not lead to the opened file (is /proc mounted?)",
				      proc_path);
		return;
	}
	/* libltdl binds lazily and, on failure, reports "file not found" for a
	 * file that exists. The system loader with RTLD_NOW binds every symbol
	 * now (a missing function is a load error here, not a crash later) and
	 * says what really went wrong. */
	dlerror();
	void *precheck = dlopen(proc_path, RTLD_NOW | RTLD_LOCAL);
	if (!precheck) {
		const char *why = dlerror();
		char *named = name_the_file(why ? why : "unknown error", proc_path, path);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be loaded: %s", named);
		free(named);
		return;
	}
	lt_dlhandle handle = lt_dlopen(proc_path);
	/* libltdl's handle now holds its own reference to the same object. */
	dlclose(precheck);
	if (!handle) {
		const char *why = lt_dlerror();
		char *named = name_the_file(why ? why : "unknown error", proc_path, path);
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be loaded through libltdl: %s", named);
		free(named);
		return;
	}
	*module = handle;
	lt_dlerror();
	const otto_plugin_descriptor *desc = lt_dlsym(handle, OTTO_PLUGIN_SYMBOL);
	if (!desc) {
		otto__inspection_fail(out, OTTO_PLUGIN_NOT_A_PLUGIN,
				      "a shared object without the '" OTTO_PLUGIN_SYMBOL
				      "' symbol, so not an otto plugin");
		return;
	}
	otto__inspect_descriptor(desc, out);
}

/* ------------------------------------------------- the scanned provider -- */

static const otto__plugin_rec *provider(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	return name ? otto__registry_provider(reg, kind, name) : NULL;
}

int otto__registry_open_provider(otto_registry *reg, otto_backend_kind kind, const char *name, int *fd,
				 const char **path, otto_error *err)
{
	*fd = -1;
	*path = NULL;
	const otto__plugin_rec *rec = provider(reg, kind, name);
	if (!rec)
		return otto_registry_unknown_backend_error(reg, kind, name ? name : "", err);
	*path = rec->info.path;
	if (rec->builtin)
		return OTTO_OK;
	const char *kind_name = otto_backend_kind_name(kind);
	char why[512];
	otto__file_stamp now;
	int rc = OTTO_OK;
	char *shown = otto__text_escape(rec->info.path);
	if (otto__plugin_open(rec->info.path, fd, &now, why, sizeof why) != 0) {
		rc = otto_error_set(err, OTTO_EPLUGIN,
				    "%s backend '%s' (plugin %s) cannot be loaded: the file %s since it was scanned",
				    kind_name, name, shown, why);
	} else if (!rec->stamped || !otto__stamp_equal(&rec->stamp, &now)) {
		char *what = rec->stamped ? otto__stamp_difference(&rec->stamp, &now)
					  : otto__strdup("it was never scanned");
		rc = otto_error_set(err, OTTO_EPLUGIN,
				    "%s backend '%s' (plugin %s) was not loaded: the file changed after it was scanned "
				    "(%s); run the command again to use the new file",
				    kind_name, name, shown, what);
		free(what);
		close(*fd);
		*fd = -1;
	}
	free(shown);
	return rc;
}

/* ------------------------------------------------------ in this process -- */

static otto__loaded *find_loaded(otto_registry *reg, const char *path, const otto__file_stamp *stamp)
{
	for (size_t i = 0; i < reg->n_loaded; i++)
		if (strcmp(reg->loaded[i]->path, path) == 0 && otto__stamp_equal(&reg->loaded[i]->stamp, stamp))
			return reg->loaded[i];
	return NULL;
}

/* Open the provider's file for use in this process, once per registry and
 * file version (a failure is remembered too). Takes `fd`. */
static otto__loaded *load_file(otto_registry *reg, const otto__plugin_rec *rec, int fd)
{
	otto__ltdl_lock();
	otto__loaded *l = find_loaded(reg, rec->info.path, &rec->stamp);
	if (!l) {
		if (!reg->ltdl_initialized) {
			lt_dlinit();
			reg->ltdl_initialized = true;
		}
		l = otto__calloc(1, sizeof *l);
		l->path = otto__strdup(rec->info.path);
		l->stamp = rec->stamp;
		l->fd = fd;
		otto__inspect_fd(fd, rec->info.path, &l->insp, &l->module);
		reg->loaded = otto__realloc(reg->loaded, (reg->n_loaded + 1) * sizeof *reg->loaded);
		reg->loaded[reg->n_loaded++] = l;
	} else {
		close(fd);
	}
	otto__ltdl_unlock();
	return l;
}

static const otto__any_type *find_type(const otto__inspection *insp, otto_backend_kind kind, const char *name)
{
	if (insp->status != OTTO_PLUGIN_LOADED || !insp->types)
		return NULL;
	for (size_t i = 0; i < insp->n_backends; i++)
		if (insp->backends[i].kind == kind && strcmp(insp->backends[i].name, name) == 0)
			return &insp->types[i];
	return NULL;
}

static int registry_type(otto_registry *reg, otto_backend_kind kind, const char *name, const otto__any_type **type,
			 otto_error *err)
{
	*type = NULL;
	int fd;
	const char *path;
	int rc = otto__registry_open_provider(reg, kind, name, &fd, &path, err);
	if (rc != OTTO_OK)
		return rc;
	const otto__plugin_rec *rec = provider(reg, kind, name);
	const otto__inspection *insp = rec->builtin;
	if (!insp) {
		const otto__loaded *l = load_file(reg, rec, fd);
		insp = &l->insp;
	}
	if (insp->status != OTTO_PLUGIN_LOADED)
		return otto_error_set(err, OTTO_EPLUGIN,
				      "plugin %s providing %s backend '%s' loaded when scanned but fails now: %s",
				      rec->info.path, otto_backend_kind_name(kind), name, insp->detail);
	*type = find_type(insp, kind, name);
	if (!*type)
		return otto_error_set(err, OTTO_EPLUGIN,
				      "plugin %s registered %s backend '%s' when scanned but no longer does",
				      rec->info.path, otto_backend_kind_name(kind), name);
	return OTTO_OK;
}

bool otto__registry_is_builtin(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	const otto__plugin_rec *rec = provider(reg, kind, name);
	return rec && rec->builtin;
}

const char *otto__registry_plugin_path(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	const otto__plugin_rec *rec = provider(reg, kind, name);
	return rec ? rec->info.path : NULL;
}

/* The type struct a loaded plugin registered under `name` (tests reach it
 * through otto_internal). */
int otto__registry_lab_type(otto_registry *reg, const char *name, const otto_lab_repository_type **type,
			    otto_error *err)
{
	const otto__any_type *any;
	int rc = registry_type(reg, OTTO_KIND_LAB, name, &any, err);
	*type = any ? &any->lab : NULL;
	return rc;
}

int otto__registry_reservation_type(otto_registry *reg, const char *name, const otto_reservation_backend_type **type,
				    otto_error *err)
{
	const otto__any_type *any;
	int rc = registry_type(reg, OTTO_KIND_RESERVATION, name, &any, err);
	*type = any ? &any->reservation : NULL;
	return rc;
}

int otto__registry_lock_store_type(otto_registry *reg, const char *name, const otto_lock_store_type **type,
				   otto_error *err)
{
	const otto__any_type *any;
	int rc = registry_type(reg, OTTO_KIND_LOCK_STORE, name, &any, err);
	*type = any ? &any->lock_store : NULL;
	return rc;
}
