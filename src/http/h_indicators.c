/* GET /api/v1/indicators?region=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD
 * [&departments=true]: the public indicators of a region and of each region
 * one level down (and of each department within it), over a period
 * (aggregates only: see src/cases/indicators.h). */
#include "app/app.h"
#include "base/date.h"
#include "cases/indicators.h"
#include "http/handlers.h"
#include "regions/regions.h"

#include <string.h>

/* A period longer than this many days is refused: 3 years (one leap day). */
#define MAX_SPAN_DAYS (3 * 365 + 1)

/* Parses the date parameter name into *day; on failure sends 400. */
static bool date_param(struct tb_req *r, const char *name, int64_t *day)
{
	const char *v = tb_req_query(r, name);
	if (!v)
		return true;
	if (!tb_date_parse(v, day)) {
		tb_resp_error(r, TB_EINVAL, name, "a date YYYY-MM-DD");
		return false;
	}
	return true;
}

void tb_handle_indicators(struct tb_req *r)
{
	if (!tb_req_allow(r, "indicators.read", NULL))
		return;
	const char *q = tb_req_query(r, "region");
	char canon[10];
	if (q && !tb_region_code_normalize(q, canon)) {
		tb_resp_error(r, TB_EINVAL, "region", "a GB/T 2260 code of 2, 4 or 6 digits");
		return;
	}
	/* Omitted or 000000: the province this deployment serves. */
	if (!q || !strcmp(canon, "000000"))
		memcpy(canon, r->app->province, sizeof(canon));
	const struct tb_region *g =
	    strcmp(canon, "000000") ? tb_regions_find(r->app->regions, canon) : NULL;
	if (strcmp(canon, "000000") && !g) {
		tb_resp_error(r, TB_EINVAL, "region", "no such GB/T 2260 region");
		return;
	}
	int64_t today = tb_date_today(), to = today, from;
	if (!date_param(r, "to", &to))
		return;
	/* From the first day of to's month (this month when to is omitted). */
	int y, m, d;
	tb_date_to_ymd(to, &y, &m, &d);
	from = tb_date_from_ymd(y, m, 1);
	if (!date_param(r, "from", &from))
		return;
	if (from > to) {
		tb_resp_error(r, TB_EINVAL, "from", "after to");
		return;
	}
	if (to - from + 1 > MAX_SPAN_DAYS) {
		tb_resp_error(r, TB_EINVAL, "from", "a period of at most 3 years");
		return;
	}
	bool departments;
	if (!tb_req_query_flag(r, "departments", &departments))
		return;
	const char *text;
	enum tb_err e =
	    tb_indicators_read(tb_app_reader(r->app), r->app->regions, canon, g ? g->name : "全国",
	                       from, to, departments, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}
