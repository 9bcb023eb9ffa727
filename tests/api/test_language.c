/* The language of answers, against the real binary: the same refusal in
 * Chinese (Accept-Language zh-CN, as the pages send it, with the English
 * kept in error_en and reason_en) and in English (asked for, or no
 * Accept-Language at all, as scripts and the other API tests send), a
 * reason built with printf through its pattern, and an unknown path that
 * answers a Chinese page to a browser and JSON to an API client.
 *
 * SQLite only: nothing here touches the store beyond a refused
 * registration; the choice of language is made in src/http/req.c, the
 * same for both stores. tests/http/test_reasons.c checks that every reason
 * has its Chinese. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

static struct test_srv srv;

/* A registration refused for its identity number's check digit. */
static const char bad_id[] = "{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":"
                             "\"330106199001011231\",\"phone\":\"13600000001\","
                             "\"password\":\"zhao-liu-2026\"}";

/* Sends method path with the headers hdrs (NULL-terminated) and body;
 * checks the status and returns the answer parsed as JSON. */
static json_t *ask(const char *method, const char *path, const char *const *hdrs, const char *body,
                   long status, struct http_resp *r)
{
	http_req(&srv, method, path, hdrs, body, body ? strlen(body) : 0, r);
	if (r->status != status)
		fail_msg("%s %s: %ld, expected %ld: %s", method, path, r->status, status,
		         r->body ? r->body : "");
	json_t *j = json_loads(r->body ? r->body : "", 0, NULL);
	if (!j)
		fail_msg("%s %s: not JSON: %s", method, path, r->body ? r->body : "");
	return j;
}

static void refusal_in_chinese_and_english(void **state)
{
	(void)state;
	struct http_resp r;
	char h[64];
	const char *zh[] = {"Content-Type: application/json", "Accept-Language: zh-CN", NULL};
	json_t *j = ask("POST", "/api/v1/auth/register", zh, bad_id, 400, &r);
	assert_string_equal(test_str(j, "error"), "填写的内容有误");
	assert_string_equal(test_str(j, "field"), "id_number");
	assert_string_equal(test_str(j, "reason"), "校验位不正确，请核对号码");
	assert_string_equal(test_str(j, "error_en"), "invalid input");
	assert_string_equal(test_str(j, "reason_en"), "check digit");
	assert_non_null(json_object_get(j, "request_id"));
	assert_string_equal(http_header(&r, "Content-Language", h, sizeof(h)), "zh-CN");
	json_decref(j);
	http_free(&r);

	/* English when asked for, when zh comes second, and when nothing is said. */
	const char *en[] = {"Content-Type: application/json", "Accept-Language: en", NULL};
	const char *en_first[] = {"Content-Type: application/json",
	                          "Accept-Language: en-US,en;q=0.9,zh-CN;q=0.8", NULL};
	const char *none[] = {"Content-Type: application/json", NULL};
	const char *const *english[] = {en, en_first, none};
	for (size_t i = 0; i < 3; i++) {
		j = ask("POST", "/api/v1/auth/register", english[i], bad_id, 400, &r);
		assert_string_equal(test_str(j, "error"), "invalid input");
		assert_string_equal(test_str(j, "field"), "id_number");
		assert_string_equal(test_str(j, "reason"), "check digit");
		assert_null(json_object_get(j, "error_en"));
		assert_null(json_object_get(j, "reason_en"));
		assert_null(http_header(&r, "Content-Language", h, sizeof(h)));
		json_decref(j);
		http_free(&r);
	}

	/* zh-Hans and a q-value preferring zh choose Chinese too. */
	const char *hans[] = {"Content-Type: application/json",
	                      "Accept-Language: en;q=0.5, zh-Hans", NULL};
	j = ask("POST", "/api/v1/auth/register", hans, bad_id, 400, &r);
	assert_string_equal(test_str(j, "reason"), "校验位不正确，请核对号码");
	json_decref(j);
	http_free(&r);
}

static void patterns_and_errors_without_reason(void **state)
{
	(void)state;
	struct http_resp r;
	const char *zh[] = {"Accept-Language: zh-CN", NULL};
	/* "allowed: %s", filled by the route's methods. */
	json_t *j = ask("DELETE", "/api/v1/codes/check", zh, NULL, 405, &r);
	assert_string_equal(test_str(j, "error"), "不支持这种操作");
	assert_string_equal(test_str(j, "reason"), "不支持这种请求方式（可用：GET, POST）");
	assert_string_equal(test_str(j, "reason_en"), "allowed: GET, POST");
	json_decref(j);
	http_free(&r);

	/* "malformed JSON: %s": the parser's English does not reach the person. */
	const char *zh_json[] = {"Content-Type: application/json", "Accept-Language: zh-CN", NULL};
	j = ask("POST", "/api/v1/codes/check", zh_json, "{\"codes\": [", 400, &r);
	assert_string_equal(test_str(j, "field"), "body");
	assert_string_equal(test_str(j, "reason"), "提交的内容不是有效的 JSON");
	assert_non_null(strstr(test_str(j, "reason_en"), "malformed JSON: "));
	json_decref(j);
	http_free(&r);

	/* An unknown API path stays JSON, in Chinese when asked. */
	const char *zh_html[] = {"Accept-Language: zh-CN", "Accept: text/html", NULL};
	j = ask("GET", "/api/v1/no-such-thing", zh_html, NULL, 404, &r);
	assert_string_equal(test_str(j, "error"), "没有找到");
	assert_string_equal(test_str(j, "reason"), "没有这个接口");
	json_decref(j);
	http_free(&r);
}

static void unknown_page(void **state)
{
	(void)state;
	struct http_resp r;
	char h[128];
	/* A browser: the Chinese page, with a link home, status 404. */
	const char *browser[] = {"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
	                         "*/*;q=0.8",
	                         NULL};
	http_req(&srv, "GET", "/no-such-page.html", browser, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(http_header(&r, "Content-Type", h, sizeof(h)),
	                    "text/html; charset=utf-8");
	assert_non_null(strstr(r.body, "没有找到这个页面"));
	assert_non_null(strstr(r.body, "href=\"/\""));
	http_free(&r);
	/* A folder that is not one. */
	http_req(&srv, "GET", "/no/such/folder/", browser, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "没有找到这个页面"));
	http_free(&r);

	/* API clients (JSON asked for, or anything) keep JSON. */
	const char *api[] = {"Accept: application/json", NULL};
	const char *any[] = {"Accept: */*", NULL};
	const char *const *clients[] = {api, any, NULL};
	for (size_t i = 0; i < 3; i++) {
		json_t *j = ask("GET", "/no-such-page.html", clients[i], NULL, 404, &r);
		assert_string_equal(test_str(j, "error"), "not found");
		assert_string_equal(test_str(j, "reason"), "no such page");
		json_decref(j);
		http_free(&r);
	}
}

static int start(void **state)
{
	(void)state;
	srv_start(&srv, test_sqlite_fresh(), NULL);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(refusal_in_chinese_and_english),
	    cmocka_unit_test(patterns_and_errors_without_reason),
	    cmocka_unit_test(unknown_page),
	};
	return cmocka_run_group_tests_name("language/sqlite", tests, start, stop);
}
