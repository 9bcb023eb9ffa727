/* A search that finds what people type (issue #16), against the real
 * binary with --demo on SQLite and PostgreSQL: everyday words and
 * abbreviations (社保, 身份证, 低保, 户口, 驾照) find the services the
 * catalog names otherwise, nationally and within a region (the stores'
 * two query paths); the synonym table is public and kept by the
 * province's catalog managers. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_srv srv;
static struct test_session manager, admin;

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

static int start(const char *url)
{
	const struct test_who who[] = {
	    {"330102198505054022", &manager}, /* 孙目录, catalog manager over 330100 */
	    {"330106198202027014", &admin},   /* 郑管理, admin over 330000 */
	};
	return test_start_demo(&srv, url, who, sizeof(who) / sizeof(who[0]));
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("search"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* Whether a search for q (URL-encoded, with any more parameters) lists an
 * item named name. */
static bool finds(const char *q, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "/api/v1/items?per_page=100&q=%s", q);
	json_t *j = call(NULL, "GET", path, NULL, 200);
	bool found = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(j, "items"), i, x) found |=
	    strcmp(json_string_value(json_object_get(x, "name")), name) == 0;
	json_decref(j);
	return found;
}

#define SHEBAO  "%E7%A4%BE%E4%BF%9D"          /* 社保 */
#define SFZ     "%E8%BA%AB%E4%BB%BD%E8%AF%81" /* 身份证 */
#define DIBAO   "%E4%BD%8E%E4%BF%9D"          /* 低保 */
#define HUKOU   "%E6%88%B7%E5%8F%A3"          /* 户口 */
#define JIAZHAO "%E9%A9%BE%E7%85%A7"          /* 驾照 */
#define XIHU    "&region=330106"

static void everyday_words(void **state)
{
	(void)state;
	assert_true(finds(SHEBAO, "社会保障卡申领"));
	assert_true(finds(SFZ, "居民身份证申领（首次申领、到期换领）"));
	assert_true(finds(DIBAO, "最低生活保障申请"));
	assert_true(finds(HUKOU, "户口迁入（购房落户）"));
	assert_true(finds(JIAZHAO, "机动车驾驶证期满换证"));
	/* Within a region (the per-row path of both stores). */
	assert_true(finds(DIBAO XIHU, "最低生活保障申请"));
	assert_true(finds(SHEBAO XIHU, "社会保障卡申领"));
	/* Two words: each with its own other names, both needed. */
	assert_true(finds(DIBAO "%20%E7%94%B3%E8%AF%B7", "最低生活保障申请"));  /* 低保 申请 */
	assert_false(finds(DIBAO "%20%E7%BB%93%E5%A9%9A", "最低生活保障申请")); /* 低保 结婚 */
}

/* q percent-encoded into out. */
static void encode(const char *q, char *out, size_t n)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)q; *p && k + 4 < n; p++)
		k += (size_t)snprintf(out + k, n - k, "%%%02X", *p);
	out[k] = '\0';
}

/* The relevance set (tests/catalog/relevance.tsv): each query's service
 * first and the others named in the first three. Every miss is listed
 * before the test fails. */
static void relevance(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/catalog/relevance.tsv");
	int n = 0, first = 0, top3 = 0;
	char misses[4096] = "";
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 3);
		char q[512], path[600];
		encode(t.field[0], q, sizeof(q));
		snprintf(path, sizeof(path), "/api/v1/items?per_page=3&q=%s", q);
		json_t *j = call(NULL, "GET", path, NULL, 200);
		json_t *items = json_object_get(j, "items");
		const char *names[3] = {"", "", ""};
		for (size_t i = 0; i < 3 && i < json_array_size(items); i++)
			names[i] =
			    json_string_value(json_object_get(json_array_get(items, i), "name"));
		bool ok = strcmp(names[0], t.field[1]) == 0;
		first += ok;
		top3 += ok || !strcmp(names[1], t.field[1]) || !strcmp(names[2], t.field[1]);
		/* The others: each in the first three. */
		for (const char *o = t.field[2]; ok && strcmp(o, "-") != 0 && *o;) {
			const char *bar = strstr(o, " | ");
			size_t len = bar ? (size_t)(bar - o) : strlen(o);
			bool in = false;
			for (int i = 0; i < 3; i++)
				in |= strlen(names[i]) == len && strncmp(names[i], o, len) == 0;
			ok = in;
			o = bar ? bar + 3 : o + len;
		}
		if (!ok)
			snprintf(misses + strlen(misses), sizeof(misses) - strlen(misses),
			         "\n  %s:%d [%s]: %s | %s | %s", t.path, t.lineno, t.field[0],
			         names[0], names[1], names[2]);
		json_decref(j);
		n++;
	}
	tsv_close(&t);
	printf("relevance: %d queries, first %d, in the first three %d\n", n, first, top3);
	if (*misses)
		fail_msg("relevance misses:%s", misses);
	assert_true(n >= 40);
}

static void managers_keep_the_table(void **state)
{
	(void)state;
	json_t *j = call(NULL, "GET", "/api/v1/catalog/synonyms", NULL, 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 20);
	json_decref(j);
	static const char body[] = "{\"expansions\":[\"驾驶证\",\"机动车驾驶\"]}";
	json_decref(call(&manager, "PUT", "/api/v1/catalog/synonyms/" JIAZHAO, body, 403));
	json_decref(call(NULL, "PUT", "/api/v1/catalog/synonyms/" JIAZHAO, body, 401));
	j = call(&admin, "PUT", "/api/v1/catalog/synonyms/" JIAZHAO, "{\"expansions\":[\"驾照\"]}",
	         400);
	assert_string_equal(test_str(j, "field"), "expansions");
	json_decref(j);
	json_decref(
	    call(&admin, "PUT", "/api/v1/catalog/synonyms/" JIAZHAO, "{\"expansions\":[]}", 400));
	json_decref(
	    call(&admin, "PUT", "/api/v1/catalog/synonyms/%E9%A9%BE%20%E7%85%A7", body, 400));
	json_decref(call(&admin, "PUT", "/api/v1/catalog/synonyms/" JIAZHAO, body, 200));
	assert_true(finds(JIAZHAO, "机动车驾驶证期满换证"));
	json_decref(call(&admin, "DELETE", "/api/v1/catalog/synonyms/" JIAZHAO, NULL, 200));
	json_decref(call(&admin, "DELETE", "/api/v1/catalog/synonyms/" JIAZHAO, NULL, 404));
	assert_false(finds(JIAZHAO, "机动车驾驶证期满换证"));
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(everyday_words),
	    cmocka_unit_test(relevance),
	    cmocka_unit_test(managers_keep_the_table),
	};
	int failed = cmocka_run_group_tests_name("search/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("search/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
