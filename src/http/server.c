/* The libmicrohttpd side of the HTTP layer. A request's context (arena,
 * body buffer, start time) is made on the first callback, filled while the
 * body arrives (up to the limit), dispatched on the last callback, and
 * freed when libmicrohttpd reports the request completed. */
#include "http/server.h"
#include "base/netaddr.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/mhd_errors.h"
#include "http/req.h"
#include "http/router.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tb_http_server {
	struct MHD_Daemon *d;
	struct tb_app *app;
	struct tb_http_config cfg;
	uint16_t port;
	_Atomic int inflight;
	_Atomic bool stopping; /* tb_http_stop has begun */
};

struct ctx {
	struct tb_req r;
	const struct tb_stream *stream;
	struct MHD_PostProcessor *pp;
	bool handled;
	char tail[128]; /* the last bytes of a streamed body */
	size_t tail_len;
	char delim[96]; /* "--B" of a streamed body's boundary B */
	size_t delim_len;
	struct tb_http_server *srv;
	struct tb_buf body;
	struct timespec t0;
	bool too_big;
	bool answered;
	bool started;              /* the first call of on_request was made */
	bool counted;              /* in srv->inflight */
	const char *query_refused; /* why the query was cut (on_uri), or NULL */
	bool refused;              /* a streamed body refused: the rest is read and dropped */
	uint64_t drained;          /* bytes dropped since */
	uint64_t seen;             /* bytes of a streamed body so far */
};

/* The most query parameters and query bytes a request may have: no route
 * takes more than 10 parameters. */
#define MAX_QUERY_PARAMS 64
#define MAX_QUERY_BYTES  8192

static _Atomic bool bench_on;
static _Atomic uint64_t rid_counter;
static char rid_prefix[9];

/* A strict policy: the pages load only their own scripts and styles. */
static const char CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool tb_http_bench_enabled(void)
{
	return bench_on;
}

