/* Public catalog lists: filters become WHERE clauses (each distinct SQL is
 * prepared once per connection). A keyword search finds the search
 * documents (migration 020) with the store's own index query (FTS5 MATCH
 * on SQLite, a tsquery on PostgreSQL) built from terms only, so no
 * operator a user types reaches the index; ranks them (catalog/rank.h);
 * and lists their items in that order. */
#include "base/buf.h"
#include "base/date.h"
#include "catalog/catalog.h"
#include "catalog/rank.h"
#include "catalog/synonyms.h"
#include "catalog/terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BINDS  96
#define TB_STR_(x) #x
#define TB_STR(x)  TB_STR_(x)

struct binds {
	char type[MAX_BINDS]; /* 's' or 'i' per parameter */
	const char *s[MAX_BINDS];
	int64_t i[MAX_BINDS];
	int n;
};

static void bind_s(struct binds *b, const char *s)
{
	if (b->n >= MAX_BINDS)
		return; /* never: the text's clauses stop short of it */
	b->type[b->n] = 's';
	b->s[b->n++] = s;
}

static void bind_i(struct binds *b, int64_t v)
{
	if (b->n >= MAX_BINDS)
		return;
	b->type[b->n] = 'i';
	b->i[b->n++] = v;
}

static void apply(struct tb_stmt *st, const struct binds *b)
{
	for (int k = 0; k < b->n; k++) {
		if (b->type[k] == 's')
			tb_stmt_bind_text(st, k + 1, b->s[k]);
		else
			tb_stmt_bind_int(st, k + 1, b->i[k]);
	}
}

/* The search synonyms of a query word (catalog/synonyms.h), read on the
 * search's own connection. */
struct expand_ctx {
	struct tb_conn *c;
	struct tb_arena *a;
	/* Each word's answer, asked once per search (the query forms and the
	 * ranking both expand every word). */
	const char *word[16], *other[16];
	int n;
};

static const char *expand(const char *word, void *ctx)
{
	struct expand_ctx *x = ctx;
	for (int k = 0; k < x->n; k++)
		if (strcmp(x->word[k], word) == 0)
			return x->other[k];
	const char *other = tb_synonyms_of_on(x->c, word, x->a);
	if (x->n < 16) {
		x->word[x->n] = tb_arena_strdup(x->a, word);
		x->other[x->n++] = other;
	}
	return other;
}

/* Counts stop here: past it the answer says the total is at least this
 * (a broad keyword over a national catalog matches tens of thousands, and
 * nobody pages that far; counting them all would cost every search). */
#define COUNT_CAP 1000
/* A keyword ranks at most this many search documents (a document is the
 * text of every item that says the same: thousands nationally). */
#define DOC_CAP   2000
/* A region's or department's matching items are ranked all at once up to
 * this many. */
#define SCOPE_CAP 5000

/* The filters of q as " WHERE ..." with their parameters. hint (SQLite
 * only): keep the state and region indexes from driving when the text
 * index should (a unary + hides a column from the planner). */
static void filters(const struct tb_item_query *q, const char *day, bool hint_state,
                    bool hint_region, struct tb_arena *a, struct tb_buf *where, struct binds *b)
{
	if (q->latest) {
		/* The catalog's managers: each code's newest version (the
		 * (implementation_code, version) key answers the subquery). */
		tb_buf_adds(where, " WHERE i.version = (SELECT MAX(l.version) FROM items l"
		                   " WHERE l.implementation_code = i.implementation_code)");
	} else {
		tb_buf_printf(where,
		              " WHERE %si.state = 'published' AND i.valid_from <= ?"
		              " AND (i.valid_to IS NULL OR i.valid_to >= ?)",
		              hint_state ? "+" : "");
		bind_s(b, day);
		bind_s(b, day);
	}
	if (q->nregions > 0 || q->region_prefix) {
		const char *col = hint_region ? "+i.region" : "i.region";
		tb_buf_printf(where, " AND (%s IN (?, ?, ?, ?, ?)", col);
		for (int k = 0; k < 5; k++)
			bind_s(b, q->nregions ? q->regions[k < q->nregions ? k : q->nregions - 1]
			                      : "-");
		if (q->region_prefix) {
			/* A prefix as a range, so that the region index serves it:
			 * "3301" -> [3301, 3302). */
			char lo[12], hi[12];
			snprintf(lo, sizeof(lo), "%s", q->region_prefix);
			lo[strcspn(lo, "%")] = '\0';
			memcpy(hi, lo, sizeof(hi));
			size_t n = strlen(hi);
			if (n)
				hi[n - 1]++;
			tb_buf_printf(where, " OR (%s >= ? AND %s < ?)", col, col);
			bind_s(b, tb_arena_strdup(a, lo));
			bind_s(b, tb_arena_strdup(a, hi));
		}
		tb_buf_adds(where, ")");
	}
	if (q->department_id) {
		tb_buf_adds(where, " AND i.department_id = ?");
		bind_i(b, q->department_id);
	}
	if (q->item_type) {
		tb_buf_adds(where, " AND i.item_type = ?");
		bind_s(b, q->item_type);
	}
	if (q->service_object) {
		tb_buf_adds(where, " AND i.service_objects LIKE ?");
		bind_s(b, tb_arena_printf(a, "%%,%d,%%", q->service_object));
	}
	if (q->event) {
		tb_buf_adds(where,
		            " AND i.id IN (SELECT item_id FROM item_events WHERE event = ?)");
		bind_s(b, q->event);
	}
	if (q->online_depth) {
		tb_buf_adds(where, " AND i.online_depth = ?");
		bind_i(b, q->online_depth);
	}
}

