/* The json reservation backend: answers, capabilities and every failure. */
#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SETTINGS "[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \".otto/reservations.json\"\n"

static jt_env res_env(const char *file)
{
	jt_env env = jt_env_new(SETTINGS);
	if (file)
		free(jt_write(&env, ".otto/reservations.json", file));
	cr_assert_eq(jt_open_res(&env), OTTO_OK, "%s", env.err.message);
	return env;
}

static char *held(jt_env *env, const char *user)
{
	otto_strlist list;
	int rc = otto_reservation_backend_reserved_resources(env->res, user, &list, &env->err);
	cr_assert_eq(rc, OTTO_OK, "%s", env->err.message);
	char *s = jt_join(&list);
	otto_strlist_free(&list);
	return s;
}

static char *who(jt_env *env, const char *resource)
{
	otto_strlist list;
	int rc = otto_reservation_backend_who_reserved(env->res, resource, &list, &env->err);
	cr_assert_eq(rc, OTTO_OK, "%s", env->err.message);
	char *s = jt_join(&list);
	otto_strlist_free(&list);
	return s;
}

static void assert_error(const char *file, const char *const *needles)
{
	jt_env env = res_env(file);
	otto_strlist list;
	int rc = otto_reservation_backend_reserved_resources(env.res, "alice", &list, &env.err);
	cr_assert_eq(rc, OTTO_ERROR, "must fail closed, got %d: %s", rc, env.err.message);
	for (size_t i = 0; needles[i]; i++)
		cr_assert(tu_contains(env.err.message, needles[i]), "want '%s' in: %s", needles[i], env.err.message);
	rc = otto_reservation_backend_who_reserved(env.res, "r", &list, &env.err);
	cr_assert_eq(rc, OTTO_ERROR, "who_reserved must fail too");
	jt_env_free(&env);
}

static const char *const sample =
    "{\"version\": 1,\n \"reservations\": [\n"
    "  {\"user\": \"alice\", \"resources\": [\"rack3-psu\", \"shared\"], \"expires\": \"2099-01-01T00:00:00Z\"},\n"
    "  {\"user\": \"bob\", \"resources\": [\"rack4-psu\", \"shared\"]},\n"
    "  {\"user\": \"carol\", \"resources\": [\"shared\"], \"expires\": \"2001-01-01T00:00:00Z\"},\n"
    "  {\"user\": \"alice\", \"resources\": [\"shared\", \"lab-a\"], \"expires\": \"2099-01-01T00:00:00+02:00\"},\n"
    "  {\"user\": \"dave\", \"resources\": [\"shared\"], \"expires\": \"2099-01-01T05:30:00\"}\n"
    "]}\n";

Test(json_reservations, answers)
{
	jt_env env = res_env(sample);
	cr_assert_str_eq(otto_reservation_backend_name(env.res), "json");
	char *s = held(&env, "alice");
	cr_assert_str_eq(s, "rack3-psu,shared,lab-a", "union over entries, without duplicates");
	free(s);
	s = held(&env, "carol");
	cr_assert_str_eq(s, "", "expired entries are ignored");
	free(s);
	s = held(&env, "nobody");
	cr_assert_str_eq(s, "");
	free(s);
	s = who(&env, "shared");
	cr_assert_str_eq(s, "alice,bob,dave", "file order, no duplicates, no expired holder");
	free(s);
	s = who(&env, "unheld");
	cr_assert_str_eq(s, "");
	free(s);
	jt_env_free(&env);
}

