/* Catalog import and export on SQLite and PostgreSQL: the demo catalog
 * imports; export -> import into an empty store -> export gives identical
 * bytes; a file with bad records imports nothing and reports every one
 * with its position; importing twice is refused. Real service guides
 * (tests/catalog/guides, issue #16), written in format version 2 without
 * inventing anything: each imports into an empty store; its export holds
 * exactly the file (as JSON: what the guide leaves unstated stays null, the
 * platform's keys are not written); that export imported again exports the
 * same bytes. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/buf.h"
#include "catalog/exchange.h"

#include <jansson.h>
#include "regions/regions.h"
#include "store/migrate.h"
#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tb_regions *regions;
static struct tb_principal system_who = {.kind = TB_ANON};
static const struct tb_ctx ctx = {&system_who, "cli", "test"};

static struct tb_store *fresh(const char *url)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(url, 2, &s, &f), TB_OK);
	assert_int_equal(tb_store_migrate(s, NULL), TB_OK);
	bool seeded;
	assert_int_equal(tb_regions_seed(s, &seeded), TB_OK);
	if (!regions)
		assert_int_equal(tb_regions_load(s, &regions), TB_OK);
	return s;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct tb_buf b = TB_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tb_buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return tb_buf_take(&b);
}

/* (Not inlined: gcc 12 then mistakes the memstream's buffer for a
 * dangling pointer.) */
__attribute__((noinline)) static char *export_text(struct tb_store *s, const char *region,
                                                   size_t *len)
{
	char *data = NULL;
	FILE *mem = open_memstream(&data, len);
	assert_int_equal(tb_catalog_export(s, region, mem), TB_OK);
	fclose(mem);
	return data;
}

