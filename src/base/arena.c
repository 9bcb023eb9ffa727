/* Arena: a chain of blocks; a request of more than a quarter block gets a
 * block of its own so that big allocations do not waste the current one. */
#include "base/arena.h"
#include "base/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 8192
#define ALIGN      16

struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(ALIGN) unsigned char data[];
};

struct tb_arena {
	struct block *head;
	size_t total;
};

static struct block *block_new(size_t cap)
{
	struct block *b = tb_xmalloc(sizeof(*b) + cap);
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	return b;
}

struct tb_arena *tb_arena_new(void)
{
	struct tb_arena *a = tb_xmalloc(sizeof(*a));
	a->head = block_new(BLOCK_SIZE);
	a->total = BLOCK_SIZE;
	return a;
}

void tb_arena_free(struct tb_arena *a)
{
	if (!a)
		return;
	struct block *b = a->head;
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

void *tb_arena_alloc(struct tb_arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	struct block *b = a->head;
	if (b->cap - b->used >= n) {
		void *p = b->data + b->used;
		b->used += n;
		return p;
	}
	if (n > BLOCK_SIZE / 4) {
		/* Big: its own block, linked behind the current one. */
		struct block *big = block_new(n);
		big->used = n;
		big->next = b->next;
		b->next = big;
		a->total += n;
		return big->data;
	}
	struct block *nb = block_new(BLOCK_SIZE);
	nb->next = b;
	a->head = nb;
	a->total += BLOCK_SIZE;
	nb->used = n;
	return nb->data;
}

void *tb_arena_zalloc(struct tb_arena *a, size_t n)
{
	void *p = tb_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *tb_arena_strndup(struct tb_arena *a, const char *s, size_t n)
{
	char *p = tb_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *tb_arena_strdup(struct tb_arena *a, const char *s)
{
	return tb_arena_strndup(a, s, strlen(s));
}

char *tb_arena_printf(struct tb_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = tb_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

size_t tb_arena_size(const struct tb_arena *a)
{
	return a->total;
}
