/* The audit hash chains: appending a record (taking a chain, hash,
 * insert), verifying every chain page by page in one read snapshot, the
 * chains' heads for checkpoints, and querying records newest first. See
 * audit.h for the exported functions.
 *
 * Striped chains (issue 17): with one chain, every audited write took the
 * one head row's lock and held it until its commit was flushed, so all the
 * platform's writes queued behind one lock. Now audit_head holds one row
 * per chain (32 on PostgreSQL, one on SQLite, whose write transaction is
 * exclusive anyway) and a transaction appends to whichever chain no other
 * transaction holds. Each chain is a hash chain as the one chain was: its
 * records numbered by chain_seq without gaps, each hash covering the one
 * before, the head row holding the chain's count and last hash; the hash
 * also covers chain and chain_seq, so a record cannot be moved to another
 * chain or place. Records keep a global seq, the order for paging. */
#include "audit/audit.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DOMAIN_V1  "tongban-audit-v1"
#define DOMAIN_V2  "tongban-audit-v2"
#define GENESIS    "0000000000000000000000000000000000000000000000000000000000000000"
#define PAGE       1000
#define QUERY_MAX  500
#define NFIELDS    7
#define HASH_CHARS 64
/* The chains migration 024 makes on PostgreSQL. Only spreads the threads'
 * first choices (below); the code works with any number of head rows. */
#define PG_CHAINS  32

/* The record's text fields in canonical order. */
static const char *const FIELD_NAMES[NFIELDS] = {
    "actor", "acting_for", "action", "object", "outcome", "client", "request_id",
};

/* Where a record is: its chain, its place in it, its place in the trail. */
struct place {
	int64_t chain, chain_seq, seq;
};

/* hash = SM3 hex of prev_hash immediately followed by the canonical bytes.
 * Format v2 (every record appended since migration 024): DOMAIN_V2, then
 * chain, chain_seq, seq, ts and the seven text fields, each preceded by
 * 0x1F. Format v1 (the records of before: chain 0, chain_seq = seq):
 * DOMAIN_V1, then seq, ts and the seven fields alike; they keep their v1
 * hashes, and chain 0's v1_count says how many there are (migration 024).
 * b is scratch space. */
static void record_hash(struct tb_buf *b, int version, const char *prev_hash, const struct place *p,
                        int64_t ts, const char *const fields[NFIELDS], char out[TB_SM3_HEX])
{
	tb_buf_reset(b);
	tb_buf_adds(b, prev_hash);
	if (version == 1)
		tb_buf_printf(b, DOMAIN_V1 "\x1f%" PRId64 "\x1f%" PRId64, p->seq, ts);
	else
		tb_buf_printf(b,
		              DOMAIN_V2 "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64,
		              p->chain, p->chain_seq, p->seq, ts);
	for (int i = 0; i < NFIELDS; i++) {
		tb_buf_add(b, "\x1f", 1);
		tb_buf_adds(b, fields[i]);
	}
	tb_sm3_hex(b->data, b->len, out);
}

/* Checks one text field: at most TB_AUDIT_FIELD_MAX bytes, no byte below
 * 0x20 (so 0x1F cannot forge a field boundary), valid UTF-8. */
