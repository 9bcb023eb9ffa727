/* Indicators (see indicators.h): the counting done inside the writes, the
 * read of a region and its children, and the rebuild from the cases. */
#include "cases/indicators.h"
#include "base/mem.h"
#include "base/asset.h"
#include "base/date.h"
#include "base/json.h"
#include "cases/row.h"
#include "regions/regions.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The day counters, in the order of their columns in indicator_days. */
enum { RECEIVED, MAT_REQUIRED, MAT_REUSED, COMPLETED, ON_TIME, RATED, GOOD, BAD, BAD_CLOSED, NV };

#define DAY_COLS                                                                                \
	"received, mat_required, mat_reused, completed, on_time, rated, rated_good, rated_bad," \
	" bad_closed"

/* The China (UTC+8) day of Unix time t, as the rebuild's SQL computes it. */
static void day_of(int64_t t, char out[11])
{
	tb_date_format((t + 8 * 3600) / 86400, out);
}

/* Adds v to the counters of (region, department, day). */
static enum tb_err bump_day(struct tb_conn *c, const char *region, int64_t dept, const char *day,
                            const int64_t v[NV])
{
#define DAY_UPDATE                                                               \
	" DO UPDATE SET received = indicator_days.received + excluded.received," \
	" mat_required = indicator_days.mat_required + excluded.mat_required,"   \
	" mat_reused = indicator_days.mat_reused + excluded.mat_reused,"         \
	" completed = indicator_days.completed + excluded.completed,"            \
	" on_time = indicator_days.on_time + excluded.on_time,"                  \
	" rated = indicator_days.rated + excluded.rated,"                        \
	" rated_good = indicator_days.rated_good + excluded.rated_good,"         \
	" rated_bad = indicator_days.rated_bad + excluded.rated_bad,"            \
	" bad_closed = indicator_days.bad_closed + excluded.bad_closed"
	/* PostgreSQL: the connection's own stripe of the row (migration 026),
	 * so that a department's transactions do not queue on one row lock. */
	struct tb_stmt *st;
	enum tb_err e = tb_conn_prepare(
	    c,
	    tb_conn_kind(c) == TB_STORE_PG
	        ? "INSERT INTO indicator_days (region, day, department_id, stripe, " DAY_COLS ")"
	          " VALUES (?, ?, ?, pg_backend_pid() % 16, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	          " ON CONFLICT (day, region, department_id, stripe)" DAY_UPDATE
	        : "INSERT INTO indicator_days (region, day, department_id, " DAY_COLS ")"
	          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	          " ON CONFLICT (day, region, department_id)" DAY_UPDATE,
	    &st);
	if (e != TB_OK)
		return e;
	tb_stmt_bind_text(st, 1, region);
	tb_stmt_bind_text(st, 2, day);
	tb_stmt_bind_int(st, 3, dept);
	for (int i = 0; i < NV; i++)
		tb_stmt_bind_int(st, 4 + i, v[i]);
	return tb_stmt_run_later(st, -1);
}

/* Adds n open cases of department dept due on due in region; a row that
 * reaches 0 goes. */
static enum tb_err bump_due(struct tb_conn *c, const char *region, int64_t dept, const char *due,
                            int64_t n)
{
	/* On PostgreSQL the connection's stripe (see bump_day): a case counted
	 * in one stripe may leave from another, which then goes below 0; the
	 * sum over the stripes is what is read. */
	bool pg = tb_conn_kind(c) == TB_STORE_PG;
	enum tb_err e = tb_conn_run_later(
	    c, -1,
	    pg ? "INSERT INTO indicator_due (region, due, department_id, stripe, cases)"
	         " VALUES (?, ?, ?, pg_backend_pid() % 16, ?)"
	         " ON CONFLICT (region, due, department_id, stripe)"
	         " DO UPDATE SET cases = indicator_due.cases + excluded.cases"
	       : "INSERT INTO indicator_due (region, due, department_id, cases)"
	         " VALUES (?, ?, ?, ?) ON CONFLICT (region, due, department_id)"
	         " DO UPDATE SET cases = indicator_due.cases + excluded.cases",
	    "ssii", region, due, dept, n);
	if (e == TB_OK && (n < 0 || pg))
		e = tb_conn_run_later(c, -1,
		                      "DELETE FROM indicator_due WHERE region = ? AND due = ? AND"
		                      " department_id = ? AND cases = 0",
		                      "ssi", region, due, dept);
	return e;
}

