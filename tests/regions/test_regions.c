/* The region snapshot and importer: lookups of tests/regions/regions.tsv
 * after the built-in import, children lists, re-import that retires a
 * vanished code (kept and still found), and refused files that import
 * nothing. The importer runs on SQLite and on PostgreSQL. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "regions/regions.h"
#include "store/migrate.h"
#include "store/store.h"

#include <string.h>

static struct tb_store *fresh(const char *url)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(url, 2, &s, &f), TB_OK);
	assert_int_equal(tb_store_migrate(s, NULL), TB_OK);
	bool seeded = false;
	assert_int_equal(tb_regions_seed(s, &seeded), TB_OK);
	assert_true(seeded);
	assert_int_equal(tb_regions_seed(s, &seeded), TB_OK);
	assert_false(seeded); /* only once */
	return s;
}

static void lookups(struct tb_store *s)
{
	struct tb_regions *r;
	assert_int_equal(tb_regions_load(s, &r), TB_OK);
	assert_true(tb_regions_count(r) > 44000);
	struct tsv t;
	tsv_open(&t, "tests/regions/regions.tsv");
	int cases = 0;
	while (tsv_next(&t)) {
		cases++;
		const struct tb_region *g = tb_regions_find(r, t.field[0]);
		if (strcmp(t.field[1], "-") == 0) {
			if (g)
				fail_msg("%s:%d: %s should not be found", t.path, t.lineno,
				         t.field[0]);
			continue;
		}
		if (!g)
			fail_msg("%s:%d: %s not found", t.path, t.lineno, t.field[0]);
		assert_int_equal(t.nfields, 6);
		assert_string_equal(g->code, t.field[1]);
		assert_string_equal(g->name, t.field[2]);
		assert_string_equal(tb_region_level_name(g->level), t.field[3]);
		assert_string_equal(g->parent, t.field[4]);
		const struct tb_region *path[4];
		int n = tb_regions_path(r, g, path);
		char full[256] = "";
		for (int i = 0; i < n; i++)
			strncat(full, path[i]->name, sizeof(full) - strlen(full) - 1);
		if (strcmp(full, t.field[5]) != 0)
			fail_msg("%s:%d: path %s, expected %s", t.path, t.lineno, full, t.field[5]);
	}
	tsv_close(&t);
	assert_true(cases >= 20);

	/* Children: provinces at the top; Beijing's districts directly. */
	const struct tb_region *const *kids;
	assert_int_equal(tb_regions_children(r, NULL, &kids), 31);
	size_t n = tb_regions_children(r, tb_regions_find(r, "110000"), &kids);
	assert_int_equal(n, 16);
	assert_string_equal(kids[0]->name, "东城区");
	n = tb_regions_children(r, tb_regions_find(r, "330100"), &kids);
	assert_true(n >= 13);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(kids[i]->parent, "330100");
	assert_true(tb_region_within(r, "330106002", "330100"));
	assert_true(tb_region_within(r, "330106", "330000"));
	assert_false(tb_region_within(r, "330106", "110000"));
	tb_regions_free(r);
}

static void lookups_sqlite(void **state)
{
	(void)state;
	struct tb_store *s = fresh(test_sqlite_fresh());
	lookups(s);
	tb_store_close(s);
}

static void lookups_pg(void **state)
{
	(void)state;
	struct tb_store *s = fresh(test_pg_fresh("regions"));
	lookups(s);
	tb_store_close(s);
}

/* A tiny edition of the tables: 浙江省 with one city and two counties. */
static const char P[] = "code,name\n33,\"浙江省\"\n";
static const char C[] = "code,name,provinceCode\n3301,\"杭州市\",33\n";
static const char A2[] = "code,name,cityCode,provinceCode\n330102,\"上城区\",3301,33\n"
                         "330106,\"西湖区\",3301,33\n";
static const char A1[] = "code,name,cityCode,provinceCode\n330106,\"西湖区（新）\",3301,33\n";
static const char S[] = "code,name,areaCode,provinceCode,cityCode\n"
                        "330106002,\"北山街道\",330106,33,3301\n";

