/* Identity over HTTP against the real binary with --demo, on SQLite and on
 * PostgreSQL: the identity and administration actions of the policy table
 * allowed and denied (identity.tsv: tokens, me, departments, accounts,
 * recovery codes, roles, organisations, agents, sessions and audit.read:
 * about a third of policy.tsv's actions; the others, of cases, catalog,
 * certificates, materials and the rest, are not in it: the API tests of
 * those areas use some of them, and tests/identity/test_authz.c checks
 * every action against the hand-written vectors of authz.tsv),
 * registration and its refusals, login answers that do not reveal
 * accounts, CSRF, sessions, tokens, the lockouts at exactly 5 failures per
 * account and 20 per address that end after exactly TB_LOGIN_LOCK_SECONDS,
 * and finally `tongban audit verify` over the resulting trail. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* TB_LOGIN_LOCK_SECONDS for this server: how long a lock lasts. */
#define LOCK_S  2
#define STR_(x) #x
#define STR(x)  STR_(x)

static struct test_srv srv;
static const char *db_url;

#define session test_session

static const struct {
	const char *name, *id_number;
} people[] = {
    {"张三", "33010619900101123X"},   {"李四", "330106198505052313"},
    {"王五", "330102199203154022"},   {"王窗口", "330106198808081015"},
    {"赵审核", "330106198707072021"}, {"钱审批", "330106198606063011"},
    {"孙目录", "330102198505054022"}, {"周共享", "330105198404045011"},
    {"吴监督", "330106198303036024"}, {"郑管理", "330106198202027014"},
};
#define NPEOPLE (sizeof(people) / sizeof(people[0]))
static struct session sessions[NPEOPLE];
static char token_hdr[128];

static const char *const json_hdr = "Content-Type: application/json";

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static long post(const char *path, const struct session *s, const char *body, struct http_resp *out)
{
	test_call(&srv, s, "POST", path, body, out);
	return out->status;
}

/* Logs in (checking the cookie's flags) and fills s; returns the status. */
static long login(const char *id_number, const char *password, struct session *s)
{
	long st = test_login(&srv, id_number, password, s);
	if (st == 200 && s)
		assert_true(strncmp(s->cookie, "Cookie: tb_session=", 19) == 0);
	return st;
}

static struct session *who(const char *name)
{
	for (size_t i = 0; i < NPEOPLE; i++)
		if (strcmp(people[i].name, name) == 0)
			return &sessions[i];
	fail_msg("unknown person %s in identity.tsv", name);
	return NULL;
}

