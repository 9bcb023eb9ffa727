/* Notification and commitment (证明事项告知承诺制, issue #15) over HTTP
 * against the real binary with --demo, on SQLite and PostgreSQL: an
 * applicant commits instead of bringing a certificate where the catalog
 * allows it; the department checks it afterwards (online through data
 * sharing, logged as a use of the person's data; or on site with a
 * finding); a false one becomes a credit record and a message, and keeps
 * its subject from committing again until the recording department
 * repairs it; who may check, list and repair. Demo: 居住证签发 at 杭州市
 * 公安局 (褚户政 reviewer) lets 合法稳定就业证明 be committed and checked
 * online (社会保险 6 months); 个体工商户设立登记 at 西湖区市场监管 (赵审核
 * reviewer, 钱审批 approver) lets 经营场所使用相关证明 be committed,
 * checked on site. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZHANG     "33010619900101123X"
#define WANG      "330102199203154022"
#define RESIDENCE "1133010002485155523200052301000" /* 居住证签发 */
#define SHOP      "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区 */
#define SHOP_SC   "11330102024923723T4010010201000" /* the same, 上城区 */
#define JOB       "合法稳定就业证明"
#define PLACE     "经营场所使用相关证明"

static struct test_srv srv;
static struct test_session zhang, wang, police, market, approver, supervisor;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *db)
{
	const struct test_who who[] = {
	    {ZHANG, &zhang},
	    {WANG, &wang},
	    {"330102198612125025", &police},     /* 褚户政, reviewer at 杭州市公安局 */
	    {"330106198707072021", &market},     /* 赵审核, reviewer at 西湖区市场监管 */
	    {"330106198606063011", &approver},   /* 钱审批, approver there */
	    {"330106198303036024", &supervisor}, /* 吴监督, supervisor of 330000 */
	};
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
	return start(test_pg_fresh("commitments"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* A draft of item for s through channel with form (JSON object text, or NULL): a new one,
 * or the one s has already (the demo leaves some). */
static void open_draft(const struct test_session *s, const char *item, const char *channel,
                       const char *form, char no[64])
{
	char body[1024];
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"channel\":\"%s\"%s%s}", item, channel,
	         form ? ",\"form\":" : "", form ? form : "");
	struct http_resp r;
	test_call(&srv, s, "POST", "/api/v1/cases", body, &r);
	json_t *j = json_loads(r.body, 0, NULL);
	if (r.status != 201 && r.status != 409)
		fail_msg("open %s -> %ld: %s", item, r.status, r.body);
	snprintf(no, 64, "%s", test_str(j, "case_no"));
	json_decref(j);
	http_free(&r);
	if (form) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
		snprintf(body, sizeof(body), "{\"form\":%s}", form);
		json_decref(call(s, "PUT", path, body, 200));
	}
}

static void commit(const struct test_session *s, const char *no, const char *material, bool yes,
                   long want)
{
	char path[128], body[256];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/commitments", no);
	snprintf(body, sizeof(body), "{\"material\":\"%s\",\"commit\":%s}", material,
	         yes ? "true" : "false");
	json_decref(call(s, "POST", path, body, want));
}

static void upload(const struct test_session *s, const char *no, const char *material)
{
	char *answer = NULL;
	long st =
	    test_upload(&srv, s, no, material, "m.pdf", test_pdf, test_pdf_len, NULL, &answer);
	if (st != 201)
		fail_msg("upload %s -> %ld: %s", material, st, answer);
	free(answer);
}

/* The case as s sees it. */
static json_t *read_case(const struct test_session *s, const char *no)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
	return call(s, "GET", path, NULL, 200);
}

/* The material name of case view j. */
static json_t *material(json_t *j, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "materials"), i,
	                   m) if (!strcmp(test_str(m, "name"), name)) return m;
	fail_msg("no material %s", name);
	return NULL;
}

/* Checks commitment id of case no as s with body; the answer. */
static json_t *check(const struct test_session *s, const char *no, long long id, const char *body,
                     long want)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/commitments/%lld/check", no, id);
	return call(s, "POST", path, body, want);
}