/* Prepares sql with b's parameters and extra (0-2) more integers. */
static enum tb_err prepare(struct tb_conn *c, const char *sql, const struct binds *b, int extra,
                           int64_t x1, int64_t x2, struct tb_stmt **st)
{
	enum tb_err e = tb_conn_prepare(c, sql, st);
	if (e != TB_OK)
		return e;
	apply(*st, b);
	if (extra > 0)
		tb_stmt_bind_int(*st, b->n + 1, x1);
	if (extra > 1)
		tb_stmt_bind_int(*st, b->n + 2, x2);
	return TB_OK;
}

/* Runs sql (binds b, then extra more integers) and appends each row's
 * item (summary, version, state) to out, counting them in *n. */
static enum tb_err list_rows(struct tb_conn *c, const char *sql, const struct binds *b, int extra,
                             int64_t x1, int64_t x2, struct tb_buf *out, int *n)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = prepare(c, sql, b, extra, x1, x2, &st);
	if (e != TB_OK)
		return e;
	while ((e = tb_stmt_step(st, &row)) == TB_OK && row) {
		if ((*n)++)
			tb_buf_adds(out, ",");
		const char *doc = tb_stmt_text(st, 0);
		tb_buf_printf(out, "{\"version\":%lld,\"state\":\"%s\",",
		              (long long)tb_stmt_int(st, 1), tb_stmt_text(st, 2));
		tb_buf_adds(out, doc[0] == '{' ? doc + 1 : "}");
	}
	tb_stmt_reset(st);
	return e;
}

/* The first integer column of sql's first row (binds b, then one more
 * integer). */
static enum tb_err count_rows(struct tb_conn *c, const char *sql, const struct binds *b, int64_t x,
                              int64_t *out)
{
	struct tb_stmt *st;
	bool row;
	*out = 0;
	enum tb_err e = prepare(c, sql, b, 1, x, 0, &st);
	if (e != TB_OK)
		return e;
	e = tb_stmt_step(st, &row);
	if (e == TB_OK && row)
		*out = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	return e;
}

struct doc_rank {
	int64_t id;
	long score;
};

static int by_score(const void *x, const void *y)
{
	const struct doc_rank *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The search documents matching q (at most DOC_CAP), best first. */
static enum tb_err rank_docs(struct tb_conn *c, bool pg, const struct tb_item_query *q,
                             struct tb_arena *a, struct doc_rank **out, int *n)
{
	*n = 0;
	struct expand_ctx x = {.c = c, .a = a};
	struct tb_buf fts = TB_BUF_INIT, tsq = TB_BUF_INIT, like = TB_BUF_INIT;
	enum tb_err e = TB_OK;
	if (!tb_terms_query_ex(q->q, expand, &x, &fts, &tsq, &like))
		goto done; /* nothing searchable: no match */
	struct tb_rank_query rq;
	tb_rank_parse(q->q, expand, &x, a, &rq);
	const char *sql = like.len ? "SELECT id, name, terms FROM search_docs"
	                             " WHERE name LIKE ? LIMIT " TB_STR(DOC_CAP)
	                  : pg
	                      ? "SELECT id, name, terms FROM search_docs"
	                        " WHERE terms_vec @@ to_tsquery('simple', ?) LIMIT " TB_STR(DOC_CAP)
	                      : "SELECT d.id, d.name, d.terms FROM"
	                        " search_docs_fts f JOIN search_docs d ON d.id = f.rowid"
	                        " WHERE search_docs_fts MATCH ? LIMIT " TB_STR(DOC_CAP);
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, sql, "s", like.len ? like.data : pg ? tsq.data : fts.data);
	struct doc_rank *docs = tb_arena_alloc(a, DOC_CAP * sizeof(*docs));
	while (e == TB_OK && row && *n < DOC_CAP) {
		struct tb_rank_doc d = {.name = tb_stmt_text(st, 1), .terms = tb_stmt_text(st, 2)};
		docs[*n].id = tb_stmt_int(st, 0);
		docs[(*n)++].score = tb_rank_score(&rq, &d, a);
		e = tb_stmt_step(st, &row);
	}
	if (e == TB_OK)
		tb_stmt_reset(st);
	qsort(docs, (size_t)*n, sizeof(*docs), by_score);
	*out = docs;
done:
	tb_buf_free(&fts);
	tb_buf_free(&tsq);
	tb_buf_free(&like);
	return e;
}

