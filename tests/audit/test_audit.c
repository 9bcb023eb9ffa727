/* The audit hash chains on SQLite and PostgreSQL: appending (Chinese text,
 * rollback, threads at once, transactions of several records), where
 * records go (a transaction keeps its chain; a free chain is taken
 * without waiting; all chains held: wait), refusals, queries, the
 * canonical format recomputed independently, every kind of tampering done
 * directly in SQL, checkpoints of the chains, a store upgraded from the
 * one chain of before (migration 024), and `tongban audit verify` run as
 * the real binary. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/sm2.h"
#include "store/migrate.h"
#include "store/store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHAIN         20
#define GENESIS       "0000000000000000000000000000000000000000000000000000000000000000"
/* The last migration before the chains were striped. */
#define BEFORE_CHAINS 23

struct fx {
	struct tb_store *s;
	char url[512];
	bool pg;
};

static int setup_with(void **state, const char *url, int upto)
{
	if (!url)
		return -1;
	struct fx *x = calloc(1, sizeof(*x));
	snprintf(x->url, sizeof(x->url), "%s", url);
	struct tb_fail f = {0};
	if (tb_store_open(url, 4, &x->s, &f) != TB_OK)
		return -1;
	x->pg = tb_store_kind(x->s) == TB_STORE_PG;
	int applied;
	if (tb_store_migrate_to(x->s, upto, &applied) != TB_OK)
		return -1;
	*state = x;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup_with(state, test_sqlite_fresh(), 1000000);
}

static int setup_pg(void **state)
{
	return setup_with(state, test_pg_fresh("audit"), 1000000);
}

/* A store as the binary of before the chains left it (one chain). */
static int setup_sqlite_old(void **state)
{
	return setup_with(state, test_sqlite_fresh(), BEFORE_CHAINS);
}

static int setup_pg_old(void **state)
{
	return setup_with(state, test_pg_fresh("audit_old"), BEFORE_CHAINS);
}

static int teardown(void **state)
{
	struct fx *x = *state;
	tb_store_close(x->s);
	free(x);
	return 0;
}

static const char *const OBJECTS[] = {"account:12", "department:3 浙江省杭州市西湖区",
                                      "case:7 不动产登记", "region:330106"};

/* Runs q directly (the tampering); it must change at least one row. */
static void sql(struct tb_store *s, const char *q)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	int64_t changed = 0;
	if (tb_conn_run(c, &changed, q, "") != TB_OK)
		fail_msg("failed: %s", q);
	if (changed < 1)
		fail_msg("changed nothing: %s", q);
	tb_store_release(c);
}

static void sqlf(struct tb_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sqlf(struct tb_store *s, const char *fmt, ...)
{
	char q[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	sql(s, q);
}

/* One integer answered by q. */
static int64_t sql_int(struct tb_store *s, const char *q)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(tb_conn_query(c, &st, &row, q, ""), TB_OK);
	assert_true(row);
	int64_t v = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	tb_store_release(c);
	return v;
}

/* Appends one record in a transaction of its own; its seq. */
static int64_t append_one(struct tb_store *s, int i)
{
	char actor[32], req[32];
	snprintf(actor, sizeof(actor), "account:%d", 10 + i % 3);
	snprintf(req, sizeof(req), "req-%d", i);
	struct tb_audit_rec r = {
	    .ts = 1767225600 + i,
	    .actor = actor,
	    .acting_for = i % 2 ? "account:40" : NULL,
	    .action = i % 4 == 3 ? "auth.login" : "case.update",
	    .object = OBJECTS[i % 4],
	    .outcome = i % 5 == 4 ? "denied" : "ok",
	    .client = "203.0.113.7",
	    .request_id = req,
	};
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	int64_t seq = 0;
	assert_int_equal(tb_audit_append(c, &r, &seq), TB_OK);
	assert_int_equal(tb_conn_commit(c), TB_OK);
	tb_store_release(c);
	return seq;
}

/* The stored record seq (strings in a). */
static struct tb_audit_entry get_rec(struct tb_store *s, struct tb_arena *a, int64_t seq)
{
	struct tb_audit_filter f = {.before_seq = seq + 1, .limit = 1};
	struct tb_audit_entry *e;
	size_t n;
	assert_int_equal(tb_audit_query(s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].seq, seq);
	return e[0];
}

/* The newest record (strings in a). */
static struct tb_audit_entry newest_rec(struct tb_store *s, struct tb_arena *a)
{
	struct tb_audit_filter f = {.limit = 1};
	struct tb_audit_entry *e;
	size_t n;
	assert_int_equal(tb_audit_query(s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 1);
	return e[0];
}

/* Appends n records, each in its own transaction, from this thread alone:
 * they go to one chain (the thread keeps the chain it took while nobody
 * else holds it), numbered 1..n there; returns that chain. */
static int64_t build_chain(struct tb_store *s, int n)
{
	struct tb_arena *a = tb_arena_new();
	int64_t chain = -1, first = 0;
	for (int i = 0; i < n; i++) {
		int64_t seq = append_one(s, i);
		struct tb_audit_entry e = get_rec(s, a, seq);
		if (i == 0) {
			chain = e.chain;
			first = e.chain_seq;
		}
		assert_int_equal(e.chain, chain);
		assert_int_equal(e.chain_seq, first + i);
	}
	tb_arena_free(a);
	return chain;
}

/* Records in all the chains, as the head rows say. */
static int64_t head_total(struct tb_store *s)
{
	return sql_int(s, "SELECT SUM(count) FROM audit_head");
}

static int64_t head_count(struct tb_store *s, int64_t chain)
{
	char q[120];
	snprintf(q, sizeof(q), "SELECT count FROM audit_head WHERE chain = %" PRId64, chain);
	return sql_int(s, q);
}

static void expect_intact(struct tb_store *s, int64_t count)
{
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(s, &chk), TB_OK);
	if (chk.problem)
		fail_msg("chain %" PRId64 " record %" PRId64 " %s: %s", chk.bad_chain, chk.bad_seq,
		         chk.problem, chk.detail);
	assert_int_equal(chk.count, count);
	assert_int_equal(chk.bad_seq, 0);
	assert_int_equal(strlen(chk.head), 64);
	assert_int_equal(chk.chains, tb_store_kind(s) == TB_STORE_PG ? 32 : 1);
}

/* verify finds problem p1 (or p2) first, at record chain_seq of chain. */
static void expect_problem(struct tb_store *s, int64_t chain, int64_t chain_seq, const char *p1,
                           const char *p2)
{
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(s, &chk), TB_OK);
	if (!chk.problem)
		fail_msg("tampering not caught (%" PRId64 " records intact)", chk.count);
	if (chk.bad_chain != chain || chk.bad_seq != chain_seq ||
	    (strcmp(chk.problem, p1) != 0 && (!p2 || strcmp(chk.problem, p2))))
		fail_msg("want chain %" PRId64 " record %" PRId64 " %s, got chain %" PRId64
		         " record %" PRId64 " %s: %s",
		         chain, chain_seq, p1, chk.bad_chain, chk.bad_seq, chk.problem, chk.detail);
	assert_true(chk.detail[0] != '\0');
}