const char *tb_req_query(struct tb_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *tb_req_cookie(struct tb_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *tb_req_header(struct tb_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static uint64_t micros_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t us =
	    (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}

static void access_log(struct ctx *c, uint64_t us)
{
	if (!tb_log_access_enabled())
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char line[768];
	int n = snprintf(line, sizeof(line),
	                 "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"type\":\"access\","
	                 "\"rid\":\"%s\",\"method\":\"",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	                 tm.tm_sec, ts.tv_nsec / 1000000, c->r.request_id);
	unsigned long len = n > 0 && (size_t)n < 120 ? (unsigned long)n : 0;
	/* The method is the client's token, of any length and bytes (it was
	 * copied as it came and overran the line): escaped and cut like the
	 * path. */
	tb_log_escape(line, 160, &len, c->r.method ? c->r.method : "");
	memcpy(line + len, "\",\"path\":\"", 10);
	len += 10;
	tb_log_escape(line, 600, &len, c->r.path ? c->r.path : "");
	n = snprintf(line + len, sizeof(line) - len, "\",\"status\":%d,\"us\":%llu}\n", c->r.status,
	             (unsigned long long)us);
	if (n > 0)
		len += (unsigned long)n;
	tb_log_raw(line, len < sizeof(line) ? len : sizeof(line) - 1);
}

/* Turns c->r's response into a libmicrohttpd response and queues it. */
static enum MHD_Result send_response(struct MHD_Connection *conn, struct ctx *c)
{
	struct tb_req *r = &c->r;
	if (!r->status) {
		tb_log_error("http", "handler for %s set no response", r->path);
		tb_resp_error(r, TB_EINTERNAL, NULL, NULL);
	}
	struct MHD_Response *resp;
	if (r->resp_fd >= 0) {
		resp = MHD_create_response_from_fd(r->resp_len, r->resp_fd);
		if (!resp)
			close(r->resp_fd);
		r->resp_fd = -1; /* the response closes it */
	} else if (r->resp_static || !r->resp_body) {
		/* Not MHD_create_response_from_buffer: mhd_errors.c takes that
		 * constructor for the library's own refusals. */
		resp = MHD_create_response_from_buffer_with_free_callback(r->resp_len, r->resp_body,
		                                                          NULL);
	} else {
		resp = MHD_create_response_from_buffer_with_free_callback(r->resp_len, r->resp_body,
		                                                          free);
	}
	r->resp_body = NULL; /* owned by the response now */
	if (!resp)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	bool has_cache = false;
	for (int i = 0; i < r->nhdr; i++) {
		MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
		if (strcasecmp(r->hdr_name[i], "Cache-Control") == 0)
			has_cache = true;
	}
	if (!has_cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (atomic_load(&c->srv->stopping)) /* the client goes to another node */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	c->answered = true;

	uint64_t us = micros_since(&c->t0);
	int route = r->route ? (int)(r->route - tb_routes) : -1;
	tb_metrics_observe(route, r->status, us);
	access_log(c, us);
	return ok;
}

struct query_check {
	struct tb_req *r;
	const char *bad_field;
	const char *reason;
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	(void)kind;
	struct query_check *q = cls;
	if (!tb_utf8_is_line(key, strlen(key))) {
		q->bad_field = "query";
		q->reason = "parameter name is not clean UTF-8";
		return MHD_NO;
	}
	if (!tb_route_accepts(q->r->route, key)) {
		q->bad_field = tb_arena_strdup(q->r->arena, key);
		q->reason = "unknown parameter";
		return MHD_NO;
	}
	if (value && !tb_utf8_is_line(value, strlen(value))) {
		q->bad_field = tb_arena_strdup(q->r->arena, key);
		q->reason = "not valid UTF-8 text";
		return MHD_NO;
	}
	return MHD_YES;
}

static void dispatch(struct MHD_Connection *conn, struct ctx *c, const char *url)
{
	struct tb_req *r = &c->r;
	size_t ulen = strlen(url);
	if (!tb_utf8_is_line(url, ulen) || url[0] != '/') {
		r->path = "(invalid)";
		tb_resp_error(r, TB_EINVAL, "path", "not valid UTF-8 text");
		return;
	}
	r->path = tb_arena_strndup(r->arena, url, ulen);
	if (c->too_big) {
		tb_resp_error(r, TB_ETOOBIG, "body", "request body over the size limit");
		return;
	}
	r->body = c->body.data;
	r->body_len = c->body.len;

	const struct tb_route *route;
	const char *allow;
	switch (tb_route_match(r, r->method, r->path, &route, &allow)) {
	case TB_MATCH_OK: {
		r->route = route;
		struct query_check q = {r, NULL, NULL};
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_arg, &q);
		if (q.bad_field) {
			tb_resp_error(r, TB_EINVAL, q.bad_field, q.reason);
			return;
		}
		route->handler(r);
		return;
	}
	case TB_MATCH_METHOD:
		tb_resp_header(r, "Allow", allow);
		tb_resp_error(r, TB_EMETHOD, "method",
		              tb_arena_printf(r->arena, "allowed: %s", allow));
		return;
	case TB_MATCH_NONE: break;
	}
	bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (strncmp(r->path, "/api/", 5) == 0) {
		tb_resp_error(r, TB_ENOTFOUND, "path", "no such resource");
	} else if (get) {
		tb_handle_static(r);
	} else {
		/* Pages are read-only. */
		tb_resp_header(r, "Allow", "GET, HEAD");
		tb_resp_error(r, TB_EMETHOD, "method", "allowed: GET, HEAD");
	}
}

struct header_size {
	size_t total;
};

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
	(void)kind;
	struct header_size *h = cls;
	h->total += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static struct ctx *ctx_new(struct tb_http_server *srv, struct MHD_Connection *conn)
{
	struct ctx *c = tb_xcalloc(1, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->srv = srv;
	c->r.arena = tb_arena_new();
	c->r.resp_fd = -1;
	c->r.app = srv->app;
	c->r.conn = conn;
	c->r.method = "-"; /* known at the first call of on_request */
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, c->r.client,
		          sizeof(c->r.client));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, c->r.client,
		          sizeof(c->r.client));
	uint64_t n = atomic_fetch_add(&rid_counter, 1);
	snprintf(c->r.request_id, sizeof(c->r.request_id), "%s%08llx", rid_prefix,
	         (unsigned long long)(n & 0xffffffffULL));
	return c;
}

static enum MHD_Result stream_part(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *filename, const char *content_type,
                                   const char *transfer_encoding, const char *data, uint64_t off,
                                   size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	struct ctx *c = cls;
	return c->stream->part(&c->r, key, filename, data, size) ? MHD_YES : MHD_NO;
}

/* The delimiter "--B" of the request's multipart boundary B into want
 * (size n); its length, 0 when there is none. */
static size_t delimiter(struct tb_req *r, char *want, size_t n)
{
	const char *ct = tb_req_header(r, "Content-Type");
	const char *b = ct ? strstr(ct, "boundary=") : NULL;
	if (!b)
		return 0;
	b += 9;
	if (*b == '"')
		b++;
	int w = snprintf(want, n, "--%.*s", (int)strcspn(b, "; \""), b);
	return w > 2 && (size_t)w < n ? (size_t)w : 0;
}

/* True when the body's last bytes hold the closing delimiter "--B--". */
static bool closed_multipart(const struct ctx *c)
{
	if (!c->delim_len || c->delim_len + 2 > c->tail_len)
		return false;
	for (const char *at = c->tail;
	     (at = memmem(at, (size_t)(c->tail + c->tail_len - at), c->delim, c->delim_len));
	     at++) {
		const char *end = at + c->delim_len;
		if (end + 2 <= c->tail + c->tail_len && end[0] == '-' && end[1] == '-')
			return true;
	}
	return false;
}

/* Refuses a streamed body (the answer is set): nothing of it is kept, and
 * the rest of it is read and dropped before the answer goes. */
static void refuse_stream(struct ctx *c)
{
	c->stream->abort(&c->r);
	c->handled = true;
	c->refused = true;
}

/* First call of a POST to a streaming route: checks, begins, and sets up
 * the form parser. Returns false when a response was set (refusal). */
static bool stream_start(struct tb_http_server *srv, struct MHD_Connection *conn, struct ctx *c,
                         const char *url)
{
	(void)srv;
	const struct tb_route *route;
	const char *allow;
	c->r.path = tb_arena_strdup(c->r.arena, url);
	if (!tb_utf8_is_line(url, strlen(url)) ||
	    tb_route_match(&c->r, c->r.method, c->r.path, &route, &allow) != TB_MATCH_OK ||
	    !route->stream)
		return true; /* not a streaming route: the ordinary path */
	c->r.route = route;
	c->stream = route->stream;
	const char *ct = tb_req_header(&c->r, "Content-Type");
	if (!ct || strncmp(ct, "multipart/form-data", 19) != 0) {
		tb_resp_error(&c->r, TB_EMEDIA, "Content-Type", "expected multipart/form-data");
		return false;
	}
	const char *cl =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > route->stream->max_body) {
		tb_resp_error(&c->r, TB_ETOOBIG, "file", "upload over the size limit");
		return false;
	}
	if (!c->stream->begin(&c->r))
		return false;
	c->delim_len = delimiter(&c->r, c->delim, sizeof(c->delim));
	c->pp = MHD_create_post_processor(conn, 16384, stream_part, c);
	if (!c->pp) {
		tb_resp_error(&c->r, TB_EINVAL, "body", "malformed multipart/form-data");
		return false;
	}
	return true;
}

/* Called by libmicrohttpd with the request target as received, before it
 * splits the query into parameters. Each parameter takes a record in the
 * connection's memory pool, so a query of some hundreds of them (even empty
 * ones: "?&&&...") exhausts it, and libmicrohttpd 0.9.75 then answers with
 * its own HTML 431 or, past about 500, not at all (the connection waits for
 * its timeout). A query over MAX_QUERY_PARAMS or MAX_QUERY_BYTES is cut
 * here, before that split: the target lies in the connection's read buffer,
 * which libmicrohttpd parses right after this call (0.9.75 and later), and
 * the request is refused with a JSON 400 on the first call of on_request.
 * The request's context is made here, so on_completed sees every request,
 * also those libmicrohttpd answers itself. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct ctx *c = ctx_new(cls, conn);
	char *q = strchr((char *)uri, '?');
	c->r.path = tb_arena_strndup(c->r.arena, uri, q ? (size_t)(q - uri) : strlen(uri));
	if (q) {
		size_t params = 1;
		for (const char *p = q + 1; *p && params <= MAX_QUERY_PARAMS; p++)
			params += *p == '&';
		if (params > MAX_QUERY_PARAMS)
			c->query_refused = "more than 64 query parameters";
		else if (strlen(q + 1) > MAX_QUERY_BYTES)
			c->query_refused = "query string over 8192 bytes";
		if (c->query_refused)
			q[1] = '\0';
	}
	return c;
}

void tb_req_suspend(struct tb_req *r)
{
	r->suspended = true;
	MHD_suspend_connection(r->conn);
}

void tb_req_resume(struct tb_req *r, void (*finish)(struct tb_req *r))
{
	r->finish = finish;
	MHD_resume_connection(r->conn);
}

/* Behind a trusted balancer, the client is the last address of
 * X-Forwarded-For (earlier ones are whatever the client sent, and are
 * ignored); an entry that is not an address leaves the balancer's. */
static void forwarded_client(const struct tb_http_server *srv, struct MHD_Connection *conn,
                             struct tb_req *r)
{
	if (!tb_addr_listed(srv->cfg.trusted_proxies, r->client))
		return;
	const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
	if (!xff)
		return;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ')
		last++;
	char addr[48];
	size_t len = strcspn(last, " ");
	if (len == 0 || len >= sizeof(addr))
		return;
	memcpy(addr, last, len);
	addr[len] = '\0';
	if (tb_addr_list_ok(addr))
		memcpy(r->client, addr, len + 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct tb_http_server *srv = cls;
	struct ctx *c = *con_cls;
	if (!c) /* on_uri makes it: this is only for safety */
		*con_cls = c = ctx_new(srv, conn);
	if (!c->started) {
		c->started = true;
		c->r.method = tb_arena_strdup(c->r.arena, method);
		forwarded_client(srv, conn, &c->r);
		if (atomic_load(&srv->stopping)) {
			/* Not counted in flight: a stream of them must not hold
			 * the stop for its whole grace period. */
			c->r.path = tb_arena_strdup(c->r.arena, url);
			tb_resp_error(&c->r, TB_EUNAVAIL, "service",
			              "this node is stopping; send the request again");
			tb_resp_header(&c->r, "Retry-After", "1");
			return send_response(conn, c);
		}
		c->counted = true;
		atomic_fetch_add(&srv->inflight, 1);
		if (c->query_refused) {
			c->r.path = tb_arena_strdup(c->r.arena, url);
			tb_resp_error(&c->r, TB_EINVAL, "query", c->query_refused);
			return send_response(conn, c);
		}
		struct header_size hs = {0};
		MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_size, &hs);
		if (hs.total > srv->cfg.max_header) {
			c->r.path = tb_arena_strdup(c->r.arena, url);
			tb_resp_error(&c->r, TB_EHEADERS, "headers",
			              "request headers over the size limit");
			return send_response(conn, c);
		}
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
			/* Refuse before reading a byte of it. */
			c->too_big = true;
			c->r.path = tb_arena_strdup(c->r.arena, url);
			tb_resp_error(&c->r, TB_ETOOBIG, "body",
			              "request body over the size limit");
			/* a streaming route has its own, larger limit */
			if (strcmp(method, "POST") != 0 || !stream_start(srv, conn, c, url) ||
			    !c->stream)
				return send_response(conn, c);
			tb_resp_take(&c->r, 0, NULL, NULL, 0);
			return MHD_YES;
		}
		if (strcmp(method, "POST") == 0 && !stream_start(srv, conn, c, url))
			return send_response(conn, c);
		return MHD_YES;
	}
	if (c->r.suspended) {
		/* Resumed: the answer is ready to be made. */
		if (!c->r.finish)
			return MHD_YES;
		void (*finish)(struct tb_req *) = c->r.finish;
		c->r.suspended = false;
		c->r.finish = NULL;
		finish(&c->r);
		return send_response(conn, c);
	}
	if (c->stream && !c->answered) {
		if (*upload_size && c->refused) {
			/* libmicrohttpd queues no answer while the body is still
			 * arriving (MHD_queue_response refuses until the request
			 * is whole, and the connection is closed unanswered): the
			 * rest is read and dropped, then the refusal is sent. A
			 * body that goes on past the route's limit again is cut. */
			c->drained += *upload_size;
			*upload_size = 0;
			return c->seen + c->drained > c->stream->max_body ? MHD_NO : MHD_YES;
		}
		if (c->refused)
			return send_response(conn, c);
		if (*upload_size) {
			/* The body begins with its first boundary: forms are sent
			 * without a preamble, and bytes before it (a byte-order
			 * mark) are refused, not skipped. */
			for (size_t i = 0; c->seen + i < c->delim_len && i < *upload_size; i++)
				if (upload[i] != c->delim[c->seen + i]) {
					tb_resp_error(&c->r, TB_EINVAL, "body",
					              "malformed multipart/form-data");
					refuse_stream(c);
					c->drained = *upload_size;
					*upload_size = 0;
					return MHD_YES;
				}
			c->seen += *upload_size;
			/* Keep the last bytes: the closing boundary must be there. */
			size_t n = *upload_size;
			if (n >= sizeof(c->tail)) {
				memcpy(c->tail, upload + n - sizeof(c->tail), sizeof(c->tail));
				c->tail_len = sizeof(c->tail);
			} else {
				size_t keep = c->tail_len + n > sizeof(c->tail)
				                  ? sizeof(c->tail) - n
				                  : c->tail_len;
				memmove(c->tail, c->tail + c->tail_len - keep, keep);
				memcpy(c->tail + keep, upload, n);
				c->tail_len = keep + n;
			}
			enum MHD_Result ok = MHD_post_process(c->pp, upload, *upload_size);
			*upload_size = 0;
			if (ok != MHD_YES) {
				if (!c->r.status)
					tb_resp_error(&c->r, TB_EINVAL, "body",
					              "malformed multipart/form-data");
				/* The file so far is dropped now; the answer waits
				 * for the end of the body. */
				refuse_stream(c);
				return MHD_YES;
			}
			return MHD_YES;
		}
		MHD_destroy_post_processor(c->pp);
		c->pp = NULL;
		if (!closed_multipart(c)) {
			/* A truncated body: nothing of it is kept. */
			c->stream->abort(&c->r);
			c->handled = true;
			tb_resp_error(&c->r, TB_EINVAL, "body", "truncated multipart/form-data");
			return send_response(conn, c);
		}
		c->handled = true;
		c->r.route->handler(&c->r);
		return send_response(conn, c);
	}
	if (c->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!c->too_big && c->body.len + *upload_size <= srv->cfg.max_body)
			tb_buf_add(&c->body, upload, *upload_size);
		else
			c->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	dispatch(conn, c, url);
	if (c->r.suspended)
		return MHD_YES; /* answered when resumed */
	return send_response(conn, c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct tb_http_server *srv = cls;
	struct ctx *c = *con_cls;
	if (!c)
		return;
	*con_cls = NULL;
	if (!c->started) {
		/* Refused by libmicrohttpd itself (a malformed request, headers
		 * over its memory pool): on the access log with its status. */
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
		c->r.status = ci ? (int)ci->http_status : 0;
		access_log(c, micros_since(&c->t0));
		tb_arena_free(c->r.arena);
		free(c);
		return;
	}
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	if (c->stream && !c->handled)
		c->stream->abort(&c->r);
	if (c->r.resp_body && !c->r.resp_static)
		free(c->r.resp_body);
	if (c->r.resp_fd >= 0)
		close(c->r.resp_fd);
	tb_buf_free(&c->body);
	tb_arena_free(c->r.arena);
	bool counted = c->counted;
	free(c);
	if (counted)
		atomic_fetch_sub(&srv->inflight, 1);
}

/* libmicrohttpd's messages: its own printf formats (the attribute says so
 * to the compilers' format checks). */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	tb_log_warn("mhd", "%s", msg);
}

