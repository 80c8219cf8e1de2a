/*
 * \u0000 inside a JSON string of lab.json or reservations.json: a name that
 * holds a NUL would be cut there by every C string that carries it
 * ("alice\u0000mallory" read as "alice"), so every field otto-c reads
 * refuses it, with an error naming the file, the line and the field.
 */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Load lab `lab` of a lab.json whose hosts array is `hosts`: it fails, and
 * the message holds each needle. */
static void assert_lab_refused(const char *hosts, const char *lab, const char *const *needles)
{
	jt_env env = jt_lab_env(hosts);
	char *msg = jt_load_error(&env, lab, OTTO_ERROR);
	for (size_t i = 0; needles[i]; i++)
		cr_assert(tu_contains(msg, needles[i]), "want '%s' in: %s", needles[i], msg);
	free(msg);
	jt_env_free(&env);
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(json_nul, element_board_ip_and_os_type)
{
	/* jt_lab_env puts the record on line 3. */
	assert_lab_refused("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\\u0000itch\", \"labs\": [\"a\"]}", "a",
			   NEEDLES("lab.json:3: hosts[0]: 'element' holds a NUL character (\\u0000)"));
	assert_lab_refused("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"board\": \"b\\u0000\", \"labs\": [\"a\"]}", "a",
			   NEEDLES("lab.json:3: hosts[0]: 'board' holds a NUL character"));
	assert_lab_refused("{\"element\": \"sw\", \"ip\": \"10.0.0.1\\u0000evil\", \"labs\": [\"a\"]}", "a",
			   NEEDLES("lab.json:3: hosts[0]: 'ip' holds a NUL character"));
	assert_lab_refused("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"os_type\": \"\\u0000\", \"labs\": [\"a\"]}", "a",
			   NEEDLES("lab.json:3: hosts[0]: 'os_type' holds a NUL character"));
}

Test(json_nul, resources_and_creds)
{
	assert_lab_refused("{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": [\"a\"], \"resources\": [\"ok\", \"rack\\u00003\"]}", "a",
			   NEEDLES("lab.json:3: hosts[0]: 'resources'[1] holds a NUL character"));
	assert_lab_refused("{\"element\": \"sw\", \"labs\": [\"a\"], \"creds\": [{\"login\": \"root\\u0000\"}]}", "a",
			   NEEDLES("lab.json:3: hosts[0]: 'creds[0].login' holds a NUL character"));
	assert_lab_refused(
	    "{\"element\": \"sw\", \"labs\": [\"a\"], \"creds\": [{\"login\": \"root\", \"password\": \"p\\u0000w\"}]}", "a",
	    NEEDLES("lab.json:3: hosts[0]: 'creds[0].password' holds a NUL character"));
}

/* "x" and "x\u0000am" share a slot of the lab name table (FNV-1a, 64
 * slots): comparing them read past the end of "x" (AddressSanitizer:
 * heap-buffer-overflow), and the second name could be taken for the first.
 * Which labs the record is in cannot be known, so no lab of the file loads. */
Test(json_nul, a_lab_name_poisons_the_file)
{
	const char *hosts = "{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": [\"x\", \"x\\u0000am\"]},\n"
			    "{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"other\", \"labs\": [\"y\"]}";
	assert_lab_refused(hosts, "x", NEEDLES("lab.json:3: hosts[0]: 'labs'[1] holds a NUL character (\\u0000)"));
	assert_lab_refused(hosts, "y", NEEDLES("so no lab of this file can be trusted"));
	jt_env env = jt_lab_env(hosts);
	otto_strlist labs = {0};
	cr_assert_eq(otto_lab_repository_list_labs(env.lab, &labs, &env.err), OTTO_OK, "%s", env.err.message);
	char *joined = jt_join(&labs);
	cr_assert_str_eq(joined, "x,y", "the name with a NUL is not listed: %s", joined);
	free(joined);
	otto_strlist_free(&labs);
	jt_env_free(&env);
}

/* Two hosts of lab a, so that a link touches the lab through the endpoint
 * that holds no NUL (upstream skips a link touching no host of the lab). */
#define NUL_HOSTS                                                                                                      \
	"{\"hosts\": [{\"ip\": \"10.0.0.1\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": [\"a\"]}, "   \
	"{\"ip\": \"10.0.0.2\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw2\", \"labs\": [\"a\"]}],\n"

static void assert_link_nul(const char *link, const char *needle)
{
	char *settings = jt_lab_settings("[\"lab.json\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	char *text = tu_fmt(NUL_HOSTS " \"links\": [%s]}\n", link);
	free(jt_write(&env, "lab.json", text));
	free(text);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	char *msg = jt_load_error(&env, "a", OTTO_ERROR);
	cr_assert(tu_contains(msg, "lab.json:2:"), "%s: %s", link, msg);
	cr_assert(tu_contains(msg, needle), "%s: want '%s' in: %s", link, needle, msg);
	free(msg);
	jt_env_free(&env);
}

Test(json_nul, link_fields)
{
	assert_link_nul("{\"endpoints\": [{\"host\": \"sw2\"}, {\"host\": \"sw\\u0000x\"}]}",
			"links[0]: endpoints[1]: 'host' holds a NUL character (\\u0000)");
	assert_link_nul("{\"endpoints\": [{\"host\": \"sw\", \"interface\": \"eth\\u00000\"}, {\"host\": \"sw2\"}]}",
			"links[0]: endpoints[0]: 'interface' holds a NUL character (\\u0000)");
	assert_link_nul("{\"endpoints\": [{\"host\": \"sw\"}, {\"host\": \"sw2\"}], \"protocol\": \"u\\u0000dp\"}",
			"links[0]: 'protocol' holds a NUL character (\\u0000)");
	assert_link_nul("{\"endpoints\": [{\"host\": \"sw\"}, {\"host\": \"sw2\"}], \"impair\": \"x\\u0000\"}",
			"links[0]: 'impair' holds a NUL character (\\u0000)");
}

/* A pass-through field is not a name: it keeps its \u0000, as written. */
Test(json_nul, pass_through_fields_keep_it)
{
	jt_env env = jt_lab_env("{\"ip\": \"10.0.0.1\", \"creds\": [{\"login\": \"u\"}], \"element\": \"sw\", \"labs\": "
				"[\"a\"], \"hw_version\": \"a\\u0000b\"}");
	otto_lab *lab = jt_load(&env, "a");
	cr_assert_str_eq(lab->hosts[0].extra_json, "{\"hw_version\": \"a\\u0000b\"}");
	otto_lab_free(lab);
	jt_env_free(&env);
}

static char *reservations_repo(const char *reservations)
{
	char *dir = tu_mkdtemp();
	free(tu_write(dir, ".otto/settings.toml",
		      "[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n\n[reservations]\nbackend = "
		      "\"json\"\n[reservations.json]\npath = \"reservations.json\"\n"));
	free(tu_write(dir, "lab.json", "{\"hosts\": [{\"ip\": \"\", \"creds\": [{\"login\": \"u\"}], \"element\": \"board\", \"labs\": [\"bench\"], \"resources\": "
				       "[\"rack3\"]}]}\n"));
	free(tu_write(dir, "reservations.json", reservations));
	return dir;
}

static tu_result check_as(const char *dir, const char *user)
{
	const char *argv[] = {OTTO_BIN, "--as-user", user, "reservation", "check", "--lab", "bench", NULL};
	const char *env[] = {"OTTO_PLUGIN_PATH=", NULL};
	return tu_run(argv, dir, env, 60);
}

/* mallory's entry, read as alice's, would let alice pass the gate. */
Test(json_nul, a_user_name_cannot_be_cut_short)
{
	char *dir = reservations_repo("{\"version\": 1, \"reservations\": [\n"
				      "  {\"user\": \"alice\\u0000mallory\", \"resources\": [\"rack3\"]}\n]}\n");
	tu_result r = check_as(dir, "alice");
	cr_assert_eq(r.status, 1, "the gate passed on a NUL-cut name; stdout: %s stderr: %s", r.out, r.err);
	cr_assert(tu_contains(r.err, "reservations.json:2:"), "%s", r.err);
	cr_assert(tu_contains(r.err, "reservations[0]: 'user' holds a NUL character (\\u0000)"), "%s", r.err);
	cr_assert(tu_contains(r.err, "failing closed"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(json_nul, a_resource_name_cannot_be_cut_short)
{
	char *dir = reservations_repo("{\"version\": 1, \"reservations\": [\n"
				      "  {\"user\": \"alice\", \"resources\": [\"rack3\\u0000-spare\"]}\n]}\n");
	tu_result r = check_as(dir, "alice");
	cr_assert_eq(r.status, 1, "stdout: %s stderr: %s", r.out, r.err);
	cr_assert(tu_contains(r.err, "reservations.json:2:"), "%s", r.err);
	cr_assert(tu_contains(r.err, "reservations[0]: 'resources'[0] holds a NUL character"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	dir = reservations_repo("{\"version\": 1, \"reservations\": [\n"
				"  {\"user\": \"alice\", \"resources\": [\"rack3\"], \"expires\": \"2099-01-01\\u0000\"}\n]}\n");
	r = check_as(dir, "alice");
	cr_assert_eq(r.status, 1, "stdout: %s stderr: %s", r.out, r.err);
	cr_assert(tu_contains(r.err, "'expires' \"2099-01-01\\u0000\" is not an ISO 8601 time"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

Test(json_nul, a_key_with_a_nul_is_shown_whole)
{
	char *dir = reservations_repo("{\"version\": 1, \"reservations\": [\n"
				      "  {\"user\": \"alice\", \"resources\": [\"rack3\"], \"us\\u0000er\": 1}\n]}\n");
	tu_result r = check_as(dir, "alice");
	cr_assert_eq(r.status, 1, "stdout: %s stderr: %s", r.out, r.err);
	cr_assert(tu_contains(r.err, "reservations[0]: unknown key 'us\\u0000er'"), "%s", r.err);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}
