/* The most used services (GET /api/v1/popular-items, issue #13) over HTTP
 * against the real binary with --demo, on SQLite and PostgreSQL: items
 * ordered by the cases submitted in them within the window (drafts do not
 * count), the region rule of the catalog lists, the catalog order filling
 * up after the items with cases, a withdrawn item left out, and the
 * refusals of bad parameters. */
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

#define BIRTH "1133010002486186853200032801000" /* 生育登记, 杭州市卫健委 (330100) */
#define ZHANG "33010619900101123X"

static struct test_srv srv;
static struct test_session clerk, cataloguer;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *db)
{
	const struct test_who who[] = {{"330106198808081015", &clerk},
	                               {"330102198505054022", &cataloguer}};
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
	return start(test_pg_fresh("popular"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The entries of GET path (checked: most cases first, every count at
 * least 0, the items with cases before those without). */
static json_t *popular(const char *path)
{
	json_t *j = call(NULL, "GET", path, NULL, 200);
	json_t *items = json_incref(json_object_get(j, "items"));
	assert_non_null(items);
	json_int_t prev = -1;
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x)
	{
		json_int_t n = json_integer_value(json_object_get(x, "cases"));
		assert_true(json_is_integer(json_object_get(x, "cases")) && n >= 0);
		if (i)
			assert_true(n <= prev);
		prev = n;
		assert_string_equal(test_str(x, "state"), "published");
	}
	json_decref(j);
	return items;
}

/* The cases of item code in the entries, or -1 when it is not there. */
static json_int_t cases_of(json_t *items, const char *code)
{
	size_t i;
	json_t *x;
	json_array_foreach(
	    items, i, x) if (!strcmp(test_str(x, "implementation_code"),
	                             code)) return json_integer_value(json_object_get(x, "cases"));
	return -1;
}

/* The window opens a case of 生育登记 for 张三; submitted unless draft. */
static void open_birth(bool submit)
{
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", 201);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", test_str(j, "case_no"));
	json_decref(j);
	if (submit)
		json_decref(call(&clerk, "POST", path, "{}", 200));
}

/* Two submitted cases of 生育登记 raise it by two in every region it is
 * offered in (拱墅区 and 西湖区 below 杭州市, the province, the whole
 * platform), within a one-day window too; a draft counts nothing; 北京's
 * list does not hold it. */
static void counts_submitted_cases(void **state)
{
	(void)state;
	const char *paths[] = {"/api/v1/popular-items?region=330105&limit=20",
	                       "/api/v1/popular-items?region=330106&limit=20",
	                       "/api/v1/popular-items?region=330000&limit=20",
	                       "/api/v1/popular-items?limit=20&days=1"};
	json_int_t before[4];
	for (int k = 0; k < 4; k++) {
		json_t *items = popular(paths[k]);
		before[k] = cases_of(items, BIRTH);
		if (before[k] < 0)
			before[k] = 0; /* not among the first 20: no cases, or few */
		json_decref(items);
	}
	open_birth(true);
	open_birth(true);
	open_birth(false);
	for (int k = 0; k < 4; k++) {
		json_t *items = popular(paths[k]);
		json_int_t now = cases_of(items, BIRTH);
		if (now != before[k] + 2)
			fail_msg("%s: 生育登记 has %lld cases, expected %lld", paths[k],
			         (long long)now, (long long)before[k] + 2);
		json_decref(items);
	}
	json_t *items = popular("/api/v1/popular-items?region=110101&limit=20");
	assert_int_equal(cases_of(items, BIRTH), -1);
	json_decref(items);

	json_t *j = call(NULL, "GET", "/api/v1/popular-items?region=330105", NULL, 200);
	assert_string_equal(test_str(j, "region"), "330105");
	assert_int_equal(json_integer_value(json_object_get(j, "days")), 90);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 8);
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/popular-items", NULL, 200);
	assert_true(json_is_null(json_object_get(j, "region")));
	json_decref(j);
}

