/* Authority over HTTP against the real binary with --demo, on SQLite and
 * PostgreSQL (issue #10): an administrator grants only what lies in their
 * region, whatever region the request names; a department issues only the
 * certificate types of its sector; a window clerk handles the cases opened
 * at their centre's window, not a citizen's online draft, and sees how a
 * material was given but not which certificate or file; staff reads of
 * cases, certificates, the register and account searches are audited. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIRTH "1133010002486186853200032801000" /* 生育登记: needs 结婚证 (杭州市卫健委) */
#define MZ    "11330106024903108G"              /* 杭州市西湖区民政局 (id 11) */
#define ZHANG "33010619900101123X"

static struct test_srv srv;
static struct test_session zhang, wang5, clerk, sj_approver, mz_approver, supervisor, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

/* The account id of the signed-in person of s. */
static int64_t me_id(const struct test_session *s)
{
	json_t *j = call(s, "GET", "/api/v1/me", NULL, 200);
	int64_t id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	assert_true(id > 0);
	return id;
}

static int start(const char *db)
{
	const struct test_who who[] = {{ZHANG, &zhang},
	                               {"330102199203154022", &wang5},
	                               {"330106198808081015", &clerk},
	                               {"330106198606063011", &sj_approver},
	                               {"33010619871111401X", &mz_approver},
	                               {"330106198303036024", &supervisor},
	                               {"330106198202027014", &admin}};
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
	return start(test_pg_fresh("authority"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* Finding 1: an administrator over 杭州市 (330100) cannot grant a role in
 * a department of the province (330000) by naming 330100 as the region. */
static void grants_stay_in_region(void **state)
{
	(void)state;
	/* The province's admin makes 王五 (account 3) admin over 杭州市. */
	json_decref(call(&admin, "POST", "/api/v1/accounts/3/roles",
	                 "{\"role\":\"admin\",\"region\":\"330100\"}", 201));
	struct test_session city_admin;
	assert_int_equal(test_login(&srv, "330102199203154022", "tongban-demo", &city_admin), 200);
	/* Department 1 is 浙江省市场监督管理局 (330000). */
	json_t *j = call(&city_admin, "POST", "/api/v1/accounts/1/roles",
	                 "{\"role\":\"approver\",\"department_id\":1,\"region\":\"330100\"}", 403);
	json_decref(j);
	json_decref(call(&city_admin, "POST", "/api/v1/accounts/1/roles",
	                 "{\"role\":\"approver\",\"department_id\":1}", 403));
	json_decref(call(&city_admin, "POST", "/api/v1/accounts/1/roles",
	                 "{\"role\":\"supervisor\",\"department_id\":1,\"region\":\"330100\"}",
	                 403));
	/* Inside the city: a department of 上城区 (id 13). */
	json_decref(call(&city_admin, "POST", "/api/v1/accounts/1/roles",
	                 "{\"role\":\"approver\",\"department_id\":13}", 201));
	/* A department role names no other region than its department's. */
	j = call(&admin, "POST", "/api/v1/accounts/1/roles",
	         "{\"role\":\"reviewer\",\"department_id\":13,\"region\":\"330000\"}", 400);
	assert_string_equal(test_str(j, "field"), "region");
	json_decref(j);
	/* 张三 got the grant in department 13 and none in department 1. */
	struct test_session z2;
	assert_int_equal(test_login(&srv, ZHANG, "tongban-demo", &z2), 200);
	j = call(&z2, "GET", "/api/v1/me", NULL, 200);
	json_t *roles = json_object_get(j, "roles");
	size_t i;
	json_t *g;
	bool in13 = false;
	json_array_foreach(roles, i, g)
	{
		json_int_t d =
		    json_integer_value(json_object_get(json_object_get(g, "department"), "id"));
		assert_true(d != 1);
		in13 |= d == 13;
	}
	assert_true(in13);
	json_decref(j);
}

/* Finding 2: an approver of market regulation cannot issue a 结婚证 (民政)
 * or a 居民身份证 (公安); the civil-affairs approver can issue the 结婚证. */
static void issuing_follows_the_sector(void **state)
{
	(void)state;
	/* 杭州市西湖区市场监督管理局 is department 10. */
	json_t *j = call(NULL, "GET", "/api/v1/departments/10", NULL, 200);
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"type\":\"结婚证\",\"department\":\"%s\",\"holder\":{\"code\":"
	         "\"330102199203154022\",\"name\":\"王五\"},\"face\":{\"spouse_name\":"
	         "\"赵六\"}}",
	         test_str(j, "credit_code"));
	char body2[512];
	snprintf(body2, sizeof(body2),
	         "{\"type\":\"居民身份证\",\"department\":\"%s\",\"holder\":{\"code\":"
	         "\"330102199203154022\",\"name\":\"王五\"},\"face\":{\"address\":"
	         "\"杭州\"}}",
	         test_str(j, "credit_code"));
	json_decref(j);
	j = call(&sj_approver, "POST", "/api/v1/certificates", body, 403);
	assert_string_equal(test_str(j, "field"), "type");
	assert_non_null(strstr(test_str(j, "reason"), "民政"));
	json_decref(j);
	json_decref(call(&sj_approver, "POST", "/api/v1/certificates", body2, 403));
	/* Nothing was issued to 王五 by it. */
	j = call(&sj_approver, "GET",
	         "/api/v1/certificates?department=10&holder=330102199203154022", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	j = call(&mz_approver, "POST", "/api/v1/certificates",
	         "{\"type\":\"结婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	         "\"330102199203154022\",\"name\":\"王五\"},\"face\":{\"spouse_name\":\"赵六\"}}",
	         201);
	json_decref(j);
	/* The types say who issues them. */
	j = call(NULL, "GET", "/api/v1/certificate-types", NULL, 200);
	size_t i;
	json_t *t;
	bool seen = false;
	json_array_foreach(j, i, t) if (strcmp(test_str(t, "name"), "结婚证") == 0)
	{
		seen = true;
		assert_string_equal(
		    json_string_value(json_array_get(json_object_get(t, "issuer_sectors"), 0)),
		    "civil");
		assert_non_null(strstr(test_str(t, "issuing_bodies"), "民政"));
	}
	assert_true(seen);
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/departments/11", NULL, 200);
	assert_string_equal(test_str(j, "sector"), "civil");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/departments/10", NULL, 200);
	assert_string_equal(test_str(j, "sector"), "market");
	json_decref(j);
}

/* Finding 6: a citizen's own online draft is not the window's: the
 * clerk neither reads, edits nor submits it. */
static void clerk_not_in_online_drafts(void **state)
{
	(void)state;
	json_t *j = call(&zhang, "POST", "/api/v1/cases", "{\"item\":\"" BIRTH "\"}", 201);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	json_decref(call(&clerk, "GET", path, NULL, 404));
	json_decref(call(&clerk, "PUT", path, "{\"form\":{\"x\":\"clerk\"}}", 404));
	size_t n = strlen(path);
	snprintf(path + n, sizeof(path) - n, "/submit");
	json_decref(call(&clerk, "POST", path, "{}", 404));
	/* A window case is the clerk's to read and edit. */
	j = call(&clerk, "POST", "/api/v1/cases",
	         "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", 201);
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&clerk, "GET", path, NULL, 200);
	assert_string_equal(test_str(j, "channel"), "window");
	json_decref(j);
	json_decref(call(&clerk, "PUT", path, "{\"form\":{\"note\":\"窗口\"}}", 200));
}

/* Whether some material of case j names its certificate or file. */
static bool has_refs(json_t *j)
{
	bool ref = false;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "materials"), i, m) ref |=
	    json_object_get(m, "ref") != NULL;
	json_array_foreach(json_object_get(j, "given"), i, m) ref |=
	    json_object_get(m, "sm3") != NULL;
	return ref;
}

