/*
 * Opening plugin files in this process: the RTLD_NOW pre-check, libltdl
 * (behind one lock: it is not thread-safe and lt_dlerror is one
 * process-wide string), and handing backend types to the backend wrappers.
 */
#include "registry/registry_int.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t ltdl_mutex = PTHREAD_MUTEX_INITIALIZER;

void otto__ltdl_lock(void)
{
	pthread_mutex_lock(&ltdl_mutex);
}

void otto__ltdl_unlock(void)
{
	pthread_mutex_unlock(&ltdl_mutex);
}

void otto__inspect_file(const char *path, otto__inspection *out, lt_dlhandle *module)
{
	memset(out, 0, sizeof *out);
	*module = NULL;
	/* libltdl binds lazily and, on failure, reports "file not found" for a
	 * file that exists. The system loader with RTLD_NOW binds every symbol
	 * now (a missing function is a load error here, not a crash later) and
	 * says what really went wrong. */
	dlerror();
	void *precheck = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!precheck) {
		const char *why = dlerror();
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be loaded: %s", why ? why : "unknown error");
		return;
	}
	lt_dlhandle handle = lt_dlopen(path);
	/* libltdl's handle now holds its own reference to the same object. */
	dlclose(precheck);
	if (!handle) {
		const char *why = lt_dlerror();
		otto__inspection_fail(out, OTTO_PLUGIN_FAILED, "cannot be loaded through libltdl: %s",
				      why ? why : "unknown error");
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

static otto__loaded *find_loaded(otto_registry *reg, const char *path)
{
	for (size_t i = 0; i < reg->n_loaded; i++)
		if (strcmp(reg->loaded[i]->path, path) == 0)
			return reg->loaded[i];
	return NULL;
}

/* Open `path` for use, once per registry (a failure is remembered too). */
static otto__loaded *load_file(otto_registry *reg, const char *path)
{
	otto__ltdl_lock();
	otto__loaded *l = find_loaded(reg, path);
	if (!l) {
		if (!reg->ltdl_initialized) {
			lt_dlinit();
			reg->ltdl_initialized = true;
		}
		l = otto__calloc(1, sizeof *l);
		l->path = otto__strdup(path);
		otto__inspect_file(path, &l->insp, &l->module);
		reg->loaded = otto__realloc(reg->loaded, (reg->n_loaded + 1) * sizeof *reg->loaded);
		reg->loaded[reg->n_loaded++] = l;
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
	const otto__plugin_rec *rec = name ? otto__registry_provider(reg, kind, name) : NULL;
	if (!rec)
		return otto_registry_unknown_backend_error(reg, kind, name ? name : "", err);
	const otto__inspection *insp = rec->builtin;
	if (!insp) {
		const otto__loaded *l = load_file(reg, rec->info.path);
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

const char *otto__registry_plugin_path(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	const otto__plugin_rec *rec = otto__registry_provider(reg, kind, name);
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