static bool field_ok(const char *s)
{
	size_t n = strlen(s);
	if (n > TB_AUDIT_FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	return tb_utf8_valid(s, n);
}

static enum tb_err refuse(const char *field, const char *why)
{
	tb_log_warn("audit", "record refused: %s %s", field, why);
	return TB_EINVAL;
}

/* Fills fields[] from rec (NULL -> "") and validates them. */
static enum tb_err check_rec(const struct tb_audit_rec *rec, const char *fields[NFIELDS])
{
	const char *src[NFIELDS] = {rec->actor,   rec->acting_for, rec->action,    rec->object,
	                            rec->outcome, rec->client,     rec->request_id};
	for (int i = 0; i < NFIELDS; i++) {
		fields[i] = src[i] ? src[i] : "";
		if (!field_ok(fields[i]))
			return refuse(FIELD_NAMES[i],
			              "has control bytes, bad UTF-8 or is too long");
	}
	if (!*fields[0] || !*fields[2])
		return refuse(!*fields[0] ? "actor" : "action", "is empty");
	const char *o = fields[4];
	if (strcmp(o, "ok") != 0 && strcmp(o, "denied") != 0 && strcmp(o, "failed") != 0)
		return refuse("outcome", "is not ok, denied or failed");
	if (rec->ts < 0)
		return refuse("ts", "is negative");
	return TB_OK;
}

/* ---- taking a chain ------------------------------------------------------ */

/* PostgreSQL: the head row of a chain no other transaction holds, locked
 * (held until this transaction ends), with a seq from the sequence taken
 * while it is held and this transaction's id. The chain this transaction
 * already holds comes first: its holder is this transaction's id (set by
 * the append that took it), and SKIP LOCKED does not skip rows the
 * transaction itself locked, so every record of a transaction goes to its
 * chain, consecutively. (A thread-local "chain of this transaction" would
 * be wrong when a thread appends on two connections in turn; the id in
 * the row is exact. A stale holder that happens to equal this id, as
 * after a restore into another cluster, only orders the rows: what a
 * transaction holds is its lock.) Then, from the thread's preferred chain
 * on, the first no other transaction holds: SKIP LOCKED tries each row's
 * lock without waiting. */
static const char TAKE_PG[] =
    "SELECT h.chain, h.count, h.hash, nextval('audit_log_seq'), txid_current() FROM"
    " (SELECT chain, count, hash FROM audit_head"
    " ORDER BY holder = txid_current() DESC, chain < ?, chain"
    " LIMIT 1 FOR UPDATE SKIP LOCKED) h";
/* Every chain held by other transactions: wait for the preferred one (in
 * READ COMMITTED the row is read again once its holder has committed).
 * Only a transaction that holds no chain gets here (one that holds a chain
 * gets it from TAKE_PG), so appending transactions never wait for each
 * other's chains in a cycle. */
static const char WAIT_PG[] =
    "SELECT h.chain, h.count, h.hash, nextval('audit_log_seq'), txid_current() FROM"
    " (SELECT chain, count, hash FROM audit_head ORDER BY chain < ?, chain"
    " LIMIT 1 FOR UPDATE) h";
/* SQLite: BEGIN IMMEDIATE made this transaction the only writer; one
 * chain. */
static const char TAKE_SQLITE[] =
    "SELECT chain, count, hash, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), 0"
    " FROM audit_head WHERE chain = 0";

/* The chain this thread took last (-1: none yet). Each thread starts at a
 * chain of its own (a counter) and keeps to the chain it got, so that while
 * there are no more writers than chains each settles on one that no other
 * tries first and its first lock attempt succeeds; with a random start,
 * two writers would often try the same chain first and one would move on.
 * It only orders the attempts. */
static _Thread_local int64_t preferred = -1;
static atomic_uint next_start;

/* A chain taken for one record. */
struct taken {
	struct place p;        /* the new record's chain, chain_seq and seq */
	char prev[TB_SM3_HEX]; /* the chain's head hash */
	int64_t holder;        /* this transaction's id (PostgreSQL) or 0 */
};

static enum tb_err take_chain(struct tb_conn *c, struct taken *t)
{
	bool pg = tb_conn_kind(c) == TB_STORE_PG;
	if (preferred < 0)
		preferred = (int64_t)(atomic_fetch_add(&next_start, 1) % PG_CHAINS);
	struct tb_stmt *st;
	bool row;
	enum tb_err e = pg ? tb_conn_query(c, &st, &row, TAKE_PG, "i", preferred)
	                   : tb_conn_query(c, &st, &row, TAKE_SQLITE, "");
	if (e == TB_OK && !row && pg) {
		tb_stmt_reset(st);
		e = tb_conn_query(c, &st, &row, WAIT_PG, "i", preferred);
	}
	if (e != TB_OK)
		return e;
	if (!row) {
		tb_stmt_reset(st);
		tb_log_error("audit", "audit_head has no chain");
		return TB_EINTERNAL;
	}
	t->p.chain = tb_stmt_int(st, 0);
	t->p.chain_seq = tb_stmt_int(st, 1) + 1;
	const char *h = tb_stmt_text(st, 2);
	t->p.seq = tb_stmt_int(st, 3);
	t->holder = tb_stmt_int(st, 4);
	bool ok = h && strlen(h) == HASH_CHARS;
	if (ok)
		memcpy(t->prev, h, TB_SM3_HEX);
	tb_stmt_reset(st);
	if (!ok) {
		tb_log_error("audit", "audit_head hash of chain %" PRId64 " is malformed",
		             t->p.chain);
		return TB_EINTERNAL;
	}
	preferred = t->p.chain;
	return TB_OK;
}

enum tb_err tb_audit_append(struct tb_conn *c, const struct tb_audit_rec *rec, int64_t *seq_out)
{
	const char *fields[NFIELDS];
	enum tb_err e = check_rec(rec, fields);
	if (e != TB_OK)
		return e;
	int64_t ts = rec->ts ? rec->ts : (int64_t)time(NULL);

	struct taken t;
	if ((e = take_chain(c, &t)) != TB_OK)
		return e;
	char hash[TB_SM3_HEX];
	struct tb_buf b = TB_BUF_INIT;
	record_hash(&b, 2, t.prev, &t.p, ts, fields, hash);
	tb_buf_free(&b);

	/* The head moves and the record is written with the transaction's
	 * next statement that waits or its commit (tb_conn_run_later): the head
	 * row is held, so it changes, or the transaction fails. On PostgreSQL
	 * both are one statement (a record only where the head moved). */
	if (tb_conn_kind(c) == TB_STORE_PG)
		e = tb_conn_run_later(
		    c, 1,
		    "WITH h AS (UPDATE audit_head SET count = ?, hash = ?, holder = ?"
		    " WHERE chain = ? RETURNING chain)"
		    " INSERT INTO audit_log (seq, chain, chain_seq, ts, actor, acting_for, action,"
		    " object, outcome, client, request_id, prev_hash, hash)"
		    " SELECT CAST(? AS bigint), h.chain, CAST(? AS bigint), CAST(? AS bigint),"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ? FROM h",
		    "isiiiiisssssssss", t.p.chain_seq, hash, t.holder, t.p.chain, t.p.seq,
		    t.p.chain_seq, ts, fields[0], fields[1], fields[2], fields[3], fields[4],
		    fields[5], fields[6], t.prev, hash);
	else
		e = tb_conn_run_later(
		    c, 1, "UPDATE audit_head SET count = ?, hash = ?, holder = ? WHERE chain = ?",
		    "isii", t.p.chain_seq, hash, t.holder, t.p.chain);
	if (e == TB_OK && tb_conn_kind(c) != TB_STORE_PG)
		e = tb_conn_run_later(
		    c, -1,
		    "INSERT INTO audit_log (seq, chain, chain_seq, ts, actor, acting_for, action,"
		    " object, outcome, client, request_id, prev_hash, hash)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "iiiisssssssss", t.p.seq, t.p.chain, t.p.chain_seq, ts, fields[0], fields[1],
		    fields[2], fields[3], fields[4], fields[5], fields[6], t.prev, hash);
	if (e != TB_OK)
		return e;
	if (seq_out)
		*seq_out = t.p.seq;
	return TB_OK;
}

enum tb_err tb_audit_log(struct tb_store *s, const struct tb_audit_rec *rec)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_audit_append(c, rec, NULL);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	return e;
}

