/*
 * The JSON schemas of docs/cli.md ("## JSON output") against real runs:
 * the tables are read from the document itself, every documented field
 * must be present with a documented type in the output of a real command
 * (real plugins, real files), and the output may hold no undocumented
 * field. Every documented command has a run here, and every run here a
 * documented schema, so neither can drift from the other.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

enum {
	T_STRING = 1,
	T_NULL = 2,
	T_BOOL = 4,
	T_INT = 8,
	T_ARRAY = 16,
	T_OBJECT = 32,
	T_STRINGS = 64, /* "array of strings" */
	T_ANY = 128
};

typedef struct field {
	char *path; /* "missing[].holders" */
	unsigned types;
} field;

typedef struct schema {
	char *command; /* "reservation check" */
	field fields[64];
	size_t n_fields;
} schema;

#define MAX_SCHEMAS 32

static unsigned parse_types(const char *cell)
{
	unsigned types = 0;
	if (strstr(cell, "array of strings"))
		types |= T_STRINGS;
	else if (strstr(cell, "array"))
		types |= T_ARRAY;
	if (strstr(cell, "string") && !(types & T_STRINGS))
		types |= T_STRING;
	if (strstr(cell, "string or") && (types & T_STRINGS))
		types |= T_STRING;
	if (strstr(cell, "null"))
		types |= T_NULL;
	if (strstr(cell, "boolean"))
		types |= T_BOOL;
	if (strstr(cell, "integer"))
		types |= T_INT;
	if (strstr(cell, "object"))
		types |= T_OBJECT;
	if (strstr(cell, "any"))
		types |= T_ANY;
	return types;
}

/* Every "### `otto WORDS --json`" section of "## JSON output". */
static size_t read_schemas(schema *out)
{
	char *path = tu_fmt("%s/docs/cli.md", OTTO_SOURCE_DIR);
	char *text = tu_read(path);
	size_t n = 0;
	bool inside = false;
	schema *current = NULL;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "## ", 3) == 0) {
			inside = strcmp(line, "## JSON output") == 0;
			current = NULL;
			continue;
		}
		if (!inside)
			continue;
		if (strncmp(line, "### `otto ", 10) == 0) {
			char *end = strstr(line, " --json`");
			cr_assert(end, "docs/cli.md: a JSON schema heading without --json: %s", line);
			cr_assert(n < MAX_SCHEMAS);
			current = &out[n++];
			current->command = strndup(line + 10, (size_t)(end - line - 10));
			current->n_fields = 0;
			continue;
		}
		if (!current || strncmp(line, "| `", 3) != 0)
			continue;
		char *name_end = strchr(line + 3, '`');
		cr_assert(name_end, "docs/cli.md: bad schema row: %s", line);
		char *type_cell = strchr(name_end, '|');
		cr_assert(type_cell, "docs/cli.md: schema row without a type: %s", line);
		char *type_end = strchr(type_cell + 1, '|');
		cr_assert(type_end);
		*type_end = '\0';
		cr_assert(current->n_fields < 64);
		field *f = &current->fields[current->n_fields++];
		f->path = strndup(line + 3, (size_t)(name_end - line - 3));
		f->types = parse_types(type_cell + 1);
		cr_assert(f->types, "docs/cli.md: field '%s' of 'otto %s --json' has no type", f->path,
			  current->command);
	}
	free(text);
	free(path);
	return n;
}

static bool has_type(yajl_val v, unsigned types)
{
	if (types & T_ANY)
		return true;
	if (YAJL_IS_STRING(v))
		return types & T_STRING;
	if (YAJL_IS_NULL(v))
		return types & T_NULL;
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return types & T_BOOL;
	if (YAJL_IS_INTEGER(v))
		return types & T_INT;
	if (YAJL_IS_OBJECT(v))
		return types & T_OBJECT;
	if (YAJL_IS_ARRAY(v)) {
		if (types & T_ARRAY)
			return true;
		if (!(types & T_STRINGS))
			return false;
		for (size_t i = 0; i < YAJL_GET_ARRAY(v)->len; i++)
			if (!YAJL_IS_STRING(YAJL_GET_ARRAY(v)->values[i]))
				return false;
		return true;
	}
	return false;
}

/* The documented field `path` is present at every place the path reaches,
 * with a documented type; returns how many places it reached (the caller
 * asserts at least one, so that an empty array proves nothing). */
