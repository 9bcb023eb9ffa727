/* Data sharing (issue #15) over HTTP against the real binary with --demo,
 * on SQLite and PostgreSQL: the public sharing catalog, every access rule
 * of POST /api/v1/verify (not shared, no grant, beyond the grant, no
 * purpose, no case, a case of another department or person, a bad
 * subject), data minimisation, every query logged and shown to the person
 * it concerns, providers pushing records (and refused bad ones), and a
 * grant's life (apply, answer within 10 working days, approve fewer
 * fields, revoke). Demo departments: 6 杭州市公安局 (周共享 its sharing
 * officer), 11 杭州市西湖区民政局 (陈民政 its approver; the demo grants
 * it 户籍 fields and 婚姻状况). */
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
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#define ZHANG      "33010619900101123X"
#define LI         "330106198505052313"
#define HUJI       "101001001/000001" /* 居民户籍信息, conditional */
#define MARRIAGE   "101001002/000001" /* 婚姻登记信息, conditional */
#define BUSINESS   "102002001/000001" /* 市场主体登记信息, unconditional */
#define INSURANCE  "101003001/000001"
#define DETAINED   "301001001/000001" /* not shared */
#define MARRY_ITEM "11330106024903108G4070081601000"
#define FOOD       "11330106024892795E4010020301001" /* 食品经营许可, 西湖区市场监管 */
#define TECH       "91330106MA2H3K7L3H"              /* 李四's business */

static struct test_srv srv;
static struct test_session zhang, li, registrar, police, admin, supervisor, reviewer;
static char marriage_case[64];

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

/* 张三's marriage case (demo: completed at 西湖区民政局). */
static void find_marriage_case(void)
{
	json_t *j = call(&zhang, "GET", "/api/v1/cases?limit=200", NULL, 200);
	size_t i;
	json_t *c;
	marriage_case[0] = '\0';
	json_array_foreach(json_object_get(j, "items"), i, c)
	{
		const char *item = json_string_value(json_object_get(c, "item"));
		if (item && !strcmp(item, MARRY_ITEM))
			snprintf(marriage_case, sizeof(marriage_case), "%s",
			         json_string_value(json_object_get(c, "case_no")));
	}
	json_decref(j);
}

static int start(const char *db)
{
	const struct test_who who[] = {
	    {ZHANG, &zhang},
	    {LI, &li},
	    {"33010619871111401X", &registrar},  /* 陈民政, approver at 11 */
	    {"330105198404045011", &police},     /* 周共享, sharing officer at 6 */
	    {"330106198202027014", &admin},      /* 郑管理 */
	    {"330106198303036024", &supervisor}, /* 吴监督 */
	    {"330106198707072021", &reviewer},   /* 赵审核, reviewer at 10 */
	};
	/* Provider endpoints on loopback (the provider below) are allowed. */
	srv_start(&srv, db, "--demo", "--allow-private-webhooks", NULL);
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++)
		if (test_login(&srv, who[i].login, "tongban-demo", who[i].s) != 200)
			return -1;
	find_marriage_case();
	return marriage_case[0] ? 0 : -1;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("sharing"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* POST /api/v1/verify as s; fails unless want; checks a refusal names
 * field. */
static json_t *verify(const struct test_session *s, const char *body, long want, const char *field)
{
	json_t *j = call(s, "POST", "/api/v1/verify", body, want);
	if (field && strcmp(test_str(j, "field"), field) != 0)
		fail_msg("%s: field %s, expected %s", body, test_str(j, "field"), field);
	return j;
}

static char body[2048];

/* A query body for resource and subject on the marriage case, asking
 * for what (a JSON member: "assertions":[...] or "fields":[...]). */
static const char *query(const char *resource, const char *subject, const char *what)
{
	snprintf(body, sizeof(body),
	         "{\"resource\":\"%s\",\"subject\":\"%s\",%s,\"purpose\":\"办理结婚登记，核验当事人"
	         "户籍\",\"case_no\":\"%s\"}",
	         resource, subject, what, marriage_case);
	return body;
}

static void catalog_is_public(void **state)
{
	(void)state;
	json_t *j = call(NULL, "GET", "/api/v1/sharing/resources", NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_true(json_array_size(items) >= 6);
	size_t i;
	json_t *r;
	json_array_foreach(items, i, r)
	{
		assert_non_null(json_object_get(r, "fields"));
		assert_null(json_object_get(r, "records"));
		assert_null(json_object_get(r, "data"));
	}
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/sharing/resources/" BUSINESS, NULL, 200);
	assert_string_equal(test_str(j, "name"), "市场主体登记信息");
	assert_string_equal(test_str(j, "sharing_type"), "unconditional");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/sharing/resources?provider=6", NULL, 200);
	json_array_foreach(json_object_get(j, "items"), i, r) assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(r, "provider"), "id")), 6);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/sharing/resources/101001001/999999", NULL, 404);
	assert_string_equal(test_str(j, "field"), "code");
	json_decref(j);
}

