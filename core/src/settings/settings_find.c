/*
 * Where the settings file is and which folder is the repository root.
 */
#include "settings/settings.h"
#include "util/util.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SETTINGS_DIR ".otto"
#define SETTINGS_FILE SETTINGS_DIR "/settings.toml"

OTTO_API int otto_settings_find(const char *start_dir, char **path_out, otto_error *err)
{
	*path_out = NULL;
	char *dir = start_dir ? realpath(start_dir, NULL) : getcwd(NULL, 0);
	if (!dir)
		return otto_error_set(err, OTTO_EIO, "cannot look for %s from '%s': %s", SETTINGS_FILE,
				      start_dir ? start_dir : ".", strerror(errno));
	for (;;) {
		char *candidate = otto__path_join(dir, SETTINGS_FILE);
		struct stat st;
		if (stat(candidate, &st) == 0 && !S_ISDIR(st.st_mode)) {
			*path_out = candidate;
			break;
		}
		free(candidate);
		char *slash = strrchr(dir, '/');
		if (!slash || dir[1] == '\0')
			break;
		/* "/a" becomes "/", "/a/b" becomes "/a". */
		slash[slash == dir ? 1 : 0] = '\0';
	}
	free(dir);
	return OTTO_OK;
}

/* The folder holding .otto/ when the file sits in a folder named .otto,
 * else the file's own folder; absolute. */
static char *repo_root_of(const char *path, otto_error *err)
{
	char *copy = otto__strdup(path);
	char *folder = realpath(dirname(copy), NULL);
	int saved = errno;
	free(copy);
	if (!folder) {
		otto_error_set(err, OTTO_ESETTINGS, "cannot resolve the folder of %s: %s", path, strerror(saved));
		return NULL;
	}
	const char *base = strrchr(folder, '/');
	if (base && strcmp(base + 1, SETTINGS_DIR) == 0) {
		char *parent = otto__strndup(folder, base == folder ? 1 : (size_t)(base - folder));
		free(folder);
		folder = parent;
	}
	return folder;
}

OTTO_API int otto_settings_load(otto_settings **out, const char *path, otto_error *err)
{
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = otto__read_regular_file(path, "settings file", OTTO__SETTINGS_FILE_MAX, OTTO_ESETTINGS, &text, &len,
					 err);
	if (rc != OTTO_OK)
		return rc;
	char *root = repo_root_of(path, err);
	if (!root) {
		free(text);
		return OTTO_ESETTINGS;
	}
	otto_settings *s = otto__settings_alloc(otto__strdup(path), root);
	rc = otto__settings_parse(s, text, len, s->path, err);
	free(text);
	if (rc != OTTO_OK) {
		otto_settings_free(s);
		return rc;
	}
	otto__settings_finish(s);
	*out = s;
	return OTTO_OK;
}
