/* The demo's data sharing (see demo.h): the resources of
 * data/demo/sharing.json registered by their providers, records of every
 * person and business the platform's registries know plus a few hundred
 * made-up residents with valid identity numbers, and the grants of the
 * file (one left pending). All through the domain functions, so each has
 * its audit record. */
#include "app/app.h"
#include "base/arena.h"
#include "base/asset.h"
#include "base/log.h"
#include "codes/idnum.h"
#include "demo/demo.h"
#include "sharing/sharing.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* Made-up residents besides the registries' people. */
#define RESIDENTS 300

static const char *const SURNAMES[] = {"陈", "林", "黄", "吴", "徐", "朱", "胡", "沈", "杨", "金"};
static const char *const GIVEN[] = {"晓明", "丽华", "建国", "雨桐", "志强", "梓涵",
                                    "海燕", "子轩", "秀英", "浩然", "欣怡", "文博"};
static const char *const STREETS[] = {"西湖区文三路", "西湖区古墩路", "上城区解放路",
                                      "拱墅区湖墅南路", "余杭区文一西路"};

/* The id of the department called name (0 when none). */
static int64_t dept_id(struct tb_store *s, const char *name)
{
	struct tb_conn *c;
	if (tb_store_acquire(s, &c) != TB_OK)
		return 0;
	struct tb_stmt *st;
	bool row;
	int64_t id = 0;
	if (tb_conn_query(c, &st, &row, "SELECT id FROM departments WHERE name = ?", "s", name) ==
	        TB_OK &&
	    row)
		id = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	tb_store_release(c);
	return id;
}

/* A made-up resident's identity number: region, birth date, sequence and
 * the check character. */
static void resident_number(int i, char out[19])
{
	static const char *const regions[] = {"330106", "330102", "330105", "330110"};
	/* Room for what the compiler cannot bound; i < 900 keeps it 17. */
	char first17[40];
	snprintf(first17, sizeof(first17), "%s%04d%02d%02d%03d", regions[i % 4], 1950 + i % 56,
	         1 + i % 12, 1 + i % 28, (100 + i) % 1000);
	snprintf(out, 19, "%.17s%c", first17, tb_idnum_check_char(first17));
}

/* One person's facts for every personal resource, as the providers would
 * hold them: deterministic from i. */
static void person_records(json_t *by_code[], const char *number, const char *name, int i,
                           bool married)
{
	char birth[11];
	snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", number + 6, number + 10, number + 12);
	const char *sex = (number[16] - '0') % 2 ? "男" : "女";
	char address[96];
	snprintf(address, sizeof(address), "浙江省杭州市%s%d号", STREETS[i % 5], 10 + i % 190);
	json_array_append_new(by_code[0],
	                      json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "subject",
	                                number, "data", "姓名", name, "性别", sex, "出生日期",
	                                birth, "户籍地址", address, "户别",
	                                i % 7 ? "家庭户" : "集体户", "户籍状态", "正常"));
	json_array_append_new(
	    by_code[1],
	    json_pack("{s:s, s:{s:s, s:s, s:o, s:o}}", "subject", number, "data", "姓名", name,
	              "婚姻状况", married ? "已婚" : "未婚", "登记日期",
	              married ? json_string("2026-11-02") : json_null(), "登记机关",
	              married ? json_string("杭州市西湖区民政局婚姻登记处") : json_null()));
	json_array_append_new(by_code[3],
	                      json_pack("{s:s, s:{s:s, s:s, s:s, s:i}}", "subject", number, "data",
	                                "姓名", name, "参保状态", i % 5 ? "正常参保" : "暂停缴费",
	                                "参保地", "杭州市", "连续缴费月数", (i * 7) % 60));
}

/* Registers the file's resources; their codes in order into codes. */
static enum tb_err put_resources(struct tb_store *s, const struct tb_ctx *ctx, json_t *list,
                                 struct tb_arena *a)
{
	size_t i;
	json_t *r;
	json_array_foreach(list, i, r)
	{
		json_t *doc = json_deep_copy(r);
		int64_t provider = dept_id(s, json_string_value(json_object_get(doc, "provider")));
		json_object_del(doc, "provider");
		json_object_set_new(doc, "provider_id", json_integer(provider));
		struct tb_fail f = {0};
		enum tb_err e = tb_share_resource_put(s, ctx, doc, true, a, &f);
		json_decref(doc);
		if (e != TB_OK) {
			tb_log_error("demo", "sharing resource %zu: %s %s", i,
			             f.field ? f.field : "",
			             f.reason ? f.reason : tb_err_message(e));
			return e;
		}
	}
	return TB_OK;
}

