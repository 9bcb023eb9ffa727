/* Signing in under attack, over HTTP against the real binary with --demo,
 * on SQLite and on PostgreSQL (issue 10, findings 4, 9, 11 and 13):
 * a locked account stays locked whatever other names are tried (and the
 * address limiter never forgets a locked address under a flood of other
 * keys), registration answers a wrong name and a registered number alike
 * and is throttled per address, the owner of a locked account gets in with
 * a one-time recovery code, lockouts are counted in /metrics, and reading
 * an account one may not see answers like a missing one.
 *
 * Requests that count against an address come from their own loopback
 * address (127.0.0.0/8 all reach the server on 127.0.0.1), so the tests
 * do not lock each other out. */
#include "support.h"
#include "identity/ratelimit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct test_srv srv;
static const char *db_url;

/* Appends to the malloc'd string *ud. */
static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	char **dst = ud;
	size_t k = size * n, have = *dst ? strlen(*dst) : 0;
	*dst = realloc(*dst, have + k + 1);
	memcpy(*dst + have, p, k);
	(*dst)[have + k] = '\0';
	return k;
}

/* A JSON request from the loopback address from (extra header may be
 * NULL); returns the status. */
static long call_from(const char *from, const char *method, const char *path, const char *json,
                      const char *extra, struct http_resp *out)
{
	memset(out, 0, sizeof(*out));
	CURL *c = curl_easy_init();
	char url[512], iface[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", srv.port, path);
	snprintf(iface, sizeof(iface), "host!%s", from);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (extra)
		h = curl_slist_append(h, extra);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (json)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	else
		out->status = -1;
	if (!out->body)
		out->body = strdup("");
	if (!out->headers)
		out->headers = strdup("");
	out->len = strlen(out->body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return out->status;
}

static long login_from(const char *from, const char *login, const char *password)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
	struct http_resp r;
	long st = call_from(from, "POST", "/api/v1/auth/login", body, NULL, &r);
	http_free(&r);
	return st;
}

/* The two answers are the same but for the request id. */
static void assert_alike(const struct http_resp *a, const struct http_resp *b)
{
	assert_int_equal(a->status, b->status);
	json_t *ja = json_loads(a->body, 0, NULL), *jb = json_loads(b->body, 0, NULL);
	assert_non_null(ja);
	assert_non_null(jb);
	json_object_del(ja, "request_id");
	json_object_del(jb, "request_id");
	if (!json_equal(ja, jb))
		fail_msg("answers differ:\n%s\n%s", a->body, b->body);
	json_decref(ja);
	json_decref(jb);
}

static long register_from(const char *from, const char *name, const char *id_number,
                          const char *password, struct http_resp *out)
{
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"kind\":\"person\",\"name\":\"%s\",\"id_number\":\"%s\","
	         "\"phone\":\"13700000000\",\"password\":\"%s\"}",
	         name, id_number, password);
	return call_from(from, "POST", "/api/v1/auth/register", body, NULL, out);
}

