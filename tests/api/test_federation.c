/* Cross-province handling (issue 18), the exchange between two real
 * platforms on loopback: 浙江 (the demo, 330000) and 广东 (a new store
 * with --province 440000 and its administrator). Peers are registered
 * both ways; a ping is delivered and answered; every refusal of the
 * message endpoint (bad signature, unknown or suspended peer, unknown
 * key, another platform's message, unknown kind, malformed) changes
 * nothing and is audited; a replay is answered as a duplicate and
 * changes nothing; a peer that is down gets its messages once it is
 * back, once each; a rotated key reaches the peer and signs from then
 * on; a refused message is dead until an administrator sends it again. */
#include "support.h"
#include "base/sm2.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct test_srv zj, gd; /* 浙江, 广东 */
static char gd_db[512];
static struct test_session zj_admin, gd_admin, zhang, zj_clerk, gd_reviewer;

#define GD_ADMIN "44010619820202701X" /* 邓管理 of the 广东 demo */

static json_t *call(struct test_srv *s, const struct test_session *who, const char *method,
                    const char *path, const char *body, long want)
{
	return test_expect(s, who, method, path, body, want);
}

static int start(const char *zj_db, const char *gd_url)
{
	snprintf(gd_db, sizeof(gd_db), "%s", gd_url);
	const struct test_who who[] = {{"330106198202027014", &zj_admin},
	                               {"33010619900101123X", &zhang},
	                               {"330106198808081015", &zj_clerk}}; /* 王窗口 */
	if (test_start_demo(&zj, zj_db, who, 3) != 0)
		return -1;
	srv_start(&gd, gd_db, "--demo", "--province", "440000", NULL);
	return test_login(&gd, GD_ADMIN, "tongban-demo", &gd_admin) == 200 &&
	               test_login(&gd, "440106198707072027", "tongban-demo", &gd_reviewer) == 200
	           ? 0
	           : -1;
}

static int start_sqlite(void **state)
{
	(void)state;
	char zj_db[512];
	snprintf(zj_db, sizeof(zj_db), "%s", test_sqlite_fresh());
	return start(zj_db, test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	char zj_db[512];
	snprintf(zj_db, sizeof(zj_db), "%s", test_pg_fresh("fed_zj"));
	return start(zj_db, test_pg_fresh("fed_gd"));
}

static int stop(void **state)
{
	(void)state;
	int rc = srv_stop(&zj);
	rc |= srv_stop(&gd);
	return rc;
}

/* The public key PEM of s as a JSON string (malloc'd), and its id. */
static char *self_pem(struct test_srv *s, char key_id[TB_SM2_KEY_ID])
{
	json_t *j = call(s, NULL, "GET", "/api/v1/federation/self", NULL, 200);
	char *pem = json_dumps(json_object_get(j, "public_pem"), JSON_ENCODE_ANY);
	if (key_id)
		snprintf(key_id, TB_SM2_KEY_ID, "%s", test_str(j, "key_id"));
	json_decref(j);
	return pem;
}

static void register_peer(struct test_srv *at, const struct test_session *admin,
                          struct test_srv *peer, const char *province, const char *name)
{
	char *pem = self_pem(peer, NULL);
	char body[2048];
	snprintf(body, sizeof(body),
	         "{\"province\":\"%s\",\"name\":\"%s\",\"base_url\":\"http://127.0.0.1:%d/\","
	         "\"public_pem\":%s}",
	         province, name, peer->port, pem);
	json_decref(call(at, admin, "POST", "/api/v1/federation/peers", body, 201));
	free(pem);
}

/* The count of what the peer of province at s shows under messages.what. */
static long long peer_count(struct test_srv *s, const struct test_session *admin,
                            const char *province, const char *what)
{
	json_t *j = call(s, admin, "GET", "/api/v1/federation/peers", NULL, 200);
	long long n = -1;
	json_t *p;
	size_t i;
	json_array_foreach(json_object_get(j, "items"), i, p)
	{
		if (strcmp(test_str(p, "province"), province) == 0)
			n = json_integer_value(
			    json_object_get(json_object_get(p, "messages"), what));
	}
	json_decref(j);
	return n;
}

/* Waits up to 15 s for the count to reach want; returns the last seen. */
static long long wait_count(struct test_srv *s, const struct test_session *admin,
                            const char *province, const char *what, long long want)
{
	long long n = -1;
	for (int i = 0; i < 150 && (n = peer_count(s, admin, province, what)) < want; i++)
		usleep(100 * 1000);
	return n;
}

/* Sends a ping from 浙江 to its peer 1 (广东). */
static void ping(void)
{
	json_decref(call(&zj, &zj_admin, "POST", "/api/v1/federation/peers/1/ping", NULL, 202));
}

static void peers_and_ping(void **state)
{
	(void)state;
	json_t *j = call(&gd, NULL, "GET", "/api/v1/federation/self", NULL, 200);
	assert_string_equal(test_str(j, "province"), "440000");
	assert_string_equal(test_str(j, "name"), "广东省");
	assert_int_equal(strlen(test_str(j, "key_id")), 16);
	json_decref(j);

	/* What an administrator may not register. */
	char *pem = self_pem(&gd, NULL);
	char body[2048];
	const struct {
		const char *province, *name, *url, *pem, *field;
	} bad[] = {
	    {"440100", "广州", "http://127.0.0.1:1", NULL, "province"}, /* a city */
	    {"330000", "浙江", "http://127.0.0.1:1", NULL, "province"}, /* itself */
	    {"990000", "无", "http://127.0.0.1:1", NULL, "province"},
	    {"440000", "", "http://127.0.0.1:1", NULL, "name"},
	    {"440000", "广东", "ftp://127.0.0.1/", NULL, "base_url"},
	    {"440000", "广东", "http://u:p@127.0.0.1/", NULL, "base_url"},
	    {"440000", "广东", "http://127.0.0.1/?a=1", NULL, "base_url"},
	    {"440000", "广东", "http://127.0.0.1:1", "\"not a key\"", "public_pem"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(
		    body, sizeof(body),
		    "{\"province\":\"%s\",\"name\":\"%s\",\"base_url\":\"%s\",\"public_pem\":%s}",
		    bad[i].province, bad[i].name, bad[i].url, bad[i].pem ? bad[i].pem : pem);
		j = call(&zj, &zj_admin, "POST", "/api/v1/federation/peers", body, 400);
		assert_string_equal(test_str(j, "field"), bad[i].field);
		json_decref(j);
	}
	snprintf(body, sizeof(body),
	         "{\"province\":\"440000\",\"name\":\"广东\",\"base_url\":\"http://127.0.0.1:1\","
	         "\"public_pem\":%s}",
	         pem);
	json_decref(call(&zj, &zhang, "POST", "/api/v1/federation/peers", body, 403));
	json_decref(call(&zj, NULL, "GET", "/api/v1/federation/peers", NULL, 401));
	free(pem);

	register_peer(&zj, &zj_admin, &gd, "440000", "广东省政务服务网");
	register_peer(&gd, &gd_admin, &zj, "330000", "浙江政务服务网");
	/* Twice: a conflict, nothing changed. */
	pem = self_pem(&gd, NULL);
	snprintf(body, sizeof(body),
	         "{\"province\":\"440000\",\"name\":\"又一个\",\"base_url\":\"http://127.0.0.1:1\","
	         "\"public_pem\":%s}",
	         pem);
	free(pem);
	j = call(&zj, &zj_admin, "POST", "/api/v1/federation/peers", body, 409);
	assert_string_equal(test_str(j, "field"), "province");
	json_decref(j);

	ping();
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "delivered", 1), 1);
	assert_int_equal(peer_count(&gd, &gd_admin, "330000", "received"), 1);
	j = call(&zj, &zj_admin, "GET", "/api/v1/federation/outbox?state=delivered", NULL, 200);
	json_t *m = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(test_str(m, "kind"), "ping");
	assert_int_equal(json_integer_value(json_object_get(m, "last_status")), 200);
	json_decref(j);
	/* Both audit trails have it. */
	j = call(&gd, &gd_admin, "GET", "/api/v1/audit?actor=peer:330000", NULL, 200);
	char *audit = json_dumps(j, 0);
	assert_non_null(strstr(audit, "exchange.receive"));
	free(audit);
	json_decref(j);
}

