/*
 * The registry: where to look, what a scan found (built-ins first, then
 * files in search order) and which registration of a name wins. Lookups
 * by name and the errors for an unknown backend are in registry_lookup.c,
 * how plugin calls run (isolation, time limits) in registry_configure.c.
 */
#include "registry/registry_int.h"
#include "cache/cache.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- records -- */

static void rec_free(otto__plugin_rec *rec)
{
	if (!rec->borrowed) {
		free((char *)rec->info.path);
		if (rec->info.detail != rec->dup_detail)
			free((char *)rec->info.detail);
		free((char *)rec->info.plugin_name);
		free((char *)rec->info.plugin_version);
	}
	for (size_t i = 0; !rec->borrowed && i < rec->info.n_backends; i++) {
		free((char *)rec->backends[i].name);
		free((char *)rec->backends[i].description);
		for (size_t k = 0; k < rec->backends[i].n_settings_keys; k++) {
			free((char *)rec->backends[i].settings_keys[k].key);
			free((char *)rec->backends[i].settings_keys[k].description);
		}
		free((void *)rec->backends[i].settings_keys);
	}
	free(rec->backends);
	free(rec->dup_detail);
	for (size_t i = 0; i < rec->n_refused; i++) {
		free(rec->refused[i].name);
		free(rec->refused[i].description);
	}
	free(rec->refused);
}

static void clear_plugins(otto_registry *reg)
{
	for (size_t i = 0; i < reg->n_plugins; i++)
		rec_free(&reg->plugins[i]);
	free(reg->plugins);
	reg->plugins = NULL;
	reg->n_plugins = 0;
	/* After the records that borrowed from it. */
	otto__cache_free(reg->cache);
	reg->cache = NULL;
}

/* A string of a record: the inspection's own when it is borrowed (it
 * lives as long as the cache), else a copy. */
static char *rec_str(const otto__inspection *insp, const char *s)
{
	return insp->borrowed ? (char *)s : otto__strdup(s);
}

/* Append a record made from an inspection (its strings are copied, or
 * borrowed with it). `path` must live as long as the cache when the
 * inspection is borrowed. */
static void add_rec(otto_registry *reg, const char *path, const otto__inspection *insp, const otto__inspection *builtin,
		    const otto__file_stamp *stamp)
{
	/* Grown in powers of two: a thousand records, not a thousand copies. */
	size_t n = reg->n_plugins;
	if ((n & (n - 1)) == 0)
		reg->plugins = otto__realloc(reg->plugins, (n ? n * 2 : 1) * sizeof *reg->plugins);
	otto__plugin_rec *rec = &reg->plugins[reg->n_plugins++];
	memset(rec, 0, sizeof *rec);
	rec->builtin = builtin;
	rec->borrowed = insp->borrowed;
	if (stamp) {
		rec->stamp = *stamp;
		rec->stamped = true;
	}
	rec->info.path = rec_str(insp, path);
	rec->info.status = insp->status;
	rec->info.detail = rec_str(insp, insp->detail);
	rec->info.plugin_name = rec_str(insp, insp->plugin_name);
	rec->info.plugin_version = rec_str(insp, insp->plugin_version);
	rec->info.abi_major = insp->abi_major;
	rec->info.abi_minor = insp->abi_minor;
	if (insp->status == OTTO_PLUGIN_LOADED && insp->n_backends) {
		rec->backends = otto__calloc(insp->n_backends, sizeof *rec->backends);
		for (size_t i = 0; i < insp->n_backends; i++) {
			otto_backend_info *b = &rec->backends[i];
			const otto__backend_entry *from = &insp->backends[i];
			b->kind = from->kind;
			b->name = rec_str(insp, from->name);
			b->description = rec_str(insp, from->description);
			b->capabilities = from->caps;
			if (insp->borrowed) {
				b->settings_keys = from->keys;
			} else {
				otto_setting_decl *keys = otto__calloc(from->n_keys + 1, sizeof *keys);
				for (size_t k = 0; k < from->n_keys; k++) {
					keys[k] = from->keys[k];
					keys[k].key = otto__strdup(keys[k].key);
					keys[k].description = otto__strdup(keys[k].description);
				}
				b->settings_keys = keys;
			}
			b->n_settings_keys = from->n_keys;
			/* Pointers into the record's own strings, which never move. */
			b->plugin_name = rec->info.plugin_name;
			b->plugin_version = rec->info.plugin_version;
			b->path = rec->info.path;
		}
		rec->info.n_backends = insp->n_backends;
	} else if (insp->n_backends) {
		rec->refused = otto__calloc(insp->n_backends, sizeof *rec->refused);
		for (size_t i = 0; i < insp->n_backends; i++) {
			rec->refused[i].kind = insp->backends[i].kind;
			rec->refused[i].name = otto__strdup(insp->backends[i].name);
		}
		rec->n_refused = insp->n_backends;
	}
	rec->info.backends = rec->backends;
}

