/* Agents and proof of identity over HTTP against the real binary with
 * --demo, on SQLite and on PostgreSQL (issue 10, findings 3 and 8):
 * removing an agent ends their acting for the business at once, in every
 * session; the agents API (list, add, remove, at least one agent kept,
 * audited); registering a business needs the business registry and its
 * legal representative, and a 营业执照 issued by the platform puts its
 * business there; an account whose identity number the population
 * registry does not know sees and reuses no certificate issued to it. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM    "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */
#define BIRTH   "1133010002486186853200032801000" /* 生育登记: needs 结婚证 */
#define SJ      "11330106024892795E"              /* 杭州市西湖区市场监督管理局 */
#define MZ      "11330106024903108G"              /* 杭州市西湖区民政局 */
#define TECH    "91330106MA2H3K7L3H"              /* 杭州西湖示例科技有限公司: 李四 */
#define CULTURE "91330106024899997A" /* 杭州西湖示例文化有限公司: 王五, not on the platform */

static struct test_srv srv;
static struct test_session zhang, zhang2, li, wang, sj_reviewer, sj_approver, mz_approver, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

/* printf into one of four rotating buffers. */
static const char *fmt(const char *f, ...)
{
	static char buf[4][1024];
	static int i;
	i = (i + 1) % 4;
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf[i], sizeof(buf[i]), f, ap);
	va_end(ap);
	return buf[i];
}

static json_int_t me_id(const struct test_session *s)
{
	json_t *j = call(s, "GET", "/api/v1/me", NULL, 200);
	json_int_t id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* The account id of the organisation s is an agent of with code. */
static json_int_t org_id(const struct test_session *s, const char *code)
{
	json_t *j = call(s, "GET", "/api/v1/me", NULL, 200);
	json_int_t id = 0;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(j, "organisations"), i,
	                   o) if (!strcmp(test_str(o, "credit_code"), code)) id =
	    json_integer_value(json_object_get(o, "id"));
	json_decref(j);
	if (!id)
		fail_msg("not an agent of %s", code);
	return id;
}

static int start(const char *db)
{
	const struct test_who who[] = {
	    {"33010619900101123X", &zhang},       {"33010619900101123X", &zhang2},
	    {"330106198505052313", &li},          {"330102199203154022", &wang},
	    {"330106198707072021", &sj_reviewer}, {"330106198606063011", &sj_approver},
	    {"33010619871111401X", &mz_approver}, {"330106198202027014", &admin}};
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
	return start(test_pg_fresh("agents"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* Finding 3: 张三, made an agent of the business, acts for it in two
 * sessions and opens a case for it; 李四 removes him. At once (no waiting
 * for any cache) neither session reads or edits the business's case,
 * opens one for it or acts for it. */
static void removal_ends_acting(void **state)
{
	(void)state;
	json_int_t org = org_id(&li, TECH), zid = me_id(&zhang);
	char agents[96];
	snprintf(agents, sizeof(agents), "/api/v1/organisations/%lld/agents", (long long)org);
	json_decref(call(&li, "POST", agents,
	                 "{\"id_number\":\"33010619900101123X\",\"name\":\"张三\"}", 201));
	json_decref(
	    call(&zhang, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 200));
	json_decref(
	    call(&zhang2, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 200));
	json_t *j = call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	char case_path[128];
	snprintf(case_path, sizeof(case_path), "/api/v1/cases/%s", no);
	j = call(&zhang, "GET", case_path, NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "applicant_id")), org);
	json_decref(j);
	json_decref(call(&zhang2, "GET", case_path, NULL, 200));

	json_decref(call(&li, "DELETE", fmt("%s/%lld", agents, (long long)zid), NULL, 200));

	json_decref(call(&zhang, "GET", case_path, NULL, 404));
	json_decref(call(&zhang2, "GET", case_path, NULL, 404));
	json_decref(call(&zhang, "PUT", case_path, "{\"form\":{\"字号\":\"改名\"}}", 404));
	j = call(&zhang2, "GET", "/api/v1/me", NULL, 200);
	assert_true(json_is_null(json_object_get(j, "acting_for")));
	assert_int_equal(json_array_size(json_object_get(j, "organisations")), 0);
	json_decref(j);
	json_decref(call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"applicant\":\"" TECH "\"}", 403));
	/* A case opened now is his own, not the business's. */
	j = call(&zhang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 201);
	json_t *own =
	    call(&zhang, "GET", fmt("/api/v1/cases/%s", test_str(j, "case_no")), NULL, 200);
	assert_int_equal(json_integer_value(json_object_get(own, "applicant_id")), zid);
	json_decref(own);
	json_decref(j);
	json_decref(
	    call(&zhang, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 403));
	/* Still there for the business's remaining agent. */
	json_decref(
	    call(&li, "POST", "/api/v1/auth/act-for", "{\"credit_code\":\"" TECH "\"}", 200));
	json_decref(call(&li, "GET", case_path, NULL, 200));
	json_decref(call(&li, "POST", "/api/v1/auth/act-for", "{\"credit_code\":null}", 200));
}