static long long first_commitment(const struct test_session *s, const char *no)
{
	json_t *j = read_case(s, no);
	json_t *k = json_array_get(json_object_get(j, "commitments"), 0);
	assert_non_null(k);
	long long id = json_integer_value(json_object_get(k, "id"));
	json_decref(j);
	return id;
}

/* The case shows which materials may be committed and what; one that may
 * not is refused, and taking a commitment back leaves it missing. */
static void catalog_offers_commitment(void **state)
{
	(void)state;
	char no[64];
	open_draft(&zhang, RESIDENCE, "mobile", NULL, no);
	json_t *j = read_case(&zhang, no);
	json_t *m = material(j, JOB);
	assert_string_equal(test_str(json_object_get(m, "commitment"), "content"),
	                    "本人在居住地连续就业满6个月，并依法参加社会保险、按时缴费。");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(m, "commitment"), "check_days")),
	    20);
	/* An optional material is not checked at submission. */
	assert_null(json_object_get(m, "online_check"));
	assert_null(json_object_get(material(j, "本人近期免冠彩色照片"), "commitment"));
	json_decref(j);
	commit(&zhang, no, "本人近期免冠彩色照片", true, 400);
	commit(&zhang, no, "没有这份材料", true, 400);
	commit(&zhang, no, JOB, false, 400); /* not committed yet */
	commit(&zhang, no, JOB, true, 200);
	j = read_case(&zhang, no);
	assert_string_equal(test_str(material(j, JOB), "source"), "commitment");
	json_decref(j);
	commit(&zhang, no, JOB, false, 200);
	j = read_case(&zhang, no);
	assert_string_equal(test_str(material(j, JOB), "source"), "missing");
	json_decref(j);
	/* Only the applicant (or the window) edits the draft; another
	 * department does not even see it. */
	commit(&police, no, JOB, true, 403);
	commit(&market, no, JOB, true, 404);
	/* The generic list takes a commitment too, with the same rule. */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
	json_t *bad = call(&zhang, "PUT", path,
	                   "{\"materials\":[{\"name\":\"本人近期免冠彩色照片\",\"source\":"
	                   "\"commitment\"}]}",
	                   400);
	assert_string_equal(test_str(bad, "field"), "materials");
	json_decref(bad);
}

/* Committed, submitted, then checked online by the department: the fact
 * holds, the commitment is true, and the person sees the use. */
static void online_check_holds(void **state)
{
	(void)state;
	char no[64];
	open_draft(&zhang, RESIDENCE, "mobile", NULL, no);
	commit(&zhang, no, JOB, true, 200);
	upload(&zhang, no, "本人近期免冠彩色照片");
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", no);
	json_decref(call(&zhang, "POST", path, NULL, 200));
	json_t *j = read_case(&zhang, no);
	json_t *k = json_array_get(json_object_get(j, "commitments"), 0);
	assert_string_equal(test_str(k, "material"), JOB);
	assert_string_equal(test_str(k, "state"), "pending");
	assert_false(json_is_true(json_object_get(k, "overdue")));
	/* 20 working days on the calendar: at least four weeks ahead. */
	assert_true(strlen(test_str(k, "due_date")) == 10);
	long long id = json_integer_value(json_object_get(k, "id"));
	json_decref(j);
	/* The department's list of checks to do holds it. */
	j = call(&police, "GET", "/api/v1/commitments?state=pending", NULL, 200);
	bool listed = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(j, "items"), i, x) listed |=
	    json_integer_value(json_object_get(x, "id")) == id &&
	    !strcmp(test_str(x, "case_no"), no);
	assert_true(listed);
	json_decref(j);
	/* Bad checks first: nothing changes. */
	json_decref(check(&police, no, id, "{\"method\":\"phone\"}", 400));
	json_decref(check(&police, no, id, "{\"method\":\"online\",\"outcome\":true}", 400));
	json_decref(check(&police, no, id, "{\"method\":\"onsite\",\"outcome\":\"yes\"}", 400));
	json_decref(check(&police, no, 999999, "{\"method\":\"online\"}", 404));
	/* Another department's official cannot even see the case. */
	json_decref(check(&market, no, id, "{\"method\":\"online\"}", 404));
	json_decref(check(&zhang, no, id, "{\"method\":\"online\"}", 403));
	j = check(&police, no, id, "{\"method\":\"online\"}", 200);
	assert_string_equal(test_str(j, "state"), "true");
	assert_true(json_is_true(json_object_get(j, "holds")));
	long long use = json_integer_value(json_object_get(j, "data_use_id"));
	assert_true(use > 0);
	assert_string_equal(test_str(j, "finding"), "在线核查属实：本市连续缴纳社会保险满6个月");
	json_decref(j);
	json_t *again = check(&police, no, id, "{\"method\":\"online\"}", 409);
	assert_string_equal(test_str(again, "field"), "state");
	json_decref(again);
	/* 张三 sees who checked, why and for which case. */
	j = call(&zhang, "GET", "/api/v1/me/data-usage", NULL, 200);
	json_t *u = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(u, "id")), use);
	assert_string_equal(test_str(u, "purpose"), "核查告知承诺：" JOB);
	assert_string_equal(test_str(u, "case_no"), no);
	assert_string_equal(test_str(json_object_get(u, "department"), "name"), "杭州市公安局");
	json_decref(j);
	j = read_case(&zhang, no);
	k = json_array_get(json_object_get(j, "commitments"), 0);
	assert_string_equal(test_str(k, "state"), "true");
	assert_string_equal(test_str(k, "method"), "online");
	json_decref(j);
}

