/* The example lab repository (contracts.md section 6), through libotto. */
#include "example_support.h"

#include <string.h>

static otto_registry *reg;
static otto_lab_repository *repo;

static void open_demo(void)
{
	otto_error err = {0};
	reg = ex_registry(OTTO_PLUGIN_BUILD_DIR);
	otto_config cfg = ex_config("lab.example", NULL, 0);
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "example", &cfg, &err), OTTO_OK, "%s", err.message);
}

static void close_all(void)
{
	otto_lab_repository_free(repo);
	otto_registry_free(reg);
	repo = NULL;
	reg = NULL;
}

TestSuite(example_lab, .fini = close_all);

Test(example_lab, lists_east_and_west, .init = open_demo)
{
	otto_strlist labs = {0};
	otto_error err = {0};
	cr_assert_eq(otto_lab_repository_list_labs(repo, &labs, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(labs.count, 2);
	cr_assert_str_eq(labs.items[0], "east");
	cr_assert_str_eq(labs.items[1], "west");
	otto_strlist_free(&labs);
}

Test(example_lab, loads_east_fresh_each_time, .init = open_demo)
{
	otto_lab *first = NULL, *second = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_lab_repository_load_lab(repo, "east", NULL, &first, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(first->name, "east");
	cr_assert_eq(first->n_hosts, 1);
	const otto_host_rec *h = otto_lab_host(first, "router1");
	cr_assert_not_null(h);
	cr_assert_str_eq(h->id, "router1");
	cr_assert_str_eq(h->ip, "10.0.0.1");
	cr_assert_str_eq(h->element, "router1");
	cr_assert_eq(h->n_creds, 1);
	cr_assert_str_eq(h->creds[0].login, "admin");
	cr_assert_str_eq(h->creds[0].password, "admin");
	cr_assert_eq(h->resources.count, 1);
	cr_assert_str_eq(h->resources.items[0], "router1");
	cr_assert_eq(first->resources.count, 1);
	cr_assert_str_eq(first->resources.items[0], "router1");
	cr_assert_eq(otto_lab_repository_load_lab(repo, "east", NULL, &second, &err), OTTO_OK);
	cr_assert_neq(first, second);
	cr_assert_neq(first->hosts, second->hosts);
	otto_lab_free(first);
	otto_lab_free(second);

	cr_assert_eq(otto_lab_repository_load_lab(repo, "west", NULL, &first, &err), OTTO_OK);
	cr_assert_str_eq(first->hosts[0].ip, "10.0.1.1");
	cr_assert_str_eq(first->hosts[0].element, "router2");
	otto_lab_free(first);
}

Test(example_lab, unknown_lab_is_not_found, .init = open_demo)
{
	otto_lab *lab = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_lab_repository_load_lab(repo, "north", NULL, &lab, &err), OTTO_ENOTFOUND);
	cr_assert_null(lab);
	cr_assert(strstr(err.message, "no lab named 'north'"), "%s", err.message);
}

Test(example_lab, summaries, .init = open_demo)
{
	otto_summary_list list = {0};
	otto_error err = {0};
	cr_assert(otto_lab_repository_has_summaries(repo));
	cr_assert_eq(otto_lab_repository_list_host_summaries(repo, &list, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(list.count, 2);
	cr_assert_str_eq(list.items[0].id, "router1");
	cr_assert_str_eq(list.items[1].id, "router2");
	cr_assert_str_eq(list.items[0].ip, "10.0.0.1");
	cr_assert_str_eq(list.items[0].labs.items[0], "east");
	cr_assert_eq(list.items[0].element_id, OTTO_NO_NUMBER);
	cr_assert(!list.items[0].docker_capable);
	otto_summary_list_free(&list);
}

Test(example_lab, configured_hosts_in_several_labs)
{
	otto_setting settings[] = {EX_ARRAY("hosts", "a, b: core-switch 192.0.2.1 sw psu", "b: probe 192.0.2.2"),
				   EX_STRING("login", "ops"), EX_STRING("url", "x"), EX_STRING("repo_root", "y")};
	otto_config cfg = ex_config("lab.example", settings, 4);
	otto_error err = {0};
	otto_lab *lab = NULL;
	otto_summary_list list = {0};
	reg = ex_registry(OTTO_PLUGIN_BUILD_DIR);
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "example", &cfg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_lab_repository_load_lab(repo, "b", NULL, &lab, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(lab->n_hosts, 2);
	const otto_host_rec *sw = otto_lab_host(lab, "core-switch");
	cr_assert_not_null(sw);
	cr_assert_eq(sw->labs.count, 2);
	cr_assert_eq(sw->resources.count, 2);
	cr_assert_str_eq(sw->creds[0].login, "ops");
	cr_assert_str_eq(sw->creds[0].password, "admin");
	const otto_host_rec *probe = otto_lab_host(lab, "probe");
	cr_assert_not_null(probe);
	cr_assert_eq(probe->resources.count, 0);
	otto_lab_free(lab);
	cr_assert_eq(otto_lab_repository_list_host_summaries(repo, &list, &err), OTTO_OK);
	cr_assert_eq(list.count, 2, "a host in two labs is summarized once");
	cr_assert_eq(list.items[0].labs.count, 2);
	otto_summary_list_free(&list);
}

/* create() errors name file:line, table and key; nothing leaks (ASan). */
Test(example_lab, create_errors)
{
	struct {
		otto_setting setting;
		const char *message;
	} cases[] = {
		{EX_ARRAY("hosts", "east: r1 10.0.0.1", "east r2"),
		 "settings.toml:10: [lab.example] hosts[1]: 'east r2' has no ':'; expected \"LAB[,LAB...]: ELEMENT IP "
		 "[RESOURCE...]\""},
		{EX_ARRAY("hosts", "east: r1"),
		 "settings.toml:10: [lab.example] hosts[0]: 'east: r1' needs an element and an IP"},
		{EX_ARRAY("hosts", "east: r1 1.1.1.1 x", "west: R1 2.2.2.2"),
		 "hosts[1]: host 'r1' is already defined by entry 0"},
		{EX_ARRAY("hosts", "east: -+- 1.1.1.1"), "element '-+-' has no letter or digit"},
		{EX_STRING("hosts", "east: r1 1.1.1.1"), "settings.toml:10: [lab.example] hosts: must be an array of "
							"strings, e.g. hosts = [\"east: router1 10.0.0.1 router1\"]"},
		{EX_ARRAY("password", "x"), "settings.toml:10: [lab.example] password: must be a quoted string"},
		{EX_STRING("colour", "red"), "settings.toml:10: unknown key 'colour' in [lab.example] for backend "
					     "'example' (accepted: hosts, login, password, url, repo_root)"},
	};
	reg = ex_registry(OTTO_PLUGIN_BUILD_DIR);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		otto_error err = {0};
		otto_config cfg = ex_config("lab.example", &cases[i].setting, 1);
		int rc = otto_lab_repository_open(&repo, reg, "example", &cfg, &err);
		cr_assert_eq(rc, OTTO_EINVALID, "case %zu: %d %s", i, rc, err.message);
		cr_assert(strstr(err.message, cases[i].message), "case %zu: %s", i, err.message);
		repo = NULL;
	}
}
