/* The helpers of support.h: .tsv vectors, fresh stores, the real binary
 * started on a loopback port, and a small libcurl client. */
#include "support.h"
#include "store/store.h"

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void tsv_open(struct tsv *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->path = path;
	t->f = fopen(path, "r");
	if (!t->f) {
		fprintf(stderr, "cannot open vector file %s (run tests from the repository root)\n",
		        path);
		exit(2);
	}
}

bool tsv_next(struct tsv *t)
{
	while (fgets(t->line, sizeof(t->line), t->f)) {
		t->lineno++;
		size_t n = strlen(t->line);
		while (n && (t->line[n - 1] == '\n' || t->line[n - 1] == '\r'))
			t->line[--n] = '\0';
		if (n == 0 || t->line[0] == '#')
			continue;
		t->nfields = 0;
		char *p = t->line;
		for (;;) {
			if (t->nfields < TSV_MAX_FIELDS)
				t->field[t->nfields++] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		return true;
	}
	return false;
}

void tsv_close(struct tsv *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
}

/* ---- groups ------------------------------------------------------------ */

static CMFixtureFunction group_setup, group_teardown;
static bool group_setup_failed, group_teardown_failed;
/* Child servers that exited non-zero or reported a sanitizer error. */
static int child_failures;

/* The flag is set before the call: a fixture that fails by an assertion
 * jumps out of it and never returns here. */
static int run_group_setup(void **state)
{
	group_setup_failed = true;
	int rc = group_setup(state);
	if (rc == 0)
		group_setup_failed = false;
	return rc;
}

static int run_group_teardown(void **state)
{
	group_teardown_failed = true;
	int rc = group_teardown(state);
	if (rc == 0)
		group_teardown_failed = false;
	return rc;
}

int test_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                   CMFixtureFunction setup, CMFixtureFunction teardown)
{
	/* The security settings tests lower (TB_PWHASH_*, TB_LOGIN_LOCK_SECONDS,
	 * TB_NOTIFY_PAUSE) are honoured only in test mode. */
	setenv("TB_TEST_MODE", "1", 0);
	group_setup = setup;
	group_teardown = teardown;
	group_setup_failed = group_teardown_failed = false;
	int children = child_failures;
	int failed = _cmocka_run_group_tests(name, tests, n, setup ? run_group_setup : NULL,
	                                     teardown ? run_group_teardown : NULL);
	if (failed < 0)
		failed = 1;
	size_t ran = n;
	if (group_setup_failed) {
		fprintf(stderr, "[  FAILED  ] %s: group setup failed\n", name);
		ran = 0;
		if (failed == 0)
			failed = 1;
	}
	if (group_teardown_failed) {
		fprintf(stderr, "[  FAILED  ] %s: group teardown failed\n", name);
		failed++;
	}
	if (child_failures > children) {
		fprintf(stderr, "[  FAILED  ] %s: %d child server(s) failed\n", name,
		        child_failures - children);
		failed += child_failures - children;
	}
	fflush(stderr);
	printf("[  GROUP   ] %s: %zu run, %d failed\n", name, ran, failed);
	fflush(stdout);
	return failed;
}

/* ---- stores ------------------------------------------------------------ */

const char *test_pg_base_url(void)
{
	static bool said;
	const char *u = getenv("TB_TEST_PG_URL");
	if (u && *u)
		return u;
	const char *ci = getenv("CI");
	if (ci && strcmp(ci, "true") == 0) {
		fprintf(stderr, "CI=true but TB_TEST_PG_URL is not set: PostgreSQL tests are "
		                "mandatory in CI\n");
		exit(1);
	}
	if (!said) {
		said = true;
		fprintf(stderr, "skipped: %s: PostgreSQL groups: TB_TEST_PG_URL is not set\n",
		        program_invocation_short_name);
	}
	return NULL;
}

