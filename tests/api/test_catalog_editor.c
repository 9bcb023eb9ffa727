/* What the catalog editor (/catalog/) asks of the API, against the real
 * binary with --demo on SQLite and PostgreSQL: the managers' list of the
 * latest version of every item of their region, drafts included
 * (GET /api/v1/items?latest=true), who may ask for it, and an edit that
 * round-trips the document (load, change one member, PUT) leaving every
 * other member as it was. */
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
#define WEST_ITEM "11330106024892795E4010010201000" /* 西湖区 个体工商户设立登记 */
#define CITY_ITEM "1133010002485155523100052101000" /* 杭州市 养犬登记 */

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *url)
{
	srv_start(&srv, url, "--demo", NULL);
	if (test_login(&srv, "330102198505054022", "tongban-demo", &manager) != 200 ||
	    test_login(&srv, "330106198202027014", "tongban-demo", &admin) != 200 ||
	    test_login(&srv, "33010619900101123X", "tongban-demo", &citizen) != 200)
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
	return start(test_pg_fresh("catalog_editor"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The entry of code in a list answer, or NULL. */
static json_t *entry(json_t *list, const char *code)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		if (strcmp(json_string_value(json_object_get(it, "implementation_code")), code) ==
		    0)
			return it;
	}
	return NULL;
}

static void latest_needs_read_draft(void **state)
{
	(void)state;
	const char *path = "/api/v1/items?latest=true&region=330100&per_page=100";
	json_decref(call(NULL, "GET", path, NULL, 401));
	json_decref(call(&citizen, "GET", path, NULL, 403));
	/* 孙目录 manages 杭州市, not the province above it. */
	json_decref(call(&manager, "GET", "/api/v1/items?latest=true&region=330000", NULL, 403));
	json_t *e = call(&manager, "GET", "/api/v1/items?latest=true", NULL, 400);
	assert_string_equal(test_str(e, "field"), "region");
	json_decref(e);
	e = call(&manager, "GET", "/api/v1/items?latest=yes&region=330100", NULL, 400);
	assert_string_equal(test_str(e, "field"), "latest");
	json_decref(e);
	/* The region and below only: a county's list holds no city item. */
	json_t *j = call(&manager, "GET", "/api/v1/items?latest=true&region=330106&per_page=100",
	                 NULL, 200);
	assert_non_null(entry(j, WEST_ITEM));
	assert_null(entry(j, CITY_ITEM));
	json_decref(j);
	j = call(&manager, "GET", path, NULL, 200);
	assert_non_null(entry(j, WEST_ITEM));
	assert_non_null(entry(j, CITY_ITEM));
	assert_string_equal(test_str(entry(j, WEST_ITEM), "state"), "published");
	json_decref(j);
}

static void draft_round_trip_and_list(void **state)
{
	(void)state;
	json_t *doc = call(NULL, "GET", "/api/v1/items/" WEST_ITEM, NULL, 200);
	json_object_del(doc, "version");
	json_object_del(doc, "state");
	/* Promised above statutory: refused, naming the member. */
	json_object_set_new(doc, "promised_days", json_integer(9));
	char *body = json_dumps(doc, JSON_COMPACT);
	json_t *e = call(&manager, "PUT", "/api/v1/items/" WEST_ITEM, body, 400);
	assert_string_equal(test_str(e, "field"), "promised_days");
	json_decref(e);
	free(body);
	json_object_set_new(doc, "promised_days", json_integer(2));
	body = json_dumps(doc, JSON_COMPACT);
	json_t *r = call(&manager, "PUT", "/api/v1/items/" WEST_ITEM, body, 200);
	assert_int_equal(json_integer_value(json_object_get(r, "version")), 2);
	json_decref(r);
	free(body);

	/* The draft is the latest version in the managers' list; the public
	 * list still shows the published one. */
	json_t *j =
	    call(&manager, "GET",
	         "/api/v1/items?latest=true&region=330100&q=%E4%B8%AA%E4%BD%93%E5%B7%A5%E5%95%86",
	         NULL, 200);
	json_t *it = entry(j, WEST_ITEM);
	assert_non_null(it);
	assert_string_equal(test_str(it, "state"), "draft");
	assert_int_equal(json_integer_value(json_object_get(it, "version")), 2);
	assert_int_equal(json_integer_value(json_object_get(it, "promised_days")), 2);
	json_decref(j);
	j = call(&admin, "GET", "/api/v1/items?latest=true&region=330000&per_page=100", NULL, 200);
	assert_string_equal(test_str(entry(j, WEST_ITEM), "state"), "draft");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/items?region=330106&per_page=100", NULL, 200);
	it = entry(j, WEST_ITEM);
	assert_non_null(it);
	assert_string_equal(test_str(it, "state"), "published");
	assert_int_equal(json_integer_value(json_object_get(it, "version")), 1);
	json_decref(j);

	/* Every other member came back as it was sent. */
	json_t *v2 = call(&manager, "GET", "/api/v1/items/" WEST_ITEM "?version=2", NULL, 200);
	json_object_del(v2, "version");
	json_object_del(v2, "state");
	assert_true(json_equal(v2, doc));
	json_decref(v2);
	json_decref(doc);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(latest_needs_read_draft),
	    cmocka_unit_test(draft_round_trip_and_list),
	};
	int failed =
	    cmocka_run_group_tests_name("catalog_editor/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("catalog_editor/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
