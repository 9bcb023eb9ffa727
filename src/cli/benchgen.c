/* `tongban bench-catalog [--counties N] [--items M] [--data DIR | --db URL]`:
 * fills a store (which already holds the demo catalog) with a large
 * synthetic catalog for `make bench`: one market-regulation department per
 * real county-level region and, for each, M implementation items copied
 * from the demo catalog's items (their own codes, department, region and
 * use level). Written through the catalog's own insert, so rows, search
 * terms and indexes are what real data would make. */
#include "app/app.h"
#include "base/asset.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/store_opts.h"
#include "base/date.h"
#include "base/buf.h"
#include "cases/indicators.h"
#include "codes/credit.h"
#include "codes/idnum.h"
#include "regions/regions.h"
#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "usage: tongban bench-catalog [--counties N] [--townships T] [--items M] [--data DIR]"
    " [--db URL]\n"
    "  adds N county and T township departments x M items to a store holding the demo\n"
    "  catalog\n";

/* A department credit code for region: registration dept 1, category 1. */
static void code_for(const char *region, int serial, char out[19])
{
	char body[9], first17[18];
	snprintf(body, sizeof(body), "%08d", 50000000 + serial);
	char org = tb_credit_org_check_char(body);
	snprintf(first17, sizeof(first17), "11%.6s%s%c", region, body, org);
	snprintf(out, 19, "%s%c", first17, tb_credit_check_char(first17));
}

/* The options both generators take: the store's, two counts and --help.
 * Returns -1 to go on, or the exit status (0 after --help, 2 on an
 * unknown option, usage printed). */
