/* Grants of conditional resources: applied for by a consumer department,
 * answered by the provider within 10 working days, revocable, expiring
 * (see sharing.h). */
#include "sharing/sharing.h"
#include "base/arena.h"
#include "base/date.h"
#include "calendar/calendar.h"
#include "regions/regions.h"
#include "sharing/check.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Working days the provider has to answer (State Council 2016 No. 51). */
#define ANSWER_WORKDAYS 10

enum tb_err tb_share_grant_apply(struct tb_store *s, const struct tb_calendar *cal,
                                 const struct tb_ctx *ctx, const struct tb_share_resource *res,
                                 int64_t consumer, const char *purpose, json_t *fields, int64_t *id,
                                 struct tb_arena *a, struct tb_fail *f)
{
	if (!strcmp(res->sharing_type, "unconditional"))
		return tb_fail(f, TB_EINVAL, "resource",
		               "this resource is shared unconditionally: no grant is needed");
	if (strcmp(res->sharing_type, "conditional") != 0)
		return tb_fail(f, TB_EDENIED, "resource", "this resource is not shared");
	if (consumer == res->provider_id)
		return tb_fail(f, TB_EINVAL, "department_id",
		               "a department needs no grant for its own resource");
	struct tb_share_check k = {a, f, false};
	tb_share_text_ok(&k, "purpose", purpose ? purpose : "", 4, 500, true);
	tb_share_field_names(&k, fields, "fields", res->fields);
	if (k.bad)
		return TB_EINVAL;
	char due[11], *names = json_dumps(fields, JSON_COMPACT);
	int64_t today = tb_date_today();
	tb_date_format(tb_calendar_add_workdays(cal, today, ANSWER_WORKDAYS), due);
	char today_s[11];
	tb_date_format(today, today_s);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		struct tb_stmt *st;
		bool row = false;
		e = tb_conn_begin(c);
		if (e == TB_OK)
			e = tb_conn_query(c, &st, &row,
			                  "SELECT id FROM sharing_grants WHERE resource_id = ? AND"
			                  " consumer_id = ? AND (state = 'pending' OR (state ="
			                  " 'approved' AND expires_on >= ?))",
			                  "iis", res->id, consumer, today_s);
		if (e == TB_OK) {
			tb_stmt_reset(st);
			if (row)
				e = tb_fail(
				    f, TB_ECONFLICT, "resource",
				    "this department already holds or awaits a grant of it");
		}
		if (e == TB_OK) {
			e = tb_conn_query(
			    c, &st, &row,
			    "INSERT INTO sharing_grants (resource_id, consumer_id, purpose,"
			    " fields_requested, fields_granted, state, reason, requested_by,"
			    " requested_at, due_date) SELECT ?, id, ?, ?, '[]', 'pending', '',"
			    " ?, ?, ? FROM departments WHERE id = ? RETURNING id",
			    "issiisi", res->id, purpose, names, ctx->who->account_id,
			    (int64_t)time(NULL), due, consumer);
			*id = e == TB_OK && row ? tb_stmt_int(st, 0) : 0;
			tb_stmt_reset(st);
			if (e == TB_OK && !row)
				e = tb_fail(f, TB_EINVAL, "department_id", "no such department");
		}
		char obj[64];
		snprintf(obj, sizeof(obj), "sharing_grant:%lld", (long long)*id);
		e = tb_share_finish(c, ctx, e, "sharing.grant.apply", obj);
	}
	free(names);
	return e;
}

/* The grant's state and requested fields on c. */
static enum tb_err grant_on(struct tb_conn *c, int64_t id, char state[16], json_t **requested)
{
	struct tb_stmt *st;
	bool row;
	*requested = NULL;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT state, fields_requested FROM sharing_grants"
	                              " WHERE id = ?",
	                              "i", id);
	if (e == TB_OK && row) {
		snprintf(state, 16, "%s", tb_stmt_text(st, 0));
		*requested = json_loads(tb_stmt_text(st, 1), 0, NULL);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e == TB_OK && !*requested ? TB_EINTERNAL : e;
}

/* Checks the answer to a grant: the fields granted (a subset of those
 * requested; NULL: all of them), the end date (after today; NULL: a year
 * on) or the reason of a refusal. */
static void check_answer(struct tb_share_check *k, bool approve, json_t *fields, json_t *requested,
                         const char *expires_on, const char *reason, char expires[11])
{
	json_t *requested_fields = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(requested, i, n)
	    json_array_append_new(requested_fields, json_pack("{s:O}", "name", n));
	int64_t day, today = tb_date_today();
	if (approve) {
		if (fields)
			tb_share_field_names(k, fields, "fields", requested_fields);
		if (expires_on && (!tb_date_parse(expires_on, &day) || day <= today))
			tb_share_bad(k, "expires_on", "expected a date after today");
		tb_date_format(expires_on ? day : today + 365, expires);
	} else if (!reason || strlen(reason) < 2) {
		tb_share_bad(k, "reason", "a refusal states its reasons");
	} else {
		tb_share_text_ok(k, "reason", reason, 2, 500, true);
	}
	json_decref(requested_fields);
}

