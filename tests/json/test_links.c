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

/* Upstream's rule: a lab gets every link with at least one endpoint among
 * its hosts, in file order; carrot_seed is in veggies and busybox, so both
 * labs get both of its links. */
Test(json_links, upstream_labs_get_every_link_touching_them)
{
	char *settings = jt_lab_settings("[\"" UPSTREAM "/tech1\", \"" UPSTREAM "/tech2\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);

	static const char *const labs[] = {"veggies", "busybox"};
	for (size_t i = 0; i < 2; i++) {
		otto_lab *lab = jt_load(&env, labs[i]);
		cr_assert_eq(lab->n_links, 2, "%s", labs[i]);
		cr_assert_eq(lab->links[0].n_endpoints, 2);
		assert_endpoint(&lab->links[0], 0, "carrot_seed", "eth2");
		assert_endpoint(&lab->links[0], 1, "tomato_seed", "eth2");
		cr_assert_str_eq(lab->links[0].protocol, "udp");
		cr_assert_null(lab->links[0].extra_json);
		assert_endpoint(&lab->links[1], 0, "carrot_seed", "bbeth-1350");
		assert_endpoint(&lab->links[1], 1, "bb1350_qemu", "eth0");
		cr_assert_str_eq(lab->links[1].protocol, "tcp");
		cr_assert_null(lab->links[1].extra_json, "_comment is ignored");
		otto_lab_free(lab);
	}
	otto_lab *lab = jt_load(&env, "embedded");
	cr_assert_eq(lab->n_links, 0);
	otto_lab_free(lab);
	lab = jt_load(&env, "fruits");
	cr_assert_eq(lab->n_links, 0);
	otto_lab_free(lab);
	jt_env_free(&env);
}

#define HOST(element, labs, ifaces)                                                                                    \
	" {\"ip\": \"10.0.0.1\", \"creds\": [{\"login\": \"u\"}], \"element\": \"" element "\", \"labs\": " labs       \
	ifaces "}"
#define IFACE(name) "\"" name "\": {\"ip\": \"10.1.0.1\"}"

/* a in x, b in x and y, c in y, d in z; the interfaces named or resolved. */
static const char *const three_labs =
    "{\"hosts\": [\n" HOST("a", "[\"x\"]", ", \"interfaces\": {" IFACE("e1") "}") ",\n" HOST(
	"b", "[\"x\", \"y\"]", ", \"interfaces\": {" IFACE("e1") ", " IFACE("e2") ", " IFACE("_spare") "}") ",\n" HOST("c", "[\"y\"]", ", \"interfaces\": {" IFACE("e1") "}") ",\n" HOST("d", "[\"z\"]", "") "],\n"
    " \"links\": [\n"
    "  {\"endpoints\": [{\"host\": \"a\", \"interface\": \"e1\"}, {\"host\": \"c\"}], \"_note\": 1},\n"
    "  {\"endpoints\": [{\"host\": \"b\", \"interface\": \"e2\"}, {\"host\": \"d\", \"interface\": null}],\n"
    "   \"protocol\": \"UDP\", \"name\": \"uplink\"},\n"
    "  {\"endpoints\": [{\"host\": \"a\"}, {\"host\": \"b\", \"interface\": \"e1\"}], \"impair\": \"c\",\n"
    "   \"management\": \"m\\\"x\"}]}\n";

Test(json_links, a_lab_gets_the_links_with_one_endpoint_among_its_hosts)
{
	jt_env env = env_with(three_labs);
	otto_lab *x = jt_load(&env, "x");
	cr_assert_eq(x->n_links, 3, "every link touches a or b");
	assert_endpoint(&x->links[0], 0, "a", "e1");
	assert_endpoint(&x->links[0], 1, "c", "e1"); /* c's only interface */
	cr_assert_str_eq(x->links[0].protocol, "tcp", "upstream's default protocol");
	cr_assert_null(x->links[0].extra_json);
	assert_endpoint(&x->links[1], 0, "b", "e2");
	assert_endpoint(&x->links[1], 1, "d", NULL); /* d has no interfaces */
	cr_assert_str_eq(x->links[1].protocol, "udp", "lower-cased as upstream does");
	cr_assert_str_eq(x->links[1].extra_json, "{\"name\":\"uplink\"}");
	assert_endpoint(&x->links[2], 0, "a", "e1");
	assert_endpoint(&x->links[2], 1, "b", "e1");
	cr_assert_str_eq(x->links[2].extra_json, "{\"impair\":\"c\",\"management\":\"m\\\"x\"}");
	otto_lab *y = jt_load(&env, "y");
	cr_assert_eq(y->n_links, 3, "c is in the first link, b in the others");
	otto_lab *z = jt_load(&env, "z");
	cr_assert_eq(z->n_links, 1);
	assert_endpoint(&z->links[0], 0, "b", "e2");
	otto_lab_free(x);
	otto_lab_free(y);
	otto_lab_free(z);
	jt_env_free(&env);
}

/* a in x, b (two interfaces) and c in y: the link under test touches only
 * y's hosts, so it fails lab y with its error, never x nor list_labs
 * (upstream's containment). */
static void assert_link_error(const char *link, const char *needle)
{
	char *text = tu_fmt("{\"hosts\": [\n" HOST("a", "[\"x\"]", "") ",\n" HOST(
				"b", "[\"y\"]", ", \"interfaces\": {" IFACE("e1") ", " IFACE("e2") "}") ",\n" HOST("c", "[\"y\"]",
														   "") "],\n"
			    "\"links\": [%s]}",
			    link);
	jt_env env = env_with(text);
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_OK, "%s: %s", link,
		     env.err.message);
	otto_strlist_free(&labs);
	otto_lab *x = jt_load(&env, "x");
	cr_assert_eq(x->n_links, 0);
	otto_lab_free(x);
	char *msg = jt_load_error(&env, "y", OTTO_ERROR);
	char *want = tu_fmt("cannot load lab 'y': %s/lab.json:5: links[0]: %s", env.root, needle);
	cr_assert(tu_contains(msg, want), "want '%s' in: %s", want, msg);
	free(want);
	free(msg);
	free(text);
	jt_env_free(&env);
}