const char *test_pg_fresh(const char *tag)
{
	static char url[512];
	static int seq;
	const char *base = test_pg_base_url();
	if (!base)
		return NULL;
	char name[96];
	snprintf(name, sizeof(name), "t_%s_%d_%d", tag, (int)getpid(), ++seq);
	struct tb_store *s;
	struct tb_fail f = {0};
	if (tb_store_open(base, 1, &s, &f) != TB_OK) {
		fprintf(stderr, "cannot reach PostgreSQL at %s\n", base);
		exit(1);
	}
	struct tb_conn *c;
	tb_store_acquire(s, &c);
	char sql[160];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	enum tb_err e = tb_conn_exec(c, sql);
	tb_store_release(c);
	tb_store_close(s);
	if (e != TB_OK) {
		fprintf(stderr, "CREATE DATABASE %s failed\n", name);
		exit(1);
	}
	/* Replace the database name (after the last '/') of the base URL. */
	const char *slash = strrchr(base, '/');
	const char *q = strchr(slash, '?');
	snprintf(url, sizeof(url), "%.*s/%s%s", (int)(slash - base), base, name, q ? q : "");
	return url;
}

const char *test_tmpdir(void)
{
	static char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/tongban-test.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	return dir;
}

const char *test_sqlite_fresh(void)
{
	static char url[128];
	snprintf(url, sizeof(url), "sqlite:%s/test.db", test_tmpdir());
	return url;
}

/* ---- the binary ------------------------------------------------------- */

const char *test_bin(void)
{
	const char *bin = getenv("TB_TEST_BIN");
	return bin ? bin : "build/tongban";
}

int test_run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char full[4200];
	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- server ------------------------------------------------------------ */

/* Starts the binary with argv (argv[0] is test_bin()), its log in
 * s->data/server.log, and waits for its "listening" line. */
static void srv_spawn(struct test_srv *s, const char *const *argv)
{
	const char *bin = argv[0];
	int out[2];
	if (pipe(out) != 0) {
		perror("pipe");
		exit(1);
	}
	pid_t pid = fork();
	if (pid == 0) {
		setenv("TB_TEST_MODE", "1", 0);
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		char log[300];
		snprintf(log, sizeof(log), "%s/server.log", s->data);
		/* Appended: a server started again on the same folder keeps
		 * the log of the one before it. */
		FILE *lf = freopen(log, "a", stderr);
		(void)lf;
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	s->pid = (int)pid;
	FILE *fp = fdopen(out[0], "r");
	char line[512];
	while (fgets(line, sizeof(line), fp)) {
		const char *p = strstr(line, "http://127.0.0.1:");
		if (p) {
			s->port = (int)strtol(p + 17, NULL, 10);
			snprintf(s->line, sizeof(s->line), "%s", line);
			break;
		}
	}
	fclose(fp);
	if (!s->port) {
		fprintf(stderr, "server did not start; see %s/server.log\n", s->data);
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "tail -20 %s/server.log >&2", s->data);
		if (system(cmd) != 0)
			fprintf(stderr, "(no log)\n");
		exit(1);
	}
}

static void srv_vstart(struct test_srv *s, const char *data, const char *db, va_list ap)
{
	/* data may be s->data itself, which the memset clears. */
	char dir[sizeof(s->data)];
	snprintf(dir, sizeof(dir), "%s", data ? data : test_tmpdir());
	memset(s, 0, sizeof(*s));
	memcpy(s->data, dir, sizeof(dir));
	const char *argv[40];
	int n = 0;
	argv[n++] = test_bin();
	argv[n++] = "serve";
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--data";
	argv[n++] = s->data;
	argv[n++] = "--quiet";
	if (db) {
		argv[n++] = "--db";
		argv[n++] = db;
	}
	const char *a;
	while ((a = va_arg(ap, const char *)) && n < 38)
		argv[n++] = a;
	argv[n] = NULL;
	srv_spawn(s, argv);
}

