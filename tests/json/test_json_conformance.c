/*
 * The real otto-conformance over the json backends with ground truth: the
 * lab repository over the upstream fixtures, the reservation backend over a
 * reservations.json, and a two-source layering of them checked through
 * --from-settings (how `otto` builds it). Each run has a negative control
 * that must fail, so that a runner that skipped the ground-truth rules, or
 * a layering that never loaded the second source, cannot pass unnoticed.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define UPSTREAM OTTO_FIXTURES_DIR "/upstream-lab-data"
#define JSON_SO OTTO_PLUGIN_BUILD_DIR "/json.so"

/* alice holds the three seeds of veggies, bob only carrot; carol's entry expired. */
static const char RESERVATIONS[] =
    "{\"version\": 1, \"reservations\": [\n"
    "  {\"user\": \"alice\", \"resources\": [\"carrot\", \"tomato\"]},\n"
    "  {\"user\": \"bob\", \"resources\": [\"carrot\"], \"expires\": \"2999-01-01T00:00:00Z\"},\n"
    "  {\"user\": \"alice\", \"resources\": [\"pepper\"], \"expires\": \"2999-01-01T00:00:00+02:00\"},\n"
    "  {\"user\": \"carol\", \"resources\": [\"pepper\"], \"expires\": \"2000-01-01T00:00:00Z\"}]}\n";

/* The second source overrides carrot_seed of the first and adds kale to veggies. */
static const char LOCAL_LAB[] =
    "{\"hosts\": [\n"
    "  {\"element\": \"carrot\", \"board\": \"seed\", \"ip\": \"10.9.9.9\", \"labs\": [\"veggies\"],\n"
    "   \"creds\": [{\"login\": \"root\"}], \"resources\": [\"carrot\"]},\n"
    "  {\"element\": \"kale\", \"ip\": \"10.9.9.10\", \"creds\": [{\"login\": \"root\"}], \"labs\": [\"veggies\", "
    "\"greens\"], \"resources\": [\"kale\"]}]}\n";

typedef struct repo {
	char *root;
	char *settings; /* path of .otto/settings.toml */
} repo;

/* A repository folder with reservations.json, local/lab.json and the given settings. */
static repo repo_new(const char *settings)
{
	repo r;
	r.root = tu_mkdtemp();
	free(tu_write(r.root, "reservations.json", RESERVATIONS));
	free(tu_write(r.root, "local/lab.json", LOCAL_LAB));
	r.settings = tu_write(r.root, ".otto/settings.toml", settings);
	return r;
}

static void repo_free(repo *r)
{
	tu_rm_rf(r->root);
	free(r->root);
	free(r->settings);
}

/* The TAP line of `rule` for the backend described by `backend` (e.g.
 * "lab backend 'json'"), or NULL. */
static const char *tap_line(const char *tap, const char *rule, const char *backend, size_t *len)
{
	char *needle = tu_fmt(" - %s %s:", rule, backend);
	const char *at = strstr(tap, needle);
	free(needle);
	if (!at)
		return NULL;
	while (at > tap && at[-1] != '\n')
		at--;
	*len = strcspn(at, "\n");
	return at;
}

/* Each of `rules` (comma-separated) ran for `backend` and passed: "ok", no SKIP. */
static void expect_ran_and_passed(const tu_result *r, const char *backend, const char *rules)
{
	char *list = strdup(rules), *save = NULL;
	for (char *rule = strtok_r(list, ",", &save); rule; rule = strtok_r(NULL, ",", &save)) {
		size_t len = 0;
		const char *line = tap_line(r->out, rule, backend, &len);
		cr_assert(line, "no TAP line for %s of %s:\n%s", rule, backend, r->out);
		cr_expect(strncmp(line, "ok ", 3) == 0, "%s of %s did not pass: %.*s", rule, backend, (int)len, line);
		cr_expect(!memmem(line, len, "# SKIP", 6), "%s of %s was skipped: %.*s", rule, backend, (int)len, line);
	}
	free(list);
}

