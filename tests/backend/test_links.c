/*
 * Links (ABI 1.1): otto_lab_out_add_link copies a plugin's links into the
 * lab in the order added, and refuses malformed ones naming the backend,
 * the lab, the link's index and the field.
 */
#include "backend_test.h"

#include <stdint.h>

TestSuite(links, .init = registry_setup, .fini = registry_teardown, .timeout = 30);

static otto_lab *load_links_ok(otto_lab_repository *repo, const char *lab)
{
	otto_lab *out = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_load_lab(repo, lab, NULL, &out, &err), OTTO_OK, "load_lab(%s): %s", lab,
		     err.message);
	return out;
}

Test(links, kept_in_order_with_every_field)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_links_ok(repo, "links");
	cr_assert_eq(lab->n_hosts, 2);
	cr_assert_eq(lab->n_links, 2);
	const otto_link_rec *l = &lab->links[0];
	cr_assert_eq(l->n_endpoints, 2);
	cr_assert_str_eq(l->endpoints[0].host, "a");
	cr_assert_str_eq(l->endpoints[0].interface, "eth0");
	cr_assert_str_eq(l->endpoints[1].host, "b");
	cr_assert_null(l->endpoints[1].interface);
	cr_assert_str_eq(l->protocol, "udp");
	cr_assert_str_eq(l->extra_json, "{\"speed\":\"1G\"}");
	l = &lab->links[1];
	cr_assert_eq(l->n_endpoints, 1);
	cr_assert_str_eq(l->endpoints[0].host, "b");
	cr_assert_str_eq(l->endpoints[0].interface, "lo");
	cr_assert_null(l->protocol);
	cr_assert_null(l->extra_json);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

Test(links, a_lab_without_links_has_none)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_links_ok(repo, "east");
	cr_assert_eq(lab->n_links, 0);
	cr_assert_null(lab->links);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

Test(links, fields_past_an_older_struct_size_are_absent)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_links_ok(repo, "link-old-struct");
	cr_assert_eq(lab->n_links, 1);
	cr_assert_eq(lab->links[0].n_endpoints, 2);
	cr_assert_null(lab->links[0].protocol, "protocol is past the plugin's struct_size");
	cr_assert_null(lab->links[0].extra_json);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

/* Whether an endpoint names a host of the lab is conformance rule L15, not
 * a load error. */
Test(links, an_endpoint_outside_the_lab_still_loads)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_links_ok(repo, "link-unknown-host");
	cr_assert_eq(lab->n_links, 1);
	cr_assert_str_eq(lab->links[0].endpoints[1].host, "ghost");
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

static void assert_link_refused(const char *name, const char *message)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *out = (otto_lab *)(uintptr_t)1;
	otto_error err = {0, ""};
	int rc = otto_lab_repository_load_lab(repo, name, NULL, &out, &err);
	cr_assert_eq(rc, OTTO_ERROR, "load_lab(%s) returned %d (%s)", name, rc, err.message);
	cr_assert_null(out, "no lab on failure (%s)", name);
	cr_assert_str_eq(err.message, message, "lab %s", name);
	otto_lab_repository_free(repo);
}

#define LINK(lab, i) "lab backend 'cases': lab '" lab "', link " #i ": "

Test(links, malformed_links_are_refused_naming_lab_link_and_field)
{
	assert_link_refused("link-null", LINK("link-null", 0) "the link record is NULL");
	assert_link_refused("link-no-endpoints",
			    LINK("link-no-endpoints", 0) "it has no endpoints (a link needs at least one)");
	assert_link_refused("link-null-endpoints",
			    LINK("link-null-endpoints", 0) "endpoints is NULL but n_endpoints is 2");
	assert_link_refused("link-null-host",
			    LINK("link-null-host", 0) "endpoints[1].host is NULL (it must name a host of the lab)");
	assert_link_refused("link-empty-host",
			    LINK("link-empty-host", 0) "endpoints[0].host is empty (it must name a host of the lab)");
	char *tiny = tu_fmt(LINK("link-tiny-struct", 0) "struct_size %zu is too small to hold the endpoints (start "
							"from OTTO_LINK_INIT)",
			    offsetof(otto_link, n_endpoints));
	assert_link_refused("link-tiny-struct", tiny);
	free(tiny);
	/* The index counts add_link calls: the second link is link 1. */
	assert_link_refused("link-second-bad",
			    LINK("link-second-bad", 1) "it has no endpoints (a link needs at least one)");
}
