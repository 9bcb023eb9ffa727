/* GET /api/v1/indicators over HTTP against the real binary with --demo,
 * on SQLite and on PostgreSQL. Cases are driven through submit, accept,
 * review, approve and complete: one on time (accepted today), one late
 * and one left open past its deadline (both accepted by a server whose
 * TB_TODAY is three weeks back), a bad rating whose follow-up is closed
 * and a good one. Every figure of the county, its city and the province
 * (and of each child of the city) must equal what a scan of the cases,
 * ratings and items in the store gives, the scripted cases must move them
 * by exactly what they did, the answers must survive `tongban indicators
 * rebuild` unchanged, and bad parameters are refused by name. With
 * departments=true, each department's figures within the region must equal
 * the scan of its own rows there, and the departments add up to the region. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/date.h"
#include "store/store.h"

#define ITEM "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */
#define DEPT "杭州市西湖区市场监督管理局" /* ITEM's department */

static struct test_srv srv;
static const char *db_url;
static char db[512], data_dir[256];
static struct test_session zhang, reviewer, approver;
static char today[11];

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static void login_all(void)
{
	assert_int_equal(test_login(&srv, "33010619900101123X", "tongban-demo", &zhang), 200);
	assert_int_equal(test_login(&srv, "330106198707072021", "tongban-demo", &reviewer), 200);
	assert_int_equal(test_login(&srv, "330106198606063011", "tongban-demo", &approver), 200);
}

/* (Re)starts the server on the same store and data folder (keys). */
static void restart(const char *pinned)
{
	srv_stop(&srv);
	if (pinned)
		setenv("TB_TODAY", pinned, 1);
	srv_start(&srv, db, "--data", data_dir, NULL);
	unsetenv("TB_TODAY");
	login_all();
}

static void event(const struct test_session *s, const char *no, const char *body, const char *want)
{
	char p[200];
	snprintf(p, sizeof(p), "/api/v1/cases/%s/events", no);
	json_t *j = call(s, "POST", p, body, 200);
	assert_string_equal(test_str(j, "state"), want);
	json_decref(j);
}

/* A submitted case of zhang: two materials uploaded, the identity card
 * from his library (a required material given without an upload). */
static void submitted(char no[64])
{
	json_t *j = call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 201);
	snprintf(no, 64, "%s", test_str(j, "case_no"));
	json_decref(j);
	static const char *const names[] = {"个体工商户登记（备案）申请书", "经营场所使用相关证明"};
	for (int i = 0; i < 2; i++) {
		char *body = NULL;
		long st = test_upload(&srv, &zhang, no, names[i], "m.pdf", test_pdf, test_pdf_len,
		                      NULL, &body);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", names[i], st, body);
		free(body);
	}
	char p[200];
	snprintf(p, sizeof(p), "/api/v1/cases/%s/submit", no);
	json_decref(call(&zhang, "POST", p, NULL, 200));
}

static void complete(const char *no, const char *holder)
{
	event(&reviewer, no, "{\"event\":\"review\"}", "under_review");
	event(&approver, no, "{\"event\":\"approve\",\"opinion\":\"准予登记\"}", "approved");
	char body[400];
	snprintf(body, sizeof(body),
	         "{\"event\":\"complete\",\"certificate\":{\"holder\":{\"code\":\"%s\",\"name\":"
	         "\"西湖测试小店\"},\"face\":{\"entity_type\":\"个体工商户\",\"address\":"
	         "\"文三路1号\",\"business_scope\":\"百货\"}}}",
	         holder);
	event(&approver, no, body, "completed");
}

/* ---- the figures by scanning the store ----------------------------------- */

struct figures {
	long items, online, visits, received, mat_required, mat_reused, completed, on_time, overdue,
	    rated, good, bad, closed;
};

static void day_of(int64_t t, char out[11])
{
	tb_date_format((t + 8 * 3600) / 86400, out);
}

/* What the regions matching like count over [from, to], scanning rows:
 * those of department dept only, or of every department when dept is 0. */
