/* Applying online as the catalog says, over HTTP against the real binary
 * with --demo, on SQLite and PostgreSQL: an item is opened online only
 * through its channels and at online depth III or IV; one online draft per
 * applicant and item (a second open answers 409 naming it, also when eight
 * clients open at once); the application form drawn from the item's
 * form_fields, prefilled from the account, the agent and the applicant's
 * e-certificates, each value checked for its field when saved, and every
 * required field at submission, in Chinese for the pages. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOP      "11330106024892795E4010010201000" /* 个体工商户设立登记, form_fields */
#define FOOD      "11330106024892795E4010020301001" /* 食品经营许可（新办）, form_fields */
#define HUKOU     "1133010002485155523010051001000" /* 户口迁入（购房落户）: certificate prefill */
#define MARRIAGE  "11330106024903108G4070081601000" /* 内地居民结婚登记: depth II */
#define ALLOWANCE "11330106024903108G4050081402000" /* 高龄津贴发放: window and mobile */
#define ZHANG     "33010619900101123X"
#define TECH      "91330106MA2H3K7L3H" /* 杭州西湖示例科技有限公司, 李四 its agent */

static struct test_srv srv;
static struct test_session zhang, li, clerk;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static const char *path_of(const char *no, const char *tail)
{
	static char buf[4][160];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "/api/v1/cases/%s%s", no, tail);
	return buf[i];
}