/* The hash of e, computed here from the written formats, not audit.c. */
static void independent_hash(const struct tb_audit_entry *e, int version, char out[TB_SM3_HEX])
{
	struct tb_buf b = TB_BUF_INIT;
	if (version == 1)
		tb_buf_printf(&b, "%stongban-audit-v1\x1f%" PRId64 "\x1f%" PRId64, e->prev_hash,
		              e->seq, e->ts);
	else
		tb_buf_printf(&b,
		              "%stongban-audit-v2\x1f%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64
		              "\x1f%" PRId64,
		              e->prev_hash, e->chain, e->chain_seq, e->seq, e->ts);
	const char *f[] = {e->actor,   e->acting_for, e->action,    e->object,
	                   e->outcome, e->client,     e->request_id};
	for (size_t i = 0; i < 7; i++)
		tb_buf_printf(&b, "\x1f%s", f[i]);
	tb_sm3_hex(b.data, b.len, out);
	tb_buf_free(&b);
}

/* Writes every column of e but seq, chain and chain_seq into row seq. */
static void overwrite(struct tb_store *s, int64_t seq, const struct tb_audit_entry *e)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	int64_t changed = 0;
	assert_int_equal(tb_conn_run(c, &changed,
	                             "UPDATE audit_log SET ts = ?, actor = ?, acting_for = ?,"
	                             " action = ?, object = ?, outcome = ?, client = ?,"
	                             " request_id = ?, prev_hash = ?, hash = ? WHERE seq = ?",
	                             "isssssssssi", e->ts, e->actor, e->acting_for, e->action,
	                             e->object, e->outcome, e->client, e->request_id, e->prev_hash,
	                             e->hash, seq),
	                 TB_OK);
	assert_int_equal(changed, 1);
	tb_store_release(c);
}

/* Holds the head rows of every chain but free_chain in a transaction of
 * its own on a connection of s (PostgreSQL; NULL on SQLite, whose one
 * chain is the only one): an append meanwhile can take only free_chain.
 * End it with release_others. */
static struct tb_conn *hold_others(struct tb_store *s, int64_t free_chain)
{
	if (tb_store_kind(s) != TB_STORE_PG) {
		assert_int_equal(free_chain, 0);
		return NULL;
	}
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	assert_int_equal(tb_conn_run(c, NULL,
	                             "SELECT chain FROM audit_head WHERE chain <> ? FOR UPDATE",
	                             "i", free_chain),
	                 TB_OK);
	return c;
}

static void release_others(struct tb_conn *c)
{
	if (!c)
		return;
	tb_conn_rollback(c);
	tb_store_release(c);
}

/* Appends record i into chain (see hold_others); its seq. */
static int64_t append_in(struct tb_store *s, int64_t chain, int i)
{
	struct tb_conn *l = hold_others(s, chain);
	int64_t seq = append_one(s, i);
	release_others(l);
	struct tb_arena *a = tb_arena_new();
	assert_int_equal(get_rec(s, a, seq).chain, chain);
	tb_arena_free(a);
	return seq;
}

/* PostgreSQL: 10 records in each of chains 2, 5 and 7, appended in turn. */
static void build_three(struct tb_store *s)
{
	static const int64_t chains[] = {2, 5, 7};
	for (int i = 0; i < 30; i++)
		append_in(s, chains[i % 3], i);
	expect_intact(s, 30);
	for (int i = 0; i < 3; i++)
		assert_int_equal(head_count(s, chains[i]), 10);
}

/* The seq of record chain_seq of chain. */
static int64_t seq_of(struct tb_store *s, int64_t chain, int64_t chain_seq)
{
	char q[160];
	snprintf(q, sizeof(q),
	         "SELECT seq FROM audit_log WHERE chain = %" PRId64 " AND chain_seq = %" PRId64,
	         chain, chain_seq);
	return sql_int(s, q);
}

/* The chain of record seq. */
static int64_t get_chain_of(struct tb_store *s, int64_t seq)
{
	char q[120];
	snprintf(q, sizeof(q), "SELECT chain FROM audit_log WHERE seq = %" PRId64, seq);
	return sql_int(s, q);
}

/* ---- the chains --------------------------------------------------------- */

struct worker {
	struct tb_store *s;
	int id, n;
	enum tb_err e;
	int64_t last;
	int64_t *seqs; /* n x 3 seqs: each transaction's records (0: none) */
};

/* w->n transactions, each in its own transaction; with seqs, every third
 * transaction appends two records and every fifth three. */
static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < w->n && w->e == TB_OK; i++) {
		char actor[32];
		snprintf(actor, sizeof(actor), "account:%d", 100 + w->id);
		struct tb_audit_rec r = {.actor = actor,
		                         .action = "case.submit",
		                         .object = "case:办件",
		                         .outcome = "ok",
		                         .client = "198.51.100.2"};
		int records = !w->seqs ? 1 : i % 5 == 0 ? 3 : i % 3 == 0 ? 2 : 1;
		struct tb_conn *c;
		w->e = tb_store_acquire(w->s, &c);
		if (w->e != TB_OK)
			break;
		w->e = tb_conn_begin(c);
		for (int k = 0; k < records && w->e == TB_OK; k++) {
			int64_t seq = 0;
			w->e = tb_audit_append(c, &r, &seq);
			if (w->e == TB_OK && seq <= w->last)
				w->e = TB_EINTERNAL; /* a thread's own records must ascend */
			w->last = seq;
			if (w->seqs)
				w->seqs[i * 3 + k] = seq;
		}
		if (w->e == TB_OK)
			w->e = tb_conn_commit(c);
		tb_store_release(c);
	}
	return NULL;
}