/* ---- messages made by the test, signed with 浙江's own key file -------- */

/* 浙江's active exchange key, read from its key folder (no master key). */
static struct tb_sm2_key *zj_key(char key_id[TB_SM2_KEY_ID])
{
	char *pem = self_pem(&zj, key_id);
	free(pem);
	char path[512];
	snprintf(path, sizeof(path), "%s/keys/%s.pem", zj.data, key_id);
	struct tb_sm2_key *k = NULL;
	assert_int_equal(tb_sm2_load_private(path, &k), TB_OK);
	return k;
}

/* POSTs envelope to 广东 signed with k (sig overrides when not NULL);
 * returns the status, the answer in *out (caller frees). */
static long post_msg(const char *envelope, struct tb_sm2_key *k, const char *sig, json_t **out)
{
	char hex[TB_SM2_SIG_HEX], hdr[TB_SM2_SIG_HEX + 40];
	assert_int_equal(tb_sm2_sign(k, envelope, strlen(envelope), hex), TB_OK);
	snprintf(hdr, sizeof(hdr), "X-Tongban-Signature: %s", sig ? sig : hex);
	const char *hdrs[] = {"Content-Type: application/json", hdr, NULL};
	struct http_resp r;
	http_req(&gd, "POST", "/api/v1/federation/messages", hdrs, envelope, strlen(envelope), &r);
	long st = r.status;
	*out = json_loads(r.body, 0, NULL);
	http_free(&r);
	return st;
}

static void envelope(char *out, size_t n, const char *id, const char *from, const char *to,
                     const char *kind, const char *key_id)
{
	snprintf(out, n,
	         "{\"id\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"kind\":\"%s\",\"at\":%lld,"
	         "\"key_id\":\"%s\",\"body\":{}}",
	         id, from, to, kind, (long long)time(NULL), key_id);
}

static void refusals_change_nothing(void **state)
{
	(void)state;
	char key_id[TB_SM2_KEY_ID], env[1024];
	struct tb_sm2_key *k = zj_key(key_id);
	long long received = peer_count(&gd, &gd_admin, "330000", "received");
	json_t *j;

	/* A good one, then the same bytes again: a duplicate, nothing new. */
	envelope(env, sizeof(env), "0123456789abcdef0123456789abcdef", "330000", "440000", "ping",
	         key_id);
	assert_int_equal(post_msg(env, k, NULL, &j), 200);
	assert_false(json_is_true(json_object_get(j, "duplicate")));
	json_decref(j);
	assert_int_equal(post_msg(env, k, NULL, &j), 200);
	assert_true(json_is_true(json_object_get(j, "duplicate")));
	json_decref(j);
	assert_int_equal(peer_count(&gd, &gd_admin, "330000", "received"), received + 1);

	const struct {
		const char *id, *from, *to, *kind, *key;
		bool bad_sig;
		long status;
		const char *field;
	} cases[] = {
	    {"1123456789abcdef0123456789abcdef", "330000", "440000", "ping", NULL, true, 401,
	     "signature"},
	    {"2123456789abcdef0123456789abcdef", "110000", "440000", "ping", NULL, false, 403,
	     "from"},
	    {"3123456789abcdef0123456789abcdef", "330000", "440000", "ping", "00000000000000aa",
	     false, 403, "key_id"},
	    {"4123456789abcdef0123456789abcdef", "330000", "320000", "ping", NULL, false, 400,
	     "to"},
	    {"5123456789abcdef0123456789abcdef", "330000", "440000", "case.mystery", NULL, false,
	     400, "kind"},
	    {"not-hex", "330000", "440000", "ping", NULL, false, 400, "id"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		envelope(env, sizeof(env), cases[i].id, cases[i].from, cases[i].to, cases[i].kind,
		         cases[i].key ? cases[i].key : key_id);
		/* A bad signature: another message's. */
		char other[TB_SM2_SIG_HEX];
		assert_int_equal(tb_sm2_sign(k, "something else", 14, other), TB_OK);
		long st = post_msg(env, k, cases[i].bad_sig ? other : NULL, &j);
		if (st != cases[i].status || !j || !json_object_get(j, "field") ||
		    strcmp(test_str(j, "field"), cases[i].field) != 0)
			fail_msg("case %zu: %ld %s", i, st, j ? json_dumps(j, 0) : "(no JSON)");
		json_decref(j);
	}
	/* Not JSON, and no signature. */
	const char *hdrs[] = {"Content-Type: application/json", "X-Tongban-Signature: 00", NULL};
	struct http_resp r;
	http_req(&gd, "POST", "/api/v1/federation/messages", hdrs, "{", 1, &r);
	assert_int_equal(r.status, 400);
	http_free(&r);
	envelope(env, sizeof(env), "6123456789abcdef0123456789abcdef", "330000", "440000", "ping",
	         key_id);
	const char *nosig[] = {"Content-Type: application/json", NULL};
	http_req(&gd, "POST", "/api/v1/federation/messages", nosig, env, strlen(env), &r);
	assert_int_equal(r.status, 401);
	http_free(&r);

	/* Suspended: refused until resumed. */
	json_decref(call(&gd, &gd_admin, "POST", "/api/v1/federation/peers/1/state",
	                 "{\"state\":\"suspended\"}", 200));
	envelope(env, sizeof(env), "7123456789abcdef0123456789abcdef", "330000", "440000", "ping",
	         key_id);
	assert_int_equal(post_msg(env, k, NULL, &j), 403);
	assert_string_equal(test_str(j, "field"), "from");
	json_decref(j);
	json_decref(call(&gd, &gd_admin, "POST", "/api/v1/federation/peers/1/state",
	                 "{\"state\":\"resting\"}", 400));
	json_decref(call(&gd, &gd_admin, "POST", "/api/v1/federation/peers/1/state",
	                 "{\"state\":\"active\"}", 200));
	assert_int_equal(post_msg(env, k, NULL, &j), 200);
	json_decref(j);

	/* Nothing refused was taken; each refusal of a parsed message is in
	 * the audit trail. */
	assert_int_equal(peer_count(&gd, &gd_admin, "330000", "received"), received + 2);
	j = call(&gd, &gd_admin, "GET", "/api/v1/audit?actor=peer:330000&limit=100", NULL, 200);
	char *text = json_dumps(j, 0);
	for (const char *p = "134567"; *p; p++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "message:%c123456789abcdef0123456789abcdef", *p);
		if (*p != '6' && !strstr(text, needle))
			fail_msg("no audit record of %s", needle);
	}
	assert_non_null(strstr(text, "exchange.duplicate"));
	assert_non_null(strstr(text, "exchange.refuse"));
	free(text);
	json_decref(j);
	/* The unknown sender is audited under the name it claimed. */
	j = call(&gd, &gd_admin, "GET", "/api/v1/audit?actor=peer:110000", NULL, 200);
	text = json_dumps(j, 0);
	assert_non_null(strstr(text, "message:2123456789abcdef0123456789abcdef"));
	free(text);
	json_decref(j);
	tb_sm2_free(k);
}

