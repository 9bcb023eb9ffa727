/* Material uploads over HTTP against the real binary with --demo, on
 * SQLite and PostgreSQL: a streamed multipart upload lands in the blob
 * store under its SM3 and in the case and the library; a renamed
 * executable, an oversized file, a path in the file name, a truncated
 * body and an unknown material are refused, with nothing left behind. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include "base/crypto.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM "11330106024892795E4010010201000"

static struct test_srv srv;
static struct test_session zhang, li;
static char case_no[64];

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	struct http_resp *r = ud;
	size_t k = size * n;
	r->body = realloc(r->body, r->len + k + 1);
	memcpy(r->body + r->len, p, k);
	r->len += k;
	r->body[r->len] = '\0';
	return k;
}

/* POSTs material + file (data, n bytes, named filename) as s. */
static long upload(const struct test_session *s, const char *material, const char *filename,
                   const void *data, size_t n, json_t **out)
{
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/cases/%s/materials", srv.port,
	         case_no);
	curl_mime *mime = curl_mime_init(c);
	if (material) {
		curl_mimepart *p = curl_mime_addpart(mime);
		curl_mime_name(p, "material");
		curl_mime_data(p, material, CURL_ZERO_TERMINATED);
	}
	if (data) {
		curl_mimepart *p = curl_mime_addpart(mime);
		curl_mime_name(p, "file");
		curl_mime_filename(p, filename);
		curl_mime_data(p, data, n);
	}
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, s->cookie);
	h = curl_slist_append(h, s->csrf);
	struct http_resp r = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	long status = -1;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (out)
		*out = r.body ? json_loads(r.body, 0, NULL) : NULL;
	free(r.body);
	curl_slist_free_all(h);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	return status;
}

static int tmp_files(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/blobs/tmp", srv.data);
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static int start(const char *url)
{
	srv_start(&srv, url, "--demo", NULL);
	if (test_login(&srv, "33010619900101123X", "tongban-demo", &zhang) != 200 ||
	    test_login(&srv, "330106198505052313", "tongban-demo", &li) != 200)
		return -1;
	struct http_resp r;
	test_call(&srv, &zhang, "POST", "/api/v1/cases", "{\"item\":\"" ITEM "\"}", &r);
	json_t *j = json_loads(r.body, 0, NULL);
	snprintf(case_no, sizeof(case_no), "%s", json_string_value(json_object_get(j, "case_no")));
	json_decref(j);
	http_free(&r);
	return case_no[0] ? 0 : -1;
}

static int start_sqlite(void **state)
{
	(void)state;
	return start(test_sqlite_fresh());
}

static int start_pg(void **state)
{
	(void)state;
	return start(test_pg_fresh("materials"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

static void uploads(void **state)
{
	(void)state;
	json_t *j;
	assert_int_equal(upload(&zhang, "经营者居民身份证", "id.pdf", pdf, sizeof(pdf) - 1, &j),
	                 201);
	const char *sm3 = json_string_value(json_object_get(j, "sm3"));
	assert_int_equal(strlen(sm3), 64);
	char want[TB_SM3_HEX];
	tb_sm3_hex(pdf, sizeof(pdf) - 1, want);
	assert_string_equal(sm3, want);
	assert_string_equal(json_string_value(json_object_get(j, "mime")), "application/pdf");
	json_decref(j);
	/* The case lists it as an upload; the library holds it. */
	struct http_resp r;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", case_no);
	test_call(&srv, &zhang, "GET", path, NULL, &r);
	assert_non_null(strstr(r.body, want));
	http_free(&r);
	test_call(&srv, &zhang, "GET", "/api/v1/me/materials", NULL, &r);
	assert_non_null(strstr(r.body, want));
	http_free(&r);
	/* The same file again: stored once. */
	assert_int_equal(upload(&zhang, "经营场所使用相关证明", "b.pdf", pdf, sizeof(pdf) - 1, &j),
	                 201);
	assert_true(json_is_true(json_object_get(j, "stored_before")));
	json_decref(j);

	/* Refusals. */
	static const unsigned char elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0,    0, 0, 0,
	                                    0,    0,   0,   0,   0, 2, 0, 0x3e, 0, 1, 0,
	                                    0,    0,   0,   0,   0, 0, 0, 0,    0, 0};
	assert_int_equal(upload(&zhang, "经营者居民身份证", "virus.pdf", elf, sizeof(elf), NULL),
	                 415);
	assert_int_equal(
	    upload(&zhang, "经营者居民身份证", "../../etc/x.pdf", pdf, sizeof(pdf) - 1, NULL), 400);
	assert_int_equal(upload(&zhang, "不存在的材料", "a.pdf", pdf, sizeof(pdf) - 1, NULL), 400);
	assert_int_equal(upload(&zhang, NULL, "a.pdf", pdf, sizeof(pdf) - 1, NULL), 400);
	assert_int_equal(upload(&zhang, "经营者居民身份证", NULL, NULL, 0, NULL), 400);
	assert_int_equal(upload(&li, "经营者居民身份证", "a.pdf", pdf, sizeof(pdf) - 1, NULL), 404);
	size_t big = (21u << 20);
	char *blob = calloc(1, big);
	memcpy(blob, pdf, sizeof(pdf) - 1);
	long st = upload(&zhang, "经营者居民身份证", "big.pdf", blob, big, NULL);
	assert_true(st == 413 || st == -1); /* refused; the connection may close early */
	free(blob);
	/* A truncated multipart body. */
	char body[512];
	int n =
	    snprintf(body, sizeof(body),
	             "--XyZ\r\nContent-Disposition: form-data; name=\"material\"\r\n\r\n"
	             "经营者居民身份证\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\";"
	             " filename=\"a.pdf\"\r\n\r\n%%PDF-1.4 trunc");
	const char *h[] = {"Content-Type: multipart/form-data; boundary=XyZ", zhang.cookie,
	                   zhang.csrf, NULL};
	snprintf(path, sizeof(path), "/api/v1/cases/%s/materials", case_no);
	http_req(&srv, "POST", path, h, body, (size_t)n, &r);
	assert_true(r.status == 400 || r.status == 415);
	http_free(&r);
	assert_int_equal(tmp_files(), 0);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {cmocka_unit_test(uploads)};
	int failed = cmocka_run_group_tests_name("materials/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("materials/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
