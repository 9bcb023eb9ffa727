/* A store's memo: a small in-process cache of texts that never change once
 * written (a published item version's document), so that a hot path reads
 * them from the database once per process instead of once per request.
 * Belongs to one store (two databases in one process never share it) and
 * is freed with it. Thread-safe. Exports tb_memo_* and tb_conn_memo_*. */
#ifndef TB_STORE_MEMO_H
#define TB_STORE_MEMO_H

#include <stdbool.h>

struct tb_arena;
struct tb_conn;
struct tb_memo;

/* A memo of slots entries (direct-mapped: a key replaces whatever shared
 * its slot). The caller owns it and frees it with tb_memo_free. */
struct tb_memo *tb_memo_new(int slots);
void tb_memo_free(struct tb_memo *m);
/* The text under key, copied into a, or NULL when not held. */
const char *tb_memo_get(struct tb_memo *m, const char *key, struct tb_arena *a);
/* Holds a copy of val under key. Only for values that can never change:
 * nothing ever takes one back. */
void tb_memo_put(struct tb_memo *m, const char *key, const char *val);

/* The memo of c's store. */
struct tb_memo *tb_conn_memo(struct tb_conn *c);

#endif
