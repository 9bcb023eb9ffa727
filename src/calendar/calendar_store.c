/* Store glue of the working-day calendar (see calendar_store.h). The CSV
 * is validated by tb_calendar_parse_csv first, then written row by row. */
#include "calendar/calendar_store.h"
#include "base/asset.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"

#include <stdio.h>
#include <string.h>

enum tb_err tb_calendar_load(struct tb_store *s, struct tb_calendar **out)
{
	*out = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_calendar *cal = tb_calendar_new();
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT day, kind, name FROM calendar_days ORDER BY day",
	                  "");
	while (e == TB_OK && row) {
		int64_t day;
		const char *kind = tb_stmt_text(st, 1);
		if (tb_date_parse(tb_stmt_text(st, 0), &day))
			e = tb_calendar_set(cal, day,
			                    strcmp(kind, "workday") == 0 ? TB_DAY_WORKDAY
			                                                 : TB_DAY_HOLIDAY,
			                    tb_stmt_text(st, 2));
		if (e == TB_OK)
			e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK) {
		tb_calendar_free(cal);
		return e;
	}
	*out = cal;
	return TB_OK;
}

enum tb_err tb_calendar_import(struct tb_store *s, const char *csv, size_t len, int *rows,
                               struct tb_fail *f)
{
	if (rows)
		*rows = 0;
	/* Validation first: the parser checks every line and names a bad one. */
	static _Thread_local char field[64];
	struct tb_calendar *check = tb_calendar_new();
	enum tb_err e = tb_calendar_parse_csv(check, csv, len, f);
	if (e != TB_OK && f && f->field) {
		/* f->field lives in check: keep a copy past its free. */
		snprintf(field, sizeof(field), "%s", f->field);
		f->field = field;
	}
	tb_calendar_free(check);
	if (e != TB_OK)
		return e;

	struct tb_conn *c;
	e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_begin(c);
	struct tb_csv r;
	tb_csv_init(&r, csv, len);
	bool bad;
	int n = 0;
	tb_csv_next(&r, &bad); /* header */
	while (e == TB_OK && tb_csv_next(&r, &bad)) {
		if (r.nfields < 3)
			continue;
		e = tb_conn_run(c, NULL,
		                "INSERT INTO calendar_days (day, kind, name) VALUES (?, ?, ?)"
		                " ON CONFLICT (day) DO UPDATE SET kind = excluded.kind,"
		                " name = excluded.name",
		                "sss", r.field[0], r.field[1], r.field[2]);
		n++;
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e == TB_OK && rows)
		*rows = n;
	return e;
}

struct seed_ctx {
	struct tb_store *s;
	enum tb_err e;
	int rows;
};

static void seed_one(const struct tb_asset *a, void *arg)
{
	struct seed_ctx *sc = arg;
	if (sc->e != TB_OK || strstr(a->path, ".csv") == NULL)
		return;
	int n = 0;
	struct tb_fail f = {0};
	sc->e = tb_calendar_import(sc->s, a->data, a->size, &n, &f);
	if (sc->e != TB_OK)
		tb_log_error("calendar", "built-in %s refused: %s %s", a->path,
		             f.field ? f.field : "", f.reason ? f.reason : "");
	sc->rows += n;
}

enum tb_err tb_calendar_seed(struct tb_store *s, bool *seeded)
{
	*seeded = false;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM calendar_days", "");
	long have = (e == TB_OK && row) ? (long)tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK || have > 0)
		return e;
	struct seed_ctx sc = {s, TB_OK, 0};
	tb_asset_each("data/calendar/", seed_one, &sc);
	if (sc.e == TB_OK) {
		tb_log_info("calendar", "loaded %d built-in calendar days", sc.rows);
		*seeded = true;
	}
	return sc.e;
}

enum tb_err tb_calendar_year(struct tb_store *s, int year, struct tb_arena *arena,
                             struct tb_calendar_day **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char lo[16], hi[16];
	snprintf(lo, sizeof(lo), "%04d-01-01", year);
	snprintf(hi, sizeof(hi), "%04d-12-31", year);
	struct tb_stmt *st;
	bool row;
	size_t cap = 0;
	struct tb_calendar_day *v = NULL;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT day, kind, name FROM calendar_days WHERE day >= ? AND day <= ?"
	                  " ORDER BY day",
	                  "ss", lo, hi);
	while (e == TB_OK && row) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			struct tb_calendar_day *nv = tb_arena_alloc(arena, cap * sizeof(*nv));
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		struct tb_calendar_day *d = &v[(*n)++];
		snprintf(d->date, sizeof(d->date), "%s", tb_stmt_text(st, 0));
		d->kind = tb_arena_strdup(arena, tb_stmt_text(st, 1));
		d->name = tb_arena_strdup(arena, tb_stmt_text(st, 2));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		*n = 0;
	*out = v;
	return e;
}
