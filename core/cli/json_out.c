#include "json_out.h"

#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

yajl_gen cli_json_begin(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g) {
		fprintf(stderr, "otto: out of memory\n");
		exit(CLI_EXIT_FAILED);
	}
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

yajl_gen cli_json_begin_answer(const char *lab, const char *user, const char *backend)
{
	yajl_gen g = cli_json_begin();
	yajl_gen_map_open(g);
	const char *const keys[] = {"lab", "user"};
	const char *const values[] = {lab, user};
	for (size_t i = 0; i < 2; i++) {
		if (!values[i])
			continue;
		cli_json_key(g, keys[i]);
		cli_json_string(g, values[i]);
	}
	cli_json_key(g, "backend");
	cli_json_string(g, backend);
	return g;
}

int cli_json_end(yajl_gen g)
{
	const unsigned char *buf = NULL;
	size_t len = 0;
	int rc = CLI_EXIT_OK;
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		fprintf(stderr, "otto: internal error: could not generate the JSON output\n");
		rc = CLI_EXIT_FAILED;
	} else {
		fwrite(buf, 1, len, stdout);
		if (len && buf[len - 1] != '\n')
			fputc('\n', stdout);
	}
	yajl_gen_free(g);
	return rc;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
	size_t need;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		need = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (left < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return need;
}

static void string_n(yajl_gen g, const char *s, size_t len)
{
	if (yajl_gen_string(g, (const unsigned char *)s, len) != yajl_gen_invalid_string)
		return;
	/* Not UTF-8: replace each bad byte with U+FFFD (3 bytes). */
	char *fixed = malloc(len * 3 + 1);
	size_t out = 0;
	if (!fixed) {
		fprintf(stderr, "otto: out of memory\n");
		exit(CLI_EXIT_FAILED);
	}
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence((const unsigned char *)s + i, len - i);
		if (n == 0) {
			memcpy(fixed + out, "\xEF\xBF\xBD", 3);
			out += 3;
			i++;
		} else {
			memcpy(fixed + out, s + i, n);
			out += n;
			i += n;
		}
	}
	yajl_gen_string(g, (const unsigned char *)fixed, out);
	free(fixed);
}

void cli_json_key(yajl_gen g, const char *key)
{
	string_n(g, key, strlen(key));
}

void cli_json_key_n(yajl_gen g, const char *key, size_t len)
{
	string_n(g, key, len);
}

void cli_json_string(yajl_gen g, const char *s)
{
	if (s)
		string_n(g, s, strlen(s));
	else
		yajl_gen_null(g);
}

void cli_json_number(yajl_gen g, int64_t n)
{
	if (n == OTTO_NO_NUMBER)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, (long long)n);
}

void cli_json_bool(yajl_gen g, bool b)
{
	yajl_gen_bool(g, b ? 1 : 0);
}

void cli_json_strlist(yajl_gen g, const otto_strlist *list)
{
	yajl_gen_array_open(g);
	for (size_t i = 0; list && i < list->count; i++)
		cli_json_string(g, list->items[i]);
	yajl_gen_array_close(g);
}
