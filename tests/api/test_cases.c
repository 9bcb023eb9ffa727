/* Cases over HTTP against the real binary with --demo, on SQLite and on
 * PostgreSQL: applying online and at the general window, the whole
 * handling path under the clock, corrections listed at once, progress by
 * query code, ratings and follow-ups, the inbox (exactly once) and a
 * webhook receiver (signed, at least once), unique numbers under
 * concurrent creation, every refusal the issue names, and a crash between
 * commit and delivery that loses nothing. */
#include "hook.h"
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/date.h"
#include "calendar/calendar.h"
#include "store/store.h"

#define ITEM "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */

static struct test_srv srv;
static const char *db_url;
static struct test_session zhang, li, clerk, reviewer, approver, supervisor, admin;

/* ---- helpers ------------------------------------------------------------ */

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static char *path_of(const char *case_no, const char *suffix)
{
	static char p[256];
	snprintf(p, sizeof(p), "/api/v1/cases/%s%s", case_no, suffix);
	return p;
}

/* The day (days since 1970-01-01) of a case number's yyyymmdd part: the
 * day in China the server made it; fails the test on a malformed one. */
static int64_t day_of_number(const char *case_no)
{
	char iso[11];
	int64_t day;
	if (strlen(case_no) != 31 + 8 + 4)
		fail_msg("case number %s: not 43 characters", case_no);
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", case_no + 31, case_no + 35, case_no + 37);
	if (!tb_date_parse(iso, &day))
		fail_msg("case number %s: no date in it", case_no);
	return day;
}

/* The serial of a case number (its last four digits). */
static long serial_of(const char *case_no)
{
	return strtol(case_no + 31 + 8, NULL, 10);
}

static void event(const struct test_session *s, const char *case_no, const char *body,
                  const char *want_state)
{
	json_t *j = call(s, "POST", path_of(case_no, "/events"), body, 200);
	assert_string_equal(test_str(j, "state"), want_state);
	json_decref(j);
}

/* Opens and submits a complete case as zhang; returns its number. */
/* Uploads every material of the item (a small PDF each) to case no. */
static void give_materials(const struct test_session *s, const char *no)
{
	static const char *const names[] = {"个体工商户登记（备案）申请书", "经营者居民身份证",
	                                    "经营场所使用相关证明"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *body = NULL;
		long st = test_upload(&srv, s, no, names[i], "m.pdf", test_pdf, test_pdf_len, NULL,
		                      &body);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", names[i], st, body);
		free(body);
	}
}

static char *ready_case(char *code_out)
{
	json_t *j = call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 201);
	char *no = strdup(test_str(j, "case_no"));
	if (code_out)
		snprintf(code_out, 16, "%s", test_str(j, "query_code"));
	json_decref(j);
	give_materials(&zhang, no);
	json_decref(call(&zhang, "POST", path_of(no, "/submit"), NULL, 200));
	return no;
}

static int start(const char *url)
{
	db_url = url;
	/* The webhook receiver is on loopback. */
	srv_start(&srv, url, "--demo", "--allow-private-webhooks", NULL);
	struct {
		struct test_session *s;
		const char *id;
	} people[] = {{&zhang, "33010619900101123X"},    {&li, "330106198505052313"},
	              {&clerk, "330106198808081015"},    {&reviewer, "330106198707072021"},
	              {&approver, "330106198606063011"}, {&supervisor, "330106198303036024"},
	              {&admin, "330106198202027014"}};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++)
		if (test_login(&srv, people[i].id, "tongban-demo", people[i].s) != 200)
			return -1;
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
	return start(test_pg_fresh("cases"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* COUNT(*) of the outbox rows of case no that the notifier has not yet
 * fanned out ("pending") or all of them, and of its inbox messages, read
 * from the store while the server runs. */
static void outbox_of(const char *no, long *pending, long *rows, long *inbox)
{
	struct tb_store *st;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(db_url, 1, &st, &f), TB_OK);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(st, &c), TB_OK);
	static const char *const sql[] = {
	    "SELECT COUNT(*) FROM outbox WHERE case_no = ? AND (inbox_done = 0 OR hooks_done = 0)",
	    "SELECT COUNT(*) FROM outbox WHERE case_no = ?",
	    "SELECT COUNT(*) FROM inbox WHERE case_no = ?",
	};
	long *out[] = {pending, rows, inbox};
	for (int i = 0; i < 3; i++) {
		struct tb_stmt *q;
		bool row;
		assert_int_equal(tb_conn_query(c, &q, &row, sql[i], "s", no), TB_OK);
		assert_true(row);
		*out[i] = (long)tb_stmt_int(q, 0);
		tb_stmt_reset(q);
	}
	tb_store_release(c);
	tb_store_close(st);
}