static int start(const char *url)
{
	db_url = url;
	srv_start(&srv, db_url, "--demo", NULL);
	for (size_t i = 0; i < NPEOPLE; i++)
		if (login(people[i].id_number, "tongban-demo", &sessions[i]) != 200)
			return -1;
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
	return start(test_pg_fresh("identity"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

static void policy_over_http(void **state)
{
	(void)state;
	struct tsv t;
	tsv_open(&t, "tests/api/identity.tsv");
	int cases = 0;
	while (tsv_next(&t)) {
		assert_int_equal(t.nfields, 5);
		const char *h[5] = {NULL};
		int nh = 0;
		const char *body = strcmp(t.field[3], "-") == 0 ? NULL : t.field[3];
		if (body)
			h[nh++] = json_hdr;
		if (strcmp(t.field[0], "token") == 0) {
			h[nh++] = token_hdr;
		} else if (strcmp(t.field[0], "anon") != 0) {
			struct session *s = who(t.field[0]);
			h[nh++] = s->cookie;
			h[nh++] = s->csrf;
		}
		struct http_resp r;
		http_req(&srv, t.field[1], t.field[2], h, body, body ? strlen(body) : 0, &r);
		long want = strtol(t.field[4], NULL, 10);
		if (r.status != want)
			fail_msg("%s:%d: %s %s %s -> %ld, want %ld: %s", t.path, t.lineno,
			         t.field[0], t.field[1], t.field[2], r.status, want, r.body);
		if (r.status >= 400) {
			json_t *j = json_loads(r.body, 0, NULL);
			assert_non_null(json_object_get(j, "error"));
			assert_non_null(json_object_get(j, "field"));
			json_decref(j);
		}
		/* The token made by the admin serves the "token" rows below it. */
		if (r.status == 201 && strstr(t.field[2], "/api/v1/tokens") && !token_hdr[0]) {
			json_t *j = json_loads(r.body, 0, NULL);
			snprintf(token_hdr, sizeof(token_hdr), "Authorization: Bearer %s",
			         json_string_value(json_object_get(j, "token")));
			json_decref(j);
		}
		http_free(&r);
		cases++;
	}
	tsv_close(&t);
	assert_true(cases >= 60);
}

/* A wrong name for a number and a registered number answer alike. */
#define REFUSED                                                                             \
	"this identity number cannot be registered with this name: check both; if you have" \
	" registered before, sign in or recover your account"

static void registration(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		long status;
		const char *field, *reason;
	} cases[] = {
	    {"{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":\"330106199001011231\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     400, "id_number", "check digit"},
	    {"{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":\"3301061990\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     400, "id_number", "length"},
	    {"{\"kind\":\"person\",\"name\":\"赵\\u0007六\",\"id_number\":\"330106199103037318\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     400, "name", NULL},
	    {"{\"kind\":\"person\",\"name\":"
	     "\"赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵"
	     "六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六赵六\",\"id_number\":"
	     "\"330106199103037318\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     400, "name", "longer than 50 characters"},
	    {"{\"kind\":\"person\",\"name\":\"李三\",\"id_number\":\"33010619900101123X\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     409, "id_number", REFUSED},
	    {"{\"kind\":\"person\",\"name\":\"张三\",\"id_number\":\"33010619900101123x\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     409, "id_number", REFUSED},
	    {"{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":\"330106199103037318\","
	     "\"phone\":\"12345\",\"password\":\"zhao-liu-2026\"}",
	     400, "phone", NULL},
	    {"{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":\"330106199103037318\","
	     "\"phone\":\"13600000001\",\"password\":\"short\"}",
	     400, "password", "shorter than 8 characters"},
	    {"{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":\"330106199103037318\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\",\"admin\":true}",
	     400, "admin", "unknown field"},
	    {"{\"kind\":\"robot\"}", 400, "kind", NULL},
	    {"{\"kind\":\"person\",\"name\":\"赵六\",\"id_number\":\"330106199103037318\","
	     "\"phone\":\"13600000001\",\"password\":\"zhao-liu-2026\"}",
	     201, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;
		long st = post("/api/v1/auth/register", NULL, cases[i].body, &r);
		if (st != cases[i].status)
			fail_msg("case %zu: %ld %s", i, st, r.body);
		json_t *j = json_loads(r.body, 0, NULL);
		if (cases[i].field)
			assert_string_equal(json_string_value(json_object_get(j, "field")),
			                    cases[i].field);
		if (cases[i].reason)
			assert_string_equal(json_string_value(json_object_get(j, "reason")),
			                    cases[i].reason);
		if (st == 201) {
			assert_string_equal(json_string_value(json_object_get(j, "login")),
			                    "330106********7318");
			assert_null(json_object_get(j, "password_hash"));
		}
		json_decref(j);
		http_free(&r);
	}
	/* The new person can sign in; the identity number is case-insensitive. */
	assert_int_equal(login("330106199103037318", "zhao-liu-2026", NULL), 200);
}

static void login_answers(void **state)
{
	(void)state;
	/* Wrong password for an account and any password for no account: the
	 * same status and the same body but for the request id. */
	struct http_resp a, b;
	post("/api/v1/auth/login", NULL,
	     "{\"login\":\"330102199203154022\",\"password\":\"wrong-password\"}", &a);
	post("/api/v1/auth/login", NULL,
	     "{\"login\":\"110101199003077777\",\"password\":\"wrong-password\"}", &b);
	assert_int_equal(a.status, 401);
	assert_int_equal(b.status, 401);
	json_t *ja = json_loads(a.body, 0, NULL), *jb = json_loads(b.body, 0, NULL);
	json_object_del(ja, "request_id");
	json_object_del(jb, "request_id");
	assert_true(json_equal(ja, jb));
	json_decref(ja);
	json_decref(jb);
	http_free(&a);
	http_free(&b);

	/* The session cookie: HttpOnly, SameSite=Strict, a 256-bit token. */
	struct http_resp lr;
	post("/api/v1/auth/login", NULL,
	     "{\"login\":\"330102199203154022\",\"password\":\"tongban-demo\"}", &lr);
	char cookie[256];
	assert_non_null(http_header(&lr, "Set-Cookie", cookie, sizeof(cookie)));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Strict"));
	assert_true(strcspn(cookie + 11, ";") >= 43); /* base64url of 32 bytes */
	http_free(&lr);

	/* CSRF: a cookie-authenticated write without the token is refused. */
	struct session *s = who("王五");
	const char *h[] = {json_hdr, s->cookie, NULL};
	struct http_resp r;
	http_req(&srv, "POST", "/api/v1/auth/act-for", h, "{\"credit_code\":null}", 20, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "X-CSRF-Token"));
	http_free(&r);
	const char *bad[] = {json_hdr, s->cookie, "X-CSRF-Token: forged", NULL};
	http_req(&srv, "POST", "/api/v1/auth/act-for", bad, "{\"credit_code\":null}", 20, &r);
	assert_int_equal(r.status, 403);
	http_free(&r);

	/* A forged session cookie is simply not signed in. */
	const char *forged[] = {"Cookie: tb_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                        NULL};
	http_req(&srv, "GET", "/api/v1/me", forged, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	http_free(&r);
	const char *bearer[] = {"Authorization: Bearer tbk_nothing", NULL};
	http_req(&srv, "GET", "/api/v1/me", bearer, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	http_free(&r);

	/* /me lists roles and organisations. */
	s = who("李四");
	const char *mh[] = {s->cookie, NULL};
	http_req(&srv, "GET", "/api/v1/me", mh, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "杭州西湖示例科技有限公司"));
	http_free(&r);
	s = who("赵审核");
	const char *wh[] = {s->cookie, NULL};
	http_req(&srv, "GET", "/api/v1/me", wh, NULL, 0, &r);
	assert_non_null(strstr(r.body, "\"role\":\"reviewer\""));
	assert_non_null(strstr(r.body, "杭州市西湖区市场监督管理局"));
	http_free(&r);
}

/* POST /api/v1/auth/login from the loopback address from (127.0.0.0/8
 * all reach the server on 127.0.0.1), so that this address's count starts
 * at zero whatever the tests before it did; returns the status. */
static long login_from(const char *from, const char *id_number, const char *password)
{
	char url[128], iface[64], body[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/auth/login", srv.port);
	snprintf(iface, sizeof(iface), "host!%s", from);
	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", id_number, password);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, json_hdr);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	long st = -1;
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fail_msg("login from %s: %s", from, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return st;
}

/* The lock begun by a request sent at or after second `before` and
 * answered by second `after` (time(), the server's clock too) lasts
 * TB_LOGIN_LOCK_SECONDS: the server locks until its now + lock, so every
 * attempt answered before before + lock must be refused, and every one
 * sent from after + lock on must get in. Polls the right password from
 * `from` until it gets in, within a bounded deadline. */
static void lock_ends_on_time(const char *from, const char *id_number, time_t before, time_t after)
{
	int refused = 0;
	for (;;) {
		time_t sent = time(NULL);
		long st = login_from(from, id_number, "tongban-demo");
		time_t answered = time(NULL);
		if (st == 200) {
			if (answered < before + LOCK_S)
				fail_msg("%s got in %ld s after the lock began, before its %d s",
				         id_number, (long)(answered - before), LOCK_S);
			break;
		}
		if (st != 429)
			fail_msg("%s while locked: %ld", id_number, st);
		if (sent >= after + LOCK_S)
			fail_msg("%s still locked %ld s after the lock began (lock %d s)",
			         id_number, (long)(sent - after), LOCK_S);
		refused++;
		usleep(100000);
	}
	assert_true(refused >= 1); /* it was locked before it ended */
}

static void brute_force(void **state)
{
	(void)state;
	/* Per account (5 failures): four wrong passwords answer 401, the fifth
	 * locks it (429), and then the right password is refused too. The
	 * address 127.0.0.2 stays under its own limit of 20. */
	const char *victim = "330106198707072021"; /* 赵审核 */
	for (int i = 0; i < 4; i++)
		if (login_from("127.0.0.2", victim, "guess-guess-1") != 401)
			fail_msg("wrong password %d of %s: not 401", i + 1, victim);
	time_t before = time(NULL);
	assert_int_equal(login_from("127.0.0.2", victim, "guess-guess-1"), 429);
	time_t after = time(NULL);
	/* From another address too: the account is locked, not the address. */
	long st = login_from("127.0.0.3", victim, "tongban-demo");
	if (time(NULL) < before + LOCK_S)
		assert_int_equal(st, 429);
	lock_ends_on_time("127.0.0.2", victim, before, after);

	/* Per address (20 failures): nineteen names without accounts tried
	 * from one address answer 401, the twentieth locks the address, and
	 * then any sign-in from it is refused, also a right one; another
	 * address is not affected. */
	for (int i = 0; i < 19; i++) {
		char id[32];
		snprintf(id, sizeof(id), "1101011990030%05d", i);
		if (login_from("127.0.0.4", id, "guess-guess-1") != 401)
			fail_msg("failure %d from 127.0.0.4: not 401", i + 1);
	}
	before = time(NULL);
	assert_int_equal(login_from("127.0.0.4", "110101199003000019", "guess-guess-1"), 429);
	after = time(NULL);
	const char *wang = "330102199203154022"; /* 王五 */
	assert_int_equal(login_from("127.0.0.5", wang, "tongban-demo"), 200);
	lock_ends_on_time("127.0.0.4", wang, before, after);
}

/* `tongban admin create` with the password on standard input makes an
 * administrator who can sign in and administer. */
static void admin_cli(void **state)
{
	(void)state;
	const char *bin = getenv("TB_TEST_BIN") ? getenv("TB_TEST_BIN") : "build/tongban";
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "echo 'first-admin-2026' | %s admin create --name 钱管理 --id-number "
	         "330106197001017210 --db '%s' >/dev/null 2>&1",
	         bin, db_url);
	assert_int_equal(WEXITSTATUS(system(cmd)), 0);
	/* A bad identity number: refused with a message and a non-zero exit. */
	snprintf(
	    cmd, sizeof(cmd),
	    "echo 'x-password-1' | %s admin create --name 钱管理 --id-number 330106197001017218"
	    " --db '%s' 2>&1",
	    bin, db_url);
	FILE *p = popen(cmd, "r");
	char line[256] = "";
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(WEXITSTATUS(pclose(p)), 1);
	assert_non_null(strstr(line, "check digit"));
	snprintf(cmd, sizeof(cmd), "%s admin create --name x </dev/null >/dev/null 2>&1", bin);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);

	struct session s;
	assert_int_equal(login("330106197001017210", "first-admin-2026", &s), 200);
	struct http_resp r;
	test_call(&srv, &s, "GET", "/api/v1/accounts", NULL, &r);
	assert_int_equal(r.status, 200);
	http_free(&r);
}

static void audit_chain_verifies(void **state)
{
	(void)state;
	/* Everything above left audit records; the chain must be intact. */
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
	setenv("TB_LOGIN_LOCK_SECONDS", STR(LOCK_S), 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(policy_over_http), cmocka_unit_test(registration),
	    cmocka_unit_test(login_answers),    cmocka_unit_test(brute_force),
	    cmocka_unit_test(admin_cli),        cmocka_unit_test(audit_chain_verifies),
	};
	int failed = cmocka_run_group_tests_name("identity/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url()) {
		token_hdr[0] = '\0';
		failed += cmocka_run_group_tests_name("identity/postgresql", tests, start_pg, stop);
	}
	return failed ? 1 : 0;
}