/* The agents API: who sees and changes the list, the answers, the last
 * agent kept, and the audit trail. */
static void agents_api(void **state)
{
	(void)state;
	json_int_t org = org_id(&li, TECH), lid = me_id(&li), wid = me_id(&wang);
	char agents[96];
	snprintf(agents, sizeof(agents), "/api/v1/organisations/%lld/agents", (long long)org);
	json_t *j = call(&li, "GET", agents, NULL, 200);
	assert_string_equal(test_str(json_object_get(j, "organisation"), "credit_code"), TECH);
	json_t *items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(test_str(json_array_get(items, 0), "name"), "李四");
	assert_string_equal(test_str(json_array_get(items, 0), "login"), "330106********2313");
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "you")));
	json_decref(j);
	json_decref(call(&zhang, "GET", agents, NULL, 403));
	json_decref(call(NULL, "GET", agents, NULL, 401));
	json_decref(call(&li, "GET", "/api/v1/organisations/999999/agents", NULL, 403));
	json_decref(call(&li, "GET", "/api/v1/organisations/x/agents", NULL, 400));

	/* Number and name must both match a registered person; the answer
	 * does not say which was wrong. */
	json_t *a = call(&li, "POST", agents,
	                 "{\"id_number\":\"330102199203154022\",\"name\":\"王六\"}", 400);
	json_t *b = call(&li, "POST", agents,
	                 "{\"id_number\":\"330106199505052318\",\"name\":\"王六\"}", 400);
	assert_string_equal(test_str(a, "field"), "id_number");
	assert_string_equal(test_str(a, "reason"), test_str(b, "reason"));
	json_decref(a);
	json_decref(b);
	json_decref(call(&li, "POST", agents, "{\"id_number\":\"3301\",\"name\":\"王五\"}", 400));
	json_decref(call(&li, "POST", agents, "{\"id_number\":\"330102199203154022\"}", 400));
	json_decref(call(&zhang, "POST", agents,
	                 "{\"id_number\":\"330102199203154022\",\"name\":\"王五\"}", 403));
	j = call(&li, "POST", agents, "{\"id_number\":\"330102199203154022\",\"name\":\"王五\"}",
	         201);
	assert_int_equal(json_integer_value(json_object_get(j, "person_id")), wid);
	json_decref(j);
	json_decref(call(&li, "POST", agents,
	                 "{\"id_number\":\"330102199203154022\",\"name\":\"王五\"}", 409));
	j = call(&wang, "GET", agents, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
	json_decref(j);

	/* An agent removes another; the last one stays. */
	json_decref(call(&wang, "DELETE", fmt("%s/%lld", agents, (long long)lid), NULL, 200));
	json_decref(call(&li, "GET", agents, NULL, 403));
	json_decref(call(&li, "DELETE", fmt("%s/%lld", agents, (long long)wid), NULL, 403));
	j = call(&wang, "DELETE", fmt("%s/%lld", agents, (long long)wid), NULL, 409);
	assert_string_equal(test_str(j, "field"), "person_id");
	json_decref(j);
	json_decref(call(&wang, "DELETE", fmt("%s/%lld", agents, (long long)lid), NULL, 404));
	/* Back as it was: 李四 again, then 王五 leaves by himself. */
	json_decref(call(&wang, "POST", agents,
	                 "{\"id_number\":\"330106198505052313\",\"name\":\"李四\"}", 201));
	json_decref(call(&wang, "DELETE", fmt("%s/%lld", agents, (long long)wid), NULL, 200));
	json_decref(call(&wang, "GET", agents, NULL, 403));

	/* Every change is on the record, by whom and for which business. */
	j = call(&admin, "GET",
	         fmt("/api/v1/audit?object=agent:%lld:%lld", (long long)org, (long long)wid), NULL,
	         200);
	int adds = 0, removes = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "items"), i, e)
	{
		adds += !strcmp(test_str(e, "action"), "agent.add");
		removes += !strcmp(test_str(e, "action"), "agent.remove");
		assert_string_equal(test_str(e, "acting_for"), fmt("account:%lld", (long long)org));
	}
	assert_int_equal(adds, 1);
	assert_int_equal(removes, 1);
	json_decref(j);
}

/* Finding 8 (a): a business is registered only by its registered legal
 * representative, under its registered name. */
