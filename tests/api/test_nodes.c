/* Several nodes over one PostgreSQL (issue 17): two real servers on one
 * database serve each other's sessions, count failed sign-ins of one
 * client address together (behind a trusted load balancer, the address
 * its X-Forwarded-For adds), serve files uploaded to the other, and a
 * node whose store goes away answers 503 in JSON, is not ready, and is
 * ready again, with nothing lost, once the store is back. PostgreSQL
 * only: one SQLite file has one node. */
#include "hook.h"
#include "support.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct test_srv a, b, c;
static char db_url[512], db_name[128], copy_url[512], master_key[512];
static struct test_session zhang;

static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#define ITEM "11330106024892795E4010010201000"

/* A request to s as the client at address `from` (through the balancer:
 * an X-Forwarded-For header), or directly when from is NULL. */
static long call_via(struct test_srv *s, const char *from, const struct test_session *who,
                     const char *method, const char *path, const char *json, struct http_resp *out)
{
	char xff[96];
	const char *hdrs[5];
	int n = 0;
	hdrs[n++] = "Content-Type: application/json";
	if (from) {
		snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", from);
		hdrs[n++] = xff;
	}
	if (who) {
		hdrs[n++] = who->cookie;
		hdrs[n++] = who->csrf;
	}
	hdrs[n] = NULL;
	http_req(s, method, path, hdrs, json, json ? strlen(json) : 0, out);
	return out->status;
}

static long login_via(struct test_srv *s, const char *from, const char *login, const char *password)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
	struct http_resp r;
	long st = call_via(s, from, NULL, "POST", "/api/v1/auth/login", body, &r);
	http_free(&r);
	return st;
}

/* Opens a case of ITEM as who on s (with the form when form); a draft of
 * the item already there (the demo's) is withdrawn first. Returns the
 * case number (static storage). */
static const char *new_case(struct test_srv *s, const struct test_session *who, bool form)
{
	static char no[64];
	const char *body = form ? "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}"
	                        : "{\"item\":\"" ITEM "\"}";
	struct http_resp r;
	test_call(s, who, "POST", "/api/v1/cases", body, &r);
	json_t *j = json_loads(r.body, 0, NULL);
	if (r.status == 409) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/cases/%s/events", test_str(j, "case_no"));
		json_decref(test_expect(s, who, "POST", path, "{\"event\":\"withdraw\"}", 200));
		json_decref(j);
		j = test_expect(s, who, "POST", "/api/v1/cases", body, 201);
	} else if (r.status != 201) {
		fail_msg("new case: %ld %s", r.status, r.body);
	}
	http_free(&r);
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	return no;
}

/* Runs one SQL statement on the test server's maintenance database. */
static void admin_sql(const char *sql)
{
	char out[2048];
	int st = test_run(out, sizeof(out), "psql -X -q -v ON_ERROR_STOP=1 '%s' -c \"%s\"",
	                  test_pg_base_url(), sql);
	if (st != 0)
		fail_msg("psql failed (%d): %s\n%s", st, sql, out);
}

static int start(void **state)
{
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", test_pg_fresh("nodes"));
	/* The name between the last '/' and the parameters, if any. */
	const char *name = strrchr(db_url, '/') + 1;
	snprintf(db_name, sizeof(db_name), "%.*s", (int)strcspn(name, "?"), name);
	const struct test_who who[] = {{"33010619900101123X", &zhang}};
	if (test_start_demo(&a, db_url, who, 1) != 0)
		return -1;
	srv_stop(&a);
	/* A "standby" that visibly differs: a copy of the database whose
	 * catalog is emptied. A third node reads its public catalog there. */
	char sql[512];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s_copy TEMPLATE %s", db_name, db_name);
	admin_sql(sql);
	const char *params = strchr(name, '?');
	snprintf(copy_url, sizeof(copy_url), "%.*s/%s_copy%s", (int)(strrchr(db_url, '/') - db_url),
	         db_url, db_name, params ? params : "");
	char out[2048];
	if (test_run(out, sizeof(out),
	             "psql -X -q -v ON_ERROR_STOP=1 '%s' -c 'TRUNCATE items CASCADE'",
	             copy_url) != 0)
		fail_msg("emptying the copy: %s", out);
	/* The operator's master key, the same on both nodes. */
	snprintf(master_key, sizeof(master_key), "%s/master.key", test_tmpdir());
	FILE *mk = fopen(master_key, "w");
	if (!mk)
		return -1;
	fputs("8f1c2e3d4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\n", mk);
	fclose(mk);
	chmod(master_key, 0600);
	/* Both behind a balancer on loopback, each with its own data folder. */
	srv_start(&a, db_url, "--trusted-proxy", "127.0.0.1", "--master-key", master_key, NULL);
	srv_start(&b, db_url, "--trusted-proxy", "127.0.0.1", "--master-key", master_key, NULL);
	srv_start(&c, db_url, "--db-read", copy_url, NULL);
	return test_login(&a, "33010619900101123X", "tongban-demo", &zhang) == 200 ? 0 : -1;
}