static int count_opts(int argc, char **argv, const char *usage, const char *name1, long *v1,
                      const char *name2, long *v2, struct tb_app_options *ao)
{
	/* name2 NULL: one count only (the help entry takes its place). */
	const struct option longopts[] = {
	    TB_STORE_LONGOPTS,
	    {name1, required_argument, NULL, '1'},
	    name2 ? (struct option){name2, required_argument, NULL, '2'}
	          : (struct option){"help", no_argument, NULL, 'h'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (tb_store_opt(ao, ch, optarg))
			continue;
		if (ch == '1' || ch == '2') {
			*(ch == '1' ? v1 : v2) = strtol(optarg, NULL, 10);
			continue;
		}
		fprintf(ch == 'h' ? stdout : stderr, "%s", usage);
		return ch == 'h' ? 0 : 2;
	}
	return -1;
}

int tb_cmd_bench_catalog(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	long counties = 3000, per = 40, townships = 0;
	/* --townships N is taken out before the common options are read. */
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--townships") == 0) {
			townships = strtol(argv[i + 1], NULL, 10);
			memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 2) * sizeof(*argv));
			argc -= 2;
			break;
		}
	int rc = count_opts(argc, argv, USAGE, "counties", &counties, "items", &per, &ao);
	if (rc >= 0)
		return rc;
	if (counties < 1 || counties > 5000 || townships < 0 || townships > 40000 || per < 1 ||
	    per > 54) {
		fprintf(stderr, "tongban bench-catalog: --counties 1..5000, --townships 0..40000,"
		                " --items 1..54\n");
		return 2;
	}
	const struct tb_asset *demo = tb_asset_find("data/demo/catalog.json");
	json_t *file = demo ? json_loadb(demo->data, demo->size, 0, NULL) : NULL;
	if (!file)
		return 1;
	struct tb_app *app;
	struct tb_fail f = {0};
	ao.demo = true; /* the templates' basic items come with the demo catalog */
	if (tb_app_open(&ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban bench-catalog: %s\n", f.reason ? f.reason : "store");
		json_decref(file);
		return 1;
	}
	/* One template per basic item: a county offers each basic item once. */
	json_t *all = json_object_get(file, "items"), *templates = json_array(),
	       *seen = json_object();
	size_t ti;
	json_t *tv;
	json_array_foreach(all, ti, tv)
	{
		const char *b = json_string_value(json_object_get(tv, "basic_code"));
		if (!json_object_get(seen, b)) {
			json_object_set_new(seen, b, json_true());
			json_array_append(templates, tv);
		}
	}
	json_decref(seen);
	if ((size_t)per > json_array_size(templates))
		per = (long)json_array_size(templates);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(app->store, &c);
	const struct tb_region *const *provinces;
	size_t np = tb_regions_children(app->regions, NULL, &provinces);
	long made = 0, depts = 0;
	int64_t now = (int64_t)time(NULL);
	e = e == TB_OK ? tb_conn_begin(c) : e;
	/* The county-level regions: provinces -> cities -> counties, and the
	 * counties directly under a province. Past the last one a second
	 * department (行政审批局) per county takes its turn. */
	const struct tb_region **leaves = calloc(8192, sizeof(*leaves));
	size_t nleaves = 0;
	for (size_t p = 0; p < np; p++) {
		const struct tb_region *const *mid;
		size_t nm = tb_regions_children(app->regions, provinces[p], &mid);
		for (size_t m = 0; m < nm; m++) {
			const struct tb_region *const *leaf = &mid[m];
			size_t nl = 1;
			if (mid[m]->level == TB_REGION_CITY)
				nl = tb_regions_children(app->regions, mid[m], &leaf);
			for (size_t k = 0; k < nl && nleaves < 8192; k++)
				if (leaf[k]->level == TB_REGION_COUNTY &&
				    strcmp(leaf[k]->code, "330106"))
					leaves[nleaves++] = leaf[k];
		}
	}
	/* Then the townships (街道, 乡镇) below them: a township's service
	 * centre offers items too (use level 5), and a province has hundreds
	 * of them. */
	const struct tb_region **towns = calloc((size_t)townships + 1, sizeof(*towns));
	size_t ntowns = 0;
	for (size_t k = 0; k < nleaves && ntowns < (size_t)townships; k++) {
		const struct tb_region *const *kids;
		size_t nk = tb_regions_children(app->regions, leaves[k], &kids);
		for (size_t j = 0; j < nk && ntowns < (size_t)townships; j++)
			towns[ntowns++] = kids[j];
	}
	for (long n = 0; e == TB_OK && nleaves && n < counties + (long)ntowns; n++) {
		bool town = n >= counties;
		const struct tb_region *g =
		    town ? towns[n - counties] : leaves[(size_t)n % nleaves];
		char code[19], name[160], county[7];
		snprintf(county, sizeof(county), "%.6s", g->code);
		code_for(county, (int)n, code);
		snprintf(name, sizeof(name), "%s%s", g->name,
		         town                  ? "便民服务中心"
		         : (size_t)n < nleaves ? "市场监督管理局"
		                               : "行政审批局");
		struct tb_stmt *st;
		bool row = false;
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO departments (name, credit_code, region, level, created_at)"
		    " VALUES (?, ?, ?, ?, ?) RETURNING id",
		    "ssssi", name, code, g->code, town ? "township" : "county", now);
		int64_t dept = row ? tb_stmt_int(st, 0) : 0;
		if (e == TB_OK)
			tb_stmt_reset(st);
		depts++;
		for (long t = 0; e == TB_OK && t < per; t++) {
			json_t *it = json_deep_copy(json_array_get(templates, (size_t)t));
			const char *basic = json_string_value(json_object_get(it, "basic_code"));
			char impl[40], type[3] = {basic[0], basic[1], 0};
			snprintf(impl, sizeof(impl), "%s%d%s", code, town ? 5 : 4, basic);
			json_object_del(it, "version");
			json_object_del(it, "state");
			json_object_set_new(it, "implementation_code", json_string(impl));
			json_object_set_new(it, "department", json_string(code));
			json_object_set_new(it, "region", json_string(g->code));
			json_object_set_new(it, "use_level", json_integer(town ? 5 : 4));
			json_object_set_new(it, "item_type", json_string(type));
			e = tb_item_insert(c, it, dept, 1, "published", now, now);
			json_decref(it);
			made++;
		}
		if (e == TB_OK && depts % 200 == 0) {
			/* Commit in batches: bounded transactions. */
			e = tb_conn_commit(c);
			if (e == TB_OK)
				e = tb_conn_begin(c);
		}
	}
	free(leaves);
	free(towns);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	tb_app_close(app);
	json_decref(templates);
	json_decref(file);
	if (e != TB_OK) {
		fprintf(stderr, "tongban bench-catalog: %s\n", tb_err_message(e));
		return 1;
	}
	printf("bench catalog: %ld departments, %ld items\n", depts, made);
	return 0;
}

/* The handled cases i = from..to-1 of bench-cases, made on the server
 * (PostgreSQL) a million a statement: the same columns as the loop of
 * tb_cmd_bench_cases, computed in SQL from i. */