static void down_peer_rotation_and_dead_letters(void **state)
{
	(void)state;
	long long received = peer_count(&gd, &gd_admin, "330000", "received");
	long long delivered = peer_count(&zj, &zj_admin, "440000", "delivered");
	/* 广东 is down: the messages wait. */
	assert_int_equal(srv_stop(&gd), 0);
	ping();
	ping();
	sleep(2);
	assert_int_equal(peer_count(&zj, &zj_admin, "440000", "pending"), 2);
	json_t *j =
	    call(&zj, &zj_admin, "GET", "/api/v1/federation/outbox?state=pending", NULL, 200);
	/* The older one is tried; the newer waits behind it (in order). */
	json_t *m = json_array_get(json_object_get(j, "items"), 1);
	assert_true(json_integer_value(json_object_get(m, "attempts")) >= 1);
	assert_string_equal(test_str(m, "last_error"), "no answer");
	json_decref(j);
	/* Back, at its address: each arrives once. */
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", gd.port);
	srv_start_on(&gd, gd.data, gd_db, "--province", "440000", "--listen", listen, NULL);
	assert_int_equal(test_login(&gd, GD_ADMIN, "tongban-demo", &gd_admin), 200);
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "delivered", delivered + 2),
	                 delivered + 2);
	assert_int_equal(peer_count(&gd, &gd_admin, "330000", "received"), received + 2);

	/* 浙江 rotates its key: 广东 learns it from a message signed with the
	 * old one, and takes messages signed with the new one. */
	char old_id[TB_SM2_KEY_ID], new_id[TB_SM2_KEY_ID];
	free(self_pem(&zj, old_id));
	j = call(&zj, &zj_admin, "POST", "/api/v1/federation/keys", NULL, 201);
	snprintf(new_id, sizeof(new_id), "%s", test_str(j, "key_id"));
	json_decref(j);
	assert_string_not_equal(old_id, new_id);
	ping();
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "delivered", delivered + 4),
	                 delivered + 4);
	j = call(&gd, &gd_admin, "GET", "/api/v1/federation/peers", NULL, 200);
	char *text = json_dumps(j, 0);
	assert_non_null(strstr(text, old_id));
	assert_non_null(strstr(text, new_id));
	free(text);
	json_decref(j);
	json_decref(call(&gd, &zhang, "POST", "/api/v1/federation/keys", NULL, 401));

	/* 广东 suspends 浙江: the next ping is refused, dead, and sent again
	 * by an administrator once resumed. */
	json_decref(call(&gd, &gd_admin, "POST", "/api/v1/federation/peers/1/state",
	                 "{\"state\":\"suspended\"}", 200));
	ping();
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "dead", 1), 1);
	j = call(&zj, &zj_admin, "GET", "/api/v1/federation/outbox?state=dead", NULL, 200);
	m = json_array_get(json_object_get(j, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "last_status")), 403);
	assert_non_null(strstr(test_str(m, "last_error"), "suspended"));
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/federation/outbox/%lld/retry",
	         (long long)json_integer_value(json_object_get(m, "id")));
	json_decref(j);
	json_decref(call(&gd, &gd_admin, "POST", "/api/v1/federation/peers/1/state",
	                 "{\"state\":\"active\"}", 200));
	json_decref(call(&zj, &zj_admin, "POST", path, NULL, 200));
	json_decref(call(&zj, &zj_admin, "POST", path, NULL, 409)); /* not dead any more */
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "delivered", delivered + 5),
	                 delivered + 5);
	assert_int_equal(peer_count(&zj, &zj_admin, "440000", "dead"), 0);
	json_decref(
	    call(&zj, &zj_admin, "POST", "/api/v1/federation/outbox/999999/retry", NULL, 404));
	json_decref(call(&zj, &zj_admin, "GET", "/api/v1/federation/outbox?state=lost", NULL, 400));
}

/* POSTs an assertion to 广东's /api/v1/auth/federated; the status, and
 * the session in *s when it is 200 (s may be NULL). */
