/* A growable byte buffer, always NUL-terminated after its data so that it
 * can be read as a C string. The buffer owns its memory. */
#ifndef TB_BASE_BUF_H
#define TB_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct tb_buf {
	char *data; /* NULL until the first append */
	size_t len, cap;
};

#define TB_BUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

/* Appends n bytes / a C string / a formatted string. */
void tb_buf_add(struct tb_buf *b, const void *p, size_t n);
void tb_buf_adds(struct tb_buf *b, const char *s);
void tb_buf_printf(struct tb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void tb_buf_reset(struct tb_buf *b);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void tb_buf_free(struct tb_buf *b);
/* Hands the data (malloc'd, NUL-terminated, never NULL) to the caller and
 * empties the buffer. */
char *tb_buf_take(struct tb_buf *b);

#endif