static int start(const char *url)
{
	db_url = url;
	srv_start(&srv, db_url, "--demo", NULL);
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
	return start(test_pg_fresh("logins"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The limiter's former table: FNV-1a of the key, 8192 slots, 16 probes.
 * Names whose key starts probing where the victim's does are exactly what
 * evicted a lock from it. */
static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

/* Finding 4: a locked account stays locked while other names flood the
 * limiter from other addresses, and the right password is refused. */
static void lock_survives_flood(void **state)
{
	(void)state;
	const char *victim = "330106198707072021"; /* 赵审核 */
	long st = 0;
	for (int i = 0; i < 5; i++) {
		st = login_from("127.0.0.2", victim, "guess-guess-1");
		if (i < 4)
			assert_int_equal(st, 401);
	}
	assert_int_equal(st, 429);
	assert_int_equal(login_from("127.0.0.2", victim, "tongban-demo"), 429);
	sleep(1); /* the crafted names are younger than the lock */

	/* Crafted names that collide with the victim's key, from a second
	 * address (fewer than its own limit of 20). */
	char key[64];
	snprintf(key, sizeof(key), "a:%s", victim);
	uint64_t home = fnv(key) & 8191;
	int crafted = 0;
	for (long n = 0; crafted < 18; n++) {
		char name[32];
		snprintf(name, sizeof(name), "X%ld", n);
		snprintf(key, sizeof(key), "a:%s", name);
		if ((fnv(key) & 8191) != home)
			continue;
		assert_int_equal(login_from("127.0.0.3", name, "guess-guess-1"), 401);
		crafted++;
	}
	/* And a flood of distinct names from many addresses, each staying
	 * under its address limit. */
	for (int a = 0; a < 20; a++) {
		char from[32];
		snprintf(from, sizeof(from), "127.0.1.%d", a + 1);
		for (int i = 0; i < 19; i++) {
			char name[32];
			snprintf(name, sizeof(name), "F%d-%d", a, i);
			assert_int_equal(login_from(from, name, "guess-guess-1"), 401);
		}
	}
	assert_int_equal(login_from("127.0.0.4", victim, "tongban-demo"), 429);

	/* A name with no account answers exactly like one with an account,
	 * also once it has failed five times. */
	const char *other = "330105198404045011"; /* 周共享 */
	const char *nobody = "110101199003071234";
	for (int i = 0; i < 5; i++) {
		char body[128];
		struct http_resp a, b;
		snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"guess-guess-2\"}",
		         other);
		call_from("127.0.0.5", "POST", "/api/v1/auth/login", body, NULL, &a);
		snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"guess-guess-2\"}",
		         nobody);
		call_from("127.0.0.6", "POST", "/api/v1/auth/login", body, NULL, &b);
		assert_int_equal(a.status, i < 4 ? 401 : 429);
		assert_alike(&a, &b);
		char ra[16], rb[16];
		assert_int_equal(http_header(&a, "Retry-After", ra, sizeof(ra)) != NULL,
		                 http_header(&b, "Retry-After", rb, sizeof(rb)) != NULL);
		http_free(&a);
		http_free(&b);
	}
}

/* Finding 4, the address limiter: a locked key is never evicted by a
 * flood of other keys (in process, against the limiter itself). */
static void limiter_keeps_locks(void **state)
{
	(void)state;
	const struct tb_limit_policy *p = tb_limit_client_policy();
	int64_t now = (int64_t)time(NULL);
	int lock = 0;
	for (int i = 0; i < p->max_failures && !lock; i++)
		lock = tb_limit_fail("c:192.0.2.1", p, now);
	assert_true(lock > 0);
	for (int i = 0; i < 50000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "c:flood-%d", i);
		tb_limit_fail(key, p, now + 1);
	}
	assert_true(tb_limit_locked("c:192.0.2.1", now + 2) > 0);
	tb_limit_clear("c:192.0.2.1");
	assert_int_equal(tb_limit_locked("c:192.0.2.1", now + 2), 0);
}

/* Finding 9: a wrong name and a registered number answer alike, and
 * registrations are throttled per address. */