/* A request with the pages' headers (zh-CN); the answer's JSON. */
static json_t *call_zh(const struct test_session *s, const char *method, const char *path,
                       const char *body, long want)
{
	const char *hdrs[] = {"Content-Type: application/json", "Accept-Language: zh-CN", s->cookie,
	                      s->csrf, NULL};
	struct http_resp r;
	http_req(&srv, method, path, hdrs, body, body ? strlen(body) : 0, &r);
	if (r.status != want)
		fail_msg("%s %s -> %ld, want %ld: %s", method, path, r.status, want, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	http_free(&r);
	return j;
}

static int start(const char *db)
{
	const struct test_who who[] = {
	    {ZHANG, &zhang}, {"330106198505052313", &li}, {"330106198808081015", &clerk}};
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
	return start(test_pg_fresh("forms"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The value of the form's member name in case no, as s sees it (malloc'd;
 * NULL when it has none). */
static char *form_value(const struct test_session *s, const char *no, const char *name)
{
	json_t *j = call(s, "GET", path_of(no, ""), NULL, 200);
	const char *v = json_string_value(json_object_get(json_object_get(j, "form"), name));
	char *out = v ? strdup(v) : NULL;
	json_decref(j);
	return out;
}

static void assert_form(const struct test_session *s, const char *no, const char *name,
                        const char *want)
{
	char *got = form_value(s, no, name);
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s: form.%s is %s, want %s", no, name, got ? got : "(none)", want);
	free(got);
}

/* Online only through the item's channels and at depth III or IV; the
 * window opens what its centre receives. */
static void online_as_the_catalog_says(void **state)
{
	(void)state;
	json_t *j = call_zh(&zhang, "POST", "/api/v1/cases", "{\"item\":\"" MARRIAGE "\"}", 403);
	assert_string_equal(test_str(j, "field"), "item");
	assert_string_equal(test_str(j, "reason"),
	                    "本事项不能在网上办理，请查看办事指南中的办理地点");
	json_decref(j);
	/* 高龄津贴发放 is handled online through the mobile channel only. */
	j = call(&zhang, "POST", "/api/v1/cases", "{\"item\":\"" ALLOWANCE "\"}", 403);
	assert_string_equal(test_str(j, "field"), "channel");
	json_decref(j);
	j = call(&zhang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ALLOWANCE "\",\"channel\":\"mobile\"}", 201);
	j = (json_decref(j), call(&clerk, "POST", "/api/v1/cases",
	                          "{\"item\":\"" MARRIAGE "\",\"applicant\":\"" ZHANG "\"}", 201));
	json_decref(j);
}

/* One online draft per applicant and item: opened again, the answer names
 * it; the window's own case does not count; once submitted, a new one. */
static void one_draft(void **state)
{
	(void)state;
	json_t *j = call(&zhang, "POST", "/api/v1/cases", "{\"item\":\"" SHOP "\"}", 201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	j = call_zh(&zhang, "POST", "/api/v1/cases",
	            "{\"item\":\"" SHOP "\",\"channel\":\"mobile\"}", 409);
	assert_string_equal(test_str(j, "case_no"), no);
	assert_string_equal(test_str(j, "field"), "item");
	assert_string_equal(test_str(j, "reason"), "您已有本事项尚未提交的申请，请继续填写");
	json_decref(j);
	/* A bad request is told so before the draft is named. */
	json_decref(call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" SHOP "\",\"form\":{\"从业人数\":\"很多\"}}", 400));
	/* The window opens a case for him all the same. */
	json_decref(call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" SHOP "\",\"applicant\":\"" ZHANG "\"}", 201));
	/* Withdrawn, it no longer counts. */
	json_decref(call(&zhang, "POST", path_of(no, "/events"), "{\"event\":\"withdraw\"}", 200));
	j = call(&zhang, "POST", "/api/v1/cases", "{\"item\":\"" SHOP "\"}", 201);
	assert_string_not_equal(test_str(j, "case_no"), no);
	json_decref(j);
}

struct opener {
	long status;
	char case_no[64];
};

static void *open_food(void *arg)
{
	struct opener *o = arg;
	struct http_resp r;
	test_call(&srv, &zhang, "POST", "/api/v1/cases", "{\"item\":\"" FOOD "\"}", &r);
	o->status = r.status;
	json_t *j = json_loads(r.body, 0, NULL);
	snprintf(o->case_no, sizeof(o->case_no), "%s",
	         json_string_value(json_object_get(j, "case_no")) ?: "");
	json_decref(j);
	http_free(&r);
	return NULL;
}

/* Eight clients open the same draft at once: one is made, seven are told
 * its number. */
static void one_draft_racing(void **state)
{
	(void)state;
	pthread_t t[8];
	struct opener o[8];
	memset(o, 0, sizeof(o));
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, open_food, &o[i]), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	int made = 0, told = 0;
	const char *no = NULL;
	for (int i = 0; i < 8; i++)
		if (o[i].status == 201)
			made++, no = o[i].case_no;
	assert_int_equal(made, 1);
	for (int i = 0; i < 8; i++) {
		if (o[i].status == 409) {
			assert_string_equal(o[i].case_no, no);
			told++;
		}
	}
	assert_int_equal(told, 7);
	json_t *j = call(&zhang, "GET", "/api/v1/cases?view=mine&state=draft", NULL, 200);
	size_t i;
	json_t *c;
	int drafts = 0;
	json_array_foreach(json_object_get(j, "items"), i, c) drafts +=
	    !strcmp(test_str(c, "item"), FOOD);
	json_decref(j);
	assert_int_equal(drafts, 1);
}

/* What the platform holds fills the form; what the person typed stays. */
static void prefilled(void **state)
{
	(void)state;
	/* 户口迁入: name and number from the account, 迁出地址 from his
	 * 居民户口簿 (the demo issued it); the phone and 迁入地址 typed stay. */
	json_t *j = call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" HUKOU "\",\"form\":{\"迁入地址\":\"杭州市西湖区文一路1号\","
	                 "\"联系电话\":\"0571-88888888\"}}",
	                 201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	assert_form(&zhang, no, "申请人姓名", "张三");
	assert_form(&zhang, no, "公民身份号码", ZHANG);
	assert_form(&zhang, no, "联系电话", "0571-88888888"); /* typed: not replaced */
	assert_form(&zhang, no, "迁出地址", "浙江省杭州市西湖区文三路100号");
	assert_form(&zhang, no, "迁入地址", "杭州市西湖区文一路1号");
	char *none = form_value(&zhang, no, "随迁人数");
	assert_null(none);

	/* 李四 acting for his business: the business's name and code, and he
	 * himself as its legal representative. */
	json_decref(
	    call(&li, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 200));
	j = call(&li, "POST", "/api/v1/cases", "{\"item\":\"" FOOD "\"}", 201);
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	assert_form(&li, no, "经营者名称", "杭州西湖示例科技有限公司");
	assert_form(&li, no, "统一社会信用代码", TECH);
	assert_form(&li, no, "法定代表人（负责人）", "李四");
	assert_form(&li, no, "联系电话", "13900000002");
	json_decref(call(&li, "POST", "/api/v1/auth/act-for", "{\"credit_code\":null}", 200));
}

/* Saved values are checked for their field; a submission needs every
 * required one, named in Chinese for the pages. */
static void checked_and_complete(void **state)
{
	(void)state;
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" SHOP "\",\"applicant\":\"" ZHANG "\"}", 201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	assert_form(&clerk, no, "经营者姓名", "张三"); /* the window's case is prefilled too */
	static const struct {
		const char *form, *field, *zh;
	} bad[] = {
	    {"{\"从业人数\":\"abc\"}", "form.从业人数", "请填写整数"},
	    {"{\"从业人数\":\"0\"}", "form.从业人数", "不能小于 1"},
	    {"{\"资金数额\":\"1.234\"}", "form.资金数额", "请填写数字，最多两位小数"},
	    {"{\"组成形式\":\"合伙经营\"}", "form.组成形式", "请从列出的选项中选择"},
	    {"{\"联系电话\":\"12345\"}", "form.联系电话",
	     "请填写正确的手机号码，或带区号的固定电话"},
	    {"{\"经营场所\":[\"文三路\"]}", "form.经营场所", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[256];
		snprintf(body, sizeof(body), "{\"form\":%s}", bad[i].form);
		j = call_zh(&clerk, "PUT", path_of(no, ""), body, 400);
		assert_string_equal(test_str(j, "field"), bad[i].field);
		if (bad[i].zh)
			assert_string_equal(test_str(j, "reason"), bad[i].zh);
		json_decref(j);
	}
	/* Nothing refused was kept. */
	assert_form(&clerk, no, "经营者姓名", "张三");
	/* Incomplete is fine for a draft, not for a submission. */
	json_decref(call(&clerk, "PUT", path_of(no, ""),
	                 "{\"form\":{\"经营者姓名\":\"张三\",\"经营者身份证件号码\":\"" ZHANG
	                 "\",\"联系电话\":\"13900000001\",\"组成形式\":\"个人经营\"}}",
	                 200));
	static const char *const names[] = {"个体工商户登记（备案）申请书", "经营者居民身份证",
	                                    "经营场所使用相关证明"};
	for (size_t i = 0; i < 3; i++) {
		char *body = NULL;
		long st = test_upload(&srv, &clerk, no, names[i], "m.pdf", test_pdf, test_pdf_len,
		                      NULL, &body);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", names[i], st, body);
		free(body);
	}
	j = call_zh(&clerk, "POST", path_of(no, "/submit"), NULL, 400);
	assert_string_equal(test_str(j, "field"), "form.经营场所");
	assert_string_equal(test_str(j, "reason"), "此项必须填写");
	json_decref(j);
	j = call(&clerk, "GET", path_of(no, ""), NULL, 200);
	assert_string_equal(test_str(j, "state"), "draft");
	json_decref(j);
	json_decref(call(&clerk, "PUT", path_of(no, ""), "{\"form\":" TEST_SHOP_FORM "}", 200));
	/* TEST_SHOP_FORM replaced the whole form: the prefilled fields are gone. */
	j = call(&clerk, "POST", path_of(no, "/submit"), NULL, 400);
	assert_string_equal(test_str(j, "field"), "form.经营者姓名");
	json_decref(j);
	json_decref(
	    call(&clerk, "PUT", path_of(no, ""),
	         "{\"form\":{\"经营者姓名\":\"张三\",\"经营者身份证件号码\":\"" ZHANG
	         "\",\"联系电话\":\"0571-87654321\",\"经营场所\":\"浙江省杭州市西湖区文三路90号\","
	         "\"组成形式\":\"家庭经营\",\"经营范围\":\"日用百货零售\",\"资金数额\":\"10.5\","
	         "\"从业人数\":\"3\",\"备注\":\"窗口补记\"}}",
	         200));
	/* A family business (家庭经营) also shows the family's relationship
	 * (the catalog's conditional material). */
	j = call(&clerk, "POST", path_of(no, "/submit"), NULL, 400);
	assert_string_equal(test_str(json_array_get(json_object_get(j, "missing"), 0), "material"),
	                    "家庭成员关系证明");
	json_decref(j);
	char *answer = NULL;
	assert_int_equal(test_upload(&srv, &clerk, no, "家庭成员关系证明", "m.pdf", test_pdf,
	                             test_pdf_len, NULL, &answer),
	                 201);
	free(answer);
	j = call(&clerk, "POST", path_of(no, "/submit"), NULL, 200);
	assert_string_equal(test_str(j, "state"), "submitted");
	json_decref(j);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(online_as_the_catalog_says), cmocka_unit_test(one_draft),
	    cmocka_unit_test(one_draft_racing),           cmocka_unit_test(prefilled),
	    cmocka_unit_test(checked_and_complete),
	};
	int failed = cmocka_run_group_tests_name("forms/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("forms/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