Test(json_links, a_bad_link_fails_the_labs_it_touches_naming_file_line_and_field)
{
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}]}",
			  "'endpoints' must hold exactly two endpoints, not 1");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\"}, {\"host\": \"c\"}]}",
			  "'endpoints' must hold exactly two endpoints, not 3");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\"}], \"speed\": 1}",
			  "unknown key 'speed' (accepted: endpoints, protocol, name, impair, management, _*)");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\", \"_n\": 1}]}",
			  "endpoints[1]: unknown key '_n' (accepted: host, interface)");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": 1}]}",
			  "endpoints[1]: 'host' must be a string, got a number");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\", \"interface\": 2}]}",
			  "endpoints[1]: 'interface' must be a string, got a number");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, 3]}",
			  "endpoints[1] must be an object with 'host' and 'interface', got a number");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"interface\": \"e\"}]}",
			  "endpoints[1] has no 'host' (a host id)");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\"}], \"protocol\": 6}",
			  "'protocol' must be a string, got a number");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\"}], \"protocol\": null}",
			  "'protocol' must be a string, got null");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e9\"}, {\"host\": \"c\"}]}",
			  "host 'b' has no interface 'e9' (known: e1, e2)");
	assert_link_error("{\"endpoints\": [{\"host\": \"c\", \"interface\": \"e1\"}, {\"host\": \"b\", \"interface\": \"e1\"}]}",
			  "host 'c' has no interface 'e1' (known: <none defined>)");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\"}, {\"host\": \"c\"}]}",
			  "host 'b': ambiguous interface, specify one of: e1, e2");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"ghost\"}]}",
			  "unknown host 'ghost' (no such host in any lab file)");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"b\", \"interface\": \"e1\"}]}",
			  "link endpoints must differ (same host and interface on both ends)");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\"}], \"impair\": \"b\"}",
			  "impair host 'b' is an endpoint of the link; an in-path middlebox must be a third host");
	assert_link_error("{\"endpoints\": [{\"host\": \"b\", \"interface\": \"e1\"}, {\"host\": \"c\"}], \"impair\": \"zz\"}",
			  "impair host 'zz' is not a known host");
}

