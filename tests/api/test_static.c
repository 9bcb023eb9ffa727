/* The page files over HTTP against the real binary (issue #13 item 9): each
 * has an ETag, and a request whose If-None-Match names it gets 304 with no
 * body; text goes out gzip-compressed when Accept-Encoding allows it (not
 * when it refuses it with q=0), and inflates to exactly the bytes of the
 * file in web/ (the tests run from the repository root); the compressed
 * and the plain forms have ETags of their own and say Vary:
 * Accept-Encoding; pages are revalidated each time (no-cache), their
 * scripts and styles kept for 5 minutes. On SQLite and on PostgreSQL
 * (the files do not touch the store, but a server runs on each). */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static struct test_srv srv;

static int start(const char *db)
{
	srv_start(&srv, db, "--demo", NULL);
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
	return start(test_pg_fresh("static"));
}

static int stop(void **state)
{
	(void)state;
	return srv_stop(&srv) == 0 ? 0 : -1;
}

/* The whole of path (relative to the repository root), malloc'd. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)len + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return data;
}

/* The gunzipped form of n bytes at data, malloc'd (*out_len); fails the
 * test when they are not one complete gzip stream. */
static char *gunzip(const char *data, size_t n, size_t *out_len)
{
	z_stream z = {0};
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	size_t cap = n * 20 + 1024;
	char *out = malloc(cap);
	assert_non_null(out);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

static void get(const char *path, const char *h1, const char *h2, struct http_resp *r)
{
	const char *hdrs[] = {h1, h2, NULL};
	http_req(&srv, "GET", path, hdrs, NULL, 0, r);
}

/* The value of header name in r, or "" when it has none. */
static const char *header(const struct http_resp *r, const char *name, char *buf, size_t size)
{
	const char *v = http_header(r, name, buf, size);
	return v ? v : "";
}

static void gzip_and_etag(const char *url, const char *file, const char *cache)
{
	size_t flen, glen;
	char *want = slurp(file, &flen);
	char etag[128], gz_etag[128], buf[256], inm[300];

	/* Plain: the file's bytes, an ETag, and no encoding. */
	struct http_resp plain, gz, r;
	get(url, NULL, NULL, &plain);
	assert_int_equal(plain.status, 200);
	assert_int_equal(plain.len, flen);
	assert_memory_equal(plain.body, want, flen);
	assert_string_equal(header(&plain, "Content-Encoding", buf, sizeof(buf)), "");
	assert_string_equal(header(&plain, "Cache-Control", buf, sizeof(buf)), cache);
	assert_string_equal(header(&plain, "Vary", buf, sizeof(buf)), "Accept-Encoding");
	snprintf(etag, sizeof(etag), "%s", header(&plain, "ETag", buf, sizeof(buf)));
	assert_true(strlen(etag) > 2 && etag[0] == '"' && etag[strlen(etag) - 1] == '"');

	/* gzip when the client takes it: smaller, the same bytes inflated,
	 * an ETag of its own. */
	get(url, "Accept-Encoding: gzip, deflate, br", NULL, &gz);
	assert_int_equal(gz.status, 200);
	assert_string_equal(header(&gz, "Content-Encoding", buf, sizeof(buf)), "gzip");
	assert_string_equal(header(&gz, "Vary", buf, sizeof(buf)), "Accept-Encoding");
	assert_string_equal(header(&gz, "Cache-Control", buf, sizeof(buf)), cache);
	assert_true(gz.len < flen);
	char *inflated = gunzip(gz.body, gz.len, &glen);
	assert_int_equal(glen, flen);
	assert_memory_equal(inflated, want, flen);
	free(inflated);
	snprintf(gz_etag, sizeof(gz_etag), "%s", header(&gz, "ETag", buf, sizeof(buf)));
	assert_true(strlen(gz_etag) > 2);
	assert_string_not_equal(gz_etag, etag);

	/* "*" takes gzip too; q=0 refuses it, and so does naming another. */
	static const char *const plain_ae[] = {
	    "Accept-Encoding: gzip;q=0", "Accept-Encoding: identity",
	    "Accept-Encoding: br, gzip; q=0.0", "Accept-Encoding: gzipx"};
	for (size_t i = 0; i < sizeof(plain_ae) / sizeof(plain_ae[0]); i++) {
		get(url, plain_ae[i], NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(header(&r, "Content-Encoding", buf, sizeof(buf)), "");
		assert_int_equal(r.len, flen);
		http_free(&r);
	}
	get(url, "Accept-Encoding: br;q=1, *;q=0.5", NULL, &r);
	assert_string_equal(header(&r, "Content-Encoding", buf, sizeof(buf)), "gzip");
	assert_int_equal(r.len, gz.len);
	http_free(&r);

	/* If-None-Match naming the representation's ETag: 304, no body, the
	 * ETag again; in a list or weak too. */
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	get(url, inm, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	assert_string_equal(header(&r, "ETag", buf, sizeof(buf)), etag);
	http_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: \"0000\", W/%s", gz_etag);
	get(url, inm, "Accept-Encoding: gzip", &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	assert_string_equal(header(&r, "ETag", buf, sizeof(buf)), gz_etag);
	http_free(&r);
	/* Another ETag, or the other representation's: the file again. */
	get(url, "If-None-Match: \"0000000000000000\"", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, flen);
	http_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", gz_etag);
	get(url, inm, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, flen);
	http_free(&r);

	http_free(&plain);
	http_free(&gz);
	free(want);
}

static void script_gzip_and_etag(void **state)
{
	(void)state;
	gzip_and_etag("/ui.js", "web/ui.js", "max-age=300");
}

static void page_gzip_and_etag(void **state)
{
	(void)state;
	gzip_and_etag("/", "web/index.html", "no-cache");
	gzip_and_etag("/workbench/", "web/workbench/index.html", "no-cache");
}

/* Two different files have different ETags; the same file the same one
 * on every request. */
static void etags_follow_content(void **state)
{
	(void)state;
	struct http_resp a, b, c;
	char ea[128], eb[128], ec[128];
	http_get(&srv, "/ui.js", &a);
	http_get(&srv, "/style.css", &b);
	http_get(&srv, "/ui.js", &c);
	assert_string_not_equal(header(&a, "ETag", ea, sizeof(ea)),
	                        header(&b, "ETag", eb, sizeof(eb)));
	assert_string_equal(ea, header(&c, "ETag", ec, sizeof(ec)));
	http_free(&a);
	http_free(&b);
	http_free(&c);
	/* API answers are not page files: no ETag, never stored. */
	http_get(&srv, "/api/v1/regions/330106", &a);
	assert_int_equal(a.status, 200);
	assert_null(http_header(&a, "ETag", ea, sizeof(ea)));
	assert_string_equal(header(&a, "Cache-Control", ea, sizeof(ea)), "no-store");
	http_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(script_gzip_and_etag),
	    cmocka_unit_test(page_gzip_and_etag),
	    cmocka_unit_test(etags_follow_content),
	};
	int failed = cmocka_run_group_tests_name("static/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("static/postgresql", tests, start_pg, stop);
	return failed ? 1 : 0;
}