static long arrive(const char *assertion, const char *sig, struct test_session *s, json_t **out)
{
	json_t *b = json_pack("{s:s, s:s}", "assertion", assertion, "signature", sig);
	char *body = json_dumps(b, 0);
	json_decref(b);
	struct http_resp r;
	test_call(&gd, NULL, "POST", "/api/v1/auth/federated", body, &r);
	free(body);
	long st = r.status;
	*out = json_loads(r.body, 0, NULL);
	if (st == 200 && s) {
		char cookie[256];
		assert_non_null(http_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
		*strchr(cookie, ';') = '\0';
		snprintf(s->cookie, sizeof(s->cookie), "Cookie: %s", cookie);
		snprintf(s->csrf, sizeof(s->csrf), "X-CSRF-Token: %s",
		         test_str(*out, "csrf_token"));
	}
	http_free(&r);
	return st;
}

/* who, signed in at home, signs in at there (全程网办; audience: there's
 * province): the session there into out. */
static void sign_in_across(struct test_srv *home, const struct test_session *who,
                           const char *audience, struct test_srv *there, struct test_session *out)
{
	char req[64];
	snprintf(req, sizeof(req), "{\"audience\":\"%s\"}", audience);
	json_t *j = call(home, who, "POST", "/api/v1/federation/assertions", req, 201);
	json_t *arrival = json_pack("{s:O, s:O}", "assertion", json_object_get(j, "assertion"),
	                            "signature", json_object_get(j, "signature"));
	json_decref(j);
	char *body = json_dumps(arrival, 0);
	json_decref(arrival);
	struct http_resp hr;
	test_call(there, NULL, "POST", "/api/v1/auth/federated", body, &hr);
	free(body);
	assert_int_equal(hr.status, 200);
	char cookie[256];
	assert_non_null(http_header(&hr, "Set-Cookie", cookie, sizeof(cookie)));
	*strchr(cookie, ';') = '\0';
	snprintf(out->cookie, sizeof(out->cookie), "Cookie: %s", cookie);
	j = json_loads(hr.body, 0, NULL);
	snprintf(out->csrf, sizeof(out->csrf), "X-CSRF-Token: %s", test_str(j, "csrf_token"));
	json_decref(j);
	http_free(&hr);
}

/* An assertion made by the test with 浙江's key (exp_in seconds from now). */
static void forge(char *out, size_t n, const char *jti, const char *aud, long exp_in,
                  const char *key_id)
{
	long long now = (long long)time(NULL);
	snprintf(out, n,
	         "{\"iss\":\"330000\",\"aud\":\"%s\",\"sub\":\"33010619900101123X\","
	         "\"name\":\"张三\",\"proven\":true,\"iat\":%lld,\"exp\":%lld,\"jti\":\"%s\","
	         "\"key_id\":\"%s\"}",
	         aud, now - 10, now + exp_in, jti, key_id);
}

static void signs_in_across_provinces(void **state)
{
	(void)state;
	/* 张三 of 浙江 asks his platform for an assertion for 广东. */
	json_t *j = call(&zj, &zhang, "POST", "/api/v1/federation/assertions",
	                 "{\"audience\":\"440000\"}", 201);
	char *assertion = strdup(test_str(j, "assertion"));
	char *sig = strdup(test_str(j, "signature"));
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", gd.port);
	assert_string_equal(test_str(j, "peer_url"), url);
	json_decref(j);
	json_decref(call(&zj, &zhang, "POST", "/api/v1/federation/assertions",
	                 "{\"audience\":\"320000\"}", 400));
	json_decref(call(&zj, NULL, "POST", "/api/v1/federation/assertions",
	                 "{\"audience\":\"440000\"}", 401));
	/* The public list of where people come from. */
	j = call(&gd, NULL, "GET", "/api/v1/federation/platforms", NULL, 200);
	assert_string_equal(test_str(j, "province"), "440000");
	assert_string_equal(test_str(json_array_get(json_object_get(j, "items"), 0), "province"),
	                    "330000");
	json_decref(j);

	/* At 广东: a session, an account made on first use, once only. */
	struct test_session visitor;
	assert_int_equal(arrive(assertion, sig, &visitor, &j), 200);
	json_t *acc = json_object_get(j, "account");
	assert_string_equal(test_str(acc, "name"), "张三");
	json_int_t account = json_integer_value(json_object_get(acc, "id"));
	json_decref(j);
	j = call(&gd, &visitor, "GET", "/api/v1/me", NULL, 200);
	assert_string_equal(test_str(j, "name"), "张三");
	json_decref(j);
	assert_int_equal(arrive(assertion, sig, NULL, &j), 401); /* replayed */
	assert_string_equal(test_str(j, "field"), "jti");
	json_decref(j);
	/* Tampered: the signature no longer fits. */
	char *bad = strdup(assertion);
	memcpy(strstr(bad, "张三"), "李四", strlen("李四"));
	assert_int_equal(arrive(bad, sig, NULL, &j), 401);
	assert_string_equal(test_str(j, "field"), "signature");
	json_decref(j);
	free(bad);

	/* Made by the test with 浙江's key: expired, for another platform, an
	 * unknown key; then a good one signs in to the same account. */
	char key_id[TB_SM2_KEY_ID], text[1024], hex[TB_SM2_SIG_HEX];
	struct tb_sm2_key *k = zj_key(key_id);
	const struct {
		const char *jti, *aud;
		long exp_in;
		const char *key;
		long status;
		const char *field;
	} cases[] = {
	    {"a0000000000000000000000000000001", "440000", -1, NULL, 401, "exp"},
	    {"a0000000000000000000000000000002", "320000", 200, NULL, 400, "aud"},
	    {"a0000000000000000000000000000003", "440000", 200, "00000000000000aa", 403, "key_id"},
	    {"a0000000000000000000000000000004", "440000", 100000, NULL, 400, "exp"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		forge(text, sizeof(text), cases[i].jti, cases[i].aud, cases[i].exp_in,
		      cases[i].key ? cases[i].key : key_id);
		assert_int_equal(tb_sm2_sign(k, text, strlen(text), hex), TB_OK);
		long st = arrive(text, hex, NULL, &j);
		if (st != cases[i].status || strcmp(test_str(j, "field"), cases[i].field) != 0)
			fail_msg("case %zu: %ld %s", i, st, json_dumps(j, 0));
		json_decref(j);
	}
	forge(text, sizeof(text), "a0000000000000000000000000000005", "440000", 200, key_id);
	assert_int_equal(tb_sm2_sign(k, text, strlen(text), hex), TB_OK);
	assert_int_equal(arrive(text, hex, NULL, &j), 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "account"), "id")),
	                 account);
	json_decref(j);
	tb_sm2_free(k);

	/* Each refusal is in 广东's audit trail; the sign-ins too. */
	j = call(&gd, &gd_admin, "GET", "/api/v1/audit?actor=peer:330000&limit=200", NULL, 200);
	char *all = json_dumps(j, 0);
	assert_non_null(strstr(all, "account.federated"));
	for (int i = 1; i <= 4; i++) {
		char needle[80];
		snprintf(needle, sizeof(needle), "assertion:a000000000000000000000000000000%d", i);
		if (!strstr(all, needle))
			fail_msg("no audit record of %s", needle);
	}
	free(all);
	json_decref(j);
	free(assertion);
	free(sig);
}

/* The offered items 浙江 keeps of 广东 (GET /api/v1/federation/items). */
static long long offered(const char *query)
{
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/federation/items%s", query);
	json_t *j = call(&zj, NULL, "GET", path, NULL, 200);
	long long n = json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	return n;
}