static enum tb_err pg_cases(struct tb_conn *c, const char *item, const char *form,
                            const char *materials, const char *required, const int64_t *depts,
                            int ndepts, int64_t reviewer, long from, long to, int64_t now)
{
	struct tb_buf arr = TB_BUF_INIT;
	tb_buf_adds(&arr, "ARRAY[");
	for (int d = 0; d < ndepts; d++)
		tb_buf_printf(&arr, "%s%lld", d ? "," : "", (long long)depts[d]);
	tb_buf_adds(&arr, "]::bigint[]");
	struct tb_buf sql = TB_BUF_INIT;
	/* open: states 7, 8 and 9 of the ten (under_review, accepted,
	 * submitted); the department is depts[i % n]. */
	tb_buf_printf(
	    &sql,
	    "INSERT INTO cases (case_no, query_hash, item_code, item_version, item_name,"
	    " department_id, region, applicant_id, created_by, channel, state, case_kind,"
	    " promised_days, statutory_days, extension_days, form, materials, required, "
	    "accepted_on,"
	    " promised_due, statutory_due, queue_due, created_at, updated_at, submitted_at,"
	    " finished_at, mat_required, mat_library, assignee_id)"
	    " SELECT ?::text || lpad((2000 + i / 9999 / 336)::text, 4, '0')"
	    " || lpad((1 + (i / 9999 / 28) %% 12)::text, 2, '0') || lpad((1 + (i / 9999) %% "
	    "28)::text,"
	    " 2, '0') || lpad((1 + i %% 9999)::text, 4, '0'), '-', ?, 1, '个体工商户设立登记',"
	    " (%s)[(i %% %d + 1)::int], '330106', 1 + i %% 3, 1 + i %% 3, 'web',"
	    " (ARRAY['completed','completed','completed','completed','completed','not_accepted',"
	    "'withdrawn','under_review','accepted','submitted'])[(i %% 10 + 1)::int], 'promised', "
	    "1, 3, 0,"
	    " ?, ?, ?, due, due, due, CASE WHEN i %% 10 >= 7 THEN due END, ?, ?,"
	    " ? - (i %% 366) * 86400,"
	    " CASE WHEN i %% 10 >= 7 THEN 0 ELSE least(? - (i %% 366) * 86400 + (i %% 5) * 86400, "
	    "?) END,"
	    " 3, (i %% 3 = 0)::int,"
	    " CASE WHEN i %% 10 >= 7 AND (%s)[(i %% %d + 1)::int] = 10 AND i / 10 %% 4 = 0 THEN "
	    "?::bigint END"
	    " FROM (SELECT i, to_char(current_date + (i %% 60)::int - 20, 'YYYY-MM-DD') AS due"
	    " FROM generate_series(?::bigint, ?::bigint) AS i) AS g",
	    arr.data, ndepts, arr.data, ndepts);
	tb_buf_free(&arr);
	enum tb_err e = TB_OK;
	for (long lo = from; e == TB_OK && lo < to; lo += 1000000) {
		long hi = lo + 1000000 < to ? lo + 1000000 : to;
		e = tb_conn_run(c, NULL, sql.data, "sssssiiiiiIii", item, item, form, materials,
		                required, now, now, now, now, now, reviewer, (int64_t)lo,
		                (int64_t)(hi - 1));
		if (e == TB_OK)
			fprintf(stderr, "bench cases: %ld of %ld handled cases\n", hi - from,
			        to - from);
	}
	tb_buf_free(&sql);
	return e;
}

static const char CASES_USAGE[] =
    "usage: tongban bench-cases [--drafts N] [--cases M] [--data DIR] [--db URL]\n"
    "  adds N drafts of 个体工商户设立登记 ready to submit (their numbers go to\n"
    "  stdout) and M handled cases spread over the demo departments\n";

/* Rows written straight with SQL in large transactions: the benchmark
 * needs a store of a given size, not a replay of a million requests. */
