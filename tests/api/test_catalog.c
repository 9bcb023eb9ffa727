/* The catalog over HTTP against the real binary with --demo, on SQLite and
 * PostgreSQL: public lists with every filter and Chinese search, the
 * lifecycle (draft -> published -> new version -> superseded -> withdrawn)
 * with its authorisation, rules refused with their field, the consistency
 * report, and the audit records of publication. */
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
static struct test_session manager, admin, citizen, clerk, supervisor;
#define NEW_BASIC   "200099001000"
#define WEST_MARKET "11330106024892795E"
#define NEW_CODE    WEST_MARKET "4" NEW_BASIC

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static json_int_t total(const char *path)
{
	json_t *j = call(NULL, "GET", path, NULL, 200);
	json_int_t t = json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	return t;
}

static int start(const char *url)
{
	srv_start(&srv, url, "--demo", NULL);
	if (test_login(&srv, "330102198505054022", "tongban-demo", &manager) != 200 ||
	    test_login(&srv, "330106198202027014", "tongban-demo", &admin) != 200 ||
	    test_login(&srv, "33010619900101123X", "tongban-demo", &citizen) != 200 ||
	    test_login(&srv, "330106198808081015", "tongban-demo", &clerk) != 200 ||
	    test_login(&srv, "330106198303036024", "tongban-demo", &supervisor) != 200)
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
	return start(test_pg_fresh("catalog"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

static void public_lists(void **state)
{
	(void)state;
	json_int_t all = total("/api/v1/items?per_page=100");
	assert_true(all >= 40);
	/* Pages add up. */
	json_t *p1 = call(NULL, "GET", "/api/v1/items?per_page=7&page=1", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(p1, "items")), 7);
	json_t *first = json_array_get(json_object_get(p1, "items"), 0);
	assert_non_null(json_object_get(first, "implementation_code"));
	assert_non_null(json_object_get(first, "basic_code"));
	assert_non_null(json_object_get(first, "name"));
	assert_true(json_is_array(json_object_get(first, "materials")));
	json_decref(p1);

	/* Region: 西湖区 sees its own, 杭州市's and 浙江省's items, not 上城区's. */
	json_int_t west = total("/api/v1/items?region=330106&per_page=100");
	json_int_t upper = total("/api/v1/items?region=330102&per_page=100");
	json_int_t city = total("/api/v1/items?region=330100&per_page=100");
	json_int_t prov_only = total("/api/v1/items?region=330000&department=113300000248000024");
	assert_true(west > 10 && west < all);
	assert_true(upper > 5 && upper < west);
	assert_true(city >= west); /* the city and everything below it */
	assert_int_equal(total("/api/v1/items?region=330000&per_page=100"), all);
	assert_int_equal(total("/api/v1/items?region=33&per_page=100"), all);
	assert_int_equal(total("/api/v1/items?q=%20%20"), all); /* empty search: no filter */
	assert_true(prov_only >= 1);
	json_t *w = call(NULL, "GET", "/api/v1/items?region=330106&per_page=100", NULL, 200);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(w, "items"), i, it)
	{
		const char *reg = json_string_value(json_object_get(it, "region"));
		assert_true(strcmp(reg, "330106") == 0 || strcmp(reg, "330100") == 0 ||
		            strcmp(reg, "330000") == 0);
	}
	json_decref(w);

	/* The other filters. */
	assert_true(total("/api/v1/items?department=" WEST_MARKET) >= 3);
	assert_true(total("/api/v1/items?department=10") >= 3);
	assert_true(total("/api/v1/items?item_type=05") >= 3);
	assert_true(total("/api/v1/items?item_type=20") >= 3);
	assert_true(total("/api/v1/items?service_object=2") >= 5);
	assert_true(total("/api/v1/items?online_depth=4") >= 5);
	json_t *birth =
	    call(NULL, "GET", "/api/v1/items?event=%E5%87%BA%E7%94%9F&per_page=100", NULL, 200);
	assert_true(json_integer_value(json_object_get(birth, "total")) >= 3);
	const char *d0 = NULL;
	bool two_departments = false;
	json_array_foreach(json_object_get(birth, "items"), i, it)
	{
		const char *d = json_string_value(json_object_get(it, "department"));
		if (d0 && strcmp(d0, d) != 0)
			two_departments = true;
		d0 = d;
	}
	assert_true(two_departments);
	json_decref(birth);
	json_t *ev = call(NULL, "GET", "/api/v1/events", NULL, 200);
	assert_true(json_array_size(json_object_get(ev, "items")) >= 5);
	json_decref(ev);

	/* Chinese search over names, conditions and materials. */
	assert_true(total("/api/v1/items?q=%E7%BB%93%E5%A9%9A%E7%99%BB%E8%AE%B0") >=
	            1); /* 结婚登记 */
	assert_true(total("/api/v1/items?q=%E4%B8%AA%E4%BD%93%E5%B7%A5%E5%95%86%E6%88%B7") >= 4);
	assert_true(total("/api/v1/items?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7") >=
	            2);                                       /* 营业执照 */
	assert_true(total("/api/v1/items?q=%E8%AF%81") >= 3); /* 证: in names */
	assert_int_equal(total("/api/v1/items?q=%E9%AD%94%E6%B3%95%E5%AD%A6%E6%A0%A1"), 0);
	/* SQL and FTS syntax are text. */
	assert_int_equal(total("/api/v1/items?q=%27%3B%20DROP%20TABLE%20items%3B%20--"), 0);
	assert_int_equal(total("/api/v1/items?q=NEAR%28a%20b%29%20OR%20%2A"), 0);
	assert_int_equal(total("/api/v1/items?q=%22%22%22"), 0);
	assert_true(total("/api/v1/items") == all);

	/* Bad filters. */
	json_decref(call(NULL, "GET", "/api/v1/items?region=999999", NULL, 400));
	json_decref(call(NULL, "GET", "/api/v1/items?per_page=1000", NULL, 400));
	json_decref(call(NULL, "GET", "/api/v1/items?online_depth=5", NULL, 400));
	json_decref(call(NULL, "GET", "/api/v1/items?department=nothing", NULL, 400));
	json_decref(call(NULL, "GET", "/api/v1/items?sort=name", NULL, 400));
	json_decref(
	    call(NULL, "GET", "/api/v1/items/short", NULL, 404)); /* a local code: none such */
	json_decref(call(NULL, "GET", "/api/v1/items/bad_code", NULL, 400));
	json_decref(call(NULL, "GET", "/api/v1/items/" NEW_CODE, NULL, 404));
}

/* A valid new item: the demo's 个体工商户设立登记 of 西湖区 moved to the
 * new basic item. */
static char *new_item(const char *department, int use_level)
{
	json_t *page =
	    call(NULL, "GET", "/api/v1/items?department=" WEST_MARKET "&item_type=01&per_page=100",
	         NULL, 200);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/items/%s",
	         json_string_value(json_object_get(
	             json_array_get(json_object_get(page, "items"), 0), "implementation_code")));
	json_decref(page);
	/* Lists carry summaries; the full document comes from the item. */
	json_t *src = call(NULL, "GET", path, NULL, 200);
	json_object_del(src, "version");
	json_object_del(src, "state");
	json_object_del(src, "region");
	json_object_del(src, "item_type");
	char code[40];
	snprintf(code, sizeof(code), "%s%d%s", department, use_level, NEW_BASIC);
	json_object_set_new(src, "implementation_code", json_string(code));
	json_object_set_new(src, "basic_code", json_string(NEW_BASIC));
	json_object_set_new(src, "department", json_string(department));
	json_object_set_new(src, "use_level", json_integer(use_level));
	json_object_set_new(src, "name", json_string("企业开办政策咨询"));
	char *s = json_dumps(src, JSON_COMPACT);
	json_decref(src);
	return s;
}

