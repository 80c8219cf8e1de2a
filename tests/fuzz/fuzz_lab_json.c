/*
 * Fuzz target: lab.json through the json lab repository and libotto's
 * checks of what it hands over (otto_lab_repository_open_type: the same
 * code the otto command runs, in this process). Every lab listed is
 * loaded, a missing one is asked for, and the host summaries are read: any
 * bytes must give answers or an error with a message, never a crash, a
 * leak or an answer that contradicts itself.
 *
 * Compiled with the json plugin's sources (its parsers are internal to the
 * plugin) and linked with libotto.
 */
#include "fuzz.h"
#include "json_plugin.h"

#include <otto/otto.h>

#include <stdlib.h>
#include <string.h>

/* Loading every lab of a file with thousands is the same work again. */
#define MAX_LABS 32

static void check_lab(const otto_lab *lab, const char *name)
{
	if (strcmp(lab->name, name) != 0)
		abort();
	for (size_t h = 0; h < lab->n_hosts; h++) {
		const otto_host_rec *host = &lab->hosts[h];
		if (!host->id[0] || strcmp(host->id, host->key) != 0 || otto_strlist_index(&host->labs, name) < 0)
			abort();
		if (otto_lab_host(lab, host->key) != host)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("lab.json", data, size);
	otto_setting paths = {.key = "paths", .type = OTTO_VALUE_STRING, .string = path, .file = "fuzz", .line = 1};
	otto_config cfg = {.struct_size = sizeof cfg,
			   .backend = "json",
			   .section = "lab.json",
			   .repo_root = fuzz_dir(),
			   .settings = &paths,
			   .n_settings = 1};
	otto_lab_repository *repo = NULL;
	otto_error err = {0};
	if (otto_lab_repository_open_type(&repo, &json_lab_repository, &cfg, &err) != OTTO_OK)
		abort(); /* the configuration is valid: only the file varies */
	otto_strlist labs = {0};
	if (otto_lab_repository_list_labs(repo, &labs, &err) == OTTO_OK) {
		for (size_t i = 0; i < labs.count && i < MAX_LABS; i++) {
			otto_lab *lab = NULL;
			int rc = otto_lab_repository_load_lab(repo, labs.items[i], NULL, &lab, &err);
			if (rc == OTTO_OK)
				check_lab(lab, labs.items[i]);
			else if (rc == OTTO_ENOTFOUND || !err.message[0] || lab)
				abort(); /* a listed lab exists; a failure says why */
			otto_lab_free(lab);
		}
	} else if (!err.message[0]) {
		abort();
	}
	otto_lab *none = NULL;
	int rc = otto_lab_repository_load_lab(repo, "__otto_fuzz_no_such_lab__", NULL, &none, &err);
	if (rc == OTTO_OK || none || !err.message[0])
		abort();
	otto_summary_list summaries = {0};
	if (otto_lab_repository_host_summaries(repo, &summaries, &err) == OTTO_OK) {
		for (size_t i = 0; i < summaries.count; i++)
			if (!summaries.items[i].id[0])
				abort();
	}
	otto_summary_list_free(&summaries);
	otto_strlist_free(&labs);
	otto_lab_repository_free(repo);
	return 0;
}