/* A new draft of ITEM for s with a complete form into no; a draft s still
 * has open (one per applicant and item) is withdrawn first. */
static void draft_of(const struct test_session *s, char no[64])
{
	static const char body[] = "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}";
	struct http_resp r;
	test_call(&srv, s, "POST", "/api/v1/cases", body, &r);
	json_t *j = json_loads(r.body, 0, NULL);
	if (r.status == 409) {
		json_decref(call(s, "POST", fmt("/api/v1/cases/%s/events", test_str(j, "case_no")),
		                 "{\"event\":\"withdraw\"}", 200));
		json_decref(j);
		j = call(s, "POST", "/api/v1/cases", body, 201);
	} else if (r.status != 201) {
		fail_msg("POST /api/v1/cases -> %ld: %s", r.status, r.body);
	}
	http_free(&r);
	snprintf(no, 64, "%s", test_str(j, "case_no"));
	json_decref(j);
}

static void business_registration(void **state)
{
	(void)state;
	/* A code the registry does not hold, even one a 营业执照 was issued
	 * to outside the platform's own registration. */
	json_t *j = call(&sj_approver, "POST", "/api/v1/certificates",
	                 "{\"type\":\"营业执照\",\"department\":\"" SJ "\",\"holder\":{\"code\":"
	                 "\"92330106MA2T00031M\",\"name\":\"西湖某某商店\"},\"face\":{"
	                 "\"entity_type\":\"个体工商户\",\"address\":\"文三路1号\","
	                 "\"business_scope\":\"百货\"}}",
	                 201);
	json_decref(j);
	j = call(&zhang, "POST", "/api/v1/auth/register",
	         "{\"kind\":\"organisation\",\"name\":\"西湖某某商店\",\"credit_code\":"
	         "\"92330106MA2T00031M\"}",
	         400);
	assert_string_equal(test_str(j, "field"), "credit_code");
	json_decref(j);
	/* Someone else's business: refused without naming its representative. */
	j = call(&zhang, "POST", "/api/v1/auth/register",
	         "{\"kind\":\"organisation\",\"name\":\"杭州西湖示例文化有限公司\",\"credit_code\":"
	         "\"" CULTURE "\"}",
	         403);
	assert_string_equal(test_str(j, "field"), "credit_code");
	assert_null(strstr(test_str(j, "reason"), "王五"));
	assert_null(strstr(test_str(j, "reason"), "330102"));
	json_decref(j);
	j = call(&wang, "POST", "/api/v1/auth/register",
	         "{\"kind\":\"organisation\",\"name\":\"杭州西湖某文化公司\",\"credit_code\":"
	         "\"" CULTURE "\"}",
	         400);
	assert_string_equal(test_str(j, "field"), "name");
	json_decref(j);
	j = call(&wang, "POST", "/api/v1/auth/register",
	         "{\"kind\":\"organisation\",\"name\":\"杭州西湖示例文化有限公司\",\"credit_code\":"
	         "\"" CULTURE "\"}",
	         201);
	assert_true(json_is_true(json_object_get(j, "identity_proven")));
	json_decref(j);

	/* 张三 sets up a shop through the platform: the 营业执照 puts it in
	 * the registry with him as its operator, so he (only he) registers it. */
	char no[64];
	draft_of(&zhang, no);
	static const char *const names[] = {"个体工商户登记（备案）申请书", "经营者居民身份证",
	                                    "经营场所使用相关证明"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *body = NULL;
		long st = test_upload(&srv, &zhang, no, names[i], "m.pdf", test_pdf, test_pdf_len,
		                      NULL, &body);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", names[i], st, body);
		free(body);
	}
	json_decref(call(&zhang, "POST", fmt("/api/v1/cases/%s/submit", no), NULL, 200));
	char events[128];
	snprintf(events, sizeof(events), "/api/v1/cases/%s/events", no);
	json_decref(call(&sj_reviewer, "POST", events,
	                 "{\"event\":\"accept\",\"opinion\":\"材料齐全\"}", 200));
	json_decref(call(&sj_reviewer, "POST", events, "{\"event\":\"review\"}", 200));
	json_decref(call(&sj_approver, "POST", events,
	                 "{\"event\":\"approve\",\"opinion\":\"准予登记\"}", 200));
	j = call(&sj_approver, "POST", events,
	         "{\"event\":\"complete\",\"certificate\":{\"holder\":{\"code\":"
	         "\"92330106MA2T00058D\",\"name\":\"西湖张三小店\"},\"face\":{"
	         "\"entity_type\":\"个体工商户\",\"address\":\"文三路1号\","
	         "\"business_scope\":\"百货\"}}}",
	         200);
	assert_string_equal(test_str(j, "state"), "completed");
	json_decref(j);
	json_decref(call(&wang, "POST", "/api/v1/auth/register",
	                 "{\"kind\":\"organisation\",\"name\":\"西湖张三小店\",\"credit_code\":"
	                 "\"92330106MA2T00058D\"}",
	                 403));
	json_decref(call(&zhang, "POST", "/api/v1/auth/register",
	                 "{\"kind\":\"organisation\",\"name\":\"西湖李四小店\",\"credit_code\":"
	                 "\"92330106MA2T00058D\"}",
	                 400));
	json_decref(call(&zhang, "POST", "/api/v1/auth/register",
	                 "{\"kind\":\"organisation\",\"name\":\"西湖张三小店\",\"credit_code\":"
	                 "\"92330106mA2T00058d\"}",
	                 201));
	/* Acting for it, he sees its 营业执照. */
	json_decref(call(&zhang, "POST", "/api/v1/auth/act-for",
	                 "{\"credit_code\":\"92330106MA2T00058D\"}", 200));
	j = call(&zhang, "GET", "/api/v1/me/certificates", NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(test_str(json_object_get(json_array_get(items, 0), "type"), "name"),
	                    "营业执照");
	json_decref(j);
	json_decref(call(&zhang, "POST", "/api/v1/auth/act-for", "{\"credit_code\":null}", 200));
}

/* Finding 8 (b): a number the population registry does not know is
 * registered under another name; what was issued to the number stays
 * hidden from that account and is not reused for it. */
static void unproven_person(void **state)
{
	(void)state;
	json_t *j = call(&mz_approver, "POST", "/api/v1/certificates",
	                 "{\"type\":\"结婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	                 "\"330106199606062312\",\"name\":\"赵真\"},\"face\":{\"spouse_name\":"
	                 "\"钱某\"}}",
	                 201);
	char id[128];
	snprintf(id, sizeof(id), "%s", test_str(j, "identifier"));
	json_decref(j);
	j = call(NULL, "POST", "/api/v1/auth/register",
	         "{\"kind\":\"person\",\"name\":\"赵假\",\"id_number\":\"330106199606062312\","
	         "\"phone\":\"13600000009\",\"password\":\"zhao-jia-2026\"}",
	         201);
	assert_true(json_is_false(json_object_get(j, "identity_proven")));
	json_decref(j);
	struct test_session fake;
	assert_int_equal(test_login(&srv, "330106199606062312", "zhao-jia-2026", &fake), 200);
	j = call(&fake, "GET", "/api/v1/me", NULL, 200);
	assert_true(json_is_false(json_object_get(j, "identity_proven")));
	json_decref(j);
	j = call(&fake, "GET", "/api/v1/me/certificates", NULL, 403);
	assert_string_equal(test_str(j, "field"), "identity_proven");
	json_decref(j);
	json_decref(call(&fake, "GET", fmt("/api/v1/certificates/%s", id), NULL, 403));
	/* Applying: the 结婚证 is neither filled in nor accepted as a claim. */
	j = call(&fake, "POST", "/api/v1/cases", "{\"item\":\"" BIRTH "\"}", 201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&fake, "GET", fmt("/api/v1/cases/%s", no), NULL, 200);
	size_t i;
	json_t *m;
	bool marriage = false;
	json_array_foreach(json_object_get(j, "materials"), i, m)
	{
		assert_string_not_equal(test_str(m, "source"), "certificate");
		if (!strcmp(test_str(m, "name"), "结婚证")) {
			marriage = true;
			assert_string_equal(test_str(m, "source"), "missing");
		}
	}
	assert_true(marriage);
	json_decref(j);
	j = call(&fake, "PUT", fmt("/api/v1/cases/%s", no),
	         fmt("{\"materials\":[{\"name\":\"结婚证\",\"source\":\"certificate\",\"ref\":"
	             "\"%s\"}]}",
	             id),
	         400);
	assert_non_null(strstr(test_str(j, "reason"), "no valid certificate"));
	json_decref(j);

	/* The demo's citizens are known to the registry: proven, as before. */
	j = call(&zhang, "GET", "/api/v1/me", NULL, 200);
	assert_true(json_is_true(json_object_get(j, "identity_proven")));
	json_decref(j);
	j = call(&zhang, "GET", "/api/v1/me/certificates", NULL, 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 2);
	json_decref(j);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(removal_ends_acting),
	    cmocka_unit_test(agents_api),
	    cmocka_unit_test(business_registration),
	    cmocka_unit_test(unproven_person),
	};
	int failed = cmocka_run_group_tests_name("agents/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("agents/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