static void expect_failed_rules(const tu_result *r, int status, const char *rules)
{
	char *failed = ct_failed_rules(r->out);
	cr_expect_str_eq(failed, rules, "failed rules %s, want %s\n%s\n%s", failed, rules, r->out, r->err);
	cr_expect_eq(r->status, status, "exit %d, want %d\n%s", r->status, status, r->err);
	free(failed);
}

static char *json_lab_settings(void)
{
	/* upstream's folders, each named: neither otto searches sub-folders */
	return tu_fmt("[lab]\nbackend = \"json\"\n\n[lab.json]\npaths = [\"%s/tech1\", \"%s/tech2\"]\n", UPSTREAM, UPSTREAM);
}

/* otto-conformance json.so --kind lab with ground truth `expect` (NULL-terminated labs). */
static tu_result run_lab(const repo *r, const char *const *expect)
{
	const char *args[32] = {JSON_SO, "--settings", r->settings, "--kind", "lab", "--format", "tap"};
	size_t n = 7;
	for (size_t i = 0; expect[i]; i++) {
		args[n++] = "--expect-lab";
		args[n++] = expect[i];
	}
	args[n] = NULL;
	return ct_run(args);
}

Test(json_conformance, lab_repository_over_upstream_fixtures)
{
	char *settings = json_lab_settings();
	repo r = repo_new(settings);
	static const char *const expect[] = {"busybox", "embedded", "fruits", "veggies", NULL};
	tu_result res = run_lab(&r, expect);
	expect_failed_rules(&res, 0, "");
	expect_ran_and_passed(&res, "lab backend 'json'", "L13,L14");
	/* The json backend advertises host summaries: their agreement rules ran too. */
	expect_ran_and_passed(&res, "lab backend 'json'", "S1,S7,S8,S9,S10,S11,S12,S13");
	/* The upstream fixtures have links: L15 ran too. */
	expect_ran_and_passed(&res, "lab backend 'json'", "L15");
	cr_expect(tu_contains(res.out, "# 38 passed, 0 failed, 0 skipped (0 blocked"), "%s", res.out);
	tu_result_free(&res);
	repo_free(&r);
	free(settings);
}

Test(json_conformance, lab_repository_negative_control)
{
	char *settings = json_lab_settings();
	repo r = repo_new(settings);
	static const char *const expect[] = {"veggies", "orchard", NULL};
	tu_result res = run_lab(&r, expect);
	/* L13: not listed; L14: does not load (not-found). */
	expect_failed_rules(&res, 1, "L13,L14");
	cr_expect(tu_contains(res.out, "orchard"), "%s", res.out);
	tu_result_free(&res);
	repo_free(&r);
	free(settings);
}

static char *json_res_settings(void)
{
	return strdup("[reservations]\nbackend = \"json\"\n\n[reservations.json]\npath = \"reservations.json\"\n");
}

/* otto-conformance json.so --kind reservation with --known-user `user` and known resources `res`. */
static tu_result run_res(const repo *r, const char *user, const char *const *res)
{
	const char *args[32] = {JSON_SO,    "--settings", r->settings,	  "--kind", "reservation",
				"--format", "tap",	  "--known-user", user};
	size_t n = 9;
	for (size_t i = 0; res[i]; i++) {
		args[n++] = "--known-resource";
		args[n++] = res[i];
	}
	args[n] = NULL;
	return ct_run(args);
}

Test(json_conformance, reservation_backend_with_ground_truth)
{
	char *settings = json_res_settings();
	repo r = repo_new(settings);
	static const char *const held[] = {"carrot", "tomato", "pepper", NULL};
	tu_result res = run_res(&r, "alice", held);
	expect_failed_rules(&res, 0, "");
	expect_ran_and_passed(&res, "reservation backend 'json'", "R11,R12,R13");
	/* Both optional capabilities are advertised and checked. */
	expect_ran_and_passed(&res, "reservation backend 'json'", "W1,W5,W6,U1,U2");
	tu_result_free(&res);
	repo_free(&r);
	free(settings);
}

