/* UTF-8 checks for text that enters the platform from outside. */
#ifndef TB_BASE_UTF8_H
#define TB_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF). */
bool tb_utf8_valid(const char *s, size_t n);
/* True when s[0..n) is valid UTF-8 with no control characters (C0 except
 * none, DEL, C1): what a name or a single-line field may hold. */
bool tb_utf8_is_line(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t tb_utf8_chars(const char *s, size_t n);

#endif
