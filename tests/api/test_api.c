/* API tests: the real binary on a free loopback port, over HTTP, once on
 * SQLite and once on PostgreSQL. Covers every endpoint of the foundation,
 * the security headers, and each kind of bad input (malformed JSON,
 * oversized bodies and headers, unknown parameters, non-UTF-8 text, path
 * traversal, codes of the wrong length or alphabet), then checks that the
 * store was left untouched and that SIGTERM stops the server cleanly: a
 * request that arrives while the node stops is answered 503 in JSON with
 * Connection: close, and one in flight is finished first. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static struct test_srv srv;
static const char *db_url;

static json_t *get_json(const char *path, long want_status)
{
	struct http_resp r;
	http_get(&srv, path, &r);
	if (r.status != want_status)
		fail_msg("GET %s: status %ld, want %ld; body %s", path, r.status, want_status,
		         r.body);
	char ct[128];
	assert_non_null(http_header(&r, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "application/json"));
	json_error_t err;
	json_t *j = json_loads(r.body, 0, &err);
	if (!j)
		fail_msg("GET %s: not JSON: %s", path, r.body);
	http_free(&r);
	return j;
}

/* Asserts a JSON error body naming field (when not NULL). */
static void expect_error(json_t *j, const char *field)
{
	assert_true(json_is_string(json_object_get(j, "error")));
	assert_true(json_is_string(json_object_get(j, "request_id")));
	if (field)
		assert_string_equal(json_string_value(json_object_get(j, "field")), field);
	json_decref(j);
}

static const char *str(json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	if (!v)
		fail_msg("no string member %s", key);
	return v;
}