/* ---- the heads ------------------------------------------------------------ */

void tb_audit_heads_digest(const struct tb_audit_chain *v, size_t n, char out[65])
{
	struct tb_buf b = TB_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		tb_buf_printf(&b, "%" PRId64 ":%" PRId64 ":%s\n", v[i].chain, v[i].count,
		              v[i].hash);
	tb_sm3_hex(b.data ? b.data : "", b.len, out);
	tb_buf_free(&b);
}

static const char *text_or_empty(struct tb_stmt *st, int col)
{
	const char *t = tb_stmt_text(st, col);
	return t ? t : "";
}

/* One head row, with the stored hash of its chain's record `count`. */
struct head {
	struct tb_audit_chain h;
	int64_t v1_count; /* records 1..v1_count are in format v1 */
	char last[65];    /* hash of record h.count of the chain ("" when none) */
};

/* The head rows in chain order into *out (malloc'd, *n of them). */
static enum tb_err read_heads(struct tb_conn *c, struct head **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT h.chain, h.count, h.hash, h.v1_count, l.hash FROM audit_head h"
	                  " LEFT JOIN audit_log l ON l.chain = h.chain AND l.chain_seq = h.count "
	                  "ORDER BY h.chain",
	                  "");
	struct head *v = NULL;
	size_t k = 0, cap = 0;
	while (e == TB_OK && row) {
		if (k == cap) {
			cap = cap ? 2 * cap : 32;
			struct head *w = realloc(v, cap * sizeof(*v));
			if (!w) {
				e = TB_EINTERNAL;
				break;
			}
			v = w;
		}
		struct head *x = &v[k++];
		x->h.chain = tb_stmt_int(st, 0);
		x->h.count = tb_stmt_int(st, 1);
		snprintf(x->h.hash, sizeof(x->h.hash), "%s", text_or_empty(st, 2));
		x->v1_count = tb_stmt_int(st, 3);
		snprintf(x->last, sizeof(x->last), "%s", text_or_empty(st, 4));
		e = tb_stmt_step(st, &row);
	}
	if (st)
		tb_stmt_reset(st);
	if (e != TB_OK) {
		free(v);
		return e;
	}
	*out = v;
	*n = k;
	return TB_OK;
}

