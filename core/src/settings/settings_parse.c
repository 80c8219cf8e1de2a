/*
 * The settings reader: the TOML subset of .otto/settings.toml, driven by
 * inih.
 *
 * inih alone would misread TOML: it keeps quotes, strips "; comments" but
 * not "# comments", continues a key on an indented line, cuts long lines and
 * long names silently, has no line number in the handler and keeps going
 * after an error. So every raw line passes through read_line() first: it
 * counts lines, rejects what inih would misread, and hands inih the line in
 * a normalised form ("[table]" or "key=value") that inih cannot split any
 * other way. The handler parses the value from the raw line itself. The
 * first error stops the read (the reader then reports end of file). The
 * caller reads the whole file first (a regular file, size-capped), so
 * reading lines cannot fail half way.
 */
#include "settings/settings.h"
#include "util/util.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* inih keeps section and key names in 50-byte buffers. */
#define NAME_MAX_LEN 49

/* Every table a settings file may hold, in one place. `pattern` is a table
 * name, "x.*" (one more part) or "x.**" (any more parts, quoted ones too).
 * Upstream otto-sh's own tables are accepted and left alone: a file shared
 * by both otto's must not need rewriting (docs/settings.md). */
typedef enum table_kind {
	TK_FIXED,	  /* read by libotto: its keys are listed in fixed_keys */
	TK_BACKEND,	  /* handed to a backend as is */
	TK_SOURCE,	  /* one layered lab source, [lab.sources.<label>] */
	TK_UPSTREAM,	  /* upstream otto's: not read */
	TK_UPSTREAM_ARRAY /* upstream otto's [[...]]: not read */
} table_kind;

static const struct known_table {
	const char *pattern;
	table_kind kind;
	const char *shown; /* in the list of accepted tables, or NULL */
} known_tables[] = {
    {"lab", TK_FIXED, "[lab]"},
    {"lab.sources.*", TK_SOURCE, "[[lab.sources]], [lab.sources.<label>]"},
    {"lab.*", TK_BACKEND, "[lab.<backend>]"},
    {"reservations", TK_FIXED, "[reservations]"},
    {"reservations.*", TK_BACKEND, "[reservations.<backend>]"},
    {"plugins", TK_FIXED, "[plugins]"},
    {"locks", TK_FIXED, "[locks]"},
    {"coverage", TK_UPSTREAM, "upstream otto's [coverage], [docker], [[docker.images]], [[docker.composes]], "
			      "[monitor], [logging], [dependencies], [project], [os_profiles.*] and "
			      "[host_preferences.*]"},
    {"coverage.**", TK_UPSTREAM, NULL},
    {"docker", TK_UPSTREAM, NULL},
    {"docker.images", TK_UPSTREAM_ARRAY, NULL},
    {"docker.composes", TK_UPSTREAM_ARRAY, NULL},
    {"monitor", TK_UPSTREAM, NULL},
    {"logging", TK_UPSTREAM, NULL},
    {"dependencies", TK_UPSTREAM, NULL},
    {"dependencies.**", TK_UPSTREAM, NULL},
    {"project", TK_UPSTREAM, NULL},
    {"project.**", TK_UPSTREAM, NULL},
    {"os_profiles.**", TK_UPSTREAM, NULL},
    {"host_preferences.**", TK_UPSTREAM, NULL},
};

/* Upstream otto's top-level keys (before any table), not read here. */
static const char *const upstream_top_keys[] = {"name", "version", "libs", "tests", "init", "sut_dirs"};

typedef struct parse_state {
	otto_settings *s;
	const char *text; /* the whole file, read by the caller */
	size_t len, next; /* its length; where the next line starts */
	const char *path;
	otto_error *err;
	bool failed;
	unsigned line; /* 1-based number of the line last read */
	char *raw;     /* that line without its line ending */
	size_t raw_cap;
	char *key;	   /* key line: the key */
	const char *value; /* key line: the raw text after '=' (inside raw) */
	long table;	   /* index of the current table, -1 before the first */
	char *open_key;	   /* the key an indented line would continue (inih's multi-line rule) */
	unsigned open_key_line;
	unsigned lab_backend_line;
	long first_source; /* index of the first [lab.sources.*] table, -1: none */
	bool ignored;	   /* the current table is upstream otto's: its lines are not read */
	unsigned array_sources;	    /* [[lab.sources]] entries so far */
	unsigned array_source_line; /* the first one's line */
	unsigned source_table_line; /* the first [lab.sources.<label>] table's line */
	unsigned backend_table_line; /* the first [lab.<backend>] table's line */
	char *backend_table;	     /* its name */
	char *joined;		     /* a value spread over lines, joined */
	unsigned key_line;	     /* the line its key is on */
	char *repo_name;	     /* upstream's top-level `name`, for its messages */
} parse_state;