static void chain_append_rollback_threads(void **state)
{
	struct fx *x = *state;
	expect_intact(x->s, 0);
	int64_t ch = build_chain(x->s, CHAIN);
	expect_intact(x->s, CHAIN);

	struct tb_arena *a = tb_arena_new();
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
	/* The check's head is the digest of the heads, the chain's head the
	 * hash of its last record. */
	struct tb_audit_entry last = get_rec(x->s, a, CHAIN);
	int64_t total;
	char head[65];
	assert_int_equal(tb_audit_head(x->s, &total, head), TB_OK);
	assert_int_equal(total, CHAIN);
	assert_string_equal(chk.head, head);
	struct tb_audit_chain *heads;
	size_t nh;
	assert_int_equal(tb_audit_heads(x->s, &heads, &nh), TB_OK);
	assert_int_equal(nh, x->pg ? 32 : 1);
	struct tb_buf b = TB_BUF_INIT;
	for (size_t i = 0; i < nh; i++) {
		assert_int_equal(heads[i].chain, (int64_t)i);
		assert_int_equal(heads[i].count, (int64_t)i == ch ? CHAIN : 0);
		assert_string_equal(heads[i].hash, (int64_t)i == ch ? last.hash : GENESIS);
		tb_buf_printf(&b, "%zu:%" PRId64 ":%s\n", i, heads[i].count, heads[i].hash);
	}
	char digest[TB_SM3_HEX];
	tb_sm3_hex(b.data, b.len, digest);
	assert_string_equal(digest, head);
	tb_buf_free(&b);
	free(heads);
	/* The format as documented, recomputed independently. */
	for (int64_t i = 1; i <= CHAIN; i++) {
		struct tb_audit_entry e = get_rec(x->s, a, i);
		char h[TB_SM3_HEX];
		independent_hash(&e, 2, h);
		assert_string_equal(h, e.hash);
	}
	struct tb_audit_entry first = get_rec(x->s, a, 1);
	assert_string_equal(first.prev_hash, GENESIS);
	assert_string_equal(first.acting_for, "");
	assert_string_equal(get_rec(x->s, a, 2).object, "department:3 浙江省杭州市西湖区");
	char h1[65];
	bool found;
	assert_int_equal(tb_audit_hash_at(x->s, ch, 1, h1, &found), TB_OK);
	assert_true(found);
	assert_string_equal(h1, first.hash);
	assert_int_equal(tb_audit_hash_at(x->s, ch, CHAIN + 1, h1, &found), TB_OK);
	assert_false(found);

	/* A rolled-back change takes its audit record with it. */
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(x->s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	struct tb_audit_rec r = {.actor = "system", .action = "x.y", .outcome = "ok"};
	int64_t seq = 0;
	assert_int_equal(tb_audit_append(c, &r, &seq), TB_OK);
	assert_int_equal(seq, CHAIN + 1);
	tb_conn_rollback(c);
	tb_store_release(c);
	assert_int_equal(head_total(x->s), CHAIN);
	struct tb_audit_check chk2;
	assert_int_equal(tb_audit_verify(x->s, &chk2), TB_OK);
	assert_null(chk2.problem);
	assert_int_equal(chk2.count, CHAIN);
	assert_string_equal(chk2.head, chk.head);

	/* Four writers at once: no gaps, no forks. */
	struct worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){.s = x->s, .id = i, .n = 50, .e = TB_OK};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].e, TB_OK);
	}
	expect_intact(x->s, CHAIN + 200);
	assert_int_equal(head_total(x->s), CHAIN + 200);

	/* tb_audit_log: its own transaction. */
	struct tb_audit_rec fl = {.actor = "anonymous",
	                          .action = "auth.login",
	                          .object = "account:12",
	                          .outcome = "failed",
	                          .client = "192.0.2.1",
	                          .request_id = "r1"};
	assert_int_equal(tb_audit_log(x->s, &fl), TB_OK);
	expect_intact(x->s, CHAIN + 201);
	struct tb_audit_entry newest = newest_rec(x->s, a);
	assert_string_equal(newest.outcome, "failed");
	assert_true(newest.ts > 1700000000); /* ts 0 = now */
	tb_arena_free(a);
}

/* 8 threads x 200 transactions at once, some of two or three records:
 * the chains verify, and the records of each transaction are consecutive
 * in one chain. On PostgreSQL the writers spread over several chains, and
 * seq ascends with chain_seq in each (it is taken while the chain is
 * held). */
static void concurrent_transactions(void **state)
{
	struct fx *x = *state;
	enum { THREADS = 8, TX = 200 };
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(x->url, THREADS, &s, &f), TB_OK);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.s = s, .id = i, .n = TX, .e = TB_OK};
		w[i].seqs = calloc(TX * 3, sizeof(int64_t));
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].e, TB_OK);
	}
	int64_t total = 0;
	for (int i = 0; i < TX; i++)
		total += i % 5 == 0 ? 3 : i % 3 == 0 ? 2 : 1;
	total *= THREADS;
	expect_intact(s, total);
	assert_int_equal(head_total(s), total);

	/* Every record, by seq. */
	int64_t top = sql_int(s, "SELECT MAX(seq) FROM audit_log");
	int64_t *chain = calloc((size_t)top + 1, sizeof(int64_t));
	int64_t *cseq = calloc((size_t)top + 1, sizeof(int64_t));
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(tb_conn_query(c, &st, &row,
	                               "SELECT seq, chain, chain_seq FROM audit_log ORDER BY seq",
	                               ""),
	                 TB_OK);
	int64_t rows = 0;
	while (row) {
		int64_t q = tb_stmt_int(st, 0);
		chain[q] = tb_stmt_int(st, 1);
		cseq[q] = tb_stmt_int(st, 2);
		rows++;
		assert_int_equal(tb_stmt_step(st, &row), TB_OK);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	assert_int_equal(rows, total);
	for (int i = 0; i < THREADS; i++) {
		for (int k = 0; k < TX; k++) {
			const int64_t *q = &w[i].seqs[k * 3];
			for (int r = 1; r < 3 && q[r]; r++) {
				assert_int_equal(chain[q[r]], chain[q[0]]);
				assert_int_equal(cseq[q[r]], cseq[q[0]] + r);
			}
		}
		free(w[i].seqs);
	}
	/* In each chain, seq ascends with chain_seq. */
	int64_t last_seq[64] = {0}, last_cseq[64] = {0}, used = 0;
	for (int64_t q = 1; q <= top; q++) {
		if (!cseq[q])
			continue; /* a gap in seq (PostgreSQL's sequence) */
		assert_true(chain[q] >= 0 && chain[q] < 64);
		assert_true(cseq[q] > last_cseq[chain[q]]);
		assert_true(q > last_seq[chain[q]]);
		used += last_cseq[chain[q]] == 0;
		last_cseq[chain[q]] = cseq[q];
		last_seq[chain[q]] = q;
	}
	assert_true(x->pg ? used >= 2 : used == 1);
	free(chain);
	free(cseq);
	tb_store_close(s);
}

/* PostgreSQL: a transaction keeps its chain, even when its thread
 * appended on another connection in between (which took another chain,
 * the first being held). */
static void transaction_keeps_its_chain(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, 3);
	struct tb_arena *a = tb_arena_new();
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(x->s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	struct tb_audit_rec r = {.actor = "system", .action = "case.submit", .outcome = "ok"};
	int64_t s1, s2, s3;
	assert_int_equal(tb_audit_append(c, &r, &s1), TB_OK);
	assert_int_equal(tb_audit_log(x->s, &r), TB_OK); /* another connection, same thread */
	struct tb_audit_entry other = newest_rec(x->s, a);
	assert_int_equal(tb_audit_append(c, &r, &s2), TB_OK);
	assert_int_equal(tb_audit_log(x->s, &r), TB_OK);
	assert_int_equal(tb_audit_append(c, &r, &s3), TB_OK);
	assert_int_equal(tb_conn_commit(c), TB_OK);
	tb_store_release(c);
	struct tb_audit_entry e1 = get_rec(x->s, a, s1), e2 = get_rec(x->s, a, s2),
	                      e3 = get_rec(x->s, a, s3);
	assert_int_not_equal(other.chain, e1.chain);
	assert_int_equal(e2.chain, e1.chain);
	assert_int_equal(e3.chain, e1.chain);
	assert_int_equal(e2.chain_seq, e1.chain_seq + 1);
	assert_int_equal(e3.chain_seq, e1.chain_seq + 2);
	expect_intact(x->s, 8);
	tb_arena_free(a);
}

