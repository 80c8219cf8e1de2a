/*
 * What a lab repository, a reservation backend and a plugin's lock store
 * have in common: which plugin instance they wrap (in process, or in a
 * worker behind a proxy type), under which name, and how that instance
 * ends. Each embeds one otto__backend_handle; only its plugin type differs.
 */
#include "backends/backends.h"
#include "registry/registry.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* The kind as errors name it ("<kind> backend '<name>'"). */
static const char *kind_word(otto_backend_kind kind)
{
	return kind == OTTO_KIND_LAB ? "lab" : kind == OTTO_KIND_LOCK_STORE ? "lock store" : "reservation";
}

/* The settings table its config comes from ("<table>.<name>"). */
static const char *kind_table(otto_backend_kind kind)
{
	return kind == OTTO_KIND_LAB ? "lab" : kind == OTTO_KIND_LOCK_STORE ? "locks" : "reservations";
}

int otto__backend_handle_check(otto_registry *reg, otto_backend_kind kind, const char *name,
			       const otto_config *config, otto_error *err)
{
	if (!reg || !name)
		return otto_error_set(err, OTTO_EINVALID, "opening a %s backend needs a registry and a name",
				      kind_word(kind));
	return otto__config_check_declared(reg, kind, name, config, err);
}

bool otto__backend_handle_in_worker(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	return otto__registry_isolation(reg) == OTTO_ISOLATION_WORKER && otto_registry_find(reg, kind, name) &&
	       !otto__registry_is_builtin(reg, kind, name);
}

static void fill(otto__backend_handle *h, otto_backend_kind kind, void *self, otto__remote *remote, const char *name,
		 const char *plugin_path)
{
	memset(h, 0, sizeof *h);
	h->kind = kind_word(kind);
	h->self = self;
	h->remote = remote;
	h->name = otto__strdup(name);
	h->plugin_path = otto__strdup(plugin_path);
}

int otto__backend_handle_open_remote(otto__backend_handle *h, otto_registry *reg, otto_backend_kind kind,
				     const char *name, const otto_config *config, otto_error *err)
{
	memset(h, 0, sizeof *h);
	otto__remote *remote = NULL;
	int rc = otto__remote_open(&remote, reg, kind, name, config, err);
	if (rc != OTTO_OK)
		return rc;
	fill(h, kind, remote, remote, name, otto__registry_plugin_path(reg, kind, name));
	return OTTO_OK;
}

int otto__backend_handle_create(otto__backend_handle *h, otto_backend_kind kind, const char *name,
				const char *plugin_path, otto__create_fn create, const otto_config *config,
				otto_error *err)
{
	memset(h, 0, sizeof *h);
	if (!create)
		return otto_error_set(err, OTTO_EPLUGIN, "%s backend '%s' does not provide create", kind_word(kind),
				      name);
	void *self = NULL;
	int rc = otto__backend_create(kind_word(kind), kind_table(kind), name,
				      plugin_path, create, config, &self, err);
	if (rc != OTTO_OK)
		return rc;
	fill(h, kind, self, NULL, name, plugin_path);
	return OTTO_OK;
}

void otto__backend_handle_adopt(otto__backend_handle *h, otto_backend_kind kind, void *self, const char *name)
{
	fill(h, kind, self, NULL, name, NULL);
}

int otto__backend_handle_close(otto__backend_handle *h, void (*destroy)(void *self), otto_error *err)
{
	int rc = OTTO_OK;
	if (h->remote) {
		rc = otto__remote_close(h->remote, err);
	} else if (destroy) {
		otto__call_mark mark;
		otto__call_mark_begin(&mark, h->kind, h->name, h->plugin_path, "destroy");
		destroy(h->self);
		otto__call_mark_end(&mark);
	}
	free(h->name);
	free(h->plugin_path);
	memset(h, 0, sizeof *h);
	return rc;
}
