/* Segment-by-segment matching of paths against the route patterns. The
 * table is small (tens of routes), so a linear scan is cheaper than any
 * index; patterns are compared without allocation. */
#include "http/router.h"

#include <string.h>

size_t tb_routes_count(void)
{
	size_t n = 0;
	while (tb_routes[n].method)
		n++;
	return n;
}

/* Matches path against pattern; on success copies parameters into r. */
static bool match(struct tb_req *r, const char *pattern, const char *path, bool capture)
{
	const char *p = pattern, *s = path;
	int np = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			if (!pe)
				return false;
			if (!se)
				se = s + strlen(s);
			if (se == s || np >= TB_REQ_MAX_PARAMS)
				return false;
			if (capture)
				r->params[np] = tb_arena_strndup(r->arena, s, (size_t)(se - s));
			np++;
			p = pe + 1;
			s = se;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

enum tb_match tb_route_match(struct tb_req *r, const char *method, const char *path,
                             const struct tb_route **route, const char **allow)
{
	*route = NULL;
	*allow = NULL;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	bool path_known = false;
	char methods[64] = "";
	size_t mlen = 0;
	for (const struct tb_route *rt = tb_routes; rt->method; rt++) {
		if (!match(r, rt->pattern, path, false))
			continue;
		if (strcmp(rt->method, method) == 0) {
			match(r, rt->pattern, path, true);
			*route = rt;
			return TB_MATCH_OK;
		}
		path_known = true;
		size_t l = strlen(rt->method);
		if (!strstr(methods, rt->method) && mlen + l + 3 < sizeof(methods)) {
			if (mlen) {
				memcpy(methods + mlen, ", ", 2);
				mlen += 2;
			}
			memcpy(methods + mlen, rt->method, l + 1);
			mlen += l;
		}
	}
	if (!path_known)
		return TB_MATCH_NONE;
	*allow = tb_arena_strdup(r->arena, methods);
	return TB_MATCH_METHOD;
}

bool tb_route_accepts(const struct tb_route *route, const char *name)
{
	if (!route->query)
		return true;
	size_t n = strlen(name);
	for (const char *q = route->query; *q;) {
		const char *comma = strchr(q, ',');
		size_t l = comma ? (size_t)(comma - q) : strlen(q);
		if (l == n && strncmp(q, name, n) == 0)
			return true;
		if (!comma)
			break;
		q = comma + 1;
	}
	return false;
}
