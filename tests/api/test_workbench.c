/* The department workbench over HTTP against the real binary with --demo,
 * on SQLite and on PostgreSQL (issue #12): the queue's filters (state,
 * item, overdue, mine) with the applicant's name and the assignee in each
 * row; claiming and assigning within the department, audited; the
 * department's officials to assign to; a case's files opened by its
 * department's staff, audited; and every refusal: a reviewer of another
 * department (西湖区民政局) neither sees, assigns nor opens a 西湖区市场监督管理局
 * case, a citizen cannot assign, a supervisor reads the case but not its
 * files, and an official of another department cannot be the assignee. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM "11330106024892795E4010010201000" /* 个体工商户设立登记, 西湖区市场监督管理局 */

static struct test_srv srv;
static struct test_session zhang, zhao, qian, feng, supervisor;
static json_int_t zhao_id, qian_id, feng_id;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static const char *path_of(const char *case_no, const char *suffix)
{
	static char p[320];
	snprintf(p, sizeof(p), "/api/v1/cases/%s%s", case_no, suffix);
	return p;
}

static json_int_t my_id(const struct test_session *s)
{
	json_t *j = call(s, "GET", "/api/v1/me", NULL, 200);
	json_int_t id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* A submitted case of zhang's for ITEM; its number (malloc'd). */
static char *submitted_case(void)
{
	json_t *j = call(&zhang, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", 201);
	char *no = strdup(test_str(j, "case_no"));
	json_decref(j);
	static const char *const names[] = {"个体工商户登记（备案）申请书", "经营场所使用相关证明"};
	for (size_t i = 0; i < 2; i++) {
		char *body = NULL;
		long st = test_upload(&srv, &zhang, no, names[i], "m.pdf", test_pdf, test_pdf_len,
		                      NULL, &body);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", names[i], st, body);
		free(body);
	}
	json_decref(call(&zhang, "POST", path_of(no, "/submit"), NULL, 200));
	return no;
}

/* The row of case no in a queue answer, or NULL. */
static json_t *row_of(json_t *list, const char *no)
{
	size_t i;
	json_t *c;
	json_array_foreach(
	    json_object_get(list, "items"), i,
	    c) if (!strcmp(json_string_value(json_object_get(c, "case_no")), no)) return c;
	return NULL;
}

static bool in_queue(const struct test_session *s, const char *query, const char *no)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/cases?view=queue&limit=200%s", query);
	json_t *j = call(s, "GET", path, NULL, 200);
	bool found = row_of(j, no) != NULL;
	json_decref(j);
	return found;
}

