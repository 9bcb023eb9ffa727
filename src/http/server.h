/* The HTTP server: libmicrohttpd with a thread pool over epoll, the request
 * lifecycle (limits, routing, security headers, access log, metrics) and a
 * graceful stop. */
#ifndef TB_HTTP_SERVER_H
#define TB_HTTP_SERVER_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_app;
struct tb_http_server;

struct tb_http_config {
	const char *listen; /* "ADDR:PORT", IPv4; port 0 picks a free one */
	size_t max_body;    /* bytes of a request body; default 1 MiB */
	size_t max_header;  /* bytes of all request headers; default 16 KiB */
	unsigned max_conns; /* concurrent connections; default 1024 */
	unsigned timeout_s; /* idle connection timeout; default 30 */
	unsigned threads;   /* thread pool size; default: online CPUs */
	bool bench;         /* also serve GET /_bench/trivial */
	/* Addresses of the load balancers in front (comma-separated IPv4 or
	 * IPv6 addresses, or NULL): a request from one of them is taken to
	 * come from the last address its X-Forwarded-For names, the one the
	 * balancer itself added. Nobody else can set the client address. */
	const char *trusted_proxies;
};

/* Starts serving app. On failure f names "listen" and why. The caller
 * owns *out and must tb_http_stop it. */
enum tb_err tb_http_start(const struct tb_http_config *cfg, struct tb_app *app,
                          struct tb_http_server **out, struct tb_fail *f);
/* The port actually bound. */
uint16_t tb_http_port(const struct tb_http_server *s);
/* Answers every new request 503 (Connection: close) from now on, waits up
 * to grace_ms for the requests in flight to finish, then closes the
 * listen socket and the connections, stops the threads and frees s. */
void tb_http_stop(struct tb_http_server *s, unsigned grace_ms);
/* True when the bench-only routes are on (routes.c asks). */
bool tb_http_bench_enabled(void);

#endif
