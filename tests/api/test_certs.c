/* E-certificates over HTTP against the real binary with --demo, on SQLite
 * and PostgreSQL: the demo citizen's certificates; a citizen's end-to-end
 * path (married -> 结婚证 issued and signed -> an item that needs it asks
 * for no upload); forgeries of a field, the signature and the identifier
 * check character caught online and by `tongban cert verify` offline;
 * revocation, expiry, unknown identifiers, bad holders; key rotation with
 * old signatures still verifiable; the QR code. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "codes/certid.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MARRIAGE "11330106024903108G4070081601000" /* 内地居民结婚登记, 即办件 */
#define BIRTH    "1133010002486186853200032801000" /* 生育登记: needs 结婚证 */
#define MZ       "11330106024903108G"              /* 杭州市西湖区民政局 */
#define MZ_ID    "11"                              /* its department id */

static struct test_srv srv;
static struct test_session zhang, li, mz_reviewer, mz_approver, admin, clerk;

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

/* Uploads a small PDF as material of case_no. */
static void upload(const struct test_session *s, const char *case_no, const char *material)
{
	char *body = NULL;
	long status =
	    test_upload(&srv, s, case_no, material, "id.pdf", test_pdf, test_pdf_len, NULL, &body);
	if (status != 201)
		fail_msg("upload %s -> %ld: %s", material, status, body);
	free(body);
}