/* Every person and business of the registries, and the residents. */
static enum tb_err gather(struct tb_store *s, json_t *by_code[])
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	int i = 0;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id_number, name FROM population_registry ORDER BY id_number", "");
	while (e == TB_OK && row) {
		/* 张三 married 李梅 in the demo cases (his 结婚证). */
		const char *number = tb_stmt_text(st, 0);
		person_records(by_code, number, tb_stmt_text(st, 1), i++,
		               strcmp(number, "33010619900101123X") == 0);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT credit_code, name, representative_name FROM"
		                  " business_registry ORDER BY credit_code",
		                  "");
	while (e == TB_OK && row) {
		json_array_append_new(
		    by_code[2],
		    json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "subject",
		              tb_stmt_text(st, 0), "data", "名称", tb_stmt_text(st, 1),
		              "法定代表人", tb_stmt_text(st, 2), "登记状态", "存续", "营业期限至",
		              "2045-12-31", "住所", "浙江省杭州市西湖区文三路90号", "经营范围",
		              "餐饮服务；食品销售；技术服务、技术开发"));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	for (int k = 0; k < RESIDENTS; k++) {
		char number[19], name[32];
		resident_number(k, number);
		snprintf(name, sizeof(name), "%s%s", SURNAMES[k % 10], GIVEN[(k / 10) % 12]);
		person_records(by_code, number, name, i + k, k % 3 == 1);
		if (k % 8 == 0) {
			/* A newborn of 2026 with its birth certificate. */
			char child[19], first17[40], born[24];
			snprintf(first17, sizeof(first17), "3301062026%02d%02d%03d", 1 + k % 10,
			         1 + k % 27, (200 + k) % 1000);
			snprintf(child, sizeof(child), "%.17s%c", first17,
			         tb_idnum_check_char(first17));
			snprintf(born, sizeof(born), "2026-%02d-%02d", 1 + k % 10, 1 + k % 27);
			json_array_append_new(
			    by_code[4], json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "subject",
			                          child, "data", "新生儿姓名", name, "出生日期",
			                          born, "出生地点", "浙江大学医学院附属妇产科医院",
			                          "母亲姓名", name, "父亲姓名", "（未登记）"));
		}
	}
	return e;
}

/* Pushes each resource's records in batches. */
static enum tb_err push(struct tb_store *s, const struct tb_ctx *ctx, json_t *resources,
                        json_t *by_code[], struct tb_arena *a)
{
	for (size_t i = 0; i < 5; i++) {
		const char *code =
		    json_string_value(json_object_get(json_array_get(resources, i), "code"));
		struct tb_share_resource res;
		enum tb_err e = tb_share_resource_get(s, code, a, &res);
		for (size_t off = 0; e == TB_OK && off < json_array_size(by_code[i]);
		     off += TB_SHARE_BATCH_MAX) {
			json_t *batch = json_array();
			for (size_t k = off;
			     k < off + TB_SHARE_BATCH_MAX && k < json_array_size(by_code[i]); k++)
				json_array_append(batch, json_array_get(by_code[i], k));
			struct tb_fail f = {0};
			int n;
			e = tb_share_records_put(s, ctx, &res, batch, &n, a, &f);
			if (e != TB_OK)
				tb_log_error("demo", "sharing records of %s: %s %s", code,
				             f.field ? f.field : "", f.reason ? f.reason : "");
			json_decref(batch);
		}
		tb_share_resource_release(&res);
		if (e != TB_OK)
			return e;
	}
	return TB_OK;
}