static void registration_alike_and_throttled(void **state)
{
	(void)state;
	struct http_resp wrong_name, registered, registered_other;
	/* 张三's number: known to the registry, registered. */
	register_from("127.0.0.7", "李三", "33010619900101123X", "zhang-san-2026", &wrong_name);
	register_from("127.0.0.7", "张三", "33010619900101123X", "zhang-san-2026", &registered);
	/* 赵审核's number: registered, not known to the registry. */
	register_from("127.0.0.7", "赵某", "330106198707072021", "zhang-san-2026",
	              &registered_other);
	assert_int_equal(registered.status, 409);
	assert_alike(&wrong_name, &registered);
	assert_alike(&registered, &registered_other);
	json_t *j = json_loads(registered.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "id_number");
	json_decref(j);
	http_free(&wrong_name);
	http_free(&registered);
	http_free(&registered_other);

	/* One address registering account after account is stopped. */
	int throttled_at = -1;
	for (int i = 0; i < 40 && throttled_at < 0; i++) {
		char id[19];
		test_fresh_id_number(id);
		struct http_resp r;
		long st = register_from("127.0.0.8", "测试", id, "test-pass-2026", &r);
		if (st == 429) {
			char ra[16];
			assert_non_null(http_header(&r, "Retry-After", ra, sizeof(ra)));
			throttled_at = i;
		} else if (st != 201) {
			fail_msg("registration %d: %ld %s", i, st, r.body);
		}
		http_free(&r);
	}
	assert_true(throttled_at >= 10 && throttled_at <= 30);
	/* Another address is not affected. */
	char id[19];
	test_fresh_id_number(id);
	struct http_resp r;
	assert_int_equal(register_from("127.0.0.9", "测试", id, "test-pass-2026", &r), 201);
	http_free(&r);
}

/* The recovery code of a 201 or 200 answer (static storage). */
static const char *code_of(const struct http_resp *r)
{
	static char code[64];
	json_t *j = json_loads(r->body, 0, NULL);
	const char *c = json_string_value(json_object_get(j, "recovery_code"));
	if (!c)
		fail_msg("no recovery_code in %s", r->body);
	snprintf(code, sizeof(code), "%s", c);
	json_decref(j);
	return code;
}

static long recover_from(const char *from, const char *login, const char *code,
                         const char *password, struct http_resp *out)
{
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"login\":\"%s\",\"recovery_code\":\"%s\",\"new_password\":\"%s\"}", login, code,
	         password);
	return call_from(from, "POST", "/api/v1/auth/recover", body, NULL, out);
}

/* Finding 13: the owner of a locked account gets in with the recovery
 * code shown at registration; lockouts are counted in the metrics. */