static void verify_answers_only_what_is_asked(void **state)
{
	(void)state;
	json_t *j = verify(&registrar, query(HUJI, ZHANG, "\"assertions\":[\"registered_here\"]"),
	                   200, NULL);
	json_t *res = json_array_get(json_object_get(j, "results"), 0);
	assert_true(json_is_true(json_object_get(j, "found")));
	assert_true(json_is_true(json_object_get(res, "holds")));
	assert_string_equal(test_str(res, "label"), "户籍状态正常");
	assert_null(json_object_get(j, "fields"));
	json_decref(j);
	/* Fields: exactly those asked, nothing else of the record. */
	j = verify(&registrar, query(HUJI, ZHANG, "\"fields\":[\"姓名\",\"户籍地址\"]"), 200, NULL);
	json_t *fields = json_object_get(j, "fields");
	assert_int_equal(json_object_size(fields), 2);
	assert_string_equal(test_str(fields, "姓名"), "张三");
	assert_non_null(strstr(test_str(fields, "户籍地址"), "浙江省杭州市"));
	json_decref(j);
	/* 张三 married in the demo; the marriage records say so. */
	j = verify(&registrar, query(MARRIAGE, ZHANG, "\"assertions\":[\"married\",\"unmarried\"]"),
	           200, NULL);
	assert_true(json_is_true(
	    json_object_get(json_array_get(json_object_get(j, "results"), 0), "holds")));
	assert_true(json_is_false(
	    json_object_get(json_array_get(json_object_get(j, "results"), 1), "holds")));
	json_decref(j);
}

static void verify_rules(void **state)
{
	(void)state;
	/* Beyond the grant (出生日期 is not among the fields granted). */
	json_decref(
	    verify(&registrar, query(HUJI, ZHANG, "\"fields\":[\"出生日期\"]"), 403, "fields"));
	/* No grant at all; not shared. */
	json_decref(verify(&registrar, query(INSURANCE, ZHANG, "\"assertions\":[\"insured_now\"]"),
	                   403, "resource"));
	json_decref(
	    verify(&registrar, query(DETAINED, ZHANG, "\"fields\":[\"姓名\"]"), 403, "resource"));
	/* Someone who is not the case's applicant. */
	json_decref(verify(&registrar, query(HUJI, LI, "\"assertions\":[\"registered_here\"]"), 403,
	                   "case_no"));
	/* A bad subject; a subject of the wrong kind. */
	json_decref(verify(
	    &registrar, query(HUJI, "330106199001011230", "\"assertions\":[\"registered_here\"]"),
	    400, "subject"));
	json_decref(verify(&registrar, query(BUSINESS, ZHANG, "\"assertions\":[\"licence_valid\"]"),
	                   400, "subject"));
	/* Unknown names; both or neither of assertions and fields. */
	json_decref(verify(&registrar, query(HUJI, ZHANG, "\"assertions\":[\"rich\"]"), 400,
	                   "assertions[0]"));
	json_decref(
	    verify(&registrar, query(HUJI, ZHANG, "\"fields\":[\"存款\"]"), 400, "fields[0]"));
	json_decref(verify(&registrar,
	                   query(HUJI, ZHANG, "\"fields\":[\"姓名\"],\"assertions\":[\"married\"]"),
	                   400, "assertions"));
	/* No purpose, no case, a case that does not exist. */
	snprintf(body, sizeof(body),
	         "{\"resource\":\"" HUJI "\",\"subject\":\"" ZHANG "\",\"fields\":[\"姓名\"],"
	         "\"case_no\":\"%s\"}",
	         marriage_case);
	json_decref(verify(&registrar, body, 400, "purpose"));
	json_decref(verify(&registrar,
	                   "{\"resource\":\"" HUJI "\",\"subject\":\"" ZHANG
	                   "\",\"fields\":[\"姓名\"],\"purpose\":\"核验户籍状态\"}",
	                   400, "case_no"));
	json_decref(verify(&registrar,
	                   "{\"resource\":\"" HUJI "\",\"subject\":\"" ZHANG
	                   "\",\"fields\":[\"姓名\"],\"purpose\":\"核验户籍状态\","
	                   "\"case_no\":\"11330106024903108G4070081601000202601010001\"}",
	                   403, "case_no"));
	/* A department that does not handle the case (赵审核, 市场监管). */
	json_decref(verify(
	    &reviewer, query(BUSINESS, "91330106MA2H3K7L3H", "\"assertions\":[\"licence_valid\"]"),
	    403, "case_no"));
	/* Not signed in; a citizen. */
	json_decref(verify(NULL, query(HUJI, ZHANG, "\"fields\":[\"姓名\"]"), 401, NULL));
	json_decref(verify(&zhang, query(HUJI, ZHANG, "\"fields\":[\"姓名\"]"), 403, NULL));
}