static size_t check_present(const char *command, const field *f, yajl_val v, const char *rest)
{
	if (*rest == '\0') {
		cr_assert(has_type(v, f->types), "otto %s --json: '%s' has a type docs/cli.md does not give", command,
			  f->path);
		return 1;
	}
	if (strncmp(rest, "[]", 2) == 0) {
		cr_assert(YAJL_IS_ARRAY(v), "otto %s --json: '%s': not an array on the way", command, f->path);
		const char *next = rest + 2;
		size_t reached = 0;
		if (*next == '.')
			next++;
		for (size_t i = 0; i < YAJL_GET_ARRAY(v)->len; i++)
			reached += check_present(command, f, YAJL_GET_ARRAY(v)->values[i], next);
		return reached;
	}
	if (strcmp(rest, "*") == 0)
		return 1;
	size_t len = strcspn(rest, ".[");
	cr_assert(YAJL_IS_OBJECT(v), "otto %s --json: '%s': not an object on the way", command, f->path);
	yajl_val child = NULL;
	for (size_t i = 0; i < YAJL_GET_OBJECT(v)->len; i++)
		if (strlen(YAJL_GET_OBJECT(v)->keys[i]) == len && strncmp(YAJL_GET_OBJECT(v)->keys[i], rest, len) == 0)
			child = YAJL_GET_OBJECT(v)->values[i];
	cr_assert(child, "otto %s --json: documented field '%s' is missing", command, f->path);
	const char *next = rest + len;
	if (*next == '.')
		next++;
	return check_present(command, f, child, next);
}

static const field *documented(const schema *s, const char *path)
{
	for (size_t i = 0; i < s->n_fields; i++)
		if (strcmp(s->fields[i].path, path) == 0)
			return &s->fields[i];
	return NULL;
}

/* Every field of the output is documented (or under a documented "x.*"). */
static void check_documented(const schema *s, yajl_val v, const char *prefix)
{
	if (YAJL_IS_ARRAY(v)) {
		char *element = tu_fmt("%s[]", prefix);
		for (size_t i = 0; i < YAJL_GET_ARRAY(v)->len; i++)
			check_documented(s, YAJL_GET_ARRAY(v)->values[i], element);
		free(element);
		return;
	}
	if (!YAJL_IS_OBJECT(v))
		return;
	char *wildcard = tu_fmt("%s%s*", prefix, *prefix ? "." : "");
	bool open = documented(s, wildcard) != NULL;
	for (size_t i = 0; i < YAJL_GET_OBJECT(v)->len; i++) {
		char *path = tu_fmt("%s%s%s", prefix, *prefix ? "." : "", YAJL_GET_OBJECT(v)->keys[i]);
		const field *f = documented(s, path);
		cr_assert(f || open, "otto %s --json prints '%s', which docs/cli.md does not document", s->command,
			  path);
		if (f)
			check_documented(s, YAJL_GET_OBJECT(v)->values[i], path);
		free(path);
	}
	free(wildcard);
}

/* ------------------------------------------------------------ the runs -- */

static const char lab_json[] =
    "{\"hosts\": ["
    "{\"element\": \"carrot\", \"board\": \"seed\", \"ip\": \"10.0.0.1\", \"labs\": [\"bench2\"],"
    " \"resources\": [\"carrot\", \"shared\"], \"creds\": [{\"login\": \"admin\", \"password\": \"pw\"}],"
    " \"interfaces\": {\"eth2\": {\"ip\": \"192.168.1.1\"}}},"
    "{\"element\": \"tomato\", \"board\": \"seed\", \"ip\": \"10.0.0.2\", \"labs\": [\"bench2\", \"bench10\"],"
    " \"resources\": [\"tomato\"], \"creds\": [{\"login\": \"admin\"}], \"interfaces\": {\"eth2\": {\"ip\": "
    "\"192.168.1.2\"}}}],"
    "\"links\": [{\"endpoints\": [{\"host\": \"carrot_seed\", \"interface\": \"eth2\"},"
    " {\"host\": \"tomato_seed\", \"interface\": \"eth2\"}], \"protocol\": \"udp\", \"name\": \"uplink\"}]}\n";

static const char reservations_json[] = "{\"version\": 1, \"reservations\": ["
					"{\"user\": \"alice\", \"resources\": [\"carrot\", \"shared\"],"
					" \"expires\": \"2099-05-01T12:00:00Z\"},"
					"{\"user\": \"bob\", \"resources\": [\"tomato\", \"shared\"]}]}\n";