static int stop(void **state)
{
	(void)state;
	srv_stop(&a);
	srv_stop(&b);
	srv_stop(&c);
	return 0;
}

/* The total of a catalog list answer from s. */
static long long listed_total(struct test_srv *s, const struct test_session *who, const char *path)
{
	json_t *j = test_expect(s, who, "GET", path, NULL, 200);
	long long n = json_integer_value(json_object_get(j, "total"));
	json_decref(j);
	return n;
}

/* --db-read: the public catalog and an item's published version come from
 * the standby; the editors' latest versions, and writes, from the
 * primary; a bad --db-read stops the start with a message. */
static void reads_from_standby(void **state)
{
	(void)state;
	assert_true(listed_total(&a, NULL, "/api/v1/items?per_page=1") > 0);
	assert_int_equal(listed_total(&c, NULL, "/api/v1/items?per_page=1"), 0);
	json_decref(test_expect(&a, NULL, "GET", "/api/v1/items/" ITEM, NULL, 200));
	json_decref(test_expect(&c, NULL, "GET", "/api/v1/items/" ITEM, NULL, 404));
	struct test_session admin;
	assert_int_equal(test_login(&c, "330106198202027014", "tongban-demo", &admin), 200);
	assert_true(listed_total(&c, &admin, "/api/v1/items?latest=true&region=330000&per_page=1") >
	            0);

	char out[2048];
	assert_int_equal(test_run(out, sizeof(out), "%s serve --db sqlite:/tmp/x.db --db-read '%s'",
	                          test_bin(), copy_url),
	                 1);
	assert_non_null(strstr(out, "db-read"));
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s serve --listen 127.0.0.1:0 --db '%s' --db-read "
	                          "'postgres://nobody@127.0.0.1:1/none?connect_timeout=2'",
	                          test_bin(), db_url),
	                 1);
	assert_non_null(strstr(out, "db-read"));
}

/* A session made on one node is good on the other, and a sign-out on one
 * ends it on the other within the resolution cache's two seconds. */
static void sessions_shared(void **state)
{
	(void)state;
	struct test_session s;
	assert_int_equal(test_login(&a, "33010619900101123X", "tongban-demo", &s), 200);
	json_decref(test_expect(&b, &s, "GET", "/api/v1/me", NULL, 200));
	json_decref(test_expect(&a, &s, "POST", "/api/v1/auth/logout", NULL, 200));
	long st = 0;
	for (int i = 0; i < 40 && st != 401; i++) {
		struct http_resp r;
		test_call(&b, &s, "GET", "/api/v1/me", NULL, &r);
		st = r.status;
		http_free(&r);
		if (st != 401)
			usleep(100 * 1000);
	}
	assert_int_equal(st, 401);
}

/* Failed sign-ins of one address spread over both nodes lock it on both;
 * another address is not affected; only the balancer may name the
 * address. */
