/*
 * Values of the settings subset of TOML (settings_parse_int.h): quoted
 * strings with their escapes, integers, booleans and arrays of strings;
 * every refusal names the key and the line.
 */
#include "settings/settings_parse_int.h"
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
		otto__settings_fail(st, st->line, "multi-line strings (%c%c%c) are not supported (value of '%s')",
				    quote, quote, quote, key_name(st));
		return NULL;
	}
	otto_buf out = {0};
	otto__buf_append(&out, "");
	for (p++;; p++) {
		if (*p == '\0') {
			otto__settings_fail(st, st->line, "unterminated string in the value of '%s'", key_name(st));
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
			otto__settings_fail(st, st->line, "unterminated string in the value of '%s'", key_name(st));
			break;
		default:
			otto__settings_fail(
			    st, st->line,
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
	const char *p = otto__settings_skip_space(*pp + 1);
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
			otto__settings_fail(st, st->line, "nested arrays are not supported (value of '%s')",
					    key_name(st));
			return false;
		} else if (*p == ',') {
			otto__settings_fail(st, st->line, "missing array element before ',' in the value of '%s'",
					    key_name(st));
			return false;
		} else if (*p == '\0' || *p == '#') {
			break;
		} else {
			size_t n = strcspn(p, " \t,]#");
			otto__settings_fail(st, st->line,
					    "arrays may hold only strings: found '%.*s' in the value of '%s'", (int)n,
					    p, key_name(st));
			return false;
		}
		p = otto__settings_skip_space(p);
		if (*p == ',') {
			p = otto__settings_skip_space(p + 1);
			if (*p != ']')
				continue;
		}
		if (*p == ']') {
			*pp = p + 1;
			return true;
		}
		if (*p == '\0' || *p == '#')
			break;
		otto__settings_fail(st, st->line,
				    "expected ',' or ']' after an array element in the value of '%s', found '%s'",
				    key_name(st), p);
		return false;
	}
	otto__settings_fail(st, st->line, "unterminated array in the value of '%s'", key_name(st));
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
		otto__settings_fail(st, st->line, "missing value for '%s'", key_name(st));
	} else if (strcmp(word, "true") == 0 || strcmp(word, "false") == 0) {
		set->type = OTTO_VALUE_BOOLEAN;
		set->boolean = word[0] == 't';
		ok = true;
	} else if (is_integer_text(word, n)) {
		const char *digits = word + (word[0] == '+' || word[0] == '-');
		errno = 0;
		long long v = strtoll(word, NULL, 10);
		if (digits[0] == '0' && digits[1] != '\0')
			otto__settings_fail(st, st->line,
					    "leading zeros are not allowed in the integer %s (value of '%s')", word,
					    key_name(st));
		else if (errno == ERANGE)
			otto__settings_fail(st, st->line, "the integer %s is out of range (value of '%s')", word,
					    key_name(st));
		else {
			set->type = OTTO_VALUE_INTEGER;
			set->integer = (int64_t)v;
			ok = true;
		}
	} else if (strcasecmp(word, "true") == 0 || strcasecmp(word, "false") == 0) {
		otto__settings_fail(st, st->line,
				    "booleans are written true or false in lower case: found %s (value of '%s')", word,
				    key_name(st));
	} else if (strchr("+-.0123456789", word[0])) {
		otto__settings_fail(
		    st, st->line,
		    "'%s' is not a supported value for '%s': use a quoted string, an integer, true, false or an array "
		    "of strings",
		    word, key_name(st));
	} else {
		otto__settings_fail(st, st->line, "the value of '%s' must be quoted: write %s = \"%s\"", key_name(st),
				    key_name(st), word);
	}
	if (ok) {
		set->string = word;
		*pp = p + n;
	} else {
		free(word);
	}
	return ok;
}

bool otto__settings_parse_value(parse_state *st, const char *text, otto_setting *set)
{
	const char *p = otto__settings_skip_space(text);
	const char *start = p;
	bool ok;
	if (*p == '{') {
		otto__settings_fail(st, st->line,
				    "inline tables ({...}) are not supported (value of '%s'): write a [table] instead",
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
	p = otto__settings_skip_space(p);
	if (*p && *p != '#') {
		otto__settings_fail(st, st->line, "unexpected text after the value of '%s': '%s'", key_name(st), p);
		return false;
	}
	return true;
}
