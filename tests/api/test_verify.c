/* Issue #10, the verification and notification holes, over HTTP against
 * the real binary with --demo, on SQLite and PostgreSQL:
 *   5  `tongban cert verify` accepts only a key of the record's issuer that
 *      the record names (key JSON: its department; bare PEM: --issuer);
 *   10 an upload does not say whether someone else stored the bytes;
 *   11 rating a case that is not yours is the same 404 as no case;
 *   12 verification by identifier shows no holder and no number, and is
 *      limited per address (429); the document's holder sees more;
 *   14 webhooks to loopback, private, link-local, unspecified and
 *      multicast targets are refused at registration and not called at
 *      delivery; registering one is audited (7).
 * The rate-limit test runs last: it locks the address out of lookups. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/crypto.h"
#include "base/sm2.h"
#include "certs/record.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 高龄津贴发放, 西湖区民政局: online through the mobile channel (depth IV). */
#define ALLOWANCE "11330106024903108G4050081402000"
#define MZ_ID     11 /* 西湖区民政局's department id */
#define SMJ_ID    10 /* 西湖区市场监督管理局 */

static struct test_srv srv;
static const char *db_url;
static struct test_session zhang, li, admin, supervisor;
static char li_case[64];  /* a draft of 李四's, made by uploads_tell_nothing */
static char mz_cert[128]; /* 张三's 结婚证 (西湖区民政局) */

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

/* head + id + tail, in one of four rotating buffers. */
static const char *url(const char *head, const char *id, const char *tail)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s%s%s", head, id, tail);
	return buf[i];
}

