/* What real guides need of the catalog (issue #16), against the real
 * binary with --demo on SQLite and PostgreSQL. Unknown is not none: an item may leave its fees, phone, legal basis
 * (and the other members of tb_unstatable) unstated; the draft keeps them
 * null, never "free" or an invented number; the completeness report lists
 * what each item leaves unstated (drafts for the region's managers, the
 * published versions for everyone); a province's rule of what must be
 * stated before publication blocks a publish naming the member, and only
 * the province's own managers set it. A conditional material is asked
 * for when the application form says its situation holds. */
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
static struct test_session manager, admin, citizen, li;
#define CITY_ITEM "1133010002485155523100052101000" /* 杭州市 养犬登记 */

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *url)
{
	const struct test_who who[] = {
	    {"330102198505054022", &manager}, /* 孙目录, catalog manager over 330100 */
	    {"330106198202027014", &admin},   /* 郑管理, admin over 330000 */
	    {"33010619900101123X", &citizen},
	    {"330106198505052313", &li},
	};
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
	return start(test_pg_fresh("completeness"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The report's entry for code, or NULL. */
static json_t *listed(json_t *report, const char *code)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(report, "items"), i, x)
	{
		if (!strcmp(test_str(x, "implementation_code"), code))
			return x;
	}
	return NULL;
}

static void unstated_members_stay_unstated(void **state)
{
	(void)state;
	/* The demo's published items state everything. */
	json_t *j = call(NULL, "GET", "/api/v1/catalog/completeness?region=330100", NULL, 200);
	assert_true(json_integer_value(json_object_get(j, "total")) > 10);
	assert_int_equal(json_integer_value(json_object_get(j, "complete")),
	                 json_integer_value(json_object_get(j, "total")));
	assert_false(json_is_true(json_object_get(j, "drafts")));
	json_decref(j);
	/* A draft that does not state its fees, phone or legal basis. */
	json_t *doc = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	json_object_del(doc, "version");
	json_object_del(doc, "state");
	json_object_set_new(doc, "fees", json_null());
	json_object_del(doc, "phone");
	json_object_set_new(doc, "legal_basis", json_null());
	char *body = json_dumps(doc, JSON_COMPACT);
	json_decref(call(&manager, "PUT", "/api/v1/items/" CITY_ITEM, body, 200));
	free(body);
	json_decref(doc);
	j = call(&manager, "GET", "/api/v1/items/" CITY_ITEM "?version=2", NULL, 200);
	assert_true(json_is_null(json_object_get(j, "fees")));
	assert_true(json_is_null(json_object_get(j, "phone")));
	assert_true(json_is_null(json_object_get(j, "legal_basis")));
	json_decref(j);
	/* An empty fee list still means free of charge, as before. */
	doc = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	assert_true(json_is_array(json_object_get(doc, "fees")));
	json_decref(doc);
	/* The managers' report lists the draft with what it leaves unstated. */
	j = call(&manager, "GET", "/api/v1/catalog/completeness?region=330100", NULL, 200);
	assert_true(json_is_true(json_object_get(j, "drafts")));
	json_t *x = listed(j, CITY_ITEM);
	assert_non_null(x);
	assert_string_equal(test_str(x, "state"), "draft");
	json_t *want = json_pack("[s, s, s]", "fees", "legal_basis", "phone");
	assert_true(json_equal(json_object_get(x, "unstated"), want));
	json_decref(want);
	assert_true(json_integer_value(json_object_get(json_object_get(j, "unstated"), "fees")) >=
	            1);
	json_decref(j);
	/* The public one shows the published version, complete. */
	j = call(&citizen, "GET", "/api/v1/catalog/completeness?region=330100", NULL, 200);
	assert_null(listed(j, CITY_ITEM));
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/catalog/completeness?region=999999", NULL, 400));
	json_decref(call(NULL, "GET", "/api/v1/catalog/completeness?department_id=abc", NULL, 400));
}

static void province_rule_blocks_publication(void **state)
{
	(void)state;
	json_t *j = call(NULL, "GET", "/api/v1/catalog/rules/330000", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "stated_for_publication")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "unstatable")), 17);
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/catalog/rules/330100", NULL, 404));
	json_decref(call(NULL, "GET", "/api/v1/catalog/rules/990000", NULL, 404));
	static const char rule[] = "{\"stated_for_publication\":[\"fees\",\"phone\"]}";
	/* A city's manager does not set the province's rule. */
	json_decref(call(&manager, "PUT", "/api/v1/catalog/rules/330000", rule, 403));
	json_decref(call(&citizen, "PUT", "/api/v1/catalog/rules/330000", rule, 403));
	j = call(&admin, "PUT", "/api/v1/catalog/rules/330000",
	         "{\"stated_for_publication\":[\"fees\",\"price\"]}", 400);
	assert_string_equal(test_str(j, "field"), "stated_for_publication");
	json_decref(j);
	json_decref(call(&admin, "PUT", "/api/v1/catalog/rules/330000",
	                 "{\"stated_for_publication\":[\"fees\",\"fees\"]}", 400));
	json_decref(call(&admin, "PUT", "/api/v1/catalog/rules/330000", rule, 200));
	/* The draft leaves its fees unstated: not published, the member named. */
	j = call(&manager, "POST", "/api/v1/items/" CITY_ITEM "/publish", NULL, 409);
	assert_string_equal(test_str(j, "field"), "fees");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	json_decref(j);
	/* Unstated legal basis is allowed by this rule; once the province
	 * requires nothing, the draft publishes as it is, 未公布 and all. */
	json_decref(call(&admin, "PUT", "/api/v1/catalog/rules/330000",
	                 "{\"stated_for_publication\":[]}", 200));
	json_decref(call(&manager, "POST", "/api/v1/items/" CITY_ITEM "/publish", NULL, 200));
	j = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	assert_true(json_is_null(json_object_get(j, "fees")));
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/catalog/completeness?region=330100", NULL, 200);
	assert_non_null(listed(j, CITY_ITEM));
	json_decref(j);
}