static void catalog_across_platforms(void **state)
{
	(void)state;
	assert_int_equal(offered(""), 0);
	long long delivered = peer_count(&zj, &zj_admin, "440000", "delivered");
	json_decref(
	    call(&zj, &zj_admin, "POST", "/api/v1/federation/peers/1/catalog-sync", NULL, 202));
	json_decref(
	    call(&zj, &zhang, "POST", "/api/v1/federation/peers/1/catalog-sync", NULL, 403));
	/* Eight items offered, five a page: two requests; and 广东's
	 * certificate keys, one page. */
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "delivered", delivered + 3),
	                 delivered + 3);
	assert_int_equal(offered(""), 8);
	assert_int_equal(offered("?q=结婚"), 1);
	assert_int_equal(offered("?province=440000&per_page=5"), 8);
	assert_int_equal(offered("?province=320000"), 0);
	assert_int_equal(offered("?q=%25"), 0); /* a % is a percent sign */
	json_t *j = call(&zj, NULL, "GET", "/api/v1/federation/items?q=结婚", NULL, 200);
	json_t *it = json_array_get(json_object_get(j, "items"), 0);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/federation/items/440000/%s", test_str(it, "code"));
	assert_string_equal(test_str(json_object_get(it, "peer"), "name"), "广东省政务服务网");
	json_decref(j);
	j = call(&zj, NULL, "GET", path, NULL, 200);
	json_t *doc = json_object_get(j, "doc");
	assert_string_equal(test_str(doc, "name"), "内地居民结婚登记");
	assert_string_equal(test_str(doc, "cross_region"), "nationwide");
	json_decref(j);
	json_decref(call(&zj, NULL, "GET", "/api/v1/federation/items/440000/nothing", NULL, 404));

	/* 广东 withdraws one: the next sync removes it here. */
	snprintf(path, sizeof(path), "/api/v1/items/%s/withdraw",
	         "1144010602487217X04070081601000");
	json_decref(call(&gd, &gd_admin, "POST", path, NULL, 200));
	delivered = peer_count(&zj, &zj_admin, "440000", "delivered");
	sleep(1); /* a new sync stamp */
	json_decref(
	    call(&zj, &zj_admin, "POST", "/api/v1/federation/peers/1/catalog-sync", NULL, 202));
	assert_int_equal(wait_count(&zj, &zj_admin, "440000", "delivered", delivered + 3),
	                 delivered + 3);
	assert_int_equal(offered(""), 7);
	assert_int_equal(offered("?q=结婚"), 0);
}

/* A forward of 广东's 个体工商户设立登记 by 浙江's window for 张三, with
 * materials (the JSON text, malloc'd); bad_content puts text that is not
 * base64 in the first file. */
#define GD_SHOP "11440106024861868N4010010201000"
static char *forward_body(const char *item, const char *id_number, bool bad_content)
{
	/* The test PDF as base64. */
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *pdf = malloc(test_pdf_len / 3 * 4 + 8), *o = pdf;
	for (size_t i = 0; i < test_pdf_len; i += 3) {
		unsigned v = (unsigned char)test_pdf[i] << 16;
		if (i + 1 < test_pdf_len)
			v |= (unsigned char)test_pdf[i + 1] << 8;
		if (i + 2 < test_pdf_len)
			v |= (unsigned char)test_pdf[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < test_pdf_len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < test_pdf_len ? b64[v & 63] : '=';
	}
	*o = '\0';
	json_t *form = json_loads(TEST_SHOP_FORM, 0, NULL);
	json_object_set_new(form, "经营者姓名", json_string("张三"));
	json_object_set_new(form, "经营者身份证件号码", json_string(id_number));
	json_object_set_new(form, "联系电话", json_string("13900000001"));
	json_t *b =
	    json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}, "
	              "{s:s, s:s, s:s}]}",
	              "peer", "440000", "item", item, "applicant", "name", "张三", "id_number",
	              id_number, "phone", "13900000001", "form", form, "materials", "material",
	              "个体工商户登记（备案）申请书", "name", "申请书.pdf", "content",
	              bad_content ? "not base64!" : pdf, "material", "经营者居民身份证", "name",
	              "身份证.pdf", "content", pdf, "material", "经营场所使用相关证明", "name",
	              "租赁合同.pdf", "content", pdf);
	char *text = json_dumps(b, 0);
	json_decref(b);
	free(pdf);
	return text;
}

/* The state of forward no at 浙江 once it is want (waits up to 15 s). */
static char *forward_state(const char *no, const char *want)
{
	char path[128], *state = NULL;
	snprintf(path, sizeof(path), "/api/v1/federation/forwards/%s", no);
	for (int i = 0; i < 150; i++) {
		json_t *j = call(&zj, &zj_clerk, "GET", path, NULL, 200);
		free(state);
		state = strdup(test_str(j, "state"));
		json_decref(j);
		if (strcmp(state, want) == 0)
			break;
		usleep(100 * 1000);
	}
	return state;
}