static int start(const char *db)
{
	db_url = db;
	const struct test_who who[] = {{"33010619900101123X", &zhang},
	                               {"330106198505052313", &li},
	                               {"330106198202027014", &admin},
	                               {"330106198303036024", &supervisor}};
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
	return start(test_pg_fresh("verify"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* ---- 5: offline verification and the key's department ------------------ */

/* Runs `tongban cert verify` on the document and key texts, with --issuer
 * when issuer is not NULL; its exit status. Its output goes to
 * DATA/cli.out. */
static int cli(const char *doc, const char *key, const char *issuer)
{
	char dp[400], kp[400], out[400], cmd[2048];
	snprintf(dp, sizeof(dp), "%s/v-cert.json", srv.data);
	snprintf(kp, sizeof(kp), "%s/v-key", srv.data);
	snprintf(out, sizeof(out), "%s/cli.out", srv.data);
	FILE *f = fopen(dp, "w");
	fputs(doc, f);
	fclose(f);
	f = fopen(kp, "w");
	fputs(key, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s cert verify %s --key %s%s%s >%s 2>&1", getenv("TB_TEST_BIN"),
	         dp, kp, issuer ? " --issuer " : "", issuer ? issuer : "", out);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether the last cli() printed text. */
static bool cli_said(const char *text)
{
	char p[400], buf[4096] = "";
	snprintf(p, sizeof(p), "%s/cli.out", srv.data);
	FILE *f = fopen(p, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, text) != NULL;
}

/* doc's record with key_id set to key_id (NULL: as it is), signed anew
 * with the private key of key_id_signer from the server's key folder. */
static char *resign(const json_t *doc, const char *key_id, const char *signer)
{
	json_t *copy = json_deep_copy(doc);
	json_t *record = json_object_get(copy, "record");
	if (key_id)
		json_object_set_new(record, "key_id", json_string(key_id));
	char path[512];
	snprintf(path, sizeof(path), "%s/keys/%s.pem", srv.data, signer);
	struct tb_sm2_key *k;
	assert_int_equal(tb_sm2_load_private(path, &k), TB_OK);
	char *canon = tb_cert_canonical(record);
	char sig[TB_SM2_SIG_HEX], digest[TB_SM3_HEX];
	assert_int_equal(tb_sm2_sign(k, canon, strlen(canon), sig), TB_OK);
	tb_sm3_hex(canon, strlen(canon), digest);
	free(canon);
	tb_sm2_free(k);
	json_object_set_new(copy, "signature", json_string(sig));
	json_object_set_new(copy, "digest", json_string(digest));
	json_object_del(copy, "status");
	char *text = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	return text;
}

/* What the offline tests use: 张三's 结婚证 (西湖区民政局) as exported,
 * and the key JSON and PEM of its issuer (mz) and of 杭州市公安局 (gaj),
 * which issued his 居民户口簿; forged: the 结婚证's record naming and
 * signed by gaj's key; forged2: the record as it is (naming mz's key)
 * signed by gaj's key. */
static struct {
	json_t *doc;
	char *doc_text, *mz_json, *gaj_json, *forged, *forged2;
	char mz_pem[1024], gaj_pem[1024];
	char mz[19], gaj[19], mz_key_id[TB_SM2_KEY_ID], gaj_key_id[TB_SM2_KEY_ID];
} k;

static void keys_load(void)
{
	if (k.doc)
		return;
	json_t *mine = call(&zhang, "GET", "/api/v1/me/certificates", NULL, 200);
	char gaj_cert[128] = "";
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(mine, "items"), i, c)
	{
		const char *type = test_str(json_object_get(c, "type"), "name");
		if (!strcmp(type, "结婚证"))
			snprintf(mz_cert, sizeof(mz_cert), "%s", test_str(c, "identifier"));
		else if (!strcmp(type, "居民户口簿"))
			snprintf(gaj_cert, sizeof(gaj_cert), "%s", test_str(c, "identifier"));
	}
	json_decref(mine);
	assert_true(mz_cert[0] && gaj_cert[0]);
	k.doc = call(&zhang, "GET", url("/api/v1/certificates/", mz_cert, ""), NULL, 200);
	json_t *gaj_doc =
	    call(&zhang, "GET", url("/api/v1/certificates/", gaj_cert, ""), NULL, 200);
	const json_t *record = json_object_get(k.doc, "record");
	snprintf(k.mz_key_id, sizeof(k.mz_key_id), "%s", test_str(record, "key_id"));
	snprintf(k.gaj_key_id, sizeof(k.gaj_key_id), "%s",
	         test_str(json_object_get(gaj_doc, "record"), "key_id"));
	snprintf(k.mz, sizeof(k.mz), "%s", test_str(json_object_get(record, "issuer"), "code"));
	json_decref(gaj_doc);
	assert_string_not_equal(k.mz_key_id, k.gaj_key_id);
	/* The key JSON names its id and its department. */
	json_t *mz_key = call(NULL, "GET", url("/api/v1/keys/", k.mz_key_id, ""), NULL, 200);
	json_t *gaj_key = call(NULL, "GET", url("/api/v1/keys/", k.gaj_key_id, ""), NULL, 200);
	assert_string_equal(test_str(mz_key, "key_id"), k.mz_key_id);
	assert_string_equal(test_str(json_object_get(mz_key, "department"), "code"), k.mz);
	snprintf(k.gaj, sizeof(k.gaj), "%s",
	         test_str(json_object_get(gaj_key, "department"), "code"));
	assert_string_not_equal(k.gaj, k.mz);
	k.doc_text = json_dumps(k.doc, JSON_COMPACT);
	k.mz_json = json_dumps(mz_key, JSON_COMPACT);
	k.gaj_json = json_dumps(gaj_key, JSON_COMPACT);
	snprintf(k.mz_pem, sizeof(k.mz_pem), "%s", test_str(mz_key, "public_pem"));
	snprintf(k.gaj_pem, sizeof(k.gaj_pem), "%s", test_str(gaj_key, "public_pem"));
	k.forged = resign(k.doc, k.gaj_key_id, k.gaj_key_id);
	k.forged2 = resign(k.doc, NULL, k.gaj_key_id);
	json_decref(mz_key);
	json_decref(gaj_key);
}

static void keys_free(void)
{
	json_decref(k.doc);
	free(k.doc_text);
	free(k.mz_json);
	free(k.gaj_json);
	free(k.forged);
	free(k.forged2);
	memset(&k, 0, sizeof(k));
}

/* With the key JSON of GET /api/v1/keys/{key_id}: its department must be
 * the record's issuer, its key the one the record names. */
static void offline_key_json(void **state)
{
	(void)state;
	keys_load();
	/* 西湖区民政局's record signed by 杭州市公安局's key, naming that key:
	 * the signature is good, the issuer is not the key's department. */
	assert_int_equal(cli(k.forged, k.gaj_json, NULL), 1);
	assert_true(cli_said("issuer"));
	/* Naming 民政局's key but signed by 公安局's: the key given is not the
	 * one the record names. */
	assert_int_equal(cli(k.forged2, k.gaj_json, NULL), 1);
	/* The real one: valid with its issuer's key; forged with another's. */
	assert_int_equal(cli(k.doc_text, k.mz_json, NULL), 0);
	assert_int_equal(cli(k.doc_text, k.gaj_json, NULL), 1);
	/* A key JSON whose key_id is not its key's, or without a department;
	 * --issuer against the key JSON's own department. */
	json_t *lying = json_loads(k.gaj_json, 0, NULL);
	json_object_set_new(lying, "key_id", json_string(k.mz_key_id));
	char *text = json_dumps(lying, JSON_COMPACT);
	assert_int_equal(cli(k.forged2, text, NULL), 2);
	free(text);
	json_object_set_new(lying, "key_id", json_string(k.gaj_key_id));
	json_object_del(lying, "department");
	text = json_dumps(lying, JSON_COMPACT);
	assert_int_equal(cli(k.forged, text, NULL), 2);
	free(text);
	json_decref(lying);
	assert_int_equal(cli(k.doc_text, k.mz_json, k.gaj), 2);
	/* Online the forgeries are no better. */
	json_t *j = call(NULL, "POST", "/api/v1/certificates/verify", k.forged, 200);
	assert_string_equal(test_str(j, "status"), "forged");
	json_decref(j);
	j = call(NULL, "POST", "/api/v1/certificates/verify", k.forged2, 200);
	assert_string_equal(test_str(j, "status"), "forged");
	json_decref(j);
}

/* With a bare PEM, which names nobody: --issuer says whose it is. */
static void offline_key_pem(void **state)
{
	(void)state;
	keys_load();
	assert_int_equal(cli(k.doc_text, k.mz_pem, NULL), 2);
	assert_true(cli_said("--issuer"));
	assert_int_equal(cli(k.forged, k.gaj_pem, NULL), 2);
	assert_int_equal(cli(k.doc_text, k.mz_pem, "12345"), 2);
	assert_int_equal(cli(k.doc_text, k.mz_pem, k.mz), 0);
	assert_int_equal(cli(k.doc_text, k.gaj_pem, k.mz), 1);
	assert_int_equal(cli(k.forged, k.gaj_pem, k.gaj), 1);
	assert_int_equal(cli(k.forged2, k.gaj_pem, k.mz), 1);
	keys_free();
}

/* ---- 10: uploads tell nothing of others' files -------------------------- */

static char *new_case(const struct test_session *s)
{
	json_t *j = call(s, "POST", "/api/v1/cases",
	                 "{\"item\":\"" ALLOWANCE "\",\"channel\":\"mobile\"}", 201);
	char *no = strdup(test_str(j, "case_no"));
	json_decref(j);
	return no;
}

static void uploads_tell_nothing(void **state)
{
	(void)state;
	/* Bytes nobody has uploaded yet (unique per run). */
	char pdf[256];
	int n =
	    snprintf(pdf, sizeof(pdf), "%%PDF-1.4\n%% %ld %d\n1 0 obj\n<< >>\nendobj\n%%%%EOF\n",
	             (long)time(NULL), (int)getpid());
	char *zhang_case = new_case(&zhang), *li_no = new_case(&li);
	snprintf(li_case, sizeof(li_case), "%s", li_no);
	char *body = NULL;
	assert_int_equal(test_upload(&srv, &zhang, zhang_case, "老年人居民身份证", "a.pdf", pdf,
	                             (size_t)n, NULL, &body),
	                 201);
	json_t *first = json_loads(body, 0, NULL);
	free(body);
	/* 李四 uploads the same bytes: the same hash, and not a word of
	 * whether anyone had them. */
	assert_int_equal(
	    test_upload(&srv, &li, li_no, "老年人居民身份证", "b.pdf", pdf, (size_t)n, NULL, &body),
	    201);
	json_t *second = json_loads(body, 0, NULL);
	free(body);
	assert_string_equal(test_str(first, "sm3"), test_str(second, "sm3"));
	assert_null(json_object_get(first, "stored_before"));
	assert_null(json_object_get(second, "stored_before"));
	assert_int_equal(json_object_size(first), json_object_size(second));
	json_decref(first);
	json_decref(second);
	free(zhang_case);
	free(li_no);
}

/* ---- 11: rating is no existence oracle ---------------------------------- */

static void rating_tells_nothing(void **state)
{
	(void)state;
	assert_true(li_case[0]);
	char none[64];
	snprintf(none, sizeof(none), "%s", li_case);
	memcpy(none + strlen(none) - 4, "9999", 4); /* the same day, a serial never used */
	const char *score = "{\"score\":1}";
	struct http_resp a, b;
	test_call(&srv, &zhang, "POST", url("/api/v1/cases/", li_case, "/rating"), score, &a);
	test_call(&srv, &zhang, "POST", url("/api/v1/cases/", none, "/rating"), score, &b);
	assert_int_equal(a.status, 404);
	assert_int_equal(b.status, 404);
	json_t *ja = json_loads(a.body, 0, NULL), *jb = json_loads(b.body, 0, NULL);
	static const char *const same[] = {"error", "field", "reason"};
	for (int i = 0; i < 3; i++)
		assert_string_equal(test_str(ja, same[i]), test_str(jb, same[i]));
	json_decref(ja);
	json_decref(jb);
	http_free(&a);
	http_free(&b);
	/* Signed out: 401 for both. */
	json_decref(call(NULL, "POST", url("/api/v1/cases/", li_case, "/rating"), score, 401));
	json_decref(call(NULL, "POST", url("/api/v1/cases/", none, "/rating"), score, 401));
	/* The applicant still reaches the case (a draft cannot be rated yet). */
	json_decref(call(&li, "POST", url("/api/v1/cases/", li_case, "/rating"), score, 409));
}

/* ---- 12: what verification shows ---------------------------------------- */

static void verification_views(void **state)
{
	(void)state;
	assert_true(mz_cert[0]);
	json_t *j = call(NULL, "GET", url("/api/v1/certificates/", mz_cert, "/verify"), NULL, 200);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_string_equal(test_str(json_object_get(j, "type"), "name"), "结婚证");
	assert_non_null(json_object_get(j, "issuer"));
	assert_non_null(json_object_get(j, "valid_from"));
	assert_non_null(json_object_get(j, "valid_to"));
	/* Nothing of the holder, not even masked, and no number. */
	assert_null(json_object_get(j, "holder"));
	assert_null(json_object_get(j, "number"));
	char *text = json_dumps(j, 0);
	assert_null(strstr(text, "张"));
	free(text);
	json_decref(j);
	/* Whoever holds the document gets the full verdict. */
	json_t *doc = call(&zhang, "GET", url("/api/v1/certificates/", mz_cert, ""), NULL, 200);
	char *doc_text = json_dumps(doc, JSON_COMPACT);
	j = call(NULL, "POST", "/api/v1/certificates/verify", doc_text, 200);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_string_equal(test_str(j, "holder"), "张*");
	assert_string_equal(test_str(j, "number"),
	                    test_str(json_object_get(doc, "record"), "number"));
	json_decref(j);
	free(doc_text);
	json_decref(doc);
}

/* ---- 14 and 7: webhook targets; registering is audited ------------------ */

static int hook_fd = -1;
static _Atomic int hook_hits;
static _Atomic bool hook_stop;
static pthread_t hook_thread;

static void *hook_loop(void *arg)
{
	(void)arg;
	while (!hook_stop) {
		int c = accept(hook_fd, NULL, NULL);
		if (c < 0)
			continue;
		hook_hits++;
		char buf[4096];
		(void)!read(c, buf, sizeof(buf));
		static const char ok[] =
		    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		(void)!write(c, ok, sizeof(ok) - 1);
		close(c);
	}
	return NULL;
}

/* A receiver on a loopback port; returns the port. */
static int hook_start(void)
{
	hook_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(hook_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(hook_fd, (struct sockaddr *)&sa, &sl);
	listen(hook_fd, 16);
	hook_hits = 0;
	hook_stop = false;
	pthread_create(&hook_thread, NULL, hook_loop, NULL);
	return ntohs(sa.sin_port);
}

static void hook_end(void)
{
	hook_stop = true;
	shutdown(hook_fd, SHUT_RDWR);
	close(hook_fd);
	pthread_join(hook_thread, NULL);
}

/* The attempts and last status of the deliveries to webhook id. */
static void delivery_of(int64_t webhook, int64_t *attempts, int64_t *last_status)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(db_url, 1, &s, &f), TB_OK);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row,
	                  "SELECT COALESCE(SUM(attempts), 0), COALESCE(MAX(last_status),"
	                  " 0) FROM deliveries WHERE webhook_id = ?",
	                  "i", webhook),
	    TB_OK);
	*attempts = row ? tb_stmt_int(st, 0) : 0;
	*last_status = row ? tb_stmt_int(st, 1) : 0;
	tb_stmt_reset(st);
	tb_store_release(c);
	tb_store_close(s);
}

