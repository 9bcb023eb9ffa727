/* Fuzzes requests as the server takes them off the wire: the real server
 * (libmicrohttpd and src/http over the demo data on SQLite) on a loopback
 * port, in this process. The input's first byte picks how it is sent:
 *
 *   'J' "WHO METHOD PATH\n" BODY  a JSON body to any route, signed in as
 *       WHO (z 张三, l 李四, c 孙目录 catalog manager, a 郑管理
 *       administrator, w 王窗口 window clerk, r 赵审核 reviewer, p 钱审批
 *       approver, s 吴监督 supervisor; anything else anonymous), with the
 *       session cookie and CSRF token: tb_req_json_body, tb_req_fields and
 *       the domain's checks behind every endpoint family;
 *   'M' "BOUNDARY\n" BODY  a multipart/form-data upload of BODY to a draft
 *       case of 李四 (POST /api/v1/cases/{case_no}/materials): the
 *       streaming upload path and libmicrohttpd's form parser;
 *   anything else: the input itself is the request, raw: request line,
 *       URL and query decoding, headers, chunked bodies, routing.
 *
 * Must hold for every input: the server answers (or closes) promptly, never
 * with a 5xx (but 505 for an HTTP version it does not speak), every
 * answer to a JSON or multipart request is JSON (or a file), and no answer
 * is one of libmicrohttpd's own HTML error pages. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct who {
	char letter;
	const char *login;
	char cookie[300];
	char csrf[120];
};

static struct who people[] = {
    {'z', "33010619900101123X", "", ""}, {'l', "330106198505052313", "", ""},
    {'c', "330102198505054022", "", ""}, {'a', "330106198202027014", "", ""},
    {'w', "330106198808081015", "", ""}, {'r', "330106198707072021", "", ""},
    {'p', "330106198606063011", "", ""}, {'s', "330106198303036024", "", ""},
};
#define NPEOPLE (sizeof(people) / sizeof(people[0]))

static char upload_case[64];

/* A request of method to path as w (NULL: anonymous) with body (may be
 * NULL) of content type ctype; the answer into out. */
static int call(const struct who *w, const char *method, const char *path, const char *ctype,
                const void *body, size_t n, char *out, size_t size)
{
	size_t cap = n + strlen(method) + strlen(path) + (ctype ? strlen(ctype) : 0) + 1024;
	char *req = malloc(cap);
	if (!req)
		abort();
	int h = snprintf(req, cap,
	                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: zh-CN\r\n"
	                 "%s%s%s%s%s%s%s%s%s"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                 method, path, w ? "Cookie: " : "", w ? w->cookie : "", w ? "\r\n" : "",
	                 w ? "X-CSRF-Token: " : "", w ? w->csrf : "", w ? "\r\n" : "",
	                 ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "", n);
	if (h < 0 || (size_t)h + n >= cap)
		abort();
	if (n)
		memcpy(req + h, body, n);
	int st = fuzz_http(req, (size_t)h + n, out, size, 0);
	free(req);
	return st;
}

/* The value after name in text up to one of the stop characters. */
static bool copy_after(const char *text, const char *name, const char *stop, char *out, size_t size)
{
	const char *p = strstr(text, name);
	if (!p)
		return false;
	p += strlen(name);
	size_t n = strcspn(p, stop);
	if (n == 0 || n >= size)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_port();
	static char answer[16384];
	for (size_t i = 0; i < NPEOPLE; i++) {
		char body[160];
		int n =
		    snprintf(body, sizeof(body), "{\"login\":\"%s\",\"password\":\"tongban-demo\"}",
		             people[i].login);
		int st = call(NULL, "POST", "/api/v1/auth/login", "application/json", body,
		              (size_t)n, answer, sizeof(answer));
		if (st != 200 ||
		    !copy_after(answer, "Set-Cookie: ", ";\r\n", people[i].cookie,
		                sizeof(people[i].cookie)) ||
		    !copy_after(answer, "\"csrf_token\":\"", "\"", people[i].csrf,
		                sizeof(people[i].csrf))) {
			fprintf(stderr, "fuzz_http: cannot sign in %s (%d)\n", people[i].login, st);
			abort();
		}
	}
	static const char draft[] =
	    "{\"item\":\"11330106024892795E4010010201000\",\"form\":{\"经营场所\":"
	    "\"浙江省杭州市西湖区文三路90号\",\"组成形式\":\"个人经营\",\"经营范围\":"
	    "\"日用百货零售\",\"资金数额\":\"10\",\"从业人数\":\"2\"}}";
	int st = call(&people[1], "POST", "/api/v1/cases", "application/json", draft,
	              sizeof(draft) - 1, answer, sizeof(answer));
	if ((st != 201 && st != 409) ||
	    !copy_after(answer, "\"case_no\":\"", "\"", upload_case, sizeof(upload_case))) {
		fprintf(stderr, "fuzz_http: cannot open a draft case (%d)\n%s\n", st, answer);
		abort();
	}
	return 0;
}