/* Every query about 张三, answered or refused, is on his page, newest
 * first, with who, what, why and for which case; 李四 sees the one about
 * him and none of 张三's. */
static void uses_are_shown_to_the_person(void **state)
{
	(void)state;
	json_t *before = call(&zhang, "GET", "/api/v1/me/data-usage?limit=200", NULL, 200);
	size_t n0 = json_array_size(json_object_get(before, "items"));
	json_decref(before);
	json_decref(verify(&registrar, query(HUJI, ZHANG, "\"fields\":[\"户籍状态\"]"), 200, NULL));
	json_decref(verify(&registrar, query(HUJI, ZHANG, "\"fields\":[\"性别\"]"), 403, "fields"));
	json_t *j = call(&zhang, "GET", "/api/v1/me/data-usage?limit=200", NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), n0 + 2);
	assert_string_equal(test_str(j, "subject"), ZHANG);
	json_t *refused = json_array_get(items, 0), *answered = json_array_get(items, 1);
	assert_string_equal(test_str(refused, "outcome"), "refused");
	assert_string_equal(test_str(answered, "outcome"), "answered");
	assert_string_equal(test_str(json_object_get(answered, "department"), "name"),
	                    "杭州市西湖区民政局");
	assert_string_equal(test_str(answered, "official"), "陈民政");
	assert_string_equal(test_str(json_object_get(answered, "resource"), "name"),
	                    "居民户籍信息");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(answered, "fields"), 0)), "户籍状态");
	assert_string_equal(test_str(answered, "case_no"), marriage_case);
	assert_non_null(strstr(test_str(answered, "purpose"), "结婚登记"));
	assert_true(json_integer_value(json_object_get(refused, "id")) >
	            json_integer_value(json_object_get(answered, "id")));
	json_decref(j);
	/* Pages: one at a time, each older than the last. */
	j = call(&zhang, "GET", "/api/v1/me/data-usage?limit=1", NULL, 200);
	json_int_t next = json_integer_value(json_object_get(j, "next_before"));
	assert_true(next > 0);
	json_decref(j);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/me/data-usage?limit=1&before=%lld", (long long)next);
	j = call(&zhang, "GET", path, NULL, 200);
	assert_true(json_integer_value(json_object_get(
	                json_array_get(json_object_get(j, "items"), 0), "id")) < next);
	json_decref(j);
	/* 李四: only uses of his own data (the refused query naming him). */
	j = call(&li, "GET", "/api/v1/me/data-usage", NULL, 200);
	size_t i;
	json_t *u;
	assert_true(json_array_size(json_object_get(j, "items")) >= 1);
	json_array_foreach(json_object_get(j, "items"), i, u)
	    assert_string_equal(test_str(u, "outcome"), "refused");
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/me/data-usage", NULL, 401));
	json_decref(call(&zhang, "GET", "/api/v1/me/data-usage?limit=0", NULL, 400));
	/* The audit trail has the queries too, refused ones included. */
	j = call(&supervisor, "GET", "/api/v1/audit?limit=200", NULL, 200);
	int ok = 0, denied = 0;
	json_array_foreach(json_object_get(j, "items"), i, u)
	{
		if (strcmp(test_str(u, "action"), "sharing.verify") != 0)
			continue;
		ok += !strcmp(test_str(u, "outcome"), "ok");
		denied += !strcmp(test_str(u, "outcome"), "denied");
	}
	assert_true(ok >= 1 && denied >= 1);
	json_decref(j);
}