/* 个体工商户设立登记: 家庭成员关系证明 is needed for a family business
 * (组成形式 家庭经营), not for one person's. */
static void conditional_material_follows_the_form(void **state)
{
	(void)state;
	static const char item[] = "11330106024892795E4010010201000";
	static const char form[] =
	    "{\"经营者姓名\":\"李四\",\"经营者身份证件号码\":\"330106198505052313\",\"联系电话\":"
	    "\"13900000002\",\"经营场所\":\"杭州市西湖区文三路100号1层\",\"组成形式\":\"家庭经营\","
	    "\"经营范围\":\"日用百货销售\",\"资金数额\":\"10\",\"从业人数\":\"2\"}";
	char body[1024], path[160], no[64];
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"form\":%s}", item, form);
	struct http_resp r;
	test_call(&srv, &li, "POST", "/api/v1/cases", body, &r);
	json_t *j = json_loads(r.body, 0, NULL);
	assert_true(r.status == 201 || r.status == 409);
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	http_free(&r);
	/* A draft left from before gets the family form too. */
	snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
	snprintf(body, sizeof(body), "{\"form\":%s}", form);
	json_decref(call(&li, "PUT", path, body, 200));
	j = call(&li, "GET", path, NULL, 200);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "materials"), i, m)
	{
		const char *name = test_str(m, "name");
		if (!strcmp(name, "家庭成员关系证明")) {
			assert_string_equal(test_str(m, "required"), "conditional");
			assert_string_equal(test_str(m, "condition"),
			                    "以家庭共同财产出资、家庭经营的");
		} else if (!strcmp(test_str(m, "required"), "required") &&
		           !strcmp(test_str(m, "source"), "missing")) {
			char *answer = NULL;
			long st = test_upload(&srv, &li, no, name, "m.pdf", test_pdf, test_pdf_len,
			                      NULL, &answer);
			if (st != 201)
				fail_msg("upload %s -> %ld: %s", name, st, answer);
			free(answer);
		}
	}
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", no);
	j = call(&li, "POST", path, NULL, 400);
	json_t *miss = json_object_get(j, "missing");
	assert_int_equal(json_array_size(miss), 1);
	assert_string_equal(test_str(json_array_get(miss, 0), "material"), "家庭成员关系证明");
	json_decref(j);
	char *answer = NULL;
	assert_int_equal(test_upload(&srv, &li, no, "家庭成员关系证明", "m.pdf", test_pdf,
	                             test_pdf_len, NULL, &answer),
	                 201);
	free(answer);
	json_decref(call(&li, "POST", path, NULL, 200));
}

/* PUTs doc (a published version's document) as the next draft of
 * CITY_ITEM and publishes it. */
static void publish_as(json_t *doc)
{
	json_object_del(doc, "version");
	json_object_del(doc, "state");
	char *body = json_dumps(doc, JSON_COMPACT);
	json_decref(call(&manager, "PUT", "/api/v1/items/" CITY_ITEM, body, 200));
	free(body);
	json_decref(call(&manager, "POST", "/api/v1/items/" CITY_ITEM "/publish", NULL, 200));
}

