/*
 * Host summaries: the capability, its validation, and the fallback through
 * list_labs + load_lab.
 */
#include "backend_test.h"

TestSuite(summaries, .init = registry_setup, .fini = registry_teardown, .timeout = 30);

static otto_lab_repository *open_summaries(const char *mode)
{
	test_config tc;
	return open_lab("summaries", test_config_init(&tc, "case", mode, NULL, NULL));
}

static void summaries_fail(const char *mode, int code, const char *message)
{
	otto_lab_repository *repo = open_summaries(mode);
	otto_summary_list list = {1, NULL};
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_host_summaries(repo, &list, &err), code, "case %s: %s", mode, err.message);
	cr_assert_str_eq(err.message, message, "case %s", mode);
	cr_assert_eq(list.count, 0, "case %s", mode);
	cr_assert_null(list.items, "case %s", mode);
	otto_lab_repository_free(repo);
}

Test(summaries, capability_as_given)
{
	otto_lab_repository *repo = open_summaries("good");
	cr_assert(otto_lab_repository_has_summaries(repo));
	otto_summary_list list;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_host_summaries(repo, &list, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(list.count, 2);
	cr_assert_str_eq(list.items[0].id, "router1", "computed by the id rule");
	cr_assert_str_eq(list.items[0].ip, "10.0.0.1");
	cr_assert_eq(list.items[0].labs.count, 1);
	cr_assert_eq(list.items[0].element_id, OTTO_NO_NUMBER);
	cr_assert_str_eq(list.items[1].id, "given-id");
	cr_assert_str_eq(list.items[1].element, "whatever");
	cr_assert_eq(list.items[1].element_id, 7);
	cr_assert_str_eq(list.items[1].ip, "");
	cr_assert_eq(list.items[1].docker_capable, true);
	cr_assert_eq(list.items[1].labs.count, 2);
	otto_summary_list_free(&list);
	cr_assert_eq(list.count, 0);

	cr_assert_eq(otto_lab_repository_list_host_summaries(repo, &list, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(list.count, 2);
	otto_summary_list_free(&list);
	otto_lab_repository_free(repo);
}

Test(summaries, invalid_summaries)
{
	summaries_fail("null-ip", OTTO_ERROR,
		       "lab backend 'summaries': host summary 1: ip is NULL (use \"\" when the record has none)");
	summaries_fail("bad-element", OTTO_ERROR,
		       "lab backend 'summaries': host summary 0: element '***' has no letter or digit, so its id would "
		       "be empty");
	summaries_fail("empty-id", OTTO_ERROR,
		       "lab backend 'summaries': host summary 1: id is empty (NULL computes it by the id rule)");
	summaries_fail("null-lab", OTTO_ERROR, "lab backend 'summaries': host summary 0: labs[0] is NULL");
	summaries_fail("null-summary", OTTO_ERROR, "lab backend 'summaries': host summary 0: the summary record is NULL");
	summaries_fail("fail", OTTO_ERROR, "lab backend 'summaries': index file unreadable");
	/* In a worker the host's refusal ends the call (see lab.c). */
	summaries_fail("ignore", OTTO_ERROR, "lab backend 'summaries': host summary 0: element is NULL");
	use_in_process();
	summaries_fail("ignore", OTTO_EPLUGIN,
		       "lab backend 'summaries' ignored an error from the host: lab backend 'summaries': host summary 0: "
		       "element is NULL");
}

Test(summaries, not_supported_without_capability)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	cr_assert_not(otto_lab_repository_has_summaries(repo));
	otto_summary_list list;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_list_host_summaries(repo, &list, &err), OTTO_ENOTSUPPORTED);
	cr_assert_str_eq(err.message, "lab backend 'cases' does not provide host summaries");
	cr_assert_eq(list.count, 0);
	otto_lab_repository_free(repo);
}

Test(summaries, fallback_through_labs)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_summary_list list;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_host_summaries(repo, &list, &err), OTTO_OK, "%s", err.message);
	/* router1 (east), router2 (west), shared-host2 (both), ordered by id. */
	cr_assert_eq(list.count, 3);
	cr_assert_str_eq(list.items[0].id, "router1");
	cr_assert_eq(list.items[0].labs.count, 1);
	cr_assert_str_eq(list.items[0].labs.items[0], "east");
	cr_assert_str_eq(list.items[1].id, "router2");
	cr_assert_str_eq(list.items[1].labs.items[0], "west");
	cr_assert_str_eq(list.items[1].ip, "10.0.1.1");
	cr_assert_str_eq(list.items[2].id, "shared-host2");
	cr_assert_eq(list.items[2].labs.count, 2);
	cr_assert_str_eq(list.items[2].labs.items[0], "east");
	cr_assert_str_eq(list.items[2].labs.items[1], "west");
	cr_assert_str_eq(list.items[2].element, "Shared Host");
	cr_assert_eq(list.items[2].element_id, 2);
	cr_assert_eq(list.items[2].docker_capable, true);
	otto_summary_list_free(&list);
	otto_lab_repository_free(repo);
}

/* A repository whose list_labs names a lab its load_lab does not know. */
static int liar_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	*self = NULL;
	return OTTO_OK;
}

static int liar_list(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	return otto_string_out_add(out, "ghost", err);
}

static int liar_load(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
		     otto_error *err)
{
	(void)self;
	(void)name;
	(void)preferences;
	(void)out;
	(void)err;
	return OTTO_ENOTFOUND;
}

static const otto_lab_repository_type liar_type = {sizeof(otto_lab_repository_type), "liar", "test", liar_create,
						    NULL, liar_list, liar_load, NULL, NULL};

Test(summaries_fallback, listed_lab_that_does_not_load)
{
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_type(&repo, &liar_type, NULL, &err), OTTO_OK, "%s", err.message);
	otto_summary_list list;
	cr_assert_eq(otto_lab_repository_host_summaries(repo, &list, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, "lab backend 'liar' lists lab 'ghost' but cannot load it: lab backend 'liar': no "
				      "lab named 'ghost'");
	cr_assert_eq(list.count, 0);
	otto_lab_repository_free(repo);
}