/* ----------------------------------------------------------- lifecycle -- */

OTTO_API int otto_registry_new(otto_registry **out, otto_error *err)
{
	*out = NULL;
	otto_registry *reg = otto__calloc(1, sizeof *reg);
	reg->isolation = OTTO_ISOLATION_WORKER;
	reg->call_timeout_ms = OTTO_CALL_TIMEOUT_DEFAULT * 1000u;
	size_t n = 0;
	while (otto__builtin_plugins[n])
		n++;
	reg->builtins = otto__calloc(n, sizeof *reg->builtins);
	reg->n_builtins = n;
	for (size_t i = 0; i < n; i++)
		otto__inspect_descriptor(otto__builtin_plugins[i], &reg->builtins[i]);
	/* Until a scan, the registry holds the built-ins alone. */
	int rc = otto_registry_scan(reg, err);
	if (rc != OTTO_OK) {
		otto_registry_free(reg);
		return rc;
	}
	*out = reg;
	return OTTO_OK;
}

OTTO_API void otto_registry_free(otto_registry *reg)
{
	if (!reg)
		return;
	clear_plugins(reg);
	otto__ltdl_lock();
	for (size_t i = 0; i < reg->n_loaded; i++) {
		otto__loaded *l = reg->loaded[i];
		if (l->module)
			lt_dlclose(l->module);
		if (l->fd >= 0)
			close(l->fd);
		otto__inspection_free(&l->insp);
		free(l->path);
		free(l);
	}
	if (reg->ltdl_initialized)
		lt_dlexit();
	otto__ltdl_unlock();
	free(reg->loaded);
	for (size_t i = 0; i < reg->n_builtins; i++)
		otto__inspection_free(&reg->builtins[i]);
	free(reg->builtins);
	for (size_t i = 0; i < reg->n_sources; i++)
		free(reg->sources[i].path);
	free(reg->sources);
	otto_strlist_free(&reg->dirs);
	free(reg->untrusted_by);
	free(reg);
}

/* ----------------------------------------------------------- search order -- */

static void add_source(otto_registry *reg, const char *path, bool is_file)
{
	reg->sources = otto__realloc(reg->sources, (reg->n_sources + 1) * sizeof *reg->sources);
	reg->sources[reg->n_sources].path = otto__strdup(path);
	reg->sources[reg->n_sources].is_file = is_file;
	reg->n_sources++;
	if (!is_file)
		otto__strlist_push(&reg->dirs, path);
}

OTTO_API int otto_registry_add_dir(otto_registry *reg, const char *dir, otto_error *err)
{
	if (!reg || !dir || !*dir)
		return otto_error_set(err, OTTO_EINVALID, "a plugin folder must be a non-empty path");
	add_source(reg, dir, false);
	return OTTO_OK;
}

OTTO_API int otto_registry_add_path_list(otto_registry *reg, const char *list, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to add plugin folders to");
	for (const char *p = list; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		if (n > 0) {
			char *dir = otto__strndup(p, n);
			add_source(reg, dir, false);
			free(dir);
		}
		p += n + (colon ? 1 : 0);
	}
	return OTTO_OK;
}

/* The shipped plugins sit in libotto's private folder, <libdir>/otto/plugins,
 * found from where libotto itself was loaded: the same for the otto
 * command, otto-conformance and any program that embeds libotto, in the
 * build tree and in any install tree (a prefix, a .deb, a copied tree). No
 * absolute folder is compiled in, so nothing outside the tree is searched. */
OTTO_API int otto_registry_add_default_dirs(otto_registry *reg, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to add plugin folders to");
	char *dir = otto__self_private_path("plugins");
	if (!dir)
		return otto_error_set(err, OTTO_EIO,
				      "cannot find the installed plugin folder: the loader does not say where libotto is");
	add_source(reg, dir, false);
	free(dir);
	return OTTO_OK;
}

