/* The most used services (常用服务) over HTTP: GET /api/v1/popular-items,
 * public like the catalog, for the home page. */
#include "app/app.h"
#include "base/buf.h"
#include "http/handlers.h"
#include "popular/popular.h"
#include "regions/regions.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void tb_handle_popular_items(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	long days = 90, limit = 8;
	if (!tb_req_query_int(r, "days", 1, 366, &days) ||
	    !tb_req_query_int(r, "limit", 1, 20, &limit))
		return;
	struct tb_popular_query q = {.since = (int64_t)time(NULL) - days * 86400,
	                             .limit = (int)limit};
	const struct tb_region *g;
	if (!tb_req_query_region(r, &g))
		return;
	char sig[10] = "";
	if (g) {
		/* Items offered at the region, above it and below it, as the
		 * catalog lists them. */
		const struct tb_region *path[4];
		int n = tb_regions_path(r->app->regions, g, path);
		for (int i = 0; i < n; i++)
			q.regions[q.nregions++] = path[i]->code;
		tb_region_prefix(g->code, sig);
		q.prefix = sig;
	}
	const char *items;
	enum tb_err e = tb_popular_items(r->app->store, &q, r->arena, &items);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	struct tb_buf b = TB_BUF_INIT;
	if (g)
		tb_buf_printf(&b, "{\"region\":\"%s\",", g->code);
	else
		tb_buf_adds(&b, "{\"region\":null,");
	tb_buf_printf(&b, "\"days\":%ld,\"items\":%s}", days, items);
	size_t len = b.len;
	tb_resp_take(r, 200, "application/json; charset=utf-8", tb_buf_take(&b), len);
}