/* The messages about case no in zhang's inbox, over HTTP. */
static int messages_about(const char *no)
{
	json_t *j = call(&zhang, "GET", "/api/v1/me/messages", NULL, 200);
	int msgs = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "items"), i, s) msgs +=
	    strcmp(test_str(s, "case_no"), no) == 0;
	json_decref(j);
	return msgs;
}

/* Waits (100 ms polls, 10 s at most) until the notifier has fanned out
 * every outbox row of case no: it marks a row done in the transaction that
 * writes its message and never reads a done row again, so from then on no
 * message about those rows can come. Returns the rows, *inbox gets the
 * messages in the store. */
static long fanned_out(const char *no, long *inbox)
{
	long pending = 0, rows = 0;
	for (int tries = 0; tries < 100; tries++) {
		outbox_of(no, &pending, &rows, inbox);
		if (!pending)
			return rows;
		usleep(100000);
	}
	fail_msg("the notifier left %ld outbox rows of %s pending for 10 s", pending, no);
	return -1;
}

/* ---- tests --------------------------------------------------------------- */

/* from + n working days on the calendar the server seeds (data/calendar),
 * as YYYY-MM-DD: the deadlines a case must show, computed here from the
 * item's limits rather than read back from the server. */
static void workdays_after(const char *from, int n, char out[11])
{
	static struct tb_calendar *cal;
	if (!cal) {
		cal = tb_calendar_new();
		FILE *fp = fopen("data/calendar/cn-2026.csv", "rb");
		assert_non_null(fp);
		static char text[65536];
		size_t len = fread(text, 1, sizeof(text), fp);
		fclose(fp);
		assert_int_equal(tb_calendar_parse_csv(cal, text, len, NULL), TB_OK);
	}
	int64_t day;
	assert_true(tb_date_parse(from, &day));
	tb_date_format(tb_calendar_add_workdays(cal, day, n), out);
}

