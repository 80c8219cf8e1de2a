/*
 * Text that is safe to show a person: names and messages from plugins and
 * data files are printed on terminals and in logs, where a control
 * character is an instruction (ESC clears the screen, CR overwrites the
 * line, LF starts a second line that can claim "all reservations OK").
 * Escaping them visibly keeps one name on one line and shows what it holds.
 *
 * Escaped: C0 controls and DEL as \n, \r, \t or \xHH; bytes that are not
 * valid UTF-8 as \xHH; C1 controls (U+0080..U+009F), the line and
 * paragraph separators and the bidirectional formatting marks (which
 * reorder what a line appears to say) as \uHHHH. Everything else, the
 * backslash included, is copied as is, so escaping twice changes nothing
 * and names without such characters print byte for byte.
 *
 * Compiled into libotto (behind otto_text_escape) and into
 * otto-conformance, through the otto_util object library.
 */
#include "util/util.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The code point of the valid UTF-8 sequence at p (its length in *len), or
 * -1 when the bytes are not one (overlong, surrogate, beyond U+10FFFF,
 * truncated). */
static int32_t utf8_decode(const unsigned char *p, size_t left, size_t *len)
{
	int32_t cp, min;
	size_t need;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 2, cp = p[0] & 0x1F, min = 0x80;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		need = 3, cp = p[0] & 0x0F, min = 0x800;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		need = 4, cp = p[0] & 0x07, min = 0x10000;
	else
		return -1;
	if (left < need)
		return -1;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = need;
	return cp;
}

/* Code points that move or reorder text although they are not controls. */
static bool invisible_format(int32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

bool otto__text_is_plain(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {
			i++;
			continue;
		}
		if (p[i] < 0x80)
			return false;
		size_t n;
		int32_t cp = utf8_decode(p + i, len - i, &n);
		if (cp < 0 || invisible_format(cp))
			return false;
		i += n;
	}
	return true;
}

void otto__buf_append_escaped(otto_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t plain = 0; /* start of the run not yet copied */
	char esc[16];
	for (size_t i = 0; i < len;) {
		size_t n = 1;
		int32_t cp = p[i];
		if (cp >= 0x20 && cp < 0x7F) {
			i++;
			continue;
		}
		if (cp >= 0x80) {
			cp = utf8_decode(p + i, len - i, &n);
			if (cp >= 0 && !invisible_format(cp)) {
				i += n;
				continue;
			}
		}
		otto__buf_appendn(b, s + plain, i - plain);
		if (cp == '\n' || cp == '\r' || cp == '\t')
			snprintf(esc, sizeof esc, "\\%c", cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't');
		else if (cp < 0 || cp < 0x80)
			snprintf(esc, sizeof esc, "\\x%02x", p[i]), n = 1;
		else
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
		otto__buf_append(b, esc);
		i += n;
		plain = i;
	}
	otto__buf_appendn(b, s + plain, len - plain);
}

char *otto__text_escape(const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	/* Nearly every name is plain: one exact copy (tables hold 100,000s). */
	if (otto__text_is_plain(s, len))
		return otto__strndup(s, len);
	otto_buf b = {0};
	otto__buf_append_escaped(&b, s, len);
	return otto__buf_take(&b);
}

OTTO_API char *otto_text_escape(const char *s)
{
	return otto__text_escape(s);
}