static void fail(parse_state *st, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(parse_state *st, unsigned line, const char *fmt, ...)
{
	if (st->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *what = otto__vasprintf(fmt, ap);
	va_end(ap);
	otto_error_set(st->err, OTTO_ESETTINGS, "%s:%u: %s", st->path, line, what);
	free(what);
	st->failed = true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A copy of [begin, end) without surrounding blanks. */
static char *trimmed(const char *begin, const char *end)
{
	begin = skip_space(begin);
	while (end > begin && is_space(end[-1]))
		end--;
	return otto__strndup(begin, (size_t)(end - begin));
}

static otto__settings_table *current_table(parse_state *st)
{
	return st->table < 0 ? NULL : &st->s->tables[st->table];
}

static bool is_source_table(const char *name)
{
	return strncmp(name, "lab.sources.", 12) == 0;
}

/* ------------------------------------------------------------ tables -- */

static bool valid_table_name(const char *name)
{
	const char *p = name;
	for (;;) {
		const char *part = p;
		while (is_name_char(*p))
			p++;
		if (p == part)
			return false;
		if (*p == '\0')
			return true;
		if (*p != '.')
			return false;
		p++;
	}
}

static bool pattern_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);
	if (n > 3 && strcmp(pattern + n - 3, ".**") == 0)
		return strncmp(name, pattern, n - 2) == 0 && name[n - 2] != '\0';
	if (n > 2 && strcmp(pattern + n - 2, ".*") == 0)
		return strncmp(name, pattern, n - 1) == 0 && name[n - 1] != '\0' && !strchr(name + n - 1, '.');
	return strcmp(pattern, name) == 0;
}

static const struct known_table *find_known(const char *name)
{
	for (size_t i = 0; i < sizeof known_tables / sizeof *known_tables; i++)
		if (pattern_match(known_tables[i].pattern, name))
			return &known_tables[i];
	return NULL;
}

static char *accepted_tables(void)
{
	otto_buf b = {0};
	for (size_t i = 0; i < sizeof known_tables / sizeof *known_tables; i++)
		if (known_tables[i].shown)
			otto__buf_printf(&b, "%s%s", b.len ? ", " : "", known_tables[i].shown);
	return otto__buf_take(&b);
}

static void fail_unknown_table(parse_state *st, const char *shown)
{
	char *accepted = accepted_tables();
	fail(st, st->line, "unknown table %s; accepted tables: %s", shown, accepted);
	free(accepted);
}

/* Which tables the file may hold; fails with the reason otherwise. */
static void check_table_known(parse_state *st, const char *name)
{
	if (strcmp(name, "lab.sources") == 0) {
		fail(st, st->line,
		     "[lab.sources] holds no keys of its own: write one [[lab.sources]] entry (or [lab.sources.<label>] "
		     "table) per source");
		return;
	}
	const struct known_table *k = find_known(name);
	if (!k || k->kind == TK_UPSTREAM_ARRAY) {
		char shown[128];
		snprintf(shown, sizeof shown, "[%s]", name);
		fail_unknown_table(st, shown);
	}
}

/* A table is complete when the next header or the end of the file comes. */
static void end_table(parse_state *st)
{
	const otto__settings_table *t = current_table(st);
	if (st->ignored || !t || !is_source_table(t->name) || otto__settings_table_get(t, "backend"))
		return;
	if (t->name[strlen("lab.sources.")] == '#')
		fail(st, t->line, "this [[lab.sources]] entry has no 'backend' key: every lab source names the backend "
				  "that reads it");
	else
		fail(st, t->line, "[%s] has no 'backend' key: every lab source names the backend that reads it",
		     t->name);
}

/* Upstream's [[lab.sources]] and the other layouts of lab sources do not
 * mix: each pair is an error naming both lines. */
static void check_source_forms(parse_state *st, bool array_entry, const char *name)
{
	if (array_entry && st->source_table_line)
		fail(st, st->line,
		     "[[lab.sources]] cannot be used together with [lab.sources.<label>] tables (line %u): write every "
		     "source one way",
		     st->source_table_line);
	else if (!array_entry && is_source_table(name) && st->array_sources)
		fail(st, st->line,
		     "[%s] cannot be used together with [[lab.sources]] entries (line %u): write every source one way",
		     name, st->array_source_line);
	else if (array_entry && st->lab_backend_line)
		fail(st, st->line,
		     "[[lab.sources]] cannot be used together with 'backend' in [lab] (line %u); as upstream otto "
		     "says: [lab] `backend` was removed; select backends per source: [[lab.sources]] backend = "
		     "\"<name>\", with its kwargs inline in the entry",
		     st->lab_backend_line);
	else if (array_entry && st->backend_table_line)
		fail(st, st->line,
		     "[[lab.sources]] cannot be used together with [%s] (line %u), which configures the single [lab] "
		     "backend: put its keys inline in the [[lab.sources]] entry",
		     st->backend_table, st->backend_table_line);
	else if (!array_entry && st->array_sources && strncmp(name, "lab.", 4) == 0 && !is_source_table(name))
		fail(st, st->line,
		     "[%s] cannot be used together with [[lab.sources]] (line %u): put its keys inline in the "
		     "[[lab.sources]] entry",
		     name, st->array_source_line);
}

static void array_header(parse_state *st, const char *p, char *inih_line, int size)
{
	const char *close = strstr(p + 2, "]]");
	if (!close) {
		fail(st, st->line, "array-of-tables header '%s' has no closing ']]'", p);
		return;
	}
	const char *rest = skip_space(close + 2);
	if (*rest && *rest != '#') {
		fail(st, st->line, "unexpected text after the table header: '%s'", rest);
		return;
	}
	char *name = trimmed(p + 2, close);
	const struct known_table *k = find_known(name);
	end_table(st);
	if (st->failed) {
		free(name);
		return;
	}
	if (k && k->kind == TK_UPSTREAM_ARRAY) {
		st->ignored = true;
		free(name);
		return;
	}
	if (strcmp(name, "lab.sources") != 0) {
		char shown[128];
		snprintf(shown, sizeof shown, "[[%s]]", name);
		free(name);
		fail_unknown_table(st, shown);
		return;
	}
	free(name);
	check_source_forms(st, true, NULL);
	if (st->failed)
		return;
	if (!st->array_sources)
		st->array_source_line = st->line;
	st->array_sources++;
	/* Entries are tables named lab.sources.#<n>: '#' is no name character,
	 * so they never meet a [lab.sources.<label>] table. */
	char internal[64];
	snprintf(internal, sizeof internal, "lab.sources.#%u", st->array_sources);
	otto__settings_add_table(st->s, internal, st->line);
	st->table = (long)st->s->n_tables - 1;
	if (st->first_source < 0)
		st->first_source = st->table;
	st->ignored = false;
	snprintf(inih_line, (size_t)size, "[%s]\n", internal);
}

static void header_line(parse_state *st, const char *p, char *inih_line, int size)
{
	if (p[1] == '[') {
		array_header(st, p, inih_line, size);
		return;
	}
	const char *close = strchr(p + 1, ']');
	if (!close) {
		fail(st, st->line, "table header '%s' has no closing ']'", p);
		return;
	}
	char *name = trimmed(p + 1, close);
	const struct known_table *k = find_known(name);
	if (k && (k->kind == TK_UPSTREAM || k->kind == TK_UPSTREAM_ARRAY)) {
		/* upstream otto's table (its names may be quoted): not read */
		end_table(st);
		st->ignored = true;
		free(name);
		return;
	}
	const char *rest = skip_space(close + 1);
	if (*rest && *rest != '#') {
		fail(st, st->line, "unexpected text after the table header: '%s'", rest);
		free(name);
		return;
	}
	if (!valid_table_name(name))
		fail(st, st->line,
		     "table name [%s] is not valid: every dot-separated part must be non-empty and use only A-Z a-z "
		     "0-9 _ -",
		     name);
	else if (strlen(name) > NAME_MAX_LEN)
		fail(st, st->line, "table name [%s] is %zu characters long; at most %d are supported", name,
		     strlen(name), NAME_MAX_LEN);
	if (!st->failed)
		end_table(st);
	if (!st->failed)
		check_table_known(st, name);
	const otto__settings_table *seen = otto__settings_find_table(st->s, name);
	if (!st->failed && seen)
		fail(st, st->line, "table [%s] is defined twice (lines %u and %u)", name, seen->line, st->line);
	if (!st->failed && is_source_table(name) && st->lab_backend_line)
		fail(st, st->line,
		     "[%s] cannot be used together with 'backend' in [lab] (line %u): use either one lab backend or "
		     "layered [lab.sources.<label>] tables",
		     name, st->lab_backend_line);
	if (!st->failed)
		check_source_forms(st, false, name);
	if (!st->failed) {
		otto__settings_add_table(st->s, name, st->line);
		st->table = (long)st->s->n_tables - 1;
		st->ignored = false;
		if (is_source_table(name) && st->first_source < 0)
			st->first_source = st->table;
		if (is_source_table(name) && !st->source_table_line)
			st->source_table_line = st->line;
		if (strncmp(name, "lab.", 4) == 0 && !is_source_table(name) && !st->backend_table_line) {
			st->backend_table_line = st->line;
			st->backend_table = otto__strdup(name);
		}
		snprintf(inih_line, (size_t)size, "[%s]\n", name);
	}
	free(name);
}

/* ---------------------------------------------------------- key lines -- */

/* Brackets opened and not closed in `text` (outside strings); *content is
 * set to the length before a comment. */
static int open_brackets(const char *text, size_t *content)
{
	int depth = 0;
	char quote = 0;
	size_t i = 0;
	for (; text[i]; i++) {
		char c = text[i];
		if (quote) {
			if (c == '\\' && quote == '"' && text[i + 1])
				i++;
			else if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '#') {
			break;
		} else if (c == '[') {
			depth++;
		} else if (c == ']') {
			depth--;
		}
	}
	*content = i;
	return depth;
}

static bool fetch_line(parse_state *st, int size);

/* A value that opens an array and does not close it on its line goes on
 * over the next lines (as in upstream's own files: paths = [\n "a",\n]):
 * they are read now and joined into one value. */
static const char *join_value(parse_state *st, const char *value, const char *key, int size)
{
	size_t content;
	const char *v = skip_space(value);
	int depth = *v == '[' ? open_brackets(v, &content) : 0;
	if (depth <= 0)
		return value;
	otto_buf b = {0};
	otto__buf_appendn(&b, v, content);
	unsigned first = st->line;
	while (depth > 0) {
		if (!fetch_line(st, size)) {
			if (!st->failed)
				fail(st, first,
				     "unterminated array in the value of '%s' (no closing ']' before the end of the file)",
				     key);
			otto__buf_free(&b);
			return NULL;
		}
		depth += open_brackets(st->raw, &content);
		otto__buf_append(&b, " ");
		otto__buf_appendn(&b, st->raw, content);
	}
	free(st->joined);
	st->joined = otto__buf_take(&b);
	return st->joined;
}

static bool is_upstream_top_key(const char *key)
{
	for (size_t i = 0; i < sizeof upstream_top_keys / sizeof *upstream_top_keys; i++)
		if (strcmp(key, upstream_top_keys[i]) == 0)
			return true;
	return false;
}

static bool opens_multiline_string(const char *value)
{
	const char *v = skip_space(value);
	return strncmp(v, "\"\"\"", 3) == 0 || strncmp(v, "'''", 3) == 0;
}

static void key_line(parse_state *st, const char *p, char *inih_line, int size)
{
	const char *eq = strchr(p, '=');
	if (st->ignored) {
		/* Upstream otto's table: not read, but a value spread over lines
		 * is skipped whole. */
		if (eq && opens_multiline_string(eq + 1))
			fail(st, st->line, "multi-line strings are not supported, even in upstream otto's tables");
		else if (eq)
			join_value(st, eq + 1, "(in upstream otto's table)", size);
		return;
	}
	if (!eq) {
		fail(st, st->line, "expected 'key = value' or a [table] header, found '%s'", p);
		return;
	}
	char *key = trimmed(p, eq);
	const char *bad = key;
	while (is_name_char(*bad))
		bad++;
	if (!*key)
		fail(st, st->line, "missing key name before '='");
	else if (*key == '"' || *key == '\'')
		fail(st, st->line, "quoted keys (%s) are not supported: keys are bare words of A-Z a-z 0-9 _ -", key);
	else if (*bad == '.')
		fail(st, st->line, "dotted keys (%s) are not supported: write a [table] header instead", key);
	else if (*bad)
		fail(st, st->line, "key '%s' is not valid: keys are bare words of A-Z a-z 0-9 _ -", key);
	else if (strlen(key) > NAME_MAX_LEN)
		fail(st, st->line, "key '%s' is %zu characters long; at most %d are supported", key, strlen(key),
		     NAME_MAX_LEN);
	else if (st->table < 0 && !is_upstream_top_key(key))
		fail(st, st->line, "key '%s' is outside any table: put it under a table header such as [lab]", key);
	if (st->failed) {
		free(key);
		return;
	}
	st->key_line = st->line;
	const char *value = join_value(st, eq + 1, key, size);
	if (!value) {
		free(key);
		return;
	}
	if (st->table < 0) {
		/* upstream otto's top-level key: only `name` is used, in upstream's
		 * own message about duplicated [[lab.sources]] labels */
		const char *v = skip_space(value);
		const char *end = *v == '"' ? strchr(v + 1, '"') : NULL;
		if (strcmp(key, "name") == 0 && end) {
			free(st->repo_name);
			st->repo_name = otto__strndup(v + 1, (size_t)(end - v - 1));
		}
		free(key);
		return;
	}
	free(st->key);
	st->key = key;
	st->value = value;
	/* inih sees only the key: the value is parsed from the raw line. */
	snprintf(inih_line, (size_t)size, "%s=\n", key);
}

/* ------------------------------------------------------- line reading -- */

/* The next line of the file into st->raw, checked: false at the end of the
 * file or on an error. */
static bool fetch_line(parse_state *st, int size)
{
	if (st->failed || st->next >= st->len)
		return false;
	const char *start = st->text + st->next;
	const char *nl = memchr(start, '\n', st->len - st->next);
	size_t len = nl ? (size_t)(nl - start) : st->len - st->next;
	st->next += len + (nl ? 1 : 0);
	st->line++;
	if (len + 1 > st->raw_cap) {
		st->raw_cap = len + 1;
		st->raw = otto__realloc(st->raw, st->raw_cap);
	}
	memcpy(st->raw, start, len);
	st->raw[len] = '\0';
	if (memchr(st->raw, '\0', len)) {
		fail(st, st->line, "the line holds a NUL byte");
		return false;
	}
	while (len && st->raw[len - 1] == '\r')
		st->raw[--len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)st->raw[i];
		if ((c < 0x20 && c != '\t') || c == 0x7F) {
			/* TOML allows no raw control character; shown escaped so
			 * the message stays on one line. */
			fail(st, st->line,
			     "the line holds the control character \\x%02x at column %zu, which TOML does not allow "
			     "(inside a quoted string write \\n, \\t or \\r)",
			     c, i + 1);
			return false;
		}
	}
	if (st->line == 1 && strncmp(st->raw, "\xEF\xBB\xBF", 3) == 0) {
		memmove(st->raw, st->raw + 3, len - 2);
		len -= 3;
	}
	/* Room for the line, '\n' and '\0' in inih's buffer. */
	size_t limit = size > 2 ? (size_t)size - 2 : 0;
	if (len > limit) {
		fail(st, st->line, "the line is %zu characters long; at most %zu are supported", len, limit);
		return false;
	}
	return true;
}

