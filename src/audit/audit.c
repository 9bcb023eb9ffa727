/* The audit hash chain: appending a record (head lock, hash, insert),
 * verifying the whole chain page by page in one read snapshot, and
 * querying records newest first. See audit.h for the exported functions. */
#include "audit/audit.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/utf8.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DOMAIN     "tongban-audit-v1"
#define GENESIS    "0000000000000000000000000000000000000000000000000000000000000000"
#define PAGE       1000
#define QUERY_MAX  500
#define NFIELDS    7
#define HASH_CHARS 64

/* The record's text fields in canonical order. */
static const char *const FIELD_NAMES[NFIELDS] = {
    "actor", "acting_for", "action", "object", "outcome", "client", "request_id",
};

/* hash = SM3 hex of prev_hash immediately followed by the canonical bytes:
 * DOMAIN, then seq, ts and the seven text fields, each preceded by 0x1F.
 * b is scratch space. */
static void chain_hash(struct tb_buf *b, const char *prev_hash, int64_t seq, int64_t ts,
                       const char *const fields[NFIELDS], char out[TB_SM3_HEX])
{
	tb_buf_reset(b);
	tb_buf_adds(b, prev_hash);
	tb_buf_adds(b, DOMAIN);
	tb_buf_printf(b, "\x1f%" PRId64 "\x1f%" PRId64, seq, ts);
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

enum tb_err tb_audit_append(struct tb_conn *c, const struct tb_audit_rec *rec, int64_t *seq_out)
{
	const char *fields[NFIELDS];
	enum tb_err e = check_rec(rec, fields);
	if (e != TB_OK)
		return e;
	int64_t ts = rec->ts ? rec->ts : (int64_t)time(NULL);

	/* Bumping the head first takes its row lock (PostgreSQL), so a second
	 * writer waits here until this transaction ends and then reads our
	 * seq and hash; on SQLite the write transaction is exclusive already. */
	int64_t changed = 0;
	e = tb_conn_run(c, &changed, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1", "");
	if (e != TB_OK)
		return e;
	if (changed != 1) {
		tb_log_error("audit", "audit_head row is missing");
		return TB_EINTERNAL;
	}
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
	if (e != TB_OK)
		return e;
	if (!row) {
		tb_stmt_reset(st);
		return TB_EINTERNAL;
	}
	int64_t seq = tb_stmt_int(st, 0);
	const char *h = tb_stmt_text(st, 1);
	char prev[TB_SM3_HEX];
	bool prev_ok = h && strlen(h) == HASH_CHARS;
	if (prev_ok)
		memcpy(prev, h, TB_SM3_HEX);
	tb_stmt_reset(st);
	if (!prev_ok) {
		tb_log_error("audit", "audit_head hash is malformed");
		return TB_EINTERNAL;
	}

	char hash[TB_SM3_HEX];
	struct tb_buf b = TB_BUF_INIT;
	chain_hash(&b, prev, seq, ts, fields, hash);
	tb_buf_free(&b);

	e = tb_conn_run(c, NULL, "UPDATE audit_head SET hash = ? WHERE id = 1", "s", hash);
	if (e != TB_OK)
		return e;
	e = tb_conn_run(
	    c, NULL,
	    "INSERT INTO audit_log (seq, ts, actor, acting_for, action, object, outcome,"
	    " client, request_id, prev_hash, hash)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "iisssssssss", seq, ts, fields[0], fields[1], fields[2], fields[3], fields[4],
	    fields[5], fields[6], prev, hash);
	if (e != TB_OK)
		return e;
	if (seq_out)
		*seq_out = seq;
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

/* ---- verify ------------------------------------------------------------ */

static void found(struct tb_audit_check *out, int64_t seq, const char *problem, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

static void found(struct tb_audit_check *out, int64_t seq, const char *problem, const char *fmt,
                  ...)
{
	out->bad_seq = seq;
	out->problem = problem;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

static const char *text_or_empty(struct tb_stmt *st, int col)
{
	const char *t = tb_stmt_text(st, col);
	return t ? t : "";
}

/* State of the walk between rows and pages. */
struct walk {
	int64_t next_seq;      /* the seq the next row must have */
	char prev[TB_SM3_HEX]; /* the stored (and verified) hash of the row before */
	struct tb_buf scratch;
};

/* Checks one row of audit_log against the walk; false when it found a
 * problem (recorded in out). */
static bool check_row(struct walk *w, struct tb_stmt *st, struct tb_audit_check *out)
{
	int64_t seq = tb_stmt_int(st, 0);
	int64_t ts = tb_stmt_int(st, 1);
	const char *fields[NFIELDS];
	for (int i = 0; i < NFIELDS; i++)
		fields[i] = text_or_empty(st, 2 + i);
	const char *prev_hash = text_or_empty(st, 9);
	const char *hash = text_or_empty(st, 10);

	/* Seqs are handed out 1, 2, 3... without gaps, so a gap means rows
	 * were deleted (from the middle or, for seq > 1 first, the start).
	 * Rows come in seq order, so a lower seq cannot appear unless the
	 * database returned them out of order. */
	if (seq > w->next_seq) {
		if (seq == w->next_seq + 1)
			found(out, w->next_seq, "removed",
			      "record %" PRId64 " is missing (the log goes from %" PRId64
			      " to %" PRId64 ")",
			      w->next_seq, w->next_seq - 1, seq);
		else
			found(out, w->next_seq, "removed",
			      "records %" PRId64 "..%" PRId64 " are missing", w->next_seq, seq - 1);
		return false;
	}
	if (seq < w->next_seq) {
		found(out, seq, "reordered", "record %" PRId64 " comes after record %" PRId64, seq,
		      w->next_seq - 1);
		return false;
	}
	/* The link: each record names the stored hash of the one before it.
	 * A break here, with the seqs intact, means records were moved (rows
	 * swapped or renumbered) or the record before was altered and given a
	 * freshly computed hash to hide it: the forged hash passes its own
	 * check but no longer matches what this record committed to. */
	if (strcmp(prev_hash, w->prev) != 0) {
		if (seq == 1)
			found(out, seq, "reordered",
			      "record 1 does not start the chain (prev_hash is not all zeros)");
		else
			found(out, seq, "reordered",
			      "prev_hash is not the hash of record %" PRId64
			      " (records moved, or record %" PRId64 " altered and re-hashed)",
			      seq - 1, seq - 1);
		return false;
	}
	/* The record itself: any edited field (or seq, ts, prev_hash) changes
	 * the recomputed hash; an edited stored hash no longer matches it. */
	char want[TB_SM3_HEX];
	chain_hash(&w->scratch, prev_hash, seq, ts, fields, want);
	if (strcmp(hash, want) != 0) {
		found(out, seq, "altered", "its contents do not match its hash");
		return false;
	}
	memcpy(w->prev, want, TB_SM3_HEX);
	w->next_seq = seq + 1;
	out->count++;
	return true;
}

/* Reads audit_head and walks audit_log on c (inside a snapshot). */
static enum tb_err walk_chain(struct tb_conn *c, struct tb_audit_check *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
	if (e != TB_OK)
		return e;
	bool have_head = row;
	int64_t head_seq = 0;
	bool head_hash_ok = false;
	if (row) {
		head_seq = tb_stmt_int(st, 0);
		const char *h = text_or_empty(st, 1);
		head_hash_ok = strlen(h) == HASH_CHARS;
		snprintf(out->head, sizeof(out->head), "%s", h);
	}
	tb_stmt_reset(st);

	struct walk w = {.next_seq = 1, .prev = GENESIS, .scratch = TB_BUF_INIT};
	bool ok = true;
	int64_t last = 0;
	for (;;) {
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT seq, ts, actor, acting_for, action, object, outcome, client,"
		    " request_id, prev_hash, hash FROM audit_log"
		    " WHERE seq > ? ORDER BY seq LIMIT 1000",
		    "i", last);
		int got = 0;
		while (e == TB_OK && row && ok) {
			got++;
			ok = check_row(&w, st, out);
			last = tb_stmt_int(st, 0);
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
	 * themselves, but audit_head still holds the seq and hash of the last
	 * record ever appended. (Deleting the tail AND rewriting the head to
	 * match is not detectable from the database alone: anchor the head
	 * elsewhere for that.) */
	int64_t end = w.next_seq - 1;
	if (!have_head)
		found(out, end, "altered", "the audit_head row is missing");
	else if (head_seq > end && head_seq == end + 1)
		found(out, end + 1, "removed",
		      "record %" PRId64 " is missing at the end (the head says %" PRId64 ")",
		      end + 1, head_seq);
	else if (head_seq > end)
		found(out, end + 1, "removed",
		      "records %" PRId64 "..%" PRId64
		      " are missing at the end (the head says %" PRId64 ")",
		      end + 1, head_seq, head_seq);
	else if (head_seq < end)
		found(out, head_seq + 1, "altered",
		      "the head says %" PRId64 " records but the log holds %" PRId64
		      " (head edited or records added)",
		      head_seq, end);
	else if (!head_hash_ok || strcmp(out->head, w.prev) != 0)
		found(out, end, "altered", "the head hash is not the hash of record %" PRId64, end);
	return TB_OK;
}

/* Opens one read snapshot on c for the head and the records, so that
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
		e = walk_chain(c, out);
		tb_conn_exec(c, "ROLLBACK");
	}
	tb_store_release(c);
	if (e != TB_OK) {
		memset(out, 0, sizeof(*out));
		tb_log_error("audit", "verify: store failure");
	}
	return e;
}

enum tb_err tb_audit_hash_at(struct tb_store *s, int64_t seq, char out[65], bool *found)
{
	*found = seq == 0;
	snprintf(out, 65, "%s", GENESIS);
	if (seq == 0)
		return TB_OK;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT hash FROM audit_log WHERE seq = ?", "i", seq);
	if (e == TB_OK && row) {
		*found = true;
		snprintf(out, 65, "%s", text_or_empty(st, 0));
	}
	if (st)
		tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_audit_head(struct tb_store *s, int64_t *count, char head[65])
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	if ((e = snapshot_begin(c)) != TB_OK) {
		tb_store_release(c);
		return e;
	}
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT seq, hash FROM audit_head WHERE id = 1", "");
	if (e == TB_OK && !row)
		e = TB_EINTERNAL;
	if (e == TB_OK) {
		*count = tb_stmt_int(st, 0);
		snprintf(head, 65, "%s", text_or_empty(st, 1));
	}
	if (st)
		tb_stmt_reset(st);
	if (e == TB_OK && *count > 0) {
		e = tb_conn_query(c, &st, &row, "SELECT hash FROM audit_log WHERE seq = ?", "i",
		                  *count);
		if (e == TB_OK && (!row || strcmp(text_or_empty(st, 0), head) != 0))
			e = TB_EINTERNAL;
		if (st)
			tb_stmt_reset(st);
	} else if (e == TB_OK && strcmp(head, GENESIS) != 0) {
		e = TB_EINTERNAL;
	}
	tb_conn_exec(c, "ROLLBACK");
	tb_store_release(c);
	return e;
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
	tb_buf_adds(&sql, "SELECT seq, ts, actor, acting_for, action, object, outcome, client,"
	                  " request_id, prev_hash, hash FROM audit_log WHERE 1 = 1");
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
		x->ts = tb_stmt_int(st, 1);
		const char **dst[NFIELDS + 2] = {&x->actor,      &x->acting_for, &x->action,
		                                 &x->object,     &x->outcome,    &x->client,
		                                 &x->request_id, &x->prev_hash,  &x->hash};
		for (int i = 0; i < NFIELDS + 2; i++)
			*dst[i] = tb_arena_strdup(a, text_or_empty(st, 2 + i));
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	*out = v;
	*n = k;
	return TB_OK;
}