static void round_trip(const char *(*url)(void))
{
	size_t len;
	char *demo = slurp("data/demo/catalog.json", &len);
	/* One item as a real guide often is (issue #16): no fee line, no
	 * phone, no legal basis. It round-trips unstated, not as "free". */
	json_t *doc = json_loadb(demo, len, 0, NULL);
	json_t *first = json_array_get(json_object_get(doc, "items"), 0);
	json_object_set_new(first, "fees", json_null());
	json_object_del(first, "phone");
	json_object_set_new(first, "legal_basis", json_null());
	free(demo);
	demo = json_dumps(doc, JSON_INDENT(2));
	len = strlen(demo);
	json_decref(doc);
	struct tb_store *a = fresh(url());
	struct tb_import_report rep;
	assert_int_equal(tb_catalog_import(a, regions, &ctx, demo, len, &rep), TB_OK);
	assert_true(rep.items >= 40);
	assert_true(rep.departments >= 10);
	long items = rep.items;
	tb_import_report_free(&rep);

	/* The same file again: every item exists already; nothing written. */
	assert_int_equal(tb_catalog_import(a, regions, &ctx, demo, len, &rep), TB_EINVAL);
	assert_int_equal(rep.nerrors, (size_t)items);
	assert_non_null(strstr(rep.errors[0], "exists in the store already"));
	tb_import_report_free(&rep);

	size_t l1, l2;
	char *e1 = export_text(a, NULL, &l1);
	struct tb_store *b = fresh(url());
	assert_int_equal(tb_catalog_import(b, regions, &ctx, e1, l1, &rep), TB_OK);
	tb_import_report_free(&rep);
	char *e2 = export_text(b, NULL, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(e1, e2, l1);
	assert_non_null(strstr(e1, "\"fees\": null"));
	assert_non_null(strstr(e1, "\"phone\": null"));
	assert_non_null(strstr(e1, "\"legal_basis\": null"));

	/* A regional export holds only that region and imports on its own. */
	size_t l3;
	char *e3 = export_text(a, "330106", &l3);
	assert_true(l3 < l1);
	assert_null(strstr(e3, "\"region\": \"330102\""));
	struct tb_store *c = fresh(url());
	assert_int_equal(tb_catalog_import(c, regions, &ctx, e3, l3, &rep), TB_OK);
	assert_true(rep.items > 5 && rep.items < items);
	tb_import_report_free(&rep);

	free(e1);
	free(e2);
	free(e3);
	free(demo);
	tb_store_close(a);
	tb_store_close(b);
	tb_store_close(c);
}

static const char *sqlite_url(void)
{
	return test_sqlite_fresh();
}

static const char *pg_url(void)
{
	return test_pg_fresh("exchange");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first member where a and b differ, as a path (for the message). */
static void first_difference(json_t *a, json_t *b, struct tb_buf *path)
{
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *x;
		json_object_foreach(a, k, x) if (!json_equal(x, json_object_get(b, k)))
		{
			tb_buf_printf(path, ".%s", k);
			first_difference(x, json_object_get(b, k), path);
			return;
		}
		json_object_foreach(b, k, x) if (!json_object_get(a, k))
		{
			tb_buf_printf(path, ".%s (only in the export)", k);
			return;
		}
	} else if (json_is_array(a) && json_is_array(b)) {
		for (size_t i = 0; i < json_array_size(a) || i < json_array_size(b); i++)
			if (!json_equal(json_array_get(a, i), json_array_get(b, i))) {
				tb_buf_printf(path, "[%zu]", i);
				first_difference(json_array_get(a, i), json_array_get(b, i), path);
				return;
			}
	}
}

static void guides(const char *(*url)(void))
{
	DIR *d = opendir("tests/catalog/guides");
	assert_non_null(d);
	char *names[64];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 64)
		if (strstr(e->d_name, ".json"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), by_name);
	assert_true(n >= 12);
	json_t *provinces = json_object();
	for (int i = 0; i < n; i++) {
		char path[300];
		snprintf(path, sizeof(path), "tests/catalog/guides/%s", names[i]);
		json_error_t jerr;
		json_t *file = json_load_file(path, 0, &jerr);
		if (!file)
			fail_msg("%s: %s", path, jerr.text);
		const char *region = json_string_value(json_object_get(file, "region"));
		char prov[3] = {region[0], region[1], 0};
		json_object_set_new(provinces, prov, json_true());
		/* Each guide states where it was published and when. */
		json_t *src =
		    json_object_get(json_array_get(json_object_get(file, "items"), 0), "source");
		assert_non_null(json_string_value(json_object_get(src, "url")));
		assert_non_null(json_string_value(json_object_get(src, "retrieved")));

		char *text = json_dumps(file, 0);
		struct tb_store *a = fresh(url());
		struct tb_import_report rep;
		if (tb_catalog_import(a, regions, &ctx, text, strlen(text), &rep) != TB_OK)
			fail_msg("%s: %s", path, rep.nerrors ? rep.errors[0] : "store");
		tb_import_report_free(&rep);
		size_t l1, l2;
		char *e1 = export_text(a, region, &l1);
		json_t *back = json_loadb(e1, l1, 0, NULL);
		if (!json_equal(file, back)) {
			struct tb_buf where = TB_BUF_INIT;
			first_difference(file, back, &where);
			fail_msg("%s: the export differs at %s", path, where.data);
		}
		struct tb_store *b = fresh(url());
		assert_int_equal(tb_catalog_import(b, regions, &ctx, e1, l1, &rep), TB_OK);
		tb_import_report_free(&rep);
		char *e2 = export_text(b, region, &l2);
		assert_int_equal(l1, l2);
		assert_memory_equal(e1, e2, l1);
		json_decref(back);
		json_decref(file);
		free(text);
		free(e1);
		free(e2);
		free(names[i]);
		tb_store_close(a);
		tb_store_close(b);
	}
	/* At least six provinces. */
	assert_true(json_object_size(provinces) >= 6);
	json_decref(provinces);
}

static void guides_sqlite(void **state)
{
	(void)state;
	guides(sqlite_url);
}

