/* Material uploads over HTTP against the real binary with --demo, on
 * SQLite and PostgreSQL: a streamed multipart upload lands in the blob
 * store under its SM3 and in the case and the library; a renamed
 * executable, an oversized file, a path in the file name, a truncated
 * body and an unknown material are refused, with nothing left behind; the
 * library keeps files with their kind and validity, serves and deletes
 * them, and gives them to later items that need the same kind. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/crypto.h"
#include <curl/curl.h>
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM "11330106024892795E4010010201000"

static struct test_srv srv;
static struct test_session zhang, li;
static char case_no[64];

/* POSTs material + file (data, n bytes, named filename) + valid_until
 * (NULL: none) as s to case no; *out (may be NULL) gets the answer. */
static long upload_to(const struct test_session *s, const char *no, const char *material,
                      const char *filename, const void *data, size_t n, const char *valid_until,
                      json_t **out)
{
	char *body = NULL;
	long status = test_upload(&srv, s, no, material, filename, data, n, valid_until, &body);
	if (out)
		*out = json_loads(body, 0, NULL);
	free(body);
	return status;
}

static long upload(const struct test_session *s, const char *material, const char *filename,
                   const void *data, size_t n, json_t **out)
{
	return upload_to(s, case_no, material, filename, data, n, NULL, out);
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

static int nfiles;

static int count_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	nfiles += type == FTW_F;
	return 0;
}

/* Files anywhere in the blob store (stored blobs and temporary ones). */
static int blob_files(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/blobs", srv.data);
	nfiles = 0;
	assert_int_equal(nftw(dir, count_file, 16, FTW_PHYS), 0);
	return nfiles;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	char **dst = ud;
	size_t k = size * n, have = *dst ? strlen(*dst) : 0;
	*dst = realloc(*dst, have + k + 1);
	memcpy(*dst + have, p, k);
	(*dst)[have + k] = '\0';
	return k;
}

/* An upload of n bytes of data as the material "经营者居民身份证" by zhang,
 * with a Content-Length or (chunked) without one. *rc gets curl's result,
 * *body the answer (malloc'd, "" when none); returns the status, 0 when
 * no answer came. */
static long big_upload(const void *data, size_t n, bool chunked, CURLcode *rc, char **body)
{
	CURL *c = curl_easy_init();
	char url[512];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/cases/%s/materials", srv.port,
	         case_no);
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *p = curl_mime_addpart(mime);
	curl_mime_name(p, "material");
	curl_mime_data(p, "经营者居民身份证", CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(mime);
	curl_mime_name(p, "file");
	curl_mime_filename(p, "big.pdf");
	curl_mime_data(p, data, n);
	struct curl_slist *h = curl_slist_append(NULL, zhang.cookie);
	h = curl_slist_append(h, zhang.csrf);
	if (chunked)
		h = curl_slist_append(h, "Transfer-Encoding: chunked");
	*body = NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	long status = 0;
	*rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (!*body)
		*body = strdup("");
	curl_slist_free_all(h);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	return status;
}

/* A file over the 20 MiB limit is refused with 413 naming the field
 * "file". Without a Content-Length the server learns the size only while
 * reading, answers 413 and closes the connection at once rather than read
 * the rest: the client may then see the connection reset while it still
 * sends (and not the answer). That, and only that, is taken for the
 * refusal, and only when the server is still up and kept nothing. */
static void over_limit(bool chunked)
{
	json_t *before = test_expect(&srv, &zhang, "GET", "/api/v1/me/materials", NULL, 200);
	int files = blob_files();
	size_t big = (21u << 20);
	char *blob = calloc(1, big);
	memcpy(blob, test_pdf, test_pdf_len);
	CURLcode rc;
	char *body;
	long st = big_upload(blob, big, chunked, &rc, &body);
	free(blob);
	if (rc == CURLE_OK || st == 413) {
		if (st != 413)
			fail_msg("%s upload over the limit: %ld %s", chunked ? "chunked" : "sized",
			         st, body);
		json_t *j = json_loads(body, 0, NULL);
		if (!j || !json_is_string(json_object_get(j, "error")))
			fail_msg("413 without a JSON error: %s", body);
		assert_string_equal(json_string_value(json_object_get(j, "field")), "file");
		json_decref(j);
	} else if (!chunked || (st != 0 && st != 100) ||
	           (rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR)) {
		/* st 100: the server had said "go on" (Expect: 100-continue). */
		fail_msg("%s upload over the limit: %ld, %s: not a refusal",
		         chunked ? "chunked" : "sized", st, curl_easy_strerror(rc));
	}
	free(body);
	/* Still up; nothing kept: no file, no library entry. */
	json_decref(test_expect(&srv, NULL, "GET", "/healthz", NULL, 200));
	assert_int_equal(blob_files(), files);
	assert_int_equal(tmp_files(), 0);
	json_t *after = test_expect(&srv, &zhang, "GET", "/api/v1/me/materials", NULL, 200);
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}