static void received_here_handled_there(void **state)
{
	(void)state;
	/* Refused at 浙江 before anything is sent. */
	char *body = forward_body("nothing", "33010619900101123X", false);
	json_t *j = call(&zj, &zj_clerk, "POST", "/api/v1/federation/forwards", body, 400);
	assert_string_equal(test_str(j, "field"), "item");
	json_decref(j);
	free(body);
	body = forward_body(GD_SHOP, "33010619900101123X", true);
	j = call(&zj, &zj_clerk, "POST", "/api/v1/federation/forwards", body, 400);
	assert_string_equal(test_str(j, "field"), "materials[0].content");
	json_decref(j);
	free(body);
	body = forward_body(GD_SHOP, "330106199001011230", false);
	j = call(&zj, &zj_clerk, "POST", "/api/v1/federation/forwards", body, 400);
	assert_string_equal(test_str(j, "field"), "id_number");
	json_decref(j);
	free(body);
	body = forward_body(GD_SHOP, "33010619900101123X", false);
	json_decref(call(&zj, &zhang, "POST", "/api/v1/federation/forwards", body, 403));

	/* 张三 has begun the same application online at 广东 himself: his
	 * draft is neither in the way nor taken by the forward. */
	struct test_session zhang_gd;
	sign_in_across(&zj, &zhang, "440000", &gd, &zhang_gd);
	j = call(&gd, &zhang_gd, "POST", "/api/v1/cases", "{\"item\":\"" GD_SHOP "\",\"form\":{}}",
	         201);
	char *own_draft = strdup(test_str(j, "case_no"));
	json_decref(j);

	/* 王窗口 forwards 张三's application; 广东 makes it a case and
	 * submits it, and the step comes back. */
	long long delivered = peer_count(&zj, &zj_admin, "440000", "delivered");
	j = call(&zj, &zj_clerk, "POST", "/api/v1/federation/forwards", body, 201);
	char *no = strdup(test_str(j, "forward_no"));
	json_decref(j);
	free(body);
	char *st = forward_state(no, "submitted");
	assert_string_equal(st, "submitted");
	free(st);
	/* Three files and the application went; a report came back. */
	assert_true(peer_count(&zj, &zj_admin, "440000", "delivered") >= delivered + 4);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/federation/forwards/%s", no);
	j = call(&zj, &zj_clerk, "GET", path, NULL, 200);
	const char *case_no = test_str(j, "peer_case_no");
	assert_int_equal(strncmp(case_no, GD_SHOP, strlen(GD_SHOP)), 0);
	assert_string_not_equal(case_no, own_draft);
	char own_path[160];
	snprintf(own_path, sizeof(own_path), "/api/v1/cases/%s", own_draft);
	json_t *own = call(&gd, &zhang_gd, "GET", own_path, NULL, 200);
	assert_string_equal(test_str(own, "state"), "draft");
	json_decref(own);
	free(own_draft);
	json_t *steps = json_object_get(j, "steps");
	/* The draft's making and its submission, as 广东's case has them. */
	json_t *last = json_array_get(steps, json_array_size(steps) - 1);
	assert_string_equal(test_str(last, "event"), "submit");
	assert_string_equal(test_str(last, "state"), "submitted");
	assert_int_equal(json_array_size(json_object_get(j, "materials")), 3);

	/* At 广东 the case is 张三's, in the department's queue; its reviewer
	 * accepts it and 浙江's window sees it. */
	char gd_path[160];
	snprintf(gd_path, sizeof(gd_path), "/api/v1/cases/%s", case_no);
	json_t *c = call(&gd, &gd_reviewer, "GET", gd_path, NULL, 200);
	assert_string_equal(test_str(c, "state"), "submitted");
	json_decref(c);
	snprintf(gd_path, sizeof(gd_path), "/api/v1/cases/%s/events", case_no);
	json_decref(call(&gd, &gd_reviewer, "POST", gd_path, "{\"event\":\"accept\"}", 200));
	json_decref(j);
	st = forward_state(no, "accepted");
	assert_string_equal(st, "accepted");
	free(st);
	j = call(&zj, &zj_clerk, "GET", "/api/v1/federation/forwards", NULL, 200);
	assert_string_equal(test_str(json_array_get(json_object_get(j, "items"), 0), "forward_no"),
	                    no);
	json_decref(j);
	json_decref(call(&zj, &zhang, "GET", path, NULL, 404)); /* not a clerk of that window */

	/* 广东 decides it; the 营业执照 is handed out at 浙江's window. */
	char hand[160];
	snprintf(hand, sizeof(hand), "/api/v1/federation/forwards/%s/hand-out", no);
	j = call(&zj, &zj_clerk, "POST", hand, "{\"delivery\":\"window\"}", 409);
	assert_string_equal(test_str(j, "field"), "state"); /* not completed there yet */
	json_decref(j);
	struct test_session gd_approver;
	assert_int_equal(test_login(&gd, "440106198606063017", "tongban-demo", &gd_approver), 200);
	json_decref(call(&gd, &gd_reviewer, "POST", gd_path, "{\"event\":\"review\"}", 200));
	json_decref(call(&gd, &gd_approver, "POST", gd_path,
	                 "{\"event\":\"approve\",\"opinion\":\"准予登记\"}", 200));
	json_decref(call(&gd, &gd_approver, "POST", gd_path,
	                 "{\"event\":\"complete\",\"certificate\":{\"holder\":{\"code\":"
	                 "\"92330106MA2T000150\",\"name\":\"张三日用百货店\"},\"face\":{"
	                 "\"entity_type\":\"个体工商户\",\"address\":\"广州市天河区天河路385号\","
	                 "\"business_scope\":\"日用百货零售\"}}}",
	                 200));
	st = forward_state(no, "completed");
	assert_string_equal(st, "completed");
	free(st);
	json_decref(call(&zj, &zhang, "POST", hand, "{\"delivery\":\"window\"}", 403));
	j = call(&zj, &zj_clerk, "POST", hand, "{\"delivery\":\"post\"}", 400);
	assert_string_equal(test_str(j, "field"), "note"); /* posted: the tracking number */
	json_decref(j);
	j = call(&zj, &zj_clerk, "POST", hand, "{\"delivery\":\"drone\"}", 400);
	assert_string_equal(test_str(j, "field"), "delivery");
	json_decref(j);
	long long told = peer_count(&zj, &zj_admin, "440000", "delivered");
	json_decref(call(&zj, &zj_clerk, "POST", hand, "{\"delivery\":\"window\"}", 200));
	j = call(&zj, &zj_clerk, "POST", hand, "{\"delivery\":\"window\"}", 409);
	assert_string_equal(test_str(j, "field"), "state"); /* once */
	json_decref(j);
	j = call(&zj, &zj_clerk, "GET", "/api/v1/federation/forwards", NULL, 200);
	assert_string_equal(
	    test_str(json_object_get(json_array_get(json_object_get(j, "items"), 0), "handed_out"),
	             "delivery"),
	    "window");
	json_decref(j);
	/* 广东 is told. */
	assert_true(wait_count(&zj, &zj_admin, "440000", "delivered", told + 1) >= told + 1);
	assert_int_equal(peer_count(&zj, &zj_admin, "440000", "dead"), 0);

	/* A message with a file whose SM3 is not its content, and an
	 * application for an item 广东 does not offer: refused, audited. */
	char key_id[TB_SM2_KEY_ID], env[2048];
	struct tb_sm2_key *k = zj_key(key_id);
	snprintf(
	    env, sizeof(env),
	    "{\"id\":\"b1234567890abcdef0123456789abcde\",\"from\":\"330000\",\"to\":\"440000\","
	    "\"kind\":\"material.put\",\"at\":%lld,\"key_id\":\"%s\",\"body\":{\"sm3\":"
	    "\"%064d\",\"name\":\"x.pdf\",\"mime\":\"application/pdf\",\"content\":\"JVBERi0=\"}}",
	    (long long)time(NULL), key_id, 0);
	assert_int_equal(post_msg(env, k, NULL, &j), 400);
	assert_string_equal(test_str(j, "field"), "sm3");
	json_decref(j);
	snprintf(
	    env, sizeof(env),
	    "{\"id\":\"b2234567890abcdef0123456789abcde\",\"from\":\"330000\",\"to\":\"440000\","
	    "\"kind\":\"case.forward\",\"at\":%lld,\"key_id\":\"%s\",\"body\":{\"origin_no\":"
	    "\"KS-test\",\"item\":\"1144010002484124 2\",\"applicant\":{},\"form\":{},"
	    "\"materials\":[]}}",
	    (long long)time(NULL), key_id);
	assert_int_equal(post_msg(env, k, NULL, &j), 403);
	assert_string_equal(test_str(j, "field"), "item");
	json_decref(j);
	tb_sm2_free(k);
	free(no);
}

/* ---- 多地联办 ---------------------------------------------------------------- */

#define ZJ_MOVE_IN  "1133010002485155523010051002000" /* 户口迁入（跨省迁移） */
#define GD_MOVE_OUT "11440100024830930B3010051003000" /* 户口迁出（跨省迁移） */

/* The joint part of case no at 浙江, as who reads it, once its state is
 * want (waits up to 15 s): the part (a copy; the caller decrefs). */
static json_t *joint_part(const struct test_session *who, const char *no, const char *want)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/joint", no);
	json_t *part = NULL;
	for (int i = 0; i < 150; i++) {
		json_t *j = call(&zj, who, "GET", path, NULL, 200);
		json_decref(part);
		part = json_deep_copy(json_array_get(json_object_get(j, "parts"), 0));
		json_decref(j);
		if (part && !strcmp(test_str(part, "state"), want))
			break;
		usleep(100 * 1000);
	}
	return part;
}

