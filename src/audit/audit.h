/* The tamper-evident audit trail: SM3 hash chains over audit_log. The trail
 * is striped over several independent chains (32 on PostgreSQL, one on
 * SQLite), each with its row in audit_head (its count and the hash of its
 * last record); a transaction appends to a chain no other transaction
 * holds, so writers do not queue on one lock. Exports tb_audit_append
 * (inside the caller's transaction), tb_audit_log (its own transaction),
 * tb_audit_verify (walks and rechecks every chain), tb_audit_heads and
 * tb_audit_head (the heads, for checkpoints) and tb_audit_query. */
#ifndef TB_AUDIT_AUDIT_H
#define TB_AUDIT_AUDIT_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_arena;
struct tb_conn;
struct tb_store;

/* Longest text field of a record, in bytes. */
#define TB_AUDIT_FIELD_MAX 512

/* What happened, as the caller describes it. NULL strings mean "". actor,
 * action and outcome must not be empty; outcome is "ok", "denied" or
 * "failed". Text must be UTF-8 without bytes below 0x20, at most
 * TB_AUDIT_FIELD_MAX bytes. */
struct tb_audit_rec {
	int64_t ts;             /* seconds since the epoch (UTC); 0 = now */
	const char *actor;      /* "account:12", "token:3", "system", "anonymous" */
	const char *acting_for; /* "account:40" or "" */
	const char *action;     /* "auth.login" */
	const char *object;     /* "account:12", "department:3" */
	const char *outcome;    /* "ok", "denied", "failed" */
	const char *client;     /* client IP or "cli" */
	const char *request_id; /* or "" */
};

/* Appends rec to a chain on c. Must run inside a transaction the caller
 * opened with tb_conn_begin, the same one as the change it records, so
 * that both commit or neither does; the caller commits or rolls back
 * (this function cannot detect a missing transaction: without one the
 * head update and the insert are not atomic and concurrent writers are not
 * serialised). Takes the row lock of one chain's head (on PostgreSQL one
 * that no other transaction holds, waiting only when all are held; the
 * same chain again for every record of the transaction), which the caller
 * holds until commit: append late in the transaction. *seq_out (may be
 * NULL) gets the record's seq (the order of the whole trail). Returns
 * TB_EINVAL for a bad record (nothing written), TB_ESTORE on a store
 * failure, TB_EINTERNAL when audit_head is missing or malformed; on any
 * error the caller should roll back. */
enum tb_err tb_audit_append(struct tb_conn *c, const struct tb_audit_rec *rec, int64_t *seq_out);

/* Convenience for a record that accompanies no other change (a failed
 * login, a refused request): takes a connection from s, appends rec in its
 * own transaction and commits. Errors as tb_audit_append. */
enum tb_err tb_audit_log(struct tb_store *s, const struct tb_audit_rec *rec);

/* The result of tb_audit_verify. */
struct tb_audit_check {
	int64_t count;       /* records that checked out (all of them when intact) */
	char head[65];       /* tb_audit_heads_digest of the head rows as read */
	int64_t chains;      /* head rows read */
	int64_t bad_chain;   /* the chain of the first bad record (0 when intact) */
	int64_t bad_seq;     /* its chain_seq (0 when intact) */
	const char *problem; /* NULL when intact, else "altered", "removed", "reordered" */
	char detail[160];    /* one line for people ("" when intact) */
};

/* Walks every chain of audit_log (chain 0 first, each in chain_seq order)
 * in one read snapshot (writers are not blocked), recomputes every hash,
 * compares each chain's last record with its head row and looks for
 * records of chains without one; out describes the first problem found.
 * Returns TB_OK when the walk ran, whatever it found (out->problem says),
 * TB_ESTORE when the store failed. Memory use does not grow with the log
 * (pages of 1000 rows). */
enum tb_err tb_audit_verify(struct tb_store *s, struct tb_audit_check *out);

/* The stored hash of record chain_seq of chain into out (the all-zero
 * genesis hash for chain_seq 0); *found false when there is no such
 * record. TB_ESTORE. */
enum tb_err tb_audit_hash_at(struct tb_store *s, int64_t chain, int64_t chain_seq, char out[65],
                             bool *found);

/* One chain's head: its records and the hash of the last. */
struct tb_audit_chain {
	int64_t chain, count;
	char hash[65];
};

/* Every chain's head in one read snapshot, in chain order: *out (malloc'd,
 * the caller frees it) holds *n of them. TB_EINTERNAL when a head row does
 * not match its chain's last record or there is none (run
 * tb_audit_verify). */
enum tb_err tb_audit_heads(struct tb_store *s, struct tb_audit_chain **out, size_t *n);

/* The heads as one hash: SM3 hex of the lines "chain:count:hash\n" of v
 * (in the order given, which is chain order), integers in decimal. */
void tb_audit_heads_digest(const struct tb_audit_chain *v, size_t n, char out[65]);

/* The whole trail's head in one read snapshot: *count records in all the
 * chains, head their tb_audit_heads_digest. Errors as tb_audit_heads. */
enum tb_err tb_audit_head(struct tb_store *s, int64_t *count, char head[65]);

/* Which records tb_audit_query returns; zero / NULL members do not filter. */
struct tb_audit_filter {
	const char *actor;  /* exact match */
	const char *object; /* exact match */
	int64_t from_ts;    /* ts >= from_ts; 0 = unbounded */
	int64_t to_ts;      /* ts <= to_ts; 0 = unbounded */
	int64_t before_seq; /* seq < before_seq, for paging backwards; 0 = newest */
	int limit;          /* 1..500 */
};

/* One stored record; the strings live in the arena of the query. */
struct tb_audit_entry {
	int64_t seq, chain, chain_seq, ts;
	const char *actor, *acting_for, *action, *object, *outcome, *client, *request_id;
	const char *prev_hash, *hash;
};

/* The records matching f, newest (highest seq) first, at most f->limit.
 * *out is an array of *n entries allocated in a (as are its strings); the
 * next page is before_seq = the last entry's seq. Returns TB_EINVAL for a
 * limit outside 1..500 or a filter string longer than TB_AUDIT_FIELD_MAX,
 * TB_ESTORE on a store failure (then *n is 0). */
enum tb_err tb_audit_query(struct tb_store *s, const struct tb_audit_filter *f, struct tb_arena *a,
                           struct tb_audit_entry **out, size_t *n);

#endif