Test(json_reservations, usernames_and_windows)
{
	jt_env env = res_env(sample);
	otto_strlist users;
	cr_assert(otto_reservation_backend_has_usernames(env.res));
	cr_assert_eq(otto_reservation_backend_list_usernames(env.res, &users, &env.err), OTTO_OK);
	char *s = jt_join(&users);
	cr_assert_str_eq(s, "alice,bob,carol,dave");
	free(s);
	otto_strlist_free(&users);
	cr_assert(otto_reservation_backend_has_windows(env.res));
	otto_window_list w;
	cr_assert_eq(otto_reservation_backend_windows(env.res, "alice", &w, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert_eq(w.count, 4);
	cr_assert_str_eq(w.items[0].resource, "rack3-psu");
	cr_assert_eq(w.items[0].start, OTTO_TIME_EPOCH);
	cr_assert_eq(w.items[0].end, 4070908800, "Z");
	cr_assert_eq(w.items[3].end, 4070901600, "+02:00 offset");
	otto_window_list_free(&w);
	cr_assert_eq(otto_reservation_backend_windows(env.res, "bob", &w, &env.err), OTTO_OK);
	cr_assert_eq(w.items[0].end, OTTO_TIME_FAR_FUTURE, "no expiry: far future");
	otto_window_list_free(&w);
	cr_assert_eq(otto_reservation_backend_windows(env.res, "dave", &w, &env.err), OTTO_OK);
	cr_assert_eq(w.items[0].end, 4070928600, "no offset means UTC");
	otto_window_list_free(&w);
	jt_env_free(&env);
}

Test(json_reservations, an_edit_is_seen_by_the_next_query)
{
	jt_env env = res_env("{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"a\"]}]}");
	char *s = held(&env, "alice");
	cr_assert_str_eq(s, "a");
	free(s);
	free(jt_write(&env, ".otto/reservations.json",
		      "{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"b\"]}]}"));
	s = held(&env, "alice");
	cr_assert_str_eq(s, "b", "same size, new content: still re-read");
	free(s);
	free(jt_write(&env, ".otto/reservations.json", "{\"version\": 2, \"reservations\": []}"));
	otto_strlist list;
	cr_assert_eq(otto_reservation_backend_reserved_resources(env.res, "alice", &list, &env.err), OTTO_ERROR);
	jt_env_free(&env);
}

Test(json_reservations, missing_file)
{
	assert_error(NULL, (const char *const[]){"cannot read", ".otto/reservations.json", "No such file", NULL});
}

Test(json_reservations, bad_json_names_line_and_column)
{
	assert_error("{\"version\": 1,\n \"reservations\": [\n  {\"user\": \"a\",, \"resources\": []}]}",
		     (const char *const[]){"reservations.json:3:", "JSON syntax error", NULL});
}

Test(json_reservations, wrong_version)
{
	assert_error("{\"version\": 2, \"reservations\": []}",
		     (const char *const[]){"reservations.json:1:", "unsupported version 2", NULL});
	assert_error("{\"reservations\": []}", (const char *const[]){"missing 'version'", NULL});
	assert_error("{\"version\": \"1\", \"reservations\": []}",
		     (const char *const[]){"'version' must be the number 1, got a string", NULL});
}

Test(json_reservations, unknown_keys)
{
	assert_error("{\"version\": 1, \"reservations\": [], \"owner\": \"x\"}",
		     (const char *const[]){"unknown key 'owner' (accepted: version, reservations)", NULL});
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"note\": 1}]}",
		     (const char *const[]){"reservations[0]: unknown key 'note'", NULL});
}

Test(json_reservations, bad_timestamp)
{
	assert_error(
	    "{\"version\": 1, \"reservations\": [\n{\"user\": \"a\", \"resources\": []},\n"
	    "{\"user\": \"a\", \"resources\": [], \"expires\": \"2026-13-01T00:00:00Z\"}]}",
	    (const char *const[]){"reservations.json:3:", "reservations[1]: 'expires' \"2026-13-01T00:00:00Z\"",
				  "not an ISO 8601 time", NULL});
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"expires\": true}]}",
		     (const char *const[]){"'expires' must be an ISO 8601 time string or a Unix time, got a boolean",
					   NULL});
	/* upstream reads a number as a Unix time, a string only as ISO 8601 */
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"expires\": \"5\"}]}",
		     (const char *const[]){"'expires' \"5\" is not an ISO 8601 time", NULL});
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"expires\": 1e300}]}",
		     (const char *const[]){"'expires' 1e300 is not a Unix time upstream can read", NULL});
	/* Python 3.11's fromisoformat: a one-digit offset and a lower-case z
	 * are refused (upstream turns only a final upper-case Z into +00:00) */
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"expires\": "
		     "\"2026-05-01T00:00:00+2\"}]}",
		     (const char *const[]){"not an ISO 8601 time", NULL});
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": [], \"expires\": "
		     "\"2099-05-01T00:00:00z\"}]}",
		     (const char *const[]){"'expires' \"2099-05-01T00:00:00z\" is not an ISO 8601 time", NULL});
}

/* The end of alice's only window for `expires` written as `json`. */
static long long window_end(const char *json)
{
	char *file = tu_fmt("{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"r\"], "
			    "\"expires\": %s}]}",
			    json);
	jt_env env = res_env(file);
	otto_window_list w;
	cr_assert_eq(otto_reservation_backend_windows(env.res, "alice", &w, &env.err), OTTO_OK, "%s: %s", json,
		     env.err.message);
	cr_assert_eq(w.count, 1, "%s", json);
	long long end = (long long)w.items[0].end;
	otto_window_list_free(&w);
	jt_env_free(&env);
	free(file);
	return end;
}

