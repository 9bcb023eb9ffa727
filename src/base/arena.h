/* A region allocator: many small allocations, one free. Each HTTP request
 * owns one; domain results for the request live in it. Not thread-safe:
 * an arena belongs to one thread at a time. */
#ifndef TB_BASE_ARENA_H
#define TB_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct tb_arena;

/* A new empty arena. Never NULL (out of memory aborts). */
struct tb_arena *tb_arena_new(void);
/* Frees the arena and everything allocated from it. NULL is a no-op. */
void tb_arena_free(struct tb_arena *a);
/* n bytes aligned for any type, valid until the arena is freed. */
void *tb_arena_alloc(struct tb_arena *a, size_t n);
/* n zeroed bytes. */
void *tb_arena_zalloc(struct tb_arena *a, size_t n);
/* Copies of s (NUL-terminated) or of its first n bytes. */
char *tb_arena_strdup(struct tb_arena *a, const char *s);
char *tb_arena_strndup(struct tb_arena *a, const char *s, size_t n);
/* A formatted string allocated in the arena. */
char *tb_arena_printf(struct tb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Bytes currently held from the system (for metrics and tests). */
size_t tb_arena_size(const struct tb_arena *a);

#endif
