/* The one window (一窗受理) over HTTP against the real binary with --demo,
 * on SQLite and PostgreSQL: which departments a service centre receives
 * (data an administrator keeps), the window's own list of cases, the
 * result handed out at the window (统一窗口出件) once, what each caller
 * may do to a case (allowed_events) and which officials' pages each person
 * is offered. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIRTH    "1133010002486186853200032801000" /* 生育登记, 杭州市卫健委, 即办件 */
#define ZHANG    "33010619900101123X"
#define MARRIAGE "11330106024903108G4070081601000" /* 内地居民结婚登记, 即办件 */

static struct test_srv srv;
static struct test_session zhang, clerk, reviewer, supervisor, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *db)
{
	const struct test_who who[] = {{ZHANG, &zhang},
	                               {"330106198808081015", &clerk},
	                               {"330106198707072021", &reviewer},
	                               {"330106198303036024", &supervisor},
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
	return start(test_pg_fresh("one_window"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* Whether the array of objects holds one whose member key is the integer v. */
static bool has_id(json_t *arr, const char *key, json_int_t v)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i,
	                   x) if (json_integer_value(json_object_get(x, key)) == v) return true;
	return false;
}

/* Whether the array holds the string s. */
static bool has_str(json_t *arr, const char *s)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) if (json_is_string(x) &&
	                                  !strcmp(json_string_value(x), s)) return true;
	return false;
}

/* The first published item of department dept (its implementation code). */
static char *item_of(int dept)
{
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/items?department=%d&per_page=1", dept);
	json_t *j = call(NULL, "GET", path, NULL, 200);
	const char *code =
	    test_str(json_array_get(json_object_get(j, "items"), 0), "implementation_code");
	char *out = strdup(code);
	json_decref(j);
	return out;
}

/* 西湖区政务服务中心 (9) receives the items of the departments of 西湖区 and
 * of the city and province above it, not of another county; an
 * administrator changes that, and the window follows at once. */
static void centre_receives(void **state)
{
	(void)state;
	json_t *j = call(NULL, "GET", "/api/v1/departments?hosted_by=9", NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_true(has_id(items, "id", 10) && has_id(items, "id", 11) && has_id(items, "id", 4) &&
	            has_id(items, "id", 1));
	assert_false(has_id(items, "id", 13) || has_id(items, "id", 9));
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/departments?hosted_by=x", NULL, 400));

	char body[256];
	char *shangcheng = item_of(13), *xihu = item_of(10);
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"applicant\":\"" ZHANG "\"}", shangcheng);
	j = call(&clerk, "POST", "/api/v1/cases", body, 403);
	assert_string_equal(test_str(j, "field"), "item");
	json_decref(j);
	/* Released, the window stops taking department 10's items. */
	json_decref(call(&clerk, "DELETE", "/api/v1/departments/9/received/10", NULL, 403));
	json_decref(call(&admin, "DELETE", "/api/v1/departments/9/received/10", NULL, 200));
	json_decref(call(&admin, "DELETE", "/api/v1/departments/9/received/10", NULL, 404));
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"applicant\":\"" ZHANG "\"}", xihu);
	json_decref(call(&clerk, "POST", "/api/v1/cases", body, 403));
	json_decref(
	    call(&admin, "POST", "/api/v1/departments/9/received", "{\"department_id\":10}", 201));
	json_decref(
	    call(&admin, "POST", "/api/v1/departments/9/received", "{\"department_id\":10}", 409));
	json_decref(call(&clerk, "POST", "/api/v1/cases", body, 201));
	/* Only a service centre receives; the clerk does not decide it. */
	j = call(&admin, "POST", "/api/v1/departments/10/received", "{\"department_id\":11}", 400);
	assert_string_equal(test_str(j, "field"), "id");
	json_decref(j);
	json_decref(
	    call(&clerk, "POST", "/api/v1/departments/9/received", "{\"department_id\":13}", 403));
	free(shangcheng);
	free(xihu);
}

/* The window receives 生育登记 for 张三 (her 结婚证 and identity card come
 * from the platform), accepts it (an immediate item completes), finds it
 * in its own list and hands the result out once. */