/* What one case row counts. The same rules are the rebuild's SQL
 * (migrations/014_indicator_departments.*.sql): keep them together. */
struct counted {
	char region[10];
	int64_t dept;
	char submitted[11]; /* day of the (first) submission, or "" */
	int64_t mat_required, mat_reused;
	char completed[11]; /* day it was completed, or "" (not accepted, withdrawn: not) */
	bool on_time;       /* completed on or before the promised deadline (or none promised) */
	char due[11];       /* promised deadline while in handling (accepted, not suspended) */
};

static void count_case(struct counted *k, const char *region, int64_t dept, int64_t submitted_at,
                       int64_t mat_required, int64_t mat_reused, const char *state,
                       int64_t finished_at, const char *promised_due, const char *queue_due,
                       const char *accepted_on, const char *suspended_on)
{
	memset(k, 0, sizeof(*k));
	tb_case_copy(k->region, sizeof(k->region), region);
	k->dept = dept;
	if (submitted_at) {
		day_of(submitted_at, k->submitted);
		k->mat_required = mat_required;
		k->mat_reused = mat_reused;
	}
	if (finished_at && strcmp(state, "not_accepted") && strcmp(state, "withdrawn")) {
		day_of(finished_at, k->completed);
		k->on_time =
		    !promised_due || !*promised_due || strcmp(promised_due, k->completed) >= 0;
	}
	if (queue_due && *queue_due && accepted_on && *accepted_on &&
	    !(suspended_on && *suspended_on))
		tb_case_copy(k->due, sizeof(k->due), queue_due);
}

struct delta {
	const char *region, *day;
	int64_t dept;
	int64_t v[NV];
};

/* Adds sign x what k counts to the list d (merged by region, department
 * and day). */
static void add_counted(struct delta *d, int *n, const struct counted *k, int sign)
{
	struct {
		const char *day;
		int64_t v[NV];
	} parts[2] = {{k->submitted, {0}}, {k->completed, {0}}};
	parts[0].v[RECEIVED] = 1;
	parts[0].v[MAT_REQUIRED] = k->mat_required;
	parts[0].v[MAT_REUSED] = k->mat_reused;
	parts[1].v[COMPLETED] = 1;
	parts[1].v[ON_TIME] = k->on_time;
	for (int p = 0; p < 2; p++) {
		if (!parts[p].day[0])
			continue;
		int i = 0;
		while (i < *n && (strcmp(d[i].day, parts[p].day) ||
		                  strcmp(d[i].region, k->region) || d[i].dept != k->dept))
			i++;
		if (i == *n) {
			memset(&d[i], 0, sizeof(d[i]));
			d[i].region = k->region;
			d[i].dept = k->dept;
			d[i].day = parts[p].day;
			(*n)++;
		}
		for (int j = 0; j < NV; j++)
			d[i].v[j] += sign * parts[p].v[j];
	}
}

static int by_day(const void *x, const void *y)
{
	const struct delta *a = x, *b = y;
	int c = strcmp(a->day, b->day);
	if (!c)
		c = strcmp(a->region, b->region);
	return c ? c : (a->dept > b->dept) - (a->dept < b->dept);
}