static int start(const char *url)
{
	srv_start(&srv, url, "--demo", NULL);
	if (test_login(&srv, "33010619900101123X", "tongban-demo", &zhang) != 200 ||
	    test_login(&srv, "330106198505052313", "tongban-demo", &li) != 200)
		return -1;
	struct http_resp r;
	test_call(&srv, &zhang, "POST", "/api/v1/cases",
	          "{\"item\":\"" ITEM "\",\"form\":" TEST_SHOP_FORM "}", &r);
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
	/* The same file again: the same hash (stored once, see test_blobs),
	 * and no word of whether it was there before (test_verify). */
	assert_int_equal(upload(&zhang, "经营场所使用相关证明", "b.pdf", pdf, sizeof(pdf) - 1, &j),
	                 201);
	assert_string_equal(json_string_value(json_object_get(j, "sm3")), want);
	assert_null(json_object_get(j, "stored_before"));
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
	over_limit(false);
	over_limit(true);
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

static json_t *call(const struct test_session *s, const char *method, const char *path,
                    const char *body, long want)
{
	return test_expect(&srv, s, method, path, body, want);
}

/* The source of material name in case no, as s sees it. */
static char *source_of(const struct test_session *s, const char *no, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/cases/%s", no);
	json_t *j = call(s, "GET", path, NULL, 200);
	size_t i;
	json_t *m;
	char *out = NULL;
	json_array_foreach(json_object_get(j, "materials"), i,
	                   m) if (!strcmp(json_string_value(json_object_get(m, "name")), name))
	    out = strdup(json_string_value(json_object_get(m, "source")));
	json_decref(j);
	return out;
}

static char *new_case(const struct test_session *s, const char *item, const char *materials)
{
	char body[1024];
	snprintf(body, sizeof(body), "{\"item\":\"%s\",\"materials\":%s}", item,
	         materials ? materials : "[]");
	struct http_resp r;
	test_call(&srv, s, "POST", "/api/v1/cases", body, &r);
	json_t *j = json_loads(r.body, 0, NULL);
	if (r.status == 409) {
		/* One draft per applicant and item: the one there (the demo's, or
		 * an earlier one of this test) is given up first. */
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/cases/%s/events",
		         json_string_value(json_object_get(j, "case_no")));
		json_decref(call(s, "POST", path, "{\"event\":\"withdraw\"}", 200));
		json_decref(j);
		j = call(s, "POST", "/api/v1/cases", body, 201);
	} else {
		assert_int_equal(r.status, 201);
	}
	http_free(&r);
	char *no = strdup(json_string_value(json_object_get(j, "case_no")));
	json_decref(j);
	return no;
}

/* The library: validity dates, download, delete; a later item that needs
 * the same kind (an identity card) takes it from the library, until it is
 * deleted; claims of certificates and library files are checked. */