/* The provider keeps its records; bad pushes change nothing. */
static void provider_pushes_records(void **state)
{
	(void)state;
	const char *path = "/api/v1/sharing/resources/" HUJI "/records";
	json_decref(call(&police, "POST", path,
	                 "{\"records\":[{\"subject\":\"" LI "\",\"data\":{\"姓名\":\"李四\","
	                 "\"户籍状态\":\"迁出\"}}]}",
	                 200));
	static const struct {
		const char *records, *field;
	} bad[] = {
	    {"[{\"subject\":\"" LI "\",\"data\":{\"存款\":\"1\"}}]", "records[0].data.存款"},
	    {"[{\"subject\":\"" LI "\",\"data\":{\"出生日期\":\"1985-02-30\"}}]",
	     "records[0].data.出生日期"},
	    {"[{\"subject\":\"330106198505052314\",\"data\":{}}]", "records[0].subject"},
	    {"[{\"subject\":\"" LI "\",\"data\":{}},{\"subject\":\"" LI "\",\"data\":{}}]",
	     "records[1].subject"},
	    {"[{\"subject\":\"" LI "\",\"data\":{},\"extra\":1}]", "records[0].extra"},
	    {"[]", "records"},
	};
	char req[512];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(req, sizeof(req), "{\"records\":%s}", bad[i].records);
		json_t *j = call(&police, "POST", path, req, 400);
		assert_string_equal(test_str(j, "field"), bad[i].field);
		json_decref(j);
	}
	/* Another department's officer, a citizen, nobody. */
	json_decref(call(&registrar, "POST", path, "{\"records\":[]}", 403));
	json_decref(call(&zhang, "POST", path, "{\"records\":[]}", 403));
	json_decref(call(NULL, "POST", path, "{\"records\":[]}", 401));
	/* 李四's record is as pushed: the registrar cannot see it without a
	 * case of his, but a delete and a second delete tell it is there. */
	json_decref(
	    call(&police, "DELETE", "/api/v1/sharing/resources/" HUJI "/records/" LI, NULL, 200));
	json_decref(
	    call(&police, "DELETE", "/api/v1/sharing/resources/" HUJI "/records/" LI, NULL, 404));
}

/* A grant's life: the 西湖区市场监管局 (10) applies to the police for
 * 户籍, answered within 10 working days; the police grant fewer fields;
 * answered once; revoked. (The demo's own pending application is the
 * 西湖区人社局's, 12.) */
