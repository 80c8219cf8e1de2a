/* The json lab repository over the real upstream lab files, unchanged. */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define UPSTREAM OTTO_FIXTURES_DIR "/upstream-lab-data"

static jt_env upstream(void)
{
	char *settings = jt_lab_settings("[\"" UPSTREAM "/tech1\", \"" UPSTREAM "/tech2\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	return env;
}

Test(json_upstream, list_labs_is_sorted_union_of_both_files)
{
	jt_env env = upstream();
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_OK, "%s", env.err.message);
	char *joined = jt_join(&labs);
	cr_assert_str_eq(joined, "busybox,embedded,fruits,veggies");
	free(joined);
	otto_strlist_free(&labs);
	jt_env_free(&env);
}

Test(json_upstream, veggies_holds_the_three_seeds)
{
	jt_env env = upstream();
	otto_lab *lab = jt_load(&env, "veggies");
	cr_assert_str_eq(lab->name, "veggies");
	cr_assert_eq(lab->n_hosts, 3);
	cr_assert_not_null(otto_lab_host(lab, "carrot_seed"));
	cr_assert_not_null(otto_lab_host(lab, "tomato_seed"));
	cr_assert_not_null(otto_lab_host(lab, "pepper_seed"));
	char *res = jt_join(&lab->resources);
	cr_assert_str_eq(res, "carrot,pepper,tomato");
	free(res);
	otto_lab_free(lab);
	jt_env_free(&env);
}

Test(json_upstream, ids_follow_the_id_rule)
{
	jt_env env = upstream();
	otto_lab *embedded = jt_load(&env, "embedded");
	const otto_host_rec *lfs = otto_lab_host(embedded, "sprout-lfs");
	cr_assert_not_null(lfs, "sprout_lfs must be sprout-lfs");
	cr_assert_str_eq(lfs->element, "sprout_lfs");
	cr_assert_str_eq(lfs->os_type, "zephyr");
	otto_lab *busybox = jt_load(&env, "busybox");
	const otto_host_rec *bb = otto_lab_host(busybox, "bb1350_qemu");
	cr_assert_not_null(bb);
	cr_assert_str_eq(bb->board, "qemu");
	cr_assert_not_null(otto_lab_host(busybox, "carrot_seed"), "carrot is in veggies and busybox");
	otto_lab *fruits = jt_load(&env, "fruits");
	const otto_host_rec *grape = otto_lab_host(fruits, "grape_seed");
	cr_assert_not_null(grape);
	cr_assert(grape->docker_capable);
	cr_assert_str_eq(grape->os_type, "unix", "os_type defaults to unix");
	otto_lab_free(embedded);
	otto_lab_free(busybox);
	otto_lab_free(fruits);
	jt_env_free(&env);
}

Test(json_upstream, every_field_is_kept)
{
	jt_env env = upstream();
	otto_lab *lab = jt_load(&env, "veggies");
	const otto_host_rec *carrot = otto_lab_host(lab, "carrot_seed");
	cr_assert_str_eq(carrot->ip, "10.10.200.11");
	cr_assert_eq(carrot->n_creds, 2);
	cr_assert_str_eq(carrot->creds[1].login, "test");
	cr_assert_str_eq(carrot->creds[1].password, "Password1");
	cr_assert(carrot->docker_capable);
	char *labs = jt_join(&carrot->labs);
	cr_assert_str_eq(labs, "veggies,busybox");
	free(labs);
	cr_assert_not_null(carrot->extra_json);
	cr_assert(tu_contains(carrot->extra_json, "\"interfaces\""), "%s", carrot->extra_json);
	cr_assert(tu_contains(carrot->extra_json, "\"bbeth-1350\""), "%s", carrot->extra_json);
	cr_assert(tu_contains(carrot->extra_json, "\"valid_transfers\""), "%s", carrot->extra_json);
	cr_assert(tu_contains(carrot->extra_json, "\"is_virtual\": true"), "%s", carrot->extra_json);
	cr_assert_not(tu_contains(carrot->extra_json, "\"element\""), "known fields are not repeated");
	cr_assert_eq(carrot->extra_json[0], '{');
	otto_lab_free(lab);
	jt_env_free(&env);
}

