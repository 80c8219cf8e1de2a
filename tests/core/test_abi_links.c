/*
 * ABI 1.1 (links) next to 1.0: a plugin built for 1.0 still loads and
 * loads labs, and otto_lab_out_add_link() refuses, instead of calling past
 * the end, when the host's ops struct predates add_link.
 */
#include "core_test.h"

#include <stddef.h>

Test(abi_links, a_plugin_built_for_the_previous_minor_loads_and_loads_labs)
{
	otto_registry *reg = scan_dir(CASE_DIR("abi_1_0"));
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("abi_1_0"));
	cr_assert_eq(p->status, OTTO_PLUGIN_LOADED, "detail: %s", p->detail);
	cr_assert_eq(p->abi_minor, 0);

	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "legacy", NULL, &err), OTTO_OK, "%s", err.message);
	otto_lab *lab = NULL;
	cr_assert_eq(otto_lab_repository_load_lab(repo, "legacy", NULL, &lab, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(lab->n_hosts, 1);
	cr_assert_str_eq(lab->hosts[0].id, "router1");
	cr_assert_eq(lab->resources.count, 2);
	cr_assert_eq(lab->n_links, 0);
	cr_assert_null(lab->links);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
	otto_registry_free(reg);
}

static int calls;

static int counting_add_link(otto_lab_out *out, const otto_link *link, otto_error *err)
{
	(void)out;
	(void)link;
	(void)err;
	calls++;
	return OTTO_OK;
}

/* A 1.0 host's ops struct: its struct_size ends before add_link. The field
 * exists here only because this test is compiled against 1.1; the helper
 * must not read it. */
Test(abi_links, add_link_refuses_on_a_host_that_predates_links)
{
	otto_lab_out_ops ops;
	memset(&ops, 0, sizeof ops);
	ops.struct_size = offsetof(otto_lab_out_ops, add_link);
	ops.add_link = counting_add_link;
	otto_lab_out out = {&ops};
	static const otto_link_endpoint ends[] = {{"a", NULL}};
	otto_link link = OTTO_LINK_INIT;
	link.endpoints = ends;
	link.n_endpoints = 1;
	otto_error err = {0, ""};
	calls = 0;
	cr_assert_eq(otto_lab_out_add_link(&out, &link, &err), OTTO_EINVALID);
	cr_assert_eq(err.code, OTTO_EINVALID);
	cr_assert_str_eq(err.message, "this otto host predates links (ABI 1.0)");
	cr_assert_eq(calls, 0, "add_link past the host's struct_size must not be called");

	/* A host-sized struct without the entry is refused the same way. */
	ops.struct_size = sizeof ops;
	ops.add_link = NULL;
	memset(&err, 0, sizeof err);
	cr_assert_eq(otto_lab_out_add_link(&out, &link, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "this otto host predates links (ABI 1.0)");

	/* And a 1.1 host's is called. */
	ops.add_link = counting_add_link;
	cr_assert_eq(otto_lab_out_add_link(&out, &link, &err), OTTO_OK);
	cr_assert_eq(calls, 1);
}