/* A commitment found false on site: a credit record and a message; the
 * person may not commit again until the recording department repairs
 * it. */
static void false_commitment_until_repaired(void **state)
{
	(void)state;
	static const char form[] =
	    "{\"经营者姓名\":\"王五\",\"经营者身份证件号码\":\"" WANG "\",\"联系电话\":"
	    "\"13900000003\",\"经营场所\":\"杭州市西湖区文三路100号1层\",\"组成形式\":"
	    "\"个人经营\",\"经营范围\":\"日用百货销售\",\"资金数额\":\"10\",\"从业人数\":\"2\"}";
	char no[64];
	open_draft(&wang, SHOP, "web", form, no);
	commit(&wang, no, PLACE, true, 200);
	upload(&wang, no, "个体工商户登记（备案）申请书");
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
	json_t *j = call(&wang, "GET", path, NULL, 200);
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(j, "materials"), i, m)
	{
		if (!strcmp(test_str(m, "required"), "required") &&
		    !strcmp(test_str(m, "source"), "missing"))
			upload(&wang, no, test_str(m, "name"));
	}
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", no);
	json_decref(call(&wang, "POST", path, NULL, 200));
	long long id = first_commitment(&wang, no);
	/* No resource names the fact: it cannot be checked online. */
	j = check(&market, no, id, "{\"method\":\"online\"}", 400);
	assert_string_equal(test_str(j, "field"), "method");
	json_decref(j);
	j = check(&market, no, id, "{\"method\":\"onsite\",\"outcome\":false}", 400);
	assert_string_equal(test_str(j, "field"), "finding");
	json_decref(j);
	j = check(&market, no, id, "{\"method\":\"onsite\",\"finding\":\"现场核查\"}", 400);
	assert_string_equal(test_str(j, "field"), "outcome");
	json_decref(j);
	j = check(&market, no, id,
	          "{\"method\":\"onsite\",\"outcome\":false,\"finding\":\"现场核查：该地址为住宅，"
	          "申请人未取得使用权\"}",
	          200);
	assert_string_equal(test_str(j, "state"), "false");
	long long record = json_integer_value(json_object_get(j, "credit_record_id"));
	assert_true(record > 0);
	json_decref(j);
	/* 王五 sees the record, which restricts him. */
	j = call(&wang, "GET", "/api/v1/me/credit-records", NULL, 200);
	assert_string_equal(test_str(j, "subject"), WANG);
	json_t *r = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), record);
	assert_string_equal(test_str(r, "case_no"), no);
	assert_string_equal(test_str(r, "material"), PLACE);
	assert_true(json_is_true(json_object_get(r, "restricts")));
	json_decref(j);
	/* Others see none of it. */
	j = call(&zhang, "GET", "/api/v1/me/credit-records", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/me/credit-records", NULL, 401));
	/* A new application: committing is refused, naming the case. */
	char other[64];
	open_draft(&wang, SHOP_SC, "web", NULL, other);
	snprintf(path, sizeof(path), "/api/v1/cases/%s/commitments", other);
	char body[128];
	snprintf(body, sizeof(body), "{\"material\":\"%s\"}", PLACE);
	j = call(&wang, "POST", path, body, 400);
	assert_string_equal(test_str(j, "field"), "material");
	assert_non_null(strstr(test_str(j, "reason"), no));
	json_decref(j);
	/* The message reaches 王五's inbox (the notifier's next pass). */
	bool told = false;
	for (int k = 0; k < 50 && !told; k++) {
		j = call(&wang, "GET", "/api/v1/me/messages", NULL, 200);
		json_array_foreach(json_object_get(j, "items"), i, m) told |=
		    !strcmp(test_str(m, "title"), "您的告知承诺经核查不实") &&
		    !strcmp(test_str(m, "case_no"), no);
		json_decref(j);
		if (!told)
			usleep(100 * 1000);
	}
	assert_true(told);
	/* Repair: the recording department's approver, with a reason. */
	snprintf(path, sizeof(path), "/api/v1/credit-records/%lld/repair", record);
	json_decref(call(&market, "POST", path, "{\"reason\":\"已整改完毕\"}", 403));
	json_decref(call(&police, "POST", path, "{\"reason\":\"已整改完毕\"}", 403));
	j = call(&approver, "POST", path, "{\"reason\":\"好\"}", 400);
	assert_string_equal(test_str(j, "field"), "reason");
	json_decref(j);
	json_decref(call(&approver, "POST", "/api/v1/credit-records/999999/repair",
	                 "{\"reason\":\"已整改完毕\"}", 403));
	json_decref(call(&approver, "POST", path,
	                 "{\"reason\":\"已取得经营场所租赁合同，整改完毕\"}", 200));
	json_decref(call(&approver, "POST", path,
	                 "{\"reason\":\"已取得经营场所租赁合同，整改完毕\"}", 409));
	j = call(&wang, "GET", "/api/v1/me/credit-records", NULL, 200);
	r = json_array_get(json_object_get(j, "items"), 0);
	assert_false(json_is_true(json_object_get(r, "restricts")));
	assert_string_equal(test_str(r, "repair_reason"), "已取得经营场所租赁合同，整改完毕");
	json_decref(j);
	commit(&wang, other, PLACE, true, 200);
}