/* A thread that appends when told, twice, and says when it is done. */
struct stepper {
	struct tb_store *s;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int go, done;
	enum tb_err e[2];
	int64_t seq[2];
};

static void *step_run(void *arg)
{
	struct stepper *st = arg;
	for (int k = 0; k < 2; k++) {
		pthread_mutex_lock(&st->mu);
		while (st->go <= k)
			pthread_cond_wait(&st->cv, &st->mu);
		pthread_mutex_unlock(&st->mu);
		struct tb_conn *c;
		int64_t seq = 0;
		enum tb_err e = tb_store_acquire(st->s, &c);
		if (e == TB_OK) {
			struct tb_audit_rec r = {
			    .actor = "system", .action = "x.y", .outcome = "ok"};
			e = tb_conn_begin(c);
			if (e == TB_OK)
				e = tb_audit_append(c, &r, &seq);
			if (e == TB_OK)
				e = tb_conn_commit(c);
			tb_store_release(c);
		}
		pthread_mutex_lock(&st->mu);
		st->e[k] = e;
		st->seq[k] = seq;
		st->done = k + 1;
		pthread_cond_broadcast(&st->cv);
		pthread_mutex_unlock(&st->mu);
	}
	return NULL;
}

/* Starts append k; waits up to ms for it; whether it is done. */
static bool step(struct stepper *st, int k, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&st->mu);
	st->go = k + 1;
	pthread_cond_broadcast(&st->cv);
	while (st->done <= k && pthread_cond_timedwait(&st->cv, &st->mu, &until) == 0)
		;
	bool done = st->done > k;
	pthread_mutex_unlock(&st->mu);
	return done;
}

/* Waits (without limit) for append k. */
static void step_finish(struct stepper *st, int k)
{
	pthread_mutex_lock(&st->mu);
	while (st->done <= k)
		pthread_cond_wait(&st->cv, &st->mu);
	pthread_mutex_unlock(&st->mu);
}

/* PostgreSQL: with every chain but one held by others, an append takes the
 * free one at once, twice (the second time its thread's chain of the
 * first is held: it does not wait for it); with every chain held, it
 * waits until one is free. */
static void free_chain_or_wait(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, 3);
	struct stepper st = {.s = x->s};
	pthread_mutex_init(&st.mu, NULL);
	pthread_cond_init(&st.cv, NULL);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, step_run, &st), 0);
	struct tb_arena *a = tb_arena_new();
	for (int k = 0; k < 2; k++) {
		struct tb_conn *l = hold_others(x->s, 30 + k);
		bool done = step(&st, k, 10000);
		release_others(l);
		if (!done) {
			step_finish(&st, k);
			fail_msg("append %d waited for a held chain while chain %d was free", k,
			         30 + k);
		}
		assert_int_equal(st.e[k], TB_OK);
		assert_int_equal(get_rec(x->s, a, st.seq[k]).chain, 30 + k);
	}
	pthread_join(t, NULL);

	struct stepper all = {.s = x->s};
	pthread_mutex_init(&all.mu, NULL);
	pthread_cond_init(&all.cv, NULL);
	assert_int_equal(pthread_create(&t, NULL, step_run, &all), 0);
	struct tb_conn *l;
	assert_int_equal(tb_store_acquire(x->s, &l), TB_OK);
	assert_int_equal(tb_conn_begin(l), TB_OK);
	assert_int_equal(tb_conn_run(l, NULL, "SELECT chain FROM audit_head FOR UPDATE", ""),
	                 TB_OK);
	assert_false(step(&all, 0, 300)); /* waits */
	tb_conn_rollback(l);
	tb_store_release(l);
	assert_true(step(&all, 0, 10000));
	assert_int_equal(all.e[0], TB_OK);
	step(&all, 1, 10000);
	pthread_join(t, NULL);
	assert_int_equal(all.e[1], TB_OK);
	expect_intact(x->s, 7);
	tb_arena_free(a);
	pthread_mutex_destroy(&st.mu);
	pthread_cond_destroy(&st.cv);
	pthread_mutex_destroy(&all.mu);
	pthread_cond_destroy(&all.cv);
}

static void bad_records_are_refused(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, 2);
	char big[TB_AUDIT_FIELD_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char max[TB_AUDIT_FIELD_MAX + 1];
	memset(max, 'a', sizeof(max) - 1);
	max[sizeof(max) - 1] = '\0';
	const struct tb_audit_rec ok = {.actor = "system", .action = "a.b", .outcome = "ok"};
	struct tb_audit_rec bad[9];
	for (int i = 0; i < 9; i++)
		bad[i] = ok;
	bad[0].object = "case:1\x1f"
	                "forged";
	bad[1].client = "a\nb";
	bad[2].request_id = big;
	bad[3].actor = "";
	bad[4].action = NULL;
	bad[5].outcome = "maybe";
	bad[6].object = "\xe4\xb8"; /* truncated UTF-8 */
	bad[7].ts = -1;
	bad[8].acting_for = "\t";
	for (int i = 0; i < 9; i++)
		assert_int_equal(tb_audit_log(x->s, &bad[i]), TB_EINVAL);
	expect_intact(x->s, 2);
	assert_int_equal(head_total(x->s), 2);
	struct tb_audit_rec edge = ok;
	edge.object = max;
	assert_int_equal(tb_audit_log(x->s, &edge), TB_OK);
	expect_intact(x->s, 3);
}

static void query_filters_and_pages(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry *e;
	size_t n;
	struct tb_audit_filter f = {.limit = 7};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 7);
	assert_int_equal(e[0].seq, CHAIN);
	assert_int_equal(e[6].seq, CHAIN - 6);
	/* Paging backwards until the start. */
	int64_t total = 0, before = 0;
	for (;;) {
		f.before_seq = before;
		assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
		if (n == 0)
			break;
		for (size_t i = 1; i < n; i++)
			assert_int_equal(e[i].seq, e[i - 1].seq - 1);
		total += (int64_t)n;
		before = e[n - 1].seq;
	}
	assert_int_equal(total, CHAIN);

	/* build_chain: actor account:(10 + i%3), object OBJECTS[i%4], ts base+i
	 * for i = seq - 1. */
	f = (struct tb_audit_filter){.object = "department:3 浙江省杭州市西湖区", .limit = 500};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, CHAIN / 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal((e[i].seq - 1) % 4, 1);
	f = (struct tb_audit_filter){.actor = "account:10", .object = "account:12", .limit = 500};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 2); /* i = 0, 12 */
	assert_int_equal(e[0].seq, 13);
	assert_int_equal(e[1].seq, 1);
	f = (struct tb_audit_filter){
	    .from_ts = 1767225600 + 5, .to_ts = 1767225600 + 9, .limit = 3};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].seq, 10);
	f.before_seq = e[2].seq;
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(e[1].seq, 6);
	f = (struct tb_audit_filter){.actor = "nobody", .limit = 10};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_OK);
	assert_int_equal(n, 0);

	f = (struct tb_audit_filter){.limit = 0};
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_EINVAL);
	f.limit = 501;
	assert_int_equal(tb_audit_query(x->s, &f, a, &e, &n), TB_EINVAL);
	tb_arena_free(a);
}

