/* Reading the json backends' settings ([lab.json] paths, [reservations.json] path). */
#ifndef JSON_CONFIG_H
#define JSON_CONFIG_H

#include "jutil.h"

/* [lab.json] paths = [...] (a single string is one path), each resolved
 * against the repository root. *paths is a NULL-terminated array the
 * caller frees with json_config_free_paths. */
int json_config_lab_paths(const otto_config *cfg, char ***paths, otto_error *err);
void json_config_free_paths(char **paths);

/* [reservations.json] path = "...", resolved against the repository root. */
int json_config_reservations_path(const otto_config *cfg, char **path, otto_error *err);

#endif
