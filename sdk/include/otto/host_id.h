/*
 * otto/host_id.h - the host id rule (a stability contract: never change it).
 *
 *   slug(s) = lower-case s; replace every maximal run of characters outside
 *             [a-z0-9] with one '-'; strip leading and trailing '-'.
 *             A value that slugs to "" is invalid.
 *   id      = slug(element) + (element_id as decimal, or "")
 *             and, only when board is set:
 *             + "_" + slug(board) + (slot as decimal, or "")
 *
 * Header-only so that plugins and libotto share one implementation without
 * a plugin linking libotto. Strings are UTF-8. Lower-casing follows the
 * upstream Python rule (str.lower): the only non-ASCII characters whose
 * lower case falls inside [a-z0-9] are U+212A KELVIN SIGN (-> "k") and
 * U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE (-> "i" + a combining mark,
 * which then counts as a separator). Every other non-ASCII byte is outside.
 */
#ifndef OTTO_HOST_ID_H
#define OTTO_HOST_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A bounded writer: counts every character, stores those that fit and
 * keeps room for the NUL (snprintf semantics without format strings, which
 * GCC's -Wformat-truncation flags at every small constant size). */
typedef struct otto_id_writer {
	char *buf;
	size_t size;
	size_t len;
} otto_id_writer;

static inline void otto_id_put(otto_id_writer *w, char c)
{
	if (w->size > 0 && w->len < w->size - 1)
		w->buf[w->len] = c;
	w->len++;
}

static inline void otto_id_terminate(otto_id_writer *w)
{
	if (w->size > 0)
		w->buf[w->len < w->size - 1 ? w->len : w->size - 1] = '\0';
}

static inline void otto_id_put_number(otto_id_writer *w, int64_t n)
{
	char digits[24];
	size_t count = 0;
	uint64_t v = (uint64_t)n;
	do {
		digits[count++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && count < sizeof digits);
	while (count)
		otto_id_put(w, digits[--count]);
}

/* Append slug(s); returns how many characters the slug has (0: invalid). */
static inline size_t otto_id_put_slug(otto_id_writer *w, const char *s)
{
	size_t start = w->len;
	int pending_dash = 0;
	const unsigned char *p = (const unsigned char *)s;
	if (!s)
		return 0;
	while (*p) {
		char c = 0;
		size_t advance = 1;
		if (*p >= 'A' && *p <= 'Z')
			c = (char)(*p - 'A' + 'a');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			c = (char)*p;
		else if (p[0] == 0xE2 && p[1] == 0x84 && p[2] == 0xAA) /* U+212A KELVIN SIGN */
			c = 'k', advance = 3;
		else if (p[0] == 0xC4 && p[1] == 0xB0) /* U+0130: "i" then a combining dot */
			c = 'i', advance = 2;
		if (c) {
			if (pending_dash && w->len > start)
				otto_id_put(w, '-');
			otto_id_put(w, c);
			/* U+0130's combining dot is outside [a-z0-9]. */
			pending_dash = advance == 2;
		} else {
			pending_dash = 1;
		}
		p += advance;
	}
	return w->len - start;
}

/* Write slug(s) into buf (always NUL-terminated when size > 0). Returns the
 * slug's full length (like snprintf: a result >= size means it was cut),
 * or 0 when s is NULL or slugs to "" (invalid). */
static inline size_t otto_slug(char *buf, size_t size, const char *s)
{
	otto_id_writer w = {buf, size, 0};
	size_t len = otto_id_put_slug(&w, s);
	otto_id_terminate(&w);
	return len;
}

/* Write the host id into buf. Returns the id's full length (a result >= size
 * means it was cut), or 0 when the id is invalid: element NULL or slugging
 * to "", a negative element_id or slot other than -1 (absent), or a board
 * that slugs to "". Pass board NULL for none; element_id/slot -1 for none.
 * On 0, buf holds "". */
static inline size_t otto_host_id(char *buf, size_t size, const char *element, int64_t element_id,
				  const char *board, int64_t slot)
{
	otto_id_writer w = {buf, size, 0};
	bool valid = element_id >= -1 && slot >= -1 && otto_id_put_slug(&w, element) > 0;
	if (valid && element_id >= 0)
		otto_id_put_number(&w, element_id);
	if (valid && board) {
		otto_id_put(&w, '_');
		valid = otto_id_put_slug(&w, board) > 0;
		if (valid && slot >= 0)
			otto_id_put_number(&w, slot);
	}
	if (!valid)
		w.len = 0;
	otto_id_terminate(&w);
	return w.len;
}

#ifdef __cplusplus
}
#endif

#endif /* OTTO_HOST_ID_H */