/* Verify reads one snapshot: while writers append, every walk sees a
 * consistent chain and head (never a false alarm). */
static void verify_while_appending(void **state)
{
	struct fx *x = *state;
	build_chain(x->s, 5);
	struct worker w[2];
	pthread_t t[2];
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){.s = x->s, .id = i, .n = 50, .e = TB_OK};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	int64_t seen = 0;
	int walks = 0;
	/* Bounded: writers that stop early (a failed append) must fail the
	 * test, not hang it. */
	time_t give_up = time(NULL) + 120;
	while (seen < 105) {
		if (time(NULL) > give_up)
			fail_msg("only %" PRId64 " of 105 records after 120 s", seen);
		struct tb_audit_check chk;
		assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
		if (chk.problem)
			fail_msg("chain %" PRId64 " record %" PRId64 " %s: %s", chk.bad_chain,
			         chk.bad_seq, chk.problem, chk.detail);
		assert_true(chk.count >= seen);
		seen = chk.count;
		walks++;
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].e, TB_OK);
	}
	assert_true(walks >= 1);
	expect_intact(x->s, 105);
}

/* More than one page of the verify walk (1000 rows), appended in one
 * transaction; a gap right at and after a page boundary. */
static void long_chain_pages(void **state)
{
	struct fx *x = *state;
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(x->s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	for (int i = 1; i <= 2345; i++) {
		char obj[32];
		snprintf(obj, sizeof(obj), "case:%d", i);
		struct tb_audit_rec r = {
		    .actor = "system", .action = "case.expire", .object = obj, .outcome = "ok"};
		int64_t seq;
		assert_int_equal(tb_audit_append(c, &r, &seq), TB_OK);
		assert_int_equal(seq, i);
	}
	assert_int_equal(tb_conn_commit(c), TB_OK);
	tb_store_release(c);
	expect_intact(x->s, 2345);
	int64_t ch = get_chain_of(x->s, 2345);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 2001");
	expect_problem(x->s, ch, 2001, "removed", NULL);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 1000");
	expect_problem(x->s, ch, 1000, "removed", NULL);
}

/* ---- tampering ---------------------------------------------------------- */

static void tamper_field(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_log SET outcome = 'ok', actor = 'account:99' WHERE seq = 5");
	expect_problem(x->s, ch, 5, "altered", NULL);
}

static void tamper_ts(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_log SET ts = ts + 1 WHERE seq = 11");
	expect_problem(x->s, ch, 11, "altered", NULL);
}

/* seq is covered too: renumbering it (the trail's order) is caught. */
static void tamper_seq(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_log SET seq = 1000 WHERE seq = 12");
	expect_problem(x->s, ch, 12, "altered", NULL);
}

static void tamper_delete_middle(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 7");
	expect_problem(x->s, ch, 7, "removed", NULL);
}

static void tamper_delete_first(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "DELETE FROM audit_log WHERE seq <= 2");
	expect_problem(x->s, ch, 1, "removed", NULL);
}

/* Two records' contents swapped, each keeping its place. */
static void tamper_swap(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r3 = get_rec(x->s, a, 3), r4 = get_rec(x->s, a, 4);
	overwrite(x->s, 3, &r4);
	overwrite(x->s, 4, &r3);
	tb_arena_free(a);
	expect_problem(x->s, ch, 3, "reordered", "altered");
}

/* Two records' places (chain_seq) swapped. */
static void tamper_swap_chain_seq(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "UPDATE audit_log SET chain_seq = -1 WHERE seq = 8");
	sql(x->s, "UPDATE audit_log SET chain_seq = 8 WHERE seq = 9");
	sql(x->s, "UPDATE audit_log SET chain_seq = 9 WHERE seq = 8");
	expect_problem(x->s, ch, 8, "reordered", NULL);
}

static void tamper_delete_tail(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sql(x->s, "DELETE FROM audit_log WHERE seq = 20");
	expect_problem(x->s, ch, 20, "removed", NULL);
	sql(x->s, "DELETE FROM audit_log WHERE seq >= 17");
	expect_problem(x->s, ch, 17, "removed", NULL);
}

static void tamper_head_hash(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sqlf(x->s,
	     "UPDATE audit_head SET hash = "
	     "'1111111111111111111111111111111111111111111111111111111111111111' WHERE chain ="
	     " %" PRId64,
	     ch);
	expect_problem(x->s, ch, CHAIN, "altered", NULL);
}

static void tamper_head_count(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	sqlf(x->s, "UPDATE audit_head SET count = count - 1 WHERE chain = %" PRId64, ch);
	expect_problem(x->s, ch, CHAIN, "altered", NULL);
	sqlf(x->s, "UPDATE audit_head SET count = count + 5 WHERE chain = %" PRId64, ch);
	expect_problem(x->s, ch, CHAIN + 1, "removed", NULL);
}

static void tamper_rehash(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r = get_rec(x->s, a, 9);
	r.object = "account:1 (forged)";
	char h[TB_SM3_HEX];
	independent_hash(&r, 2, h);
	r.hash = h;
	overwrite(x->s, 9, &r);
	tb_arena_free(a);
	/* Record 9 checks out by itself; record 10 committed to the old hash. */
	expect_problem(x->s, ch, 10, "reordered", "altered");
}

static void tamper_rehash_tail(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r = get_rec(x->s, a, CHAIN);
	r.outcome = "ok";
	r.actor = "system";
	char h[TB_SM3_HEX];
	independent_hash(&r, 2, h);
	r.hash = h;
	overwrite(x->s, CHAIN, &r);
	tb_arena_free(a);
	/* The last record has no successor: the head still holds the old hash. */
	expect_problem(x->s, ch, CHAIN, "altered", NULL);
}

/* A record moved, with everything the database holds made to agree: the
 * only record of one chain becomes the only record of another (the link,
 * genesis, is the same for both; both head rows rewritten). Only the
 * chain in the hash tells. (SQLite: the second chain's head row is added,
 * as if the store had two.) */
