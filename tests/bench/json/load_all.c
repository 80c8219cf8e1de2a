/* Load every lab of a lab.json through libotto (registry, json plugin,
 * list_labs, load_lab for each), with the backend in its worker (the
 * default) or, with --in-process, in this process.
 * Usage: load_all PLUGIN_DIR LAB_JSON [--in-process] */
#include <otto/otto.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--in-process") != 0)) {
		fprintf(stderr, "usage: %s PLUGIN_DIR LAB_JSON [--in-process]\n", argv[0]);
		return 2;
	}
	otto_error err;
	otto_registry *reg = NULL;
	otto_lab_repository *repo = NULL;
	const char *items[] = {argv[2]};
	otto_setting paths = {.key = "paths", .type = OTTO_VALUE_ARRAY, .items = items, .n_items = 1, .file = "argv"};
	otto_config cfg = {.struct_size = sizeof cfg,
			   .backend = "json",
			   .section = "lab.json",
			   .repo_root = "/",
			   .settings = &paths,
			   .n_settings = 1};
	otto_strlist labs = {0, NULL};
	size_t hosts = 0;
	int rc = otto_registry_new(&reg, &err);
	if (rc == OTTO_OK && argc == 4)
		rc = otto_registry_set_isolation(reg, OTTO_ISOLATION_IN_PROCESS, &err);
	if (rc == OTTO_OK)
		rc = otto_registry_add_dir(reg, argv[1], &err);
	if (rc == OTTO_OK)
		rc = otto_registry_scan(reg, &err);
	if (rc == OTTO_OK)
		rc = otto_lab_repository_open(&repo, reg, "json", &cfg, &err);
	if (rc == OTTO_OK)
		rc = otto_lab_repository_list_labs(repo, &labs, &err);
	for (size_t i = 0; rc == OTTO_OK && i < labs.count; i++) {
		otto_lab *lab = NULL;
		rc = otto_lab_repository_load_lab(repo, labs.items[i], NULL, &lab, &err);
		if (rc == OTTO_OK)
			hosts += lab->n_hosts;
		otto_lab_free(lab);
	}
	if (rc == OTTO_OK)
		printf("%zu labs, %zu host records\n", labs.count, hosts);
	else
		fprintf(stderr, "load_all: %s\n", err.message);
	otto_strlist_free(&labs);
	int closed = otto_lab_repository_close(repo, &err);
	if (rc == OTTO_OK && closed != OTTO_OK) {
		fprintf(stderr, "load_all: %s\n", err.message);
		rc = closed;
	}
	otto_registry_free(reg);
	return rc == OTTO_OK ? 0 : 1;
}
