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

static const char accepted_tables[] =
    "[lab], [lab.<backend>], [lab.sources.<label>], [reservations], [reservations.<backend>], [plugins], [locks]";

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

/* Which tables the file may hold; fails with the reason otherwise. */
static void check_table_known(parse_state *st, const char *name)
{
	size_t parts = 1;
	for (const char *p = name; *p; p++)
		parts += *p == '.';
	size_t head = strcspn(name, ".");
	bool known = false;
	if (strncmp(name, "lab", head) == 0 && head == 3) {
		const char *second = name + 4;
		if (parts == 2 && strcmp(second, "sources") == 0) {
			fail(
			    st, st->line,
			    "[lab.sources] holds no keys of its own: write one [lab.sources.<label>] table per source");
			return;
		}
		known = parts <= 2 || (parts == 3 && strncmp(second, "sources.", 8) == 0);
	} else if (strncmp(name, "reservations", head) == 0 && head == 12) {
		known = parts <= 2;
	} else if (strcmp(name, "plugins") == 0 || strcmp(name, "locks") == 0) {
		known = true;
	}
	if (!known)
		fail(st, st->line, "unknown table [%s]; accepted tables: %s", name, accepted_tables);
}

/* A table is complete when the next header or the end of the file comes. */
static void end_table(parse_state *st)
{
	const otto__settings_table *t = current_table(st);
	if (!t || !is_source_table(t->name) || otto__settings_table_get(t, "backend"))
		return;
	fail(st, t->line, "[%s] has no 'backend' key: every lab source names the backend that reads it", t->name);
}

static void header_line(parse_state *st, const char *p, char *inih_line, int size)
{
	if (p[1] == '[') {
		fail(st, st->line, "arrays of tables ([[...]]) are not supported");
		return;
	}
	const char *close = strchr(p + 1, ']');
	if (!close) {
		fail(st, st->line, "table header '%s' has no closing ']'", p);
		return;
	}
	const char *rest = skip_space(close + 1);
	if (*rest && *rest != '#') {
		fail(st, st->line, "unexpected text after the table header: '%s'", rest);
		return;
	}
	char *name = trimmed(p + 1, close);
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
	if (!st->failed) {
		otto__settings_add_table(st->s, name, st->line);
		st->table = (long)st->s->n_tables - 1;
		if (is_source_table(name) && st->first_source < 0)
			st->first_source = st->table;
		snprintf(inih_line, (size_t)size, "[%s]\n", name);
	}
	free(name);
}

/* ---------------------------------------------------------- key lines -- */

static void key_line(parse_state *st, const char *p, char *inih_line, int size)
{
	const char *eq = strchr(p, '=');
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
	else if (st->table < 0)
		fail(st, st->line, "key '%s' is outside any table: put it under a table header such as [lab]", key);
	if (st->failed) {
		free(key);
		return;
	}
	free(st->key);
	st->key = key;
	st->value = eq + 1;
	/* inih sees only the key: the value is parsed from the raw line. */
	snprintf(inih_line, (size_t)size, "%s=\n", key);
}

/* ------------------------------------------------------- line reading -- */

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
		return NULL;
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
			return NULL;
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
		return NULL;
	}

	const char *p = skip_space(st->raw);
	strcpy(buf, "\n");
	if (*p == '\0' || *p == '#')
		return buf;
	if (p > st->raw && st->open_key) {
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
		if (!st->failed) {
			free(st->open_key);
			st->open_key = otto__strdup(st->key);
			st->open_key_line = st->line;
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
    {"lab.sources.*", "backend", T_STRING, "a string"},
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
	return strcmp(name, "lab") == 0 || strcmp(name, "reservations") == 0 || strcmp(name, "plugins") == 0 ||
	       strcmp(name, "locks") == 0;
}

static bool table_matches(const char *pattern, const char *table)
{
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
	if (!parse_value(st, st->value, &set)) {
		otto__setting_release(&set);
		return 0;
	}
	set.key = st->key;
	st->key = NULL;
	set.file = st->s->path;
	set.line = st->line;
	check_structure(st, t, &set);
	if (st->failed) {
		otto__setting_release(&set);
		return 0;
	}
	otto__settings_table_push(t, &set);
	return 1;
}

int otto__settings_parse(otto_settings *s, const char *text, size_t len, const char *path, otto_error *err)
{
	parse_state st = {
	    .s = s, .text = text, .len = len, .path = path, .err = err, .table = -1, .first_source = -1};
	int rc = ini_parse_stream(read_line, &st, on_key, &st);
	if (!st.failed && rc != 0)
		fail(&st, rc > 0 ? (unsigned)rc : st.line, "inih could not parse this line (error %d)", rc);
	free(st.raw);
	free(st.key);
	free(st.open_key);
	return st.failed ? OTTO_ESETTINGS : OTTO_OK;
}
