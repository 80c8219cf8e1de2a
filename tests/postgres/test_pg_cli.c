/*
 * The postgres plugin as the otto command shows it: `otto plugins inspect`
 * and `otto plugins --json` say that its reservation backend can prepare
 * and its lock store can prepare and renew (from a scan and again from the
 * registry cache), the example plugin that it cannot; `otto db init
 * --json` lists per backend the steps done (none when up to date) and the
 * summary that names the server, and a failure keeps its exit code with
 * the error on stderr.
 */
#include "pg_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

TestSuite(pg_cli, .timeout = 240);

/* otto --settings SETTINGS ARGS... as root, with extra environment. */
static tu_result otto_env(const char *settings, const char *const *env, const char *const *args)
{
	const char *argv[16] = {OTTO_BIN, "--settings", settings};
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return tu_run(argv, "/", env, tu_scaled_seconds(120));
}
#define OTTO_ENV(settings, env, ...) otto_env((settings), (env), (const char *const[]){__VA_ARGS__, NULL})

/* The capabilities line printed right under the backend line `header`. */
static void assert_caps_under(const char *out, const char *header, const char *caps)
{
	const char *at = strstr(out, header);
	cr_assert(at, "no '%s' in:\n%s", header, out);
	const char *next = strchr(at, '\n');
	cr_assert(next, "%s", out);
	cr_assert(strncmp(next + 1, caps, strlen(caps)) == 0, "under '%s' expected '%s' in:\n%s", header, caps, out);
}

static yajl_val parse(const char *text)
{
	char why[256] = "";
	yajl_val v = yajl_tree_parse(text, why, sizeof why);
	cr_assert(v, "not JSON (%s): %s", why, text);
	return v;
}

static const char *str_at(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
	cr_assert(v, "no '%s'", key);
	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static yajl_val array_at(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_array);
	cr_assert(v, "no array '%s'", key);
	return v;
}

/* The array's strings joined with ",". Caller frees. */
static char *joined(yajl_val array)
{
	char *out = strdup("");
	for (size_t i = 0; i < YAJL_GET_ARRAY(array)->len; i++) {
		yajl_val s = YAJL_GET_ARRAY(array)->values[i];
		cr_assert(YAJL_IS_STRING(s));
		char *next = tu_fmt("%s%s%s", out, i ? "," : "", YAJL_GET_STRING(s));
		free(out);
		out = next;
	}
	return out;
}

/* The capabilities `otto plugins --json` gave backend kind/name, joined. */
static char *json_caps(const char *json, const char *kind, const char *name)
{
	yajl_val root = parse(json);
	char *found = NULL;
	yajl_val plugins = array_at(root, "plugins");
	for (size_t i = 0; i < YAJL_GET_ARRAY(plugins)->len; i++) {
		yajl_val backends = array_at(YAJL_GET_ARRAY(plugins)->values[i], "backends");
		for (size_t b = 0; b < YAJL_GET_ARRAY(backends)->len; b++) {
			yajl_val be = YAJL_GET_ARRAY(backends)->values[b];
			if (strcmp(str_at(be, "kind"), kind) == 0 && strcmp(str_at(be, "name"), name) == 0 && !found)
				found = joined(array_at(be, "capabilities"));
		}
	}
	yajl_tree_free(root);
	cr_assert(found, "no %s backend '%s' in: %s", kind, name, json);
	return found;
}

