/* 我的办件 over HTTP against the real binary with --demo, on SQLite and
 * on PostgreSQL (issue 13, item 4): the applicant asks for a new query
 * code (the old one stops working; owner only, audited), including for a
 * case a clerk opened for them at the window and, as an agent, for the
 * business's case; a case's read shows its ratings and the follow-up of a
 * bad one as the department works on it. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOP "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */
#define TECH "91330106MA2H3K7L3H"              /* 杭州西湖示例科技有限公司: 李四 */

static struct test_srv srv;
static struct test_session zhang, li, clerk, reviewer, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

/* printf into one of four rotating buffers. */
static const char *fmt(const char *f, ...)
{
	static char buf[4][1024];
	static int i;
	i = (i + 1) % 4;
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf[i], sizeof(buf[i]), f, ap);
	va_end(ap);
	return buf[i];
}

static int start(const char *db)
{
	const struct test_who who[] = {{"33010619900101123X", &zhang},
	                               {"330106198505052313", &li},
	                               {"330106198808081015", &clerk},
	                               {"330106198707072021", &reviewer},
	                               {"330106198202027014", &admin}};
	return test_start_demo(&srv, db, who, sizeof(who) / sizeof(who[0]));
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("my"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The number of the first of s's cases (view=mine) in state whose channel
 * is channel (NULL: any), copied into no. */
static void first_case(const struct test_session *s, const char *state, const char *channel,
                       char *no, size_t size)
{
	json_t *j = call(s, "GET", fmt("/api/v1/cases?view=mine&state=%s", state), NULL, 200);
	size_t i;
	json_t *c;
	no[0] = '\0';
	json_array_foreach(json_object_get(j, "items"), i, c)
	{
		if (!no[0] && (!channel || !strcmp(test_str(c, "channel"), channel)))
			snprintf(no, size, "%s", test_str(c, "case_no"));
	}
	json_decref(j);
	if (!no[0])
		fail_msg("no %s case", state);
}

/* A new query code for no as s (want 200), its 8 digits into code. */
static void new_code(const struct test_session *s, const char *no, char code[9])
{
	json_t *j = call(s, "POST", fmt("/api/v1/cases/%s/query-code", no), NULL, 200);
	const char *c = test_str(j, "query_code");
	assert_int_equal(strlen(c), 8);
	assert_int_equal(strspn(c, "0123456789"), 8);
	assert_string_equal(test_str(j, "case_no"), no);
	memcpy(code, c, 9);
	json_decref(j);
}

static void query_code(void **state)
{
	(void)state;
	char no[96], code[9], again[9];
	first_case(&zhang, "needs_correction", NULL, no, sizeof(no));
	new_code(&zhang, no, code);
	json_t *j = call(NULL, "GET", fmt("/api/v1/progress/%s?code=%s", no, code), NULL, 200);
	assert_string_equal(test_str(j, "state"), "needs_correction");
	json_decref(j);
	/* A second new code replaces the first: only the newest works. */
	new_code(&zhang, no, again);
	json_decref(call(NULL, "GET", fmt("/api/v1/progress/%s?code=%s", no, again), NULL, 200));
	if (strcmp(code, again))
		json_decref(
		    call(NULL, "GET", fmt("/api/v1/progress/%s?code=%s", no, code), NULL, 404));

	/* Owner only: staff who read the case 403, others the 404 of no case,
	 * signed out 401, and no CSRF token 403. */
	const char *path = fmt("/api/v1/cases/%s/query-code", no);
	char p[200];
	snprintf(p, sizeof(p), "%s", path);
	json_decref(call(&reviewer, "POST", p, NULL, 403));
	json_decref(call(&li, "POST", p, NULL, 404));
	json_decref(call(NULL, "POST", p, NULL, 401));
	json_decref(call(&zhang, "POST", "/api/v1/cases/NOSUCHCASE/query-code", NULL, 404));
	struct test_session nocsrf = zhang;
	snprintf(nocsrf.csrf, sizeof(nocsrf.csrf), "X-Nothing: 1");
	json_decref(call(&nocsrf, "POST", p, NULL, 403));

	/* On the record: the two new codes, by 张三. */
	j = call(&admin, "GET", fmt("/api/v1/audit?object=case:%s", no), NULL, 200);
	int made = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "items"), i, e) made +=
	    !strcmp(test_str(e, "action"), "case.query_code") &&
	    !strcmp(test_str(e, "outcome"), "ok");
	assert_int_equal(made, 2);
	json_decref(j);

	/* A case the clerk opened for 张三 at the window: he may, the clerk
	 * (who gave him the first code on paper) may not. */
	first_case(&zhang, "submitted", "window", no, sizeof(no));
	new_code(&zhang, no, code);
	json_decref(call(&clerk, "POST", fmt("/api/v1/cases/%s/query-code", no), NULL, 403));

	/* 李四 acting for the business: its case, and only while acting. */
	json_decref(
	    call(&li, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 200));
	j = call(&li, "POST", "/api/v1/cases",
	         "{\"item\":\"" SHOP "\",\"form\":" TEST_SHOP_FORM "}", 201);
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	new_code(&li, no, code);
	json_decref(call(&li, "POST", "/api/v1/auth/act-for", "{\"credit_code\":null}", 200));
	json_decref(call(&li, "POST", fmt("/api/v1/cases/%s/query-code", no), NULL, 404));
}

