/* Ratings and follow-ups (see ratings.h). */
#include "regions/regions.h"
#include "cases/indicators.h"
#include "cases/ratings.h"
#include "base/date.h"
#include "base/utf8.h"
#include "calendar/calendar.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum tb_err tb_rating_add(struct tb_store *s, const struct tb_calendar *cal,
                          const struct tb_ctx *ctx, const char *case_no, int score,
                          const char *text, const char *channel, int64_t *followup,
                          struct tb_fail *f)
{
	*followup = 0;
	static const char *const channels[] = {"web", "mobile", "tablet", "phone", "sms"};
	bool ok = false;
	for (size_t i = 0; channel && i < sizeof(channels) / sizeof(channels[0]); i++)
		ok |= strcmp(channel, channels[i]) == 0;
	if (score < 1 || score > 5)
		return tb_fail(f, TB_EINVAL, "score",
		               "1 (very satisfied) to 5 (very dissatisfied)");
	if (!ok)
		return tb_fail(f, TB_EINVAL, "channel", "one of web, mobile, tablet, phone, sms");
	if (!text || strlen(text) > 2000 || !tb_utf8_valid(text, strlen(text)))
		return tb_fail(f, TB_EINVAL, "text", "at most 2000 bytes of text");
	if (score >= 4 && strlen(text) == 0)
		return tb_fail(f, TB_EINVAL, "text", "say what went wrong");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	int64_t case_id = 0, dept = 0;
	char state[24] = "", region[10] = "";
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, state, department_id, region FROM cases WHERE case_no = ?",
	                  "s", case_no);
	if (e == TB_OK && row) {
		case_id = tb_stmt_int(st, 0);
		snprintf(state, sizeof(state), "%s", tb_stmt_text(st, 1));
		dept = tb_stmt_int(st, 2);
		snprintf(region, sizeof(region), "%s", tb_stmt_text(st, 3));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	const char *stage = !strcmp(state, "completed") ? "completed"
	                    : (!strcmp(state, "accepted") || !strcmp(state, "under_review") ||
	                       !strcmp(state, "suspended") || !strcmp(state, "approved"))
	                        ? "accepted"
	                        : NULL;
	if (e == TB_OK && !stage)
		e = tb_fail(f, TB_ECONFLICT, "state", "rate a case once accepted or completed");
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK)
		e = tb_conn_begin(c);
	int64_t rating = 0;
	if (e == TB_OK) {
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO ratings (case_id, stage, score, text, channel, real_name,"
		    " department_id, region, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)"
		    " RETURNING id",
		    "isissisi", case_id, stage, (int64_t)score, text, channel, dept, region, now);
		if (e == TB_OK) {
			rating = row ? tb_stmt_int(st, 0) : 0;
			tb_stmt_reset(st);
		} else if (e == TB_ECONFLICT) {
			tb_fail(f, e, "stage", "this case was rated at this stage already");
		}
	}
	if (e == TB_OK)
		e = tb_indicators_rating_on(c, region, dept, score, now);
	if (e == TB_OK && score >= 4) {
		/* Every real-name bad rating is followed up. */
		char due[11];
		tb_date_format(tb_calendar_add_workdays(cal, tb_date_today(), 5), due);
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO followups (rating_id, department_id, region, due, state)"
		    " VALUES (?, ?, ?, ?, 'open') RETURNING id",
		    "iiss", rating, dept, region, due);
		if (e == TB_OK) {
			*followup = row ? tb_stmt_int(st, 0) : 0;
			tb_stmt_reset(st);
		}
	}
	char obj[96];
	snprintf(obj, sizeof(obj), "case:%s", case_no);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "case.rate", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e != TB_OK)
		*followup = 0;
	return e;
}

enum tb_err tb_followups(struct tb_store *s, const char *region, struct tb_arena *a,
                         const char **text)
{
	*text = NULL;
	char lo[10], hi[12];
	tb_region_prefix(region, lo);
	snprintf(hi, sizeof(hi), "%s~", lo);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *items = json_array();
	int64_t bad = 0, done = 0;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT f.id, f.state, f.due, f.note, r.score, r.text, x.case_no,"
	                  " f.department_id FROM followups f JOIN ratings r ON r.id = f.rating_id"
	                  " JOIN cases x ON x.id = r.case_id WHERE f.region >= ? AND f.region < ?"
	                  " ORDER BY f.state DESC, f.due, f.id LIMIT 500",
	                  "ss", lo, hi);
	while (e == TB_OK && row) {
		const char *note = tb_stmt_text(st, 3);
		json_array_append_new(items,
		                      json_pack("{s:I, s:s, s:s, s:o, s:I, s:s, s:s, s:I}", "id",
		                                (json_int_t)tb_stmt_int(st, 0), "state",
		                                tb_stmt_text(st, 1), "due", tb_stmt_text(st, 2),
		                                "note", note ? json_string(note) : json_null(),
		                                "score", (json_int_t)tb_stmt_int(st, 4), "text",
		                                tb_stmt_text(st, 5), "case_no", tb_stmt_text(st, 6),
		                                "department_id", (json_int_t)tb_stmt_int(st, 7)));
		bad++;
		done += strcmp(tb_stmt_text(st, 1), "done") == 0;
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	/* The rate counts every follow-up of the region, not only those listed. */
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0"
		    " END), 0) FROM followups WHERE region >= ? AND region < ?",
		    "ss", lo, hi);
	if (e == TB_OK && row) {
		bad = tb_stmt_int(st, 0);
		done = tb_stmt_int(st, 1);
	}
	if (e == TB_OK)
		tb_stmt_reset(st);
	tb_store_release(c);
	json_t *j = json_pack("{s:o, s:I, s:I, s:o}", "items", items, "bad_ratings",
	                      (json_int_t)bad, "followed_up", (json_int_t)done, "follow_up_rate",
	                      bad ? json_real((double)done / (double)bad) : json_null());
	char *t = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (e == TB_OK)
		*text = tb_arena_strdup(a, t);
	free(t);
	return e;
}

enum tb_err tb_followup_department(struct tb_store *s, int64_t id, int64_t *department)
{
	*department = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT department_id FROM followups WHERE id = ?", "i",
	                  id);
	if (e == TB_OK && row)
		*department = tb_stmt_int(st, 0);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_followup_close(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                              const char *note, struct tb_fail *f)
{
	if (!note || strlen(note) < 2 || strlen(note) > 2000)
		return tb_fail(f, TB_EINVAL, "note", "say what was done (2 to 2000 bytes)");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, &changed,
		    "UPDATE followups SET state = 'done', note = ?, handler = ?, done_at = ?"
		    " WHERE id = ? AND state = 'open'",
		    "siii", note, ctx->who->account_id, (int64_t)time(NULL), id);
	if (e == TB_OK && changed == 0)
		e = tb_fail(f, TB_ECONFLICT, "id", "not an open follow-up");
	if (e == TB_OK)
		e = tb_indicators_followup_on(c, id);
	char obj[40];
	snprintf(obj, sizeof(obj), "followup:%lld", (long long)id);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "rating.followup", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}