static void limits_shared(void **state)
{
	(void)state;
	const char *from = "192.0.2.7";
	int locked_at = -1;
	for (int i = 0; i < 30 && locked_at < 0; i++) {
		char id[19];
		test_fresh_id_number(id);
		long st = login_via(i % 2 ? &b : &a, from, id, "wrong-password-2026");
		if (st == 429)
			locked_at = i;
		else if (st != 401)
			fail_msg("sign-in %d: %ld", i, st);
	}
	/* The 20th failure locks the address: counted on one node alone, 30 tries
	 * (15 each) would never reach it. */
	assert_int_equal(locked_at, 19);
	assert_int_equal(login_via(&a, from, "33010619900101123X", "tongban-demo"), 429);
	assert_int_equal(login_via(&b, from, "33010619900101123X", "tongban-demo"), 429);
	assert_int_equal(login_via(&b, "192.0.2.8", "33010619900101123X", "tongban-demo"), 200);
	/* The balancer appends the address it saw: what the client put in
	 * front of it is not believed. */
	assert_int_equal(
	    login_via(&a, "192.0.2.7, 192.0.2.9", "33010619900101123X", "tongban-demo"), 200);
	assert_int_equal(
	    login_via(&a, "192.0.2.9, 192.0.2.7", "33010619900101123X", "tongban-demo"), 429);
}

/* A file uploaded through one node is served by the other, which has
 * never seen it in its own folder. */
static void uploads_shared(void **state)
{
	(void)state;
	struct test_session wang;
	assert_int_equal(test_login(&a, "330102199203154022", "tongban-demo", &wang), 200);
	const char *no = new_case(&a, &wang, false);
	char *body = NULL;
	assert_int_equal(test_upload(&a, &wang, no, "经营者居民身份证", "id.pdf", pdf,
	                             sizeof(pdf) - 1, "2099-12-31", &body),
	                 201);
	free(body);
	json_t *j = test_expect(&b, &wang, "GET", "/api/v1/me/materials", NULL, 200);
	long long id = json_integer_value(
	    json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
	json_decref(j);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/me/materials/%lld/file", id);
	struct http_resp r;
	test_call(&b, &wang, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(pdf) - 1);
	assert_memory_equal(r.body, pdf, sizeof(pdf) - 1);
	http_free(&r);
}

/* A department's key made on one node signs on the other: the private
 * key is sealed in the store with the master key, not a file of the
 * node that made it; nothing of it is readable in the database. */
static void keys_shared(void **state)
{
	(void)state;
	struct test_session admin, approver;
	assert_int_equal(test_login(&a, "330106198202027014", "tongban-demo", &admin), 200);
	assert_int_equal(test_login(&b, "33010619871111401X", "tongban-demo", &approver), 200);
	json_t *j = test_expect(&a, &admin, "POST", "/api/v1/departments/11/keys", NULL, 201);
	char key_id[32];
	snprintf(key_id, sizeof(key_id), "%s", test_str(j, "key_id"));
	json_decref(j);
	j = test_expect(&b, &approver, "POST", "/api/v1/certificates",
	                "{\"type\":\"离婚证\",\"department\":\"11330106024903108G\",\"holder\":"
	                "{\"code\":\"33010619900101123X\",\"name\":\"张三\"},\"face\":"
	                "{\"former_spouse_name\":\"某\"}}",
	                201);
	char path[160];
	snprintf(path, sizeof(path), "/api/v1/certificates/%s/verify", test_str(j, "identifier"));
	json_decref(j);
	j = test_expect(&a, NULL, "GET", path, NULL, 200);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_string_equal(test_str(j, "key_id"), key_id);
	json_decref(j);
	char out[4096], sql[256];
	snprintf(sql, sizeof(sql), "SELECT sealed FROM sealed_keys WHERE key_id = '%s'", key_id);
	assert_int_equal(test_run(out, sizeof(out), "psql -X -At '%s' -c \"%s\"", db_url, sql), 0);
	assert_int_equal(strncmp(out, "tbseal1:", 8), 0);
	assert_null(strstr(out, "PRIVATE"));

	/* Both nodes sign their audit checkpoints with one platform key. */
	json_t *ca = test_expect(&a, NULL, "GET", "/api/v1/audit/checkpoint", NULL, 200);
	json_t *cb = test_expect(&b, NULL, "GET", "/api/v1/audit/checkpoint", NULL, 200);
	assert_string_equal(test_str(ca, "key_id"), test_str(cb, "key_id"));
	json_decref(ca);
	json_decref(cb);

	/* Rotating the master key: every stored key sealed again, all or
	 * none; a wrong current key changes nothing. */
	char next[600], wrong[600];
	snprintf(next, sizeof(next), "%s/next.key", test_tmpdir());
	snprintf(wrong, sizeof(wrong), "%s/wrong.key", test_tmpdir());
	const char *files[] = {next, wrong};
	const char *hex[] = {"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	                     "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"};
	for (int i = 0; i < 2; i++) {
		FILE *k = fopen(files[i], "w");
		assert_non_null(k);
		fprintf(k, "%s\n", hex[i]);
		fclose(k);
		chmod(files[i], 0600);
	}
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s keys reseal --db '%s' --master-key %s --new-master-key %s",
	                          test_bin(), db_url, wrong, next),
	                 1);
	assert_non_null(strstr(out, "nothing changed"));
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s keys reseal --db '%s' --master-key %s --new-master-key %s",
	                          test_bin(), db_url, master_key, next),
	                 0);
	assert_non_null(strstr(out, "sealed again"));
	/* Back, under the key the running nodes hold. */
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s keys reseal --db '%s' --master-key %s --new-master-key %s",
	                          test_bin(), db_url, next, master_key),
	                 0);
	chmod(next, 0644);
	assert_int_equal(test_run(out, sizeof(out),
	                          "%s keys reseal --db '%s' --master-key %s"
	                          " --new-master-key %s",
	                          test_bin(), db_url, master_key, next),
	                 2);
	assert_non_null(strstr(out, "chmod 600"));
}