/* The heads of v as an array of their own (malloc'd; NULL when out of
 * memory); frees v. */
static struct tb_audit_chain *chains_of(struct head *v, size_t n)
{
	struct tb_audit_chain *hs = malloc((n ? n : 1) * sizeof(*hs));
	for (size_t i = 0; hs && i < n; i++)
		hs[i] = v[i].h;
	free(v);
	return hs;
}

/* ---- verify ------------------------------------------------------------ */

static void found(struct tb_audit_check *out, int64_t chain, int64_t chain_seq, const char *problem,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void found(struct tb_audit_check *out, int64_t chain, int64_t chain_seq, const char *problem,
                  const char *fmt, ...)
{
	out->bad_chain = chain;
	out->bad_seq = chain_seq;
	out->problem = problem;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

/* State of the walk of one chain between rows and pages. */
struct walk {
	const struct head *head; /* the chain's head row */
	int64_t next;            /* the chain_seq the next row must have */
	char prev[TB_SM3_HEX];   /* the stored (and verified) hash of the row before */
	struct tb_buf scratch;
};

/* Checks one row of audit_log (SELECT_CHAIN's columns) against the walk;
 * false when it found a problem (recorded in out). */
static bool check_row(struct walk *w, struct tb_stmt *st, struct tb_audit_check *out)
{
	struct place p = {.seq = tb_stmt_int(st, 0),
	                  .chain = tb_stmt_int(st, 1),
	                  .chain_seq = tb_stmt_int(st, 2)};
	int64_t ts = tb_stmt_int(st, 3);
	const char *fields[NFIELDS];
	for (int i = 0; i < NFIELDS; i++)
		fields[i] = text_or_empty(st, 4 + i);
	const char *prev_hash = text_or_empty(st, 11);
	const char *hash = text_or_empty(st, 12);
	int64_t n = p.chain_seq, ch = p.chain;

	/* chain_seqs are handed out 1, 2, 3... without gaps, so a gap means
	 * rows were deleted (from the middle or, for chain_seq > 1 first, the
	 * start). Rows come in chain_seq order, so a lower one cannot appear
	 * unless the database returned them out of order. */
	if (n > w->next) {
		if (n == w->next + 1)
			found(out, ch, w->next, "removed",
			      "record %" PRId64 " of chain %" PRId64 " is missing (the chain goes"
			      " from %" PRId64 " to %" PRId64 ")",
			      w->next, ch, w->next - 1, n);
		else
			found(out, ch, w->next, "removed",
			      "records %" PRId64 "..%" PRId64 " of chain %" PRId64 " are missing",
			      w->next, n - 1, ch);
		return false;
	}
	if (n < w->next) {
		found(out, ch, n, "reordered",
		      "record %" PRId64 " of chain %" PRId64 " comes after record %" PRId64, n, ch,
		      w->next - 1);
		return false;
	}
	/* The link: each record names the stored hash of the one before it.
	 * A break here, with the chain_seqs intact, means records were moved
	 * (rows swapped, renumbered or moved from another chain) or the record
	 * before was altered and given a freshly computed hash to hide it: the
	 * forged hash passes its own check but no longer matches what this
	 * record committed to. */
	if (strcmp(prev_hash, w->prev) != 0) {
		if (n == 1)
			found(out, ch, n, "reordered",
			      "record 1 does not start chain %" PRId64
			      " (prev_hash is not all zeros)",
			      ch);
		else
			found(out, ch, n, "reordered",
			      "prev_hash is not the hash of record %" PRId64 " of chain %" PRId64
			      " (records moved, or that record altered and re-hashed)",
			      n - 1, ch);
		return false;
	}
	/* The record itself: any edited field (or chain, chain_seq, seq, ts,
	 * prev_hash) changes the recomputed hash; an edited stored hash no
	 * longer matches it. Records 1..v1_count of the chain are of format v1
	 * (chain and chain_seq not hashed: the link and the numbering above
	 * hold them in place). */
	int version = n <= w->head->v1_count ? 1 : 2;
	char want[TB_SM3_HEX];
	record_hash(&w->scratch, version, prev_hash, &p, ts, fields, want);
	if (strcmp(hash, want) != 0) {
		found(out, ch, n, "altered",
		      "record %" PRId64 " of chain %" PRId64 ": its contents do not match its hash",
		      n, ch);
		return false;
	}
	memcpy(w->prev, want, TB_SM3_HEX);
	w->next = n + 1;
	out->count++;
	return true;
}

/* The columns check_row reads. */
#define RECORD_COLUMNS                                                                   \
	"seq, chain, chain_seq, ts, actor, acting_for, action, object, outcome, client," \
	" request_id, prev_hash, hash"

/* Walks the chain of head h on c, then compares its end with h. */
static enum tb_err walk_chain(struct tb_conn *c, const struct head *h, struct tb_audit_check *out)
{
	int64_t ch = h->h.chain;
	struct walk w = {.head = h, .next = 1, .prev = GENESIS, .scratch = TB_BUF_INIT};
	bool ok = true;
	int64_t last = 0;
	enum tb_err e;
	for (;;) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT " RECORD_COLUMNS " FROM audit_log"
		    " WHERE chain = ? AND chain_seq > ? ORDER BY chain_seq LIMIT 1000",
		    "ii", ch, last);
		int got = 0;
		while (e == TB_OK && row && ok) {
			got++;
			ok = check_row(&w, st, out);
			last = tb_stmt_int(st, 2);
			e = tb_stmt_step(st, &row);
		}
		if (st)
			tb_stmt_reset(st);
		if (e != TB_OK || !ok || got < PAGE)
			break;
	}
	tb_buf_free(&w.scratch);
	if (e != TB_OK || !ok)
		return e;

	/* The head: a removed tail leaves the records consistent among
	 * themselves, but the head row still holds the count and hash of the
	 * last record ever appended to the chain. (Deleting the tail AND
	 * rewriting the head to match is not detectable from the database
	 * alone: the signed checkpoints anchor the heads elsewhere for that.) */
	int64_t end = w.next - 1, head_n = h->h.count;
	if (head_n > end && head_n == end + 1)
		found(out, ch, end + 1, "removed",
		      "record %" PRId64 " of chain %" PRId64 " is missing at the end (the head says"
		      " %" PRId64 ")",
		      end + 1, ch, head_n);
	else if (head_n > end)
		found(out, ch, end + 1, "removed",
		      "records %" PRId64 "..%" PRId64 " of chain %" PRId64 " are missing at the end"
		      " (the head says %" PRId64 ")",
		      end + 1, head_n, ch, head_n);
	else if (head_n < end)
		found(out, ch, head_n + 1, "altered",
		      "the head of chain %" PRId64 " says %" PRId64 " records but the chain holds"
		      " %" PRId64 " (head edited or records added)",
		      ch, head_n, end);
	else if (strcmp(h->h.hash, w.prev) != 0)
		found(out, ch, end, "altered",
		      "the head hash of chain %" PRId64 " is not the hash of its record %" PRId64,
		      ch, end);
	else if (h->v1_count > end)
		found(out, ch, end, "altered",
		      "the head of chain %" PRId64 " says %" PRId64 " records are of format v1", ch,
		      h->v1_count);
	return TB_OK;
}

