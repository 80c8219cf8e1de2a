/*
 * list_plugins.c - a program that embeds libotto (docs/install.md): it
 * discovers the plugins installed beside libotto, exactly as the otto
 * command does, and lists each file with its status and backends.
 *
 * Build against an installed otto:
 *   cc $(pkg-config --cflags otto) -o list_plugins list_plugins.c $(pkg-config --libs otto)
 * or with CMake: find_package(otto 0.2 REQUIRED) and link otto::otto
 * (CMakeLists.txt beside this file).
 */
#include <otto/otto.h>

#include <stdio.h>

int main(void)
{
	otto_error err = {0, ""};
	otto_registry *reg = NULL;
	int rc = otto_registry_new(&reg, &err);
	/* The default folder is libotto's own: no path to configure. */
	if (rc == OTTO_OK)
		rc = otto_registry_add_default_dirs(reg, &err);
	if (rc == OTTO_OK)
		rc = otto_registry_scan(reg, &err);
	if (rc != OTTO_OK) {
		fprintf(stderr, "list_plugins: %s\n", err.message);
		otto_registry_free(reg);
		return 1;
	}
	for (size_t i = 0; i < otto_registry_dir_count(reg); i++)
		printf("folder %s\n", otto_registry_dir(reg, i));
	for (size_t i = 0; i < otto_registry_plugin_count(reg); i++) {
		const otto_plugin_info *p = otto_registry_plugin(reg, i);
		printf("%s: %s%s%s%s\n", p->path, otto_plugin_status_name(p->status), p->detail ? " (" : "",
		       p->detail ? p->detail : "", p->detail ? ")" : "");
		for (size_t b = 0; b < p->n_backends; b++)
			printf("  %s %s\n", otto_backend_kind_name(p->backends[b].kind), p->backends[b].name);
	}
	otto_registry_free(reg);
	return 0;
}