static void lifecycle(void **state)
{
	(void)state;
	static const char basic[] = "{\"code\":\"" NEW_BASIC "\",\"name\":\"企业开办政策咨询\","
	                            "\"item_type\":\"20\",\"parent_code\":null,"
	                            "\"legal_basis\":\"《优化营商环境条例》\"}";
	json_decref(call(NULL, "POST", "/api/v1/catalog/basic-items", basic, 401));
	json_decref(call(&citizen, "POST", "/api/v1/catalog/basic-items", basic, 403));
	json_decref(call(&admin, "POST", "/api/v1/catalog/basic-items", basic, 201));
	json_decref(call(&admin, "POST", "/api/v1/catalog/basic-items", basic, 409));
	json_decref(call(NULL, "GET", "/api/v1/catalog/basic-items/" NEW_BASIC, NULL, 200));

	char *item = new_item(WEST_MARKET, 4);
	json_decref(call(NULL, "POST", "/api/v1/items", item, 401));
	json_decref(call(&citizen, "POST", "/api/v1/items", item, 403));
	json_decref(call(&clerk, "POST", "/api/v1/items", item, 403));
	json_t *j = call(&manager, "POST", "/api/v1/items", item, 201);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "draft");
	json_decref(j);
	json_decref(call(&manager, "POST", "/api/v1/items", item, 409));

	/* A draft is not public. */
	json_decref(call(NULL, "GET", "/api/v1/items/" NEW_CODE, NULL, 404));
	json_decref(call(NULL, "GET", "/api/v1/items/" NEW_CODE "?version=1", NULL, 401));
	json_decref(call(&citizen, "GET", "/api/v1/items/" NEW_CODE "?version=1", NULL, 403));
	j = call(&manager, "GET", "/api/v1/items/" NEW_CODE "?version=1", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "draft");
	json_decref(j);

	json_decref(call(&clerk, "POST", "/api/v1/items/" NEW_CODE "/publish", NULL, 403));
	json_decref(call(&manager, "POST", "/api/v1/items/" NEW_CODE "/publish", NULL, 200));
	json_decref(call(&manager, "POST", "/api/v1/items/" NEW_CODE "/publish", NULL, 409));
	j = call(NULL, "GET", "/api/v1/items/" NEW_CODE, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "published");
	json_decref(j);
	/* 政策咨询 */
	assert_int_equal(total("/api/v1/items?q=%E6%94%BF%E7%AD%96%E5%92%A8%E8%AF%A2"), 1);

	/* Editing the published item makes version 2; the public still sees 1. */
	json_t *edit = json_loads(item, 0, NULL);
	json_object_set_new(edit, "name", json_string("企业开办政策咨询服务"));
	char *edited = json_dumps(edit, JSON_COMPACT);
	j = call(&manager, "PUT", "/api/v1/items/" NEW_CODE, edited, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/items/" NEW_CODE, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	json_decref(j);
	/* Editing the draft again keeps version 2. */
	j = call(&manager, "PUT", "/api/v1/items/" NEW_CODE, edited, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	json_decref(call(&manager, "POST", "/api/v1/items/" NEW_CODE "/publish", NULL, 200));
	j = call(NULL, "GET", "/api/v1/items/" NEW_CODE, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "企业开办政策咨询服务");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/items/" NEW_CODE "?version=1", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "superseded");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/items/" NEW_CODE "/versions", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "versions")), 2);
	json_decref(j);

	/* Withdrawn: gone from the public catalog. */
	json_decref(call(&citizen, "POST", "/api/v1/items/" NEW_CODE "/withdraw", NULL, 403));
	json_decref(call(&manager, "POST", "/api/v1/items/" NEW_CODE "/withdraw", NULL, 200));
	json_decref(call(NULL, "GET", "/api/v1/items/" NEW_CODE, NULL, 404));
	assert_int_equal(total("/api/v1/items?q=%E6%94%BF%E7%AD%96%E5%92%A8%E8%AF%A2"), 0);
	json_decref(call(&manager, "POST", "/api/v1/items/" NEW_CODE "/withdraw", NULL, 409));

	/* Publication is audited. */
	j = call(&supervisor, "GET", "/api/v1/audit?object=item:" NEW_CODE ":2", NULL, 200);
	bool published = false;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "items"), i, e) published |=
	    strcmp(json_string_value(json_object_get(e, "action")), "catalog.item.publish") == 0;
	assert_true(published);
	json_decref(j);

	/* The city's catalog manager may not write a provincial item; the
	 * province's administrator may. */
	char *prov = new_item("113300000248000024", 2);
	json_decref(call(&manager, "POST", "/api/v1/items", prov, 403));
	json_decref(call(&admin, "POST", "/api/v1/items", prov, 201));
	free(prov);
	json_decref(edit);
	free(edited);
	free(item);
}