static void scan_dept(const char *like, int64_t dept, const char *from, const char *to,
                      struct figures *x)
{
	memset(x, 0, sizeof(*x));
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(db_url, 1, &s, &f), TB_OK);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	char d[11];
	assert_int_equal(tb_conn_query(c, &st, &row,
	                               "SELECT online_depth, required_visits FROM items WHERE"
	                               " state = 'published' AND region LIKE ? AND valid_from <= ?"
	                               " AND (valid_to IS NULL OR valid_to >= ?) AND (? = 0 OR"
	                               " department_id = ?)",
	                               "sssii", like, today, today, dept, dept),
	                 TB_OK);
	for (; row; assert_int_equal(tb_stmt_step(st, &row), TB_OK)) {
		x->items++;
		x->online += tb_stmt_int(st, 0) >= 3;
		x->visits += tb_stmt_int(st, 1);
	}
	tb_stmt_reset(st);
	assert_int_equal(
	    tb_conn_query(c, &st, &row,
	                  "SELECT COALESCE(submitted_at, 0), mat_required, mat_certificate +"
	                  " mat_library + mat_sharing, COALESCE(finished_at, 0), state,"
	                  " promised_due, queue_due, accepted_on, suspended_on FROM cases WHERE"
	                  " region LIKE ? AND (? = 0 OR department_id = ?)",
	                  "sii", like, dept, dept),
	    TB_OK);
	for (; row; assert_int_equal(tb_stmt_step(st, &row), TB_OK)) {
		if (tb_stmt_int(st, 0)) {
			day_of(tb_stmt_int(st, 0), d);
			if (strcmp(d, from) >= 0 && strcmp(d, to) <= 0) {
				x->received++;
				x->mat_required += tb_stmt_int(st, 1);
				x->mat_reused += tb_stmt_int(st, 2);
			}
		}
		const char *state = tb_stmt_text(st, 4), *promised = tb_stmt_text(st, 5);
		if (tb_stmt_int(st, 3) && strcmp(state, "not_accepted") &&
		    strcmp(state, "withdrawn")) {
			day_of(tb_stmt_int(st, 3), d);
			if (strcmp(d, from) >= 0 && strcmp(d, to) <= 0) {
				x->completed++;
				x->on_time += !promised || strcmp(d, promised) <= 0;
			}
		}
		const char *due = tb_stmt_text(st, 6);
		x->overdue +=
		    due && tb_stmt_text(st, 7) && !tb_stmt_text(st, 8) && strcmp(due, today) < 0;
	}
	tb_stmt_reset(st);
	assert_int_equal(tb_conn_query(c, &st, &row,
	                               "SELECT r.created_at, r.score, f.state FROM ratings r LEFT"
	                               " JOIN followups f ON f.rating_id = r.id WHERE r.region"
	                               " LIKE ? AND (? = 0 OR r.department_id = ?)",
	                               "sii", like, dept, dept),
	                 TB_OK);
	for (; row; assert_int_equal(tb_stmt_step(st, &row), TB_OK)) {
		day_of(tb_stmt_int(st, 0), d);
		if (strcmp(d, from) < 0 || strcmp(d, to) > 0)
			continue;
		int64_t score = tb_stmt_int(st, 1);
		x->rated++;
		x->good += score <= 2;
		x->bad += score >= 4;
		x->closed +=
		    score >= 4 && tb_stmt_text(st, 2) && !strcmp(tb_stmt_text(st, 2), "done");
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	tb_store_close(s);
}

static void scan(const char *like, const char *from, const char *to, struct figures *x)
{
	scan_dept(like, 0, from, to, x);
}

static void expect_rate(const json_t *j, const char *key, long n, long d)
{
	json_t *v = json_object_get(j, key);
	if (d == 0) {
		if (!json_is_null(v))
			fail_msg("%s: expected null", key);
		return;
	}
	if (!json_is_number(v) || fabs(json_number_value(v) - (double)n / (double)d) > 1e-12)
		fail_msg("%s: %g, expected %ld/%ld", key, json_number_value(v), n, d);
}

static void expect_int(const json_t *j, const char *key, long want)
{
	json_t *v = json_object_get(j, key);
	if (!json_is_integer(v) || json_integer_value(v) != want)
		fail_msg("%s %s: %lld, expected %ld", test_str(j, "region"), key,
		         (long long)json_integer_value(v), want);
}

/* The figures of an entry against the scan x. */
static void expect_figures(const json_t *j, const struct figures *x)
{
	expect_int(j, "items_published", x->items);
	expect_rate(j, "online_rate", x->online, x->items);
	expect_rate(j, "avg_visits", x->visits, x->items);
	expect_int(j, "cases_received", x->received);
	expect_int(j, "cases_completed", x->completed);
	expect_rate(j, "on_time_rate", x->on_time, x->completed);
	expect_int(j, "overdue", x->overdue);
	expect_rate(j, "reuse_rate", x->mat_reused, x->mat_required);
	expect_rate(j, "good_rating_rate", x->good, x->rated);
	expect_rate(j, "followup_rate", x->closed, x->bad);
}

