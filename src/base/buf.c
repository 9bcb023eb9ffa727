/* The growable buffer of buf.h. */
#include "base/buf.h"
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tb_buf_grow(struct tb_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = tb_xrealloc(b->data, cap);
	b->cap = cap;
}

void tb_buf_adds(struct tb_buf *b, const char *s)
{
	tb_buf_add(b, s, strlen(s));
}

void tb_buf_printf(struct tb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof(small)) {
		tb_buf_add(b, small, (size_t)n);
	} else {
		tb_buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void tb_buf_reset(struct tb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void tb_buf_free(struct tb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *tb_buf_take(struct tb_buf *b)
{
	char *p = b->data ? b->data : tb_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

size_t tb_int_text(int64_t v, char out[21])
{
	char tmp[21];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	size_t n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}
