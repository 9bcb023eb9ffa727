/* A growable byte buffer, always NUL-terminated after its data so that it
 * can be read as a C string. The buffer owns its memory. */
#ifndef TB_BASE_BUF_H
#define TB_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tb_buf {
	char *data; /* NULL until the first append */
	size_t len, cap;
};

#define TB_BUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

/* Makes room for extra more bytes and the NUL after them. */
void tb_buf_grow(struct tb_buf *b, size_t extra);

/* Appends n bytes / a C string / a formatted string. Inline: JSON writers
 * append a few bytes at a time, thousands of times a page. */
static inline void tb_buf_add(struct tb_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap)
		tb_buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}
void tb_buf_adds(struct tb_buf *b, const char *s);
void tb_buf_printf(struct tb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes v in decimal into out, NUL-terminated; returns its length.
 * (snprintf's cost shows where thousands of numbers are written.) */
size_t tb_int_text(int64_t v, char out[21]);
/* Empties the buffer, keeping its memory. */
void tb_buf_reset(struct tb_buf *b);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void tb_buf_free(struct tb_buf *b);
/* Hands the data (malloc'd, NUL-terminated, never NULL) to the caller and
 * empties the buffer. */
char *tb_buf_take(struct tb_buf *b);

#endif