static void online_path(void **state)
{
	(void)state;
	int hook_port = test_hook_start();
	char body[256];
	snprintf(body, sizeof(body), "{\"department_id\":10,\"url\":\"http://127.0.0.1:%d/hook\"}",
	         hook_port);
	json_decref(call(&zhang, "POST", "/api/v1/webhooks", body, 403));
	json_t *w = call(&admin, "POST", "/api/v1/webhooks", body, 201);
	test_hook_secret(test_str(w, "secret"));
	json_decref(w);

	int64_t day_before = tb_date_today();
	json_t *j = call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 201);
	int64_t day_after = tb_date_today();
	assert_string_equal(test_str(j, "state"), "draft");
	char no[64], code[16];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	snprintf(code, sizeof(code), "%s", test_str(j, "query_code"));
	json_decref(j);
	/* implementation code + yyyymmdd (the day in China it was made) +
	 * 4-digit serial */
	assert_int_equal(strlen(no), 31 + 8 + 4);
	assert_memory_equal(no, ITEM, 31);
	int64_t made = day_of_number(no);
	if (made != day_before && made != day_after)
		fail_msg("case %s: not numbered with the day it was made", no);

	/* The identity card comes from 张三's library (the demo gave one); a
	 * declared upload without a file is refused; submitting without the
	 * rest lists every missing one at once. */
	j = call(&zhang, "GET", path_of(no, ""), NULL, 200);
	size_t k;
	json_t *m;
	int idcards = 0;
	json_array_foreach(json_object_get(j, "materials"), k, m)
	{
		if (!strcmp(test_str(m, "name"), "经营者居民身份证")) {
			assert_string_equal(test_str(m, "source"), "library");
			idcards++;
		}
	}
	assert_int_equal(idcards, 1); /* present, not merely not wrong */
	json_decref(j);
	j = call(&zhang, "PUT", path_of(no, ""),
	         "{\"materials\":[{\"name\":\"经营场所使用相关证明\",\"source\":\"upload\"}]}",
	         400);
	assert_string_equal(test_str(j, "field"), "materials");
	json_decref(j);
	j = call(&zhang, "POST", path_of(no, "/submit"), NULL, 400);
	assert_int_equal(json_array_size(json_object_get(j, "missing")), 2);
	json_decref(j);
	give_materials(&zhang, no);
	json_decref(call(&zhang, "POST", path_of(no, "/submit"), NULL, 200));
	/* Twice: idempotent, still one submission. */
	json_decref(call(&zhang, "POST", path_of(no, "/submit"), NULL, 200));
	j = call(&zhang, "GET", path_of(no, ""), NULL, 200);
	int submits = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "steps"), i, s) submits +=
	    strcmp(test_str(s, "event"), "submit") == 0;
	assert_int_equal(submits, 1);
	json_decref(j);
	/* The list's limit: 1 to 200, exactly. */
	json_decref(call(&zhang, "GET", "/api/v1/cases?limit=200", NULL, 200));
	j = call(&zhang, "GET", "/api/v1/cases?limit=201", NULL, 400);
	assert_string_equal(test_str(j, "field"), "limit");
	json_decref(j);
	json_decref(call(&zhang, "GET", "/api/v1/cases?limit=0", NULL, 400));
	/* Editing is over once submitted. */
	json_decref(call(&zhang, "PUT", path_of(no, ""), "{\"form\":{\"字号\":\"改名\"}}", 409));

	/* Wrong roles and illegal moves. */
	json_decref(call(&zhang, "POST", path_of(no, "/events"), "{\"event\":\"accept\"}", 403));
	json_decref(
	    call(&approver, "POST", path_of(no, "/events"), "{\"event\":\"approve\"}", 409));
	json_decref(
	    call(&reviewer, "POST", path_of(no, "/events"), "{\"event\":\"explode\"}", 400));
	json_decref(call(&reviewer, "POST", path_of(no, "/events"), "{\"event\":\"reject\"}", 400));

	event(&reviewer, no, "{\"event\":\"accept\",\"opinion\":\"材料齐全，予以受理\"}",
	      "accepted");
	j = call(&zhang, "GET", path_of(no, ""), NULL, 200);
	json_t *clock = json_object_get(j, "clock");
	/* ITEM promises 1 working day; the law allows 3, extended by 3. */
	char today[11], promised[11], statutory[11], extended[11];
	tb_date_format(tb_date_today(), today);
	workdays_after(today, 1, promised);
	workdays_after(today, 3, statutory);
	workdays_after(statutory, 3, extended);
	assert_string_equal(test_str(clock, "promised_due"), promised);
	assert_string_equal(test_str(clock, "statutory_due"), statutory);
	assert_int_equal(json_integer_value(json_object_get(clock, "remaining_workdays")), 1);
	assert_true(json_is_string(json_object_get(clock, "colour")));
	json_decref(j);

	event(&reviewer, no, "{\"event\":\"review\"}", "under_review");
	event(&reviewer, no, "{\"event\":\"suspend\",\"opinion\":\"组织现场核查\"}", "suspended");
	j = call(&zhang, "GET", path_of(no, ""), NULL, 200);
	assert_true(json_is_true(json_object_get(json_object_get(j, "clock"), "suspended")));
	json_decref(j);
	event(&reviewer, no, "{\"event\":\"resume\"}", "under_review");
	j = call(&approver, "POST", path_of(no, "/events"), "{\"event\":\"extend\"}", 400);
	assert_string_equal(test_str(j, "field"), "opinion");
	json_decref(j);
	/* Extended once, with a reason; the statutory deadline moves. */
	event(&approver, no, "{\"event\":\"extend\",\"opinion\":\"情况复杂，需延期\"}",
	      "under_review");
	j = call(&zhang, "GET", path_of(no, ""), NULL, 200);
	assert_string_equal(test_str(json_object_get(j, "clock"), "statutory_due"), extended);
	assert_string_equal(test_str(json_object_get(j, "clock"), "promised_due"), promised);
	assert_true(json_is_true(json_object_get(json_object_get(j, "clock"), "extended")));
	json_decref(j);
	j = call(&approver, "POST", path_of(no, "/events"),
	         "{\"event\":\"extend\",\"opinion\":\"再次延期\"}", 409);
	assert_string_equal(test_str(j, "state"), "under_review");
	json_decref(j);
	json_decref(
	    call(&reviewer, "POST", path_of(no, "/events"), "{\"event\":\"approve\"}", 403));
	event(&approver, no, "{\"event\":\"approve\",\"opinion\":\"准予登记\"}", "approved");
	/* The item yields a 营业执照, held by the new business: without its
	 * code, or with a bad one, the case stays approved and nothing is
	 * issued. */
	j = call(&approver, "POST", path_of(no, "/events"), "{\"event\":\"complete\"}", 400);
	assert_string_equal(test_str(j, "field"), "certificate.holder");
	json_decref(j);
	j = call(&approver, "POST", path_of(no, "/events"),
	         "{\"event\":\"complete\",\"certificate\":{\"holder\":{\"code\":"
	         "\"92330106MA2T000151\",\"name\":\"西湖测试小店\"}}}",
	         400);
	assert_string_equal(test_str(j, "field"), "certificate.holder.code");
	json_decref(j);
	event(&approver, no,
	      "{\"event\":\"complete\",\"opinion\":\"营业执照已送达\",\"certificate\":{"
	      "\"holder\":{\"code\":\"92330106MA2T000150\",\"name\":\"西湖测试小店\"},\"face\":{"
	      "\"entity_type\":\"个体工商户\",\"address\":\"文三路1号\",\"business_scope\":"
	      "\"百货\"}}}",
	      "completed");
	j = call(&zhang, "GET", path_of(no, ""), NULL, 200);
	json_t *issued = json_object_get(j, "certificates");
	assert_int_equal(json_array_size(issued), 1);
	char verify[300];
	snprintf(verify, sizeof(verify), "/api/v1/certificates/%s/verify",
	         json_string_value(json_array_get(issued, 0)));
	json_decref(j);
	j = call(NULL, "GET", verify, NULL, 200);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_null(json_object_get(j, "holder")); /* by identifier: not shown */
	json_decref(j);
	json_decref(
	    call(&approver, "POST", path_of(no, "/events"), "{\"event\":\"complete\"}", 409));

	/* Progress: anyone with the code; personal data never. */
	char p[200];
	snprintf(p, sizeof(p), "/api/v1/progress/%s?code=%s", no, code);
	j = call(NULL, "GET", p, NULL, 200);
	assert_string_equal(test_str(j, "state"), "completed");
	assert_null(json_object_get(j, "applicant_id"));
	assert_null(json_object_get(j, "form"));
	assert_true(json_array_size(json_object_get(j, "steps")) >= 8);
	json_decref(j);
	snprintf(p, sizeof(p), "/api/v1/progress/%s?code=%08d", no,
	         (int)((strtol(code, NULL, 10) + 1) % 100000000));
	json_t *wrong = call(NULL, "GET", p, NULL, 404);
	snprintf(p, sizeof(p), "/api/v1/progress/%s0?code=%s", no, code);
	json_t *none = call(NULL, "GET", p, NULL, 404);
	assert_string_equal(test_str(wrong, "reason"), test_str(none, "reason"));
	json_decref(wrong);
	json_decref(none);
	json_decref(call(NULL, "GET", "/api/v1/progress/x?code=12", NULL, 400));

	/* Rating: a bad one opens a follow-up that the department closes. */
	/* Not his case: the same 404 as no case (issue #10, finding 11). */
	json_decref(call(&li, "POST", path_of(no, "/rating"), "{\"score\":5}", 404));
	j = call(&zhang, "POST", path_of(no, "/rating"),
	         "{\"score\":5,\"text\":\"等待时间太长\",\"channel\":\"web\"}", 201);
	json_int_t followup = json_integer_value(json_object_get(j, "followup_id"));
	assert_true(followup > 0);
	json_decref(j);
	json_decref(call(&zhang, "POST", path_of(no, "/rating"), "{\"score\":1}", 409));
	j = call(&supervisor, "GET", "/api/v1/ratings/followups", NULL, 200);
	assert_true(json_integer_value(json_object_get(j, "bad_ratings")) >= 1);
	json_int_t followed = json_integer_value(json_object_get(j, "followed_up"));
	json_decref(j);
	json_decref(call(&zhang, "GET", "/api/v1/ratings/followups", NULL, 403));
	snprintf(p, sizeof(p), "/api/v1/ratings/followups/%lld", (long long)followup);
	json_decref(call(&clerk, "POST", p, "{\"note\":\"已电话回访并改进\"}", 403));
	json_decref(call(&reviewer, "POST", p, "{\"note\":\"已电话回访，优化预约流程\"}", 200));
	j = call(&supervisor, "GET", "/api/v1/ratings/followups", NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "followed_up")), followed + 1);
	assert_true(json_real_value(json_object_get(j, "follow_up_rate")) > 0.0);
	json_decref(j);

	/* Notifications: once all are fanned out, the inbox holds one message
	 * per transition (submit accept review suspend resume extend approve
	 * complete). */
	long inbox;
	assert_int_equal(fanned_out(no, &inbox), 8);
	assert_int_equal(inbox, 8);
	assert_int_equal(messages_about(no), 8);
	for (int tries = 0; tries < 50 && test_hook_count() < 8; tries++)
		usleep(100000);
	assert_true(test_hook_count() >= 8);
	assert_int_equal(test_hook_bad(), 0);
	test_hook_end();
}

