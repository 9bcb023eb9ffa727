/* Supervision over HTTP against the real binary with --demo, on SQLite and
 * on PostgreSQL (issue #12): GET /api/v1/cases?view=overdue&region=CODE
 * lists a region's overdue cases, as many as the public indicators count
 * (GET /api/v1/indicators "overdue"), each naming its region and
 * department but not its applicant; and the refusals: not signed in, a
 * citizen, a reviewer, a window clerk, a supervisor of another region
 * (宁波市), a region above the supervisor's, a missing or malformed region. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_srv srv;
static struct test_session wu, zhang, zhao, clerk, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *url)
{
	const struct test_who who[] = {
	    {"330106198303036024", &wu},    /* 吴监督, supervisor over 330000 */
	    {"33010619900101123X", &zhang}, /* 张三, a citizen */
	    {"330106198707072021", &zhao},  /* 赵审核, reviewer */
	    {"330106198808081015", &clerk}, /* 王窗口, window clerk */
	    {"330106198202027014", &admin}};
	return test_start_demo(&srv, url, who, sizeof(who) / sizeof(who[0]));
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("supervision"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The indicators' overdue count of region (today's month). */
static json_int_t indicated_overdue(const char *region)
{
	char p[80];
	snprintf(p, sizeof(p), "/api/v1/indicators?region=%s", region);
	json_t *j = call(NULL, "GET", p, NULL, 200);
	json_int_t n = json_integer_value(json_object_get(j, "overdue"));
	json_decref(j);
	return n;
}

/* The overdue list of region as s; checks every row. */
static json_t *overdue_list(const struct test_session *s, const char *region)
{
	char p[120];
	snprintf(p, sizeof(p), "/api/v1/cases?view=overdue&region=%s&limit=200", region);
	json_t *j = call(s, "GET", p, NULL, 200);
	assert_string_equal(test_str(j, "view"), "overdue");
	assert_string_equal(test_str(j, "region"), region);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(j, "items"), i, c)
	{
		const json_t *clock = json_object_get(c, "clock");
		assert_string_equal(test_str(clock, "colour"), "red");
		assert_true(json_integer_value(json_object_get(clock, "remaining_workdays")) < 0);
		assert_false(json_is_true(json_object_get(clock, "suspended")));
		/* Within the region by the prefix rule (330000: 33...). */
		size_t n = 6;
		while (n > 2 && !strncmp(region + n - 2, "00", 2))
			n -= 2;
		assert_int_equal(strncmp(test_str(c, "region"), region, n), 0);
		assert_true(*test_str(c, "department_name"));
		assert_true(json_integer_value(json_object_get(c, "department_id")) > 0);
		/* Supervision names no applicant. */
		assert_null(json_object_get(c, "applicant_name"));
	}
	return j;
}

/* ---- tests --------------------------------------------------------------- */

static void overdue_matches_indicators(void **state)
{
	(void)state;
	static const char *const regions[] = {"330000", "330100", "330106", "330200"};
	for (size_t k = 0; k < sizeof(regions) / sizeof(regions[0]); k++) {
		json_t *j = overdue_list(&wu, regions[k]);
		json_int_t want = indicated_overdue(regions[k]);
		assert_int_equal((json_int_t)json_array_size(json_object_get(j, "items")), want);
		json_decref(j);
	}
	/* The demo has overdue cases in 西湖区, longest overdue first. */
	json_t *j = overdue_list(&wu, "330106");
	json_t *items = json_object_get(j, "items");
	assert_true(json_array_size(items) > 0);
	for (size_t i = 1; i < json_array_size(items); i++) {
		const char *a = test_str(json_object_get(json_array_get(items, i - 1), "clock"),
		                         "promised_due"),
		           *b = test_str(json_object_get(json_array_get(items, i), "clock"),
		                         "promised_due");
		assert_true(strcmp(a, b) <= 0);
	}
	json_decref(j);
	/* A 4-digit code names the same city. */
	j = call(&wu, "GET", "/api/v1/cases?view=overdue&region=3301", NULL, 200);
	assert_int_equal((json_int_t)json_array_size(json_object_get(j, "items")),
	                 indicated_overdue("330100"));
	json_decref(j);
	/* state narrows as in the other views. */
	j = call(&wu, "GET", "/api/v1/cases?view=overdue&region=330000&state=completed", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
}

static void refusals(void **state)
{
	(void)state;
	const char *p = "/api/v1/cases?view=overdue&region=330106";
	json_decref(call(NULL, "GET", p, NULL, 401));
	json_t *j = call(&zhang, "GET", p, NULL, 403);
	assert_string_equal(test_str(j, "reason"), "case.read");
	json_decref(j);
	json_decref(call(&zhao, "GET", p, NULL, 403));
	json_decref(call(&clerk, "GET", p, NULL, 403));
	/* Above the supervisor's region: the whole country. */
	json_decref(call(&wu, "GET", "/api/v1/cases?view=overdue&region=000000", NULL, 403));
	/* A supervisor over 宁波市 (李四, account 2, granted by the admin). */
	json_decref(call(&admin, "POST", "/api/v1/accounts/2/roles",
	                 "{\"role\":\"supervisor\",\"region\":\"330200\"}", 201));
	struct test_session li;
	assert_int_equal(test_login(&srv, "330106198505052313", "tongban-demo", &li), 200);
	json_decref(overdue_list(&li, "330200"));
	json_decref(call(&li, "GET", p, NULL, 403));
	json_decref(call(&li, "GET", "/api/v1/cases?view=overdue&region=330000", NULL, 403));
	/* Bad input. */
	j = call(&wu, "GET", "/api/v1/cases?view=overdue", NULL, 400);
	assert_string_equal(test_str(j, "field"), "region");
	json_decref(j);
	json_decref(call(&wu, "GET", "/api/v1/cases?view=overdue&region=33x", NULL, 400));
	j = call(&wu, "GET", "/api/v1/cases?view=overdue&region=330000&overdue=true", NULL, 400);
	assert_string_equal(test_str(j, "field"), "overdue");
	json_decref(j);
	j = call(&wu, "GET", "/api/v1/cases?view=late&region=330000", NULL, 400);
	assert_string_equal(test_str(j, "field"), "view");
	json_decref(j);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(overdue_matches_indicators),
	    cmocka_unit_test(refusals),
	};
	int failed = cmocka_run_group_tests_name("supervision/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("supervision/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