struct scoped_row {
	int64_t id;
	int rank; /* the document's place in the ranking */
	const char *region;
};

static int by_rank(const void *x, const void *y)
{
	const struct scoped_row *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	int r = strcmp(a->region, b->region);
	return r ? r : (a->id < b->id ? -1 : a->id > b->id);
}

/* A keyword search: rank the documents, then list their items in that
 * order (each document's items by region, then as added). */
static enum tb_err ranked(struct tb_conn *c, bool pg, const struct tb_item_query *q,
                          const char *day, struct tb_arena *a, struct tb_buf *out, int64_t *total)
{
	struct doc_rank *docs = NULL;
	int ndocs = 0;
	enum tb_err e = rank_docs(c, pg, q, a, &docs, &ndocs);
	if (e != TB_OK || ndocs == 0)
		return e;
	/* A county's, a township's or a department's items are few: rank them
	 * all. A province's or the whole catalog's: walk the documents. */
	bool scoped = q->department_id || (q->region_prefix && strlen(q->region_prefix) > 6);
	struct tb_buf where = TB_BUF_INIT;
	struct binds b = {.n = 0};
	filters(q, day, !pg, !pg && !scoped, a, &where, &b);
	int shown = 0;
	int64_t first = (int64_t)(q->page - 1) * q->per_page;
	/* The document ids in rank order, as one parameter. */
	int64_t *ids = tb_arena_alloc(a, (size_t)ndocs * sizeof(*ids));
	for (int k = 0; k < ndocs; k++)
		ids[k] = docs[k].id;
	const char *in;
	char *list = tb_conn_int_list(c, ids, (size_t)ndocs, &in);
	if (scoped) {
		/* +: SQLite is not to read the scope's rows through the
		 * documents' index. */
		tb_buf_printf(&where, " AND %si.search_doc %s", pg ? "" : "+", in);
		bind_s(&b, list);
		char *sql = tb_arena_printf(a,
		                            "SELECT i.id, i.search_doc, i.region FROM items i%s"
		                            " LIMIT " TB_STR(SCOPE_CAP),
		                            where.data);
		struct tb_stmt *st;
		bool row;
		e = tb_conn_prepare(c, sql, &st);
		struct scoped_row *rows = tb_arena_alloc(a, SCOPE_CAP * sizeof(*rows));
		int n = 0;
		if (e == TB_OK) {
			apply(st, &b);
			while ((e = tb_stmt_step(st, &row)) == TB_OK && row && n < SCOPE_CAP) {
				int64_t doc = tb_stmt_int(st, 1);
				int k = 0;
				while (k < ndocs && docs[k].id != doc)
					k++;
				rows[n].id = tb_stmt_int(st, 0);
				rows[n].rank = k;
				rows[n++].region = tb_arena_strdup(a, tb_stmt_text(st, 2));
			}
			tb_stmt_reset(st);
		}
		qsort(rows, (size_t)n, sizeof(*rows), by_rank);
		*total = n > COUNT_CAP ? COUNT_CAP + 1 : n;
		struct binds one = {.n = 0};
		for (int64_t k = first; e == TB_OK && k < n && k < first + q->per_page; k++)
			e = list_rows(
			    c,
			    "SELECT d.summary, i.version, i.state FROM items i JOIN item_docs"
			    " d ON d.item_id = i.id WHERE i.id = ?",
			    &one, 1, rows[k].id, 0, out, &shown);
	} else {
		/* The total: every item of the matching documents, up to the cap. */
		struct binds all = b;
		bind_s(&all, list);
		char *count_sql = tb_arena_printf(
		    a,
		    "SELECT COUNT(*) FROM (SELECT 1 FROM items i%s AND i.search_doc %s LIMIT ?) n",
		    where.data, in);
		e = count_rows(c, count_sql, &all, COUNT_CAP + 1, total);
		/* Then the page: each document's items in turn, skipping whole
		 * documents before the page's first row. */
		bind_i(&b, 0);
		int doc_param = b.n - 1;
		char *doc_count = tb_arena_printf(
		    a,
		    "SELECT COUNT(*) FROM (SELECT 1 FROM items i%s AND i.search_doc = ? LIMIT ?) n",
		    where.data);
		char *doc_page = tb_arena_printf(
		    a,
		    "SELECT d.summary, i.version, i.state FROM items i JOIN item_docs d ON"
		    " d.item_id = i.id%s AND i.search_doc = ? ORDER BY i.region, i.id LIMIT ? "
		    "OFFSET ?",
		    where.data);
		int64_t skip = first;
		for (int k = 0; e == TB_OK && *total > first && k < ndocs && shown < q->per_page;
		     k++) {
			b.i[doc_param] = docs[k].id;
			if (skip > 0) {
				int64_t here;
				e = count_rows(c, doc_count, &b, skip + 1, &here);
				if (e != TB_OK || here <= skip) {
					skip -= here;
					continue;
				}
			}
			e = list_rows(c, doc_page, &b, 2, q->per_page - shown, skip, out, &shown);
			skip = 0;
		}
	}
	tb_buf_free(&where);
	free(list);
	return e;
}

