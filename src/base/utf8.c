/* The UTF-8 checks of utf8.h (RFC 3629 byte ranges). */
#include "base/utf8.h"

/* Decodes one code point at s (n bytes left); returns its length or 0. */
static size_t decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	unsigned min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool tb_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	while (n) {
		unsigned cp;
		size_t l = decode(p, n, &cp);
		if (!l)
			return false;
		p += l;
		n -= l;
	}
	return true;
}

bool tb_utf8_is_line(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	while (n) {
		unsigned cp;
		size_t l = decode(p, n, &cp);
		if (!l || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 ||
		    cp == 0x2029)
			return false;
		p += l;
		n -= l;
	}
	return true;
}

size_t tb_utf8_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}
