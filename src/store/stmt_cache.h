/* A per-connection map from SQL text to a backend's prepared statement,
 * shared by both backends. Keys are copied; values are owned by the
 * backend, which frees them through the callback given to _free. */
#ifndef TB_STORE_STMT_CACHE_H
#define TB_STORE_STMT_CACHE_H

#include <stddef.h>

struct tb_stmt_cache {
	struct tb_stmt_cache_entry *slots;
	size_t cap, count;
};

/* The value cached for sql, or NULL. */
void *tb_stmt_cache_get(struct tb_stmt_cache *c, const char *sql);
/* Caches value under a copy of sql (sql must not be cached yet). */
void tb_stmt_cache_put(struct tb_stmt_cache *c, const char *sql, void *value);
/* Number of entries (PostgreSQL names its statements after it). */
size_t tb_stmt_cache_count(const struct tb_stmt_cache *c);
/* Calls free_value on every value, frees the keys and the table. */
void tb_stmt_cache_free(struct tb_stmt_cache *c, void (*free_value)(void *value));

#endif