static void rules_over_http(void **state)
{
	(void)state;
	char *item = new_item(WEST_MARKET, 4);
	static const struct {
		const char *key, *value, *field;
	} cases[] = {
	    {"promised_days", "99", "promised_days"},
	    {"required_visits", "2", "required_visits"},
	    {"use_level", "3", "use_level"},
	    {"basic_code", "\"990010201000\"", "basic_code"},
	    {"implementation_code", "\"" WEST_MARKET "4010010201001\"", "implementation_code"},
	    {"surprise", "true", "surprise"},
	    {"name", "null", "name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loads(item, 0, NULL);
		json_object_set_new(j, cases[i].key,
		                    json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
		char *body = json_dumps(j, JSON_COMPACT);
		json_t *r = call(&manager, "PUT", "/api/v1/items/" NEW_CODE, body, 400);
		assert_string_equal(json_string_value(json_object_get(r, "field")), cases[i].field);
		json_decref(r);
		free(body);
		json_decref(j);
	}
	json_decref(call(&manager, "POST", "/api/v1/items", "{\"name\":", 400));
	free(item);
}

static void consistency(void **state)
{
	(void)state;
	/* 个体工商户设立登记: 余杭区 differs on purpose. */
	json_t *page = call(NULL, "GET",
	                    "/api/v1/items?q=%E4%B8%AA%E4%BD%93%E5%B7%A5%E5%95%86%E6%88%B7%E8%AE%BE"
	                    "%E7%AB%8B&region=330110",
	                    NULL, 200);
	json_t *first = json_array_get(json_object_get(page, "items"), 0);
	char path[200];
	snprintf(path, sizeof(path), "/api/v1/catalog/consistency?basic_code=%s&region=330100",
	         json_string_value(json_object_get(first, "basic_code")));
	json_decref(page);
	json_t *j = call(NULL, "GET", path, NULL, 200);
	assert_true(json_integer_value(json_object_get(j, "count")) >= 4);
	assert_true(json_is_false(json_object_get(j, "consistent")));
	bool promised = false, materials = false, visits = false;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(j, "differences"), i, d)
	{
		const char *f = json_string_value(json_object_get(d, "field"));
		promised |= strcmp(f, "promised_days") == 0;
		materials |= strcmp(f, "materials") == 0;
		visits |= strcmp(f, "required_visits") == 0;
		/* The odd one out stands alone in its variant. */
		assert_int_equal(json_array_size(json_object_get(d, "variants")), 2);
	}
	assert_true(promised && materials && visits);
	json_decref(j);
	/* Under 西湖区 alone there is one implementation: consistent. */
	snprintf(path + strlen(path) - 6, 7, "330106");
	j = call(NULL, "GET", path, NULL, 200);
	assert_true(json_is_true(json_object_get(j, "consistent")));
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/catalog/consistency?basic_code=12", NULL, 400));
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(public_lists),
	    cmocka_unit_test(lifecycle),
	    cmocka_unit_test(rules_over_http),
	    cmocka_unit_test(consistency),
	};
	int failed = cmocka_run_group_tests_name("catalog/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("catalog/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