static void handed_out_once(void **state)
{
	(void)state;
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", 201);
	char path[160], events[200];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	snprintf(events, sizeof(events), "%s/events", path);
	json_decref(j);
	char submit[200];
	snprintf(submit, sizeof(submit), "%s/submit", path);
	json_decref(call(&clerk, "POST", submit, "{}", 200));
	j = call(&clerk, "GET", path, NULL, 200);
	assert_true(has_str(json_object_get(j, "allowed_events"), "accept"));
	assert_false(has_str(json_object_get(j, "allowed_events"), "approve"));
	assert_int_equal(json_integer_value(json_object_get(j, "window_department_id")), 9);
	json_decref(j);
	json_decref(call(&clerk, "POST", events, "{\"event\":\"accept\"}", 200));
	j = call(&clerk, "GET", path, NULL, 200);
	assert_string_equal(test_str(j, "state"), "completed");
	assert_true(has_str(json_object_get(j, "allowed_events"), "hand_out"));
	json_decref(j);
	/* The applicant may not hand it out; the window says how it went. */
	j = call(&zhang, "GET", path, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "allowed_events")), 0);
	json_decref(j);
	json_decref(
	    call(&zhang, "POST", events, "{\"event\":\"hand_out\",\"delivery\":\"window\"}", 403));
	j = call(&clerk, "POST", events, "{\"event\":\"hand_out\"}", 400);
	assert_string_equal(test_str(j, "field"), "delivery");
	json_decref(j);
	j = call(&clerk, "POST", events, "{\"event\":\"hand_out\",\"delivery\":\"post\"}", 400);
	assert_string_equal(test_str(j, "field"), "opinion");
	json_decref(j);
	json_decref(
	    call(&clerk, "POST", events, "{\"event\":\"hand_out\",\"delivery\":\"window\"}", 200));
	json_decref(
	    call(&clerk, "POST", events, "{\"event\":\"hand_out\",\"delivery\":\"window\"}", 409));
	j = call(&zhang, "GET", path, NULL, 200);
	json_t *steps = json_object_get(j, "steps");
	json_t *last = json_array_get(steps, json_array_size(steps) - 1);
	assert_string_equal(test_str(last, "event"), "hand_out");
	assert_string_equal(test_str(last, "opinion"), "窗口领取");
	assert_string_equal(test_str(j, "state"), "completed");
	json_decref(j);

	/* The window's list: its own cases, filtered by state. */
	j = call(&clerk, "GET", "/api/v1/cases?view=window&state=completed", NULL, 200);
	assert_string_equal(test_str(j, "view"), "window");
	bool found = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(j, "items"), i, x)
	{
		found |= strstr(path, test_str(x, "case_no")) != NULL;
		assert_string_equal(test_str(x, "state"), "completed");
	}
	assert_true(found);
	json_decref(j);
	json_decref(call(&zhang, "GET", "/api/v1/cases?view=window", NULL, 403));
	json_decref(call(&reviewer, "GET", "/api/v1/cases?view=window", NULL, 403));
	json_decref(call(&clerk, "GET", "/api/v1/cases?view=everything", NULL, 400));
	json_decref(call(&clerk, "GET", "/api/v1/cases?view=window&state=lost", NULL, 400));
}

/* Uploads a small PDF as material of the case at path (…/cases/NO). */
static void upload(const struct test_session *s, const char *path, const char *material)
{
	char *body = NULL;
	const char *no = strrchr(path, '/') + 1;
	long status =
	    test_upload(&srv, s, no, material, "scan.pdf", test_pdf, test_pdf_len, NULL, &body);
	if (status != 201)
		fail_msg("upload %s -> %ld: %s", material, status, body);
	free(body);
}

/* Handing out a result that is a certificate does not issue it again: the
 * window registers a marriage for 王五 (内地居民结婚登记, an immediate item
 * of 西湖区民政局 that yields a 结婚证), accepts it, hands it out. */
