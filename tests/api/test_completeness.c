/* Unknown is not none (issue #16), against the real binary with --demo on
 * SQLite and PostgreSQL: an item may leave its fees, phone, legal basis
 * (and the other members of tb_unstatable) unstated; the draft keeps them
 * null, never "free" or an invented number; the completeness report lists
 * what each item leaves unstated (drafts for the region's managers, the
 * published versions for everyone); a province's rule of what must be
 * stated before publication blocks a publish naming the member, and only
 * the province's own managers set it. */
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
static struct test_session manager, admin, citizen;
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
	assert_int_equal(json_array_size(json_object_get(j, "unstatable")), 8);
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

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unstated_members_stay_unstated),
	    cmocka_unit_test(province_rule_blocks_publication),
	};
	int failed = cmocka_run_group_tests_name("completeness/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("completeness/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