/* Upstream's reading of 'expires' (Python 3.11 datetime.fromisoformat after
 * a final Z becomes +00:00, no offset meaning UTC; numbers as pydantic reads
 * them): each expected value is what Python computes, rounded up to the
 * second (a window never ends before the reservation does). */
Test(json_reservations, expires_read_as_upstream_reads_it)
{
	static const struct {
		const char *json;
		long long end;
	} cases[] = {
	    {"\"2099-05-01t00:00:00Z\"", 4081276800},	  /* any one character between date and time */
	    {"\"2099-05-01 00:00:00.5\"", 4081276801},	  /* a fraction: rounded up */
	    {"\"2099-05-01T00:00:00.1234567Z\"", 4081276801}, /* digits past the microsecond dropped */
	    {"\"2099-05-01T00:00:00+02\"", 4081269600},
	    {"\"2099-05-01T00:00:00+0200\"", 4081269600},
	    {"\"2099-05-01T00:00:00-00:30:15.5\"", 4081278616},
	    {"\"20990501T000000\"", 4081276800}, /* basic form */
	    {"\"2099-05-01\"", 4081276800},	     /* a date alone: midnight UTC */
	    {"\"2099-05-01T00\"", 4081276800},
	    {"\"2099-W01-1\"", 4070649600}, /* ISO week date */
	    {"4102444800", 4102444800},	    /* a number: Unix seconds */
	    {"4102444800.25", 4102444801},
	    {"4102444800000", 4102444800}, /* past 2e10: milliseconds, as pydantic reads it */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_assert_eq(window_end(cases[i].json), cases[i].end, "expires %s", cases[i].json);
}

Test(json_reservations, a_numeric_expiry_in_the_past_has_expired)
{
	jt_env env = res_env("{\"version\": 1, \"reservations\": [{\"user\": \"alice\", \"resources\": [\"old\"], "
			     "\"expires\": 5}, {\"user\": \"alice\", \"resources\": [\"new\"], \"expires\": 4102444800}]}");
	char *s = held(&env, "alice");
	cr_assert_str_eq(s, "new");
	free(s);
	jt_env_free(&env);
}

/* Upstream's model: 'reservations' defaults to an empty list, `version`
 * is Literal[1] (true == 1 in Python), a user name may be empty. */
Test(json_reservations, upstream_defaults)
{
	jt_env env = res_env("{\"version\": 1}");
	char *s = held(&env, "alice");
	cr_assert_str_eq(s, "", "a missing 'reservations' is no reservation");
	free(s);
	jt_env_free(&env);
	env = res_env("{\"version\": true, \"reservations\": [{\"user\": \"\", \"resources\": [\"r\"]}]}");
	s = held(&env, "");
	cr_assert_str_eq(s, "r");
	free(s);
	jt_env_free(&env);
}

Test(json_reservations, bad_entries)
{
	assert_error("{\"version\": 1, \"reservations\": [{\"resources\": []}]}",
		     (const char *const[]){"reservations[0] has no 'user'", NULL});
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\"}]}",
		     (const char *const[]){"reservations[0] has no 'resources'", NULL});
	assert_error("{\"version\": 1, \"reservations\": [{\"user\": \"a\", \"resources\": \"r\"}]}",
		     (const char *const[]){"'resources' must be an array of strings, got a string", NULL});
	assert_error("{\"version\": 1, \"reservations\": {}}",
		     (const char *const[]){"'reservations' must be an array", NULL});
	assert_error("{\"version\": 1, \"reservations\": null}",
		     (const char *const[]){"'reservations' must be an array, got null", NULL});
}

Test(json_reservations, settings_errors)
{
	jt_env env = jt_env_new("[reservations]\nbackend = \"json\"\n");
	cr_assert_eq(jt_open_res(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "[reservations.json] needs 'path'"), "%s", env.err.message);
	jt_env_free(&env);
	env = jt_env_new("[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \"r.json\"\nfile = \"x\"\n");
	cr_assert_eq(jt_open_res(&env), OTTO_EINVALID);
	cr_assert(tu_contains(env.err.message, "settings.toml:5: unknown key 'file' in [reservations.json]"), "%s",
		  env.err.message);
	jt_env_free(&env);
}
