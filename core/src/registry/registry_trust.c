/*
 * Which plugin files may be loaded at all. Loading a plugin runs its code
 * (constructors first) as the user who runs otto, so a file someone else
 * could have written is someone else's code. The rule is sudo's and
 * OpenPAM's for their modules: the file and every folder on its path are
 * owned by root or the user running otto and writable by nobody else (a
 * root-owned sticky folder such as /tmp is fine on the path); see
 * util/path_trust.h. For root that means owned by root alone.
 *
 * A file that fails is refused, never opened: `otto plugins` lists it with
 * the reason and the path to fix. People who know what they are doing can
 * turn the check off (OTTO_ALLOW_UNTRUSTED_PLUGINS=1, or [plugins]
 * allow_untrusted = true); every file that gets through only because of
 * that is announced as a warning, naming who turned the check off.
 */
#include "registry/registry_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#define OVERRIDE_ENV "OTTO_ALLOW_UNTRUSTED_PLUGINS"

/* Who turned the check off, or NULL. */
static const char *override_source(const otto_registry *reg)
{
	const char *env = getenv(OVERRIDE_ENV);
	if (env && strcmp(env, "1") == 0)
		return OVERRIDE_ENV "=1";
	return reg->untrusted_by;
}

bool otto__registry_trust_overridden(const otto_registry *reg)
{
	return override_source(reg) != NULL;
}

int otto__registry_trust_dir(const char *dir, otto__trusted_dir *out)
{
	char why[1400];
	struct stat st;
	out->fd = -1;
	out->uid = geteuid();
	int rc = otto__path_trust_walk(dir, out->uid, OTTO__TRUST_EVERY_FOLDER, &out->fd, &st, out->real, why,
				       sizeof why);
	/* The walk judges the folders on the way, not the last one, which
	 * is judged here as the walk of a file in it would. */
	if (rc == 0 && S_ISDIR(st.st_mode) && otto__trust_check_way_folder(out->real, &st, out->uid, why, sizeof why) == 0)
		return 0;
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
	return -1;
}

char *otto__registry_trust(const otto_registry *reg, const char *path)
{
	return otto__registry_trust_in(reg, NULL, path, NULL, NULL);
}

/* real = folder "/" name, when it fits (by hand: once per plugin file of
 * every run, where snprintf was a tenth of a warm run). */
static bool join_real(char *real, size_t size, const char *folder, const char *name)
{
	size_t n = strcmp(folder, "/") == 0 ? 0 : strlen(folder), m = strlen(name);
	if (n + 1 + m + 1 > size)
		return false;
	memcpy(real, folder, n);
	real[n] = '/';
	memcpy(real + n + 1, name, m + 1);
	return true;
}

char *otto__registry_trust_in(const otto_registry *reg, const otto__trusted_dir *dir, const char *path,
			      const char *name, const struct stat *lst)
{
	char why[1400], real[PATH_MAX];
	struct stat st;
	uid_t uid = dir && dir->fd >= 0 ? dir->uid : geteuid();
	int rc = -1;
	if (lst)
		st = *lst;
	/* In a folder whose whole path was found trusted: the walk of
	 * dir/name would repeat the folder's steps, then judge the entry
	 * itself, which is what is left to do here. A symbolic link (or
	 * anything odd) takes the whole walk. */
	if (dir && dir->fd >= 0 && (lst || fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) &&
	    S_ISREG(st.st_mode) && join_real(real, sizeof real, dir->real, name))
		rc = otto__trust_check_file(real, &st, uid, why, sizeof why);
	if (rc < 0) {
		rc = otto__path_trust_walk(path, uid, OTTO__TRUST_EVERY_FOLDER, NULL, &st, real, why, sizeof why);
		if (rc == 0)
			rc = otto__trust_check_file(real, &st, uid, why, sizeof why);
	}
	if (rc == 0)
		return NULL;
	const char *by = override_source(reg);
	if (by) {
		otto__warn("loading plugin %s although %s%s (trust check turned off by %s)", path,
			   rc < 0 ? "its path cannot be checked: " : "", why, by);
		return NULL;
	}
	return otto__asprintf("not loaded, because %s%s; to load it anyway, set " OVERRIDE_ENV
			      "=1 or [plugins] allow_untrusted = true",
			      rc < 0 ? "its path cannot be checked: " : "", why);
}

OTTO_API int otto_registry_allow_untrusted(otto_registry *reg, const char *source, otto_error *err)
{
	if (!reg)
		return otto_error_set(err, OTTO_EINVALID, "no registry to change");
	free(reg->untrusted_by);
	reg->untrusted_by = source && *source ? otto__strdup(source) : NULL;
	return OTTO_OK;
}