/* A link whose endpoints name no host of any lab (or no host at all) is
 * every lab's unrelated link: skipped, as upstream skips it. */
Test(json_links, a_link_touching_no_lab_is_skipped)
{
	static const char *const links[] = {"7", "{\"protocol\": \"udp\"}", "{\"endpoints\": \"b\"}",
					    "{\"endpoints\": [{\"host\": \"ghost\"}, {\"host\": \"ghost2\"}], \"x\": 1}"};
	for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
		char *text = tu_fmt("{\"hosts\": [\n" HOST("a", "[\"x\"]", "") "],\n\"links\": [%s]}", links[i]);
		jt_env env = env_with(text);
		otto_lab *x = jt_load(&env, "x");
		cr_assert_eq(x->n_links, 0, "%s", links[i]);
		otto_lab_free(x);
		free(text);
		jt_env_free(&env);
	}
}

/* Links resolve against the hosts of every file: an endpoint's host may be
 * another file's record (upstream's all_hosts_data). */
Test(json_links, endpoints_resolve_across_files)
{
	char *settings = jt_lab_settings("[\"one.json\", \"two.json\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	free(jt_write(&env, "one.json", "{\"hosts\": [\n" HOST("a", "[\"x\"]", "") "]}"));
	free(jt_write(&env, "two.json",
		      "{\"hosts\": [\n" HOST("b", "[\"y\"]", "") "],\n"
		      "\"links\": [{\"endpoints\": [{\"host\": \"a\"}, {\"host\": \"b\"}]}]}"));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_lab *x = jt_load(&env, "x");
	cr_assert_eq(x->n_links, 1);
	assert_endpoint(&x->links[0], 0, "a", NULL);
	assert_endpoint(&x->links[0], 1, "b", NULL);
	otto_lab_free(x);
	jt_env_free(&env);
}

#define TWO_SOURCES                                                                                                    \
	"[lab.sources.global]\nbackend = \"json\"\npaths = [\"" UPSTREAM "/tech1\", \"" UPSTREAM "/tech2\"]\n\n"          \
	"[lab.sources.local]\nbackend = \"json\"\npaths = [\"local\"]\n"

static void ignore_warning(const char *message, void *ud)
{
	(void)message;
	(void)ud;
}

/* The local source repeats upstream's veggies link exactly, adds one and
 * changes the protocol of another copy: the union keeps each distinct link
 * once, in source order, and like a single source keeps the links with one
 * endpoint in the lab (the global bbeth-1350 wire to busybox's guest).
 * Upstream keeps one link per link id (its name, else the two host ids),
 * which would drop the udp copy: a documented deviation (docs/upstream.md). */
Test(json_links, layered_sources_give_the_union_without_exact_duplicates)
{
	jt_env env = jt_env_new(TWO_SOURCES);
	free(jt_write(&env, "local/lab.json",
		      "{\"hosts\": [\n"
		      " {\"ip\": \"10.0.0.1\", \"creds\": [{\"login\": \"u\"}], \"element\": \"carrot\", \"board\": \"seed\", "
		      "\"labs\": [\"veggies\"], \"interfaces\": {" IFACE("eth2") "}},\n"
		      " {\"ip\": \"10.0.0.2\", \"creds\": [{\"login\": \"u\"}], \"element\": \"tomato\", \"board\": \"seed\", "
		      "\"labs\": [\"veggies\"], \"interfaces\": {" IFACE("eth2") ", " IFACE("eth3") "}}],\n"
		      " \"links\": [\n"
		      "  {\"endpoints\": [{\"host\": \"carrot_seed\", \"interface\": \"eth2\"},\n"
		      "                 {\"host\": \"tomato_seed\", \"interface\": \"eth2\"}], \"protocol\": \"udp\"},\n"
		      "  {\"endpoints\": [{\"host\": \"carrot_seed\", \"interface\": \"eth2\"},\n"
		      "                 {\"host\": \"tomato_seed\", \"interface\": \"eth2\"}], \"protocol\": \"tcp\"},\n"
		      "  {\"endpoints\": [{\"host\": \"tomato_seed\", \"interface\": \"eth3\"}, {\"host\": \"carrot_seed\"}]}]}\n"));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_set_warning_handler(ignore_warning, NULL);
	otto_lab *lab = jt_load(&env, "veggies");
	otto_set_warning_handler(NULL, NULL);
	cr_assert_eq(lab->n_links, 4);
	cr_assert_str_eq(lab->links[0].protocol, "udp");
	assert_endpoint(&lab->links[1], 0, "carrot_seed", "bbeth-1350");
	cr_assert_str_eq(lab->links[2].protocol, "tcp");
	assert_endpoint(&lab->links[2], 0, "carrot_seed", "eth2");
	assert_endpoint(&lab->links[3], 0, "tomato_seed", "eth3");
	assert_endpoint(&lab->links[3], 1, "carrot_seed", "eth2");
	otto_lab_free(lab);
	/* busybox comes from the global source alone. */
	lab = jt_load(&env, "busybox");
	cr_assert_eq(lab->n_links, 2);
	assert_endpoint(&lab->links[1], 1, "bb1350_qemu", "eth0");
	otto_lab_free(lab);
	jt_env_free(&env);
}