/* inih's ini_reader: hands inih one normalised line per line of the file,
 * or NULL (end of file) at the end or after the first error. */
static char *read_line(char *buf, int size, void *stream)
{
	parse_state *st = stream;
	if (st->failed)
		return NULL;
	if (st->next >= st->len) {
		end_table(st);
		return NULL;
	}
	if (!fetch_line(st, size))
		return NULL;
	const char *p = skip_space(st->raw);
	strcpy(buf, "\n");
	if (*p == '\0' || *p == '#')
		return buf;
	if (p > st->raw && st->open_key && !st->ignored) {
		fail(st, st->line,
		     "indented line continues '%s' from line %u: multi-line values are not supported (remove the "
		     "indentation)",
		     st->open_key, st->open_key_line);
		return NULL;
	}
	if (*p == ';') {
		fail(st, st->line, "';' does not start a comment in TOML: use '#'");
		return NULL;
	}
	if (*p == '[') {
		header_line(st, p, buf, size);
		free(st->open_key);
		st->open_key = NULL;
	} else {
		key_line(st, p, buf, size);
		if (!st->failed && buf[0] != '\n') {
			free(st->open_key);
			st->open_key = otto__strdup(st->key);
			st->open_key_line = st->key_line;
		}
	}
	return st->failed ? NULL : buf;
}