/* An event on case no at s as who, answered want; the body (decref). */
static json_t *event(struct test_srv *s, const struct test_session *who, const char *no,
                     const char *ev, long want)
{
	char path[160], body[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/events", no);
	snprintf(body, sizeof(body), "{\"event\":\"%s\",\"opinion\":\"同意\"}", ev);
	return call(s, who, "POST", path, body, want);
}

static void handled_jointly(void **state)
{
	(void)state;
	struct test_session police, police_chief, gd_police, gd_chief;
	assert_int_equal(test_login(&zj, "330102198612125025", "tongban-demo", &police), 200);
	assert_int_equal(test_login(&zj, "33010519850101601X", "tongban-demo", &police_chief), 200);
	assert_int_equal(test_login(&gd, "44010419860606501X", "tongban-demo", &gd_police), 200);
	assert_int_equal(test_login(&gd, "440104198712126023", "tongban-demo", &gd_chief), 200);

	/* 张三 applies once, at 浙江, with his 户口簿. */
	json_t *j =
	    call(&zj, &zhang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ZJ_MOVE_IN "\",\"form\":{\"申请人姓名\":\"张三\","
	         "\"公民身份号码\":\"33010619900101123X\",\"联系电话\":\"13900000001\","
	         "\"迁出地址\":\"广州市天河区体育西路1号\",\"迁入地址\":\"杭州市西湖区文三路"
	         "100号\"}}",
	         201);
	char *no = strdup(test_str(j, "case_no"));
	json_decref(j);
	const char *names[] = {"申请人居民身份证", "居民户口簿", "落户条件证明材料"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(test_upload(&zj, &zhang, no, names[i], "m.pdf", test_pdf,
		                             test_pdf_len, NULL, NULL),
		                 201);
	json_decref(event(&zj, &zhang, no, "submit", 200));
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/cases/%s/joint", no);
	const char *part_body = "{\"peer\":\"440000\",\"item\":\"" GD_MOVE_OUT "\"}";
	/* Not before the case is accepted; not by the applicant. */
	j = call(&zj, &police, "POST", path, part_body, 409);
	assert_string_equal(test_str(j, "field"), "state");
	json_decref(j);
	json_decref(call(&zj, &zhang, "POST", path, part_body, 403));
	json_decref(event(&zj, &police, no, "accept", 200));
	json_decref(event(&zj, &police, no, "review", 200));

	/* The approver cannot approve before the part is done there. */
	j = event(&zj, &police_chief, no, "approve", 409);
	assert_string_equal(test_str(j, "field"), "joint");
	json_decref(j);
	/* What the officials see: the part, and 广东's item that does it. */
	j = call(&zj, &police, "GET", path, NULL, 200);
	assert_string_equal(test_str(json_object_get(j, "joint_part"), "basic_code"),
	                    "010051003000");
	json_t *offer = json_array_get(json_object_get(j, "offers"), 0);
	assert_non_null(offer);
	assert_string_equal(test_str(offer, "code"), GD_MOVE_OUT);
	assert_int_equal(json_array_size(json_object_get(j, "parts")), 0);
	json_decref(j);
	/* The applicant sees the part but not what officials choose from. */
	j = call(&zj, &zhang, "GET", path, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "offers")), 0);
	json_decref(j);
	j = call(&zj, &police, "POST", path, "{\"peer\":\"440000\",\"item\":\"" GD_SHOP "\"}", 400);
	assert_string_equal(test_str(j, "field"), "item"); /* offered, but another service */
	json_decref(j);
	j = call(&zj, &police, "POST", path, "{\"peer\":\"320000\",\"item\":\"" GD_MOVE_OUT "\"}",
	         400);
	assert_string_equal(test_str(j, "field"), "peer");
	json_decref(j);

	/* A file over what the exchange carries is refused by name, not left
	 * out: another application of 张三's with an 800 KB scan. */
	j = call(&zj, &zhang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ZJ_MOVE_IN "\",\"form\":{\"申请人姓名\":\"张三\","
	         "\"公民身份号码\":\"33010619900101123X\",\"联系电话\":\"13900000001\","
	         "\"迁出地址\":\"广州市天河区体育西路2号\",\"迁入地址\":\"杭州市西湖区文三路"
	         "101号\"}}",
	         201);
	char *big_no = strdup(test_str(j, "case_no"));
	json_decref(j);
	size_t big_len = 800 * 1024;
	char *big = malloc(big_len);
	memset(big, ' ', big_len);
	memcpy(big, "%PDF-1.4\n", 9);
	memcpy(big + big_len - 7, "\n%%EOF\n", 7);
	for (int i = 0; i < 3; i++)
		assert_int_equal(test_upload(&zj, &zhang, big_no, names[i], "m.pdf",
		                             i == 1 ? big : test_pdf,
		                             i == 1 ? big_len : test_pdf_len, NULL, NULL),
		                 201);
	free(big);
	json_decref(event(&zj, &zhang, big_no, "submit", 200));
	json_decref(event(&zj, &police, big_no, "accept", 200));
	char big_path[160];
	snprintf(big_path, sizeof(big_path), "/api/v1/cases/%s/joint", big_no);
	j = call(&zj, &police, "POST", big_path, part_body, 400);
	assert_string_equal(test_str(j, "field"), "materials");
	assert_non_null(strstr(test_str(j, "reason"), "居民户口簿"));
	json_decref(j);
	free(big_no);

	/* Sent once: 广东 makes it a case of its own and submits it. */
	j = call(&zj, &police, "POST", path, part_body, 201);
	char *part_no = strdup(test_str(j, "part_no"));
	json_decref(j);
	j = call(&zj, &police, "POST", path, part_body, 409);
	assert_string_equal(test_str(j, "field"), "joint");
	json_decref(j);
	json_t *part = joint_part(&zhang, no, "submitted");
	assert_string_equal(test_str(part, "state"), "submitted");
	assert_string_equal(test_str(part, "part_no"), part_no);
	char *gd_no = strdup(test_str(part, "peer_case_no"));
	assert_int_equal(strncmp(gd_no, GD_MOVE_OUT, strlen(GD_MOVE_OUT)), 0);
	json_decref(part);
	/* 广东's officials see whose part it is, and decide it. */
	char gd_path[160];
	snprintf(gd_path, sizeof(gd_path), "/api/v1/cases/%s", gd_no);
	j = call(&gd, &gd_police, "GET", gd_path, NULL, 200);
	assert_string_equal(test_str(json_object_get(j, "form"), "联办办件编号"), no);
	json_decref(j);
	json_decref(event(&gd, &gd_police, gd_no, "accept", 200));
	json_decref(event(&gd, &gd_police, gd_no, "review", 200));
	/* Still not approvable at 浙江: approved there is not enough. */
	json_decref(event(&gd, &gd_chief, gd_no, "approve", 200));
	part = joint_part(&police, no, "approved");
	assert_true(json_is_true(json_object_get(part, "approved")));
	json_decref(part);
	j = event(&zj, &police_chief, no, "approve", 409);
	assert_string_equal(test_str(j, "field"), "joint");
	json_decref(j);
	json_decref(event(&gd, &gd_chief, gd_no, "complete", 200));
	part = joint_part(&police, no, "completed");
	assert_string_equal(test_str(part, "state"), "completed");
	json_decref(part);
	/* Now 浙江 finishes its own part. */
	json_decref(event(&zj, &police_chief, no, "approve", 200));
	free(gd_no);
	free(part_no);
	free(no);
}

/* ---- certificates across platforms ------------------------------------------ */