static void reimport(const char *url)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(url, 2, &s, &f), TB_OK);
	assert_int_equal(tb_store_migrate(s, NULL), TB_OK);
	struct tb_regions_source src = {P, C, A2, S, strlen(P), strlen(C), strlen(A2), strlen(S)};
	struct tb_regions_import_stats st;
	assert_int_equal(tb_regions_import(s, &src, &st, &f), TB_OK);
	assert_int_equal(st.upserted, 5);
	assert_int_equal(st.retired, 0);

	/* 上城区 disappears, 西湖区 is renamed. */
	src.areas = A1;
	src.areas_len = strlen(A1);
	assert_int_equal(tb_regions_import(s, &src, &st, &f), TB_OK);
	assert_int_equal(st.upserted, 4);
	assert_int_equal(st.retired, 1);
	struct tb_regions *r;
	assert_int_equal(tb_regions_load(s, &r), TB_OK);
	const struct tb_region *g = tb_regions_find(r, "330102");
	assert_non_null(g);
	assert_true(g->retired);
	assert_string_equal(tb_regions_find(r, "330106")->name, "西湖区（新）");
	const struct tb_region *const *kids;
	assert_int_equal(tb_regions_children(r, tb_regions_find(r, "330100"), &kids), 1);
	tb_regions_free(r);

	/* An empty table would retire every code it used to hold: refused. */
	src.streets = "code,name,areaCode,provinceCode,cityCode\n";
	src.streets_len = strlen(src.streets);
	assert_int_equal(tb_regions_import(s, &src, &st, &f), TB_EINVAL);
	assert_string_equal(f.reason, "streets.csv line 1: no rows");
	src.streets = S;
	src.streets_len = strlen(S);
	/* The first table empty too: no row read at all (found by fuzzing:
	 * the rows were sorted through a NULL array). */
	src.provinces = "code,name\n";
	src.provinces_len = strlen(src.provinces);
	assert_int_equal(tb_regions_import(s, &src, &st, &f), TB_EINVAL);
	assert_string_equal(f.reason, "provinces.csv line 1: no rows");
	src.provinces = P;
	src.provinces_len = strlen(P);

	/* Bad files import nothing and say where. */
	static const char bad_code[] =
	    "code,name,cityCode,provinceCode\n330106,\"西湖区\",3301,33\n"
	    "33010X,\"坏\",3301,33\n";
	static const char orphan[] = "code,name,cityCode,provinceCode\n340102,\"瑶海区\",3401,34\n";
	static const char bad_utf8[] =
	    "code,name,cityCode,provinceCode\n330106,\"\xff\xfe\",3301,33\n";
	static const char dup[] = "code,name,cityCode,provinceCode\n330106,\"a\",3301,33\n"
	                          "330106,\"b\",3301,33\n";
	const char *bads[] = {bad_code, orphan, bad_utf8, dup};
	const char *reasons[] = {"areas.csv line 3: code has the wrong length or a non-digit",
	                         "areas.csv line 2: parent code not found",
	                         "areas.csv line 2: name empty, too long or not clean UTF-8",
	                         "areas.csv line 3: a code appears twice"};
	for (int i = 0; i < 4; i++) {
		src.areas = bads[i];
		src.areas_len = strlen(bads[i]);
		memset(&f, 0, sizeof(f));
		assert_int_equal(tb_regions_import(s, &src, &st, &f), TB_EINVAL);
		assert_string_equal(f.field, "areas.csv");
		assert_string_equal(f.reason, reasons[i]);
	}
	assert_int_equal(tb_regions_load(s, &r), TB_OK);
	assert_int_equal(tb_regions_count(r), 5);
	assert_string_equal(tb_regions_find(r, "330106")->name, "西湖区（新）");
	tb_regions_free(r);
	tb_store_close(s);
}

static void reimport_sqlite(void **state)
{
	(void)state;
	reimport(test_sqlite_fresh());
}

static void reimport_pg(void **state)
{
	(void)state;
	reimport(test_pg_fresh("reimport"));
}

static void normalize(void **state)
{
	(void)state;
	char out[10];
	assert_true(tb_region_code_normalize("33", out));
	assert_string_equal(out, "330000");
	assert_true(tb_region_code_normalize("330106001", out));
	assert_string_equal(out, "330106001");
	assert_false(tb_region_code_normalize("3", out));
	assert_false(tb_region_code_normalize("33010", out));
	assert_false(tb_region_code_normalize("3301060010", out));
	assert_false(tb_region_code_normalize(NULL, out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(normalize),
	    cmocka_unit_test(lookups_sqlite),
	    cmocka_unit_test(reimport_sqlite),
	};
	const struct CMUnitTest pg[] = {
	    cmocka_unit_test(lookups_pg),
	    cmocka_unit_test(reimport_pg),
	};
	int failed = cmocka_run_group_tests_name("regions/sqlite", tests, NULL, NULL);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("regions/postgresql", pg, NULL, NULL);
	return failed ? 1 : 0;
}