/* Reads the heads and walks every chain on c (inside a snapshot). */
static enum tb_err walk_all(struct tb_conn *c, struct tb_audit_check *out)
{
	struct head *v;
	size_t n;
	enum tb_err e = read_heads(c, &v, &n);
	if (e != TB_OK)
		return e;
	out->chains = (int64_t)n;

	/* The chains are 0..n-1: a head row missing in between (with its
	 * chain's records or not) is found here, one missing at the end only
	 * by a checkpoint (it lists every chain). */
	if (n == 0)
		found(out, 0, 0, "altered", "audit_head has no rows");
	for (size_t i = 0; i < n && !out->problem; i++)
		if (v[i].h.chain != (int64_t)i)
			found(out, (int64_t)i, 1, "removed", "chain %zu has no head row", i);
	for (size_t i = 0; i < n && e == TB_OK && !out->problem; i++)
		e = walk_chain(c, &v[i], out);
	struct tb_audit_chain *hs = chains_of(v, n);
	if (!hs)
		return TB_EINTERNAL;
	tb_audit_heads_digest(hs, n, out->head);
	free(hs);
	if (e != TB_OK || out->problem)
		return e;

	/* Records of a chain with no head row were moved there or added. */
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT chain, chain_seq FROM audit_log WHERE chain < 0 OR chain >= ?"
	                  " ORDER BY chain, chain_seq LIMIT 1",
	                  "i", (int64_t)n);
	if (e == TB_OK && row)
		found(out, tb_stmt_int(st, 0), tb_stmt_int(st, 1), "reordered",
		      "record %" PRId64 " of chain %" PRId64 " belongs to no chain (there are %zu)",
		      tb_stmt_int(st, 1), tb_stmt_int(st, 0), n);
	if (st)
		tb_stmt_reset(st);
	return e;
}

