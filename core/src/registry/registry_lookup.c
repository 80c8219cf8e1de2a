/*
 * Lookups in a scanned registry: its plugins, the backend that a name
 * finds, the names of a kind, a "did you mean" suggestion, and the error
 * for an unknown backend that says why a name is missing (a plugin refused
 * by the trust checks, one that failed to load, the places searched).
 */
#include "registry/registry_int.h"

#include <stdlib.h>
#include <string.h>

OTTO_API size_t otto_registry_plugin_count(const otto_registry *reg)
{
	return reg ? reg->n_plugins : 0;
}

OTTO_API const otto_plugin_info *otto_registry_plugin(const otto_registry *reg, size_t i)
{
	return reg && i < reg->n_plugins ? &reg->plugins[i].info : NULL;
}

OTTO_API const otto_backend_info *otto_registry_find(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	const otto__plugin_rec *rec = otto__registry_provider(reg, kind, name);
	for (size_t j = 0; rec && j < rec->info.n_backends; j++)
		if (rec->backends[j].kind == kind && strcmp(rec->backends[j].name, name) == 0)
			return &rec->backends[j];
	return NULL;
}

OTTO_API int otto_registry_names(const otto_registry *reg, otto_backend_kind kind, otto_strlist *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; reg && i < reg->n_plugins; i++)
		for (size_t j = 0; j < reg->plugins[i].info.n_backends; j++) {
			const otto_backend_info *b = &reg->plugins[i].backends[j];
			if (b->kind == kind && !b->shadowed_by)
				otto__strlist_push(out, b->name);
		}
	otto__strlist_sort_unique(out);
	return OTTO_OK;
}

OTTO_API const char *otto_registry_suggest(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	if (!reg || !name)
		return NULL;
	size_t limit = strlen(name) / 3;
	if (limit < 2)
		limit = 2;
	const char *best = NULL;
	size_t best_distance = limit + 1;
	for (size_t i = 0; i < reg->n_plugins; i++)
		for (size_t j = 0; j < reg->plugins[i].info.n_backends; j++) {
			const otto_backend_info *b = &reg->plugins[i].backends[j];
			if (b->kind != kind || b->shadowed_by)
				continue;
			size_t d = otto__edit_distance(name, b->name);
			/* Ties go to the alphabetically first name, so the
			 * answer does not depend on search order. */
			if (d < best_distance || (d == best_distance && best && strcmp(b->name, best) < 0)) {
				best = b->name;
				best_distance = d;
			}
		}
	return best;
}

/* A refused file was never opened, so nobody knows what it registers: the
 * name asked for may be one of its backends. Say so, naming the file whose
 * name matches first. */
static void refused_note(const otto_registry *reg, const char *name, otto_buf *b)
{
	const otto__plugin_rec *match = NULL;
	size_t refused = 0;
	for (size_t i = 0; i < reg->n_plugins; i++) {
		const otto__plugin_rec *rec = &reg->plugins[i];
		if (rec->info.status != OTTO_PLUGIN_REFUSED)
			continue;
		refused++;
		const char *base = strrchr(rec->info.path, '/');
		base = base ? base + 1 : rec->info.path;
		size_t n = name ? strlen(name) : 0;
		if (!match || (n && strncmp(base, name, n) == 0 && strcmp(base + n, ".so") == 0))
			match = rec;
	}
	if (!refused)
		return;
	otto__buf_printf(b, " %zu plugin file%s refused as untrusted, and '%s' may be one of %s backends: %s, %s",
			 refused, refused == 1 ? " was" : "s were", name ? name : "", refused == 1 ? "its" : "their",
			 match->info.path, match->info.detail);
	if (refused > 1)
		otto__buf_printf(b, " (and %zu more: see otto plugins)", refused - 1);
}

/* Whether the file of `rec` looks like the provider of `name`: its
 * descriptor's plugin name (read as data, even when its ABI did not
 * match) or its file name (name.so) is the name. */
static bool may_provide(const otto__plugin_rec *rec, const char *name)
{
	if (!name || !*name)
		return false;
	if (rec->info.plugin_name && strcmp(rec->info.plugin_name, name) == 0)
		return true;
	const char *base = strrchr(rec->info.path, '/');
	base = base ? base + 1 : rec->info.path;
	size_t n = strlen(name);
	return strncmp(base, name, n) == 0 && strcmp(base + n, ".so") == 0;
}

