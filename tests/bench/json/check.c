/* The reservation check of `otto reservation check --lab LAB`, through
 * libotto with the settings of SETTINGS: backends in workers (the default)
 * or, with --in-process, in this process.
 * Usage: check PLUGIN_DIR SETTINGS USER LAB [--in-process] */
#include <otto/otto.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6 || (argc == 6 && strcmp(argv[5], "--in-process") != 0)) {
		fprintf(stderr, "usage: %s PLUGIN_DIR SETTINGS USER LAB [--in-process]\n", argv[0]);
		return 2;
	}
	otto_error err;
	otto_settings *settings = NULL;
	otto_registry *reg = NULL;
	otto_lab_repository *repo = NULL;
	otto_reservation_backend *backend = NULL;
	otto_lab *lab = NULL;
	otto_check_result result = {0};
	int rc = otto_settings_load(&settings, argv[2], &err);
	if (rc == OTTO_OK)
		rc = otto_registry_new(&reg, &err);
	if (rc == OTTO_OK && argc == 6)
		rc = otto_registry_set_isolation(reg, OTTO_ISOLATION_IN_PROCESS, &err);
	if (rc == OTTO_OK)
		rc = otto_registry_add_dir(reg, argv[1], &err);
	if (rc == OTTO_OK)
		rc = otto_registry_scan(reg, &err);
	if (rc == OTTO_OK)
		rc = otto_lab_repository_open_from_settings(&repo, reg, settings, &err);
	if (rc == OTTO_OK)
		rc = otto_lab_repository_load_lab(repo, argv[4], NULL, &lab, &err);
	if (rc == OTTO_OK)
		rc = otto_reservation_backend_open_from_settings(&backend, reg, settings, &err);
	if (rc == OTTO_OK)
		rc = otto_reservation_check(backend, lab, argv[3], &result, &err);
	if (rc == OTTO_OK)
		printf("%s: %zu required, %zu missing\n", result.ok ? "held" : "not held", result.required.count,
		       result.n_missing);
	else
		fprintf(stderr, "check: %s\n", err.message);
	otto_check_result_free(&result);
	otto_lab_free(lab);
	otto_reservation_backend_free(backend);
	otto_lab_repository_free(repo);
	otto_registry_free(reg);
	otto_settings_free(settings);
	return rc == OTTO_OK ? (result.ok ? 0 : 1) : 2;
}
