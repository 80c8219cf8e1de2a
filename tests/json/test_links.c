/* Links in lab.json (ABI 1.1): which labs get which links, what is kept,
 * every error, the layered union and the otto command's output. */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define UPSTREAM OTTO_FIXTURES_DIR "/upstream-lab-data"

static jt_env env_with(const char *text)
{
	char *settings = jt_lab_settings("[\"lab.json\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	free(jt_write(&env, "lab.json", text));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	return env;
}

static void assert_endpoint(const otto_link_rec *l, size_t i, const char *host, const char *interface)
{
	cr_assert_str_eq(l->endpoints[i].host, host);
	if (interface)
		cr_assert_str_eq(l->endpoints[i].interface, interface);
	else
		cr_assert_null(l->endpoints[i].interface);
}

Test(json_links, upstream_labs_get_the_links_between_their_hosts)
{
	char *settings = jt_lab_settings("[\"" UPSTREAM "\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);

	otto_lab *lab = jt_load(&env, "veggies");
	cr_assert_eq(lab->n_links, 1);
	cr_assert_eq(lab->links[0].n_endpoints, 2);
	assert_endpoint(&lab->links[0], 0, "carrot_seed", "eth2");
	assert_endpoint(&lab->links[0], 1, "tomato_seed", "eth2");
	cr_assert_str_eq(lab->links[0].protocol, "udp");
	cr_assert_null(lab->links[0].extra_json);
	otto_lab_free(lab);

	/* carrot_seed is in busybox too: the guest's wire to it is busybox's. */
	lab = jt_load(&env, "busybox");
	cr_assert_eq(lab->n_links, 1);
	assert_endpoint(&lab->links[0], 0, "carrot_seed", "bbeth-1350");
	assert_endpoint(&lab->links[0], 1, "bb1350_qemu", "eth0");
	cr_assert_str_eq(lab->links[0].protocol, "tcp");
	cr_assert_null(lab->links[0].extra_json, "_comment is ignored");
	otto_lab_free(lab);

	lab = jt_load(&env, "embedded");
	cr_assert_eq(lab->n_links, 0);
	otto_lab_free(lab);
	lab = jt_load(&env, "fruits");
	cr_assert_eq(lab->n_links, 0);
	otto_lab_free(lab);
	jt_env_free(&env);
}

static const char *const two_labs =
    "{\"hosts\": [\n"
    " {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"a\", \"labs\": [\"x\"]},\n"
    " {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"b\", \"labs\": [\"x\", \"y\"]},\n"
    " {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"c\", \"labs\": [\"y\"]}],\n"
    " \"links\": [\n"
    "  {\"endpoints\": [{\"host\": \"a\"}, {\"host\": \"c\", \"interface\": null}], \"protocol\": \"tcp\"},\n"
    "  {\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\", \"_n\": 1}], \"protocol\": null,\n"
    "   \"speed\": \"1G\", \"_c\": [1], \"vlan\": {\"id\": 7}},\n"
    "  {\"endpoints\": [{\"host\": \"a\"}, {\"host\": \"b\"}]}]}\n";

Test(json_links, a_lab_gets_the_links_whose_every_endpoint_is_its_host)
{
	jt_env env = env_with(two_labs);
	otto_lab *x = jt_load(&env, "x");
	cr_assert_eq(x->n_links, 2, "a<->c spans two labs: neither gets it");
	cr_assert_eq(x->links[0].n_endpoints, 1);
	assert_endpoint(&x->links[0], 0, "b", "e1");
	cr_assert_null(x->links[0].protocol);
	cr_assert_str_eq(x->links[0].extra_json, "{\"speed\": \"1G\",\"vlan\": {\"id\": 7}}");
	assert_endpoint(&x->links[1], 0, "a", NULL);
	assert_endpoint(&x->links[1], 1, "b", NULL);
	cr_assert_null(x->links[1].protocol);
	otto_lab *y = jt_load(&env, "y");
	cr_assert_eq(y->n_links, 1);
	assert_endpoint(&y->links[0], 0, "b", "e1");
	otto_lab_free(x);
	otto_lab_free(y);
	jt_env_free(&env);
}

/* A bad link fails the whole file (like a bad `links` shape): which lab it
 * belongs to cannot be known. */
static void assert_file_error(const char *links, const char *needle)
{
	char *text = tu_fmt("{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"a\", \"labs\": [\"x\"]}],\n\"links\": %s}", links);
	jt_env env = env_with(text);
	otto_strlist labs;
	int rc = otto_lab_repository_list_labs(env.lab, &labs, &env.err);
	cr_assert_eq(rc, OTTO_ERROR, "list_labs should fail for %s", links);
	cr_assert(tu_contains(env.err.message, "lab.json:"), "%s", env.err.message);
	cr_assert(tu_contains(env.err.message, needle), "want '%s' in: %s", needle, env.err.message);
	char *msg = jt_load_error(&env, "x", OTTO_ERROR);
	cr_assert(tu_contains(msg, needle), "load_lab: want '%s' in: %s", needle, msg);
	free(msg);
	free(text);
	jt_env_free(&env);
}

Test(json_links, every_link_error_names_the_file_link_and_field)
{
	assert_file_error("[7]", "links[0] must be an object, got a number");
	assert_file_error("[{\"protocol\": \"udp\"}]", "links[0] has no 'endpoints' (a link needs at least one)");
	assert_file_error("[{\"endpoints\": []}]", "links[0]: 'endpoints' is empty (a link needs at least one)");
	assert_file_error("[{\"endpoints\": \"a\"}]", "links[0]: 'endpoints' must be an array, got a string");
	assert_file_error("[{\"endpoints\": [{\"host\": \"a\"}], \"endpoints\": [{\"host\": \"a\"}]}]",
			  "links[0]: 'endpoints' is given twice");
	assert_file_error("[{\"endpoints\": [{\"host\": \"a\"}, 3]}]",
			  "links[0].endpoints[1] must be an object with 'host' and 'interface', got a number");
	assert_file_error("[{\"endpoints\": [{\"interface\": \"e\"}]}]", "links[0].endpoints[0] has no 'host'");
	assert_file_error("[{\"endpoints\": [{\"host\": \"\"}]}]",
			  "links[0].endpoints[0]: 'host' must be a host id (a non-empty string), got \"\"");
	assert_file_error("[{\"endpoints\": [{\"host\": 1}]}]",
			  "links[0].endpoints[0]: 'host' must be a host id (a non-empty string), got a number");
	assert_file_error("[{\"endpoints\": [{\"host\": \"a\", \"interface\": 2}]}]",
			  "links[0].endpoints[0]: 'interface' must be a string, got a number");
	assert_file_error("[{\"endpoints\": [{\"host\": \"a\", \"port\": 2}]}]",
			  "links[0].endpoints[0]: unknown key 'port' (accepted: host, interface, _*)");
	assert_file_error("[{\"endpoints\": [{\"host\": \"a\"}], \"protocol\": 6}]",
			  "links[0]: 'protocol' must be a string, got a number");
}

Test(json_links, an_endpoint_naming_no_host_of_the_file_is_an_error)
{
	jt_env env = env_with("{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"a\", \"labs\": [\"x\"]}],\n"
			      "\"links\": [{\"endpoints\": [{\"host\": \"a\"}]},\n"
			      "  {\"endpoints\": [{\"host\": \"a\"},\n    {\"host\": \"ghost\"}]}]}");
	char *want = tu_fmt("%s/lab.json:4: links[1].endpoints[1]: host 'ghost' is not the id of any host record in "
			    "this file",
			    env.root);
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_ERROR);
	cr_assert(tu_contains(env.err.message, want), "want '%s' in: %s", want, env.err.message);
	free(want);
	jt_env_free(&env);
}

#define TWO_SOURCES                                                                                                    \
	"[lab.sources.global]\nbackend = \"json\"\npaths = [\"" UPSTREAM "\"]\n\n"                                     \
	"[lab.sources.local]\nbackend = \"json\"\npaths = [\"local\"]\n"

static void ignore_warning(const char *message, void *ud)
{
	(void)message;
	(void)ud;
}

/* The local source repeats upstream's veggies link exactly, adds one and
 * changes the protocol of another copy: the union keeps each distinct link
 * once, in source order. */
Test(json_links, layered_sources_give_the_union_without_exact_duplicates)
{
	jt_env env = jt_env_new(TWO_SOURCES);
	free(
	    jt_write(&env, "local/lab.json",
		     "{\"hosts\": [\n"
		     " {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"carrot\", \"board\": \"seed\", \"labs\": [\"veggies\"]},\n"
		     " {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"tomato\", \"board\": \"seed\", \"labs\": [\"veggies\"]}],\n"
		     " \"links\": [\n"
		     "  {\"endpoints\": [{\"host\": \"carrot_seed\", \"interface\": \"eth2\"},\n"
		     "                 {\"host\": \"tomato_seed\", \"interface\": \"eth2\"}], \"protocol\": \"udp\"},\n"
		     "  {\"endpoints\": [{\"host\": \"carrot_seed\", \"interface\": \"eth2\"},\n"
		     "                 {\"host\": \"tomato_seed\", \"interface\": \"eth2\"}], \"protocol\": \"tcp\"},\n"
		     "  {\"endpoints\": [{\"host\": \"tomato_seed\", \"interface\": \"eth3\"}]}]}\n"));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_set_warning_handler(ignore_warning, NULL);
	otto_lab *lab = jt_load(&env, "veggies");
	otto_set_warning_handler(NULL, NULL);
	cr_assert_eq(lab->n_links, 3);
	cr_assert_str_eq(lab->links[0].protocol, "udp");
	cr_assert_str_eq(lab->links[1].protocol, "tcp");
	assert_endpoint(&lab->links[2], 0, "tomato_seed", "eth3");
	otto_lab_free(lab);
	/* busybox comes from the global source alone. */
	lab = jt_load(&env, "busybox");
	cr_assert_eq(lab->n_links, 1);
	assert_endpoint(&lab->links[0], 1, "bb1350_qemu", "eth0");
	otto_lab_free(lab);
	jt_env_free(&env);
}

static tu_result show(const char *dir, const char *lab, bool json)
{
	const char *argv[] = {OTTO_BIN, "lab", "show", lab, json ? "--json" : NULL, NULL};
	return tu_run(argv, dir, NULL, 30);
}

Test(json_links, otto_lab_show_prints_the_links)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml",
		      "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"" UPSTREAM "\"]\n"));
	tu_result r = show(dir, "veggies", false);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "\n\nLinks:\n  carrot_seed:eth2 <-> tomato_seed:eth2 (udp)\n"), "%s", r.out);
	tu_result_free(&r);

	r = show(dir, "embedded", false);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(!tu_contains(r.out, "Links"), "no Links section without links: %s", r.out);
	tu_result_free(&r);

	r = show(dir, "busybox", true);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "  \"links\": [\n"
				     "    {\n"
				     "      \"endpoints\": [\n"
				     "        {\n"
				     "          \"host\": \"carrot_seed\",\n"
				     "          \"interface\": \"bbeth-1350\"\n"
				     "        },\n"
				     "        {\n"
				     "          \"host\": \"bb1350_qemu\",\n"
				     "          \"interface\": \"eth0\"\n"
				     "        }\n"
				     "      ],\n"
				     "      \"protocol\": \"tcp\"\n"
				     "    }\n"
				     "  ]\n"
				     "}\n"),
		  "%s", r.out);
	tu_result_free(&r);

	r = show(dir, "embedded", true);
	cr_assert(tu_contains(r.out, "  \"links\": [\n\n  ]\n}\n"), "an empty list: %s", r.out);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

/* Extra link fields come out in --json next to endpoints and protocol. */
Test(json_links, otto_lab_show_json_passes_extra_link_fields_through)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml", "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n"));
	free(tu_write(dir, "lab.json", two_labs));
	tu_result r = show(dir, "y", true);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "      \"protocol\": null,\n      \"speed\": \"1G\",\n      \"vlan\": {\n"), "%s",
		  r.out);
	tu_result_free(&r);
	r = show(dir, "x", false);
	cr_assert(tu_contains(r.out, "\nLinks:\n  b:e1\n  a <-> b\n"), "%s", r.out);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}