Test(json_conformance, reservation_backend_negative_control)
{
	char *settings = json_res_settings();
	repo r = repo_new(settings);
	/* bob holds carrot only; carol's pepper expired. */
	static const char *const not_held[] = {"carrot", "tomato", NULL};
	tu_result res = run_res(&r, "bob", not_held);
	expect_failed_rules(&res, 1, "R11,R12");
	cr_expect(tu_contains(res.out, "tomato"), "%s", res.out);
	tu_result_free(&res);
	static const char *const expired[] = {"pepper", NULL};
	res = run_res(&r, "carol", expired);
	expect_failed_rules(&res, 1, "R11,R12");
	tu_result_free(&res);
	repo_free(&r);
	free(settings);
}

/* Two json sources (the upstream fixtures, then local/lab.json) and the json reservation backend. */
static char *layered_settings(void)
{
	return tu_fmt("[lab.sources.global]\nbackend = \"json\"\npaths = [\"%s/tech1\", \"%s/tech2\"]\n\n"
		      "[lab.sources.local]\nbackend = \"json\"\npaths = [\"local\"]\n\n"
		      "[reservations]\nbackend = \"json\"\n\n[reservations.json]\npath = \"reservations.json\"\n",
		      UPSTREAM, UPSTREAM);
}

static tu_result run_layered(const repo *r, const char *extra_lab)
{
	const char *args[40] = {"--from-settings",
				"--settings",
				r->settings,
				"--plugin-dir",
				OTTO_PLUGIN_BUILD_DIR,
				"--format",
				"tap",
				"--expect-lab",
				"busybox",
				"--expect-lab",
				"embedded",
				"--expect-lab",
				"fruits",
				"--expect-lab",
				"veggies",
				"--expect-lab",
				"greens",
				"--known-user",
				"alice",
				"--known-resource",
				"carrot",
				"--known-resource",
				"pepper"};
	size_t n = 23;
	if (extra_lab) {
		args[n++] = "--expect-lab";
		args[n++] = extra_lab;
	}
	args[n] = NULL;
	return ct_run(args);
}

Test(json_conformance, layered_sources_from_settings)
{
	char *settings = layered_settings();
	repo r = repo_new(settings);
	tu_result res = run_layered(&r, NULL);
	expect_failed_rules(&res, 0, "");
	char *lab = tu_fmt("lab backend selected by %s", r.settings);
	char *rsv = tu_fmt("reservation backend selected by %s", r.settings);
	/* greens exists only in the second source: L13/L14 passing shows both were read. */
	expect_ran_and_passed(&res, lab, "L4,L6,L10,L11,L12,L13,L14");
	expect_ran_and_passed(&res, rsv, "R11,R12,R13");
	/* The override really happened, and was said. */
	cr_expect(tu_contains(res.err, "otto: warning: lab source 'local' overrides host 'carrot_seed' of lab "
				       "'veggies' from lab source 'global'"),
		  "%s", res.err);
	free(lab);
	free(rsv);
	tu_result_free(&res);
	repo_free(&r);
	free(settings);
}

Test(json_conformance, layered_sources_negative_controls)
{
	char *settings = layered_settings();
	repo r = repo_new(settings);
	tu_result res = run_layered(&r, "orchard");
	expect_failed_rules(&res, 1, "L13,L14");
	tu_result_free(&res);

	/* A dead second source is never dropped: every lab call fails with its label. */
	free(tu_write(r.root, "local/lab.json", "{\"hosts\": [\n"));
	res = run_layered(&r, NULL);
	cr_expect_eq(res.status, 1, "exit %d\n%s\n%s", res.status, res.out, res.err);
	cr_expect(tu_contains(res.out, "not ok") && tu_contains(res.out, "- L4 "), "%s", res.out);
	cr_expect(tu_contains(res.out, "lab source 'local' (backend 'json')"), "%s", res.out);
	tu_result_free(&res);
	repo_free(&r);
	free(settings);
}