OTTO_API int otto_registry_add_file(otto_registry *reg, const char *path, otto_error *err)
{
	if (!reg || !path || !*path)
		return otto_error_set(err, OTTO_EINVALID, "a plugin file must be a non-empty path");
	struct stat st;
	if (stat(path, &st) != 0)
		return otto_error_set(err, OTTO_EIO, "plugin file %s does not exist", path);
	if (!S_ISREG(st.st_mode))
		return otto_error_set(err, OTTO_EIO, "plugin file %s is not a regular file", path);
	/* A bare name would make the loaders search their library path. */
	char *explicit_path = strchr(path, '/') ? otto__strdup(path) : otto__asprintf("./%s", path);
	add_source(reg, explicit_path, true);
	free(explicit_path);
	return OTTO_OK;
}

OTTO_API size_t otto_registry_dir_count(const otto_registry *reg)
{
	return reg ? reg->dirs.count : 0;
}

OTTO_API const char *otto_registry_dir(const otto_registry *reg, size_t i)
{
	return reg && i < reg->dirs.count ? reg->dirs.items[i] : NULL;
}

/* ----------------------------------------------------------------- scan -- */

const otto__plugin_rec *otto__registry_provider(const otto_registry *reg, otto_backend_kind kind, const char *name)
{
	for (size_t i = 0; reg && name && i < reg->n_plugins; i++) {
		const otto__plugin_rec *rec = &reg->plugins[i];
		for (size_t j = 0; j < rec->info.n_backends; j++) {
			const otto_backend_info *b = &rec->backends[j];
			if (b->kind == kind && !b->shadowed_by && strcmp(b->name, name) == 0)
				return rec;
		}
	}
	return NULL;
}

/* "lab backend 'x' and reservation backend 'y' of B are already provided by
 * A (the first file in search order wins)". */
static char *duplicate_detail(const otto__plugin_rec *rec)
{
	otto_buf b = {0};
	otto_strlist winners = {0};
	for (size_t i = 0; i < rec->info.n_backends; i++) {
		const otto_backend_info *bi = &rec->backends[i];
		if (i > 0)
			otto__buf_append(&b, i + 1 == rec->info.n_backends ? " and " : ", ");
		otto__buf_printf(&b, "%s backend '%s'", otto_backend_kind_name(bi->kind), bi->name);
		if (otto_strlist_index(&winners, bi->shadowed_by) < 0)
			otto__strlist_push(&winners, bi->shadowed_by);
	}
	otto__buf_printf(&b, " of %s %s already provided by ", rec->info.path,
			 rec->info.n_backends == 1 ? "is" : "are");
	for (size_t i = 0; i < winners.count; i++)
		otto__buf_printf(&b, "%s%s", i == 0 ? "" : (i + 1 == winners.count ? " and " : ", "), winners.items[i]);
	otto__buf_append(&b, " (the first file in search order wins)");
	otto_strlist_free(&winners);
	return otto__buf_take(&b);
}

/* The first registration of a (kind, name) in search order wins. One pass
 * in search order with a table of the names seen (a thousand plugins must
 * not cost a million comparisons on every run). */
static uint64_t name_hash(otto_backend_kind kind, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)kind;
	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 0x100000001b3ull;
	}
	return h;
}

static void resolve_duplicates(otto_registry *reg)
{
	size_t total = 0;
	for (size_t i = 0; i < reg->n_plugins; i++)
		total += reg->plugins[i].info.n_backends;
	size_t n_slots = 16;
	while (n_slots < total * 2)
		n_slots *= 2;
	const otto_backend_info **slots = otto__calloc(n_slots, sizeof *slots);
	const otto__plugin_rec **owners = otto__calloc(n_slots, sizeof *owners);
	for (size_t i = 0; i < reg->n_plugins; i++) {
		otto__plugin_rec *rec = &reg->plugins[i];
		size_t shadowed = 0;
		for (size_t j = 0; j < rec->info.n_backends; j++) {
			otto_backend_info *b = &rec->backends[j];
			size_t k = (size_t)name_hash(b->kind, b->name) & (n_slots - 1);
			while (slots[k] && (slots[k]->kind != b->kind || strcmp(slots[k]->name, b->name) != 0))
				k = (k + 1) & (n_slots - 1);
			if (!slots[k]) {
				slots[k] = b;
				owners[k] = rec;
			} else if (owners[k] != rec) {
				b->shadowed_by = owners[k]->info.path;
				shadowed++;
			}
		}
		if (rec->info.n_backends > 0 && shadowed == rec->info.n_backends) {
			rec->info.status = OTTO_PLUGIN_DUPLICATE;
			rec->dup_detail = duplicate_detail(rec);
			rec->info.detail = rec->dup_detail;
		}
	}
	free(slots);
	free(owners);
}