typedef struct run {
	const char *command; /* the schema's heading */
	const char *argv[12]; /* after "otto" */
	int status;	     /* the exit code expected */
} run;

static const run runs[] = {
    {"plugins", {"plugins", "--json"}, 0},
    {"lab list", {"lab", "list", "--json"}, 0},
    {"lab show", {"lab", "show", "bench2", "--json"}, 0},
    {"lab hosts", {"lab", "hosts", "--json"}, 0},
    {"lab status", {"lab", "status", "bench2", "--json", "--as-user", "alice"}, 0},
    {"reservation whoami", {"reservation", "whoami", "--json"}, 0},
    {"reservation held", {"reservation", "held", "--json", "--as-user", "alice"}, 0},
    {"reservation who", {"reservation", "who", "shared", "--json"}, 0},
    {"reservation users", {"reservation", "users", "--json"}, 0},
    {"reservation check", {"reservation", "check", "--lab", "bench2", "--json", "--as-user", "bob"}, 1},
    {"lock list", {"lock", "list", "--json"}, 0},
    {"lock acquire", {"lock", "acquire", "board2", "--expiry", "1h", "--json"}, 0},
    {"lock release", {"lock", "release", "board1", "--force", "--json"}, 0},
    /* The writes, against the ledger test plugin (ledger.toml). */
    {"reservation reserve",
     {"--settings", "ledger.toml", "reservation", "reserve", "b1", "--for", "1h", "--json"},
     0},
    {"reservation cancel", {"--settings", "ledger.toml", "reservation", "cancel", "b1", "--json"}, 0},
    /* Nothing to prepare here; tests/postgres/test_pg_cli.c checks the steps. */
    {"db init", {"db", "init", "--json"}, 0},
};

static char *project;

static void make_project(void)
{
	project = ct_project("[lab]\nbackend = \"json\"\n[lab.json]\npaths = [\"lab.json\"]\n"
			     "[reservations]\nbackend = \"json\"\n[reservations.json]\npath = \"reservations.json\"\n"
			     "[locks]\ndir = \"locks\"\n");
	free(tu_write(project, "lab.json", lab_json));
	free(tu_write(project, "reservations.json", reservations_json));
	char *ledger = tu_fmt("[plugins]\npath = [\"%s/cli_ledger\"]\n[reservations]\nbackend = \"ledger\"\n"
			      "[reservations.ledger]\nfile = \"%s/ledger.txt\"\n",
			      OTTO_TEST_PLUGIN_DIR, project);
	free(tu_write(project, "ledger.toml", ledger));
	free(ledger);
	tu_result r = CT_RUN(project, NULL, "lock", "acquire", "board1", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(json_schema, .init = make_project, .fini = remove_project);

Test(json_schema, every_documented_field_is_in_a_real_run)
{
	static schema schemas[MAX_SCHEMAS];
	size_t n = read_schemas(schemas);
	cr_assert(n >= 13, "docs/cli.md documents only %zu JSON schemas", n);
	for (size_t i = 0; i < n; i++) {
		const run *found = NULL;
		for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++)
			if (strcmp(runs[k].command, schemas[i].command) == 0)
				found = &runs[k];
		cr_assert(found, "docs/cli.md documents 'otto %s --json', which this test does not run",
			  schemas[i].command);
	}
	for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
		const schema *s = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(runs[k].command, schemas[i].command) == 0)
				s = &schemas[i];
		cr_assert(s, "'otto %s --json' has no schema in docs/cli.md", runs[k].command);
		tu_result r = ct_run(project, NULL, runs[k].argv);
		cr_assert_eq(r.status, runs[k].status, "otto %s --json: exit %d\n%s", s->command, r.status, r.err);
		yajl_val root = ct_json(r.out);
		for (size_t f = 0; f < s->n_fields; f++)
			cr_assert(check_present(s->command, &s->fields[f], root, s->fields[f].path) > 0,
				  "otto %s --json: '%s' is in no element of this run's output (an empty array?)",
				  s->command, s->fields[f].path);
		check_documented(s, root, "");
		yajl_tree_free(root);
		tu_result_free(&r);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t f = 0; f < schemas[i].n_fields; f++)
			free(schemas[i].fields[f].path);
		free(schemas[i].command);
	}
}