/* An answer the server gives must not be a 5xx, an /api/ answer must be
 * JSON, and no answer may be one of libmicrohttpd's HTML pages. */
static void judge(int st, const char *answer, bool api, const void *data, size_t size)
{
	/* 505: a request line naming an HTTP version other than 1.x, refused
	 * by libmicrohttpd as the protocol says. */
	bool bad = st >= 500 && st != 505;
	if (st && api && !bad) {
		const char *body = strstr(answer, "\r\n\r\n");
		bad = !body || (!strstr(answer, "Content-Type: application/json") && st != 204 &&
		                st != 304 && !strstr(answer, "Content-Type: application/pdf") &&
		                !strstr(answer, "Content-Type: image/") &&
		                !strstr(answer, "Content-Type: application/yaml") &&
		                !strstr(answer, "Content-Type: application/ofd") &&
		                !strstr(answer, "Content-Type: text/plain"));
	}
	/* What libmicrohttpd refuses itself is JSON too (src/http/mhd_errors.c):
	 * no answer is one of its HTML pages (whose bodies begin so). The text
	 * may well appear quoted inside a JSON error that names what the input
	 * held near a fault. */
	const char *page = strstr(answer, "\r\n\r\n");
	if (page && !strncmp(page + 4, "<html><head><title>", 19))
		bad = true;
	if (bad) {
		fprintf(stderr, "fuzz_http: answer %d to a %zu-byte input:\n%.*s\n---\n%.2000s\n",
		        st, size, (int)(size < 2000 ? size : 2000), (const char *)data, answer);
		abort();
	}
}

/* Whether a raw request looks whole: a head that ends, with no NUL in
 * it, and as much body as its Content-Length says or a last chunk. */
static bool whole_request(const uint8_t *data, size_t size)
{
	const uint8_t *hend = memmem(data, size, "\r\n\r\n", 4);
	if (!hend || memchr(data, '\0', (size_t)(hend - data)))
		return false;
	size_t hl = (size_t)(hend - data) + 2, body = size - hl - 2;
	char *head = fuzz_cstr(data, hl);
	for (char *p = head; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	bool whole = true;
	const char *cl = strstr(head, "\ncontent-length:");
	if (strstr(head, "\ntransfer-encoding:"))
		whole = memmem(hend + 4, body, "0\r\n\r\n", 5) != NULL;
	else if (cl)
		whole = strtoull(cl + 16, NULL, 10) <= body;
	free(head);
	return whole;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char answer[16384];
	answer[0] = '\0';
	if (size >= 1 && data[0] == 'J') {
		const uint8_t *nl = memchr(data, '\n', size);
		if (!nl || nl - data > 1000)
			return 0;
		char line[1024];
		memcpy(line, data + 1, (size_t)(nl - data - 1));
		line[nl - data - 1] = '\0';
		char method[16], path[1000];
		char who = 0;
		if (sscanf(line, "%c %15s %999s", &who, method, path) != 3)
			return 0;
		const struct who *w = NULL;
		for (size_t i = 0; i < NPEOPLE; i++)
			if (people[i].letter == who)
				w = &people[i];
		/* Ending the session or acting for another would change who the
		 * later inputs are. */
		if (w && (strstr(path, "/auth/logout") || strstr(path, "/auth/act-for")))
			return 0;
		const uint8_t *body = nl + 1;
		size_t n = size - (size_t)(body - data);
		int st = call(w, method, path, "application/json", body, n, answer, sizeof(answer));
		judge(st, answer, strncmp(path, "/api/", 5) == 0, data, size);
	} else if (size >= 1 && data[0] == 'M') {
		const uint8_t *nl = memchr(data, '\n', size);
		if (!nl || nl - data > 80)
			return 0;
		char ctype[160];
		snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%.*s",
		         (int)(nl - data - 1), (const char *)data + 1);
		if (strpbrk(ctype, "\r\n"))
			return 0;
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/cases/%s/materials", upload_case);
		const uint8_t *body = nl + 1;
		int st = call(&people[1], "POST", path, ctype, body, size - (size_t)(body - data),
		              answer, sizeof(answer));
		judge(st, answer, true, data, size);
	} else {
		/* libmicrohttpd (0.9.75) keeps a connection that stopped
		 * mid-request until its idle timeout (30 s), even once the
		 * client has closed its side: a request cut short (its head,
		 * or a body shorter than it says) is sent and dropped, and the
		 * rest get 2 s to be answered. */
		int st = whole_request(data, size)
		             ? fuzz_http(data, size, answer, sizeof(answer), 2000)
		             : (fuzz_http_send(data, size), -1);
		if (st < 0)
			return 0;
		judge(st, answer, false, data, size);
	}
	return 0;
}