int tb_cmd_bench_cases(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	long drafts = 20000, cases = 1000000;
	int rc = count_opts(argc, argv, CASES_USAGE, "drafts", &drafts, "cases", &cases, &ao);
	if (rc >= 0)
		return rc;
	if (drafts < 0 || drafts > 1000000 || cases < 0 || cases > 20000000) {
		fprintf(stderr, "tongban bench-cases: --drafts 0..1000000, --cases 0..20000000\n");
		return 2;
	}
	struct tb_app *app;
	struct tb_fail f = {0};
	ao.demo = true;
	if (tb_app_open(&ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban bench-cases: %s\n", f.reason ? f.reason : "store");
		return 1;
	}
	static const char item[] = "11330106024892795E4010010201000";
	static const char materials[] =
	    "[{\"name\":\"个体工商户登记（备案）申请书\",\"source\":\"upload\"},"
	    "{\"name\":\"经营者居民身份证\",\"source\":\"upload\"},"
	    "{\"name\":\"经营场所使用相关证明\",\"source\":\"upload\"}]";
	/* The item's application form filled in (its form_fields: a draft
	 * without them is refused at submission, which the bench must not
	 * measure). */
	static const char form[] =
	    "{\"经营者姓名\":\"张三\",\"经营者身份证件号码\":\"33010619900101123X\","
	    "\"联系电话\":\"13900000001\",\"经营场所\":\"浙江省杭州市西湖区文三路90号\","
	    "\"组成形式\":\"个人经营\",\"经营范围\":\"日用百货零售\",\"资金数额\":\"10\","
	    "\"从业人数\":\"2\"}";
	static const char required[] =
	    "[\"个体工商户登记（备案）申请书\",\"经营者居民身份证\",\"经营场所使用相关证明\"]";
	static const char *const states[] = {
	    "completed",    "completed", "completed",    "completed", "completed",
	    "not_accepted", "withdrawn", "under_review", "accepted",  "submitted"};
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(app->store, &c);
	int64_t now = (int64_t)time(NULL);
	long total = drafts + cases;
	int64_t depts[64];
	int ndepts = 0;
	struct tb_stmt *st;
	bool row;
	if (e == TB_OK &&
	    tb_conn_query(c, &st, &row, "SELECT id FROM departments ORDER BY id", "") == TB_OK) {
		while (row && ndepts < 64) {
			depts[ndepts++] = tb_stmt_int(st, 0);
			if (tb_stmt_step(st, &row) != TB_OK)
				break;
		}
		tb_stmt_reset(st);
	}
	if (ndepts == 0)
		e = TB_ESTORE;
	/* 赵审核, reviewer of 西湖区市场监督管理局 (the demo's department 10):
	 * a quarter of that department's open cases are his, so that the
	 * workbench's "mine" filter reads a real share of a large queue. */
	int64_t reviewer = 0;
	if (e == TB_OK && tb_conn_query(c, &st, &row, "SELECT id FROM accounts WHERE login = ?",
	                                "s", "330106198707072021") == TB_OK) {
		reviewer = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
	}
	/* On PostgreSQL the handled cases are made by the server itself, a
	 * million rows a statement (the same rows as the loop below makes, one
	 * round trip each, would take an hour at ten million). */
	bool server_side = tb_conn_kind(c) == TB_STORE_PG;
	long loop_end = server_side ? drafts : total;
	if (e == TB_OK && server_side && cases > 0)
		e = pg_cases(c, item, form, materials, required, depts, ndepts, reviewer, drafts,
		             total, now);
	for (long i = 0; e == TB_OK && i < loop_end; i++) {
		if (i % 10000 == 0) {
			if (i)
				e = tb_conn_commit(c);
			if (e == TB_OK)
				e = tb_conn_begin(c);
		}
		bool draft = i < drafts;
		const char *state = draft ? "draft" : states[i % 10];
		bool open = !strcmp(state, "under_review") || !strcmp(state, "accepted") ||
		            !strcmp(state, "submitted");
		char no[64], due[11];
		/* A date prefix no real case number uses: 2000-01-01 onwards, a
		 * year of 12 x 28 days of 9,999 cases each. */
		long day = i / 9999;
		snprintf(no, sizeof(no), "%s%04ld%02ld%02ld%04ld", item, 2000 + day / 336,
		         1 + (day / 28) % 12, 1 + day % 28, 1 + i % 9999);
		tb_date_format(tb_date_today() + (i % 60) - 20, due);
		int64_t dept = draft ? 10 : depts[i % ndepts];
		/* Submitted over the last year, finished within 4 days, a third of
		 * the identity cards from the library: the indicators have a year of
		 * days to sum (made from these rows at the end). */
		int64_t submitted = draft ? 0 : now - (i % 366) * 86400;
		int64_t finished = draft || open ? 0 : submitted + (i % 5) * 86400;
		int64_t assignee = open && dept == 10 && i / 10 % 4 == 0 ? reviewer : 0;
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO cases (case_no, query_hash, item_code, item_version,"
		    " item_name, department_id, region, applicant_id, created_by, channel,"
		    " state, case_kind, promised_days, statutory_days, extension_days, form,"
		    " materials, required, accepted_on, promised_due, statutory_due, queue_due,"
		    " created_at, updated_at, submitted_at, finished_at, mat_required, mat_library,"
		    " assignee_id)"
		    " VALUES (?, '-', ?, 1, '个体工商户设立登记', ?, '330106', ?, ?, 'web', ?,"
		    " 'promised', 1, 3, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ssiiissssssssiiIIiiI", no, item, dept,
		    draft ? (int64_t)1 : (int64_t)(1 + i % 3),
		    draft ? (int64_t)1 : (int64_t)(1 + i % 3), state, form, materials, required,
		    draft ? NULL : due, draft ? NULL : due, draft ? NULL : due, open ? due : NULL,
		    now, now, submitted, finished < now ? finished : now,
		    draft ? (int64_t)0 : (int64_t)3, (int64_t)(!draft && i % 3 == 0), assignee);
		if (draft && e == TB_OK)
			printf("%s\n", no);
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	/* The rows went around the transitions: count the indicators again. */
	if (e == TB_OK)
		e = tb_indicators_rebuild(app->store, NULL, NULL);
	tb_app_close(app);
	if (e != TB_OK) {
		fprintf(stderr, "tongban bench-cases: %s\n", tb_err_message(e));
		return 1;
	}
	fprintf(stderr, "bench cases: %ld drafts, %ld handled cases\n", drafts, cases);
	return 0;
}

static const char SHARING_USAGE[] =
    "usage: tongban bench-sharing [--subjects N] [--data DIR] [--db URL]\n"
    "  adds N records (made-up residents with valid identity numbers) to the\n"
    "  demo's 居民户籍信息 resource; prints the number of 张三's marriage case\n";

/* Records written straight with SQL, as for bench-cases. */
int tb_cmd_bench_sharing(int argc, char **argv)
{
	struct tb_app_options ao = {0};
	long subjects = 1000000;
	int rc = count_opts(argc, argv, SHARING_USAGE, "subjects", &subjects, NULL, NULL, &ao);
	if (rc >= 0)
		return rc;
	if (subjects < 1 || subjects > 5000000) {
		fprintf(stderr, "tongban bench-sharing: --subjects 1..5000000\n");
		return 2;
	}
	struct tb_app *app;
	struct tb_fail f = {0};
	ao.demo = true;
	if (tb_app_open(&ao, &app, &f) != TB_OK) {
		fprintf(stderr, "tongban bench-sharing: %s\n", f.reason ? f.reason : "store");
		return 1;
	}
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(app->store, &c);
	struct tb_stmt *st;
	bool row = false;
	int64_t resource = 0;
	char no[64] = "";
	if (e == TB_OK &&
	    tb_conn_query(c, &st, &row, "SELECT id FROM sharing_resources WHERE code = ?", "s",
	                  "101001001/000001") == TB_OK) {
		resource = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
	}
	if (e == TB_OK && tb_conn_query(c, &st, &row,
	                                "SELECT case_no FROM cases WHERE item_code = ? AND"
	                                " applicant_id = 1 ORDER BY id LIMIT 1",
	                                "s", "11330106024903108G4070081601000") == TB_OK) {
		if (row)
			snprintf(no, sizeof(no), "%s", tb_stmt_text(st, 0));
		tb_stmt_reset(st);
	}
	if (!resource || !*no)
		e = TB_ENOTFOUND;
	/* Residents born 1940-2009 in the districts of 杭州市, numbered by i:
	 * distinct valid identity numbers. */
	static const char *const regions[] = {"330102", "330105", "330106", "330108", "330110"};
	int64_t now = (int64_t)time(NULL);
	for (long i = 0; e == TB_OK && i < subjects; i++) {
		if (i % 20000 == 0) {
			if (i)
				e = tb_conn_commit(c);
			if (e == TB_OK)
				e = tb_conn_begin(c);
		}
		char first17[64], number[19], data[200];
		long k = i / 5;
		snprintf(first17, sizeof(first17), "%s%04ld%02ld%02ld%03ld", regions[i % 5],
		         1940 + k % 70, 1 + (k / 70) % 12, 1 + (k / 840) % 28, k / 23520 % 1000);
		snprintf(number, sizeof(number), "%.17s%c", first17, tb_idnum_check_char(first17));
		snprintf(data, sizeof(data),
		         "{\"姓名\":\"居民%ld\",\"户别\":\"家庭户\",\"户籍状态\":\"正常\"}", i);
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO sharing_records (resource_id, subject, data, updated_at)"
		    " VALUES (?, ?, ?, ?) ON CONFLICT (resource_id, subject) DO NOTHING",
		    "issi", resource, number, data, now);
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	tb_app_close(app);
	if (e != TB_OK) {
		fprintf(stderr, "tongban bench-sharing: %s\n", tb_err_message(e));
		return 1;
	}
	printf("%s\n", no);
	fprintf(stderr, "bench sharing: %ld records in 居民户籍信息\n", subjects);
	return 0;
}