static void library(void **state)
{
	(void)state;
	/* A file with a validity date in 王五's library. */
	struct test_session wang;
	assert_int_equal(test_login(&srv, "330102199203154022", "tongban-demo", &wang), 200);
	char *no = new_case(&wang, ITEM, NULL);
	assert_int_equal(upload_to(&wang, no, "经营者居民身份证", "id.pdf", pdf, sizeof(pdf) - 1,
	                           "2020-01-01", NULL),
	                 400); /* a validity date in the past */
	json_t *j;
	assert_int_equal(upload_to(&wang, no, "经营者居民身份证", "id.pdf", pdf, sizeof(pdf) - 1,
	                           "2099-12-31", &j),
	                 201);
	json_decref(j);
	j = call(&wang, "GET", "/api/v1/me/materials", NULL, 200);
	json_t *entry = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(entry, "valid_until")), "2099-12-31");
	assert_string_equal(json_string_value(json_object_get(entry, "kind")), "居民身份证");
	long long id = json_integer_value(json_object_get(entry, "id"));
	json_decref(j);

	/* Download: the same bytes, only for the owner. */
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/me/materials/%lld/file", id);
	struct http_resp r;
	test_call(&srv, &wang, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(pdf) - 1);
	assert_memory_equal(r.body, pdf, sizeof(pdf) - 1);
	http_free(&r);
	json_decref(call(&zhang, "GET", path, NULL, 404));
	json_decref(call(&wang, "GET", "/api/v1/me/materials/x/file", NULL, 404));

	/* 食品经营许可 needs an identity card too: it comes from the library. */
	const char *food = "11330106024892795E4010020301001";
	char *second = new_case(&wang, food, NULL);
	char *src = source_of(&wang, second, "法定代表人（负责人、经营者）居民身份证");
	assert_string_equal(src, "library");
	free(src);

	/* Claims are checked: a certificate the applicant does not hold, a
	 * file not in their library, a sharing result they made up. */
	j = call(&wang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ITEM "\",\"materials\":[{\"name\":\"经营者居民身份证\","
	         "\"source\":\"certificate\",\"ref\":\"1.2.3\"}]}",
	         400);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "materials[0].ref");
	json_decref(j);
	j = call(&wang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ITEM "\",\"materials\":[{\"name\":\"经营者居民身份证\","
	         "\"source\":\"library\",\"ref\":\"00\"}]}",
	         400);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "materials[0].ref");
	json_decref(j);
	j = call(&wang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ITEM "\",\"materials\":[{\"name\":\"经营者居民身份证\","
	         "\"source\":\"sharing\"}]}",
	         400);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "materials[0].source");
	json_decref(j);
	/* A file of another person's library (张三's alone), and papers in
	 * hand on an online case. */
	static const char mine[] = "%PDF-1.4\n% 张三 only\n%%EOF\n";
	assert_int_equal(upload(&zhang, "经营者居民身份证", "z.pdf", mine, sizeof(mine) - 1, &j),
	                 201);
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"item\":\"" ITEM "\",\"materials\":[{\"name\":\"经营者居民身份证\","
	         "\"source\":\"library\",\"ref\":\"%s\"}]}",
	         json_string_value(json_object_get(j, "sm3")));
	json_decref(j);
	j = call(&wang, "POST", "/api/v1/cases", body, 400);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "materials[0].ref");
	json_decref(j);
	j = call(&wang, "POST", "/api/v1/cases",
	         "{\"item\":\"" ITEM "\",\"materials\":[{\"name\":\"经营者居民身份证\","
	         "\"source\":\"window\"}]}",
	         400);
	assert_string_equal(json_string_value(json_object_get(j, "field")), "materials[0].source");
	json_decref(j);

	/* Deleted: gone from the library and from reuse; others cannot. */
	snprintf(path, sizeof(path), "/api/v1/me/materials/%lld", id);
	json_decref(call(&zhang, "DELETE", path, NULL, 404));
	json_decref(call(&wang, "DELETE", path, NULL, 200));
	json_decref(call(&wang, "DELETE", path, NULL, 404));
	/* The demo gave 王五 identity cards too: delete every one. */
	j = call(&wang, "GET", "/api/v1/me/materials", NULL, 200);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "items"), i, e)
	{
		if (json_string_value(json_object_get(e, "kind")) &&
		    !strcmp(json_string_value(json_object_get(e, "kind")), "居民身份证")) {
			snprintf(path, sizeof(path), "/api/v1/me/materials/%lld",
			         (long long)json_integer_value(json_object_get(e, "id")));
			json_decref(call(&wang, "DELETE", path, NULL, 200));
		}
	}
	json_decref(j);
	j = call(&wang, "GET", "/api/v1/me/materials", NULL, 200);
	json_array_foreach(json_object_get(j, "items"), i, e)
	{
		const char *kind = json_string_value(json_object_get(e, "kind"));
		assert_true(!kind || strcmp(kind, "居民身份证") != 0);
	}
	json_decref(j);
	char *third = new_case(&wang, food, NULL);
	src = source_of(&wang, third, "法定代表人（负责人、经营者）居民身份证");
	assert_string_equal(src, "missing");
	free(src);
	/* The case it was given for keeps it. */
	src = source_of(&wang, no, "经营者居民身份证");
	assert_string_equal(src, "upload");
	free(src);
	free(no);
	free(second);
	free(third);
}

int main(void)
{
	setenv("TB_PWHASH_MEM_KIB", "8192", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	const struct CMUnitTest tests[] = {cmocka_unit_test(uploads), cmocka_unit_test(library)};
	int failed = cmocka_run_group_tests_name("materials/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed +=
		    cmocka_run_group_tests_name("materials/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
