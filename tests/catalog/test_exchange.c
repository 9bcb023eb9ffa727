/* Catalog import and export on SQLite and PostgreSQL: the demo catalog
 * imports; export -> import into an empty store -> export gives identical
 * bytes; a file with bad records imports nothing and reports every one
 * with its position; importing twice is refused. */
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

static char *export_text(struct tb_store *s, const char *region, size_t *len)
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
	static const char *const tables[] = {"departments", "basic_items", "items"};
	for (int k = 0; k < 3; k++) {
		char sql[64];
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
	    cmocka_unit_test(bad_records),
	};
	const struct CMUnitTest pg[] = {cmocka_unit_test(round_trip_pg)};
	int failed = cmocka_run_group_tests_name("exchange/sqlite", tests, NULL, NULL);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("exchange/postgresql", pg, NULL, NULL);
	tb_regions_free(regions);
	return failed ? 1 : 0;
}