static void hand_out_issues_nothing(void **state)
{
	(void)state;
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" MARRIAGE "\",\"applicant\":\"330102199203154022\","
	                 "\"form\":{\"spouse_name\":\"赵六\"}}",
	                 201);
	char path[160], events[200], submit[200];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	snprintf(events, sizeof(events), "%s/events", path);
	snprintf(submit, sizeof(submit), "%s/submit", path);
	json_decref(j);
	upload(&clerk, path, "男女双方居民身份证");
	upload(&clerk, path, "双方近期半身免冠合影照片");
	upload(&clerk, path, "无配偶以及与对方无直系血亲和三代以内旁系血亲关系的签字声明");
	json_decref(call(&clerk, "POST", submit, "{}", 200));
	j = call(&clerk, "POST", events, "{\"event\":\"accept\"}", 200);
	assert_string_equal(test_str(j, "state"), "completed");
	json_decref(j);
	j = call(&clerk, "GET", path, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "certificates")), 1);
	json_decref(j);
	json_decref(call(&clerk, "POST", events,
	                 "{\"event\":\"hand_out\",\"delivery\":\"post\",\"opinion\":\"EMS 1234\"}",
	                 200));
	j = call(&clerk, "GET", path, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "certificates")), 1);
	json_t *steps = json_object_get(j, "steps");
	assert_string_equal(test_str(json_array_get(steps, json_array_size(steps) - 1), "opinion"),
	                    "邮寄送达：EMS 1234");
	json_decref(j);
}

/* A window clerk sees how materials were given but not which certificate
 * or file; sending the list back as seen keeps what was given. */
static void clerk_keeps_what_was_given(void **state)
{
	(void)state;
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", 201);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&clerk, "GET", path, NULL, 200);
	json_t *list = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "materials"), i, m)
	{
		const char *src = test_str(m, "source");
		assert_null(json_object_get(m, "ref"));
		if (strcmp(src, "missing") != 0)
			json_array_append_new(list,
			                      json_pack("{s:O, s:s}", "name",
			                                json_object_get(m, "name"), "source", src));
	}
	json_decref(j);
	assert_true(json_array_size(list) >= 2);
	json_t *body = json_pack("{s:o}", "materials", list);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_decref(call(&clerk, "PUT", path, text, 200));
	free(text);
	/* The applicant still sees each certificate and file given. */
	j = call(&zhang, "GET", path, NULL, 200);
	int refs = 0;
	json_array_foreach(json_object_get(j, "materials"), i, m) refs +=
	    json_object_get(m, "ref") != NULL;
	assert_true(refs >= 2);
	json_decref(j);
}

/* The officials' pages each person is offered come from the policy. */
static void pages_offered(void **state)
{
	(void)state;
	struct {
		struct test_session *s;
		const char *yes[4], *no[4];
	} cases[] = {
	    {&zhang, {NULL}, {"window", "workbench", "catalog", "supervision"}},
	    {&clerk, {"window", "workbench", NULL}, {"catalog", "supervision", "admin", NULL}},
	    {&reviewer, {"workbench", NULL}, {"window", "supervision", NULL}},
	    {&supervisor, {"supervision", NULL}, {"window", "workbench", "admin", NULL}},
	    {&admin, {"admin", "catalog", "supervision", NULL}, {"window", NULL}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = call(cases[i].s, "GET", "/api/v1/me", NULL, 200);
		json_t *pages = json_object_get(j, "pages");
		assert_true(json_is_array(pages));
		for (int k = 0; k < 4 && cases[i].yes[k]; k++)
			if (!has_str(pages, cases[i].yes[k]))
				fail_msg("case %zu: %s not offered", i, cases[i].yes[k]);
		for (int k = 0; k < 4 && cases[i].no[k]; k++)
			if (has_str(pages, cases[i].no[k]))
				fail_msg("case %zu: %s offered", i, cases[i].no[k]);
		json_decref(j);
	}
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(centre_receives),         cmocka_unit_test(handed_out_once),
	    cmocka_unit_test(hand_out_issues_nothing), cmocka_unit_test(clerk_keeps_what_was_given),
	    cmocka_unit_test(pages_offered),
	};
	int failed = cmocka_run_group_tests_name("one_window/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("one_window/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