void srv_start_args(struct test_srv *s, const char *dir, ...)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->data, sizeof(s->data), "%s", dir);
	const char *argv[40];
	int n = 0;
	argv[n++] = test_bin();
	argv[n++] = "serve";
	va_list ap;
	va_start(ap, dir);
	const char *a;
	while ((a = va_arg(ap, const char *)) && n < 39)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	srv_spawn(s, argv);
}

void srv_start(struct test_srv *s, const char *db, ...)
{
	va_list ap;
	va_start(ap, db);
	srv_vstart(s, NULL, db, ap);
	va_end(ap);
}

void srv_start_on(struct test_srv *s, const char *data, const char *db, ...)
{
	va_list ap;
	va_start(ap, db);
	srv_vstart(s, data, db, ap);
	va_end(ap);
}

/* True when the server's log holds a sanitizer's report. */
static bool sanitizer_report(const char *log)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return false;
	char line[1024];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "runtime error:") ||
		        (strstr(line, "Sanitizer") &&
		         (strstr(line, "ERROR:") || strstr(line, "SUMMARY:") ||
		          strstr(line, "WARNING:")));
	fclose(f);
	return found;
}

/* Copies the last lines of log to stderr. */
static void log_tail(const char *log)
{
	FILE *f = fopen(log, "r");
	if (!f) {
		fprintf(stderr, "(no log at %s)\n", log);
		return;
	}
	static char ring[60][512];
	int n = 0;
	while (fgets(ring[n % 60], sizeof(ring[0]), f))
		n++;
	fclose(f);
	for (int i = n > 60 ? n - 60 : 0; i < n; i++)
		fputs(ring[i % 60], stderr);
}

int srv_stop(struct test_srv *s)
{
	int status = 0;
	kill(s->pid, SIGTERM);
	/* A server that does not stop is a failure too, not a hung test. */
	bool stopped = false, lost = false;
	for (int i = 0; i < 1200 && !stopped; i++) {
		pid_t w = waitpid(s->pid, &status, WNOHANG);
		/* A wait that fails (the child is not ours to wait for) tells
		 * nothing of how the server ended: a failure, not a clean stop. */
		lost = w < 0 && errno != EINTR;
		if (w == s->pid || lost)
			stopped = true;
		else
			nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	if (!stopped) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
			;
		fprintf(stderr, "server %d did not stop within 60 s of SIGTERM\n", s->pid);
	}
	int rc = lost ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	char log[300];
	snprintf(log, sizeof(log), "%s/server.log", s->data);
	bool report = sanitizer_report(log);
	if (rc != 0 || report || !stopped) {
		child_failures++;
		fprintf(stderr, "[  FAILED  ] server %d: exit status %d%s; the end of %s:\n",
		        s->pid, rc, report ? ", sanitizer report" : "", log);
		log_tail(log);
		fflush(stderr);
	}
	return rc;
}

/* ---- HTTP client ------------------------------------------------------- */

struct sink {
	char *data;
	size_t len;
};

static size_t sink_write(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t k = size * n;
	s->data = realloc(s->data, s->len + k + 1);
	memcpy(s->data + s->len, p, k);
	s->len += k;
	s->data[s->len] = '\0';
	return k;
}