static void grant_life(void **state)
{
	(void)state;
	/* 陈民政 (account 12) becomes 市场监管局's sharing officer too. */
	json_decref(call(&admin, "POST", "/api/v1/accounts/12/roles",
	                 "{\"role\":\"sharing_officer\",\"department_id\":10}", 201));
	struct test_session officer;
	assert_int_equal(test_login(&srv, "33010619871111401X", "tongban-demo", &officer), 200);
	static const struct {
		const char *body, *field;
		long status;
	} bad[] = {
	    {"{\"resource\":\"" HUJI "\",\"department_id\":10,\"purpose\":\"办理人才落户\","
	     "\"fields\":[\"存款\"]}",
	     "fields[0]", 400},
	    {"{\"resource\":\"" BUSINESS "\",\"department_id\":10,\"purpose\":\"核验营业执照\","
	     "\"fields\":[\"名称\"]}",
	     "resource", 400},
	    {"{\"resource\":\"" DETAINED "\",\"department_id\":10,\"purpose\":\"核验羁押状态\","
	     "\"fields\":[\"姓名\"]}",
	     "resource", 403},
	    {"{\"resource\":\"" HUJI "\",\"department_id\":10,\"purpose\":\"\","
	     "\"fields\":[\"姓名\"]}",
	     "purpose", 400},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j =
		    call(&officer, "POST", "/api/v1/sharing/grants", bad[i].body, bad[i].status);
		assert_string_equal(test_str(j, "field"), bad[i].field);
		json_decref(j);
	}
	/* For a department not one's own. */
	json_decref(call(&officer, "POST", "/api/v1/sharing/grants",
	                 "{\"resource\":\"" HUJI "\",\"department_id\":12,\"purpose\":\"核验户籍\","
	                 "\"fields\":[\"姓名\"]}",
	                 403));
	const char *apply =
	    "{\"resource\":\"" HUJI "\",\"department_id\":10,\"purpose\":\"办理人才落户"
	    "时核验户籍状态\",\"fields\":[\"姓名\",\"户籍地址\",\"户籍状态\"]}";
	json_t *j = call(&officer, "POST", "/api/v1/sharing/grants", apply, 201);
	json_int_t id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	json_decref(call(&officer, "POST", "/api/v1/sharing/grants", apply, 409));
	/* Pending, due in 10 working days, seen by both sides. */
	j = call(&officer, "GET", "/api/v1/sharing/grants?department_id=10", NULL, 200);
	json_t *g = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(g, "id")), id);
	assert_string_equal(test_str(g, "state"), "pending");
	assert_true(json_is_false(json_object_get(g, "overdue")));
	char due[16];
	snprintf(due, sizeof(due), "%s", test_str(g, "due_date"));
	json_decref(j);
	/* Due 10 working days on, by the official calendar. */
	char path[128], today[11];
	time_t now = time(NULL) + 8 * 3600; /* the platform's day is Beijing time */
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
	snprintf(path, sizeof(path), "/api/v1/calendar/add-workdays?from=%s&days=10", today);
	json_t *cal = call(NULL, "GET", path, NULL, 200);
	assert_string_equal(test_str(cal, "date"), due);
	json_decref(cal);
	j = call(&police, "GET", "/api/v1/sharing/grants?department_id=6", NULL, 200);
	bool seen = false;
	size_t i;
	json_array_foreach(json_object_get(j, "items"), i, g) seen =
	    seen || json_integer_value(json_object_get(g, "id")) == id;
	assert_true(seen);
	json_decref(j);
	/* The consumer cannot answer its own request; fields beyond those
	 * requested are refused; fewer are granted. */
	snprintf(path, sizeof(path), "/api/v1/sharing/grants/%lld/decision", (long long)id);
	json_decref(call(&officer, "POST", path, "{\"approve\":true}", 403));
	j = call(&police, "POST", path, "{\"approve\":true,\"fields\":[\"出生日期\"]}", 400);
	assert_string_equal(test_str(j, "field"), "fields[0]");
	json_decref(j);
	j = call(&police, "POST", path, "{\"approve\":false}", 400);
	assert_string_equal(test_str(j, "field"), "reason");
	json_decref(j);
	json_decref(call(
	    &police, "POST", path,
	    "{\"approve\":true,\"fields\":[\"户籍状态\"],\"expires_on\":\"2027-12-31\"}", 200));
	json_decref(call(&police, "POST", path, "{\"approve\":true}", 409));
	j = call(&officer, "GET", "/api/v1/sharing/grants?department_id=10", NULL, 200);
	g = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(test_str(g, "state"), "approved");
	assert_int_equal(json_array_size(json_object_get(g, "fields_granted")), 1);
	assert_string_equal(test_str(g, "expires_on"), "2027-12-31");
	json_decref(j);
	/* Supervisors see every grant of their region; none is overdue. */
	j = call(&supervisor, "GET", "/api/v1/sharing/grants?overdue=true", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	j = call(&supervisor, "GET", "/api/v1/sharing/grants", NULL, 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 4);
	json_decref(j);
	json_decref(call(&zhang, "GET", "/api/v1/sharing/grants", NULL, 403));
	/* Revoked once; then there is nothing to revoke. */
	snprintf(path, sizeof(path), "/api/v1/sharing/grants/%lld/revoke", (long long)id);
	json_decref(call(&police, "POST", path, "{\"reason\":\"落户政策调整，停止核验\"}", 200));
	json_decref(call(&police, "POST", path, "{\"reason\":\"再次撤销\"}", 409));
}