Test(json_upstream, unknown_lab_is_not_found)
{
	jt_env env = upstream();
	char *msg = jt_load_error(&env, "orchard", OTTO_ENOTFOUND);
	cr_assert(tu_contains(msg, "orchard"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_upstream, every_load_is_fresh_and_identical)
{
	jt_env env = upstream();
	otto_lab *a = jt_load(&env, "embedded"), *b = jt_load(&env, "embedded");
	cr_assert_neq(a, b);
	cr_assert_eq(a->n_hosts, b->n_hosts);
	for (size_t i = 0; i < a->n_hosts; i++)
		cr_assert_str_eq(a->hosts[i].id, b->hosts[i].id);
	otto_lab_free(a);
	otto_lab_free(b);
	jt_env_free(&env);
}

Test(json_upstream, summaries_agree_with_load_lab)
{
	jt_env env = upstream();
	otto_summary_list list;
	cr_assert(otto_lab_repository_has_summaries(env.lab));
	cr_assert_eq(otto_lab_repository_list_host_summaries(env.lab, &list, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert_eq(list.count, 16 + 3);
	size_t checked = 0;
	for (size_t i = 0; i < list.count; i++) {
		const otto_summary_rec *s = &list.items[i];
		for (size_t l = 0; l < s->labs.count; l++) {
			otto_lab *lab = jt_load(&env, s->labs.items[l]);
			const otto_host_rec *h = otto_lab_host(lab, s->id);
			cr_assert_not_null(h, "%s in %s", s->id, s->labs.items[l]);
			cr_assert_str_eq(h->ip, s->ip);
			cr_assert_str_eq(h->element, s->element);
			cr_assert_eq(h->element_id, s->element_id);
			cr_assert_eq(h->docker_capable, s->docker_capable);
			otto_lab_free(lab);
			checked++;
		}
	}
	cr_assert_eq(checked, 20, "carrot_seed is summarized once with both labs");
	otto_summary_list_free(&list);
	jt_env_free(&env);
}

Test(json_upstream, a_json_path_is_the_file_and_missing_paths_are_skipped)
{
	char *settings = jt_lab_settings("[\"missing-folder\", \"" UPSTREAM "/tech2/lab.json\", \"gone.json\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_OK, "%s", env.err.message);
	char *joined = jt_join(&labs);
	cr_assert_str_eq(joined, "fruits");
	free(joined);
	otto_strlist_free(&labs);
	jt_env_free(&env);
}

Test(json_upstream, relative_paths_resolve_against_the_repository_root)
{
	char *settings = jt_lab_settings("[\"lab_data\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	char *text = tu_read(UPSTREAM "/tech1/lab.json");
	free(jt_write(&env, "lab_data/lab.json", text));
	free(text);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_lab *lab = jt_load(&env, "veggies");
	cr_assert_eq(lab->n_hosts, 3);
	otto_lab_free(lab);
	jt_env_free(&env);
}

/* Upstream's summaries: one per host id across every file, sorted by id;
 * records sharing an id are merged (labs unioned in order met, the first
 * record's other fields); a broken file next to them is skipped, with a
 * warning naming it (load_lab fails on it instead). */
static char *warned;

static void keep_warning(const char *message, void *ud)
{
	(void)ud;
	free(warned);
	warned = strdup(message);
}

Test(json_upstream, summaries_merge_records_sharing_an_id_and_sort_by_id)
{
	char *settings = jt_lab_settings("[\"a\", \"b\", \"c\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	free(jt_write(&env, "a/lab.json",
		      "{\"hosts\": [{\"ip\": \"10.0.0.1\", \"creds\": [{\"login\": \"u\"}], \"element\": \"zed\", \"labs\": [\"x\"]},\n"
		      " {\"ip\": \"10.0.0.2\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": [\"x\", \"w\"]}]}"));
	free(jt_write(&env, "b/lab.json",
		      "{\"hosts\": [{\"ip\": \"10.0.0.3\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": [\"y\", \"x\"],"
		      " \"docker_capable\": true}]}"));
	free(jt_write(&env, "c/lab.json", "{\"hosts\": ["));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	otto_set_warning_handler(keep_warning, NULL);
	otto_summary_list list;
	int rc = otto_lab_repository_list_host_summaries(env.lab, &list, &env.err);
	otto_set_warning_handler(NULL, NULL);
	cr_assert_eq(rc, OTTO_OK, "%s", env.err.message);
	cr_assert_eq(list.count, 2);
	cr_assert_str_eq(list.items[0].id, "sw");
	char *labs = jt_join(&list.items[0].labs);
	cr_assert_str_eq(labs, "x,w,y");
	free(labs);
	cr_assert_str_eq(list.items[0].ip, "10.0.0.2", "the first record's fields");
	cr_assert(!list.items[0].docker_capable);
	cr_assert_str_eq(list.items[1].id, "zed");
	otto_summary_list_free(&list);
	cr_assert_not_null(warned, "the skipped file must be said");
	char *want = tu_fmt("skipped lab file %s/c/lab.json, which does not parse", env.root);
	cr_assert(tu_contains(warned, want), "want '%s' in: %s", want, warned);
	free(want);
	free(warned);
	warned = NULL;
	char *msg = jt_load_error(&env, "x", OTTO_ERROR);
	cr_assert(tu_contains(msg, "c/lab.json:1:"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}
