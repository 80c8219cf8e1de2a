/* Every error of the json lab repository, each message asserted. */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A unix host record as upstream requires it (ip, a cred) plus `fields`;
 * the cred comes last so that errors inside `fields` are the first ones. */
#define HOST(fields) "{\"ip\": \"10.0.0.1\", \"labs\": [\"a\"], " fields ", \"creds\": [{\"login\": \"u\"}]}"

static void assert_load_fails(const char *hosts, const char *lab, const char *const *needles)
{
	jt_env env = jt_lab_env(hosts);
	char *msg = jt_load_error(&env, lab, OTTO_ERROR);
	for (size_t i = 0; needles[i]; i++)
		cr_assert(tu_contains(msg, needles[i]), "want '%s' in: %s", needles[i], msg);
	free(msg);
	jt_env_free(&env);
}

static jt_env env_with_file(const char *text)
{
	char *settings = jt_lab_settings("[\"lab.json\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	free(jt_write(&env, "lab.json", text));
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	return env;
}

static char warned[4096];

static void collect(const char *message, void *ud)
{
	(void)ud;
	strncat(warned, message, sizeof warned - strlen(warned) - 2);
	strcat(warned, "\n");
}

/* A file that does not parse: list_labs skips it, as upstream's does, and
 * its warning says which file and why (returned); loads fail on it. */
static char *list_labs_error(jt_env *env)
{
	otto_strlist labs;
	warned[0] = '\0';
	otto_set_warning_handler(collect, NULL);
	int rc = otto_lab_repository_list_labs(env->lab, &labs, &env->err);
	otto_set_warning_handler(NULL, NULL);
	cr_assert_eq(rc, OTTO_OK, "list_labs skips a broken file: %s", env->err.message);
	cr_assert_eq(labs.count, 0);
	otto_strlist_free(&labs);
	cr_assert(tu_contains(warned, "lab backend 'json': skipped lab file "), "%s", warned);
	return strdup(warned);
}

Test(json_lab_errors, syntax_error_names_file_line_and_column)
{
	jt_env env = env_with_file("{\n  \"hosts\": [\n    {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"a\" \"labs\": []}\n  ]\n}\n");
	char *msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "lab.json:3:"), "%s", msg);
	cr_assert(tu_contains(msg, "JSON syntax error"), "%s", msg);
	free(msg);
	msg = jt_load_error(&env, "a", OTTO_ERROR);
	cr_assert(tu_contains(msg, "lab.json:3:"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_lab_errors, truncated_file_is_a_syntax_error)
{
	jt_env env = env_with_file("{\"hosts\": [\n{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"a\"");
	char *msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "lab.json:2:"), "%s", msg);
	cr_assert(tu_contains(msg, "JSON syntax error"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_lab_errors, unknown_top_level_key)
{
	jt_env env = env_with_file("{\"hosts\": [],\n \"hostz\": []}");
	char *msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "lab.json:2:"), "%s", msg);
	cr_assert(tu_contains(msg, "unknown top-level key 'hostz'"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_lab_errors, ignored_top_level_keys_and_links)
{
	jt_env env = env_with_file("{\"$schema\": \"x\", \"_comment\": {\"a\": [1]}, \"hosts\": [" HOST(
	    "\"element\": \"e\", \"_note\": \"skip me\", \"toolchain\": {\"tools\": [1, {\"b\": null}]}") ","
	    "{\"ip\": \"\", \"element\": \"f\", \"os_type\": \"embedded\", \"labs\": [\"b\"]}],"
											 "\"links\": [{\"endpoints\": "
											 "[{\"host\": \"e\"}, {\"host\": \"f\"}], \"_c\": 1}]}");
	otto_lab *lab = jt_load(&env, "a");
	cr_assert_eq(lab->n_hosts, 1);
	cr_assert_str_eq(lab->hosts[0].extra_json, "{\"toolchain\": {\"tools\": [1, {\"b\": null}]}}");
	cr_assert_eq(lab->n_links, 1);
	cr_assert_null(lab->links[0].extra_json, "_c is ignored");
	otto_lab_free(lab);
	jt_env_free(&env);
}

Test(json_lab_errors, top_level_shapes)
{
	jt_env env = env_with_file("[1, 2]");
	char *msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "top level must be an object"), "%s", msg);
	free(msg);
	jt_env_free(&env);
	env = env_with_file("{\"hosts\": {}}");
	msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "'hosts' must be an array"), "%s", msg);
	free(msg);
	jt_env_free(&env);
	env = env_with_file("{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"a\"}, 7]}");
	msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "hosts[1] must be an object"), "%s", msg);
	free(msg);
	jt_env_free(&env);
	env = env_with_file("{\"links\": 3}");
	msg = list_labs_error(&env);
	cr_assert(tu_contains(msg, "'links' must be an array"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_lab_errors, element_id_whole_numbers)
{
	jt_env env = jt_lab_env(HOST("\"element\": \"dut\", \"element_id\": 3.0, \"board\": \"b\", \"slot\": 2"));
	otto_lab *lab = jt_load(&env, "a");
	cr_assert_not_null(otto_lab_host(lab, "dut3_b2"));
	otto_lab_free(lab);
	jt_env_free(&env);
	assert_load_fails(HOST("\"element\": \"dut\"") ",\n" HOST("\"element\": \"dut\", \"element_id\": 3.5"), "a",
			  (const char *const[]){"lab.json:4:", "hosts[1]", "'element_id' must be a whole number, got 3.5", NULL});
	assert_load_fails(HOST("\"element\": \"dut\", \"element_id\": -1"), "a",
			  (const char *const[]){"hosts[0]", "'element_id' must be >= 0, got -1", NULL});
	assert_load_fails(HOST("\"element\": \"dut\", \"board\": \"b\", \"slot\": \"two\""), "a",
			  (const char *const[]){"hosts[0]", "'slot' must be a whole number, got \"two\"", NULL});
}

Test(json_lab_errors, element_and_board_must_slug)
{
	assert_load_fails(HOST("\"element\": \"!!!\""), "a",
			  (const char *const[]){"hosts[0]", "'element' \"!!!\" slugs to nothing", NULL});
	assert_load_fails(HOST("\"element\": \"x\", \"board\": \"--\""), "a",
			  (const char *const[]){"hosts[0]", "'board' \"--\" slugs to nothing", NULL});
	assert_load_fails(HOST("\"board\": \"b\""), "a", (const char *const[]){"hosts[0]", "missing 'element'", NULL});
	assert_load_fails(HOST("\"element\": 5"), "a",
			  (const char *const[]){"hosts[0]", "'element' must be a string, got a number", NULL});
}

Test(json_lab_errors, field_types)
{
	assert_load_fails(HOST("\"element\": \"x\", \"resources\": [\"r\", 3]"), "a",
			  (const char *const[]){"hosts[0]", "'resources' must be an array of strings", "[1]", NULL});
	assert_load_fails(HOST("\"element\": \"x\", \"docker_capable\": \"maybe\""), "a",
			  (const char *const[]){"hosts[0]", "'docker_capable' must be a boolean, got maybe", NULL});
	assert_load_fails(HOST("\"element\": \"x\", \"creds\": [{\"login\": \"a\", \"token\": \"t\"}]"), "a",
			  (const char *const[]){"hosts[0]", "'creds[0]' has unknown key 'token'", NULL});
	assert_load_fails(HOST("\"element\": \"x\", \"creds\": [{\"password\": \"p\"}]"), "a",
			  (const char *const[]){"hosts[0]", "'creds[0]' has no 'login'", NULL});
	assert_load_fails(HOST("\"element\": \"x\", \"ip\": {\"v4\": 1}"), "a",
			  (const char *const[]){"hosts[0]", "'ip' is given twice", NULL});
	assert_load_fails("{\"element\": \"x\", \"labs\": [\"a\"], \"ip\": {\"v4\": 1}, \"creds\": [{\"login\": \"u\"}]}",
			  "a", (const char *const[]){"hosts[0]", "'ip' must be a string, got an object", NULL});
	assert_load_fails(HOST("\"element\": \"x\", \"element\": \"y\""), "a",
			  (const char *const[]){"hosts[0]", "'element' is given twice", NULL});
}

Test(json_lab_errors, bad_labs_poisons_every_lab_of_the_file)
{
	jt_env env = jt_lab_env("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"x\", \"labs\": [\"b\"]},\n{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"y\", \"labs\": \"a\"}");
	char *msg = jt_load_error(&env, "b", OTTO_ERROR);
	cr_assert(tu_contains(msg, "hosts[1]: 'labs' must be an array of strings, got a string"), "%s", msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_lab_errors, a_bad_record_fails_only_its_labs)
{
	jt_env env = jt_lab_env("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"ok\", \"labs\": [\"good\"]},\n"
				"{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"bad\", \"element_id\": 1.5, \"labs\": [\"broken\"]}");
	otto_lab *lab = jt_load(&env, "good");
	cr_assert_eq(lab->n_hosts, 1);
	otto_lab_free(lab);
	char *msg = jt_load_error(&env, "broken", OTTO_ERROR);
	cr_assert(tu_contains(msg, "hosts[1]"), "%s", msg);
	free(msg);
	otto_summary_list list;
	cr_assert_eq(otto_lab_repository_list_host_summaries(env.lab, &list, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert_eq(list.count, 1, "the malformed record is skipped");
	cr_assert_str_eq(list.items[0].id, "ok");
	otto_summary_list_free(&list);
	jt_env_free(&env);
}

Test(json_lab_errors, duplicate_id_in_one_lab_names_both_records)
{
	assert_load_fails(
	    HOST("\"element\": \"Lab X\"") ",\n" HOST("\"element\": \"ok\"") ",\n" HOST("\"element\": \"lab-x\""), "a",
	    (const char *const[]){"duplicate host id 'lab-x'", "lab.json:3 hosts[0]", "lab.json:5 hosts[2]", NULL});
	/* The same id in two different labs is fine. */
	jt_env env = jt_lab_env("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"x\", \"labs\": [\"a\"]}, {\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"x\", \"labs\": [\"b\"]}");
	otto_lab *lab = jt_load(&env, "a");
	otto_lab_free(lab);
	lab = jt_load(&env, "b");
	otto_lab_free(lab);
	jt_env_free(&env);
}

Test(json_lab_errors, errors_come_back_on_every_load)
{
	/* The ids and id order kept with the parse never hide an error: a bad
	 * record and a duplicate fail the second load exactly like the first. */
	jt_env env = jt_lab_env(HOST("\"element\": \"x\"") ",\n" HOST(
	    "\"element\": \"X\"") ",\n"
				  "{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"bad\", \"slot\": -1, \"labs\": [\"b\"]}");
	for (int round = 0; round < 2; round++) {
		char *dup = jt_load_error(&env, "a", OTTO_ERROR);
		cr_expect(tu_contains(dup, "duplicate host id 'x'") && tu_contains(dup, "hosts[0]") &&
			      tu_contains(dup, "hosts[1]"),
			  "round %d: %s", round, dup);
		free(dup);
		char *bad = jt_load_error(&env, "b", OTTO_ERROR);
		cr_expect(tu_contains(bad, "hosts[2]: 'slot' must be >= 0, got -1"), "round %d: %s",
			  round, bad);
		free(bad);
	}
	jt_env_free(&env);
}

Test(json_lab_errors, long_ids_are_kept_whole)
{
	/* libotto computes ids on its stack up to 255 characters, longer ones on the heap. */
	char element[301];
	memset(element, 'e', 300);
	element[300] = '\0';
	char *hosts = tu_fmt("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"%s\", \"element_id\": 7, \"labs\": [\"a\"]}, "
			     "{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"short\", \"labs\": [\"a\"]}",
			     element);
	jt_env env = jt_lab_env(hosts);
	otto_lab *lab = jt_load(&env, "a");
	char *id = tu_fmt("%s7", element);
	cr_assert_eq(lab->n_hosts, 2);
	cr_expect_str_eq(lab->hosts[0].id, id);
	cr_expect_str_eq(lab->hosts[0].key, id);
	cr_expect_str_eq(lab->hosts[1].id, "short");
	otto_lab_free(lab);
	free(id);
	free(hosts);
	jt_env_free(&env);
}

Test(json_lab_errors, an_edit_is_seen_by_the_next_load)
{
	jt_env env = jt_lab_env(HOST("\"element\": \"one\""));
	otto_lab *lab = jt_load(&env, "a");
	cr_assert_not_null(otto_lab_host(lab, "one"));
	otto_lab_free(lab);
	free(jt_write(&env, "lab.json", "{\"hosts\": [" HOST("\"element\": \"two\"") "]}"));
	lab = jt_load(&env, "a");
	cr_assert_not_null(otto_lab_host(lab, "two"), "a re-written file is read again");
	otto_lab_free(lab);
	jt_env_free(&env);
}

Test(json_lab_errors, unreadable_lab_file)
{
	jt_env env = env_with_file("{}");
	char *dir = tu_fmt("%s/lab.json", env.root);
	remove(dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	/* Not a file that fails to parse but a dead source: every call fails
	 * (upstream would skip it: deviation D1 of docs/upstream.md). */
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_ERROR);
	char *msg = strdup(env.err.message);
	cr_assert(tu_contains(msg, "lab.json is a folder, not a regular file"), "%s", msg);
	free(msg);
	free(dir);
	jt_env_free(&env);
}

Test(json_lab_errors, settings_errors)
{
	jt_env env = jt_env_new("[lab]\nbackend = \"json\"\n");
	cr_assert_eq(jt_open_lab(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "[lab.json] needs 'paths'"), "%s", env.err.message);
	jt_env_free(&env);
	env = jt_env_new("[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"x\"]\npath = \"y\"\n");
	cr_assert_eq(jt_open_lab(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "settings.toml:5: unknown key 'path' in [lab.json]"), "%s",
		  env.err.message);
	jt_env_free(&env);
	env = jt_env_new("[lab]\nbackend = \"json\"\n[lab.json]\npaths = 3\n");
	cr_assert_eq(jt_open_lab(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "settings.toml:4: [lab.json] 'paths' must be an array of strings"), "%s",
		  env.err.message);
	jt_env_free(&env);
}
