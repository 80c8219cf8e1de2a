/*
 * Where libotto itself lives. Its private files sit beside it, in the build
 * tree and in every install tree alike: <libdir>/otto/plugins (the shipped
 * plugins) and <libdir>/otto/otto-worker (the backend worker). Asking the
 * dynamic loader which file holds this very function finds them for any
 * program that links libotto, wherever it was installed, instead of guessing
 * from the executable's path or a prefix frozen at configure time.
 */
#include "util/util.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

char *otto__self_dir(void)
{
	Dl_info info;
	memset(&info, 0, sizeof info);
	if (!dladdr((void *)&otto__self_dir, &info) || !info.dli_fname || !info.dli_fname[0])
		return NULL;
	char *real = realpath(info.dli_fname, NULL);
	if (!real)
		return NULL;
	char *slash = strrchr(real, '/');
	if (!slash) {
		free(real);
		return NULL;
	}
	/* "/libotto.so.0" -> "/"; "/usr/lib/libotto.so.0" -> "/usr/lib". */
	slash[slash == real ? 1 : 0] = '\0';
	char *dir = otto__strdup(real);
	free(real);
	return dir;
}

char *otto__self_private_path(const char *name)
{
	char *dir = otto__self_dir();
	if (!dir)
		return NULL;
	char *path = otto__asprintf("%s%sotto/%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
	free(dir);
	return path;
}
