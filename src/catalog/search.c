/* Public catalog lists: filters become WHERE clauses (each distinct SQL is
 * prepared once per connection), the search text becomes the store's own
 * index query (FTS5 MATCH on SQLite, a tsquery on PostgreSQL) built from
 * terms only, so no operator a user types reaches the index. */
#include "base/buf.h"
#include "base/date.h"
#include "catalog/catalog.h"
#include "catalog/synonyms.h"
#include "catalog/terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BINDS 96

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
};

static const char *expand(const char *word, void *ctx)
{
	struct expand_ctx *x = ctx;
	return tb_synonyms_of_on(x->c, word, x->a);
}

/* Counts stop here: past it the answer says the total is at least this
 * (a broad keyword over a national catalog matches tens of thousands, and
 * nobody pages that far; counting them all would cost every search). */
#define COUNT_CAP 1000

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

	struct tb_buf where = TB_BUF_INIT, fts = TB_BUF_INIT, tsq = TB_BUF_INIT, like = TB_BUF_INIT;
	struct binds b = {.n = 0};
	bool empty = false, fts_join = false, doc_join = false;
	const char *order = " ORDER BY i.name, i.implementation_code";
	if (q->q) {
		struct expand_ctx x = {c, a};
		if (!tb_terms_query_ex(q->q, expand, &x, &fts, &tsq, &like))
			empty = true; /* nothing searchable: no match */
		else if (!like.len && !pg)
			fts_join = true;
	}
	bool scoped = q->nregions || q->region_prefix || q->department_id || q->event;
	bool narrow = q->q || scoped;
	if (fts_join && scoped) {
		/* A region or department holds few items: let its index drive and
		 * probe the text index per row instead. */
		fts_join = false;
	}
	/* "+i.state" keeps SQLite from walking the state index when a narrower
	 * one (region, department, the text index) should drive the query. */
	if (q->latest) {
		/* The catalog's managers: each code's newest version (the
		 * (implementation_code, version) key answers the subquery). */
		tb_buf_adds(&where, " WHERE i.version = (SELECT MAX(l.version) FROM items l"
		                    " WHERE l.implementation_code = i.implementation_code)");
	} else {
		tb_buf_printf(&where,
		              " WHERE %si.state = 'published' AND i.valid_from <= ?"
		              " AND (i.valid_to IS NULL OR i.valid_to >= ?)",
		              narrow && !pg ? "+" : "");
		bind_s(&b, day);
		bind_s(&b, day);
	}
	if (fts_join) {
		tb_buf_adds(&where, " AND items_fts MATCH ?");
		bind_s(&b, tb_arena_strdup(a, fts.data));
		order = " ORDER BY f.rowid";
	} else if (q->q && !empty && like.len) {
		/* One lone character: names only (a scan of the small rows). */
		tb_buf_adds(&where, " AND i.name LIKE ?");
		bind_s(&b, tb_arena_strdup(a, like.data));
		order = " ORDER BY i.id";
	} else if (q->q && !empty && scoped) {
		/* Few candidates (a region's or department's items): match each
		 * word's terms as a substring of the row's own term list, on both
		 * stores. Terms are letters and digits only, so the patterns hold
		 * no LIKE wildcards. */
		doc_join = true;
		/* Words are ANDed; a word's other names (synonyms) ORed inside
		 * it: `"a b" AND ("c" OR "d e")`. Terms are lower-case, so " AND "
		 * and " OR " only ever join. */
		const char *p = fts.data;
		while (p && *p) {
			const char *and = strstr(p, " AND ");
			const char *stop = and? and : p + strlen(p);
			tb_buf_adds(&where, " AND (");
			int alts = 0;
			/* Room is kept for the filters' own parameters (at most 16):
			 * past it a word's further names are left out. */
			for (const char *qt = p;
			     b.n < MAX_BINDS - 16 &&
			     (qt = memchr(qt, '"', (size_t)(stop - qt))) != NULL;) {
				const char *end = memchr(qt + 1, '"', (size_t)(stop - qt - 1));
				if (!end)
					break;
				tb_buf_adds(&where,
				            alts++ ? " OR d.search LIKE ?" : "d.search LIKE ?");
				bind_s(&b,
				       tb_arena_printf(a, "%%%.*s%%", (int)(end - qt - 1), qt + 1));
				qt = end + 1;
			}
			tb_buf_adds(&where, alts ? ")" : "1 = 1)");
			p = and? and+5 : NULL;
		}
	} else if (q->q && !empty) {
		tb_buf_adds(&where, " AND i.id IN (SELECT item_id FROM item_docs WHERE"
		                    " search_vec @@ to_tsquery('simple', ?))");
		bind_s(&b, tb_arena_strdup(a, tsq.data));
		order = " ORDER BY i.id";
	}
	if (q->nregions > 0 || q->region_prefix) {
		tb_buf_adds(&where, " AND (i.region IN (?, ?, ?, ?, ?)");
		for (int k = 0; k < 5; k++)
			bind_s(&b, q->nregions ? q->regions[k < q->nregions ? k : q->nregions - 1]
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
			tb_buf_adds(&where, " OR (i.region >= ? AND i.region < ?)");
			bind_s(&b, tb_arena_strdup(a, lo));
			bind_s(&b, tb_arena_strdup(a, hi));
		}
		tb_buf_adds(&where, ")");
	}
	if (q->department_id) {
		tb_buf_adds(&where, " AND i.department_id = ?");
		bind_i(&b, q->department_id);
	}
	if (q->item_type) {
		tb_buf_adds(&where, " AND i.item_type = ?");
		bind_s(&b, q->item_type);
	}
	if (q->service_object) {
		tb_buf_adds(&where, " AND i.service_objects LIKE ?");
		bind_s(&b, tb_arena_printf(a, "%%,%d,%%", q->service_object));
	}
	if (q->event) {
		tb_buf_adds(&where,
		            " AND i.id IN (SELECT item_id FROM item_events WHERE event = ?)");
		bind_s(&b, q->event);
	}
	if (q->online_depth) {
		tb_buf_adds(&where, " AND i.online_depth = ?");
		bind_i(&b, q->online_depth);
	}
	/* The text index drives a keyword search (CROSS JOIN fixes the order). */
	const char *from = fts_join   ? " FROM items_fts f CROSS JOIN items i ON i.id = f.rowid"
	                   : doc_join ? " FROM items i JOIN item_docs d ON d.item_id = i.id"
	                              : " FROM items i";

	struct tb_buf out = TB_BUF_INIT;
	tb_buf_adds(&out, "[");
	if (!empty) {
		char *count_sql =
		    tb_arena_printf(a, "SELECT COUNT(*) FROM (SELECT 1%s%s LIMIT %d) n", from,
		                    where.data, COUNT_CAP + 1);
		struct tb_stmt *st;
		bool row;
		e = tb_conn_prepare(c, count_sql, &st);
		if (e == TB_OK) {
			apply(st, &b);
			e = tb_stmt_step(st, &row);
			if (e == TB_OK && row)
				*total = tb_stmt_int(st, 0);
			tb_stmt_reset(st);
		}
		char *list_sql = tb_arena_printf(
		    a, "SELECT d.summary, i.version, i.state%s%s%s%s LIMIT ? OFFSET ?", from,
		    doc_join ? "" : " JOIN item_docs d ON d.item_id = i.id", where.data, order);
		if (e == TB_OK && *total > 0)
			e = tb_conn_prepare(c, list_sql, &st);
		if (e == TB_OK && *total > 0) {
			apply(st, &b);
			tb_stmt_bind_int(st, b.n + 1, q->per_page);
			tb_stmt_bind_int(st, b.n + 2, (int64_t)(q->page - 1) * q->per_page);
			int k = 0;
			while ((e = tb_stmt_step(st, &row)) == TB_OK && row) {
				if (k++)
					tb_buf_adds(&out, ",");
				tb_buf_adds(&out, tb_item_with_meta(a, tb_stmt_text(st, 0),
				                                    tb_stmt_int(st, 1),
				                                    tb_stmt_text(st, 2)));
			}
			tb_stmt_reset(st);
		}
	}
	tb_buf_adds(&out, "]");
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_arena_strdup(a, out.data);
	tb_buf_free(&out);
	tb_buf_free(&where);
	tb_buf_free(&fts);
	tb_buf_free(&tsq);
	tb_buf_free(&like);
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