void http_req(struct test_srv *s, const char *method, const char *path, const char *const *hdrs,
              const char *body, size_t body_len, struct http_resp *out)
{
	memset(out, 0, sizeof(*out));
	CURL *c = curl_easy_init();
	char url[8192];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	struct sink b = {0}, h = {0};
	struct curl_slist *list = NULL;
	for (int i = 0; hdrs && hdrs[i]; i++)
		list = curl_slist_append(list, hdrs[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		out->status = -1;
		fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	}
	out->body = b.data ? b.data : strdup("");
	out->len = b.len;
	out->headers = h.data ? h.data : strdup("");
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
}

void http_get(struct test_srv *s, const char *path, struct http_resp *out)
{
	http_req(s, "GET", path, NULL, NULL, 0, out);
}

const char *http_header(const struct http_resp *r, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);
	for (const char *p = r->headers; p && *p;) {
		const char *eol = strchr(p, '\n');
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			size_t l = (size_t)((eol ? eol : v + strlen(v)) - v);
			while (l && (v[l - 1] == '\r' || v[l - 1] == '\n'))
				l--;
			if (l >= size)
				l = size - 1;
			memcpy(buf, v, l);
			buf[l] = '\0';
			return buf;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

void http_free(struct http_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

/* ---- signing in -------------------------------------------------------- */

void test_call(struct test_srv *srv, const struct test_session *s, const char *method,
               const char *path, const char *json, struct http_resp *out)
{
	const char *h[4] = {NULL};
	int n = 0;
	if (json)
		h[n++] = "Content-Type: application/json";
	if (s) {
		h[n++] = s->cookie;
		h[n++] = s->csrf;
	}
	http_req(srv, method, path, h, json, json ? strlen(json) : 0, out);
}

long test_login(struct test_srv *srv, const char *login, const char *password,
                struct test_session *s)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
	struct http_resp r;
	test_call(srv, NULL, "POST", "/api/v1/auth/login", body, &r);
	long st = r.status;
	if (st == 200 && s) {
		char cookie[256];
		if (http_header(&r, "Set-Cookie", cookie, sizeof(cookie))) {
			char *semi = strchr(cookie, ';');
			if (semi)
				*semi = '\0';
			snprintf(s->cookie, sizeof(s->cookie), "Cookie: %s", cookie);
		}
		const char *k = strstr(r.body, "\"csrf_token\":\"");
		if (k) {
			k += 14;
			const char *e = strchr(k, '"');
			snprintf(s->csrf, sizeof(s->csrf), "X-CSRF-Token: %.*s", (int)(e - k), k);
		}
	}
	http_free(&r);
	return st;
}

long test_upload(struct test_srv *srv, const struct test_session *s, const char *case_no,
                 const char *material, const char *filename, const void *data, size_t n,
                 const char *valid_until, char **body)
{
	CURL *c = curl_easy_init();
	char url[512];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/cases/%s/materials", srv->port,
	         case_no);
	curl_mime *mime = curl_mime_init(c);
	if (valid_until) {
		curl_mimepart *p = curl_mime_addpart(mime);
		curl_mime_name(p, "valid_until");
		curl_mime_data(p, valid_until, CURL_ZERO_TERMINATED);
	}
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
	if (s) {
		h = curl_slist_append(h, s->cookie);
		h = curl_slist_append(h, s->csrf);
	}
	struct sink b = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	long status = -1;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (body)
		*body = b.data ? b.data : strdup("");
	else
		free(b.data);
	curl_slist_free_all(h);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	return status;
}

const char test_pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";
const size_t test_pdf_len = sizeof(test_pdf) - 1;

json_t *test_expect(struct test_srv *srv, const struct test_session *s, const char *method,
                    const char *path, const char *json, long want)
{
	struct http_resp r;
	test_call(srv, s, method, path, json, &r);
	if (r.status != want)
		fail_msg("%s %s -> %ld, want %ld: %s", method, path, r.status, want, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	http_free(&r);
	return j;
}

const char *test_str(const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));
	if (!v)
		fail_msg("no member %s", key);
	return v;
}

int test_start_demo(struct test_srv *srv, const char *db, const struct test_who *who, size_t n)
{
	srv_start(srv, db, "--demo", NULL);
	for (size_t i = 0; i < n; i++)
		if (test_login(srv, who[i].login, "tongban-demo", who[i].s) != 200)
			return -1;
	return 0;
}

void test_fresh_id_number(char out[19])
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static unsigned serial;
	unsigned n = serial++ % 300000u;
	snprintf(out, 19, "3301061995%02u%02u%03u", 1 + n / 28 % 12, 1 + n % 28,
	         100 + n / 336 % 900);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}