/* Whether the array of strings list[0..n) holds s. */
static bool among(const char *const *list, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(list[k], s))
			return true;
	return false;
}

/* After the items with cases come the region's other items in the
 * catalog's own order (GET /api/v1/items), one per basic item. */
static void catalog_order_fills_up(void **state)
{
	(void)state;
	json_t *items = popular("/api/v1/popular-items?region=330102&limit=20");
	json_t *cat = call(NULL, "GET", "/api/v1/items?region=330102&per_page=100", NULL, 200);
	json_t *list = json_object_get(cat, "items");
	const char *basics[20], *want[20];
	size_t n = 0, i;
	json_t *x;
	json_array_foreach(items, i, x) if (json_integer_value(json_object_get(x, "cases")) > 0)
	{
		want[n] = test_str(x, "implementation_code");
		basics[n++] = test_str(x, "basic_code");
	}
	assert_true(n < 20); /* some room for the catalog's own order */
	json_array_foreach(list, i, x)
	{
		if (n == 20)
			break;
		if (among(basics, n, test_str(x, "basic_code")))
			continue;
		want[n] = test_str(x, "implementation_code");
		basics[n++] = test_str(x, "basic_code");
	}
	assert_int_equal(json_array_size(items), n);
	json_array_foreach(items, i, x)
	    assert_string_equal(test_str(x, "implementation_code"), want[i]);
	json_decref(cat);
	json_decref(items);
}

/* 个体工商户设立登记 is implemented by 西湖区, 上城区, 拱墅区 and 余杭区:
 * over the province and the whole platform it is one entry, the most used
 * implementation (西湖区's); no basic item comes twice. */
static void one_entry_per_service(void **state)
{
	(void)state;
	const char *paths[] = {"/api/v1/popular-items?region=330000&limit=20",
	                       "/api/v1/popular-items?limit=20"};
	for (int k = 0; k < 2; k++) {
		json_t *items = popular(paths[k]);
		const char *basics[20];
		size_t n = 0, i;
		json_t *x;
		json_array_foreach(items, i, x)
		{
			const char *b = test_str(x, "basic_code");
			if (among(basics, n, b))
				fail_msg("%s: basic item %s twice", paths[k], b);
			basics[n++] = b;
		}
		assert_int_equal(n, 20);
		assert_int_equal(cases_of(items, "11330102024923723T4010010201000"), -1);
		assert_true(cases_of(items, "11330106024892795E4010010201000") > 0);
		json_decref(items);
	}
}

/* A withdrawn item is no service any more, whatever its cases. */
static void withdrawn_left_out(void **state)
{
	(void)state;
	json_t *items = popular("/api/v1/popular-items?region=330100&limit=20");
	assert_true(cases_of(items, BIRTH) >= 2);
	json_decref(items);
	json_decref(call(&cataloguer, "POST", "/api/v1/items/" BIRTH "/withdraw", NULL, 200));
	items = popular("/api/v1/popular-items?region=330100&limit=20");
	assert_int_equal(cases_of(items, BIRTH), -1);
	json_decref(items);
}

static void refuses_bad_parameters(void **state)
{
	(void)state;
	static const struct {
		const char *query, *field;
	} bad[] = {
	    {"region=999999", "region"}, {"region=3", "region"}, {"days=0", "days"},
	    {"days=367", "days"},        {"days=x", "days"},     {"limit=0", "limit"},
	    {"limit=21", "limit"},       {"sort=name", "sort"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/popular-items?%s", bad[i].query);
		json_t *j = call(NULL, "GET", path, NULL, 400);
		assert_string_equal(test_str(j, "field"), bad[i].field);
		json_decref(j);
	}
	json_decref(call(NULL, "POST", "/api/v1/popular-items", "{}", 405));
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counts_submitted_cases), cmocka_unit_test(catalog_order_fills_up),
	    cmocka_unit_test(one_entry_per_service),  cmocka_unit_test(withdrawn_left_out),
	    cmocka_unit_test(refuses_bad_parameters),
	};
	int failed = cmocka_run_group_tests_name("popular/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("popular/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