Test(pg_cli, inspect_shows_prepare_and_renew_from_a_scan_and_from_the_cache)
{
	pgt_server *s = pgt_shared();
	char *url = pgt_url(s, NULL);
	char *project = tu_mkdtemp();
	char *settings = pgt_settings(project, url, NULL);
	char *xdg = tu_fmt("%s/xdg", project);
	cr_assert(mkdir(xdg, 0700) == 0);
	char *e_xdg = tu_fmt("XDG_CACHE_HOME=%s", xdg);
	const char *env[] = {"OTTO_PLUGIN_CACHE=1", e_xdg, NULL};
	char *cache = tu_fmt("%s/otto/plugins.cache", xdg);
	for (int round = 0; round < 2; round++) { /* cold (a scan), then from the cache */
		struct stat st;
		cr_assert_eq(stat(cache, &st) == 0, round == 1, "round %d: the cache file %s", round,
			     round ? "is missing" : "exists already");
		tu_result r = OTTO_ENV(settings, env, "plugins", "inspect", "postgres");
		cr_assert_eq(r.status, 0, "%s", r.err);
		assert_caps_under(r.out, "  reservation postgres: ",
				  "    optional capabilities: usernames yes, reservation windows yes, reserve and cancel "
				  "yes, prepare yes\n");
		assert_caps_under(r.out, "  lock store postgres: ", "    optional capabilities: prepare yes, renew yes\n");
		tu_result_free(&r);

		r = OTTO_ENV(settings, env, "plugins", "inspect", "example");
		cr_assert_eq(r.status, 0, "%s", r.err);
		assert_caps_under(r.out, "  reservation example: ",
				  "    optional capabilities: usernames yes, reservation windows yes, reserve and cancel "
				  "yes, prepare no\n");
		tu_result_free(&r);

		r = OTTO_ENV(settings, env, "plugins", "--json");
		cr_assert_eq(r.status, 0, "%s", r.err);
		char *caps = json_caps(r.out, "reservation", "postgres");
		cr_assert_str_eq(caps, "usernames,windows,write,prepare");
		free(caps);
		caps = json_caps(r.out, "lock store", "postgres");
		cr_assert_str_eq(caps, "prepare,renew");
		free(caps);
		caps = json_caps(r.out, "reservation", "example");
		cr_assert_str_eq(caps, "usernames,windows,write");
		free(caps);
		tu_result_free(&r);
	}
	free(cache);
	free(e_xdg);
	free(xdg);
	tu_rm_rf(project);
	free(project);
	free(settings);
	free(url);
	pgt_free(s);
}

/* One entry of db init --json's "backends". */
static yajl_val backend_at(yajl_val root, size_t i, const char *kind, const char *name, const char *status)
{
	yajl_val backends = array_at(root, "backends");
	cr_assert(YAJL_GET_ARRAY(backends)->len > i, "backend %zu missing", i);
	yajl_val be = YAJL_GET_ARRAY(backends)->values[i];
	cr_assert_str_eq(str_at(be, "kind"), kind);
	cr_assert_str_eq(str_at(be, "name"), name);
	cr_assert_str_eq(str_at(be, "status"), status);
	return be;
}

