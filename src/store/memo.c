/* The store's memo of unchanging texts (see memo.h). */
#include "store/memo.h"
#include "base/arena.h"
#include "base/mem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char *key, *val;
	size_t len;
};

struct tb_memo {
	pthread_mutex_t mu;
	int n;
	struct slot *slots;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct tb_memo *tb_memo_new(int slots)
{
	struct tb_memo *m = tb_xcalloc(1, sizeof(*m));
	m->n = slots > 0 ? slots : 1;
	m->slots = tb_xcalloc((size_t)m->n, sizeof(*m->slots));
	pthread_mutex_init(&m->mu, NULL);
	return m;
}

void tb_memo_free(struct tb_memo *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++) {
		free(m->slots[i].key);
		free(m->slots[i].val);
	}
	free(m->slots);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

const char *tb_memo_get(struct tb_memo *m, const char *key, struct tb_arena *a)
{
	struct slot *s = &m->slots[hash(key) % (uint32_t)m->n];
	char *out = NULL;
	pthread_mutex_lock(&m->mu);
	if (s->key && !strcmp(s->key, key)) {
		out = tb_arena_alloc(a, s->len + 1);
		memcpy(out, s->val, s->len + 1);
	}
	pthread_mutex_unlock(&m->mu);
	return out;
}

void tb_memo_put(struct tb_memo *m, const char *key, const char *val)
{
	struct slot *s = &m->slots[hash(key) % (uint32_t)m->n];
	/* Copied before the lock: documents run to kilobytes. */
	char *k = tb_xstrdup(key), *v = tb_xstrdup(val);
	pthread_mutex_lock(&m->mu);
	char *old_k = s->key, *old_v = s->val;
	s->key = k;
	s->val = v;
	s->len = strlen(v);
	pthread_mutex_unlock(&m->mu);
	free(old_k);
	free(old_v);
}