static tu_result show(const char *dir, const char *lab, bool json)
{
	const char *argv[] = {OTTO_BIN, "lab", "show", lab, json ? "--json" : NULL, NULL};
	return tu_run(argv, dir, NULL, 30);
}

#define LINK_JSON(h1, i1, h2, i2, proto)                                                                              \
	"    {\n"                                                                                                      \
	"      \"endpoints\": [\n"                                                                                     \
	"        {\n"                                                                                                  \
	"          \"host\": \"" h1 "\",\n"                                                                            \
	"          \"interface\": \"" i1 "\"\n"                                                                        \
	"        },\n"                                                                                                 \
	"        {\n"                                                                                                  \
	"          \"host\": \"" h2 "\",\n"                                                                            \
	"          \"interface\": \"" i2 "\"\n"                                                                        \
	"        }\n"                                                                                                  \
	"      ],\n"                                                                                                   \
	"      \"protocol\": \"" proto "\"\n"                                                                          \
	"    }"

Test(json_links, otto_lab_show_prints_the_links)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml",
		      "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"" UPSTREAM "/tech1\", \"" UPSTREAM "/tech2\"]\n"));
	tu_result r = show(dir, "veggies", false);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "\n\nLinks:\n  carrot_seed:eth2 <-> tomato_seed:eth2 (udp)\n"
				     "  carrot_seed:bbeth-1350 <-> bb1350_qemu:eth0 (tcp)\n"),
		  "%s", r.out);
	tu_result_free(&r);

	r = show(dir, "embedded", false);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(!tu_contains(r.out, "Links"), "no Links section without links: %s", r.out);
	tu_result_free(&r);

	r = show(dir, "busybox", true);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "  \"links\": [\n" LINK_JSON("carrot_seed", "eth2", "tomato_seed", "eth2", "udp") ",\n" LINK_JSON(
					 "carrot_seed", "bbeth-1350", "bb1350_qemu", "eth0", "tcp") "\n"
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

/* A link's name, impair and management come out in --json next to
 * endpoints and protocol; text output shows the endpoints. */
Test(json_links, otto_lab_show_json_passes_link_fields_through)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml", "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n"));
	free(tu_write(dir, "lab.json", three_labs));
	tu_result r = show(dir, "z", true);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(tu_contains(r.out, "      \"protocol\": \"udp\",\n      \"name\": \"uplink\"\n    }\n"), "%s", r.out);
	tu_result_free(&r);
	r = show(dir, "x", true);
	cr_assert(tu_contains(r.out, "      \"protocol\": \"tcp\",\n      \"impair\": \"c\",\n      \"management\": \"m\\\"x\"\n"),
		  "%s", r.out);
	tu_result_free(&r);
	r = show(dir, "x", false);
	cr_assert(tu_contains(r.out, "\nLinks:\n  a:e1 <-> c:e1 (tcp)\n  b:e2 <-> d (udp)\n  a:e1 <-> b:e1 (tcp)\n"), "%s",
		  r.out);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}