Test(pg_cli, db_init_json_lists_the_steps_then_none)
{
	pgt_server *s = pgt_shared();
	char *db = pgt_database(s);
	char *url = pgt_url_db(s, db, NULL);
	char *project = tu_mkdtemp();
	char *extra = tu_fmt("\n[locks]\nstore = \"postgres\"\nurl = \"%s\"\n", url);
	char *settings = pgt_settings(project, url, extra);

	/* A fresh database: every step, then the summary naming the server. */
	tu_result r = PG_OTTO(-1, -1, settings, "db", "init", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.err);
	yajl_val root = parse(r.out);
	cr_assert_eq(YAJL_GET_ARRAY(array_at(root, "backends"))->len, 2, "%s", r.out);
	yajl_val res = backend_at(root, 0, "reservation", "postgres", "prepared");
	yajl_val steps = array_at(res, "steps");
	cr_assert_geq(YAJL_GET_ARRAY(steps)->len, 2, "%s", r.out);
	for (size_t i = 0; i < YAJL_GET_ARRAY(steps)->len; i++) {
		yajl_val step = YAJL_GET_ARRAY(steps)->values[i];
		cr_assert(YAJL_IS_STRING(step), "%s", r.out);
		char *want = tu_fmt("schema version %zu: ", i + 1);
		const char *text = YAJL_GET_STRING(step);
		cr_assert(text && strncmp(text, want, strlen(want)) == 0, "%s", r.out);
		free(want);
	}
	const char *summary = str_at(res, "summary");
	cr_assert(summary && strncmp(summary, "schema migrated from version 0 to ", 34) == 0, "%s", r.out);
	cr_assert(tu_contains(summary, " on PostgreSQL server "), "%s", summary);
	cr_assert_null(str_at(res, "with"));
	yajl_val store = backend_at(root, 1, "lock store", "postgres", "prepared with");
	cr_assert_str_eq(str_at(store, "with"), "postgres");
	cr_assert_eq(YAJL_GET_ARRAY(array_at(store, "steps"))->len, 0);
	cr_assert_null(str_at(store, "summary"));
	yajl_tree_free(root);
	tu_result_free(&r);

	/* Up to date: no step, and the summary says so. */
	r = PG_OTTO(-1, -1, settings, "db", "init", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	root = parse(r.out);
	res = backend_at(root, 0, "reservation", "postgres", "prepared");
	cr_assert_eq(YAJL_GET_ARRAY(array_at(res, "steps"))->len, 0, "%s", r.out);
	summary = str_at(res, "summary");
	cr_assert(summary && strncmp(summary, "schema up to date (version ", 27) == 0, "%s", r.out);
	cr_assert(tu_contains(summary, " on PostgreSQL server "), "%s", summary);
	yajl_tree_free(root);
	tu_result_free(&r);

	/* The lock store alone (a reservation backend without prepare): its own prepare. */
	char *only_store = tu_fmt("[lab]\nbackend = \"example\"\n[reservations]\nbackend = \"example\"\n"
				  "[locks]\nstore = \"postgres\"\nurl = \"%s\"\n",
				  url);
	char *store_settings = tu_write(project, "store/.otto/settings.toml", only_store);
	r = PG_OTTO(-1, -1, store_settings, "db", "init", "--json");
	cr_assert_eq(r.status, 0, "%s", r.err);
	root = parse(r.out);
	res = backend_at(root, 0, "reservation", "example", "nothing to prepare");
	cr_assert_eq(YAJL_GET_ARRAY(array_at(res, "steps"))->len, 0);
	cr_assert_null(str_at(res, "summary"));
	store = backend_at(root, 1, "lock store", "postgres", "prepared");
	cr_assert_eq(YAJL_GET_ARRAY(array_at(store, "steps"))->len, 0, "%s", r.out);
	cr_assert(tu_contains(str_at(store, "summary"), "schema up to date"), "%s", r.out);
	yajl_tree_free(root);
	tu_result_free(&r);

	free(store_settings);
	free(only_store);
	tu_rm_rf(project);
	free(project);
	free(settings);
	free(extra);
	free(url);
	free(db);
	pgt_free(s);
}

/* A schema from the future: the same exit code as the text run, the error
 * on stderr only, and both backends listed as failed. */
Test(pg_cli, db_init_json_failure_keeps_the_exit_code)
{
	pgt_server *s = pgt_shared();
	char *db = pgt_database(s);
	char *url = pgt_url_db(s, db, NULL);
	char *project = tu_mkdtemp();
	char *extra = tu_fmt("\n[locks]\nstore = \"postgres\"\nurl = \"%s\"\n", url);
	char *settings = pgt_settings(project, url, extra);
	tu_result r = PG_OTTO(-1, -1, settings, "db", "init");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	free(pgt_sql_db(s, db, "UPDATE otto.otto_schema SET version = 999"));

	tu_result text = PG_OTTO(-1, -1, settings, "db", "init");
	r = PG_OTTO(-1, -1, settings, "db", "init", "--json");
	cr_assert_eq(text.status, 1, "%s", text.err);
	cr_assert_eq(r.status, text.status, "--json changed the exit code: %s", r.err);
	cr_assert(tu_contains(r.err, "version 999, newer than this postgres plugin understands"), "%s", r.err);
	cr_assert(!tu_contains(r.out, "newer"), "the error leaked into the JSON: %s", r.out);
	yajl_val root = parse(r.out);
	yajl_val res = backend_at(root, 0, "reservation", "postgres", "failed");
	cr_assert_eq(YAJL_GET_ARRAY(array_at(res, "steps"))->len, 0);
	cr_assert_null(str_at(res, "summary"));
	backend_at(root, 1, "lock store", "postgres", "failed");
	yajl_tree_free(root);
	tu_result_free(&r);
	tu_result_free(&text);
	char *version = pgt_sql_db(s, db, "SELECT version FROM otto.otto_schema");
	cr_assert_str_eq(version, "999\n", "a schema from the future was written to");
	free(version);

	tu_rm_rf(project);
	free(project);
	free(settings);
	free(extra);
	free(url);
	free(db);
	pgt_free(s);
}