/* Finding 15: the clerk sees that 结婚证 is given by a certificate, not
 * which certificate, nor the SM3 of the library file; the applicant does. */
static void clerk_sees_no_refs(void **state)
{
	(void)state;
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", 201);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&clerk, "GET", path, NULL, 200);
	bool filled = false;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "materials"), i, m) filled |=
	    strcmp(test_str(m, "source"), "certificate") == 0;
	assert_true(filled);
	assert_false(has_refs(j));
	json_decref(j);
	j = call(&zhang, "GET", path, NULL, 200);
	assert_true(has_refs(j));
	json_decref(j);
}

/* Whether the audit trail has action on object by actor (account id). */
static bool audited(int64_t actor, const char *action, const char *object)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/audit?actor=account:%lld&limit=200",
	         (long long)actor);
	json_t *j = call(&supervisor, "GET", path, NULL, 200);
	bool found = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(j, "items"), i, x) found |=
	    strcmp(test_str(x, "action"), action) == 0 &&
	    strcmp(test_str(x, "object"), object) == 0;
	json_decref(j);
	return found;
}

/* Finding 7: staff reading a case, a certificate, the register by holder
 * and searching accounts are on the record; owners reading theirs are not. */
static void staff_reads_audited(void **state)
{
	(void)state;
	json_t *j = call(&clerk, "POST", "/api/v1/cases",
	                 "{\"item\":\"" BIRTH "\",\"applicant\":\"" ZHANG "\"}", 201);
	char path[160], object[96];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", test_str(j, "case_no"));
	snprintf(object, sizeof(object), "case:%s", test_str(j, "case_no"));
	json_decref(j);
	json_decref(call(&clerk, "GET", path, NULL, 200));
	json_decref(call(&zhang, "GET", path, NULL, 200));
	assert_true(audited(me_id(&clerk), "case.read", object));
	assert_false(audited(me_id(&zhang), "case.read", object));

	j = call(&mz_approver, "GET", "/api/v1/certificates?department=11&holder=" ZHANG, NULL,
	         200);
	const char *id = test_str(json_array_get(json_object_get(j, "items"), 0), "identifier");
	assert_non_null(id);
	char cpath[200], cobj[160];
	snprintf(cpath, sizeof(cpath), "/api/v1/certificates/%s", id);
	snprintf(cobj, sizeof(cobj), "cert:%s", id);
	json_decref(j);
	json_decref(call(&mz_approver, "GET", cpath, NULL, 200));
	json_decref(call(&zhang, "GET", cpath, NULL, 200));
	int64_t mz = me_id(&mz_approver);
	assert_true(audited(mz, "cert.register.read", "department:11;holder:" ZHANG));
	assert_true(audited(mz, "cert.read", cobj));
	assert_false(audited(me_id(&zhang), "cert.read", cobj));
	json_decref(call(&admin, "GET", "/api/v1/accounts?q=%E5%BC%A0", NULL, 200));
	assert_true(audited(me_id(&admin), "account.list", "accounts:330000;q=张"));
}