/* The first rating of case no's read, or NULL; j gets the read. */
static json_t *rating_of(const char *no, json_t **j)
{
	*j = call(&zhang, "GET", fmt("/api/v1/cases/%s", no), NULL, 200);
	json_t *ratings = json_object_get(*j, "ratings");
	assert_true(json_is_array(ratings));
	return json_array_get(ratings, 0);
}

static void rating_followup(void **state)
{
	(void)state;
	/* 张三's completed 个体工商户 case that he has not rated yet. */
	json_t *list = call(&zhang, "GET", "/api/v1/cases?view=mine&state=completed", NULL, 200);
	char no[96] = "";
	size_t i;
	json_t *c, *j;
	json_array_foreach(json_object_get(list, "items"), i, c)
	{
		if (no[0] || strcmp(test_str(c, "item"), SHOP))
			continue;
		json_t *r = rating_of(test_str(c, "case_no"), &j);
		if (!r)
			snprintf(no, sizeof(no), "%s", test_str(c, "case_no"));
		json_decref(j);
	}
	json_decref(list);
	assert_true(no[0] != '\0');

	json_t *made = call(&zhang, "POST", fmt("/api/v1/cases/%s/rating", no),
	                    "{\"score\":5,\"text\":\"<img src=x onerror=alert(1)>\"}", 201);
	json_int_t followup = json_integer_value(json_object_get(made, "followup_id"));
	json_decref(made);
	json_t *r = rating_of(no, &j);
	assert_non_null(r);
	assert_string_equal(test_str(r, "stage"), "completed");
	assert_int_equal(json_integer_value(json_object_get(r, "score")), 5);
	assert_string_equal(test_str(r, "text"), "<img src=x onerror=alert(1)>");
	json_t *f = json_object_get(r, "followup");
	assert_string_equal(test_str(f, "state"), "open");
	assert_int_equal(strlen(test_str(f, "due")), 10);
	assert_true(json_is_null(json_object_get(f, "note")));
	json_decref(j);

	/* The department follows it up: the applicant sees what was done. */
	json_decref(call(&reviewer, "POST",
	                 fmt("/api/v1/ratings/followups/%lld", (long long)followup),
	                 "{\"note\":\"已电话回访，优化了预约流程\"}", 200));
	r = rating_of(no, &j);
	f = json_object_get(r, "followup");
	assert_string_equal(test_str(f, "state"), "done");
	assert_string_equal(test_str(f, "note"), "已电话回访，优化了预约流程");
	assert_true(json_integer_value(json_object_get(f, "done_at")) > 0);
	json_decref(j);

	/* A good rating has no follow-up. */
	first_case(&zhang, "under_review", NULL, no, sizeof(no));
	json_decref(call(&zhang, "POST", fmt("/api/v1/cases/%s/rating", no), "{\"score\":1}", 201));
	r = rating_of(no, &j);
	assert_string_equal(test_str(r, "stage"), "accepted");
	assert_true(json_is_null(json_object_get(r, "followup")));
	json_decref(j);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(query_code),
	    cmocka_unit_test(rating_followup),
	};
	int failed = cmocka_run_group_tests_name("my/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("my/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