/* A webhook row written straight into the store, as if a name that was
 * public at registration now resolved to loopback. Returns its id. */
static int64_t plant_webhook(int64_t department, const char *target)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(db_url, 1, &s, &f), TB_OK);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	struct tb_stmt *st;
	bool row;
	assert_int_equal(
	    tb_conn_query(c, &st, &row,
	                  "INSERT INTO webhooks (department_id, url, secret, created_at)"
	                  " VALUES (?, ?, 'whs_test', ?) RETURNING id",
	                  "isi", department, target, (int64_t)time(NULL)),
	    TB_OK);
	int64_t id = row ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	tb_store_release(c);
	tb_store_close(s);
	return id;
}

/* Registration refuses targets that are not public, literal or by name. */
static void webhook_refused_targets(void **state)
{
	(void)state;
	static const char *const refused[] = {
	    "http://127.0.0.1:8080/hook",
	    "http://127.1.2.3/hook",
	    "http://localhost/hook",
	    "http://169.254.169.254/latest/meta-data/",
	    "http://10.0.0.8/hook",
	    "http://172.16.5.4/hook",
	    "http://172.31.255.1/hook",
	    "http://192.168.1.1/hook",
	    "http://0.0.0.0/hook",
	    "http://224.0.0.1/hook",
	    "http://255.255.255.255/hook",
	    "http://[::1]:8080/hook",
	    "http://[::]/hook",
	    "http://[fe80::1]/hook",
	    "http://[fc00::1]/hook",
	    "http://[fd12:3456::1]/hook",
	    "http://[ff02::1]/hook",
	    "http://[::ffff:127.0.0.1]/hook",
	    "http://[::ffff:169.254.169.254]/hook",
	    "https://2130706433/hook", /* 127.0.0.1 as one number */
	    "http://0x7f.1/hook",
	};
	char body[300];
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(body, sizeof(body), "{\"department_id\":%d,\"url\":\"%s\"}", MZ_ID,
		         refused[i]);
		struct http_resp r;
		test_call(&srv, &admin, "POST", "/api/v1/webhooks", body, &r);
		if (r.status != 400 || !strstr(r.body, "\"url\""))
			fail_msg("%s -> %ld: %s", refused[i], r.status, r.body);
		http_free(&r);
	}
}

