/* The floor of a plugin scan: in one process, dlopen (RTLD_NOW, as the
 * scan's pre-check), dlsym the descriptor and dlclose every *.so of DIR,
 * in name order. Whatever otto does on top (trust, a worker, the ABI
 * check, registering) is measured against this.
 * Usage: floor DIR */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_so(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 3 && strcmp(d->d_name + n - 3, ".so") == 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	struct dirent **names;
	int n = scandir(argv[1], &names, is_so, by_name);
	if (n < 0) {
		perror(argv[1]);
		return 1;
	}
	int found = 0;
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], names[i]->d_name);
		void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			found += dlsym(h, "otto_plugin") != NULL;
			dlclose(h);
		}
		free(names[i]);
	}
	free(names);
	printf("%d plugins\n", found);
	return found == n ? 0 : 1;
}