/* The end to end of issue #15: 李四's business applies for 食品经营许可;
 * its 营业执照 is verified online with 市场监管's business registration
 * at submission instead of being asked for (the business holds no
 * licence certificate); the department sees the material as verified
 * online; the business sees the use on its data-usage page; the reuse
 * statistics count it. */
static void licence_verified_at_submission(void **state)
{
	(void)state;
	struct test_session biz;
	assert_int_equal(test_login(&srv, LI, "tongban-demo", &biz), 200);
	json_decref(
	    call(&biz, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 200));
	json_t *j =
	    call(&biz, "POST", "/api/v1/cases",
	         "{\"item\":\"" FOOD "\",\"form\":{\"经营场所\":\"浙江省杭州市西湖区文三路90号\","
	         "\"主体业态\":\"餐饮服务经营者\",\"经营项目\":\"热食类食品制售\","
	         "\"联系电话\":\"13900000002\"}}",
	         201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	static const char *const uploads[] = {"食品经营许可申请书",
	                                      "法定代表人（负责人、经营者）居民身份证",
	                                      "与食品经营相适应的主要设备设施布局、操作流程等文件"};
	for (size_t i = 0; i < 3; i++) {
		char *answer = NULL;
		long st = test_upload(&srv, &biz, no, uploads[i], "m.pdf", test_pdf, test_pdf_len,
		                      NULL, &answer);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", uploads[i], st, answer);
		free(answer);
	}
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", no);
	json_decref(call(&biz, "POST", path, NULL, 200));
	/* The department sees the licence as verified online. */
	snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
	j = call(&reviewer, "GET", path, NULL, 200);
	size_t i;
	json_t *m;
	const char *ref = NULL;
	json_array_foreach(json_object_get(j, "materials"), i,
	                   m) if (!strcmp(test_str(m, "name"), "营业执照")) ref =
	    json_string_value(json_object_get(m, "ref"));
	assert_non_null(ref);
	assert_memory_equal(ref, "data_use:", 9);
	char use[32];
	snprintf(use, sizeof(use), "%s", ref + 9);
	json_decref(j);
	/* The business sees who checked what, for which case. */
	j = call(&biz, "GET", "/api/v1/me/data-usage", NULL, 200);
	assert_string_equal(test_str(j, "subject"), TECH);
	json_t *u = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(u, "id")), strtoll(use, NULL, 10));
	assert_string_equal(test_str(u, "outcome"), "answered");
	assert_string_equal(test_str(u, "case_no"), no);
	assert_true(json_is_null(json_object_get(u, "official")));
	assert_string_equal(test_str(u, "by"), "platform");
	assert_string_equal(test_str(json_object_get(u, "department"), "name"),
	                    "杭州市西湖区市场监督管理局");
	assert_string_equal(test_str(json_array_get(json_object_get(u, "assertions"), 0), "label"),
	                    "持有有效营业执照（登记状态为存续）");
	json_decref(j);
	/* Counted as given without an upload. */
	j = call(NULL, "GET", "/api/v1/stats/reuse?item=" FOOD, NULL, 200);
	assert_true(json_integer_value(json_object_get(json_object_get(j, "total"), "sharing")) >=
	            1);
	json_decref(j);
}

/* ---- a provider's real-time endpoint -------------------------------------- */

/* A provider's service on loopback: /ok knows 张三's driving licence,
 * /none knows nobody, /garbage answers HTML, /wrong a record with a field
 * the resource lacks, /hang answers after 5 s, /fail answers 500. */