/* Opens one read snapshot on c for the heads and the records, so that
 * records appended meanwhile are neither half seen nor mistaken for
 * tampering, and writers are not blocked (a deferred SQLite transaction in
 * WAL mode; REPEATABLE READ on PostgreSQL). tb_conn_begin would take the
 * write lock instead; the caller ends it with ROLLBACK. */
static enum tb_err snapshot_begin(struct tb_conn *c)
{
	return tb_conn_exec(c, tb_conn_kind(c) == TB_STORE_PG
	                           ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	                           : "BEGIN");
}

enum tb_err tb_audit_verify(struct tb_store *s, struct tb_audit_check *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = snapshot_begin(c);
	if (e == TB_OK) {
		e = walk_all(c, out);
		tb_conn_exec(c, "ROLLBACK");
	}
	tb_store_release(c);
	if (e != TB_OK) {
		memset(out, 0, sizeof(*out));
		tb_log_error("audit", "verify: store failure");
	}
	return e;
}

enum tb_err tb_audit_hash_at(struct tb_store *s, int64_t chain, int64_t chain_seq, char out[65],
                             bool *found_it)
{
	*found_it = chain_seq == 0;
	snprintf(out, 65, "%s", GENESIS);
	if (chain_seq == 0)
		return TB_OK;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT hash FROM audit_log WHERE chain = ? AND chain_seq = ?", "ii",
	                  chain, chain_seq);
	if (e == TB_OK && row) {
		*found_it = true;
		snprintf(out, 65, "%s", text_or_empty(st, 0));
	}
	if (st)
		tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* Reads every head on c (in a snapshot) and checks that the chains are
 * 0..n-1 and each head's hash is its last record's. */