static int start(const char *db)
{
	const struct test_who who[] = {
	    {"33010619900101123X", &zhang},       {"330106198505052313", &li},
	    {"330106198910103022", &mz_reviewer}, {"33010619871111401X", &mz_approver},
	    {"330106198202027014", &admin},       {"330106198808081015", &clerk}};
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
	return start(test_pg_fresh("certs"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The demo gives 张三 certificates through the normal path. */
static void demo_certificates(void **state)
{
	(void)state;
	json_t *j = call(&zhang, "GET", "/api/v1/me/certificates", NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_true(json_array_size(items) >= 2);
	bool hukou = false, marriage = false;
	size_t i;
	json_t *c;
	json_array_foreach(items, i, c)
	{
		assert_string_equal(test_str(c, "status"), "valid");
		const char *type = test_str(json_object_get(c, "type"), "name");
		hukou |= strcmp(type, "居民户口簿") == 0;
		marriage |= strcmp(type, "结婚证") == 0;
		assert_string_equal(test_str(json_object_get(c, "holder"), "code"),
		                    "33010619900101123X");
	}
	assert_true(hukou && marriage);
	json_decref(j);
	/* Others do not see them. */
	j = call(&li, "GET", "/api/v1/me/certificates", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/me/certificates", NULL, 401));
	j = call(NULL, "GET", "/api/v1/certificate-types", NULL, 200);
	assert_true(json_array_size(j) >= 8);
	json_decref(j);
}

/* Runs `tongban cert verify doc --key key` on the two texts; its status. */
static int cert_verify_cli(const char *doc, const char *key)
{
	char dp[512], kp[512], cmd[2048];
	snprintf(dp, sizeof(dp), "%s/cert.json", srv.data);
	snprintf(kp, sizeof(kp), "%s/key.json", srv.data);
	FILE *f = fopen(dp, "w");
	fputs(doc, f);
	fclose(f);
	f = fopen(kp, "w");
	fputs(key, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s cert verify %s --key %s >/dev/null", getenv("TB_TEST_BIN"),
	         dp, kp);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *dumps(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT);
}

/* 李四 marries: the 结婚证 is issued and signed; then 生育登记, which needs
 * it and an identity card, asks for no upload. Both come to the registry
 * (online depth II): the general window opens the case and scans the
 * papers; online it is refused. */
static void end_to_end(void **state)
{
	(void)state;
	json_t *j = call(&li, "POST", "/api/v1/cases",
	                 "{\"item\":\"" MARRIAGE "\",\"form\":{\"spouse_name\":\"王芳\"}}", 403);
	assert_string_equal(test_str(j, "field"), "item");
	json_decref(j);
	j = call(&clerk, "POST", "/api/v1/cases",
	         "{\"item\":\"" MARRIAGE "\",\"applicant\":\"330106198505052313\","
	         "\"form\":{\"spouse_name\":\"王芳\"}}",
	         201);
	char no[64];
	snprintf(no, sizeof(no), "%s", test_str(j, "case_no"));
	json_decref(j);
	upload(&clerk, no, "男女双方居民身份证");
	upload(&clerk, no, "双方近期半身免冠合影照片");
	upload(&clerk, no, "无配偶以及与对方无直系血亲和三代以内旁系血亲关系的签字声明");
	json_decref(call(&clerk, "POST", url("/api/v1/cases/", no, "/submit"), NULL, 200));
	j = call(&mz_reviewer, "POST", url("/api/v1/cases/", no, "/events"),
	         "{\"event\":\"accept\",\"opinion\":\"当场登记\"}", 200);
	assert_string_equal(test_str(j, "state"), "completed"); /* an immediate item */
	json_decref(j);
	j = call(&li, "GET", url("/api/v1/cases/", no, ""), NULL, 200);
	json_t *issued = json_object_get(j, "certificates");
	assert_int_equal(json_array_size(issued), 1);
	char id[TB_CERTID_MAX];
	snprintf(id, sizeof(id), "%s", json_string_value(json_array_get(issued, 0)));
	json_decref(j);
	struct tb_certid parsed;
	assert_int_equal(tb_certid_parse(id, &parsed, NULL), TB_OK);
	assert_string_equal(parsed.issuer, MZ);

	/* Anyone can verify it; the holder is not shown (test_verify). */
	j = call(NULL, "GET", url("/api/v1/certificates/", id, "/verify"), NULL, 200);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_null(json_object_get(j, "holder"));
	assert_string_equal(test_str(json_object_get(j, "issuer"), "code"), MZ);
	json_decref(j);

	/* The document: the spouse on the face, signed by the department's key. */
	json_t *doc = call(&li, "GET", url("/api/v1/certificates/", id, ""), NULL, 200);
	json_t *record = json_object_get(doc, "record");
	assert_string_equal(test_str(json_object_get(record, "holder"), "name"), "李四");
	char *face = dumps(json_object_get(record, "face"));
	assert_non_null(strstr(face, "王芳"));
	free(face);
	json_t *key =
	    call(NULL, "GET", url("/api/v1/keys/", test_str(record, "key_id"), ""), NULL, 200);
	assert_non_null(strstr(test_str(key, "public_pem"), "BEGIN PUBLIC KEY"));
	json_decref(call(&zhang, "GET", url("/api/v1/certificates/", id, ""), NULL, 403));

	/* Offline with the issuer's key: valid. */
	char *doc_text = dumps(doc), *key_text = dumps(key);
	assert_int_equal(cert_verify_cli(doc_text, key_text), 0);
	free(doc_text);

	/* 生育登记: 结婚证 from the certificate, the identity card from the
	 * library; nothing to upload, so it submits at once. */
	j = call(&li, "POST", "/api/v1/cases", "{\"item\":\"" BIRTH "\"}", 201);
	char birth[64];
	snprintf(birth, sizeof(birth), "%s", test_str(j, "case_no"));
	json_decref(j);
	j = call(&li, "GET", url("/api/v1/cases/", birth, ""), NULL, 200);
	size_t i;
	json_t *m;
	int from_cert = 0, from_library = 0;
	json_array_foreach(json_object_get(j, "materials"), i, m)
	{
		if (strcmp(test_str(m, "required"), "required") != 0)
			continue;
		const char *src = test_str(m, "source");
		if (!strcmp(test_str(m, "name"), "结婚证")) {
			assert_string_equal(src, "certificate");
			assert_string_equal(test_str(m, "ref"), id);
			from_cert++;
		} else {
			assert_string_equal(src, "library");
			from_library++;
		}
	}
	assert_int_equal(from_cert, 1);
	assert_int_equal(from_library, 1);
	/* The register says how each arrived, who gave it, and which file. */
	json_t *given = json_object_get(j, "given");
	assert_int_equal(json_array_size(given), 2);
	json_array_foreach(given, i, m)
	{
		assert_true(json_integer_value(json_object_get(m, "by")) > 0);
		assert_int_equal(strlen(test_str(m, "sm3")), 64);
		assert_string_equal(test_str(m, "mime"),
		                    !strcmp(test_str(m, "source"), "certificate")
		                        ? "application/json"
		                        : "application/pdf");
	}
	json_decref(j);
	json_decref(call(&li, "POST", url("/api/v1/cases/", birth, "/submit"), NULL, 200));
	j = call(NULL, "GET", "/api/v1/stats/reuse?item=" BIRTH, NULL, 200);
	json_t *total = json_object_get(j, "total");
	assert_int_equal(json_integer_value(json_object_get(total, "certificate")), 1);
	assert_int_equal(json_integer_value(json_object_get(total, "library")), 1);
	assert_int_equal(json_integer_value(json_object_get(total, "upload")), 0);
	assert_true(json_real_value(json_object_get(total, "share")) > 0.99);
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/stats/reuse?region=33x", NULL, 400));
	/* Only the certificate the case names counts: another identifier is
	 * refused, though 李四 holds a valid 结婚证. */
	j = call(&li, "POST", "/api/v1/cases",
	         "{\"item\":\"" BIRTH "\",\"materials\":[{\"name\":\"结婚证\","
	         "\"source\":\"certificate\",\"ref\":\"not-her-certificate\"}]}",
	         400);
	assert_string_equal(test_str(j, "field"), "materials[0].ref");
	json_decref(j);

	/* Forgeries: a field, the signature, the identifier's check character. */
	json_t *copy = json_deep_copy(doc);
	json_t *v = json_array_get(json_object_get(json_object_get(copy, "record"), "face"), 2);
	json_object_set_new(v, "value", json_string("王芬"));
	char *t = dumps(copy);
	j = call(NULL, "POST", "/api/v1/certificates/verify", t, 200);
	assert_string_equal(test_str(j, "status"), "forged");
	assert_string_equal(test_str(j, "reason"), "digest");
	json_decref(j);
	assert_int_equal(cert_verify_cli(t, key_text), 1);
	free(t);
	json_object_del(copy, "digest"); /* a forger who also drops the digest */
	t = dumps(copy);
	j = call(NULL, "POST", "/api/v1/certificates/verify", t, 200);
	assert_string_equal(test_str(j, "reason"), "signature");
	json_decref(j);
	assert_int_equal(cert_verify_cli(t, key_text), 1);
	free(t);
	json_decref(copy);

	copy = json_deep_copy(doc);
	char sig[200];
	snprintf(sig, sizeof(sig), "%s", test_str(copy, "signature"));
	size_t n = strlen(sig);
	sig[n - 4] = sig[n - 4] == 'a' ? 'b' : 'a';
	json_object_set_new(copy, "signature", json_string(sig));
	t = dumps(copy);
	j = call(NULL, "POST", "/api/v1/certificates/verify", t, 200);
	assert_string_equal(test_str(j, "status"), "forged");
	json_decref(j);
	assert_int_equal(cert_verify_cli(t, key_text), 1);
	free(t);
	json_decref(copy);

	char bad[TB_CERTID_MAX];
	snprintf(bad, sizeof(bad), "%s", id);
	n = strlen(bad);
	bad[n - 1] = bad[n - 1] == 'A' ? 'B' : 'A';
	j = call(NULL, "GET", url("/api/v1/certificates/", bad, "/verify"), NULL, 200);
	assert_string_equal(test_str(j, "status"), "forged");
	assert_string_equal(test_str(j, "reason"), "identifier check character");
	json_decref(j);
	copy = json_deep_copy(doc);
	json_object_set_new(json_object_get(copy, "record"), "identifier", json_string(bad));
	t = dumps(copy);
	j = call(NULL, "POST", "/api/v1/certificates/verify", t, 200);
	assert_string_equal(test_str(j, "status"), "forged");
	json_decref(j);
	assert_int_equal(cert_verify_cli(t, key_text), 1);
	free(t);
	json_decref(copy);
	/* Not a document at all. */
	json_decref(call(NULL, "POST", "/api/v1/certificates/verify", "{\"record\":1}", 400));

	/* An unknown identifier (well formed, never issued), a malformed one. */
	char unknown[TB_CERTID_MAX];
	assert_int_equal(tb_certid_make(parsed.type_code, MZ, "209900000001", "001", unknown,
	                                sizeof(unknown), NULL),
	                 TB_OK);
	j = call(NULL, "GET", url("/api/v1/certificates/", unknown, "/verify"), NULL, 404);
	assert_string_equal(test_str(j, "status"), "unknown");
	json_decref(j);
	j = call(NULL, "GET", "/api/v1/certificates/1.2.3/verify", NULL, 400);
	assert_string_equal(test_str(j, "field"), "identifier");
	json_decref(j);

	/* The QR code leads to the verification. */
	struct http_resp r;
	http_get(&srv, url("/api/v1/certificates/", id, "/qr.svg"), &r);
	assert_int_equal(r.status, 200);
	char ct[64];
	assert_string_equal(http_header(&r, "Content-Type", ct, sizeof(ct)), "image/svg+xml");
	assert_non_null(strstr(r.body, "<svg"));
	http_free(&r);
	json_decref(call(NULL, "GET", url("/api/v1/certificates/", unknown, "/qr.svg"), NULL, 404));
	/* A forged check character is no certificate either; a malformed one is 400. */
	json_decref(call(NULL, "GET", url("/api/v1/certificates/", bad, "/qr.svg"), NULL, 404));
	json_decref(call(NULL, "GET", "/api/v1/certificates/1.2.3/qr.svg", NULL, 400));

	/* Revocation: by the issuing department's approver, once, with a reason. */
	json_decref(call(&mz_reviewer, "POST", url("/api/v1/certificates/", id, "/revoke"),
	                 "{\"reason\":\"登记错误\"}", 403));
	json_decref(
	    call(&mz_approver, "POST", url("/api/v1/certificates/", id, "/revoke"), "{}", 400));
	json_decref(call(&mz_approver, "POST", url("/api/v1/certificates/", id, "/revoke"),
	                 "{\"reason\":\"登记错误，撤销\"}", 200));
	json_decref(call(&mz_approver, "POST", url("/api/v1/certificates/", id, "/revoke"),
	                 "{\"reason\":\"again\"}", 409));
	j = call(NULL, "GET", url("/api/v1/certificates/", id, "/verify"), NULL, 200);
	assert_string_equal(test_str(j, "status"), "revoked");
	assert_string_equal(test_str(j, "revoke_reason"), "登记错误，撤销");
	json_decref(j);
	doc_text = dumps(doc);
	j = call(NULL, "POST", "/api/v1/certificates/verify", doc_text, 200);
	assert_string_equal(test_str(j, "status"), "revoked");
	json_decref(j);
	free(doc_text);
	free(key_text);
	json_decref(key);
	json_decref(doc);
}

/* Issuing outside a case: bad holders, required face fields, expiry,
 * who may; then a key rotation that leaves old signatures valid. */
static void issue_and_rotate(void **state)
{
	(void)state;
	json_decref(call(
	    &zhang, "POST", "/api/v1/certificates",
	    "{\"type\":\"离婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	    "\"33010619900101123X\",\"name\":\"张三\"},\"face\":{\"former_spouse_name\":\"某\"}}",
	    403));
	json_t *j = call(&mz_approver, "POST", "/api/v1/certificates",
	                 "{\"type\":\"离婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	                 "\"330106199001011231\",\"name\":\"张三\"},\"face\":{"
	                 "\"former_spouse_name\":\"某\"}}",
	                 400);
	assert_string_equal(test_str(j, "field"), "holder.code");
	json_decref(j);
	j = call(&mz_approver, "POST", "/api/v1/certificates",
	         "{\"type\":\"离婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	         "\"91330106MA2H3K7L3H\",\"name\":\"某公司\"},\"face\":{\"former_spouse_name\":"
	         "\"某\"}}",
	         400);
	assert_string_equal(test_str(j, "field"), "holder.code"); /* a person's certificate */
	json_decref(j);
	j = call(&mz_approver, "POST", "/api/v1/certificates",
	         "{\"type\":\"离婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	         "\"33010619900101123X\",\"name\":\"张三\"}}",
	         400);
	assert_string_equal(test_str(j, "field"), "face.former_spouse_name");
	json_decref(j);
	j = call(&mz_approver, "POST", "/api/v1/certificates",
	         "{\"type\":\"不存在的证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	         "\"33010619900101123X\",\"name\":\"张三\"}}",
	         400);
	assert_string_equal(test_str(j, "field"), "type");
	json_decref(j);
	j = call(&mz_approver, "POST", "/api/v1/certificates",
	         "{\"type\":\"离婚证\",\"department\":\"" MZ "\",\"holder\":{\"code\":"
	         "\"33010619900101123X\",\"name\":\"张三\"},\"face\":{\"former_spouse_name\":"
	         "\"某\"},\"valid_from\":\"2020-01-01\",\"valid_to\":\"2021-01-01\"}",
	         201);
	char old[TB_CERTID_MAX];
	snprintf(old, sizeof(old), "%s", test_str(j, "identifier"));
	json_decref(j);
	j = call(NULL, "GET", url("/api/v1/certificates/", old, "/verify"), NULL, 200);
	assert_string_equal(test_str(j, "status"), "expired");
	char old_key[32];
	snprintf(old_key, sizeof(old_key), "%s", test_str(j, "key_id"));
	json_decref(j);

	/* Rotation: only an administrator; the old key retires, its
	 * signatures stay good, new certificates use the new key. */
	json_decref(call(&mz_approver, "POST", "/api/v1/departments/" MZ_ID "/keys", NULL, 403));
	j = call(&admin, "POST", "/api/v1/departments/" MZ_ID "/keys", NULL, 201);
	char new_key[32];
	snprintf(new_key, sizeof(new_key), "%s", test_str(j, "key_id"));
	assert_string_not_equal(new_key, old_key);
	json_decref(j);
	j = call(NULL, "GET", url("/api/v1/keys/", old_key, ""), NULL, 200);
	assert_true(json_is_integer(json_object_get(j, "retired_at")));
	json_decref(j);
	j = call(NULL, "GET", url("/api/v1/certificates/", old, "/verify"), NULL, 200);
	assert_string_equal(test_str(j, "status"), "expired"); /* signature still good */
	json_decref(j);
	json_t *made = call(&mz_approver, "POST", "/api/v1/certificates",
	                    "{\"type\":\"结婚证\",\"department\":\"" MZ "\",\"holder\":{"
	                    "\"code\":\"330102199203154022\",\"name\":\"王五\"},\"face\":{"
	                    "\"spouse_name\":\"赵六\"}}",
	                    201);
	j = call(NULL, "GET", url("/api/v1/certificates/", test_str(made, "identifier"), "/verify"),
	         NULL, 200);
	json_decref(made);
	assert_string_equal(test_str(j, "status"), "valid");
	assert_string_equal(test_str(j, "key_id"), new_key);
	json_decref(j);
	json_decref(call(NULL, "GET", "/api/v1/keys/zz", NULL, 404));

	/* The department's register of what it issued: its staff see it,
	 * others do not; a holder narrows it. */
	j = call(&mz_reviewer, "GET", "/api/v1/certificates?department=" MZ_ID, NULL, 200);
	json_t *items = json_object_get(j, "items");
	assert_true(json_array_size(items) >= 3);
	bool expired_seen = false;
	size_t i;
	json_t *c;
	json_array_foreach(items, i, c)
	{
		assert_string_equal(test_str(json_object_get(c, "issuer"), "code"), MZ);
		expired_seen |= !strcmp(test_str(c, "status"), "expired");
	}
	assert_true(expired_seen);
	json_decref(j);
	j = call(&mz_reviewer, "GET",
	         "/api/v1/certificates?department=" MZ_ID "&holder=330102199203154022&limit=5",
	         NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	json_decref(call(&zhang, "GET", "/api/v1/certificates?department=" MZ_ID, NULL, 403));
	json_decref(call(&mz_reviewer, "GET", "/api/v1/certificates", NULL, 400));
	json_decref(call(&mz_reviewer, "GET", "/api/v1/certificates?department=" MZ_ID "&limit=0",
	                 NULL, 400));
	json_decref(call(&admin, "POST", "/api/v1/departments/999/keys", NULL, 404));

	/* Private keys: files of mode 0600 in a 0700 folder. */
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/keys/%s.pem", srv.data, new_key);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(p, sizeof(p), "%s/keys", srv.data);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(demo_certificates),
	    cmocka_unit_test(end_to_end),
	    cmocka_unit_test(issue_and_rotate),
	};
	int failed = cmocka_run_group_tests_name("certs/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("certs/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
