/* Helpers of the fuzz harnesses (support.h). */
#include "support.h"

#include "app/app.h"
#include "catalog/validate.h"
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

char *fuzz_cstr(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

void fuzz_env(void)
{
	setenv("TB_TEST_MODE", "1", 0);
	setenv("TB_PWHASH_MEM_KIB", "8", 0);
	setenv("TB_PWHASH_OPS", "1", 0);
	setenv("TB_NOTIFY_PAUSE", "1", 0);
	setenv("TB_LOG_LEVEL", "error", 0);
}

static json_t *find_code(json_t *list, const char *key, const char *code)
{
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d)
	{
		const char *c = json_string_value(json_object_get(d, key));
		if (c && strcmp(c, code) == 0)
			return d;
	}
	return NULL;
}

static bool file_department(void *ctx, const char *code, char level[12], char region[10])
{
	json_t *d = find_code(json_object_get(ctx, "departments"), "credit_code", code);
	const char *l = json_string_value(json_object_get(d, "level"));
	const char *r = json_string_value(json_object_get(d, "region"));
	snprintf(level, 12, "%s", l && r ? l : "county");
	snprintf(region, 10, "%s", l && r ? r : "330106");
	return true;
}

static bool file_basic(void *ctx, const char *code, char item_type[3])
{
	json_t *d = find_code(json_object_get(ctx, "basic_items"), "code", code);
	const char *t = json_string_value(json_object_get(d, "item_type"));
	snprintf(item_type, 3, "%s", t ? t : "01");
	return true;
}

void fuzz_catalog_refs(struct tb_catalog_refs *refs, json_t *file)
{
	refs->department = file_department;
	refs->basic = file_basic;
	refs->ctx = file;
}

static char dir[256];
static struct tb_app *app;
static struct tb_http_server *server;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	tb_http_stop(server, 2000);
	server = NULL;
	tb_app_close(app);
	app = NULL;
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

struct tb_app *fuzz_app(enum fuzz_level level)
{
	if (app)
		return app;
	fuzz_env();
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/tongban-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(cleanup);
	struct tb_app_options opt = {.data_dir = dir, .pool_size = 4, .demo = level == FUZZ_DEMO};
	struct tb_fail f = {0};
	enum tb_err e =
	    level == FUZZ_BARE ? tb_app_open_store(&opt, &app, &f) : tb_app_open(&opt, &app, &f);
	if (e != TB_OK) {
		fprintf(stderr, "fuzz: cannot open the app: %s %s\n", f.field ? f.field : "",
		        f.reason ? f.reason : "");
		abort();
	}
	return app;
}

int fuzz_server_port(void)
{
	if (server)
		return tb_http_port(server);
	struct tb_http_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .timeout_s = 30};
	struct tb_fail f = {0};
	if (tb_http_start(&cfg, fuzz_app(FUZZ_DEMO), &server, &f) != TB_OK) {
		fprintf(stderr, "fuzz: cannot start the server: %s\n", f.reason ? f.reason : "");
		abort();
	}
	return tb_http_port(server);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether buf[0..n) holds a whole answer: the head, then Content-Length
 * bytes or a chunked body up to its last chunk (none after a HEAD, a 204
 * or a 304). A 1xx interim answer is skipped. Without a length the answer
 * ends when the connection does. */
static bool answer_complete(const char *buf, size_t n, bool head)
{
	const char *p = buf, *end = buf + n;
	for (;;) {
		const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend)
			return false;
		hend += 4;
		if ((size_t)(end - p) > 12 && strncmp(p, "HTTP/1.", 7) == 0 && p[9] == '1') {
			p = hend; /* 100 Continue */
			continue;
		}
		if (head || strncmp(p + 9, "204", 3) == 0 || strncmp(p + 9, "304", 3) == 0)
			return true;
		char headers[8192];
		size_t hl =
		    (size_t)(hend - p) < sizeof(headers) ? (size_t)(hend - p) : sizeof(headers) - 1;
		for (size_t i = 0; i < hl; i++)
			headers[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
		headers[hl] = '\0';
		const char *cl = strstr(headers, "\r\ncontent-length:");
		if (cl)
			return (size_t)(end - hend) >= strtoull(cl + 17, NULL, 10);
		if (strstr(headers, "\r\ntransfer-encoding: chunked"))
			return memmem(hend, (size_t)(end - hend), "0\r\n\r\n", 5) != NULL;
		return false;
	}
}

static int connect_and_send(const void *req, size_t n)
{
	int port = fuzz_server_port();
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		abort();
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* libFuzzer's timer (SIGALRM) may interrupt connect: the connection
	 * then completes on its own, and is waited for. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = errno;
		if (err == EINTR || err == EINPROGRESS) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			while (poll(&pfd, 1, 5000) < 0 && errno == EINTR)
				;
			socklen_t len = sizeof(err);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
		}
		if (err) {
			fprintf(stderr, "fuzz: connect: %s\n", strerror(err));
			abort();
		}
	}
	/* The server may answer (and close) before it has read everything:
	 * a refusal of a large body. Writing then fails; that is fine. */
	const char *p = req;
	size_t left = n;
	while (left) {
		ssize_t w = send(fd, p, left, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	return fd;
}

void fuzz_http_send(const void *req, size_t n)
{
	close(connect_and_send(req, n));
}

int fuzz_http(const void *req, size_t n, char *out, size_t size, int patience_ms)
{
	int fd = connect_and_send(req, n);
	/* No more is coming: a request cut short is the server's to end. */
	shutdown(fd, SHUT_WR);
	bool head = n >= 5 && memcmp(req, "HEAD ", 5) == 0;
	static char buf[1 << 20];
	size_t got = 0;
	int64_t deadline = now_ms() + (patience_ms > 0 ? patience_ms : 20000);
	while (!answer_complete(buf, got, head)) {
		int64_t wait = deadline - now_ms();
		if (wait <= 0 && patience_ms > 0) {
			close(fd);
			return -1;
		}
		if (wait <= 0) {
			fprintf(stderr, "fuzz: the server neither answered nor closed in 20 s\n");
			abort();
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		int pr = poll(&pfd, 1, (int)wait);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		ssize_t r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == sizeof(buf) - 1)
			break; /* a big file: the head is what counts */
	}
	close(fd);
	buf[got] = '\0';
	const char *a = buf;
	while (strncmp(a, "HTTP/1.", 7) == 0 && strlen(a) > 12 && a[9] == '1' &&
	       strstr(a, "\r\n\r\n"))
		a = strstr(a, "\r\n\r\n") + 4; /* past 100 Continue */
	size_t alen = got - (size_t)(a - buf);
	int status = 0;
	if (alen > 12 && strncmp(a, "HTTP/1.", 7) == 0)
		status = (int)strtol(a + 9, NULL, 10);
	if (out && size) {
		size_t k = alen < size - 1 ? alen : size - 1;
		memcpy(out, a, k);
		out[k] = '\0';
	}
	return status;
}
