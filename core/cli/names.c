/*
 * See names.h: natural order, typo suggestions and display width.
 *
 * Width: the bytes are decoded here (strict UTF-8), then each code point's
 * width comes from wcwidth() evaluated under a UTF-8 LC_CTYPE made for the
 * purpose (C.UTF-8), whatever locale the process runs in (otto never calls
 * setlocale, so it is "C", where wcwidth knows ASCII only). Without such a
 * locale, a small table of the wide and zero-width ranges stands in.
 */
#include "names.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ------------------------------------------------------ natural order -- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compare the digit runs at *a and *b as numbers and step over them. */
static int compare_numbers(const char **a, const char **b)
{
	const char *x = *a, *y = *b;
	while (*x == '0' && is_digit(x[1]))
		x++;
	while (*y == '0' && is_digit(y[1]))
		y++;
	size_t nx = 0, ny = 0;
	while (is_digit(x[nx]))
		nx++;
	while (is_digit(y[ny]))
		ny++;
	int order = nx < ny ? -1 : nx > ny ? 1 : strncmp(x, y, nx);
	*a = x + nx;
	*b = y + ny;
	return order;
}

int cli_natural_compare(const char *a, const char *b)
{
	const char *x = a, *y = b;
	while (*x && *y) {
		if (is_digit(*x) && is_digit(*y)) {
			int order = compare_numbers(&x, &y);
			if (order)
				return order;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
		x++;
		y++;
	}
	if (*x || *y)
		return *x ? 1 : -1;
	return strcmp(a, b);
}

int cli_natural_compare_ptrs(const void *a, const void *b)
{
	return cli_natural_compare(*(char *const *)a, *(char *const *)b);
}

void cli_sort_names(otto_strlist *list)
{
	if (list && list->count > 1)
		qsort(list->items, list->count, sizeof *list->items, cli_natural_compare_ptrs);
}

/* ------------------------------------------------------ did you mean -- */

/* Optimal string alignment: insertions, deletions, substitutions and
 * swaps of two neighbours ("lsit" for "list") cost 1 each. */
size_t cli_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), width = lb + 1;
	size_t *d = malloc((la + 1) * width * sizeof *d);
	if (!d)
		abort();
	for (size_t i = 0; i <= la; i++)
		d[i * width] = i;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[(i - 1) * width + j - 1] + (a[i - 1] != b[j - 1]);
			if (d[(i - 1) * width + j] + 1 < best)
				best = d[(i - 1) * width + j] + 1;
			if (d[i * width + j - 1] + 1 < best)
				best = d[i * width + j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[(i - 2) * width + j - 2] + 1 < best)
				best = d[(i - 2) * width + j - 2] + 1;
			d[i * width + j] = best;
		}
	}
	size_t distance = d[la * width + lb];
	free(d);
	return distance;
}

const char *cli_did_you_mean(const char *word, const char *const *candidates)
{
	size_t len = strlen(word), limit = len <= 4 ? 1 : len / 3;
	const char *best = NULL;
	size_t best_distance = SIZE_MAX;
	if (len == 0)
		return NULL;
	for (size_t i = 0; candidates && candidates[i]; i++) {
		size_t d = cli_edit_distance(word, candidates[i]);
		if (d < best_distance) {
			best_distance = d;
			best = candidates[i];
		}
	}
	if (best && best_distance <= limit)
		return best;
	/* "res" for "reservation": a prefix that names exactly one candidate. */
	best = NULL;
	for (size_t i = 0; candidates && candidates[i]; i++) {
		if (strncmp(word, candidates[i], len) != 0)
			continue;
		if (best)
			return NULL;
		best = candidates[i];
	}
	return len >= 2 ? best : NULL;
}

/* ------------------------------------------------------ display width -- */

/* The next code point of strict UTF-8 at *p (advanced), or -1 for a byte
 * that does not start a valid sequence (then *p moves one byte). */
static int32_t next_code_point(const unsigned char **p)
{
	const unsigned char *s = *p;
	int32_t cp;
	size_t need;
	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 1, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 2, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 3, cp = s[0] & 0x07;
	else
		goto invalid;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto invalid;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		goto invalid;
	*p = s + need + 1;
	return cp;
invalid:
	*p = s + 1;
	return -1;
}

/* When no UTF-8 locale exists: the common zero-width and wide ranges. */
static int table_width(int32_t cp)
{
	static const int32_t zero[][2] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
					  {0x064B, 0x065F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
					  {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}};
	static const int32_t wide[][2] = {{0x1100, 0x115F},   {0x2E80, 0x303E},	 {0x3041, 0x33FF}, {0x3400, 0x4DBF},
					  {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},	 {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
					  {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},	 {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
					  {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD}};
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

static locale_t utf8_locale(void)
{
	static locale_t made;
	static bool tried;
	if (!tried) {
		tried = true;
		made = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
		if (!made)
			made = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
	}
	return made;
}

size_t cli_display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	locale_t utf8 = utf8_locale();
	locale_t previous = utf8 ? uselocale(utf8) : (locale_t)0;
	size_t width = 0;
	while (*p) {
		int32_t cp = next_code_point(&p);
		int w;
		if (cp < 0)
			w = 4; /* shown as \xHH by the escaping; never reached after it */
		else if (cp < 0x80)
			w = cp >= 0x20 && cp != 0x7F ? 1 : 0;
		else if (utf8)
			w = wcwidth((wchar_t)cp);
		else
			w = table_width(cp);
		width += w < 0 ? 1 : (size_t)w;
	}
	if (utf8)
		uselocale(previous);
	return width;
}
