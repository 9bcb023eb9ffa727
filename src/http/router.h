/* The route table: method + path pattern ("/api/v1/regions/{code}") ->
 * handler, with the query parameters the route accepts. A path that
 * matches no pattern is 404; one that matches with another method is 405. */
#ifndef TB_HTTP_ROUTER_H
#define TB_HTTP_ROUTER_H

#include "http/req.h"

#include <stddef.h>

typedef void (*tb_handler)(struct tb_req *r);

/* A route whose body is multipart/form-data streamed as it arrives, never
 * held whole: begin runs once the headers are in (authorise, prepare;
 * false: it set the refusal), part for every chunk of every form field
 * (false: it set the refusal and the rest is not read), the route's
 * handler at the end, and abort when the request ends without it. */
struct tb_stream {
	bool (*begin)(struct tb_req *r);
	bool (*part)(struct tb_req *r, const char *key, const char *filename, const char *data,
	             size_t size);
	void (*abort)(struct tb_req *r);
	size_t max_body;
};

struct tb_route {
	const char *method;
	const char *pattern;
	tb_handler handler;
	/* Comma-separated query parameter names the route accepts; anything
	 * else is refused. NULL accepts any (pages read their own). */
	const char *query;
	const struct tb_stream *stream; /* NULL: a JSON body of at most --max-body */
};

/* The routes, in match order; the last entry has a NULL method. */
extern const struct tb_route tb_routes[];
/* Number of routes (metrics index them 0..n-1). */
size_t tb_routes_count(void);

enum tb_match { TB_MATCH_OK, TB_MATCH_NONE, TB_MATCH_METHOD };

/* Finds the route for method and path. On TB_MATCH_OK *route is set and the
 * {name} segments are copied into r->params (arena). On TB_MATCH_METHOD,
 * allow (arena string, e.g. "GET, POST") lists the methods the path takes. */
enum tb_match tb_route_match(struct tb_req *r, const char *method, const char *path,
                             const struct tb_route **route, const char **allow);
/* True when name is one of route->query's names. */
bool tb_route_accepts(const struct tb_route *route, const char *name);

#endif