static bool parse_listen(const char *s, struct sockaddr_in *sa)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	if (!colon || colon == s || (size_t)(colon - s) >= 64)
		return false;
	char host[64];
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return false;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		memcpy(host, "127.0.0.1", 10);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

enum tb_err tb_http_start(const struct tb_http_config *cfg, struct tb_app *app,
                          struct tb_http_server **out, struct tb_fail *f)
{
	*out = NULL;
	struct sockaddr_in sa;
	if (!parse_listen(cfg->listen, &sa))
		return tb_fail(f, TB_EINVAL, "listen", "expected IPV4-ADDRESS:PORT");
	struct tb_http_server *s = tb_xcalloc(1, sizeof(*s));
	s->app = app;
	s->cfg = *cfg;
	if (!s->cfg.max_body)
		s->cfg.max_body = 1 << 20;
	if (!s->cfg.max_header)
		s->cfg.max_header = 16 << 10;
	if (!s->cfg.max_conns)
		s->cfg.max_conns = 1024;
	if (!s->cfg.timeout_s)
		s->cfg.timeout_s = 30;
	if (!s->cfg.threads) {
		/* Handlers block on the store (a commit waits for its fsync), so
		 * more threads than CPUs keep the CPUs busy and let concurrent
		 * commits share an fsync. */
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->cfg.threads = 4 * (n > 0 ? (unsigned)n : 2);
	}
	bench_on = cfg->bench;
	FILE *ur = fopen("/dev/urandom", "rb");
	unsigned rnd = (unsigned)getpid();
	if (ur) {
		if (fread(&rnd, sizeof(rnd), 1, ur) != 1)
			rnd ^= (unsigned)time(NULL);
		fclose(ur);
	}
	snprintf(rid_prefix, sizeof(rid_prefix), "%08x", rnd);
	if (!tb_mhd_errors_json())
		tb_log_warn("http",
		            "libmicrohttpd's own refusals (414, 431, malformed requests) "
		            "will answer HTML: its error pages cannot be replaced in this build");