static void window_and_corrections(void **state)
{
	(void)state;
	/* The general window opens a case for 李四 for a city item. */
	json_t *page =
	    call(NULL, "GET", "/api/v1/items?region=330100&department=4&per_page=1", NULL, 200);
	const char *city_item =
	    test_str(json_array_get(json_object_get(page, "items"), 0), "implementation_code");
	char body[256];
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"applicant\":\"330106198505052313\"}",
	         city_item);
	json_t *j = call(&clerk, "POST", "/api/v1/cases", body, 201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&li, "GET", path_of(no, ""), NULL, 200);
	assert_string_equal(test_str(j, "channel"), "window");
	assert_int_equal(json_integer_value(json_object_get(j, "visits")), 1);
	json_decref(j);
	/* Others learn nothing of it: not even that it exists. */
	json_decref(call(&zhang, "GET", path_of(no, ""), NULL, 404));
	json_decref(page);
	/* 张三 may not apply for 李四; 李四 may for the business he is agent of. */
	json_decref(call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"applicant\":\"330106198505052313\"}", 403));
	json_decref(call(&li, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"applicant\":\"91330106MA2H3K7L3H\"}", 201));
	json_decref(call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"applicant\":\"91330106MA2H3K7L3H\"}", 403));
	/* Unknown or unpublished items. */
	json_decref(call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"11330106024892795E4010099999000\"}", 404));
	json_decref(call(&zhang, "POST", "/api/v1/cases", "{\"item\":\"" ITEM "\",\"x\":1}", 400));
	json_decref(call(NULL, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 401));

	/* Needs correction: everything at once, then resubmitted. */
	char *c2 = ready_case(NULL);
	json_decref(call(&reviewer, "POST", path_of(c2, "/events"),
	                 "{\"event\":\"request_correction\"}", 400));
	event(&reviewer, c2,
	      "{\"event\":\"request_correction\",\"corrections\":[{\"material\":"
	      "\"经营场所使用相关证明\","
	      "\"reason\":\"租赁合同已过期\"},{\"field\":\"经营范围\",\"reason\":\"未填写\"}]}",
	      "needs_correction");
	j = call(&zhang, "GET", path_of(c2, ""), NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "corrections")), 2);
	json_decref(j);
	give_materials(&zhang, c2);
	json_decref(call(&zhang, "POST", path_of(c2, "/submit"), NULL, 200));
	/* Another department's staff may not act on it. */
	struct test_session other;
	/* 周共享 is a sharing officer of 杭州市公安局: no case roles at all. */
	assert_int_equal(test_login(&srv, "330105198404045011", "tongban-demo", &other), 200);
	json_decref(call(&other, "POST", path_of(c2, "/events"), "{\"event\":\"accept\"}", 404));
	/* Nor the general window's clerk: an online case is not the window's,
	 * and one they may not read is not there for them (404). */
	json_decref(call(&clerk, "POST", path_of(c2, "/events"), "{\"event\":\"accept\"}", 404));
	event(&reviewer, c2, "{\"event\":\"reject\",\"opinion\":\"不属于本部门职权\"}",
	      "not_accepted");
	free(c2);

	/* The queue: the department's open cases, most urgent first. */
	j = call(&reviewer, "GET", "/api/v1/cases", NULL, 200);
	assert_string_equal(test_str(j, "view"), "department_queue");
	json_decref(j);
	/* Guessing query codes is locked out like guessing passwords. */
	long last = 0;
	for (int i = 0; i < 25 && last != 429; i++) {
		char p[200];
		snprintf(p, sizeof(p), "/api/v1/progress/%s?code=%08d", no, 10000000 + i);
		struct http_resp resp;
		http_get(&srv, p, &resp);
		last = resp.status;
		http_free(&resp);
	}
	assert_int_equal(last, 429);
	j = call(&zhang, "GET", "/api/v1/cases", NULL, 200);
	assert_string_equal(test_str(j, "view"), "mine");
	assert_true(json_array_size(json_object_get(j, "items")) >= 2);
	json_decref(j);
}