/* Finding 8, the way in: a person the population registry does not know
 * is not identity-proven until a window clerk has seen their document. */
static void proven_at_the_window(void **state)
{
	(void)state;
	json_decref(call(NULL, "POST", "/api/v1/auth/register",
	                 "{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":"
	                 "\"330106199103037318\",\"phone\":\"13600000001\",\"password\":"
	                 "\"zhao-liu-2026\"}",
	                 201));
	struct test_session zhao;
	assert_int_equal(test_login(&srv, "330106199103037318", "zhao-liu-2026", &zhao), 200);
	json_t *j = call(&zhao, "GET", "/api/v1/me", NULL, 200);
	assert_true(json_is_false(json_object_get(j, "identity_proven")));
	json_decref(j);
	json_decref(call(&zhao, "GET", "/api/v1/me/certificates", NULL, 403));
	const char *right = "{\"id_number\":\"330106199103037318\",\"name\":\"赵六\","
	                    "\"document\":\"居民身份证\"}";
	/* Nobody proves themself, nor does other staff. */
	json_decref(call(&zhao, "POST", "/api/v1/identity-proofs", right, 403));
	json_decref(call(&mz_approver, "POST", "/api/v1/identity-proofs", right, 403));
	j = call(&clerk, "POST", "/api/v1/identity-proofs",
	         "{\"id_number\":\"330106199103037318\",\"name\":\"赵七\","
	         "\"document\":\"居民身份证\"}",
	         400);
	assert_string_equal(test_str(j, "field"), "name");
	json_decref(j);
	j = call(&clerk, "POST", "/api/v1/identity-proofs",
	         "{\"id_number\":\"330106199103037318\",\"name\":\"赵六\","
	         "\"document\":\"借书证\"}",
	         400);
	assert_string_equal(test_str(j, "field"), "document");
	json_decref(j);
	json_decref(call(&clerk, "POST", "/api/v1/identity-proofs",
	                 "{\"id_number\":\"11010519491231002X\",\"name\":\"某人\","
	                 "\"document\":\"居民身份证\"}",
	                 404));
	j = call(&clerk, "POST", "/api/v1/identity-proofs", right, 200);
	char object[96];
	snprintf(object, sizeof(object), "account:%lld;document:居民身份证",
	         (long long)json_integer_value(json_object_get(j, "account_id")));
	json_decref(j);
	j = call(&zhao, "GET", "/api/v1/me", NULL, 200);
	assert_true(json_is_true(json_object_get(j, "identity_proven")));
	json_decref(j);
	json_decref(call(&zhao, "GET", "/api/v1/me/certificates", NULL, 200));
	assert_true(audited(me_id(&clerk), "account.prove", object));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(grants_stay_in_region),
	    cmocka_unit_test(issuing_follows_the_sector),
	    cmocka_unit_test(clerk_not_in_online_drafts),
	    cmocka_unit_test(clerk_sees_no_refs),
	    cmocka_unit_test(staff_reads_audited),
	    cmocka_unit_test(proven_at_the_window),
	};
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	int failed = cmocka_run_group_tests_name("authority/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("authority/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