/* The status of GET /healthz on s, with its "status" member into st. */
static long health(struct test_srv *s, char st[32])
{
	struct http_resp r;
	http_get(s, "/healthz", &r);
	json_t *j = json_loads(r.body, 0, NULL);
	snprintf(st, 32, "%s", j ? json_string_value(json_object_get(j, "status")) : "");
	json_decref(j);
	long status = r.status;
	http_free(&r);
	return status;
}

/* The store goes away under a node: 503 in JSON, not ready, nothing
 * acknowledged; back, and the node is ready again by itself and the
 * same submission goes through once. */
static void store_unreachable(void **state)
{
	(void)state;
	char no[64], path[128];
	snprintf(no, sizeof(no), "%s", new_case(&a, &zhang, true));
	static const char *const names[] = {"个体工商户登记（备案）申请书", "经营者居民身份证",
	                                    "经营场所使用相关证明"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *body = NULL;
		long st = test_upload(&a, &zhang, no, names[i], "m.pdf", test_pdf, test_pdf_len,
		                      NULL, &body);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", names[i], st, body);
		free(body);
	}
	snprintf(path, sizeof(path), "/api/v1/cases/%s/submit", no);
	json_t *j;

	char sql[512];
	snprintf(sql, sizeof(sql),
	         "ALTER DATABASE %s ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid)"
	         " FROM pg_stat_activity WHERE datname = '%s'",
	         db_name, db_name);
	admin_sql(sql);
	char st[32];
	assert_int_equal(health(&a, st), 503);
	assert_string_equal(st, "unavailable");
	struct http_resp r;
	test_call(&a, &zhang, "POST", path, NULL, &r);
	assert_int_equal(r.status, 503);
	char ra[16];
	assert_non_null(http_header(&r, "Retry-After", ra, sizeof(ra)));
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(test_str(j, "field"), "db");
	assert_non_null(json_object_get(j, "reason"));
	json_decref(j);
	http_free(&r);

	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS true", db_name);
	admin_sql(sql);
	long hs = 0;
	for (int i = 0; i < 50 && hs != 200; i++) {
		hs = health(&a, st);
		if (hs != 200)
			usleep(100 * 1000);
	}
	assert_int_equal(hs, 200);
	assert_string_equal(st, "ok");
	/* The session was kept in the store: signed in as before. */
	j = test_expect(&a, &zhang, "POST", path, NULL, 200);
	assert_string_equal(test_str(j, "state"), "submitted");
	json_decref(j);
	j = test_expect(&b, &zhang, "POST", path, NULL, 200); /* idempotent */
	assert_string_equal(test_str(j, "state"), "submitted");
	json_decref(j);
}