enum tb_err tb_indicators_case_on(struct tb_conn *c, const struct row *stored, const struct row *r)
{
	enum tb_err e = TB_OK;
	struct counted was, now;
	count_case(&was, stored->region, stored->department, stored->submitted_at,
	           stored->mat_required,
	           stored->mat_certificate + stored->mat_library + stored->mat_sharing,
	           stored->state, stored->finished_at, stored->promised_due, stored->queue_due,
	           stored->accepted_on, stored->suspended_on);
	count_case(&now, r->region, r->department, r->submitted_at, r->mat_required,
	           r->mat_certificate + r->mat_library + r->mat_sharing, r->state, r->finished_at,
	           r->promised_due, r->queue_due, r->accepted_on, r->suspended_on);
	struct delta d[4];
	int n = 0;
	add_counted(d, &n, &was, -1);
	add_counted(d, &n, &now, +1);
	/* Rows are locked in one order (day, region, department) by every writer. On
	 * PostgreSQL, the row of today is taken even when nothing changes, so
	 * that a transaction that changes it later (an immediate item completes
	 * after its acceptance was audited) already holds it. */
	char today[11];
	day_of((int64_t)time(NULL), today);
	if (tb_conn_kind(c) == TB_STORE_PG && n < 4) {
		int i = 0;
		while (i < n && (strcmp(d[i].day, today) || strcmp(d[i].region, now.region) ||
		                 d[i].dept != now.dept))
			i++;
		if (i == n) {
			memset(&d[n], 0, sizeof(d[n]));
			d[n].region = now.region;
			d[n].dept = now.dept;
			d[n++].day = today;
		}
	}
	qsort(d, (size_t)n, sizeof(d[0]), by_day);
	for (int i = 0; e == TB_OK && i < n; i++) {
		bool zero = true;
		for (int j = 0; j < NV; j++)
			zero &= d[i].v[j] == 0;
		if (!zero || tb_conn_kind(c) == TB_STORE_PG)
			e = bump_day(c, d[i].region, d[i].dept, d[i].day, d[i].v);
	}
	if (e == TB_OK &&
	    (strcmp(was.due, now.due) || strcmp(was.region, now.region) || was.dept != now.dept)) {
		if (was.due[0])
			e = bump_due(c, was.region, was.dept, was.due, -1);
		if (e == TB_OK && now.due[0])
			e = bump_due(c, now.region, now.dept, now.due, +1);
	}
	return e;
}

enum tb_err tb_indicators_rating_on(struct tb_conn *c, const char *region, int64_t dept, int score,
                                    int64_t at)
{
	char day[11];
	day_of(at, day);
	int64_t v[NV] = {0};
	v[RATED] = 1;
	v[GOOD] = score <= 2;
	v[BAD] = score >= 4;
	return bump_day(c, region, dept, day, v);
}

enum tb_err tb_indicators_followup_on(struct tb_conn *c, int64_t followup)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT r.region, r.created_at, r.score, r.department_id FROM"
	                              " followups f JOIN"
	                              " ratings r ON r.id = f.rating_id WHERE f.id = ?",
	                              "i", followup);
	char region[10] = "", day[11] = "";
	int64_t dept = 0;
	bool bad = false;
	if (e == TB_OK && row) {
		tb_case_copy(region, sizeof(region), tb_stmt_text(st, 0));
		day_of(tb_stmt_int(st, 1), day);
		bad = tb_stmt_int(st, 2) >= 4;
		dept = tb_stmt_int(st, 3);
	}
	tb_stmt_reset(st);
	int64_t v[NV] = {0};
	v[BAD_CLOSED] = 1;
	return e == TB_OK && bad ? bump_day(c, region, dept, day, v) : e;
}

/* ---- reading ------------------------------------------------------------ */

struct tally {
	int64_t items, online, visits, overdue;
	int64_t v[NV];
};

struct dept_tally {
	int64_t id;
	struct tally t;
};

/* The regions answered: [0] the region asked for, then its children; and
 * when asked for (by_dept), the departments with anything in the region. */
struct answer {
	size_t n;
	struct tally *t;
	char (*prefix)[10];
	bool by_dept;
	size_t nd, cap;
	struct dept_tally *d; /* malloc'd */
	bool oom;
};

/* The tally of department id in ans (added when new), or NULL (no memory). */
static struct tally *dept_tally(struct answer *ans, int64_t id)
{
	for (size_t i = 0; i < ans->nd; i++)
		if (ans->d[i].id == id)
			return &ans->d[i].t;
	if (ans->nd == ans->cap) {
		size_t cap = ans->cap ? 2 * ans->cap : 16;
		struct dept_tally *d = realloc(ans->d, cap * sizeof(*d));
		if (!d)
			return NULL;
		ans->d = d;
		ans->cap = cap;
	}
	memset(&ans->d[ans->nd], 0, sizeof(ans->d[0]));
	ans->d[ans->nd].id = id;
	return &ans->d[ans->nd++].t;
}

/* Adds to every entry of ans that covers region (and to department dept's
 * when departments are asked for) the values add does. */