static void tamper_move_to_chain(void **state)
{
	struct fx *x = *state;
	int64_t from = build_chain(x->s, 1), to = from == 0 ? 1 : 0;
	if (!x->pg)
		sql(x->s,
		    "INSERT INTO audit_head (chain, count, hash) VALUES (1, 0, '" GENESIS "')");
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
	assert_null(chk.problem);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r = get_rec(x->s, a, 1);
	sqlf(x->s, "UPDATE audit_log SET chain = %" PRId64 " WHERE seq = 1", to);
	sqlf(x->s, "UPDATE audit_head SET count = 1, hash = '%s' WHERE chain = %" PRId64, r.hash,
	     to);
	sqlf(x->s, "UPDATE audit_head SET count = 0, hash = '" GENESIS "' WHERE chain = %" PRId64,
	     from);
	tb_arena_free(a);
	expect_problem(x->s, to, 1, "altered", NULL);
}

/* A record moved to a chain that has no head row: its own chain is made
 * to end before it. */
static void tamper_move_to_no_chain(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r = get_rec(x->s, a, CHAIN - 1);
	sqlf(x->s, "UPDATE audit_log SET chain = 99 WHERE seq = %d", CHAIN);
	sqlf(x->s, "UPDATE audit_head SET count = %d, hash = '%s' WHERE chain = %" PRId64,
	     CHAIN - 1, r.hash, ch);
	tb_arena_free(a);
	expect_problem(x->s, 99, CHAIN, "reordered", NULL);
}

/* PostgreSQL, chains 2, 5 and 7 of 10 records each: the problem is named
 * in its chain, the chains before it checked out. */
static void tamper_chains_middle(void **state)
{
	struct fx *x = *state;
	build_three(x->s);
	sqlf(x->s, "DELETE FROM audit_log WHERE seq = %" PRId64, seq_of(x->s, 5, 4));
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
	assert_int_equal(chk.count, 10 + 3);
	expect_problem(x->s, 5, 4, "removed", NULL);
}

static void tamper_chains_swap(void **state)
{
	struct fx *x = *state;
	build_three(x->s);
	int64_t a = seq_of(x->s, 7, 3), b = seq_of(x->s, 7, 4);
	sqlf(x->s, "UPDATE audit_log SET chain_seq = -1 WHERE seq = %" PRId64, a);
	sqlf(x->s, "UPDATE audit_log SET chain_seq = 3 WHERE seq = %" PRId64, b);
	sqlf(x->s, "UPDATE audit_log SET chain_seq = 4 WHERE seq = %" PRId64, a);
	expect_problem(x->s, 7, 3, "reordered", NULL);
}

/* The last record of chain 5 appended to chain 2, linked to chain 2's
 * last record, both heads rewritten to agree. */
static void tamper_chains_move(void **state)
{
	struct fx *x = *state;
	build_three(x->s);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry last2 = get_rec(x->s, a, seq_of(x->s, 2, 10));
	struct tb_audit_entry r = get_rec(x->s, a, seq_of(x->s, 5, 10));
	struct tb_audit_entry before = get_rec(x->s, a, seq_of(x->s, 5, 9));
	sqlf(
	    x->s,
	    "UPDATE audit_log SET chain = 2, chain_seq = 11, prev_hash = '%s' WHERE seq = %" PRId64,
	    last2.hash, r.seq);
	sqlf(x->s, "UPDATE audit_head SET count = 11, hash = '%s' WHERE chain = 2", r.hash);
	sqlf(x->s, "UPDATE audit_head SET count = 9, hash = '%s' WHERE chain = 5", before.hash);
	tb_arena_free(a);
	expect_problem(x->s, 2, 11, "altered", NULL);
}

/* A chain's head row deleted: one of a chain without records (SQLite:
 * chains 1 and 2 added as if the store had three) and, on PostgreSQL, one
 * with records. */
static void tamper_head_row(void **state)
{
	struct fx *x = *state;
	if (x->pg) {
		build_three(x->s);
	} else {
		build_chain(x->s, 3);
		sql(x->s,
		    "INSERT INTO audit_head (chain, count, hash) VALUES (1, 0, '" GENESIS "'),"
		    " (2, 0, '" GENESIS "')");
	}
	sql(x->s, "DELETE FROM audit_head WHERE chain = 1");
	expect_problem(x->s, 1, 1, "removed", NULL);
	if (!x->pg)
		return;
	sql(x->s, "INSERT INTO audit_head (chain, count, hash) VALUES (1, 0, '" GENESIS "')");
	expect_intact(x->s, 30);
	sql(x->s, "DELETE FROM audit_head WHERE chain = 5");
	expect_problem(x->s, 5, 1, "removed", NULL);
}

/* ---- checkpoints ---------------------------------------------------------- */

/* A checkpoint of every chain: signed, held by the chains as they grow;
 * its chains cannot be changed under its signature; a chain whose tail
 * was cut and whose head was rewritten to match (which verify cannot see)
 * or that was then rewritten past the checkpoint does not hold it. */
static void checkpoint_of_chains(void **state)
{
	struct fx *x = *state;
	int64_t ch = 0;
	if (x->pg) {
		build_three(x->s);
		ch = 7;
	} else {
		build_chain(x->s, 30);
	}
	char keys[300], dir[300];
	snprintf(keys, sizeof(keys), "%s/keys", test_tmpdir());
	snprintf(dir, sizeof(dir), "%s/checkpoints", test_tmpdir());
	struct tb_checkpoint cp;
	assert_int_equal(tb_checkpoint_make(x->s, keys, dir, &cp), TB_OK);
	assert_int_equal(cp.version, 2);
	assert_int_equal(cp.count, 30);
	assert_int_equal(cp.nchains, x->pg ? 32 : 1);
	int64_t total;
	char head[65];
	assert_int_equal(tb_audit_head(x->s, &total, head), TB_OK);
	assert_string_equal(cp.head, head);
	assert_int_equal(cp.chains[ch].count, x->pg ? 10 : 30);

	char *text = tb_checkpoint_json(&cp);
	assert_non_null(strstr(text, "\"chains\""));
	struct tb_checkpoint back;
	struct tb_fail f = {0};
	assert_int_equal(tb_checkpoint_parse(text, &back, &f), TB_OK);
	free(text);
	struct tb_sm2_key *key;
	assert_int_equal(tb_checkpoint_key(NULL, keys, false, &key), TB_OK);
	assert_true(tb_checkpoint_signed_by(&back, key));
	bool ok;
	char detail[320];
	assert_int_equal(tb_checkpoint_compare(x->s, &back, &ok, detail, sizeof(detail)), TB_OK);
	if (!ok)
		fail_msg("%s", detail);
	/* The chains are signed through the head. */
	back.chains[ch].count--;
	assert_false(tb_checkpoint_signed_by(&back, key));
	back.chains[ch].count++;
	back.chains[ch].hash[0] = back.chains[ch].hash[0] == 'a' ? 'b' : 'a';
	assert_false(tb_checkpoint_signed_by(&back, key));
	tb_checkpoint_clear(&back);
	/* A chains member that is not one. */
	assert_int_equal(
	    tb_checkpoint_parse("{\"format\": \"tongban-audit-checkpoint-v2\", \"count\":"
	                        " 0, \"head\": \"" GENESIS "\", \"time\": 1, \"key_id\":"
	                        " \"0123456789abcdef\", \"signature\": \"00\"}",
	                        &back, &f),
	    TB_EINVAL);
	assert_string_equal(f.field, "chains");

	/* Later records: still held. */
	for (int i = 0; i < 3; i++)
		append_in(x->s, ch, 40 + i);
	assert_int_equal(tb_checkpoint_compare(x->s, &cp, &ok, detail, sizeof(detail)), TB_OK);
	assert_true(ok);

	/* One chain's tail cut, its head rewritten to match. */
	sqlf(x->s, "DELETE FROM audit_log WHERE chain = %" PRId64 " AND chain_seq > 6", ch);
	sqlf(x->s,
	     "UPDATE audit_head SET count = 6, hash = (SELECT hash FROM audit_log WHERE chain ="
	     " %" PRId64 " AND chain_seq = 6) WHERE chain = %" PRId64,
	     ch, ch);
	expect_intact(x->s, x->pg ? 26 : 6);
	assert_int_equal(tb_checkpoint_compare(x->s, &cp, &ok, detail, sizeof(detail)), TB_OK);
	assert_false(ok);
	char want[80];
	snprintf(want, sizeof(want), "chain %" PRId64 " holds 6 records", ch);
	if (!strstr(detail, want) || !strstr(detail, "were removed"))
		fail_msg("%s", detail);
	/* Appended to again, past the checkpoint's count: another chain. */
	for (int64_t i = 6; i < cp.chains[ch].count + 1; i++)
		append_in(x->s, ch, 50 + (int)i);
	assert_int_equal(tb_checkpoint_compare(x->s, &cp, &ok, detail, sizeof(detail)), TB_OK);
	assert_false(ok);
	snprintf(want, sizeof(want), "of chain %" PRId64 " is not the one", ch);
	if (!strstr(detail, want) || !strstr(detail, "the chain was rewritten"))
		fail_msg("%s", detail);
	tb_sm2_free(key);
	tb_checkpoint_clear(&cp);
}

