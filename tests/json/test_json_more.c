/*
 * json plugin error paths the other json tests leave out: malformed
 * reservations files, ISO 8601 edge cases, settings values, lab paths that
 * cannot be read. Real files, the real plugin through the real registry.
 */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RES_SETTINGS "[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \".otto/reservations.json\"\n"

/* Both calls must fail closed, with every needle in the message. */
static void res_error(const char *file, const char *const *needles)
{
	jt_env env = jt_env_new(RES_SETTINGS);
	free(jt_write(&env, ".otto/reservations.json", file));
	cr_assert_eq(jt_open_res(&env), OTTO_OK, "%s", env.err.message);
	otto_strlist list;
	int rc = otto_reservation_backend_reserved_resources(env.res, "alice", &list, &env.err);
	cr_assert_eq(rc, OTTO_ERROR, "must fail closed on %s, got %d", file, rc);
	for (size_t i = 0; needles[i]; i++)
		cr_assert(tu_contains(env.err.message, needles[i]), "want '%s' in: %s", needles[i], env.err.message);
	rc = otto_reservation_backend_who_reserved(env.res, "r", &list, &env.err);
	cr_assert_eq(rc, OTTO_ERROR, "who_reserved must fail too on %s", file);
	jt_env_free(&env);
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(json_more, reservations_structure_errors)
{
	res_error("[1, 2]", NEEDLES("reservations.json:1:", "the top level must be an object", "got an array"));
	res_error("{\"version\": 1, \"version\": 1, \"reservations\": []}", NEEDLES("'version' is given twice"));
	res_error("{\"version\": 1, \"reservations\": [], \"reservations\": []}",
		  NEEDLES("'reservations' is given twice"));
	res_error("{\"version\": 1, \"reservations\": [\"alice\"]}",
		  NEEDLES("reservations[0] must be an object, got a string"));
	res_error("{\"version\": 1, \"reservations\": [null]}", NEEDLES("reservations[0] must be an object, got null"));
	res_error("{\"version\": 1, \"reservations\": [true]}",
		  NEEDLES("reservations[0] must be an object, got a boolean"));
}

Test(json_more, reservations_entry_errors)
{
	/* upstream's `user: str` takes "" (test_reservations.c); not a number */
	res_error("{\"version\": 1, \"reservations\": [{\"user\": 7, \"resources\": []}]}",
		  NEEDLES("reservations[0]: 'user' must be a string, got a number"));
	res_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"user\": \"b\", \"resources\": []}]}",
		  NEEDLES("reservations[0]: 'user' is given twice"));
	res_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [\"r\", 3]}]}",
		  NEEDLES("reservations[0]: 'resources' must be an array of strings, got a number"));
}

/* Each bad time names the entry and the text; each is one Python 3.11's
 * datetime.fromisoformat refuses (after upstream turns a final Z into
 * +00:00), lower-case z included. */
Test(json_more, reservations_bad_times)
{
	static const char *const bad[] = {
	    "2099-05-01t00:00:00z",   "2026-05-01T00:00:0xZ",	   "2026-05-01T24:00:00Z",  "2026-05-01T00:00:00+02:3x",
	    "2026-05-01T00:00:00+0x", "2026-05-01T00:00:00+25:00", "2026-05-01Tab:00:00Z",  "2026/05/01",
	    "2026-05-01T00:00:00Zjk", "2026-02-30",		   "2026-05-01T00:00:00+x", "2026-05-01T10:61:00Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *file = tu_fmt(
		    "{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"expires\": \"%s\"}]}",
		    bad[i]);
		char *quoted = tu_fmt("'expires' \"%s\"", bad[i]);
		res_error(file, NEEDLES(quoted, "not an ISO 8601 time"));
		free(quoted);
		free(file);
	}
}

/* The accepted spellings that the bad ones border on, each one Python
 * 3.11 reads too (a '.' with no digits after it included). */