/* ------------------------------------------------------------- values -- */

static const char *key_name(const parse_state *st)
{
	return st->key;
}

/* A quoted string at *pp (a '"' or '\''); *pp ends after the closing quote. */
static char *parse_string(parse_state *st, const char **pp)
{
	const char *p = *pp;
	char quote = *p;
	if (p[1] == quote && p[2] == quote) {
		fail(st, st->line, "multi-line strings (%c%c%c) are not supported (value of '%s')", quote, quote, quote,
		     key_name(st));
		return NULL;
	}
	otto_buf out = {0};
	otto__buf_append(&out, "");
	for (p++;; p++) {
		if (*p == '\0') {
			fail(st, st->line, "unterminated string in the value of '%s'", key_name(st));
			otto__buf_free(&out);
			return NULL;
		}
		if (*p == quote)
			break;
		if (*p != '\\' || quote == '\'') {
			otto__buf_appendn(&out, p, 1);
			continue;
		}
		const char *mapped = NULL;
		switch (p[1]) {
		case '"':
			mapped = "\"";
			break;
		case '\\':
			mapped = "\\";
			break;
		case 'n':
			mapped = "\n";
			break;
		case 't':
			mapped = "\t";
			break;
		case 'r':
			mapped = "\r";
			break;
		case '\0':
			fail(st, st->line, "unterminated string in the value of '%s'", key_name(st));
			break;
		default:
			fail(st, st->line,
			     "unsupported escape '\\%c' in the value of '%s' (supported: \\\" \\\\ \\n \\t \\r)", p[1],
			     key_name(st));
		}
		if (!mapped) {
			otto__buf_free(&out);
			return NULL;
		}
		otto__buf_append(&out, mapped);
		p++;
	}
	*pp = p + 1;
	return otto__buf_take(&out);
}