enum tb_err tb_item_search(struct tb_store *s, const struct tb_item_query *q, struct tb_arena *a,
                           const char **text, int64_t *total)
{
	*text = NULL;
	*total = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	bool pg = tb_conn_kind(c) == TB_STORE_PG;
	char day[11];
	tb_date_format(tb_date_today(), day);
	struct tb_buf out = TB_BUF_INIT;
	tb_buf_adds(&out, "[");
	if (q->q) {
		e = ranked(c, pg, q, day, a, &out, total);
	} else {
		/* A list: by name. */
		struct tb_buf where = TB_BUF_INIT;
		struct binds b = {.n = 0};
		bool scoped = q->nregions || q->region_prefix || q->department_id || q->event;
		filters(q, day, scoped && !pg, false, a, &where, &b);
		char *count_sql = tb_arena_printf(
		    a, "SELECT COUNT(*) FROM (SELECT 1 FROM items i%s LIMIT ?) n", where.data);
		e = count_rows(c, count_sql, &b, COUNT_CAP + 1, total);
		char *list_sql = tb_arena_printf(
		    a,
		    "SELECT d.summary, i.version, i.state FROM items i JOIN item_docs d ON "
		    "d.item_id"
		    " = i.id%s ORDER BY i.name, i.implementation_code LIMIT ? OFFSET ?",
		    where.data);
		int shown = 0;
		if (e == TB_OK && *total > 0)
			e = list_rows(c, list_sql, &b, 2, q->per_page,
			              (int64_t)(q->page - 1) * q->per_page, &out, &shown);
		tb_buf_free(&where);
	}
	tb_buf_adds(&out, "]");
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_arena_strdup(a, out.data);
	tb_buf_free(&out);
	return e;
}

enum tb_err tb_item_events(struct tb_store *s, struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char day[11];
	tb_date_format(tb_date_today(), day);
	struct tb_stmt *st;
	bool row;
	/* Counted by the event index, not by reading every item. */
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT e.event, COUNT(*) FROM item_events e JOIN items i ON i.id ="
	    " e.item_id WHERE i.state = 'published' AND i.valid_from <= ? AND"
	    " (i.valid_to IS NULL OR i.valid_to >= ?) GROUP BY e.event ORDER BY e.event",
	    "ss", day, day);
	json_t *arr = json_array();
	while (e == TB_OK && row) {
		json_array_append_new(arr, json_pack("{s:s, s:I}", "event", tb_stmt_text(st, 0),
		                                     "items", (json_int_t)tb_stmt_int(st, 1)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	char *dump = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (e == TB_OK)
		*text = tb_arena_strdup(a, dump ? dump : "[]");
	free(dump);
	return e;
}