/* A case the window opens for zhang: as many as it likes (one online
 * draft per applicant and item is the applicant's rule). */
#define WINDOW_CASE \
	"{\"item\":\"" ITEM "\",\"applicant\":\"33010619900101123X\",\"form\":" TEST_SHOP_FORM "}"

struct racer {
	int n;
	char numbers[10][64];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	for (int i = 0; i < 10; i++) {
		struct http_resp resp;
		test_call(&srv, &clerk, "POST", "/api/v1/cases", WINDOW_CASE, &resp);
		if (resp.status == 201) {
			json_t *j = json_loads(resp.body, 0, NULL);
			snprintf(r->numbers[r->n++], 64, "%s",
			         json_string_value(json_object_get(j, "case_no")));
			json_decref(j);
		}
		http_free(&resp);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A new draft of ITEM opened for zhang at the window; its number into out. */
static void fence(char out[64])
{
	json_t *j = call(&clerk, "POST", "/api/v1/cases", WINDOW_CASE, 201);
	snprintf(out, 64, "%s", test_str(j, "case_no"));
	json_decref(j);
}

/* 80 cases made at once by 8 clients, between two made alone: sorted,
 * each number follows the one before it, the next serial of the same day,
 * or serial 0001 of the next day when midnight (in China) passed during
 * the run, so no number is reused and none skipped. */
static void unique_numbers(void **state)
{
	(void)state;
	char all[82][64], first[64], last[64];
	int n = 0;
	fence(first);
	memcpy(all[n++], first, 64);
	struct racer rs[8] = {0};
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, race, &rs[i]);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		for (int k = 0; k < rs[i].n; k++)
			memcpy(all[n++], rs[i].numbers[k], 64);
	}
	assert_int_equal(n, 81);
	fence(last);
	memcpy(all[n++], last, 64);
	qsort(all, (size_t)n, 64, cmp);
	/* The racers' numbers lie between the fences'. */
	assert_string_equal(all[0], first);
	assert_string_equal(all[n - 1], last);
	for (int i = 1; i < n; i++) {
		assert_memory_equal(all[i], ITEM, 31);
		int64_t d0 = day_of_number(all[i - 1]), d1 = day_of_number(all[i]);
		long s0 = serial_of(all[i - 1]), s1 = serial_of(all[i]);
		bool next = d1 == d0 ? s1 == s0 + 1 : d1 == d0 + 1 && s1 == 1;
		if (!next)
			fail_msg("%s after %s: not the next number", all[i], all[i - 1]);
	}
}