static void recovery(void **state)
{
	(void)state;
	char id[19];
	test_fresh_id_number(id);
	struct http_resp r;
	assert_int_equal(register_from("127.0.0.10", "恢复", id, "first-pass-2026", &r), 201);
	char code[64];
	snprintf(code, sizeof(code), "%s", code_of(&r));
	assert_true(strlen(code) >= 20);
	http_free(&r);

	/* A session of the owner, then someone locks the account. */
	struct test_session owner;
	assert_int_equal(test_login(&srv, id, "first-pass-2026", &owner), 200);
	long st = 0;
	for (int i = 0; i < 5; i++)
		st = login_from("127.0.0.11", id, "someone-else-1");
	assert_int_equal(st, 429);
	assert_int_equal(login_from("127.0.0.10", id, "first-pass-2026"), 429);

	/* Lockouts are counted. */
	http_get(&srv, "/metrics", &r);
	assert_int_equal(r.status, 200);
	const char *m = strstr(r.body, "\ntongban_login_lockouts_total{");
	assert_non_null(m);
	assert_non_null(strstr(r.body, "tongban_login_lockouts_total{key=\"account\"} "));
	http_free(&r);

	/* A wrong code, and a weak new password, change nothing. */
	assert_int_equal(
	    recover_from("127.0.0.10", id, "AAAAA-AAAAA-AAAAA-AAAAA", "new-pass-2026", &r), 401);
	http_free(&r);
	assert_int_equal(recover_from("127.0.0.10", id, code, "short", &r), 400);
	http_free(&r);
	/* The right one works while locked: new password, new code. */
	assert_int_equal(recover_from("127.0.0.10", id, code, "new-pass-2026", &r), 200);
	char code2[64];
	snprintf(code2, sizeof(code2), "%s", code_of(&r));
	assert_string_not_equal(code, code2);
	http_free(&r);
	/* The old code was used up; the old session is over; the lock is
	 * cleared and only the new password opens. */
	assert_int_equal(recover_from("127.0.0.10", id, code, "other-pass-2026", &r), 401);
	http_free(&r);
	test_call(&srv, &owner, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 401);
	http_free(&r);
	assert_int_equal(login_from("127.0.0.10", id, "first-pass-2026"), 401);
	struct test_session again;
	assert_int_equal(test_login(&srv, id, "new-pass-2026", &again), 200);

	/* A signed-in owner makes a new code; the previous one stops working. */
	test_call(&srv, &again, "POST", "/api/v1/me/recovery-code", NULL, &r);
	assert_int_equal(r.status, 201);
	char code3[64];
	snprintf(code3, sizeof(code3), "%s", code_of(&r));
	http_free(&r);
	test_call(&srv, NULL, "POST", "/api/v1/me/recovery-code", NULL, &r);
	assert_int_equal(r.status, 401);
	http_free(&r);
	assert_int_equal(recover_from("127.0.0.10", id, code2, "third-pass-2026", &r), 401);
	http_free(&r);

	/* Wrong codes are throttled per address like failed logins: the
	 * right code from that address is refused too, not from another. */
	int locked_at = -1;
	for (int i = 0; i < 30 && locked_at < 0; i++) {
		char guess[32];
		snprintf(guess, sizeof(guess), "BBBBB-BBBBB-BBBBB-%05d", i);
		if (recover_from("127.0.0.12", id, guess, "third-pass-2026", &r) == 429)
			locked_at = i;
		http_free(&r);
	}
	assert_true(locked_at >= 5 && locked_at <= 20);
	assert_int_equal(recover_from("127.0.0.12", id, code3, "third-pass-2026", &r), 429);
	http_free(&r);
	/* Codes are read loosely: lower case and without dashes. */
	char loose[64];
	size_t n = 0;
	for (const char *c = code3; *c; c++)
		if (*c != '-')
			loose[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	loose[n] = '\0';
	assert_int_equal(recover_from("127.0.0.13", id, loose, "third-pass-2026", &r), 200);
	http_free(&r);
	assert_int_equal(login_from("127.0.0.13", id, "third-pass-2026"), 200);
}

/* Finding 11 (accounts): an account one may not read answers exactly like
 * one that does not exist. */
static void account_read_hides(void **state)
{
	(void)state;
	struct test_session li;
	assert_int_equal(test_login(&srv, "330106198505052313", "tongban-demo", &li), 200);
	struct http_resp hidden, missing;
	test_call(&srv, &li, "GET", "/api/v1/accounts/1", NULL, &hidden);
	test_call(&srv, &li, "GET", "/api/v1/accounts/999999", NULL, &missing);
	assert_int_equal(hidden.status, 404);
	assert_alike(&hidden, &missing);
	http_free(&hidden);
	http_free(&missing);
	test_call(&srv, &li, "GET", "/api/v1/accounts/2", NULL, &hidden);
	assert_int_equal(hidden.status, 200);
	http_free(&hidden);
}

static void audit_chain_verifies(void **state)
{
	(void)state;
	const char *bin = getenv("TB_TEST_BIN") ? getenv("TB_TEST_BIN") : "build/tongban";
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s audit verify --db '%s' 2>&1", bin, db_url);
	FILE *p = popen(cmd, "r");
	char line[512] = "";
	assert_non_null(fgets(line, sizeof(line), p));
	int rc = pclose(p);
	if (WEXITSTATUS(rc) != 0)
		fail_msg("audit verify: %s", line);
	assert_non_null(strstr(line, "intact"));
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	setenv("TB_LOGIN_LOCK_SECONDS", "120", 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lock_survives_flood),
	    cmocka_unit_test(limiter_keeps_locks),
	    cmocka_unit_test(registration_alike_and_throttled),
	    cmocka_unit_test(recovery),
	    cmocka_unit_test(account_read_hides),
	    cmocka_unit_test(audit_chain_verifies),
	};
	int failed = cmocka_run_group_tests_name("logins/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("logins/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