/* POST /api/v1/certificates/verify at 浙江 with doc: the verdict (decref). */
static json_t *verify_at_zj(json_t *doc)
{
	char *body = json_dumps(doc, 0);
	json_t *j = call(&zj, NULL, "POST", "/api/v1/certificates/verify", body, 200);
	free(body);
	return j;
}

static void certificates_across_platforms(void **state)
{
	(void)state;
	struct test_session gd_chief;
	assert_int_equal(test_login(&gd, "440104198712126023", "tongban-demo", &gd_chief), 200);
	/* 广州市公安局's key is renewed at 广东: 浙江 has not heard of the new
	 * one. */
	json_t *depts = call(&gd, NULL, "GET", "/api/v1/departments?region=440100", NULL, 200);
	long long dept = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(depts, "items"), i,
	                   d) if (!strcmp(test_str(d, "credit_code"), "11440100024830930B")) dept =
	    json_integer_value(json_object_get(d, "id"));
	json_decref(depts);
	assert_true(dept > 0);
	char path[200];
	snprintf(path, sizeof(path), "/api/v1/departments/%lld/keys", dept);
	json_decref(call(&gd, &gd_admin, "POST", path, NULL, 201));
	/* 广州市公安局 issues 陈粤's 居民户口簿; he shows it at 浙江. */
	json_t *j = call(
	    &gd, &gd_chief, "POST", "/api/v1/certificates",
	    "{\"type\":\"居民户口簿\",\"department\":\"11440100024830930B\","
	    "\"holder\":{\"code\":\"440106199203151236\",\"name\":\"陈粤\"},"
	    "\"face\":{\"household_type\":\"家庭户\",\"address\":\"广州市天河区体育西路1号\"}}",
	    201);
	char *id = strdup(test_str(j, "identifier"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/certificates/%s", id);
	json_t *doc = call(&gd, &gd_chief, "GET", path, NULL, 200);

	/* Before 浙江 has 广东's new key: no key here signs it. */
	j = verify_at_zj(doc);
	assert_string_equal(test_str(j, "status"), "forged");
	json_decref(j);

	/* The keys come with a catalog sync, over the peer link. */
	long long delivered = peer_count(&zj, &zj_admin, "440000", "delivered");
	json_decref(
	    call(&zj, &zj_admin, "POST", "/api/v1/federation/peers/1/catalog-sync", NULL, 202));
	assert_true(wait_count(&zj, &zj_admin, "440000", "delivered", delivered + 3) >=
	            delivered + 3);
	j = verify_at_zj(doc);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_string_equal(test_str(json_object_get(j, "platform"), "province"), "440000");
	assert_true(json_is_true(json_object_get(j, "register_checked")));
	assert_string_equal(test_str(j, "holder"), "陈*");
	assert_string_equal(test_str(j, "identifier"), id);
	json_decref(j);

	/* By its identifier alone: 广东's register answers. */
	char vpath[200];
	snprintf(vpath, sizeof(vpath), "/api/v1/certificates/%s/verify", id);
	j = call(&zj, NULL, "GET", vpath, NULL, 200);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_string_equal(test_str(json_object_get(j, "platform"), "name"), "广东省政务服务网");
	assert_null(json_object_get(j, "holder")); /* nothing of the holder by identifier */
	json_decref(j);

	/* A changed face: its signature no longer holds. */
	json_t *bad = json_deep_copy(doc);
	json_t *face = json_object_get(json_object_get(bad, "record"), "face");
	assert_string_equal(test_str(json_array_get(face, 3), "key"), "address");
	json_object_set_new(json_array_get(face, 3), "value", json_string("广州市越秀区"));
	j = verify_at_zj(bad);
	assert_string_equal(test_str(j, "status"), "forged");
	json_decref(j);
	json_decref(bad);

	/* 陈粤, signed in at 浙江 with his 广东 account, brings it there; it
	 * then fills the 居民户口簿 of his application for 户口迁入. */
	struct test_session chen_gd, chen;
	assert_int_equal(test_login(&gd, "440106199203151236", "tongban-demo", &chen_gd), 200);
	sign_in_across(&gd, &chen_gd, "330000", &zj, &chen);
	json_t *bring = json_pack("{s:O}", "document", doc);
	char *body = json_dumps(bring, 0);
	json_decref(bring);
	j = call(&zj, &zhang, "POST", "/api/v1/me/certificates/across", body, 403);
	assert_string_equal(test_str(j, "field"), "record.holder"); /* not his */
	json_decref(j);
	j = call(&zj, &chen, "POST", "/api/v1/me/certificates/across", body, 201);
	assert_string_equal(test_str(j, "identifier"), id);
	json_decref(j);
	j = call(&zj, &chen, "GET", "/api/v1/me/certificates/across", NULL, 200);
	json_t *mine = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(test_str(json_object_get(mine, "platform"), "province"), "440000");
	assert_string_equal(test_str(mine, "identifier"), id);
	json_decref(j);
	j = call(&zj, &chen, "POST", "/api/v1/cases",
	         "{\"item\":\"" ZJ_MOVE_IN "\",\"form\":{\"联系电话\":\"13600000001\"}}", 201);
	char case_path[160];
	snprintf(case_path, sizeof(case_path), "/api/v1/cases/%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&zj, &chen, "GET", case_path, NULL, 200);
	json_t *m;
	bool filled = false;
	json_array_foreach(json_object_get(j, "materials"), i, m) filled =
	    filled ||
	    (!strcmp(test_str(m, "name"), "居民户口簿") &&
	     !strcmp(test_str(m, "source"), "certificate") && !strcmp(test_str(m, "ref"), id));
	assert_true(filled);
	json_decref(j);

	/* Revoked at 广东: 浙江 hears it from 广东's register. */
	snprintf(path, sizeof(path), "/api/v1/certificates/%s/revoke", id);
	json_decref(call(&gd, &gd_chief, "POST", path, "{\"reason\":\"户口已迁出\"}", 200));
	j = verify_at_zj(doc);
	assert_string_equal(test_str(j, "status"), "revoked");
	assert_string_equal(test_str(j, "revoke_reason"), "户口已迁出");
	json_decref(j);
	j = call(&zj, NULL, "GET", vpath, NULL, 200);
	assert_string_equal(test_str(j, "status"), "revoked");
	json_decref(j);
	j = call(&zj, &chen, "POST", "/api/v1/me/certificates/across", body, 400);
	assert_string_equal(test_str(j, "field"), "document");
	json_decref(j);
	free(body);
	json_decref(doc);
	free(id);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	setenv("TB_EXCHANGE_RETRY_MAX_S", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(peers_and_ping),
	    cmocka_unit_test(refusals_change_nothing),
	    cmocka_unit_test(down_peer_rotation_and_dead_letters),
	    cmocka_unit_test(signs_in_across_provinces),
	    cmocka_unit_test(catalog_across_platforms),
	    cmocka_unit_test(received_here_handled_there),
	    cmocka_unit_test(handled_jointly),
	    cmocka_unit_test(certificates_across_platforms),
	};
	int failed = cmocka_run_group_tests_name("federation/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("federation/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