enum tb_err tb_share_grant_decide(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                                  bool approve, json_t *fields, const char *expires_on,
                                  const char *reason, struct tb_arena *a, struct tb_fail *f)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char state[16], expires[11] = "";
	json_t *requested = NULL;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = grant_on(c, id, state, &requested);
	if (e == TB_ENOTFOUND)
		tb_fail(f, e, "id", "no such grant");
	if (e == TB_OK && strcmp(state, "pending") != 0)
		e = tb_fail(f, TB_ECONFLICT, "id", "this grant has been answered already");
	struct tb_share_check k = {a, f, false};
	if (e == TB_OK) {
		check_answer(&k, approve, fields, requested, expires_on, reason, expires);
		if (k.bad)
			e = TB_EINVAL;
	}
	if (e == TB_OK) {
		char *granted = json_dumps(approve && fields ? fields : requested, JSON_COMPACT);
		e = tb_conn_run(
		    c, NULL,
		    "UPDATE sharing_grants SET state = ?, fields_granted = ?, reason = ?,"
		    " decided_by = ?, decided_at = ?, expires_on = ? WHERE id = ?",
		    "sssiisi", approve ? "approved" : "refused", approve ? granted : "[]",
		    approve ? "" : reason, ctx->who->account_id, (int64_t)time(NULL),
		    approve ? expires : NULL, id);
		free(granted);
	}
	char obj[64];
	snprintf(obj, sizeof(obj), "sharing_grant:%lld", (long long)id);
	e = tb_share_finish(c, ctx, e, approve ? "sharing.grant.approve" : "sharing.grant.refuse",
	                    obj);
	json_decref(requested);
	return e;
}

enum tb_err tb_share_grant_revoke(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                                  const char *reason, struct tb_fail *f)
{
	if (!reason || strlen(reason) < 2 || strlen(reason) > 1500)
		return tb_fail(f, TB_EINVAL, "reason", "a revocation states its reasons");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, &changed,
		    "UPDATE sharing_grants SET state = 'revoked', reason = ? WHERE id = ?"
		    " AND state = 'approved'",
		    "si", reason, id);
	if (e == TB_OK && !changed)
		e = tb_fail(f, TB_ECONFLICT, "id", "only an approved grant can be revoked");
	char obj[64];
	snprintf(obj, sizeof(obj), "sharing_grant:%lld", (long long)id);
	return tb_share_finish(c, ctx, e, "sharing.grant.revoke", obj);
}

enum tb_err tb_share_grant_parties(struct tb_store *s, int64_t id, int64_t *provider,
                                   int64_t *consumer)
{
	*provider = *consumer = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT r.provider_id, g.consumer_id FROM sharing_grants g JOIN"
	                  " sharing_resources r ON r.id = g.resource_id WHERE g.id = ?",
	                  "i", id);
	if (e == TB_OK && row) {
		*provider = tb_stmt_int(st, 0);
		*consumer = tb_stmt_int(st, 1);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_share_grants_list(struct tb_store *s, int64_t department, const char *region,
                                 bool overdue_only, json_t **out)
{
	*out = json_array();
	char today[11];
	tb_date_format(tb_date_today(), today);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char prefix[10], like[16];
	tb_region_prefix(region && *region ? region : "000000", prefix);
	snprintf(like, sizeof(like), "%s%%", prefix);
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT g.id, r.code, r.name, p.id, p.name, k.id, k.name, g.purpose,"
	    " g.fields_requested, g.fields_granted, g.state, g.reason, g.requested_at, g.due_date,"
	    " g.decided_at, g.expires_on FROM sharing_grants g"
	    " JOIN sharing_resources r ON r.id = g.resource_id"
	    " JOIN departments p ON p.id = r.provider_id JOIN departments k ON k.id = g.consumer_id"
	    " WHERE (? = 0 OR r.provider_id = ? OR g.consumer_id = ?) AND p.region LIKE ?"
	    " AND (? = 0 OR (g.state = 'pending' AND g.due_date < ?)) ORDER BY g.id DESC LIMIT 500",
	    "iiisis", department, department, department, like, (int64_t)overdue_only, today);
	while (e == TB_OK && row) {
		const char *state = tb_stmt_text(st, 10), *due = tb_stmt_text(st, 13);
		const char *expires = tb_stmt_text(st, 15);
		bool overdue = !strcmp(state, "pending") && strcmp(due, today) < 0;
		bool expired = !strcmp(state, "approved") && expires && strcmp(expires, today) < 0;
		json_t *g = json_pack(
		    "{s:I, s:{s:s, s:s}, s:{s:I, s:s}, s:{s:I, s:s}, s:s, s:o, s:o, s:s, s:s, s:I,"
		    " s:s, s:b, s:o, s:o}",
		    "id", (json_int_t)tb_stmt_int(st, 0), "resource", "code", tb_stmt_text(st, 1),
		    "name", tb_stmt_text(st, 2), "provider", "id", (json_int_t)tb_stmt_int(st, 3),
		    "name", tb_stmt_text(st, 4), "consumer", "id", (json_int_t)tb_stmt_int(st, 5),
		    "name", tb_stmt_text(st, 6), "purpose", tb_stmt_text(st, 7), "fields_requested",
		    json_loads(tb_stmt_text(st, 8), 0, NULL), "fields_granted",
		    json_loads(tb_stmt_text(st, 9), 0, NULL), "state", expired ? "expired" : state,
		    "reason", tb_stmt_text(st, 11), "requested_at", (json_int_t)tb_stmt_int(st, 12),
		    "due_date", due, "overdue", overdue, "decided_at",
		    tb_stmt_is_null(st, 14) ? json_null() : json_integer(tb_stmt_int(st, 14)),
		    "expires_on", expires ? json_string(expires) : json_null());
		if (g)
			json_array_append_new(*out, g);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}
