#include "config.h"

#include <stdlib.h>

static const char *table(const otto_config *cfg, const char *fallback)
{
	return cfg && cfg->section ? cfg->section : fallback;
}

int json_config_lab_paths(const otto_config *cfg, char ***paths, otto_error *err)
{
	static const char *const known[] = {"paths", NULL};
	int rc = otto_config_check_keys(cfg, known, err);
	if (rc != OTTO_OK)
		return rc;
	const otto_setting *s = otto_config_find(cfg, "paths");
	if (!s)
		return otto_error_set(
		    err, OTTO_EINVALID,
		    "[%s] needs 'paths', the lab files or folders to read (e.g. paths = [\"lab_data\"])",
		    table(cfg, "lab.json"));
	char where[512];
	otto_setting_where(s, where, sizeof where);
	if (s->type != OTTO_VALUE_ARRAY && s->type != OTTO_VALUE_STRING)
		return otto_error_set(err, OTTO_EINVALID, "%s: [%s] 'paths' must be an array of strings", where,
				      table(cfg, "lab.json"));
	size_t n = s->type == OTTO_VALUE_ARRAY ? s->n_items : 1;
	char **out = ju_malloc((n + 1) * sizeof *out);
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = s->type == OTTO_VALUE_ARRAY ? s->items[i] : s->string;
		if (!p || !*p) {
			out[used] = NULL;
			json_config_free_paths(out);
			return otto_error_set(err, OTTO_EINVALID, "%s: [%s] 'paths' has an empty entry", where,
					      table(cfg, "lab.json"));
		}
		out[used++] = ju_resolve(cfg->repo_root, p);
	}
	out[used] = NULL;
	*paths = out;
	return OTTO_OK;
}

void json_config_free_paths(char **paths)
{
	for (size_t i = 0; paths && paths[i]; i++)
		free(paths[i]);
	free(paths);
}

int json_config_reservations_path(const otto_config *cfg, char **path, otto_error *err)
{
	static const char *const known[] = {"path", NULL};
	int rc = otto_config_check_keys(cfg, known, err);
	if (rc != OTTO_OK)
		return rc;
	const otto_setting *s = otto_config_find(cfg, "path");
	if (!s)
		return otto_error_set(
		    err, OTTO_EINVALID,
		    "[%s] needs 'path', the reservations file (e.g. path = \".otto/reservations.json\")",
		    table(cfg, "reservations.json"));
	if (s->type != OTTO_VALUE_STRING || !s->string || !*s->string) {
		char where[512];
		otto_setting_where(s, where, sizeof where);
		return otto_error_set(err, OTTO_EINVALID, "%s: [%s] 'path' must be a non-empty string", where,
				      table(cfg, "reservations.json"));
	}
	*path = ju_resolve(cfg->repo_root, s->string);
	return OTTO_OK;
}