static void push_item(otto_setting *set, char *item)
{
	char **items = (char **)set->items;
	items = otto__realloc(items, (set->n_items + 1) * sizeof *items);
	items[set->n_items++] = item;
	set->items = (const char *const *)items;
}

static bool parse_array(parse_state *st, const char **pp, otto_setting *set)
{
	const char *p = skip_space(*pp + 1);
	set->type = OTTO_VALUE_ARRAY;
	if (*p == ']') {
		*pp = p + 1;
		return true;
	}
	for (;;) {
		if (*p == '"' || *p == '\'') {
			char *item = parse_string(st, &p);
			if (!item)
				return false;
			push_item(set, item);
		} else if (*p == '[') {
			fail(st, st->line, "nested arrays are not supported (value of '%s')", key_name(st));
			return false;
		} else if (*p == ',') {
			fail(st, st->line, "missing array element before ',' in the value of '%s'", key_name(st));
			return false;
		} else if (*p == '\0' || *p == '#') {
			break;
		} else {
			size_t n = strcspn(p, " \t,]#");
			fail(st, st->line, "arrays may hold only strings: found '%.*s' in the value of '%s'", (int)n, p,
			     key_name(st));
			return false;
		}
		p = skip_space(p);
		if (*p == ',') {
			p = skip_space(p + 1);
			if (*p != ']')
				continue;
		}
		if (*p == ']') {
			*pp = p + 1;
			return true;
		}
		if (*p == '\0' || *p == '#')
			break;
		fail(st, st->line, "expected ',' or ']' after an array element in the value of '%s', found '%s'",
		     key_name(st), p);
		return false;
	}
	fail(st, st->line, "unterminated array in the value of '%s' (arrays must be written on one line)",
	     key_name(st));
	return false;
}