static int start(const char *url)
{
	srv_start(&srv, url, "--demo", NULL);
	struct {
		struct test_session *s;
		const char *id;
	} people[] = {{&zhang, "33010619900101123X"},
	              {&zhao, "330106198707072021"},
	              {&qian, "330106198606063011"},
	              {&feng, "330106198910103022"},
	              {&supervisor, "330106198303036024"}};
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++)
		if (test_login(&srv, people[i].id, "tongban-demo", people[i].s) != 200)
			return -1;
	zhao_id = my_id(&zhao);
	qian_id = my_id(&qian);
	feng_id = my_id(&feng);
	return 0;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("workbench"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* ---- tests --------------------------------------------------------------- */

static void queue_filters(void **state)
{
	(void)state;
	char *no = submitted_case();
	json_t *j = call(&zhao, "GET", "/api/v1/cases?view=queue&limit=200", NULL, 200);
	json_t *row = row_of(j, no);
	assert_non_null(row);
	assert_string_equal(test_str(row, "applicant_name"), "张三");
	assert_true(json_is_null(json_object_get(row, "assignee")));
	json_decref(j);
	assert_true(in_queue(&zhao, "&state=submitted", no));
	assert_false(in_queue(&zhao, "&state=under_review", no));
	assert_true(in_queue(&zhao, "&item=" ITEM, no));
	assert_false(in_queue(&zhao, "&item=11330106024892795E4010020301001", no));
	/* Submitted today: not past any deadline. The demo has overdue cases. */
	assert_false(in_queue(&zhao, "&overdue=true", no));
	j = call(&zhao, "GET", "/api/v1/cases?view=queue&overdue=true&limit=200", NULL, 200);
	size_t i;
	json_t *c;
	assert_true(json_array_size(json_object_get(j, "items")) > 0);
	json_array_foreach(json_object_get(j, "items"), i, c)
	{
		assert_string_equal(test_str(json_object_get(c, "clock"), "colour"), "red");
	}
	json_decref(j);
	assert_false(in_queue(&zhao, "&mine=true", no));
	/* Bad values, and the queue's filters outside the queue. */
	json_decref(call(&zhao, "GET", "/api/v1/cases?view=queue&overdue=yes", NULL, 400));
	json_decref(call(&zhao, "GET", "/api/v1/cases?view=queue&mine=1", NULL, 400));
	json_decref(call(&zhao, "GET", "/api/v1/cases?view=queue&item=", NULL, 400));
	j = call(&zhang, "GET", "/api/v1/cases?mine=true", NULL, 400);
	assert_string_equal(test_str(j, "field"), "mine");
	json_decref(j);
	/* Another department's reviewer: not in their queue. */
	assert_false(in_queue(&feng, "", no));
	free(no);
}

static void claim_and_assign(void **state)
{
	(void)state;
	char *no = submitted_case();
	char body[64];
	/* The department's officials, names only. */
	json_t *j = call(&zhao, "GET", "/api/v1/departments/10/staff", NULL, 200);
	char *text = json_dumps(j, 0);
	assert_non_null(strstr(text, "赵审核"));
	assert_non_null(strstr(text, "钱审批"));
	assert_null(strstr(text, "330106")); /* no identity numbers */
	free(text);
	json_decref(j);
	json_decref(call(&feng, "GET", "/api/v1/departments/10/staff", NULL, 403));
	json_decref(call(&zhang, "GET", "/api/v1/departments/10/staff", NULL, 403));
	json_decref(call(&zhao, "GET", "/api/v1/departments/x/staff", NULL, 400));

	/* Claim: the case is then "mine", and the row and the case say who. */
	snprintf(body, sizeof(body), "{\"assignee\":%lld}", (long long)zhao_id);
	json_decref(call(&zhao, "POST", path_of(no, "/assign"), body, 200));
	assert_true(in_queue(&zhao, "&mine=true", no));
	assert_false(in_queue(&qian, "&mine=true", no));
	j = call(&zhao, "GET", path_of(no, ""), NULL, 200);
	assert_string_equal(test_str(json_object_get(j, "assignee"), "name"), "赵审核");
	assert_string_equal(test_str(j, "applicant_name"), "张三");
	json_decref(j);

	/* Assign to a colleague of the department. */
	snprintf(body, sizeof(body), "{\"assignee\":%lld}", (long long)qian_id);
	json_decref(call(&zhao, "POST", path_of(no, "/assign"), body, 200));
	assert_true(in_queue(&qian, "&mine=true", no));
	assert_false(in_queue(&zhao, "&mine=true", no));
	j = call(&zhao, "GET", "/api/v1/cases?view=queue&limit=200", NULL, 200);
	assert_string_equal(test_str(json_object_get(row_of(j, no), "assignee"), "name"), "钱审批");
	json_decref(j);

	/* Refusals: not an official of the department as assignee; another
	 * department's reviewer (404: the case does not exist for them); the
	 * applicant (403); a bad body. */
	snprintf(body, sizeof(body), "{\"assignee\":%lld}", (long long)feng_id);
	j = call(&zhao, "POST", path_of(no, "/assign"), body, 400);
	assert_string_equal(test_str(j, "field"), "assignee");
	json_decref(j);
	json_decref(call(&zhao, "POST", path_of(no, "/assign"), "{\"assignee\":1}", 400));
	json_decref(call(&feng, "POST", path_of(no, "/assign"), body, 404));
	json_decref(call(&feng, "GET", path_of(no, ""), NULL, 404));
	json_decref(call(&zhang, "POST", path_of(no, "/assign"), "{\"assignee\":1}", 403));
	json_decref(call(&zhao, "POST", path_of(no, "/assign"), "{\"assignee\":\"me\"}", 400));
	json_decref(call(&zhao, "POST",
	                 path_of("11330106024892795E4010010201000209901010001", "/assign"), body,
	                 404));

	/* Every assignment is in the audit trail. */
	char audit[256];
	snprintf(audit, sizeof(audit), "/api/v1/audit?object=case:%s&limit=100", no);
	j = call(&supervisor, "GET", audit, NULL, 200);
	text = json_dumps(j, 0);
	const char *at = strstr(text, "\"case.assign\"");
	assert_non_null(at);
	assert_non_null(strstr(at + 1, "\"case.assign\""));
	free(text);
	json_decref(j);
	free(no);
}

static void material_files(void **state)
{
	(void)state;
	char *no = submitted_case();
	json_t *j = call(&zhao, "GET", path_of(no, ""), NULL, 200);
	const char *sm3 = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "materials"), i,
	                   m) if (!strcmp(test_str(m, "source"), "upload")) sm3 =
	    test_str(m, "ref");
	assert_non_null(sm3);
	char file[400];
	snprintf(file, sizeof(file), "/api/v1/cases/%s/materials/%s/file", no, sm3);
	json_decref(j);

	struct http_resp r;
	test_call(&srv, &zhao, "GET", file, NULL, &r);
	assert_int_equal(r.status, 200);
	char h[128];
	assert_string_equal(http_header(&r, "Content-Type", h, sizeof(h)), "application/pdf");
	assert_string_equal(http_header(&r, "Content-Disposition", h, sizeof(h)), "inline");
	assert_int_equal(r.len, test_pdf_len);
	assert_memory_equal(r.body, test_pdf, test_pdf_len);
	http_free(&r);
	/* The applicant opens their own file too (not audited as a staff read). */
	test_call(&srv, &zhang, "GET", file, NULL, &r);
	assert_int_equal(r.status, 200);
	http_free(&r);

	/* Refusals: another department (404), a supervisor who may read the
	 * case but not its files (403), signed out (401), a file the case does
	 * not have (404). */
	json_decref(call(&feng, "GET", file, NULL, 404));
	json_decref(call(&supervisor, "GET", file, NULL, 403));
	json_decref(call(NULL, "GET", file, NULL, 401));
	char other[400];
	snprintf(other, sizeof(other), "/api/v1/cases/%s/materials/%064d/file", no, 0);
	json_decref(call(&zhao, "GET", other, NULL, 404));

	/* The reviewer's read is in the audit trail. */
	char audit[256];
	snprintf(audit, sizeof(audit), "/api/v1/audit?object=case:%s&limit=100", no);
	j = call(&supervisor, "GET", audit, NULL, 200);
	char *text = json_dumps(j, 0);
	assert_non_null(strstr(text, "\"case.read_materials\""));
	free(text);
	json_decref(j);
	free(no);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(queue_filters),
	    cmocka_unit_test(claim_and_assign),
	    cmocka_unit_test(material_files),
	};
	int failed = cmocka_run_group_tests_name("workbench/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("workbench/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