/* Commit, crash before delivery, restart: every notification arrives,
 * exactly once in the inbox. */
static void crash_before_delivery(void **state)
{
	(void)state;
	srv_stop(&srv);
	setenv("TB_NOTIFY_PAUSE", "1", 1);
	srv_start(&srv, db_url, "--allow-private-webhooks", NULL);
	unsetenv("TB_NOTIFY_PAUSE");
	assert_int_equal(test_login(&srv, "33010619900101123X", "tongban-demo", &zhang), 200);
	assert_int_equal(test_login(&srv, "330106198707072021", "tongban-demo", &reviewer), 200);
	char *no = ready_case(NULL);
	event(&reviewer, no, "{\"event\":\"accept\"}", "accepted");
	/* Committed, not delivered: the notifier is paused. */
	long pending, rows, inbox;
	outbox_of(no, &pending, &rows, &inbox);
	assert_int_equal(rows, 2); /* submit, accept */
	assert_int_equal(pending, 2);
	assert_int_equal(inbox, 0);
	/* kill -9: no clean shutdown at all. */
	kill(srv.pid, SIGKILL);
	waitpid(srv.pid, NULL, 0);
	srv_start(&srv, db_url, "--allow-private-webhooks", NULL);
	assert_int_equal(test_login(&srv, "33010619900101123X", "tongban-demo", &zhang), 200);
	/* Once both rows are fanned out no message can come later (see
	 * fanned_out): exactly one message per row. */
	assert_int_equal(fanned_out(no, &inbox), 2);
	assert_int_equal(inbox, 2);
	assert_int_equal(messages_about(no), 2);
	free(no);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(online_path),
	    cmocka_unit_test(window_and_corrections),
	    cmocka_unit_test(unique_numbers),
	    cmocka_unit_test(crash_before_delivery),
	};
	int failed = cmocka_run_group_tests_name("cases/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url()) {
		failed += cmocka_run_group_tests_name("cases/postgresql", tests, start_pg, stop);
	}
	return failed ? 1 : 0;
}