static enum tb_err heads_checked(struct tb_conn *c, struct tb_audit_chain **out, size_t *n)
{
	struct head *v;
	size_t k;
	enum tb_err e = read_heads(c, &v, &k);
	if (e != TB_OK)
		return e;
	for (size_t i = 0; i < k && e == TB_OK; i++)
		if (v[i].h.chain != (int64_t)i ||
		    strcmp(v[i].h.hash, v[i].h.count > 0 ? v[i].last : GENESIS) != 0)
			e = TB_EINTERNAL;
	struct tb_audit_chain *hs = chains_of(v, k);
	if (!hs || k == 0)
		e = TB_EINTERNAL;
	if (e != TB_OK) {
		free(hs);
		return e;
	}
	*out = hs;
	*n = k;
	return TB_OK;
}

enum tb_err tb_audit_heads(struct tb_store *s, struct tb_audit_chain **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	if ((e = snapshot_begin(c)) == TB_OK) {
		e = heads_checked(c, out, n);
		tb_conn_exec(c, "ROLLBACK");
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_audit_head(struct tb_store *s, int64_t *count, char head[65])
{
	struct tb_audit_chain *v;
	size_t n;
	enum tb_err e = tb_audit_heads(s, &v, &n);
	if (e != TB_OK)
		return e;
	*count = 0;
	for (size_t i = 0; i < n; i++)
		*count += v[i].count;
	tb_audit_heads_digest(v, n, head);
	free(v);
	return TB_OK;
}

/* ---- query ------------------------------------------------------------- */

enum tb_err tb_audit_query(struct tb_store *s, const struct tb_audit_filter *f, struct tb_arena *a,
                           struct tb_audit_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (f->limit < 1 || f->limit > QUERY_MAX)
		return TB_EINVAL;
	if ((f->actor && strlen(f->actor) > TB_AUDIT_FIELD_MAX) ||
	    (f->object && strlen(f->object) > TB_AUDIT_FIELD_MAX))
		return TB_EINVAL;

	/* At most 2^5 distinct SQL texts, each prepared once per connection. */
	struct tb_buf sql = TB_BUF_INIT;
	tb_buf_adds(&sql, "SELECT " RECORD_COLUMNS " FROM audit_log WHERE 1 = 1");
	if (f->actor)
		tb_buf_adds(&sql, " AND actor = ?");
	if (f->object)
		tb_buf_adds(&sql, " AND object = ?");
	if (f->from_ts)
		tb_buf_adds(&sql, " AND ts >= ?");
	if (f->to_ts)
		tb_buf_adds(&sql, " AND ts <= ?");
	if (f->before_seq)
		tb_buf_adds(&sql, " AND seq < ?");
	tb_buf_adds(&sql, " ORDER BY seq DESC LIMIT ?");

	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK) {
		tb_buf_free(&sql);
		return e;
	}
	struct tb_stmt *st;
	e = tb_conn_prepare(c, sql.data, &st);
	tb_buf_free(&sql);
	if (e != TB_OK) {
		tb_store_release(c);
		return e;
	}
	int p = 1;
	if (f->actor)
		tb_stmt_bind_text(st, p++, f->actor);
	if (f->object)
		tb_stmt_bind_text(st, p++, f->object);
	if (f->from_ts)
		tb_stmt_bind_int(st, p++, f->from_ts);
	if (f->to_ts)
		tb_stmt_bind_int(st, p++, f->to_ts);
	if (f->before_seq)
		tb_stmt_bind_int(st, p++, f->before_seq);
	tb_stmt_bind_int(st, p, f->limit);

	struct tb_audit_entry *v = tb_arena_zalloc(a, (size_t)f->limit * sizeof(*v));
	size_t k = 0;
	bool row;
	while ((e = tb_stmt_step(st, &row)) == TB_OK && row && k < (size_t)f->limit) {
		struct tb_audit_entry *x = &v[k++];
		x->seq = tb_stmt_int(st, 0);
		x->chain = tb_stmt_int(st, 1);
		x->chain_seq = tb_stmt_int(st, 2);
		x->ts = tb_stmt_int(st, 3);
		const char **dst[NFIELDS + 2] = {&x->actor,      &x->acting_for, &x->action,
		                                 &x->object,     &x->outcome,    &x->client,
		                                 &x->request_id, &x->prev_hash,  &x->hash};
		for (int i = 0; i < NFIELDS + 2; i++)
			*dst[i] = tb_arena_strdup(a, text_or_empty(st, 4 + i));
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	*out = v;
	*n = k;
	return TB_OK;
}