static void credit(struct answer *ans, const char *region, int64_t dept,
                   void (*add)(struct tally *, void *), void *arg)
{
	add(&ans->t[0], arg);
	for (size_t i = 1; i < ans->n; i++)
		if (strncmp(region, ans->prefix[i], strlen(ans->prefix[i])) == 0) {
			add(&ans->t[i], arg);
			break;
		}
	if (ans->by_dept) {
		struct tally *t = dept_tally(ans, dept);
		if (t)
			add(t, arg);
		else
			ans->oom = true;
	}
}

static int by_id(const void *x, const void *y)
{
	const struct dept_tally *a = x, *b = y;
	return (a->id > b->id) - (a->id < b->id);
}

static void add_items(struct tally *t, void *arg)
{
	const int64_t *x = arg;
	t->items += x[0];
	t->online += x[1];
	t->visits += x[2];
}

static void add_days(struct tally *t, void *arg)
{
	const int64_t *x = arg;
	for (int j = 0; j < NV; j++)
		t->v[j] += x[j];
}

static void add_overdue(struct tally *t, void *arg)
{
	t->overdue += *(const int64_t *)arg;
}

static json_t *rate(int64_t n, int64_t d)
{
	return d ? json_real((double)n / (double)d) : json_null();
}

static json_t *tally_json(const char *region, const char *name, const char *from, const char *to,
                          const struct tally *t)
{
	json_t *j = json_object();
	json_object_set_new(j, "region", json_string(region));
	json_object_set_new(j, "name", json_string(name));
	json_object_set_new(j, "from", json_string(from));
	json_object_set_new(j, "to", json_string(to));
	json_object_set_new(j, "items_published", json_integer(t->items));
	json_object_set_new(j, "online_rate", rate(t->online, t->items));
	json_object_set_new(j, "avg_visits", rate(t->visits, t->items));
	json_object_set_new(j, "cases_received", json_integer(t->v[RECEIVED]));
	json_object_set_new(j, "cases_completed", json_integer(t->v[COMPLETED]));
	json_object_set_new(j, "on_time_rate", rate(t->v[ON_TIME], t->v[COMPLETED]));
	json_object_set_new(j, "overdue", json_integer(t->overdue));
	json_object_set_new(j, "reuse_rate", rate(t->v[MAT_REUSED], t->v[MAT_REQUIRED]));
	json_object_set_new(j, "good_rating_rate", rate(t->v[GOOD], t->v[RATED]));
	json_object_set_new(j, "followup_rate", rate(t->v[BAD_CLOSED], t->v[BAD]));
	return j;
}

/* Items in force change only when the catalog does (or at midnight), and
 * counting them reads every published item of the region from the index:
 * for the whole country at 1,200,000 items, hundreds of milliseconds per
 * request (make bench-pg). So each process keeps a region's counts of
 * the day for a minute; a publication shows in the figures within it. */
#define ITEMS_TTL_S 60
#define ITEMS_SLOTS 16

struct items_row {
	char region[10];
	int64_t dept, x[3]; /* items, online (depth III-IV), required visits */
};

static struct {
	char lo[10], today[11];
	int64_t at;
	size_t n;
	struct items_row *rows;
} items_cache[ITEMS_SLOTS];
static pthread_mutex_t items_mu = PTHREAD_MUTEX_INITIALIZER;

/* A malloc'd copy of the cached counts of (lo, today), or NULL. */
static struct items_row *items_cached(const char *lo, const char *today, int64_t now, size_t *n)
{
	struct items_row *out = NULL;
	pthread_mutex_lock(&items_mu);
	for (int i = 0; i < ITEMS_SLOTS && !out; i++)
		if (items_cache[i].rows && !strcmp(items_cache[i].lo, lo) &&
		    !strcmp(items_cache[i].today, today) && now - items_cache[i].at < ITEMS_TTL_S) {
			*n = items_cache[i].n;
			out = tb_xmalloc((*n ? *n : 1) * sizeof(*out));
			memcpy(out, items_cache[i].rows, *n * sizeof(*out));
		}
	pthread_mutex_unlock(&items_mu);
	return out;
}