/* Registering a webhook is in the audit trail (finding 7). */
static void webhook_audited(void **state)
{
	(void)state;
	char body[300];
	/* A public address (TEST-NET-3, never called in this test: its
	 * department has no case moving here) is accepted, and audited. */
	snprintf(body, sizeof(body), "{\"department_id\":%d,\"url\":\"%s\"}", SMJ_ID,
	         "https://203.0.113.10/tongban/hook");
	json_t *w = call(&admin, "POST", "/api/v1/webhooks", body, 201);
	json_int_t id = json_integer_value(json_object_get(w, "id"));
	json_decref(w);
	char q[128];
	snprintf(q, sizeof(q), "/api/v1/audit?object=webhook:%lld", (long long)id);
	json_t *j = call(&supervisor, "GET", q, NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), 1);
	json_t *rec = json_array_get(items, 0);
	assert_string_equal(test_str(rec, "action"), "webhook.create");
	assert_string_equal(test_str(rec, "outcome"), "ok");
	assert_non_null(strstr(test_str(rec, "actor"), "account:"));
	char *rec_text = json_dumps(rec, 0);
	assert_null(strstr(rec_text, "whs_")); /* no secret in the trail */
	free(rec_text);
	json_decref(j);
}

/* Delivery checks the address it connects to. */
static void webhook_delivery_refused(void **state)
{
	(void)state;
	/* Delivery: a stored target on loopback is not called. 李四's
	 * 高龄津贴 case at 西湖区民政局 is submitted: an outbox row for its
	 * department, a delivery to the planted webhook, refused. */
	int port = hook_start();
	char target[96];
	snprintf(target, sizeof(target), "http://127.0.0.1:%d/hook", port);
	int64_t planted = plant_webhook(MZ_ID, target);
	assert_true(li_case[0]);
	static const char *const materials[] = {"老年人居民身份证", "本人银行账户信息",
	                                        "社会保障卡"};
	for (int i = 0; i < 3; i++) {
		char *answer = NULL;
		long st = test_upload(&srv, &li, li_case, materials[i], "m.pdf", test_pdf,
		                      test_pdf_len, NULL, &answer);
		if (st != 201)
			fail_msg("upload %s -> %ld: %s", materials[i], st, answer);
		free(answer);
	}
	json_decref(call(&li, "POST", url("/api/v1/cases/", li_case, "/submit"), NULL, 200));
	int64_t attempts = 0, last = -1;
	for (int tries = 0; tries < 100 && attempts == 0; tries++) {
		usleep(100000);
		delivery_of(planted, &attempts, &last);
	}
	assert_true(attempts >= 1); /* it was tried */
	assert_int_equal(last, 0);  /* and got no answer */
	assert_int_equal(hook_hits, 0);
	hook_end();
}