/* A plugin file that failed (crashed, hung, another ABI, a load error)
 * registered nothing anybody knows of: the name asked for may be one of
 * its backends. Name the likeliest such file, why it failed, and where to
 * read more. */
static void failed_note(const otto_registry *reg, const char *name, otto_buf *b)
{
	const otto__plugin_rec *match = NULL;
	size_t failed = 0;
	for (size_t i = 0; i < reg->n_plugins; i++) {
		const otto__plugin_rec *rec = &reg->plugins[i];
		if (rec->info.status != OTTO_PLUGIN_FAILED && rec->info.status != OTTO_PLUGIN_ABI_MISMATCH)
			continue;
		failed++;
		if (!match || (!may_provide(match, name) && may_provide(rec, name)))
			match = rec;
	}
	if (!failed)
		return;
	char *path = otto__text_escape(match->info.path);
	char *detail = otto__text_escape(match->info.detail ? match->info.detail : "no reason given");
	char *plugin = match->info.plugin_name ? otto__text_escape(match->info.plugin_name) : NULL;
	otto__buf_printf(b, " %zu plugin file%s failed to load, and '%s' may be one of %s backends: %s", failed,
			 failed == 1 ? "" : "s", name ? name : "", failed == 1 ? "its" : "their", path);
	if (plugin)
		otto__buf_printf(b, " (plugin '%s')", plugin);
	otto__buf_printf(b, " failed: %s", detail);
	if (failed > 1)
		otto__buf_printf(b, " (and %zu more: see otto plugins)", failed - 1);
	otto__buf_printf(b, "; for the details, run otto plugins inspect %s", path);
	free(plugin);
	free(detail);
	free(path);
}

OTTO_API int otto_registry_unknown_backend_error(const otto_registry *reg, otto_backend_kind kind, const char *name,
						 otto_error *err)
{
	const char *kind_name = otto_backend_kind_name(kind);
	for (size_t i = 0; reg && name && i < reg->n_plugins; i++) {
		const otto__plugin_rec *rec = &reg->plugins[i];
		for (size_t j = 0; j < rec->n_refused; j++)
			if (rec->refused[j].kind == kind && strcmp(rec->refused[j].name, name) == 0) {
				char *path = otto__text_escape(rec->info.path);
				char *detail = otto__text_escape(rec->info.detail ? rec->info.detail : "no reason given");
				otto_error_set(err, OTTO_ENOBACKEND,
					       "%s backend '%s' is registered only by %s, which failed when it was scanned: "
					       "%s; for the details, run otto plugins inspect %s",
					       kind_name, name, path, detail, path);
				free(path);
				free(detail);
				return OTTO_ENOBACKEND;
			}
	}
	otto_buf b = {0};
	otto__buf_printf(&b, "no %s backend named '%s'.", kind_name, name ? name : "");
	otto_strlist names = {0};
	otto_registry_names(reg, kind, &names);
	const char *closest = otto_registry_suggest(reg, kind, name);
	if (closest)
		otto__buf_printf(&b, " Did you mean '%s'?", closest);
	if (names.count) {
		otto__buf_append(&b, " Available:");
		for (size_t i = 0; i < names.count; i++)
			otto__buf_printf(&b, "%s %s", i ? "," : "", names.items[i]);
		otto__buf_append(&b, ".");
	} else {
		otto__buf_printf(&b, " No %s backends are available", kind_name);
		size_t n = otto_registry_dir_count(reg);
		if (n == 0)
			otto__buf_append(&b, " (no plugin folder was searched).");
		for (size_t i = 0; i < n; i++)
			otto__buf_printf(&b, "%s%s", i ? ", " : " (searched: ", otto_registry_dir(reg, i));
		if (n)
			otto__buf_append(&b, ").");
	}
	otto_strlist_free(&names);
	refused_note(reg, name, &b);
	failed_note(reg, name, &b);
	char *msg = otto__buf_take(&b);
	otto_error_set(err, OTTO_ENOBACKEND, "%s", msg);
	free(msg);
	return OTTO_ENOBACKEND;
}