static void guides_pg(void **state)
{
	(void)state;
	guides(pg_url);
}

static void round_trip_sqlite(void **state)
{
	(void)state;
	round_trip(sqlite_url);
}

static void round_trip_pg(void **state)
{
	(void)state;
	round_trip(pg_url);
}

/* Townships implement items too (issue #16): a street office and a
 * township government with their 9-digit codes (level township, use level
 * 5); a township level on a county's code is refused. */
static void townships_and_villages(const char *(*url)(void))
{
	size_t len;
	char *demo = slurp("data/demo/catalog.json", &len);
	json_t *root = json_loads(demo, 0, NULL);
	json_t *items = json_object_get(root, "items"),
	       *depts = json_object_get(root, "departments");
	json_t *model = NULL;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) if (!strcmp(json_string_value(json_object_get(it, "name")),
	                                             "最低生活保障申请")) model = it;
	assert_non_null(model);
	static const struct {
		const char *code, *name, *region, *level;
		int use_level;
	} bodies[] = {
	    {"11330106024900089G", "杭州市西湖区西湖街道办事处", "330106008", "township", 5},
	    {"11330106024900206A", "杭州市西湖区三墩镇人民政府", "330106109", "township", 5},
	};
	/* And a village service point (catalog format 2: no published credit
	 * code, named by the item; at its township's code, use level 6). */
	json_object_set_new(root, "format_version", json_integer(2));
	json_array_append_new(depts, json_pack("{s:n, s:s, s:s, s:s}", "credit_code", "name",
	                                       "杭州市西湖区西湖街道龙井村便民服务点", "region",
	                                       "330106008", "level", "village"));
	json_t *village = json_deep_copy(model);
	json_object_set_new(village, "implementation_code", json_null());
	json_object_set_new(village, "department", json_null());
	json_object_set_new(village, "department_name",
	                    json_string("杭州市西湖区西湖街道龙井村便民服务点"));
	json_object_set_new(village, "use_level", json_integer(6));
	json_object_del(village, "region");
	json_array_append_new(items, village);
	for (int k = 0; k < 2; k++) {
		json_array_append_new(depts,
		                      json_pack("{s:s, s:s, s:s, s:s}", "credit_code",
		                                bodies[k].code, "name", bodies[k].name, "region",
		                                bodies[k].region, "level", bodies[k].level));
		json_t *copy = json_deep_copy(model);
		char impl[40];
		snprintf(impl, sizeof(impl), "%s%d%s", bodies[k].code, bodies[k].use_level,
		         json_string_value(json_object_get(model, "basic_code")));
		json_object_set_new(copy, "implementation_code", json_string(impl));
		json_object_set_new(copy, "department", json_string(bodies[k].code));
		json_object_set_new(copy, "use_level", json_integer(bodies[k].use_level));
		json_object_del(copy, "region");
		json_array_append_new(items, copy);
	}
	char *text = json_dumps(root, 0);
	struct tb_store *s = fresh(url());
	struct tb_import_report rep;
	enum tb_err e = tb_catalog_import(s, regions, &ctx, text, strlen(text), &rep);
	for (size_t k = 0; k < rep.nerrors; k++)
		print_error("%s\n", rep.errors[k]);
	assert_int_equal(e, TB_OK);
	tb_import_report_free(&rep);
	size_t l;
	char *out = export_text(s, "330106", &l);
	assert_non_null(strstr(out, "\"region\": \"330106008\""));
	assert_non_null(strstr(out, "\"region\": \"330106109\""));
	assert_non_null(strstr(out, "\"level\": \"village\""));
	assert_non_null(strstr(out, "\"use_level\": 6"));
	free(out);
	tb_store_close(s);
	free(text);
	/* A township level, or a village, on a county's code. */
	size_t n = json_array_size(depts);
	json_object_set_new(json_array_get(depts, n - 1), "region", json_string("330106"));
	json_object_set_new(json_array_get(depts, n - 2), "region", json_string("330106"));
	json_object_set_new(json_array_get(depts, n - 3), "region", json_string("330106"));
	text = json_dumps(root, 0);
	s = fresh(url());
	assert_int_equal(tb_catalog_import(s, regions, &ctx, text, strlen(text), &rep), TB_EINVAL);
	int levels = 0;
	for (size_t k = 0; k < rep.nerrors; k++)
		levels += strstr(rep.errors[k], ".level: must be the level of the region") != NULL;
	assert_int_equal(levels, 3);
	tb_import_report_free(&rep);
	tb_store_close(s);
	free(text);
	json_decref(root);
	free(demo);
}