/* The LIKE pattern of the regions within region (GB/T 2260 prefix). */
static void like_of(const char *region, char like[16])
{
	char prefix[10];
	snprintf(prefix, sizeof(prefix), "%s", region);
	for (size_t n = strlen(prefix); n >= 2 && !strcmp(prefix + n - 2, "00"); n -= 2)
		prefix[n - 2] = '\0';
	snprintf(like, 16, "%s%%", prefix);
}

/* One entry of the answer against the scan of its region. */
static void check_entry(const json_t *j, const char *from, const char *to, bool child)
{
	static const char *const keys[] = {
	    "region",           "name",          "from",       "to",
	    "items_published",  "online_rate",   "avg_visits", "cases_received",
	    "cases_completed",  "on_time_rate",  "overdue",    "reuse_rate",
	    "good_rating_rate", "followup_rate", "children"};
	size_t nk = sizeof(keys) / sizeof(keys[0]) - (child ? 1 : 0);
	/* Exactly these members: aggregates only, nothing personal. */
	assert_int_equal(json_object_size(j), nk);
	for (size_t i = 0; i < nk; i++)
		if (!json_object_get(j, keys[i]))
			fail_msg("no member %s", keys[i]);
	assert_string_equal(test_str(j, "from"), from);
	assert_string_equal(test_str(j, "to"), to);
	char like[16];
	like_of(test_str(j, "region"), like);
	struct figures x;
	scan(like, from, to, &x);
	expect_figures(j, &x);
}

/* The departments of the answer j (departments=true) of region over
 * [from, to]: each against the scan of its own rows within the region,
 * each department once, and together exactly the region's figures. */
static void check_departments(const json_t *j, const char *region, const char *from, const char *to)
{
	static const char *const keys[] = {"region",
	                                   "name",
	                                   "department_id",
	                                   "from",
	                                   "to",
	                                   "items_published",
	                                   "online_rate",
	                                   "avg_visits",
	                                   "cases_received",
	                                   "cases_completed",
	                                   "on_time_rate",
	                                   "overdue",
	                                   "reuse_rate",
	                                   "good_rating_rate",
	                                   "followup_rate"};
	const size_t nk = sizeof(keys) / sizeof(keys[0]);
	char like[16];
	like_of(region, like);
	json_t *list = json_object_get(j, "departments");
	assert_true(json_is_array(list));
	struct figures all, sum = {0};
	scan(like, from, to, &all);
	size_t i;
	json_t *k;
	int64_t last = 0;
	json_array_foreach(list, i, k)
	{
		assert_int_equal(json_object_size(k), nk);
		for (size_t n = 0; n < nk; n++)
			if (!json_object_get(k, keys[n]))
				fail_msg("department: no member %s", keys[n]);
		assert_string_equal(test_str(k, "region"), region);
		assert_string_equal(test_str(k, "from"), from);
		assert_string_equal(test_str(k, "to"), to);
		assert_true(strlen(test_str(k, "name")) > 0);
		int64_t id = json_integer_value(json_object_get(k, "department_id"));
		assert_true(id > last); /* by id, each once */
		last = id;
		struct figures x;
		scan_dept(like, id, from, to, &x);
		expect_figures(k, &x);
		long *a = &sum.items, *b = &x.items;
		for (size_t n = 0; n < sizeof(sum) / sizeof(long); n++)
			a[n] += b[n];
	}
	/* Every counted thing belongs to one department of the list. */
	assert_memory_equal(&sum, &all, sizeof(sum));
	expect_figures(j, &all);
}

/* The department entry named name in j's departments (NULL: none). */
static const json_t *department_named(const json_t *j, const char *name)
{
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(j, "departments"), i,
	                   k) if (!strcmp(test_str(k, "name"), name)) return k;
	return NULL;
}

/* GET the indicators of region over [from, to] (today when NULL) and
 * checks them and each child against the scan. Returns the answer. */