	/* Connection memory: room for the headers we accept plus the read
	 * buffer. libmicrohttpd zeroes this pool on every request, so it is
	 * kept small; headers that overflow it get libmicrohttpd's own 431
	 * (in JSON: mhd_errors.c).
	 * TURBO: read/write before polling (measured ~10% more requests/s). */
	size_t mem = s->cfg.max_header * 2;
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
	        MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
	    s->cfg.max_conns, MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, MHD_OPTION_END);
	if (!s->d) {
		free(s);
		return tb_fail(f, TB_EUNAVAIL, "listen", "cannot listen (address in use?)");
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : ntohs(sa.sin_port);
	*out = s;
	return TB_OK;
}

uint16_t tb_http_port(const struct tb_http_server *s)
{
	return s->port;
}

void tb_http_stop(struct tb_http_server *s, unsigned grace_ms)
{
	if (!s)
		return;
	/* Not MHD_quiesce_daemon: with a pool of epoll threads it races the
	 * workers taking the listen socket out of their epoll sets, and
	 * libmicrohttpd aborts the process ("Failed to remove listen FD from
	 * epoll set", seen in CI runs). Instead a stopping node answers every
	 * new request 503 with Connection: close, so that clients and the
	 * load balancer go elsewhere, while the requests in flight finish. */
	atomic_store(&s->stopping, true);
	for (unsigned waited = 0; waited < grace_ms && atomic_load(&s->inflight) > 0;
	     waited += 10) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&s->inflight) > 0)
		tb_log_warn("http", "stopping with %d requests still in flight",
		            atomic_load(&s->inflight));
	MHD_stop_daemon(s->d);
	free(s);
}