static void townships_sqlite(void **state)
{
	(void)state;
	townships_and_villages(sqlite_url);
}

static void townships_pg(void **state)
{
	(void)state;
	townships_and_villages(pg_url);
}

static void bad_records(void **state)
{
	(void)state;
	size_t len;
	char *demo = slurp("data/demo/catalog.json", &len);
	json_t *root = json_loads(demo, 0, NULL);
	json_t *items = json_object_get(root, "items");
	/* Three bad records in different places. */
	json_object_set_new(json_array_get(items, 20), "promised_days", json_integer(999));
	json_object_del(json_array_get(items, 7), "name");
	json_object_set_new(json_array_get(json_object_get(root, "departments"), 1), "region",
	                    json_string("999999"));
	char *text = json_dumps(root, 0);
	struct tb_store *s = fresh(test_sqlite_fresh());
	struct tb_import_report rep;
	assert_int_equal(tb_catalog_import(s, regions, &ctx, text, strlen(text), &rep), TB_EINVAL);
	bool d = false, i2 = false, i7 = false;
	for (size_t k = 0; k < rep.nerrors; k++) {
		d |= strstr(rep.errors[k], "departments[1].region") != NULL;
		i2 |= strstr(rep.errors[k], "items[20].promised_days") != NULL;
		i7 |= strstr(rep.errors[k], "items[7].name: required") != NULL;
	}
	assert_true(d && i2 && i7);
	tb_import_report_free(&rep);
	/* Nothing was written. */
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	/* (basic_items holds the row '' that items without a national basic
	 * item refer to, migration 021.) */
	static const char *const tables[] = {"departments", "basic_items WHERE code <> ''",
	                                     "items"};
	for (int k = 0; k < 3; k++) {
		char sql[80];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", tables[k]);
		struct tb_stmt *st;
		bool row;
		assert_int_equal(tb_conn_query(c, &st, &row, sql, ""), TB_OK);
		assert_int_equal(tb_stmt_int(st, 0), 0);
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	/* Not JSON at all; the wrong format. */
	assert_int_equal(tb_catalog_import(s, regions, &ctx, "{\"format\":", 10, &rep), TB_EINVAL);
	assert_true(rep.nerrors == 1 && strstr(rep.errors[0], "line 1"));
	tb_import_report_free(&rep);
	assert_int_equal(tb_catalog_import(s, regions, &ctx, "{\"format\":\"other\"}", 18, &rep),
	                 TB_EINVAL);
	assert_true(strstr(rep.errors[0], "format") != NULL);
	tb_import_report_free(&rep);
	tb_store_close(s);
	free(text);
	json_decref(root);
	free(demo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip_sqlite),
	    cmocka_unit_test(guides_sqlite),
	    cmocka_unit_test(townships_sqlite),
	    cmocka_unit_test(bad_records),
	};
	const struct CMUnitTest pg[] = {cmocka_unit_test(round_trip_pg),
	                                cmocka_unit_test(guides_pg),
	                                cmocka_unit_test(townships_pg)};
	int failed = cmocka_run_group_tests_name("exchange/sqlite", tests, NULL, NULL);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("exchange/postgresql", pg, NULL, NULL);
	tb_regions_free(regions);
	return failed ? 1 : 0;
}