Test(json_more, reservations_good_times)
{
	static const char *const good[] = {"2099-05-01T00:00:00.250Z", "2099-05-01 00:00:00+0230",
					   "2099-05-01T00:00-01:00",   "2099-05-01",
					   "2099-05-01t00:00:00Z",     "2099-05-01T00:00:00.Z"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		jt_env env = jt_env_new(RES_SETTINGS);
		char *file = tu_fmt(
		    "{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [\"r\"], \"expires\": \"%s\"}]}",
		    good[i]);
		free(jt_write(&env, ".otto/reservations.json", file));
		cr_assert_eq(jt_open_res(&env), OTTO_OK, "%s", env.err.message);
		otto_strlist list;
		int rc = otto_reservation_backend_reserved_resources(env.res, "a", &list, &env.err);
		cr_assert_eq(rc, OTTO_OK, "%s: %s", good[i], env.err.message);
		cr_assert_eq(list.count, 1, "%s must be live", good[i]);
		otto_strlist_free(&list);
		free(file);
		jt_env_free(&env);
	}
}

Test(json_more, reservations_path_must_be_non_empty)
{
	jt_env env = jt_env_new("[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \"\"\n");
	cr_assert_eq(jt_open_res(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "settings.toml:4: [reservations.json] 'path' must be a non-empty string"),
		  "%s", env.err.message);
	jt_env_free(&env);
	env = jt_env_new("[reservations]\nbackend = \"json\"\n[reservations.json]\npath = 5\n");
	cr_assert_eq(jt_open_res(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "settings.toml:4: [reservations.json] 'path' must be a non-empty string"),
		  "%s", env.err.message);
	jt_env_free(&env);
}

/* The message of the first failing step: opening, then listing labs. */
static char *lab_error(jt_env *env)
{
	if (jt_open_lab(env) != OTTO_OK)
		return strdup(env->err.message);
	otto_strlist labs;
	int rc = otto_lab_repository_list_labs(env->lab, &labs, &env->err);
	cr_assert_neq(rc, OTTO_OK, "listing labs must fail");
	return strdup(env->err.message);
}

Test(json_more, lab_paths_with_an_empty_entry)
{
	char *settings = jt_lab_settings("[\"lab.json\", \"\"]");
	jt_env env = jt_env_new(settings);
	char *msg = lab_error(&env);
	cr_assert(tu_contains(msg, "settings.toml:"), "%s", msg);
	cr_assert(tu_contains(msg, "'paths' has an empty entry"), "%s", msg);
	free(msg);
	jt_env_free(&env);
	free(settings);
}

Test(json_more, lab_path_that_is_a_symlink_loop)
{
	char *settings = jt_lab_settings("[\"loop\"]");
	jt_env env = jt_env_new(settings);
	char *a = tu_fmt("%s/loop", env.root), *b = tu_fmt("%s/loop2", env.root);
	cr_assert_eq(symlink(b, a), 0);
	cr_assert_eq(symlink(a, b), 0);
	char *msg = lab_error(&env);
	char *needle = tu_fmt("lab path %s is a symlink loop", a);
	cr_assert(tu_contains(msg, needle), "want '%s' in: %s", needle, msg);
	free(needle);
	free(msg);
	free(a);
	free(b);
	jt_env_free(&env);
	free(settings);
}

Test(json_more, lab_path_that_is_not_json)
{
	char *settings = jt_lab_settings("[\"hosts.txt\"]");
	jt_env env = jt_env_new(settings);
	char *file = jt_write(&env, "hosts.txt", "{}\n");
	char *msg = lab_error(&env);
	char *needle =
	    tu_fmt("lab path %s is a file but not a .json file (a folder is searched for lab.json)", file);
	cr_assert(tu_contains(msg, needle), "want '%s' in: %s", needle, msg);
	free(needle);
	free(msg);
	free(file);
	jt_env_free(&env);
	free(settings);
}