static void health_and_pages(void **state)
{
	(void)state;
	json_t *j = get_json("/healthz", 200);
	assert_string_equal(str(j, "status"), "ok");
	assert_string_equal(str(j, "store"),
	                    strncmp(db_url, "postgres", 8) == 0 ? "postgresql" : "sqlite");
	json_decref(j);

	struct http_resp r;
	http_get(&srv, "/", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "通办"));
	assert_non_null(strstr(r.body, "/api/v1/openapi.yaml"));
	char h[512];
	assert_non_null(http_header(&r, "Content-Security-Policy", h, sizeof(h)));
	assert_non_null(strstr(h, "frame-ancestors 'none'"));
	assert_non_null(strstr(h, "default-src 'none'"));
	assert_string_equal(http_header(&r, "X-Content-Type-Options", h, sizeof(h)), "nosniff");
	assert_string_equal(http_header(&r, "Referrer-Policy", h, sizeof(h)), "no-referrer");
	assert_non_null(http_header(&r, "X-Request-Id", h, sizeof(h)));
	http_free(&r);

	http_get(&srv, "/api/v1/openapi.yaml", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "openapi: 3"));
	assert_non_null(strstr(r.body, "/api/v1/regions/{code}"));
	http_free(&r);

	http_req(&srv, "HEAD", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	http_free(&r);

	http_get(&srv, "/metrics", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body,
	                       "tongban_http_requests_total{method=\"GET\",route=\"/healthz\","
	                       "status=\"200\"}"));
	assert_non_null(
	    strstr(r.body, "tongban_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
	assert_non_null(strstr(r.body, "tongban_store_connections{state=\"open\"}"));
	http_free(&r);

	/* The bench-only handler is off unless --bench. */
	expect_error(get_json("/_bench/trivial", 404), "path");
}

static void regions(void **state)
{
	(void)state;
	json_t *j = get_json("/api/v1/regions/330106", 200);
	assert_string_equal(str(j, "name"), "西湖区");
	assert_string_equal(str(j, "level"), "county");
	assert_string_equal(str(j, "parent"), "330100");
	assert_string_equal(str(j, "full_name"), "浙江省杭州市西湖区");
	json_t *path = json_object_get(j, "path");
	assert_int_equal(json_array_size(path), 3);
	assert_string_equal(str(json_array_get(path, 0), "code"), "330000");
	json_decref(j);

	j = get_json("/api/v1/regions/110101", 200);
	assert_string_equal(str(j, "full_name"), "北京市东城区");
	assert_string_equal(str(j, "parent"), "110000");
	json_decref(j);

	j = get_json("/api/v1/regions?parent=110000", 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 16);
	assert_string_equal(str(json_array_get(json_object_get(j, "items"), 0), "name"), "东城区");
	json_decref(j);

	j = get_json("/api/v1/regions", 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 31);
	json_decref(j);

	expect_error(get_json("/api/v1/regions/999999", 404), "code");
	expect_error(get_json("/api/v1/regions/33a", 400), "code");
	expect_error(get_json("/api/v1/regions/3301060010", 400), "code");
	expect_error(get_json("/api/v1/regions?parent=999999", 404), "parent");
	expect_error(get_json("/api/v1/regions?parent=x", 400), "parent");
}

static void codes(void **state)
{
	(void)state;
	json_t *j = get_json("/api/v1/codes/check?code=33010619900101123x", 200);
	assert_true(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(str(j, "kind"), "resident-id");
	assert_string_equal(str(j, "code"), "33010619900101123X");
	json_t *d = json_object_get(j, "details");
	assert_string_equal(str(d, "birth"), "1990-01-01");
	assert_string_equal(str(d, "sex"), "male");
	assert_string_equal(str(d, "region_name"), "浙江省杭州市西湖区");
	json_decref(j);

	j = get_json("/api/v1/codes/check?code=330106199001011230", 200);
	assert_true(json_is_false(json_object_get(j, "valid")));
	assert_string_equal(str(j, "reason"), "check digit");
	json_decref(j);

	j = get_json("/api/v1/codes/check?code=91350100M000100Y43", 200);
	assert_true(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(str(j, "kind"), "credit-code");
	assert_string_equal(str(json_object_get(j, "details"), "registration_dept_name"),
	                    "市场监管");
	json_decref(j);

	/* Wrong length or alphabet: bad input. */
	expect_error(get_json("/api/v1/codes/check?code=3301061990", 400), "code");
	expect_error(get_json("/api/v1/codes/check?code=33010619900101123%3F", 400), "code");
	expect_error(get_json("/api/v1/codes/check?code=%E5%BC%A0%E4%B8%89", 400), "code");
	expect_error(get_json("/api/v1/codes/check", 400), "code");

	/* The batch form takes JSON. */
	static const char *json_hdr[] = {"Content-Type: application/json", NULL};
	static const char body[] = "{\"codes\":[\"33010619900101123X\",\"abc\"]}";
	struct http_resp r;
	http_req(&srv, "POST", "/api/v1/codes/check", json_hdr, body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	json_t *res = json_object_get(j, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_true(json_is_true(json_object_get(json_array_get(res, 0), "valid")));
	assert_string_equal(str(json_array_get(res, 1), "reason"), "length");
	json_decref(j);
	http_free(&r);
}

static void calendar(void **state)
{
	(void)state;
	json_t *j = get_json("/api/v1/calendar/add-workdays?from=2026-02-13&days=3", 200);
	assert_string_equal(str(j, "date"), "2026-02-25");
	assert_true(json_is_true(json_object_get(j, "calendar_covers")));
	json_decref(j);
	j = get_json("/api/v1/calendar/count-workdays?from=2026-02-13&to=2026-02-28", 200);
	/* 02-14 (make-up Saturday), 02-24, 02-25, 02-26, 02-27, 02-28 (make-up). */
	assert_int_equal(json_integer_value(json_object_get(j, "workdays")), 6);
	json_decref(j);
	j = get_json("/api/v1/calendar/days?year=2026", 200);
	assert_true(json_integer_value(json_object_get(j, "total")) >= 30);
	assert_true(json_is_true(json_object_get(j, "published")));
	json_decref(j);
	expect_error(get_json("/api/v1/calendar/add-workdays?from=2026-02-30&days=3", 400), "from");
	expect_error(get_json("/api/v1/calendar/add-workdays?from=2026-02-13&days=x", 400), "days");
	expect_error(get_json("/api/v1/calendar/add-workdays?days=3", 400), "from");
	expect_error(get_json("/api/v1/calendar/days?year=20x6", 400), "year");
}

static void bad_input(void **state)
{
	(void)state;
	/* Unknown route, wrong method. */
	expect_error(get_json("/api/v1/nothing-here", 404), "path");
	struct http_resp r;
	http_req(&srv, "DELETE", "/api/v1/regions/330106", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 405);
	char h[128];
	assert_string_equal(http_header(&r, "Allow", h, sizeof(h)), "GET");
	assert_non_null(strstr(r.body, "\"field\":\"method\""));
	http_free(&r);

	/* Unknown query parameter; non-UTF-8 in a value, a name and the path. */
	expect_error(get_json("/api/v1/regions/330106?verbose=1", 400), "verbose");
	expect_error(get_json("/api/v1/codes/check?code=%FF%FE", 400), "code");
	expect_error(get_json("/api/v1/regions?%C3%28=1", 400), "query");
	expect_error(get_json("/api/v1/regions/%FF", 400), "path");

	/* Path traversal and hidden files in static paths. */
	expect_error(get_json("/../etc/passwd", 400), "path");
	expect_error(get_json("/%2e%2e/%2e%2e/etc/passwd", 400), "path");
	expect_error(get_json("/.git/config", 400), "path");
	expect_error(get_json("/a//b", 400), "path");
	expect_error(get_json("/no-such-page.html", 404), "path");

	/* Malformed JSON, wrong type, unknown member, wrong content type. */
	static const char *json_hdr[] = {"Content-Type: application/json", NULL};
	static const struct {
		const char *body;
		long status;
		const char *field;
	} cases[] = {
	    {"{\"codes\": [", 400, "body"},
	    {"[1,2]", 400, "body"},
	    {"{\"codes\": \"33010619900101123X\"}", 400, "codes"},
	    {"{\"codes\": [42]}", 400, "codes[0]"},
	    {"{\"codes\": [\"a\"], \"extra\": 1}", 400, "extra"},
	    {"{}", 400, "codes"},
	    {"{\"codes\": [\"\xff\"]}", 400, "body"},
	    {"", 400, "body"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_req(&srv, "POST", "/api/v1/codes/check", json_hdr, cases[i].body,
		         strlen(cases[i].body), &r);
		if (r.status != cases[i].status)
			fail_msg("case %zu: status %ld body %s", i, r.status, r.body);
		expect_error(json_loads(r.body, 0, NULL), cases[i].field);
		http_free(&r);
	}
	static const char *text_hdr[] = {"Content-Type: text/plain", NULL};
	http_req(&srv, "POST", "/api/v1/codes/check", text_hdr, "{}", 2, &r);
	assert_int_equal(r.status, 415);
	expect_error(json_loads(r.body, 0, NULL), "Content-Type");
	http_free(&r);

	/* Oversized body: refused from its Content-Length, and when chunked. */
	size_t big = (1 << 20) + 10;
	char *blob = malloc(big);
	memset(blob, ' ', big);
	http_req(&srv, "POST", "/api/v1/codes/check", json_hdr, blob, big, &r);
	assert_int_equal(r.status, 413);
	expect_error(json_loads(r.body, 0, NULL), "body");
	http_free(&r);
	static const char *chunked[] = {"Content-Type: application/json",
	                                "Transfer-Encoding: chunked", NULL};
	http_req(&srv, "POST", "/api/v1/codes/check", chunked, blob, big, &r);
	assert_int_equal(r.status, 413);
	http_free(&r);
	free(blob);

	/* Oversized headers. */
	char *hdr = malloc(20000);
	memcpy(hdr, "X-Big: ", 7);
	memset(hdr + 7, 'a', 20000 - 8);
	hdr[20000 - 1] = '\0';
	const char *hdrs[] = {hdr, NULL};
	http_req(&srv, "GET", "/healthz", hdrs, NULL, 0, &r);
	assert_int_equal(r.status, 431);
	expect_error(json_loads(r.body, 0, NULL), "headers");
	http_free(&r);
	free(hdr);

	/* The server still answers. */
	json_decref(get_json("/healthz", 200));
}

/* The store is as the first start left it: nothing written by bad input. */
static void store_untouched(void)
{
	struct tb_store *s;
	struct tb_fail f = {0};
	assert_int_equal(tb_store_open(db_url, 1, &s, &f), TB_OK);
	struct tb_conn *c;
	assert_int_equal(tb_store_acquire(s, &c), TB_OK);
	static const char *const counts[] = {
	    "SELECT COUNT(*) FROM regions WHERE retired = 0",
	    "SELECT COUNT(*) FROM calendar_days",
	    "SELECT COUNT(*) FROM meta",
	};
	static const long want[] = {44700, 39, 0};
	for (int i = 0; i < 3; i++) {
		struct tb_stmt *st;
		bool row;
		assert_int_equal(tb_conn_query(c, &st, &row, counts[i], ""), TB_OK);
		assert_int_equal(tb_stmt_int(st, 0), want[i]);
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	tb_store_close(s);
}

/* A connection to srv with a 20 s timeout, or -1. */
static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	struct timeval tv = {20, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads fd's answer until the server closes it into buf (NUL-ended). */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;
	while (len + 1 < size && (r = recv(fd, buf + len, size - len - 1, 0)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
}

/* SIGTERM while a request is in flight (its body half sent): a new
 * request gets 503 with a JSON reason and Connection: close (haproxy and
 * clients go to another node), the one in flight is still answered, and
 * the server then exits 0. libmicrohttpd's own quiesce is not used: it
 * races its epoll workers and aborts the process now and then. */
static void stopping_node(void **state)
{
	(void)state;
	srv_start(&srv, test_sqlite_fresh(), NULL);
	int slow = dial();
	assert_true(slow >= 0);
	const char *head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\n"
	                   "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"login\"";
	assert_int_equal(send(slow, head, strlen(head), MSG_NOSIGNAL), (ssize_t)strlen(head));
	nanosleep(&(struct timespec){.tv_nsec = 300000000}, NULL);
	kill(srv.pid, SIGTERM);
	nanosleep(&(struct timespec){.tv_nsec = 300000000}, NULL);

	struct http_resp r;
	http_get(&srv, "/healthz", &r);
	assert_int_equal(r.status, 503);
	json_t *j = json_loadb(r.body, r.len, 0, NULL);
	assert_non_null(j);
	expect_error(j, "service");
	char v[64];
	assert_non_null(http_header(&r, "Connection", v, sizeof(v)));
	assert_string_equal(v, "close");
	http_free(&r);

	/* The rest of the body: 40 bytes in all, still a malformed sign-in. */
	const char *rest = ":\"x\",\"password\":\"yyyyyyyyyy\"}   ";
	assert_int_equal(strlen("{\"login\"") + strlen(rest), 40);
	assert_int_equal(send(slow, rest, strlen(rest), MSG_NOSIGNAL), (ssize_t)strlen(rest));
	char answer[4096];
	read_all(slow, answer, sizeof(answer));
	close(slow);
	assert_true(strncmp(answer, "HTTP/1.1 4", 10) == 0); /* answered, not cut */
	assert_non_null(strstr(answer, "Connection: close"));
	assert_int_equal(srv_stop(&srv), 0);
}

static int start_sqlite(void **state)
{
	(void)state;
	db_url = test_sqlite_fresh();
	srv_start(&srv, db_url, NULL);
	return 0;
}

static int start_pg(void **state)
{
	(void)state;
	db_url = test_pg_fresh("api");
	srv_start(&srv, db_url, NULL);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	int rc = srv_stop(&srv);
	if (rc != 0) {
		fprintf(stderr, "server exit status %d (see %s/server.log)\n", rc, srv.data);
		return -1;
	}
	store_untouched();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(health_and_pages),
	    cmocka_unit_test(regions),
	    cmocka_unit_test(codes),
	    cmocka_unit_test(calendar),
	    cmocka_unit_test(bad_input),
	};
	int failed = cmocka_run_group_tests_name("api/sqlite", tests, start_sqlite, stop);
	if (test_pg_base_url())
		failed += cmocka_run_group_tests_name("api/postgresql", tests, start_pg, stop);
	const struct CMUnitTest stopping[] = {cmocka_unit_test(stopping_node)};
	failed += cmocka_run_group_tests_name("api/stop", stopping, NULL, NULL);
	return failed ? 1 : 0;
}