/* Who sees the checks: the department its own, supervisors their
 * region's (the overdue ones flagged), people none. */
static void lists(void **state)
{
	(void)state;
	json_t *j = call(&supervisor, "GET", "/api/v1/commitments", NULL, 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 2);
	json_decref(j);
	j = call(&supervisor, "GET", "/api/v1/commitments?overdue=true", NULL, 200);
	json_t *x;
	size_t i;
	json_array_foreach(json_object_get(j, "items"), i, x)
	    assert_true(json_is_true(json_object_get(x, "overdue")));
	json_decref(j);
	j = call(&market, "GET", "/api/v1/commitments", NULL, 200);
	json_array_foreach(json_object_get(j, "items"), i, x) assert_string_equal(
	    test_str(json_object_get(x, "department"), "name"), "杭州市西湖区市场监督管理局");
	assert_true(json_array_size(json_object_get(j, "items")) >= 1);
	json_decref(j);
	j = call(&market, "GET", "/api/v1/commitments?state=false", NULL, 200);
	json_array_foreach(json_object_get(j, "items"), i, x)
	    assert_string_equal(test_str(x, "state"), "false");
	json_decref(j);
	json_decref(call(&market, "GET", "/api/v1/commitments?department_id=6", NULL, 403));
	json_decref(call(&market, "GET", "/api/v1/commitments?state=maybe", NULL, 400));
	json_decref(call(&zhang, "GET", "/api/v1/commitments", NULL, 403));
	json_decref(call(NULL, "GET", "/api/v1/commitments", NULL, 401));
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(catalog_offers_commitment),
	    cmocka_unit_test(online_check_holds),
	    cmocka_unit_test(false_commitment_until_repaired),
	    cmocka_unit_test(lists),
	};
	int failed = cmocka_run_group_tests_name("commitments/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("commitments/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
