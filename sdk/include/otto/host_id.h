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

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write slug(s) into buf (always NUL-terminated when size > 0). Returns the
 * slug's full length (like snprintf: a result >= size means it was cut),
 * or 0 when s is NULL or slugs to "" (invalid). */
static inline size_t otto_slug(char *buf, size_t size, const char *s)
{
	size_t len = 0;
	int pending_dash = 0;
	const unsigned char *p = (const unsigned char *)s;
	if (size)
		buf[0] = '\0';
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
		else if (p[0] == 0xC4 && p[1] == 0xB0) { /* U+0130: "i" then a combining dot */
			c = 'i', advance = 2;
		}
		if (c) {
			if (pending_dash && len > 0) {
				if (len + 1 < size)
					buf[len] = '-';
				len++;
			}
			pending_dash = 0;
			if (len + 1 < size)
				buf[len] = c;
			len++;
			/* U+0130's combining dot is outside [a-z0-9]. */
			if (advance == 2)
				pending_dash = 1;
		} else {
			pending_dash = 1;
		}
		p += advance;
	}
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

/* Write the host id into buf. Returns the id's full length (a result >= size
 * means it was cut), or 0 when the id is invalid: element NULL or slugging
 * to "", a negative element_id or slot other than -1 (absent), or a board
 * that slugs to "". Pass board NULL for none; element_id/slot -1 for none. */
static inline size_t otto_host_id(char *buf, size_t size, const char *element, int64_t element_id,
				  const char *board, int64_t slot)
{
	size_t len, part;
	char num[24];
	if (size)
		buf[0] = '\0';
	if (element_id < -1 || slot < -1)
		return 0;
	len = otto_slug(buf, size, element);
	if (len == 0)
		return 0;
	if (element_id >= 0) {
		part = (size_t)snprintf(num, sizeof num, "%lld", (long long)element_id);
		if (len < size)
			snprintf(buf + len, size - len, "%s", num);
		len += part;
	}
	if (board) {
		if (len < size)
			snprintf(buf + len, size - len, "_");
		len += 1;
		part = otto_slug(len < size ? buf + len : NULL, len < size ? size - len : 0, board);
		if (part == 0) {
			if (size)
				buf[0] = '\0';
			return 0;
		}
		len += part;
		if (slot >= 0) {
			part = (size_t)snprintf(num, sizeof num, "%lld", (long long)slot);
			if (len < size)
				snprintf(buf + len, size - len, "%s", num);
			len += part;
		}
	}
	return len;
}

#ifdef __cplusplus
}
#endif

#endif /* OTTO_HOST_ID_H */
