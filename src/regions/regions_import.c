/* The region importer: parses the four GB/T 2260 tables, checks every row
 * (digits, lengths, names, that each parent exists), resolves placeholder
 * second levels, then upserts all rows in one transaction in batches. */
#include "regions/regions.h"
#include "base/asset.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 64

struct row {
	char code[10];
	char parent[10];
	char *name;
	enum tb_region_level level;
	bool placeholder;
};

struct rows {
	struct row *v;
	size_t n, cap;
	char reason[160]; /* for tb_fail: the importer's own static storage */
};

/* Names that stand for "no real city level here". */
static bool placeholder_name(const char *name)
{
	static const char *const names[] = {"市辖区", "县", "省直辖县级行政区划",
	                                    "自治区直辖县级行政区划"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static bool digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static struct row *find(struct rows *rs, size_t n, const char *code)
{
	/* Only rows of earlier tables (the sorted first n) are looked up. */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rs->v[mid].code, code);
		if (c == 0)
			return &rs->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->code, ((const struct row *)b)->code);
}

static void add(struct rows *rs, const char *code, const char *name, enum tb_region_level lv,
                const char *parent, bool placeholder)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 4096;
		rs->v = tb_xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	struct row *r = &rs->v[rs->n++];
	snprintf(r->code, sizeof(r->code), "%s", code);
	snprintf(r->parent, sizeof(r->parent), "%s", parent);
	r->name = tb_xstrdup(name);
	r->level = lv;
	r->placeholder = placeholder;
}

static void free_rows(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].name);
	free(rs->v);
}

static enum tb_err bad(struct rows *rs, struct tb_fail *f, const char *file, int line,
                       const char *why)
{
	snprintf(rs->reason, sizeof(rs->reason), "%s line %d: %s", file, line, why);
	return tb_fail(f, TB_EINVAL, file, rs->reason);
}

/* Parses one table. level: what its rows are; code_len: digits in column 0;
 * parent_col: column holding the parent code (-1 for provinces). */
static enum tb_err parse(struct rows *rs, const char *file, const char *text, size_t len,
                         enum tb_region_level level, size_t code_len, int parent_col,
                         struct tb_fail *f)
{
	if (!text)
		return bad(rs, f, file, 0, "missing");
	struct tb_csv c;
	tb_csv_init(&c, text, len);
	bool broken;
	if (!tb_csv_next(&c, &broken) || strcmp(c.field[0], "code") != 0)
		return bad(rs, f, file, 1, "header must start with code");
	size_t first = rs->n;
	while (tb_csv_next(&c, &broken)) {
		if (broken || c.nfields < 2 || (parent_col >= 0 && c.nfields <= parent_col))
			return bad(rs, f, file, c.line, "malformed record");
		const char *code = c.field[0], *name = c.field[1];
		if (!digits(code, code_len))
			return bad(rs, f, file, c.line, "code has the wrong length or a non-digit");
		size_t nlen = strlen(name);
		if (nlen == 0 || nlen > 200 || !tb_utf8_is_line(name, nlen))
			return bad(rs, f, file, c.line, "name empty, too long or not clean UTF-8");
		char canon[10], parent[10] = "";
		tb_region_code_normalize(code, canon);
		bool ph = false;
		if (level == TB_REGION_CITY) {
			tb_region_code_normalize(c.field[2], parent);
			ph = placeholder_name(name);
		} else if (level == TB_REGION_COUNTY) {
			char city[10];
			tb_region_code_normalize(c.field[2], city);
			if (strcmp(city, canon) == 0)
				continue; /* a city without counties lists itself: same unit */
			struct row *cr = find(rs, first, city);
			if (cr && !cr->placeholder)
				memcpy(parent, city, sizeof(parent));
			else
				tb_region_code_normalize(c.field[3], parent);
		} else if (level == TB_REGION_TOWNSHIP) {
			tb_region_code_normalize(c.field[2], parent);
		}
		if (level != TB_REGION_PROVINCE && !find(rs, first, parent))
			return bad(rs, f, file, c.line, "parent code not found");
		add(rs, canon, name, level, parent, ph);
	}
	/* Parents of the next table are looked up by bsearch. No rows yet:
	 * no array either (qsort must not be given NULL). */
	if (rs->n)
		qsort(rs->v, rs->n, sizeof(*rs->v), row_cmp);
	for (size_t i = 1; i < rs->n; i++)
		if (strcmp(rs->v[i - 1].code, rs->v[i].code) == 0)
			return bad(rs, f, file, c.line, "a code appears twice");
	if (rs->n == first)
		return bad(rs, f, file, c.line, "no rows");
	return TB_OK;
}

static char *batch_sql(int n)
{
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_adds(&b, "INSERT INTO regions (code, name, level, parent, placeholder, retired,"
	                " updated_at) VALUES ");
	for (int i = 0; i < n; i++)
		tb_buf_adds(&b, i ? ", (?, ?, ?, ?, ?, 0, ?)" : "(?, ?, ?, ?, ?, 0, ?)");
	tb_buf_adds(&b, " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
	                " level = excluded.level, parent = excluded.parent,"
	                " placeholder = excluded.placeholder, retired = 0,"
	                " updated_at = excluded.updated_at");
	return tb_buf_take(&b);
}

