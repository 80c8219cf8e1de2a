/*
 * Where the settings file is and which folder is the repository root, and
 * whether it may be read at all: settings choose which plugin code runs,
 * so a settings file another user controls is theirs to run code with.
 * Like git with a repository owned by someone else, otto does not read a
 * settings file that another user (root excepted) owns, or that sits in a
 * folder or repository another user owns or can write, or that others can
 * write; a
 * file found by walking up is skipped with a warning naming it, one given
 * by path is an error. OTTO_ALLOW_UNTRUSTED_PLUGINS=1 reads it anyway,
 * with a warning.
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
#define OVERRIDE_ENV "OTTO_ALLOW_UNTRUSTED_PLUGINS"

static bool overridden(void)
{
	const char *env = getenv(OVERRIDE_ENV);
	return env && strcmp(env, "1") == 0;
}

/* The folder `path` names must be owned by root or this user, and only
 * they may replace the file in it (not writable by others, or sticky). */
static int folder_owned(const char *path, const char *what, char *why, size_t size)
{
	struct stat st;
	char owner[128];
	if (stat(path, &st) != 0) {
		snprintf(why, size, "its %s %s cannot be checked: %s", what, path, strerror(errno));
		return 1;
	}
	if (!otto__trust_owner_ok(st.st_uid, geteuid())) {
		otto__user_name_of(st.st_uid, owner, sizeof owner);
		snprintf(why, size, "its %s %s belongs to %s (uid %lu), not to you or root", what, path, owner,
			 (unsigned long)st.st_uid);
		return 1;
	}
	if (otto__trust_writable_by_others(&st) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, size, "its %s %s is writable by other users (mode %04o), who could replace it", what, path,
			 (unsigned)(st.st_mode & 07777));
		return 1;
	}
	return 0;
}

/* 0 when `path` may be read, else 1 with the reason in `why`. */
static int settings_trusted(const char *path, char *why, size_t size)
{
	struct stat st;
	char *copy = otto__strdup(path), *folder = dirname(copy), *root = NULL;
	int rc = 0;
	/* A missing file, a folder or a FIFO: the reader says what is wrong. */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		goto done;
	if ((rc = otto__trust_check_file(path, &st, geteuid(), why, size)) != 0)
		goto done;
	if ((rc = folder_owned(folder, "folder", why, size)) != 0)
		goto done;
	const char *base = strrchr(folder, '/');
	if (base && strcmp(base + 1, SETTINGS_DIR) == 0) {
		root = otto__strndup(folder, base == folder ? 1 : (size_t)(base - folder));
		rc = folder_owned(root, "repository", why, size);
	}
done:
	free(root);
	free(copy);
	return rc;
}

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
		char why[1200];
		if (stat(candidate, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (settings_trusted(candidate, why, sizeof why) == 0 || overridden()) {
				*path_out = candidate;
				break;
			}
			/* Skipped as if absent: the search goes on above it. */
			otto__warn("ignoring settings file %s: %s, and settings choose which plugin code runs (to read "
				   "it anyway, set " OVERRIDE_ENV "=1)",
				   candidate, why);
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
	char why[1200];
	if (settings_trusted(path, why, sizeof why) != 0) {
		if (!overridden())
			return otto_error_set(err, OTTO_ESETTINGS,
					      "refusing to read settings file %s: %s, and settings choose which plugin "
					      "code runs (to read it anyway, set " OVERRIDE_ENV "=1)",
					      path, why);
		otto__warn("reading settings file %s although %s (" OVERRIDE_ENV "=1)", path, why);
	}
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