/* The file's grants: applied for, and approved where it says so. */
static enum tb_err grants(struct tb_app *app, const struct tb_ctx *ctx, json_t *list,
                          struct tb_arena *a)
{
	size_t i;
	json_t *g;
	json_array_foreach(list, i, g)
	{
		struct tb_share_resource res;
		enum tb_err e = tb_share_resource_get(
		    app->store, json_string_value(json_object_get(g, "resource")), a, &res);
		struct tb_fail f = {0};
		int64_t id = 0;
		if (e == TB_OK)
			e = tb_share_grant_apply(
			    app->store, app->calendar, ctx, &res,
			    dept_id(app->store, json_string_value(json_object_get(g, "consumer"))),
			    json_string_value(json_object_get(g, "purpose")),
			    json_object_get(g, "fields"), &id, a, &f);
		tb_share_resource_release(&res);
		if (e == TB_OK && json_is_true(json_object_get(g, "approve")))
			e = tb_share_grant_decide(app->store, ctx, id, true, NULL, NULL, NULL, a,
			                          &f);
		if (e != TB_OK) {
			tb_log_error("demo", "sharing grant %zu: %s %s", i, f.field ? f.field : "",
			             f.reason ? f.reason : tb_err_message(e));
			return e;
		}
	}
	return TB_OK;
}

enum tb_err tb_demo_sharing(struct tb_app *app, const struct tb_ctx *ctx)
{
	const struct tb_asset *file = tb_asset_find("data/demo/sharing.json");
	if (!file)
		return TB_OK;
	json_t *doc = json_loadb(file->data, file->size, 0, NULL);
	json_t *resources = json_object_get(doc, "resources");
	if (json_array_size(resources) < 5) {
		json_decref(doc);
		tb_log_error("demo", "data/demo/sharing.json: expected its five resources");
		return TB_EINTERNAL;
	}
	struct tb_arena *a = tb_arena_new();
	json_t *by_code[5];
	for (int i = 0; i < 5; i++)
		by_code[i] = json_array();
	enum tb_err e = put_resources(app->store, ctx, resources, a);
	if (e == TB_OK)
		e = gather(app->store, by_code);
	if (e == TB_OK)
		e = push(app->store, ctx, resources, by_code, a);
	if (e == TB_OK)
		e = grants(app, ctx, json_object_get(doc, "grants"), a);
	if (e == TB_OK)
		tb_log_info("demo", "sharing: %zu resources, %zu person records per resource",
		            json_array_size(resources), json_array_size(by_code[0]));
	for (int i = 0; i < 5; i++)
		json_decref(by_code[i]);
	tb_arena_free(a);
	json_decref(doc);
	return e;
}

/* 张三's marriage case, as 陈民政 (approver of 西湖区民政局, account 12)
 * handled it: his household registration and marital status checked
 * online instead of his 户口簿 and a certificate of no marriage. */
enum tb_err tb_demo_sharing_uses(struct tb_app *app)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(app->store, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	char no[64] = "";
	e = tb_conn_query(c, &st, &row,
	                  "SELECT case_no FROM cases WHERE item_code = ? AND applicant_id = 1"
	                  " ORDER BY id LIMIT 1",
	                  "s", "11330106024903108G4070081601000");
	if (e == TB_OK && row)
		snprintf(no, sizeof(no), "%s", tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK || !*no)
		return e;
	struct tb_principal official = {.kind = TB_PERSON, .account_id = 12};
	struct tb_ctx ctx = {&official, "127.0.0.1", "demo"};
	struct tb_arena *a = tb_arena_new();
	static const char *const asks[][3] = {
	    {"101001001/000001", "fields", "[\"姓名\",\"户籍地址\",\"户籍状态\"]"},
	    {"101001002/000001", "assertions", "[\"unmarried\"]"},
	};
	for (size_t i = 0; e == TB_OK && i < 2; i++) {
		json_t *names = json_loads(asks[i][2], 0, NULL);
		struct tb_share_query q = {
		    .resource = asks[i][0],
		    .subject = "33010619900101123X",
		    .purpose =
		        i ? "办理内地居民结婚登记，核验当事人婚姻状况（免交无婚姻登记记录证明）"
		          : "办理内地居民结婚登记，核验当事人户籍（免交户口簿）",
		    .case_no = no,
		    .assertions = i ? names : NULL,
		    .fields = i ? NULL : names,
		};
		json_t *answer = NULL;
		struct tb_fail f = {0};
		e = tb_share_verify(app->store, &ctx, 11, &q, &answer, a, &f);
		if (e != TB_OK)
			tb_log_error("demo", "sharing use %zu: %s %s", i, f.field ? f.field : "",
			             f.reason ? f.reason : tb_err_message(e));
		json_decref(answer);
		json_decref(names);
	}
	tb_arena_free(a);
	return e;
}