static json_t *indicators(const char *region, const char *from, const char *to)
{
	char p[200];
	snprintf(p, sizeof(p), "/api/v1/indicators?region=%s&from=%s&to=%s", region,
	         from ? from : today, to ? to : today);
	json_t *j = call(NULL, "GET", p, NULL, 200);
	check_entry(j, from ? from : today, to ? to : today, false);
	size_t i;
	json_t *k;
	long sums[3] = {0};
	json_array_foreach(json_object_get(j, "children"), i, k)
	{
		check_entry(k, from ? from : today, to ? to : today, true);
		sums[0] += (long)json_integer_value(json_object_get(k, "cases_received"));
		sums[1] += (long)json_integer_value(json_object_get(k, "cases_completed"));
		sums[2] += (long)json_integer_value(json_object_get(k, "overdue"));
	}
	/* The children add up to the region, with the cases of the region's
	 * own level (a city department's) that belong to no child. */
	struct figures own;
	scan(test_str(j, "region"), from ? from : today, to ? to : today, &own);
	expect_int(j, "cases_received", sums[0] + own.received);
	expect_int(j, "cases_completed", sums[1] + own.completed);
	expect_int(j, "overdue", sums[2] + own.overdue);
	/* Asked per department: the same answer plus its departments. */
	char pd[220];
	snprintf(pd, sizeof(pd), "%s&departments=true", p);
	json_t *d = call(NULL, "GET", pd, NULL, 200);
	check_departments(d, test_str(j, "region"), from ? from : today, to ? to : today);
	json_t *copy = json_deep_copy(d);
	json_object_del(copy, "departments");
	assert_true(json_equal(copy, j));
	json_decref(copy);
	json_decref(d);
	return j;
}

static long figure(const json_t *j, const char *key)
{
	return (long)json_integer_value(json_object_get(j, key));
}

/* ---- the test ------------------------------------------------------------- */