/* A result the cache may keep: what the file itself does, never what
 * happened to this run (refusal, a file that could not be opened, a worker
 * that could not be started or broke the protocol). */
static bool worth_keeping(const otto__scan_file *f)
{
	return f->fd >= 0 && !f->cached && !f->insp.transient && f->insp.status != OTTO_PLUGIN_REFUSED &&
	       f->insp.status != OTTO_PLUGIN_DUPLICATE;
}

static bool cache_knows(void *ud, const char *path, const struct stat *st)
{
	otto__cache_key key;
	otto__cache_key_from_stat(&key, st);
	return ud && otto__cache_knows(ud, path, &key);
}

/* The cached result for an unrefused file, when its key matches (`st`:
 * the file as discovery found it a moment ago). */
static bool from_cache(otto__cache *cache, otto__scan_file *f, const struct stat *st)
{
	if (!cache)
		return false;
	otto__cache_key key;
	otto__cache_key_from_stat(&key, st);
	/* The record will borrow the cache's strings, the path included. */
	if (!otto__cache_lookup(cache, f->path, &key, &f->insp, &f->path))
		return false;
	f->stamp = key.stamp;
	f->stamped = f->cached = true;
	return true;
}

OTTO_API int otto_registry_scan(otto_registry *reg, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to scan");
	clear_plugins(reg);
	for (size_t i = 0; i < reg->n_builtins; i++)
		add_rec(reg, OTTO__BUILTIN_PATH, &reg->builtins[i], &reg->builtins[i], NULL);

	otto__cache *cache = NULL;
	if (reg->n_sources > 0 && reg->cache_mode != OTTO_CACHE_OFF && !otto__registry_trust_overridden(reg))
		cache = otto__cache_open(reg->cache_mode == OTTO_CACHE_USE);
	otto__discovery found = {.known = cache_knows, .known_ud = cache};
	otto__registry_discover(reg, &found);
	otto_strlist files = found.files, refusals = found.refusals;
	otto__scan_file *scan = otto__calloc(files.count + 1, sizeof *scan);
	for (size_t i = 0; i < files.count; i++) {
		scan[i].path = files.items[i];
		scan[i].fd = -1;
		if (refusals.items[i]) {
			/* Never opened (nor looked up): loading it would run code
			 * someone else wrote. */
			otto__inspection_fail(&scan[i].insp, OTTO_PLUGIN_REFUSED, "%s", refusals.items[i]);
			continue;
		}
		if (from_cache(cache, &scan[i], &found.stats[i]))
			continue;
		/* Opened once: the worker inspects this descriptor, and what is
		 * used later must be the file this stamp describes. */
		char why[512];
		if (otto__plugin_open(files.items[i], &scan[i].fd, &scan[i].stamp, why, sizeof why) != 0) {
			otto__inspection_fail(&scan[i].insp, OTTO_PLUGIN_FAILED, "%s", why);
			continue;
		}
		scan[i].stamped = true;
		struct stat st;
		if (fstat(scan[i].fd, &st) == 0)
			scan[i].ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	}
	otto__inspect_files_isolated(scan, files.count, otto__scan_timeout());
	for (size_t i = 0; i < files.count; i++) {
		if (cache && worth_keeping(&scan[i])) {
			otto__cache_key key = {scan[i].stamp, scan[i].ctime_ns};
			otto__cache_put(cache, files.items[i], &key, &scan[i].insp);
		}
		add_rec(reg, scan[i].path, &scan[i].insp, NULL, scan[i].stamped ? &scan[i].stamp : NULL);
		otto__inspection_free(&scan[i].insp);
		if (scan[i].fd >= 0)
			close(scan[i].fd);
	}
	otto__cache_save(cache);
	reg->cache = cache; /* the records made from it borrow from it */
	free(scan);
	otto__discovery_free(&found);
	resolve_duplicates(reg);
	return OTTO_OK;
}

OTTO_API int otto_registry_set_cache(otto_registry *reg, otto_cache_mode mode, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to set the cache of");
	if (mode != OTTO_CACHE_OFF && mode != OTTO_CACHE_USE && mode != OTTO_CACHE_REFRESH)
		return otto_error_set(err, OTTO_EINVALID,
				      "unknown cache mode %d (OTTO_CACHE_OFF, OTTO_CACHE_USE or OTTO_CACHE_REFRESH)",
				      (int)mode);
	reg->cache_mode = mode;
	return OTTO_OK;
}