static int provider_calls;
static enum MHD_Result provider(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *size, void **state)
{
	(void)cls;
	(void)method;
	(void)version;
	(void)data;
	if (!*state) { /* the first call: headers only */
		*state = c;
		return MHD_YES;
	}
	if (*size) { /* the body: read and ignored */
		*size = 0;
		return MHD_YES;
	}
	__atomic_add_fetch(&provider_calls, 1, __ATOMIC_SEQ_CST);
	const char *answer = "{\"found\":false}";
	unsigned status = 200;
	if (!strcmp(url, "/ok"))
		answer = "{\"found\":true,\"data\":{\"姓名\":\"张三\",\"驾驶证状态\":\"正常\"}}";
	else if (!strcmp(url, "/garbage"))
		answer = "<html>oops</html>";
	else if (!strcmp(url, "/wrong"))
		answer = "{\"found\":true,\"data\":{\"存款\":1}}";
	else if (!strcmp(url, "/fail"))
		status = 500;
	else if (!strcmp(url, "/hang"))
		sleep(5);
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(
	    strlen(answer), (void *)answer, NULL);
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* Registers (or points) the demo's 驾驶证 resource at path of the provider
 * on port. */
static void point_resource(const char *method, int port, const char *path, long want)
{
	char doc[1200];
	snprintf(
	    doc, sizeof(doc),
	    "{\"code\":\"101005001/000001\",\"name\":\"机动车驾驶证信息\",\"summary\":\"驾驶证"
	    "状态，由公安交通管理部门实时提供\",\"provider_id\":6,\"subject_kind\":\"person\","
	    "\"sharing_type\":\"unconditional\",\"update_cycle\":\"realtime\",\"fields\":[{"
	    "\"name\":\"姓名\",\"type\":\"string\",\"personal\":true},{\"name\":\"驾驶证状态\","
	    "\"type\":\"string\",\"personal\":true}],\"assertions\":[{\"name\":\"licence_ok\","
	    "\"label\":\"驾驶证状态正常\",\"field\":\"驾驶证状态\",\"op\":\"eq\",\"value\":"
	    "\"正常\"}],"
	    "\"endpoint\":\"http://127.0.0.1:%d%s\"}",
	    port, path);
	json_decref(call(&admin, method,
	                 strcmp(method, "POST") ? "/api/v1/sharing/resources/101005001/000001"
	                                        : "/api/v1/sharing/resources",
	                 doc, want));
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Subjects the platform holds no copy of are asked of the provider's
 * service: its answer is checked like a pushed record; one that hangs, is
 * down or answers garbage is contained (503 naming the resource, in the
 * log as refused), and after three failed calls the circuit holds calls
 * for 30 s (answered at once, the provider not called). */
static void realtime_endpoint(void **state)
{
	(void)state;
	struct MHD_Daemon *d =
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	                     NULL, NULL, provider, NULL, MHD_OPTION_SOCK_ADDR,
	                     (struct sockaddr *)&(struct sockaddr_in){
	                         .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
	                     MHD_OPTION_END);
	assert_non_null(d);
	int port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	point_resource("POST", port, "/ok", 201);
	const char *ask = query("101005001/000001", ZHANG, "\"assertions\":[\"licence_ok\"]");
	char body_ok[2048];
	snprintf(body_ok, sizeof(body_ok), "%s", ask);
	json_t *j = verify(&registrar, body_ok, 200, NULL);
	assert_true(json_is_true(json_object_get(j, "found")));
	assert_true(json_is_true(
	    json_object_get(json_array_get(json_object_get(j, "results"), 0), "holds")));
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/sharing/resources/101005001/000001", NULL, 200);
	assert_true(json_is_true(json_object_get(j, "realtime")));
	assert_null(json_object_get(j, "endpoint"));
	json_decref(j);
	/* Nobody known: found false, nothing holds. */
	point_resource("PUT", port, "/none", 200);
	j = verify(&registrar, body_ok, 200, NULL);
	assert_true(json_is_false(json_object_get(j, "found")));
	json_decref(j);
	/* Garbage, a record of unknown fields, an error: contained. */
	static const char *const broken[] = {"/garbage", "/wrong", "/fail"};
	for (int i = 0; i < 3; i++) {
		point_resource("PUT", port, broken[i], 200);
		j = verify(&registrar, body_ok, 503, "resource");
		json_decref(j);
	}
	/* Three failures in a row: the circuit is open, nothing is called. */
	point_resource("PUT", port, "/ok", 200);
	int before = __atomic_load_n(&provider_calls, __ATOMIC_SEQ_CST);
	double t0 = seconds();
	j = verify(&registrar, body_ok, 503, "resource");
	assert_non_null(strstr(test_str(j, "reason"), "30 seconds"));
	json_decref(j);
	assert_true(seconds() - t0 < 1.0);
	assert_int_equal(__atomic_load_n(&provider_calls, __ATOMIC_SEQ_CST), before);
	/* A hanging service costs at most its deadline (another resource). */
	char doc[1200];
	snprintf(
	    doc, sizeof(doc),
	    "{\"code\":\"101005002/000001\",\"name\":\"慢服务\",\"summary\":\"一个不应答的服务\","
	    "\"provider_id\":6,\"subject_kind\":\"person\",\"sharing_type\":\"unconditional\","
	    "\"update_cycle\":\"realtime\",\"fields\":[{\"name\":\"姓名\",\"type\":\"string\","
	    "\"personal\":true}],\"endpoint\":\"http://127.0.0.1:%d/hang\"}",
	    port);
	json_decref(call(&admin, "POST", "/api/v1/sharing/resources", doc, 201));
	t0 = seconds();
	json_decref(verify(&registrar, query("101005002/000001", ZHANG, "\"fields\":[\"姓名\"]"),
	                   503, "resource"));
	assert_true(seconds() - t0 < 4.5); /* the deadline is 2 s; the service answers at 5 */
	/* Each contained failure is in 张三's record as refused. */
	j = call(&zhang, "GET", "/api/v1/me/data-usage?limit=1", NULL, 200);
	json_t *u = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(test_str(u, "outcome"), "refused");
	assert_non_null(strstr(test_str(u, "reason"), "did not answer in time"));
	json_decref(j);
	/* The console edits a resource without knowing where its service is
	 * (never shown): a replacement without "endpoint" keeps it, null
	 * removes it. */
	static const char slow[] =
	    "{\"code\":\"101005002/000001\",\"name\":\"慢服务\",\"summary\":\"一个不应答的服务，"
	    "说明已改\",\"provider_id\":6,\"subject_kind\":\"person\",\"sharing_type\":"
	    "\"unconditional\",\"update_cycle\":\"realtime\",\"fields\":[{\"name\":\"姓名\","
	    "\"type\":\"string\",\"personal\":true}]%s}";
	snprintf(doc, sizeof(doc), slow, "");
	json_decref(call(&admin, "PUT", "/api/v1/sharing/resources/101005002/000001", doc, 200));
	j = call(NULL, "GET", "/api/v1/sharing/resources/101005002/000001", NULL, 200);
	assert_true(json_is_true(json_object_get(j, "realtime")));
	assert_non_null(strstr(test_str(j, "summary"), "说明已改"));
	json_decref(j);
	snprintf(doc, sizeof(doc), slow, ",\"endpoint\":null");
	json_decref(call(&admin, "PUT", "/api/v1/sharing/resources/101005002/000001", doc, 200));
	j = call(NULL, "GET", "/api/v1/sharing/resources/101005002/000001", NULL, 200);
	assert_true(json_is_false(json_object_get(j, "realtime")));
	json_decref(j);
	/* Not a URL of http(s). */
	json_decref(
	    call(&admin, "PUT", "/api/v1/sharing/resources/101005001/000001",
	         "{\"code\":\"101005001/000001\",\"name\":\"机动车驾驶证信息\",\"summary\":\"驾驶证"
	         "状态\",\"provider_id\":6,\"subject_kind\":\"person\",\"sharing_type\":"
	         "\"unconditional\",\"update_cycle\":\"realtime\",\"fields\":[{\"name\":\"姓名\","
	         "\"type\":\"string\",\"personal\":true}],\"endpoint\":\"ftp://x.example/\"}",
	         400));
	MHD_stop_daemon(d);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(catalog_is_public),
	    cmocka_unit_test(verify_answers_only_what_is_asked),
	    cmocka_unit_test(verify_rules),
	    cmocka_unit_test(uses_are_shown_to_the_person),
	    cmocka_unit_test(provider_pushes_records),
	    cmocka_unit_test(grant_life),
	    cmocka_unit_test(licence_verified_at_submission),
	    cmocka_unit_test(realtime_endpoint),
	};
	int failed = cmocka_run_group_tests_name("sharing/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("sharing/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