static int start(const char *url)
{
	snprintf(db, sizeof(db), "%s", url);
	db_url = db;
	tb_date_format(tb_date_today(), today);
	srv_start(&srv, db, "--demo", NULL);
	snprintf(data_dir, sizeof(data_dir), "%s", srv.data);
	login_all();
	return 0;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("indicators"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

static const char *const regions[] = {"330106", "330100", "330000"};

static void cases_move_the_figures(void **state)
{
	(void)state;
	json_t *before[3];
	for (int i = 0; i < 3; i++)
		before[i] = indicators(regions[i], NULL, NULL);
	static const char by_dept[] = "/api/v1/indicators?region=330106&departments=true";
	json_t *dept_before = call(NULL, "GET", by_dept, NULL, 200);
	struct figures was, now;
	scan("330106%", today, today, &was);

	/* On time: accepted and completed today (promised: 1 working day). */
	char on_time[64], late[64], open[64];
	submitted(on_time);
	event(&reviewer, on_time, "{\"event\":\"accept\"}", "accepted");
	complete(on_time, "92330106MA2T000150");
	/* A bad rating, followed up by the department. */
	char p[200];
	snprintf(p, sizeof(p), "/api/v1/cases/%s/rating", on_time);
	json_t *j = call(&zhang, "POST", p,
	                 "{\"score\":4,\"text\":\"窗口等候较久\",\"channel\":\"web\"}", 201);
	snprintf(p, sizeof(p), "/api/v1/ratings/followups/%lld",
	         (long long)json_integer_value(json_object_get(j, "followup_id")));
	json_decref(j);
	json_decref(call(&reviewer, "POST", p, "{\"note\":\"已电话回访\"}", 200));
	submitted(late);
	submitted(open);
	for (int i = 0; i < 3; i++)
		json_decref(indicators(regions[i], NULL, NULL));

	/* Three weeks back: accepted then, their promised day is long past. */
	char back[11];
	tb_date_format(tb_date_today() - 21, back);
	restart(back);
	event(&reviewer, late, "{\"event\":\"accept\"}", "accepted");
	event(&reviewer, open, "{\"event\":\"accept\"}", "accepted");
	restart(NULL);
	for (int i = 0; i < 3; i++) {
		j = indicators(regions[i], NULL, NULL);
		expect_int(j, "overdue", figure(before[i], "overdue") + 2);
		json_decref(j);
	}
	complete(late, "92330106MA2T00031M");
	snprintf(p, sizeof(p), "/api/v1/cases/%s/rating", late);
	json_decref(
	    call(&zhang, "POST", p, "{\"score\":1,\"text\":\"\",\"channel\":\"mobile\"}", 201));

	/* Exactly what the three cases did, on every level. */
	json_t *after[3];
	for (int i = 0; i < 3; i++) {
		after[i] = indicators(regions[i], NULL, NULL);
		expect_int(after[i], "cases_received", figure(before[i], "cases_received") + 3);
		expect_int(after[i], "cases_completed", figure(before[i], "cases_completed") + 2);
		expect_int(after[i], "overdue", figure(before[i], "overdue") + 1);
		json_decref(before[i]);
	}
	/* The department of the item: moved by exactly the three cases; its
	 * items are there today, before and after. */
	json_t *dept_after = call(NULL, "GET", by_dept, NULL, 200);
	const json_t *db0 = department_named(dept_before, DEPT),
	             *db1 = department_named(dept_after, DEPT);
	assert_non_null(db1);
	long b0[3] = {0};
	if (db0) {
		b0[0] = figure(db0, "cases_received");
		b0[1] = figure(db0, "cases_completed");
		b0[2] = figure(db0, "overdue");
	}
	expect_int(db1, "cases_received", b0[0] + 3);
	expect_int(db1, "cases_completed", b0[1] + 2);
	expect_int(db1, "overdue", b0[2] + 1);
	assert_true(figure(db1, "items_published") > 0);
	json_decref(dept_before);
	json_decref(dept_after);
	/* What the scripted cases did, as the rows say. */
	scan("330106%", today, today, &now);
	assert_int_equal(now.completed - was.completed, 2);
	assert_int_equal(now.on_time - was.on_time, 1); /* one late */
	assert_int_equal(now.mat_required - was.mat_required, 9);
	assert_int_equal(now.mat_reused - was.mat_reused, 3); /* the identity card */
	assert_int_equal(now.rated - was.rated, 2);
	assert_int_equal(now.good - was.good, 1);
	assert_int_equal(now.bad - was.bad, 1);
	assert_int_equal(now.closed - was.closed, 1);
	/* A period without the cases has none of them; a longer one has all. */
	char last_month[11], year_ago[11];
	tb_date_format(tb_date_today() - 40, last_month);
	tb_date_format(tb_date_today() - 365, year_ago);
	json_decref(indicators("330106", year_ago, last_month));
	json_decref(indicators("330000", year_ago, NULL));

	/* The counters made again from the cases give the same answers. */
	char *text[3];
	for (int i = 0; i < 3; i++) {
		text[i] = json_dumps(after[i], JSON_SORT_KEYS | JSON_COMPACT);
		json_decref(after[i]);
	}
	srv_stop(&srv);
	const char *bin = getenv("TB_TEST_BIN") ? getenv("TB_TEST_BIN") : "build/tongban";
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "%s indicators rebuild --data %s --db '%s' >/dev/null", bin,
	         data_dir, db);
	assert_int_equal(system(cmd), 0);
	srv_start(&srv, db, "--data", data_dir, NULL);
	for (int i = 0; i < 3; i++) {
		json_t *again = indicators(regions[i], NULL, NULL);
		char *t = json_dumps(again, JSON_SORT_KEYS | JSON_COMPACT);
		assert_string_equal(t, text[i]);
		free(t);
		free(text[i]);
		json_decref(again);
	}
	login_all();
}

static void parameters(void **state)
{
	(void)state;
	/* Omitted or 000000: the deployment's province; 2 and 4 digits too. */
	char first[11];
	memcpy(first, today, 8);
	memcpy(first + 8, "01", 3);
	json_t *j = call(NULL, "GET", "/api/v1/indicators", NULL, 200);
	assert_string_equal(test_str(j, "region"), "330000");
	assert_string_equal(test_str(j, "name"), "浙江省");
	assert_string_equal(test_str(j, "from"), first);
	assert_string_equal(test_str(j, "to"), today);
	assert_string_equal(test_str(json_array_get(json_object_get(j, "children"), 0), "name"),
	                    "杭州市");
	json_decref(j);
	static const char *const same[][2] = {
	    {"000000", "330000"}, {"33", "330000"}, {"3301", "330100"}, {"330106", "330106"}};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char p[100];
		snprintf(p, sizeof(p), "/api/v1/indicators?region=%s", same[i][0]);
		j = call(NULL, "GET", p, NULL, 200);
		assert_string_equal(test_str(j, "region"), same[i][1]);
		json_decref(j);
	}
	static const char *const bad[][2] = {
	    {"region=33010", "region"},
	    {"region=990000", "region"},
	    {"from=2026-02-30", "from"},
	    {"to=yesterday", "to"},
	    {"from=2026-03-02&to=2026-03-01", "from"},
	    {"from=2023-01-01&to=2026-01-01", "from"},
	    {"regoin=330106", "regoin"},
	    {"departments=yes", "departments"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char p[200];
		snprintf(p, sizeof(p), "/api/v1/indicators?%s", bad[i][0]);
		j = call(NULL, "GET", p, NULL, 400);
		assert_string_equal(test_str(j, "field"), bad[i][1]);
		json_decref(j);
	}
	/* Three years to the day is allowed. */
	json_decref(
	    call(NULL, "GET", "/api/v1/indicators?from=2023-01-02&to=2026-01-01", NULL, 200));
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cases_move_the_figures),
	    cmocka_unit_test(parameters),
	};
	int failed = cmocka_run_group_tests_name("indicators/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("indicators/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