/* ---- upgrading a store of one chain -------------------------------------- */

/* Appends record i as the binary of before the chains did: one head row
 * (id 1, seq, hash), format v1. */
static void old_append(struct tb_store *s, int i)
{
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	assert_int_equal(tb_conn_begin(c), TB_OK);
	assert_int_equal(
	    tb_conn_run(c, NULL, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1", ""), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT seq, hash FROM audit_head WHERE id = 1", ""),
	    TB_OK);
	assert_true(row);
	char prev[65], actor[32];
	snprintf(prev, sizeof(prev), "%s", tb_stmt_text(st, 1));
	snprintf(actor, sizeof(actor), "account:%d", 10 + i % 3);
	struct tb_audit_entry e = {.seq = tb_stmt_int(st, 0),
	                           .ts = 1767225600 + i,
	                           .actor = actor,
	                           .acting_for = "",
	                           .action = "case.update",
	                           .object = OBJECTS[i % 4],
	                           .outcome = "ok",
	                           .client = "203.0.113.7",
	                           .request_id = "",
	                           .prev_hash = prev};
	tb_stmt_reset(st);
	char hash[TB_SM3_HEX];
	independent_hash(&e, 1, hash);
	assert_int_equal(
	    tb_conn_run(c, NULL, "UPDATE audit_head SET hash = ? WHERE id = 1", "s", hash), TB_OK);
	assert_int_equal(tb_conn_run(c, NULL,
	                             "INSERT INTO audit_log (seq, ts, actor, acting_for, action,"
	                             " object, outcome, client, request_id, prev_hash, hash)"
	                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                             "iisssssssss", e.seq, e.ts, e.actor, e.acting_for, e.action,
	                             e.object, e.outcome, e.client, e.request_id, e.prev_hash,
	                             hash),
	                 TB_OK);
	assert_int_equal(tb_conn_commit(c), TB_OK);
	tb_store_release(c);
}

/* A store of one chain (format v1) with 30 records and a checkpoint of
 * it in the format of before, upgraded by migration 024: the records of
 * before verify (chain 0, their v1 hashes), later ones are v2 (chain 0
 * goes on; other chains begin), the old checkpoint still holds, and the
 * boundary between v1 and v2 cannot be moved. */