static bool is_integer_text(const char *s, size_t n)
{
	size_t i = (n && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
	if (i == n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool parse_word(parse_state *st, const char **pp, otto_setting *set)
{
	const char *p = *pp;
	size_t n = strcspn(p, " \t#");
	char *word = otto__strndup(p, n);
	bool ok = false;
	if (n == 0) {
		fail(st, st->line, "missing value for '%s'", key_name(st));
	} else if (strcmp(word, "true") == 0 || strcmp(word, "false") == 0) {
		set->type = OTTO_VALUE_BOOLEAN;
		set->boolean = word[0] == 't';
		ok = true;
	} else if (is_integer_text(word, n)) {
		const char *digits = word + (word[0] == '+' || word[0] == '-');
		errno = 0;
		long long v = strtoll(word, NULL, 10);
		if (digits[0] == '0' && digits[1] != '\0')
			fail(st, st->line, "leading zeros are not allowed in the integer %s (value of '%s')", word,
			     key_name(st));
		else if (errno == ERANGE)
			fail(st, st->line, "the integer %s is out of range (value of '%s')", word, key_name(st));
		else {
			set->type = OTTO_VALUE_INTEGER;
			set->integer = (int64_t)v;
			ok = true;
		}
	} else if (strcasecmp(word, "true") == 0 || strcasecmp(word, "false") == 0) {
		fail(st, st->line, "booleans are written true or false in lower case: found %s (value of '%s')", word,
		     key_name(st));
	} else if (strchr("+-.0123456789", word[0])) {
		fail(st, st->line,
		     "'%s' is not a supported value for '%s': use a quoted string, an integer, true, false or an array "
		     "of strings",
		     word, key_name(st));
	} else {
		fail(st, st->line, "the value of '%s' must be quoted: write %s = \"%s\"", key_name(st), key_name(st),
		     word);
	}
	if (ok) {
		set->string = word;
		*pp = p + n;
	} else {
		free(word);
	}
	return ok;
}

/* Parse the raw value text into set (type and value fields). */
static bool parse_value(parse_state *st, const char *text, otto_setting *set)
{
	const char *p = skip_space(text);
	const char *start = p;
	bool ok;
	if (*p == '{') {
		fail(st, st->line, "inline tables ({...}) are not supported (value of '%s'): write a [table] instead",
		     key_name(st));
		return false;
	}
	if (*p == '"' || *p == '\'') {
		char *s = parse_string(st, &p);
		ok = s != NULL;
		set->type = OTTO_VALUE_STRING;
		set->string = s;
	} else if (*p == '[') {
		ok = parse_array(st, &p, set);
		if (ok)
			set->string = otto__strndup(start, (size_t)(p - start));
	} else {
		ok = parse_word(st, &p, set);
	}
	if (!ok)
		return false;
	p = skip_space(p);
	if (*p && *p != '#') {
		fail(st, st->line, "unexpected text after the value of '%s': '%s'", key_name(st), p);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------- structure -- */

enum {
	T_STRING = 1 << OTTO_VALUE_STRING,
	T_INTEGER = 1 << OTTO_VALUE_INTEGER,
	T_BOOLEAN = 1 << OTTO_VALUE_BOOLEAN,
	T_ARRAY = 1 << OTTO_VALUE_ARRAY
};

typedef struct fixed_key {
	const char *table;
	const char *key;
	unsigned types;
	const char *wanted;
} fixed_key;

/* The tables libotto itself reads, and their keys. */
static const fixed_key fixed_keys[] = {
    {"lab", "backend", T_STRING, "a string"},
    {"reservations", "backend", T_STRING, "a string"},
    {"reservations", "url", T_STRING, "a string"},
    {"plugins", "path", T_ARRAY | T_STRING, "an array of strings or a string"},
    {"plugins", "call_timeout", T_INTEGER, "an integer (seconds)"},
    {"plugins", "allow_untrusted", T_BOOLEAN, "a boolean (true or false)"},
    {"locks", "dir", T_STRING, "a string"},
    {"locks", "check_pid", T_BOOLEAN, "a boolean (true or false)"},
    {"locks", "store", T_STRING, "a string"},
    {"locks", "url", T_STRING, "a string"},
    {"lab.sources.*", "backend", T_STRING, "a string"},
    {"lab.sources.#*", "name", T_STRING, "a string"},
};

static const char *type_name(otto_value_type type)
{
	switch (type) {
	case OTTO_VALUE_STRING:
		return "a string";
	case OTTO_VALUE_INTEGER:
		return "an integer";
	case OTTO_VALUE_BOOLEAN:
		return "a boolean";
	case OTTO_VALUE_ARRAY:
		return "an array";
	}
	return "a value";
}

static bool is_fixed_table(const char *name)
{
	const struct known_table *k = find_known(name);
	return k && k->kind == TK_FIXED;
}

static bool is_array_source(const char *table)
{
	return strncmp(table, "lab.sources.#", 13) == 0;
}

static bool table_matches(const char *pattern, const char *table)
{
	if (strcmp(pattern, "lab.sources.#*") == 0)
		return is_array_source(table);
	return strcmp(pattern, "lab.sources.*") == 0 ? is_source_table(table) : strcmp(pattern, table) == 0;
}

static void check_fixed_key(parse_state *st, const char *table, const otto_setting *set)
{
	const fixed_key *rule = NULL;
	otto_buf accepted = {0};
	for (size_t i = 0; i < sizeof fixed_keys / sizeof *fixed_keys; i++) {
		if (!table_matches(fixed_keys[i].table, table))
			continue;
		otto__buf_printf(&accepted, "%s%s", accepted.len ? ", " : "", fixed_keys[i].key);
		if (strcmp(fixed_keys[i].key, set->key) == 0)
			rule = &fixed_keys[i];
	}
	if (!rule && is_fixed_table(table))
		fail(st, st->line, "unknown key '%s' in [%s] (accepted: %s)", set->key, table, accepted.data);
	else if (rule && !(rule->types & (1u << set->type)))
		fail(st, st->line, "'%s' in [%s] must be %s, not %s", set->key, table, rule->wanted,
		     type_name(set->type));
	else if (rule && strcmp(set->key, "backend") == 0 && set->string[0] == '\0')
		fail(st, st->line, "'backend' in [%s] must not be empty", table);
	otto__buf_free(&accepted);
	if (st->failed || strcmp(table, "plugins") != 0)
		return;
	if (strcmp(set->key, "call_timeout") == 0) {
		if (set->integer < 1 || set->integer > OTTO_CALL_TIMEOUT_MAX)
			fail(st, st->line, "'call_timeout' in [plugins] must be between 1 and %d seconds, not %lld",
			     OTTO_CALL_TIMEOUT_MAX, (long long)set->integer);
		return;
	}
	bool empty = set->type == OTTO_VALUE_STRING && set->string[0] == '\0';
	for (size_t i = 0; i < set->n_items; i++)
		empty = empty || set->items[i][0] == '\0';
	if (empty)
		fail(st, st->line, "'path' in [plugins] holds an empty folder name");
}

static void check_structure(parse_state *st, const otto__settings_table *t, const otto_setting *set)
{
	const otto_setting *before = otto__settings_table_get(t, set->key);
	if (before) {
		fail(st, st->line, "duplicate key '%s' in [%s] (lines %u and %u)", set->key, t->name, before->line,
		     st->line);
		return;
	}
	check_fixed_key(st, t->name, set);
	if (st->failed || strcmp(t->name, "lab") != 0 || strcmp(set->key, "backend") != 0)
		return;
	if (st->array_sources) {
		fail(st, st->line,
		     "'backend' in [lab] cannot be used together with [[lab.sources]] (line %u); as upstream otto says: "
		     "[lab] `backend` was removed; select backends per source: [[lab.sources]] backend = \"<name>\", "
		     "with its kwargs inline in the entry",
		     st->array_source_line);
		return;
	}
	if (st->first_source >= 0) {
		const otto__settings_table *src = &st->s->tables[st->first_source];
		fail(st, st->line,
		     "'backend' in [lab] cannot be used together with [%s] (line %u): use either one lab backend or "
		     "layered [lab.sources.<label>] tables",
		     src->name, src->line);
		return;
	}
	st->lab_backend_line = st->line;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	parse_state *st = user;
	otto__settings_table *t = current_table(st);
	/* inih cuts values at " ;": the raw line's value is parsed instead. */
	(void)value;
	if (st->failed)
		return 0;
	if (!t || !st->key || strcmp(section, t->name) != 0 || strcmp(name, st->key) != 0) {
		fail(st, st->line, "the settings reader lost track of this line (inih saw '%s' in [%s])", name,
		     section);
		return 0;
	}
	otto_setting set = {0};
	/* A value joined from several lines is reported at its key's line. */
	unsigned line = st->line;
	st->line = st->key_line;
	bool parsed = parse_value(st, st->value, &set);
	st->line = line;
	if (!parsed) {
		otto__setting_release(&set);
		return 0;
	}
	set.key = st->key;
	st->key = NULL;
	set.file = st->s->path;
	set.line = st->key_line;
	check_structure(st, t, &set);
	if (st->failed) {
		otto__setting_release(&set);
		return 0;
	}
	otto__settings_table_push(t, &set);
	return 1;
}

/* [[lab.sources]] labels (`name`, else "<backend>#<n>") must be unique,
 * with upstream's own message, which names each label "<repo>/<label>". */
static void check_labels(parse_state *st)
{
	otto_strlist labels = {0};
	otto_buf dupes = {0};
	const char *repo = st->repo_name ? st->repo_name : otto_settings_repo_root(st->s);
	for (size_t i = 0; i < st->s->n_tables; i++) {
		const otto__settings_table *t = &st->s->tables[i];
		if (!is_array_source(t->name))
			continue;
		char *label = otto__settings_source_label(t);
		if (otto_strlist_index(&labels, label) >= 0 && !strstr(dupes.data ? dupes.data : "", label))
			otto__buf_printf(&dupes, "%s'%s/%s'", dupes.len ? ", " : "", repo, label);
		otto__strlist_push_owned(&labels, label);
	}
	if (dupes.len)
		fail(st, st->array_source_line, "repo '%s': [[lab.sources]] labels must be unique; duplicated: [%s]", repo,
		     dupes.data);
	otto__buf_free(&dupes);
	otto_strlist_free(&labels);
}

int otto__settings_parse(otto_settings *s, const char *text, size_t len, const char *path, otto_error *err)
{
	parse_state st = {
	    .s = s, .text = text, .len = len, .path = path, .err = err, .table = -1, .first_source = -1};
	int rc = ini_parse_stream(read_line, &st, on_key, &st);
	if (!st.failed && rc != 0)
		fail(&st, rc > 0 ? (unsigned)rc : st.line, "inih could not parse this line (error %d)", rc);
	if (!st.failed)
		check_labels(&st);
	free(st.raw);
	free(st.key);
	free(st.open_key);
	free(st.joined);
	free(st.backend_table);
	free(st.repo_name);
	return st.failed ? OTTO_ESETTINGS : OTTO_OK;
}