/* ---- 12: lookups per address are limited --------------------------------- */

static void lookups_limited(void **state)
{
	(void)state;
	assert_true(mz_cert[0]);
	/* Within 61 lookups from one address it is told to wait (earlier
	 * tests made a few already). */
	const char *id = mz_cert;
	long status = 0;
	int n = 0;
	struct http_resp r = {0};
	while (n < 70) {
		http_free(&r);
		n++;
		http_get(&srv, url("/api/v1/certificates/", id, "/verify"), &r);
		status = r.status;
		if (status == 429)
			break;
		assert_true(status == 200 || status == 404);
	}
	assert_int_equal(status, 429);
	/* 60 a minute: the lookups made before in this minute count too. */
	assert_true(n >= 50 && n <= 61);
	char retry[16];
	assert_non_null(http_header(&r, "Retry-After", retry, sizeof(retry)));
	long wait = strtol(retry, NULL, 10);
	assert_true(wait >= 1 && wait <= 60);
	json_t *j = json_loads(r.body, 0, NULL);
	assert_string_equal(test_str(j, "error"), "too many requests");
	json_decref(j);
	http_free(&r);
	/* Every lookup counts, known or not, and the QR code too. */
	json_decref(call(NULL, "GET", url("/api/v1/certificates/", mz_cert, "/verify"), NULL, 429));
	json_decref(call(NULL, "GET", url("/api/v1/certificates/", mz_cert, "/qr.svg"), NULL, 429));
	/* The holder of the document is not limited by it. */
	json_t *doc = call(&zhang, "GET", url("/api/v1/certificates/", mz_cert, ""), NULL, 200);
	char *doc_text = json_dumps(doc, JSON_COMPACT);
	json_decref(call(NULL, "POST", "/api/v1/certificates/verify", doc_text, 200));
	free(doc_text);
	json_decref(doc);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(offline_key_json),     cmocka_unit_test(offline_key_pem),
	    cmocka_unit_test(uploads_tell_nothing), cmocka_unit_test(rating_tells_nothing),
	    cmocka_unit_test(verification_views),   cmocka_unit_test(webhook_refused_targets),
	    cmocka_unit_test(webhook_audited),      cmocka_unit_test(webhook_delivery_refused),
	    cmocka_unit_test(lookups_limited),
	};
	int failed = cmocka_run_group_tests_name("verify/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("verify/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