static void upgrade_from_one_chain(void **state)
{
	struct fx *x = *state;
	for (int i = 0; i < 30; i++)
		old_append(x->s, i);
	/* The old checkpoint, at 20 records. */
	char keys[300];
	snprintf(keys, sizeof(keys), "%s/keys", test_tmpdir());
	struct tb_sm2_key *key;
	assert_int_equal(tb_checkpoint_key(NULL, keys, true, &key), TB_OK);
	char key_id[TB_SM2_KEY_ID], sig[TB_SM2_SIG_HEX], hash20[65];
	tb_sm2_key_id(key, key_id);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(x->s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row, "SELECT hash FROM audit_log WHERE seq = 20", ""), TB_OK);
	snprintf(hash20, sizeof(hash20), "%s", tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	tb_store_release(c);
	char signed_bytes[200], old_cp[1000];
	int n = snprintf(signed_bytes, sizeof(signed_bytes),
	                 "tongban-audit-checkpoint-v1\x1f%d\x1f%s\x1f%d\x1f%s", 20, hash20,
	                 1767225700, key_id);
	assert_int_equal(tb_sm2_sign(key, signed_bytes, (size_t)n, sig), TB_OK);
	snprintf(old_cp, sizeof(old_cp),
	         "{\"format\": \"tongban-audit-checkpoint-v1\", \"count\": 20, \"head\": \"%s\","
	         " \"time\": 1767225700, \"key_id\": \"%s\", \"signature\": \"%s\"}",
	         hash20, key_id, sig);

	int applied;
	assert_int_equal(tb_store_migrate(x->s, &applied), TB_OK);
	assert_true(applied >= 1);
	expect_intact(x->s, 30);
	assert_int_equal(head_count(x->s, 0), 30);
	assert_int_equal(sql_int(x->s, "SELECT v1_count FROM audit_head WHERE chain = 0"), 30);

	/* Chain 0 goes on in format v2; on PostgreSQL chain 3 begins. */
	for (int i = 0; i < 5; i++)
		append_in(x->s, 0, 100 + i);
	if (x->pg)
		for (int i = 0; i < 5; i++)
			append_in(x->s, 3, 200 + i);
	int64_t total = x->pg ? 40 : 35;
	expect_intact(x->s, total);
	struct tb_arena *a = tb_arena_new();
	struct tb_audit_entry r30 = get_rec(x->s, a, 30);
	struct tb_audit_entry r31 = get_rec(x->s, a, seq_of(x->s, 0, 31));
	char h[TB_SM3_HEX];
	independent_hash(&r30, 1, h);
	assert_string_equal(h, r30.hash);
	assert_int_equal(r30.chain, 0);
	assert_int_equal(r30.chain_seq, 30);
	independent_hash(&r31, 2, h);
	assert_string_equal(h, r31.hash);
	assert_string_equal(r31.prev_hash, r30.hash);
	assert_true(r31.seq > 30);

	/* The checkpoint of before. */
	struct tb_checkpoint cp;
	struct tb_fail f = {0};
	assert_int_equal(tb_checkpoint_parse(old_cp, &cp, &f), TB_OK);
	assert_int_equal(cp.version, 1);
	assert_int_equal(cp.nchains, 1);
	assert_true(tb_checkpoint_signed_by(&cp, key));
	char *text = tb_checkpoint_json(&cp);
	assert_non_null(strstr(text, "\"tongban-audit-checkpoint-v1\""));
	assert_null(strstr(text, "chains"));
	free(text);
	bool ok;
	char detail[320];
	assert_int_equal(tb_checkpoint_compare(x->s, &cp, &ok, detail, sizeof(detail)), TB_OK);
	if (!ok)
		fail_msg("%s", detail);

	/* The v1 boundary moved either way; a v1 record edited. */
	sql(x->s, "UPDATE audit_head SET v1_count = 31 WHERE chain = 0");
	expect_problem(x->s, 0, 31, "altered", NULL);
	sql(x->s, "UPDATE audit_head SET v1_count = 29 WHERE chain = 0");
	expect_problem(x->s, 0, 30, "altered", NULL);
	sql(x->s, "UPDATE audit_head SET v1_count = 30 WHERE chain = 0");
	expect_intact(x->s, total);
	sql(x->s, "UPDATE audit_log SET object = 'account:1' WHERE seq = 10");
	expect_problem(x->s, 0, 10, "altered", NULL);
	struct tb_audit_entry r10 = get_rec(x->s, a, 10);
	r10.object = OBJECTS[9 % 4];
	overwrite(x->s, 10, &r10);
	expect_intact(x->s, total);

	/* Chain 0 cut below the old checkpoint, its head rewritten (count,
	 * hash and the v1 boundary, which may not be past the end). */
	sql(x->s, "DELETE FROM audit_log WHERE chain = 0 AND chain_seq > 15");
	sql(x->s, "UPDATE audit_head SET count = 15, hash = (SELECT hash FROM audit_log WHERE"
	          " chain = 0 AND chain_seq = 15) WHERE chain = 0");
	expect_problem(x->s, 0, 15, "altered", NULL);
	sql(x->s, "UPDATE audit_head SET v1_count = 15 WHERE chain = 0");
	expect_intact(x->s, total - 20);
	assert_int_equal(tb_checkpoint_compare(x->s, &cp, &ok, detail, sizeof(detail)), TB_OK);
	assert_false(ok);
	if (!strstr(detail, "chain 0 holds 15 records") || !strstr(detail, "were removed"))
		fail_msg("%s", detail);
	tb_checkpoint_clear(&cp);
	tb_sm2_free(key);
	tb_arena_free(a);
}

/* ---- the command ---------------------------------------------------------- */

/* Runs the binary with args; stdout into out; returns the exit status. */
static int run_bin(char *out, size_t size, const char *const *args)
{
	const char *bin = getenv("TB_TEST_BIN");
	if (!bin)
		bin = "build/tongban";
	const char *argv[16];
	int n = 0;
	argv[n++] = bin;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		freopen("/dev/null", "w", stderr); /* usage text */
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], out + len, size - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void cli_verify(void **state)
{
	struct fx *x = *state;
	int64_t ch = build_chain(x->s, CHAIN);
	struct tb_audit_check chk;
	assert_int_equal(tb_audit_verify(x->s, &chk), TB_OK);
	char out[1024], want[256];
	const char *verify[] = {"audit", "verify", "--db", x->url, NULL};
	assert_int_equal(run_bin(out, sizeof(out), verify), 0);
	snprintf(want, sizeof(want), "audit: %d records in %s intact, head %s\n", CHAIN,
	         x->pg ? "32 chains" : "1 chain", chk.head);
	assert_string_equal(out, want);

	sql(x->s, "DELETE FROM audit_log WHERE seq = 7");
	assert_int_equal(run_bin(out, sizeof(out), verify), 1);
	snprintf(want, sizeof(want), "audit: chain %" PRId64 " record 7 removed: ", ch);
	assert_true(strncmp(out, want, strlen(want)) == 0);

	const char *help[] = {"audit", "--help", NULL};
	assert_int_equal(run_bin(out, sizeof(out), help), 0);
	assert_non_null(strstr(out, "usage: tongban audit verify"));
	const char *none[] = {"audit", NULL};
	assert_int_equal(run_bin(out, sizeof(out), none), 2);
	assert_string_equal(out, ""); /* usage goes to stderr */
	const char *other[] = {"audit", "repair", "--db", x->url, NULL};
	assert_int_equal(run_bin(out, sizeof(out), other), 2);
	const char *badopt[] = {"audit", "verify", "--bogus", NULL};
	assert_int_equal(run_bin(out, sizeof(out), badopt), 2);
}

#define BOTH(name) cmocka_unit_test_setup_teardown(name, setup_sqlite, teardown),
#define PG(name)   cmocka_unit_test_setup_teardown(name, setup_pg, teardown),

#define TESTS(X)                         \
	X(chain_append_rollback_threads) \
	X(concurrent_transactions)       \
	X(bad_records_are_refused)       \
	X(query_filters_and_pages)       \
	X(long_chain_pages)              \
	X(verify_while_appending)        \
	X(tamper_field)                  \
	X(tamper_ts)                     \
	X(tamper_seq)                    \
	X(tamper_delete_middle)          \
	X(tamper_delete_first)           \
	X(tamper_swap)                   \
	X(tamper_swap_chain_seq)         \
	X(tamper_delete_tail)            \
	X(tamper_head_hash)              \
	X(tamper_head_count)             \
	X(tamper_rehash)                 \
	X(tamper_rehash_tail)            \
	X(tamper_move_to_chain)          \
	X(tamper_move_to_no_chain)       \
	X(tamper_head_row)               \
	X(checkpoint_of_chains)          \
	X(cli_verify)

/* Where PostgreSQL has chains to choose from. */
#define PG_TESTS(X)                    \
	X(transaction_keeps_its_chain) \
	X(free_chain_or_wait)          \
	X(tamper_chains_middle)        \
	X(tamper_chains_swap)          \
	X(tamper_chains_move)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {TESTS(BOTH) cmocka_unit_test_setup_teardown(
	    upgrade_from_one_chain, setup_sqlite_old, teardown)};
	const struct CMUnitTest pg_tests[] = {TESTS(PG) PG_TESTS(
	    PG) cmocka_unit_test_setup_teardown(upgrade_from_one_chain, setup_pg_old, teardown)};
	int failed = cmocka_run_group_tests_name("audit/sqlite", sqlite_tests, NULL, NULL);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("audit/postgresql", pg_tests, NULL, NULL);
	return failed ? 1 : 0;
}
