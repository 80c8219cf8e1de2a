/* Layered lab sources: [lab.sources.<label>] over the json backend. */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define UPSTREAM OTTO_FIXTURES_DIR "/upstream-lab-data"
#define TWO_SOURCES                                                                                                    \
	"[lab.sources.global]\nbackend = \"json\"\npaths = [\"" UPSTREAM "/tech1\", \"" UPSTREAM "/tech2\"]\n\n"                                     \
	"[lab.sources.local]\nbackend = \"json\"\npaths = [\"local\"]\n"

static char warnings[4096];

static void collect(const char *message, void *ud)
{
	(void)ud;
	strncat(warnings, message, sizeof warnings - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static jt_env layered(const char *local_lab_json)
{
	jt_env env = jt_env_new(TWO_SOURCES);
	free(jt_write(&env, "local/lab.json", local_lab_json));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	warnings[0] = '\0';
	otto_set_warning_handler(collect, NULL);
	return env;
}

static const char *const local_json =
    "{\"hosts\": [\n"
    " {\"ip\": \"10.9.9.9\", \"creds\": [{\"login\": \"local\"}], \"element\": \"carrot\", \"board\": \"seed\", \"resources\": [\"carrot-local\"],"
    "  \"labs\": [\"veggies\"]},\n"
    " {\"ip\": \"10.9.9.10\", \"creds\": [{\"login\": \"local\"}], \"element\": \"kale\", \"resources\": [\"kale\"], \"labs\": [\"greens\"]}]}\n";

Test(json_layered, list_labs_is_the_sorted_union)
{
	jt_env env = layered(local_json);
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_OK, "%s", env.err.message);
	char *s = jt_join(&labs);
	cr_assert_str_eq(s, "busybox,embedded,fruits,greens,veggies");
	free(s);
	otto_strlist_free(&labs);
	jt_env_free(&env);
}

Test(json_layered, a_later_source_replaces_the_whole_record_and_says_so)
{
	jt_env env = layered(local_json);
	otto_lab *lab = jt_load(&env, "veggies");
	cr_assert_eq(lab->n_hosts, 3);
	const otto_host_rec *carrot = otto_lab_host(lab, "carrot_seed");
	cr_assert_str_eq(carrot->ip, "10.9.9.9");
	cr_assert_eq(carrot->n_creds, 1, "the whole record is replaced, not merged");
	cr_assert_str_eq(carrot->creds[0].login, "local");
	cr_assert_null(carrot->extra_json);
	char *res = jt_join(&lab->resources);
	cr_assert_str_eq(res, "carrot-local,pepper,tomato", "resources come from the winning hosts");
	free(res);
	cr_assert_str_eq(warnings,
			 "lab source 'local' overrides host 'carrot_seed' of lab 'veggies' from lab source 'global'\n");
	otto_lab_free(lab);
	jt_env_free(&env);
}

Test(json_layered, not_found_in_one_source_is_fine)
{
	jt_env env = layered(local_json);
	otto_lab *lab = jt_load(&env, "greens");
	cr_assert_eq(lab->n_hosts, 1);
	otto_lab_free(lab);
	lab = jt_load(&env, "fruits");
	cr_assert_eq(lab->n_hosts, 3);
	otto_lab_free(lab);
	cr_assert_str_eq(warnings, "");
	char *msg = jt_load_error(&env, "orchard", OTTO_ENOTFOUND);
	cr_assert(tu_contains(msg, "no lab 'orchard' in any lab source (global, local)"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_layered, any_other_error_fails_the_load)
{
	jt_env env = layered("{\"hosts\": [\n{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"x\", \"labs\": [\"greens\"]}\n");
	char *msg = jt_load_error(&env, "fruits", OTTO_ERROR);
	cr_assert(tu_contains(msg, "lab source 'local' (backend 'json')"), "%s", msg);
	cr_assert(tu_contains(msg, "JSON syntax error"), "%s", msg);
	free(msg);
	/* Listing skips the broken file, as upstream's does, and says so. */
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert(tu_contains(warnings, "skipped lab file"), "%s", warnings);
	cr_assert(tu_contains(warnings, "local/lab.json"), "%s", warnings);
	otto_strlist_free(&labs);
	jt_env_free(&env);
}

Test(json_layered, summaries_follow_the_overrides)
{
	jt_env env = layered(local_json);
	otto_summary_list list;
	cr_assert_eq(otto_lab_repository_host_summaries(env.lab, &list, &env.err), OTTO_OK, "%s", env.err.message);
	bool seen_kale = false;
	for (size_t i = 0; i < list.count; i++)
		if (strcmp(list.items[i].id, "kale") == 0)
			seen_kale = true;
	cr_assert(seen_kale);
	otto_summary_list_free(&list);
	jt_env_free(&env);
}

Test(json_layered, settings_errors)
{
	/* Both forms at once: refused when the settings are read, with the lines. */
	char *dir = tu_mkdtemp();
	char *path = tu_write(dir, ".otto/settings.toml",
			      "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"x\"]\n" TWO_SOURCES);
	otto_settings *settings = NULL;
	otto_error err;
	cr_assert_eq(otto_settings_load(&settings, path, &err), OTTO_ESETTINGS);
	cr_assert(tu_contains(err.message, "settings.toml:5: [lab.sources.global]") &&
		      tu_contains(err.message, "'backend' in [lab] (line 2)"),
		  "%s", err.message);
	free(path);
	tu_rm_rf(dir);
	free(dir);
	jt_env env;
	env = jt_env_new("[lab.sources.global]\nbackend = \"json\"\npaths = [\"g\"]\n"
			 "[lab.sources.local]\nbackend = \"json\"\npathz = [\"l\"]\n");
	cr_assert_eq(jt_open_lab(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "lab source 'local' (backend 'json')"), "%s", env.err.message);
	cr_assert(tu_contains(env.err.message, "unknown key 'pathz'"), "%s", env.err.message);
	jt_env_free(&env);
	env = jt_env_new("[lab.sources.global]\nbackend = \"jsno\"\n");
	cr_assert_neq(jt_open_lab(&env), OTTO_OK);
	cr_assert(tu_contains(env.err.message, "lab source 'global' (backend 'jsno')"), "%s", env.err.message);
	cr_assert(tu_contains(env.err.message, "Did you mean 'json'?"), "%s", env.err.message);
	jt_env_free(&env);
}