/* Keeps a copy of rows as the counts of (lo, today), in the oldest slot. */
static void items_keep(const char *lo, const char *today, int64_t now, const struct items_row *rows,
                       size_t n)
{
	struct items_row *copy = tb_xmalloc((n ? n : 1) * sizeof(*copy));
	memcpy(copy, rows, n * sizeof(*copy));
	pthread_mutex_lock(&items_mu);
	int slot = 0;
	for (int i = 0; i < ITEMS_SLOTS; i++) {
		if (items_cache[i].rows && !strcmp(items_cache[i].lo, lo)) {
			slot = i;
			break;
		}
		if (items_cache[i].at < items_cache[slot].at)
			slot = i;
	}
	free(items_cache[slot].rows);
	snprintf(items_cache[slot].lo, sizeof(items_cache[slot].lo), "%s", lo);
	snprintf(items_cache[slot].today, sizeof(items_cache[slot].today), "%s", today);
	items_cache[slot].at = now;
	items_cache[slot].n = n;
	items_cache[slot].rows = copy;
	pthread_mutex_unlock(&items_mu);
}

/* The items in force today per region and department under lo..hi, from
 * the covering index items_indicators or the cache: *rows malloc'd. */
static enum tb_err items_in_force(struct tb_conn *c, const char *lo, const char *hi,
                                  const char *today, struct items_row **rows, size_t *n)
{
	int64_t now = (int64_t)time(NULL);
	if ((*rows = items_cached(lo, today, now, n)))
		return TB_OK;
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT region, department_id, COUNT(*), SUM(CASE WHEN online_depth >= 3"
	                  " THEN 1 ELSE 0 END), SUM(required_visits) FROM items WHERE state ="
	                  " 'published' AND region >= ? AND region < ? AND valid_from <= ? AND"
	                  " (valid_to IS NULL OR valid_to >= ?) GROUP BY region, department_id",
	                  "ssss", lo, hi, today, today);
	size_t k = 0, cap = 64;
	struct items_row *v = tb_xmalloc(cap * sizeof(*v));
	while (e == TB_OK && row) {
		if (k == cap)
			v = tb_xrealloc(v, (cap *= 2) * sizeof(*v));
		snprintf(v[k].region, sizeof(v[k].region), "%s", tb_stmt_text(st, 0));
		v[k].dept = tb_stmt_int(st, 1);
		for (int j = 0; j < 3; j++)
			v[k].x[j] = tb_stmt_int(st, 2 + j);
		k++;
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	if (e != TB_OK) {
		free(v);
		return e;
	}
	items_keep(lo, today, now, v, k);
	*rows = v;
	*n = k;
	return TB_OK;
}

enum tb_err tb_indicators_read(struct tb_store *s, const struct tb_regions *regions,
                               const char *region, const char *name, int64_t from, int64_t to,
                               bool departments, struct tb_arena *a, const char **text)
{
	*text = NULL;
	const struct tb_region *self =
	    strcmp(region, "000000") ? tb_regions_find(regions, region) : NULL;
	const struct tb_region *const *kids;
	size_t nk = tb_regions_children(regions, self, &kids);
	struct answer ans = {nk + 1,
	                     tb_arena_zalloc(a, (nk + 1) * sizeof(struct tally)),
	                     tb_arena_zalloc(a, (nk + 1) * sizeof(ans.prefix[0])),
	                     departments,
	                     0,
	                     0,
	                     NULL,
	                     false};
	tb_region_prefix(region, ans.prefix[0]);
	for (size_t i = 0; i < nk; i++)
		tb_region_prefix(kids[i]->code, ans.prefix[i + 1]);
	char lo[10], hi[12], today[11], d0[11], d1[11];
	snprintf(lo, sizeof(lo), "%s", ans.prefix[0]);
	snprintf(hi, sizeof(hi), "%s~", lo);
	tb_date_format(tb_date_today(), today);
	tb_date_format(from, d0);
	tb_date_format(to, d1);

	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* Items in force today. */
	struct items_row *items;
	size_t nitems = 0;
	e = items_in_force(c, lo, hi, today, &items, &nitems);
	for (size_t i = 0; e == TB_OK && i < nitems; i++)
		credit(&ans, items[i].region, items[i].dept, add_items, items[i].x);
	if (e == TB_OK)
		free(items);
	/* The period: one row per day, region and department that had anything. */
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT region, department_id, SUM(received), SUM(mat_required),"
		    " SUM(mat_reused), SUM(completed), SUM(on_time), SUM(rated),"
		    " SUM(rated_good), SUM(rated_bad), SUM(bad_closed) FROM indicator_days"
		    " WHERE day >= ? AND day <= ? AND region >= ? AND region < ? GROUP BY"
		    " region, department_id",
		    "ssss", d0, d1, lo, hi);
	while (e == TB_OK && row) {
		int64_t x[NV];
		for (int j = 0; j < NV; j++)
			x[j] = tb_stmt_int(st, 2 + j);
		credit(&ans, tb_stmt_text(st, 0), tb_stmt_int(st, 1), add_days, x);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	/* Overdue now: open cases in handling due before today. */
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT region, department_id, SUM(cases) FROM indicator_due WHERE"
		    " region >= ? AND region < ? AND due < ? GROUP BY region, department_id",
		    "sss", lo, hi, today);
	while (e == TB_OK && row) {
		int64_t x = tb_stmt_int(st, 2);
		credit(&ans, tb_stmt_text(st, 0), tb_stmt_int(st, 1), add_overdue, &x);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	if (e == TB_OK && ans.oom)
		e = TB_EINTERNAL;
	/* Each department's figures within the region, by id, named. */
	json_t *depts = departments ? json_array() : NULL;
	if (ans.nd)
		qsort(ans.d, ans.nd, sizeof(ans.d[0]), by_id);
	/* Their names in one read: the departments of the region by id, walked
	 * beside the figures (sorted by id too). */
	char **names = ans.nd ? tb_xcalloc(ans.nd, sizeof(*names)) : NULL;
	if (e == TB_OK && ans.nd) {
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT id, name FROM departments WHERE region >= ? AND region < ?"
		    " ORDER BY id",
		    "ss", lo, hi);
		for (size_t i = 0; e == TB_OK && row; e = tb_stmt_step(st, &row)) {
			int64_t id = tb_stmt_int(st, 0);
			while (i < ans.nd && ans.d[i].id < id)
				i++;
			if (i < ans.nd && ans.d[i].id == id)
				names[i] = tb_xstrdup(tb_stmt_text(st, 1));
		}
		tb_stmt_reset(st);
	}
	for (size_t i = 0; e == TB_OK && i < ans.nd; i++) {
		json_t *k = tally_json(region, names[i] ? names[i] : "", d0, d1, &ans.d[i].t);
		json_object_set_new(k, "department_id", json_integer(ans.d[i].id));
		json_array_append_new(depts, k);
	}
	for (size_t i = 0; i < ans.nd; i++)
		free(names[i]);
	free(names);
	free(ans.d);
	tb_store_release(c);
	if (e != TB_OK) {
		json_decref(depts);
		return e;
	}
	json_t *j = tally_json(region, name, d0, d1, &ans.t[0]);
	json_t *children = json_array();
	for (size_t i = 0; i < nk; i++)
		json_array_append_new(
		    children, tally_json(kids[i]->code, kids[i]->name, d0, d1, &ans.t[i + 1]));
	json_object_set_new(j, "children", children);
	if (depts)
		json_object_set_new(j, "departments", depts);
	*text = tb_json_take(j, a);
	return TB_OK;
}

/* ---- rebuilding ------------------------------------------------------- */

static enum tb_err count_rows(struct tb_conn *c, const char *sql, int64_t *n)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row, sql, "");
	if (e == TB_OK && n)
		*n = row ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_indicators_rebuild(struct tb_store *s, int64_t *days, int64_t *due)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	/* The migration's own filling statements: one text of the rules per
	 * store, written once. */
	const struct tb_asset *m =
	    tb_asset_find(tb_conn_kind(c) == TB_STORE_PG
	                      ? "src/store/migrations/014_indicator_departments.pg.sql"
	                      : "src/store/migrations/014_indicator_departments.sqlite.sql");
	const char *sql = m ? strstr(m->data, "-- rebuild:") : NULL;
	e = sql ? tb_conn_begin(c) : TB_ESTORE;
	if (e == TB_OK)
		e = tb_conn_exec(c, sql);
	if (e == TB_OK)
		e = count_rows(c, "SELECT COUNT(*) FROM indicator_days", days);
	if (e == TB_OK)
		e = count_rows(c, "SELECT COUNT(*) FROM indicator_due", due);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}