static enum tb_err write_rows(struct tb_conn *c, const struct rows *rs, const char *now)
{
	enum tb_err e = tb_conn_run(c, NULL, "UPDATE regions SET retired = 1", "");
	char *full = batch_sql(BATCH);
	for (size_t i = 0; e == TB_OK && i < rs->n; i += BATCH) {
		size_t n = rs->n - i < BATCH ? rs->n - i : BATCH;
		char *sql = n == BATCH ? full : batch_sql((int)n);
		struct tb_stmt *st;
		e = tb_conn_prepare(c, sql, &st);
		for (size_t k = 0; e == TB_OK && k < n; k++) {
			const struct row *r = &rs->v[i + k];
			int base = (int)k * 6;
			tb_stmt_bind_text(st, base + 1, r->code);
			tb_stmt_bind_text(st, base + 2, r->name);
			tb_stmt_bind_text(st, base + 3, tb_region_level_name(r->level));
			tb_stmt_bind_text(st, base + 4, r->parent[0] ? r->parent : NULL);
			tb_stmt_bind_int(st, base + 5, r->placeholder);
			tb_stmt_bind_text(st, base + 6, now);
		}
		bool row;
		if (e == TB_OK) {
			e = tb_stmt_step(st, &row);
			tb_stmt_reset(st);
		}
		if (sql != full)
			free(sql);
	}
	free(full);
	return e;
}

enum tb_err tb_regions_import(struct tb_store *s, const struct tb_regions_source *src,
                              struct tb_regions_import_stats *stats, struct tb_fail *f)
{
	static _Thread_local char reason[160];
	struct rows rs = {0};
	if (stats)
		stats->upserted = stats->retired = 0;
	enum tb_err e = parse(&rs, "provinces.csv", src->provinces, src->provinces_len,
	                      TB_REGION_PROVINCE, 2, -1, f);
	if (e == TB_OK)
		e = parse(&rs, "cities.csv", src->cities, src->cities_len, TB_REGION_CITY, 4, 2, f);
	if (e == TB_OK)
		e = parse(&rs, "areas.csv", src->areas, src->areas_len, TB_REGION_COUNTY, 6, 3, f);
	if (e == TB_OK)
		e = parse(&rs, "streets.csv", src->streets, src->streets_len, TB_REGION_TOWNSHIP, 9,
		          2, f);
	if (e != TB_OK) {
		/* rs.reason dies with rs: copy it where f can point. */
		snprintf(reason, sizeof(reason), "%s", rs.reason);
		if (f)
			f->reason = reason;
		free_rows(&rs);
		return e;
	}

	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);

	struct tb_conn *c;
	e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		e = tb_conn_begin(c);
		if (e == TB_OK)
			e = write_rows(c, &rs, now);
		struct tb_stmt *st;
		bool row;
		if (e == TB_OK)
			e = tb_conn_query(c, &st, &row,
			                  "SELECT COUNT(*) FROM regions WHERE retired = 1", "");
		if (e == TB_OK) {
			if (stats) {
				stats->retired = row ? (long)tb_stmt_int(st, 0) : 0;
				stats->upserted = (long)rs.n;
			}
			tb_stmt_reset(st);
			e = tb_conn_commit(c);
		}
		tb_conn_rollback(c);
		tb_store_release(c);
	}
	free_rows(&rs);
	return e;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	struct tb_buf b = TB_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tb_buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return tb_buf_take(&b);
}

enum tb_err tb_regions_import_dir(struct tb_store *s, const char *dir,
                                  struct tb_regions_import_stats *stats, struct tb_fail *f)
{
	struct tb_regions_source src = {0};
	char *p = slurp(dir, "provinces.csv", &src.provinces_len);
	char *c = slurp(dir, "cities.csv", &src.cities_len);
	char *a = slurp(dir, "areas.csv", &src.areas_len);
	char *t = slurp(dir, "streets.csv", &src.streets_len);
	src.provinces = p;
	src.cities = c;
	src.areas = a;
	src.streets = t;
	enum tb_err e = tb_regions_import(s, &src, stats, f);
	free(p);
	free(c);
	free(a);
	free(t);
	return e;
}

enum tb_err tb_regions_seed(struct tb_store *s, bool *seeded)
{
	*seeded = false;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM regions", "");
	long have = (e == TB_OK && row) ? (long)tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK || have > 0)
		return e;

	const struct tb_asset *p = tb_asset_find("data/regions/provinces.csv");
	const struct tb_asset *ci = tb_asset_find("data/regions/cities.csv");
	const struct tb_asset *a = tb_asset_find("data/regions/areas.csv");
	const struct tb_asset *t = tb_asset_find("data/regions/streets.csv");
	if (!p || !ci || !a || !t)
		return TB_EINTERNAL;
	struct tb_regions_source src = {p->data, ci->data, a->data, t->data,
	                                p->size, ci->size, a->size, t->size};
	struct tb_regions_import_stats stats;
	struct tb_fail f = {0};
	e = tb_regions_import(s, &src, &stats, &f);
	if (e != TB_OK) {
		tb_log_error("regions", "built-in tables refused: %s", f.reason ? f.reason : "?");
		return e;
	}
	tb_log_info("regions", "loaded %ld built-in regions", stats.upserted);
	*seeded = true;
	return TB_OK;
}