/* COUNT(*) of sql (one row, one column) on the test database. */
static long count_of(const char *sql)
{
	char out[256];
	if (test_run(out, sizeof(out), "psql -X -q -At '%s' -c \"%s\"", db_url, sql) != 0)
		fail_msg("psql: %s: %s", sql, out);
	return strtol(out, NULL, 10);
}

/* A node killed (kill -9) while it delivers notifications: another node
 * takes the deliverer's lock when the dead node's session ends and goes
 * on. Every message reaches the inbox exactly once and the webhook at
 * least once (the post in flight when the node died may come twice). */
static void delivery_survives_a_killed_node(void **state)
{
	(void)state;
	/* One deliverer, so that the one killed is the one delivering; the
	 * receiver is on loopback. */
	srv_stop(&b);
	srv_stop(&c);
	srv_stop(&a);
	srv_start(&a, db_url, "--allow-private-webhooks", "--master-key", master_key, NULL);
	struct test_session admin;
	assert_int_equal(test_login(&a, "330106198202027014", "tongban-demo", &admin), 200);
	int port = test_hook_start();
	char body[256];
	snprintf(body, sizeof(body), "{\"department_id\":10,\"url\":\"http://127.0.0.1:%d/hook\"}",
	         port);
	json_t *w = test_expect(&a, &admin, "POST", "/api/v1/webhooks", body, 201);
	test_hook_secret(test_str(w, "secret"));
	json_decref(w);
	/* A slow receiver: twelve posts take more than a second. */
	test_hook_delay(100);
	enum { N = 12 };
	char nos[N][64];
	for (int i = 0; i < N; i++) {
		snprintf(nos[i], sizeof(nos[i]), "%s", new_case(&a, &zhang, true));
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/cases/%.63s/events", nos[i]);
		json_decref(test_expect(&a, &zhang, "POST", path, "{\"event\":\"withdraw\"}", 200));
	}
	for (int i = 0; i < 100 && test_hook_count() < 3; i++)
		usleep(20 * 1000);
	int before = test_hook_count();
	assert_true(before >= 3);
	kill(a.pid, SIGKILL);
	waitpid(a.pid, NULL, 0);
	assert_true(test_hook_count() < N); /* killed mid-delivery */
	srv_start(&b, db_url, "--allow-private-webhooks", "--master-key", master_key, NULL);
	/* The new node delivers the rest (and perhaps the one in flight). */
	int seen = 0;
	for (int i = 0; i < 300 && seen < N; i++) {
		usleep(100 * 1000);
		seen = 0;
		for (int j = 0; j < N; j++)
			seen += test_hook_saw(nos[j]) > 0;
	}
	char sql[256];
	test_hook_delay(0);
	for (int j = 0; j < N; j++) {
		if (test_hook_saw(nos[j]) < 1)
			fail_msg("no webhook post for %s", nos[j]);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM inbox WHERE case_no = '%.63s'",
		         nos[j]);
		long inbox = count_of(sql);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE case_no = '%.63s'",
		         nos[j]);
		assert_int_equal(inbox, count_of(sql)); /* exactly once each */
	}
	assert_int_equal(test_hook_bad(), 0);
	test_hook_end();
	/* The group's nodes as they were, for the teardown. */
	srv_start(&a, db_url, "--trusted-proxy", "127.0.0.1", "--master-key", master_key, NULL);
	srv_start(&c, db_url, "--db-read", copy_url, NULL);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	if (!test_pg_base_url())
		return 0;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sessions_shared),
	    cmocka_unit_test(limits_shared),
	    cmocka_unit_test(uploads_shared),
	    cmocka_unit_test(reads_from_standby),
	    cmocka_unit_test(keys_shared),
	    cmocka_unit_test(store_unreachable),
	    cmocka_unit_test(delivery_survives_a_killed_node),
	};
	return cmocka_run_group_tests_name("nodes/postgresql", tests, start, stop) ? 1 : 0;
}