/* Catalog format 2: time and codes as the guide writes them. Limits not
 * stated publish as 未公布 but the item cannot be applied for; a code the
 * guide prints finds the item; an item immediate only in some situations
 * (either) is handled as promised. */
static void time_and_codes_as_published(void **state)
{
	(void)state;
	json_t *doc = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	json_object_set_new(doc, "statutory_days", json_null());
	json_object_set_new(doc, "promised_days", json_null());
	json_object_set_new(doc, "case_kind", json_null());
	json_object_set_new(doc, "time_text",
	                    json_string("法定办结时限：无时限；承诺办结时限：未载明"));
	json_object_set_new(
	    doc, "codes",
	    json_pack("[{s:s, s:s}]", "label", "事项编码", "code", "330100-10-0-0521"));
	publish_as(doc);
	json_decref(doc);
	json_t *j = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	assert_true(json_is_null(json_object_get(j, "promised_days")));
	assert_true(json_is_null(json_object_get(j, "case_kind")));
	assert_string_equal(test_str(j, "time_text"), "法定办结时限：无时限；承诺办结时限：未载明");
	json_decref(j);
	/* Found by the code as printed, first. */
	j = call(NULL, "GET", "/api/v1/items?q=330100-10-0-0521", NULL, 200);
	assert_string_equal(
	    test_str(json_array_get(json_object_get(j, "items"), 0), "implementation_code"),
	    CITY_ITEM);
	json_decref(j);
	/* Listed as not stating them. */
	j = call(NULL, "GET", "/api/v1/catalog/completeness?region=330100", NULL, 200);
	json_t *x = listed(j, CITY_ITEM);
	assert_non_null(x);
	bool kind = false;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(x, "unstated"), i, m) kind |=
	    !strcmp(json_string_value(m), "case_kind");
	assert_true(kind);
	json_decref(j);
	/* Not applied for until the department states them. */
	j = call(&citizen, "POST", "/api/v1/cases",
	         "{\"item\":\"" CITY_ITEM "\",\"channel\":\"web\"}", 403);
	assert_non_null(strstr(test_str(j, "reason"), "time limits"));
	json_decref(j);

	/* A promise in hours (2小时): on the day clock, due the day it is
	 * accepted. */
	doc = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	json_object_set_new(doc, "statutory_days", json_integer(1));
	json_object_set_new(doc, "promised_hours", json_integer(2));
	json_object_set_new(doc, "case_kind", json_string("promised"));
	publish_as(doc);
	json_decref(doc);
	j = call(&li, "POST", "/api/v1/cases", "{\"item\":\"" CITY_ITEM "\",\"channel\":\"web\"}",
	         201);
	char hours_path[128];
	snprintf(hours_path, sizeof(hours_path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&li, "GET", hours_path, NULL, 200);
	json_t *clock = json_object_get(j, "clock");
	assert_true(json_is_integer(json_object_get(clock, "promised_days")));
	assert_int_equal(json_integer_value(json_object_get(clock, "promised_days")), 0);
	assert_int_equal(json_integer_value(json_object_get(clock, "statutory_days")), 1);
	json_decref(j);

	/* 即办件、承诺件: the deciding situation is required, and a case of it
	 * is handled as promised. */
	doc = call(NULL, "GET", "/api/v1/items/" CITY_ITEM, NULL, 200);
	json_object_set_new(doc, "statutory_days", json_integer(20));
	json_object_set_new(doc, "promised_days", json_integer(3));
	json_object_set_new(doc, "case_kind", json_string("either"));
	json_object_del(doc, "version");
	json_object_del(doc, "state");
	char *body = json_dumps(doc, JSON_COMPACT);
	j = call(&manager, "PUT", "/api/v1/items/" CITY_ITEM, body, 400);
	assert_string_equal(test_str(j, "field"), "case_kind_condition");
	json_decref(j);
	free(body);
	json_object_set_new(doc, "case_kind_condition",
	                    json_string("材料齐全当场办结，需核查的承诺办理"));
	publish_as(doc);
	json_decref(doc);
	j = call(&citizen, "POST", "/api/v1/cases",
	         "{\"item\":\"" CITY_ITEM "\",\"channel\":\"web\"}", 201);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&citizen, "GET", path, NULL, 200);
	assert_string_equal(test_str(j, "case_kind"), "promised");
	json_decref(j);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unstated_members_stay_unstated),
	    cmocka_unit_test(province_rule_blocks_publication),
	    cmocka_unit_test(time_and_codes_as_published),
	    cmocka_unit_test(conditional_material_follows_the_form),
	};
	int failed = cmocka_run_group_tests_name("completeness/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("completeness/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
