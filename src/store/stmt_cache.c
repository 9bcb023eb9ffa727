/* Open addressing with linear probing over FNV-1a hashes of the SQL text;
 * the table doubles at half load. */
#include "store/stmt_cache.h"
#include "base/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tb_stmt_cache_entry {
	char *sql;
	uint64_t hash;
	void *value;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void *tb_stmt_cache_get(struct tb_stmt_cache *c, const char *sql)
{
	if (!c->cap)
		return NULL;
	uint64_t h = fnv(sql);
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct tb_stmt_cache_entry *e = &c->slots[i];
		if (!e->sql)
			return NULL;
		if (e->hash == h && (e->sql == sql || strcmp(e->sql, sql) == 0))
			return e->value;
	}
}

static void insert(struct tb_stmt_cache_entry *slots, size_t cap, struct tb_stmt_cache_entry ent)
{
	size_t i = ent.hash & (cap - 1);
	while (slots[i].sql)
		i = (i + 1) & (cap - 1);
	slots[i] = ent;
}

void tb_stmt_cache_put(struct tb_stmt_cache *c, const char *sql, void *value)
{
	if ((c->count + 1) * 2 > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		struct tb_stmt_cache_entry *ns = tb_xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i].sql)
				insert(ns, ncap, c->slots[i]);
		free(c->slots);
		c->slots = ns;
		c->cap = ncap;
	}
	struct tb_stmt_cache_entry ent = {tb_xstrdup(sql), fnv(sql), value};
	insert(c->slots, c->cap, ent);
	c->count++;
}

size_t tb_stmt_cache_count(const struct tb_stmt_cache *c)
{
	return c->count;
}

void tb_stmt_cache_free(struct tb_stmt_cache *c, void (*free_value)(void *value))
{
	for (size_t i = 0; i < c->cap; i++) {
		if (c->slots[i].sql) {
			free_value(c->slots[i].value);
			free(c->slots[i].sql);
		}
	}
	free(c->slots);
	c->slots = NULL;
	c->cap = c->count = 0;
}
