/* The most used services: a GROUP BY over the recent cases (the index of
 * migration 015 answers it without reading a case row), joined to the
 * items published and in force today; the catalog's own list fills up
 * what the cases leave. One entry per basic item: the same service
 * implemented by several counties (个体工商户设立登记 of 西湖区, 上城区,
 * ...) is one service to a person choosing what to do. */
#include "popular/popular.h"

#include "base/buf.h"
#include "base/date.h"
#include "catalog/catalog.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POPULAR_MAX    50
/* Rows read per entry wanted: the implementations of one basic item that
 * are skipped (its less used ones) take rows too. */
#define ROWS_PER_ENTRY 4

/* The basic items already in the list. */
struct seen {
	const char *basic[POPULAR_MAX];
	int n;
};

static bool seen_add(struct seen *s, struct tb_arena *a, const char *basic)
{
	if (!basic)
		return false;
	for (int k = 0; k < s->n; k++)
		if (strcmp(s->basic[k], basic) == 0)
			return false;
	if (s->n < POPULAR_MAX)
		s->basic[s->n++] = tb_arena_strdup(a, basic);
	return true;
}

/* The region rule of the catalog lists as SQL over the cases' region: the
 * region or one of its ancestors, or a code in [lo, hi) (below it). */
static void region_where(struct tb_buf *b, const struct tb_popular_query *q, bool below)
{
	if (!q->nregions)
		return;
	tb_buf_adds(b, " AND (region IN (?, ?, ?, ?)");
	if (below)
		tb_buf_adds(b, " OR (region >= ? AND region < ?)");
	tb_buf_adds(b, ")");
}

/* Adds to out (a JSON array) the items of the catalog list for q's region
 * whose basic items are not in seen yet, up to q->limit entries in all. */
static enum tb_err fill_up(struct tb_store *s, const struct tb_popular_query *q, struct tb_arena *a,
                           struct seen *seen, json_t *out)
{
	struct tb_item_query iq = {.page = 1, .per_page = q->limit * ROWS_PER_ENTRY + seen->n};
	if (iq.per_page > 100)
		iq.per_page = 100;
	for (int k = 0; k < q->nregions; k++)
		iq.regions[iq.nregions++] = q->regions[k];
	if (q->nregions && q->prefix && *q->prefix)
		iq.region_prefix = tb_arena_printf(a, "%s%%", q->prefix);
	const char *list;
	int64_t total;
	enum tb_err e = tb_item_search(s, &iq, a, &list, &total);
	if (e != TB_OK)
		return e;
	json_t *items = json_loads(list, 0, NULL);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		if (json_array_size(out) >= (size_t)q->limit)
			break;
		if (!seen_add(seen, a, json_string_value(json_object_get(it, "basic_code"))))
			continue;
		/* "cases" first, as in the rows counted from the cases. */
		json_t *o = json_pack("{s:i}", "cases", 0);
		json_object_update(o, it);
		json_array_append_new(out, o);
	}
	json_decref(items);
	return TB_OK;
}

enum tb_err tb_popular_items(struct tb_store *s, const struct tb_popular_query *q,
                             struct tb_arena *a, const char **text)
{
	*text = NULL;
	if (q->limit < 1 || q->limit > POPULAR_MAX || q->nregions < 0 || q->nregions > 4)
		return TB_EINVAL;
	char day[11];
	tb_date_format(tb_date_today(), day);
	/* Below the region as a range, so that the index serves it:
	 * "3301" -> [3301, 3302). Codes are digits, so the last one plus one
	 * (':' after '9') still bounds them. */
	char lo[12] = "", hi[12] = "";
	bool below = q->prefix && *q->prefix && strlen(q->prefix) < sizeof(lo);
	if (below) {
		snprintf(lo, sizeof(lo), "%s", q->prefix);
		memcpy(hi, lo, sizeof(hi));
		hi[strlen(hi) - 1]++;
	}
	struct tb_buf sql = TB_BUF_INIT;
	tb_buf_adds(&sql, "SELECT d.summary, i.version, i.state, p.n, i.basic_code"
	                  " FROM (SELECT item_code, COUNT(*) AS n FROM cases"
	                  " WHERE submitted_at >= ?");
	region_where(&sql, q, below);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK) {
		tb_buf_free(&sql);
		return e;
	}
	/* The few items with cases drive the join: "+i.state" keeps SQLite
	 * from walking every published item by the state index instead. */
	tb_buf_printf(&sql,
	              " GROUP BY item_code) p"
	              " JOIN items i ON i.implementation_code = p.item_code"
	              " JOIN item_docs d ON d.item_id = i.id"
	              " WHERE %si.state = 'published' AND i.valid_from <= ?"
	              " AND (i.valid_to IS NULL OR i.valid_to >= ?)"
	              " ORDER BY p.n DESC, i.name, i.implementation_code LIMIT ?",
	              tb_conn_kind(c) == TB_STORE_PG ? "" : "+");
	struct tb_stmt *st;
	e = tb_conn_prepare(c, sql.data, &st);
	tb_buf_free(&sql);
	struct tb_buf out = TB_BUF_INIT;
	struct seen seen = {.n = 0};
	int n = 0;
	if (e == TB_OK) {
		int k = 1;
		tb_stmt_bind_int(st, k++, q->since);
		for (int r = 0; r < 4 && q->nregions; r++)
			tb_stmt_bind_text(st, k++,
			                  q->regions[r < q->nregions ? r : q->nregions - 1]);
		if (q->nregions && below) {
			tb_stmt_bind_text(st, k++, lo);
			tb_stmt_bind_text(st, k++, hi);
		}
		tb_stmt_bind_text(st, k++, day);
		tb_stmt_bind_text(st, k++, day);
		tb_stmt_bind_int(st, k, (int64_t)q->limit * ROWS_PER_ENTRY);
		bool row;
		while (n < q->limit && (e = tb_stmt_step(st, &row)) == TB_OK && row) {
			if (!seen_add(&seen, a, tb_stmt_text(st, 4)))
				continue;
			const char *item = tb_item_with_meta(
			    a, tb_stmt_text(st, 0), tb_stmt_int(st, 1), tb_stmt_text(st, 2));
			/* The item's summary with "cases" in front: {"cases":n,...}. */
			tb_buf_printf(&out, "%s{\"cases\":%lld,%s", n++ ? "," : "",
			              (long long)tb_stmt_int(st, 3), item + 1);
		}
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	char *arr = e == TB_OK ? tb_arena_printf(a, "[%s]", out.len ? out.data : "") : NULL;
	tb_buf_free(&out);
	if (e != TB_OK || n >= q->limit) {
		*text = arr;
		return e;
	}
	/* Too few items with cases: the catalog's order fills the rest. */
	json_t *list = json_loads(arr, 0, NULL);
	e = list ? fill_up(s, q, a, &seen, list) : TB_EINTERNAL;
	if (e == TB_OK) {
		char *dump = json_dumps(list, JSON_COMPACT);
		*text = tb_arena_strdup(a, dump ? dump : "[]");
		free(dump);
	}
	json_decref(list);
	return e;
}
