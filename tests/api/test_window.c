/* The general window (综合窗口) over HTTP against the real binary with
 * --demo, on SQLite and PostgreSQL: a window clerk looks up the applicant
 * at the counter by identity number or credit code (kind, name, masked
 * number, how many valid e-certificates and library files: counts only),
 * the read is on the audit trail, an unknown number is 404, and a citizen,
 * a reviewer and a visitor who has not signed in are refused. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ITEM  "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */
#define ZHANG "33010619900101123X"

static struct test_srv srv;
static struct test_session zhang, clerk, reviewer, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *url)
{
	srv_start(&srv, url, "--demo", NULL);
	return test_login(&srv, ZHANG, "tongban-demo", &zhang) == 200 &&
	               test_login(&srv, "330106198808081015", "tongban-demo", &clerk) == 200 &&
	               test_login(&srv, "330106198910103022", "tongban-demo", &reviewer) == 200 &&
	               test_login(&srv, "330106198202027014", "tongban-demo", &admin) == 200
	           ? 0
	           : -1;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("window"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

static json_int_t count_of(const json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void applicant_lookup(void **state)
{
	(void)state;
	/* What 张三 holds, as he sees it himself. */
	json_t *mine = call(&zhang, "GET", "/api/v1/me/certificates", NULL, 200);
	size_t certs = 0, i;
	json_t *e;
	json_array_foreach(json_object_get(mine, "items"), i, e) certs +=
	    !strcmp(test_str(e, "status"), "valid");
	json_decref(mine);
	mine = call(&zhang, "GET", "/api/v1/me/materials", NULL, 200);
	size_t files = json_array_size(json_object_get(mine, "items"));
	json_decref(mine);
	assert_true(certs > 0);

	/* The clerk sees the same counts, the number masked, no identifiers;
	 * a lower-case x is the same number. */
	json_t *j = call(&clerk, "GET", "/api/v1/applicants/33010619900101123x", NULL, 200);
	assert_string_equal(test_str(j, "kind"), "person");
	assert_string_equal(test_str(j, "name"), "张三");
	assert_string_equal(test_str(j, "login"), "330106********123X");
	assert_true(json_is_true(json_object_get(j, "identity_proven")));
	assert_int_equal(count_of(j, "certificates"), certs);
	assert_int_equal(count_of(j, "library"), files);
	assert_null(json_object_get(j, "id"));
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);

	/* A file scanned at the window joins his library: one more. */
	j = call(&clerk, "POST", "/api/v1/cases",
	         "{\"item\":\"" ITEM "\",\"applicant\":\"" ZHANG "\",\"form\":" TEST_SHOP_FORM "}",
	         201);
	char *no = strdup(test_str(j, "case_no"));
	json_decref(j);
	assert_int_equal(test_upload(&srv, &clerk, no, "经营场所使用相关证明", "lease.pdf",
	                             test_pdf, test_pdf_len, NULL, NULL),
	                 201);
	free(no);
	j = call(&clerk, "GET", "/api/v1/applicants/" ZHANG, NULL, 200);
	assert_int_equal(count_of(j, "library"), files + 1);
	json_decref(j);

	/* A business by its credit code. */
	j = call(&clerk, "GET", "/api/v1/applicants/91330106MA2H3K7L3H", NULL, 200);
	assert_string_equal(test_str(j, "kind"), "organisation");
	assert_string_equal(test_str(j, "name"), "杭州西湖示例科技有限公司");
	json_decref(j);

	/* A valid number nobody registered, and text that is no number. */
	j = call(&clerk, "GET", "/api/v1/applicants/110101199003074477", NULL, 404);
	assert_string_equal(test_str(j, "field"), "code");
	json_decref(j);
	json_decref(call(&clerk, "GET", "/api/v1/applicants/nobody", NULL, 404));
	json_decref(call(&clerk, "GET", "/api/v1/applicants/" ZHANG "?x=1", NULL, 400));

	/* Only the window: a citizen, a reviewer, nobody signed in. */
	j = call(&zhang, "GET", "/api/v1/applicants/330106198505052313", NULL, 403);
	assert_string_equal(test_str(j, "reason"), "applicant.read");
	json_decref(j);
	json_decref(call(&reviewer, "GET", "/api/v1/applicants/" ZHANG, NULL, 403));
	json_decref(call(NULL, "GET", "/api/v1/applicants/" ZHANG, NULL, 401));

	/* Each read by the clerk is on the record, against 张三's account. */
	j = call(&admin, "GET", "/api/v1/audit?object=account:1", NULL, 200);
	int reads = 0;
	json_array_foreach(json_object_get(j, "items"), i, e) reads +=
	    !strcmp(test_str(e, "action"), "applicant.read");
	assert_int_equal(reads, 2);
	json_decref(j);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {cmocka_unit_test(applicant_lookup)};
	int failed = cmocka_run_group_tests_name("window/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("window/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
