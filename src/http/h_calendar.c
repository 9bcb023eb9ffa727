/* Working-day arithmetic over HTTP: add N working days to a date, count
 * the working days between two dates, list a year's exceptions. */
#include "app/app.h"
#include "base/date.h"
#include "calendar/calendar.h"
#include "http/handlers.h"
#include "calendar/calendar_store.h"

#include <stdlib.h>
#include <string.h>

/* Parses a required date parameter; on failure sends 400. */
static bool date_param(struct tb_req *r, const char *name, int64_t *day)
{
	const char *s = tb_req_query(r, name);
	if (!s) {
		tb_resp_error(r, TB_EINVAL, name, "required (YYYY-MM-DD)");
		return false;
	}
	if (!tb_date_parse(s, day)) {
		tb_resp_error(r, TB_EINVAL, name, "expected a real date as YYYY-MM-DD");
		return false;
	}
	return true;
}

static json_t *date_json(int64_t day)
{
	char buf[11];
	tb_date_format(day, buf);
	return json_string(buf);
}

void tb_handle_calendar_add(struct tb_req *r)
{
	int64_t from;
	if (!date_param(r, "from", &from))
		return;
	const char *ds = tb_req_query(r, "days");
	char *end = NULL;
	long days = ds ? strtol(ds, &end, 10) : 0;
	if (!ds || !*ds || *end || days < -3650 || days > 3650) {
		tb_resp_error(r, TB_EINVAL, "days", "required: an integer from -3650 to 3650");
		return;
	}
	const struct tb_calendar *cal = r->app->calendar;
	int64_t to = tb_calendar_add_workdays(cal, from, (int)days);
	json_t *j = json_object();
	json_object_set_new(j, "from", date_json(from));
	json_object_set_new(j, "days", json_integer(days));
	json_object_set_new(j, "date", date_json(to));
	json_object_set_new(
	    j, "calendar_covers",
	    json_boolean(tb_calendar_covers(cal, from) && tb_calendar_covers(cal, to)));
	tb_resp_json(r, 200, j);
}

void tb_handle_calendar_count(struct tb_req *r)
{
	int64_t from, to;
	if (!date_param(r, "from", &from) || !date_param(r, "to", &to))
		return;
	if (llabs(to - from) > 36600) {
		tb_resp_error(r, TB_EINVAL, "to", "at most 100 years after or before from");
		return;
	}
	const struct tb_calendar *cal = r->app->calendar;
	json_t *j = json_object();
	json_object_set_new(j, "from", date_json(from));
	json_object_set_new(j, "to", date_json(to));
	json_object_set_new(j, "workdays", json_integer(tb_calendar_count_workdays(cal, from, to)));
	json_object_set_new(
	    j, "calendar_covers",
	    json_boolean(tb_calendar_covers(cal, from) && tb_calendar_covers(cal, to)));
	tb_resp_json(r, 200, j);
}

void tb_handle_calendar_days(struct tb_req *r)
{
	const char *ys = tb_req_query(r, "year");
	char *end = NULL;
	long year = ys ? strtol(ys, &end, 10) : 0;
	if (!ys || !*ys || *end || year < 1900 || year > 2200) {
		tb_resp_error(r, TB_EINVAL, "year", "required: a year from 1900 to 2200");
		return;
	}
	struct tb_calendar_day *days;
	size_t n;
	enum tb_err e = tb_calendar_year(r->app->store, (int)year, r->arena, &days, &n);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "date", days[i].date,
		                                       "kind", days[i].kind, "name", days[i].name));
	json_t *j = json_object();
	json_object_set_new(j, "year", json_integer(year));
	json_object_set_new(j, "published", json_boolean(json_array_size(items) > 0));
	json_object_set_new(j, "items", items);
	json_object_set_new(j, "total", json_integer((json_int_t)json_array_size(items)));
	tb_resp_json(r, 200, j);
}
