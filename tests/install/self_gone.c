/*
 * A program embedding libotto whose libotto file disappears after it was
 * loaded (a package upgrade removing the old folder): the default plugin
 * folder must then be a clear error, not a guess. It removes only a copy of
 * libotto inside the folder named by argv[1], and refuses otherwise.
 *   self_gone FOLDER   (run with LD_LIBRARY_PATH=FOLDER)
 */
#include <otto/otto.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	Dl_info info;
	if (argc != 2 || !dladdr((void *)&otto_registry_new, &info) || !info.dli_fname ||
	    strncmp(info.dli_fname, argv[1], strlen(argv[1])) != 0) {
		fprintf(stderr, "self_gone: libotto was not loaded from %s: refusing to remove it\n", argc > 1 ? argv[1] : "?");
		return 2;
	}
	if (unlink(info.dli_fname) != 0 || rmdir(argv[1]) != 0) {
		perror("self_gone: removing the copy of libotto");
		return 2;
	}
	otto_registry *reg = NULL;
	otto_error err = {0, ""};
	int rc = otto_registry_new(&reg, &err);
	if (rc == OTTO_OK)
		rc = otto_registry_add_default_dirs(reg, &err);
	printf("%s: %s\n", otto_status_name(rc), err.message);
	printf("folders: %zu\n", otto_registry_dir_count(reg));
	otto_registry_free(reg);
	return 0;
}
