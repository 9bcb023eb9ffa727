/* Reading cases (see cases.h): one case in full, its public progress,
 * and lists (an applicant's cases, a department's queue), each with the
 * clock: deadlines, remaining working days and colour. */
#include "base/crypto.h"
#include "base/date.h"
#include "base/json.h"
#include "base/jsonw.h"
#include "calendar/calendar.h"
#include "cases/cases.h"
#include "cases/commitments.h"
#include "cases/machine.h"
#include "cases/clock.h"
#include "cases/row.h"
#include "catalog/catalog.h"
#include "catalog/eligibility.h"
#include "regions/regions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The clock of r, written as an object: deadlines, remaining working
 * days, colour. */
static void clock_write(struct tb_jw *w, const struct tb_calendar *cal, const struct row *r,
                        int yellow)
{
	tb_jw_object(w);
	tb_jw_key(w, "accepted_on");
	tb_jw_str(w, r->accepted_on[0] ? r->accepted_on : NULL);
	tb_jw_key(w, "promised_due");
	tb_jw_str(w, r->promised_due[0] ? r->promised_due : NULL);
	/* The limits the case was opened with, in working days. */
	tb_jw_key(w, "promised_days");
	tb_jw_int(w, r->promised_days);
	tb_jw_key(w, "statutory_days");
	tb_jw_int(w, r->statutory_days);
	tb_jw_key(w, "statutory_due");
	tb_jw_str(w, r->statutory_due[0] ? r->statutory_due : NULL);
	tb_jw_key(w, "suspended");
	tb_jw_bool(w, r->suspended_on[0] != '\0');
	tb_jw_key(w, "extended");
	tb_jw_bool(w, r->extended);
	if (r->promised_due[0] && !tb_case_terminal(r->state)) {
		int left =
		    tb_clock_remaining(cal, tb_date_today(), tb_case_day_of(r->promised_due),
		                       r->suspended_on[0] ? tb_case_day_of(r->suspended_on) : 0);
		tb_jw_key(w, "remaining_workdays");
		tb_jw_int(w, left);
		tb_jw_key(w, "colour");
		tb_jw_str(w, tb_clock_colour(left, yellow));
	}
	tb_jw_end_object(w);
}

/* The same as a jansson value, for one case's views. */
static json_t *clock_json(const struct tb_calendar *cal, const struct row *r, int yellow)
{
	struct tb_buf b = TB_BUF_INIT;
	struct tb_jw w;
	tb_jw_init(&w, &b);
	clock_write(&w, cal, r, yellow);
	json_t *j = json_loads(b.data, 0, NULL);
	tb_buf_free(&b);
	return j;
}

static json_t *steps_json(struct tb_conn *c, int64_t id, bool personal)
{
	json_t *arr = json_array();
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT event, from_state, to_state, handler, opinion, at FROM"
	                  " case_steps WHERE case_id = ? ORDER BY id",
	                  "i", id);
	while (e == TB_OK && row) {
		char day[11];
		tb_date_format((tb_stmt_int(st, 5) + 8 * 3600) / 86400, day);
		json_t *s = json_pack("{s:s, s:s, s:s, s:s}", "event", tb_stmt_text(st, 0), "from",
		                      tb_stmt_text(st, 1), "to", tb_stmt_text(st, 2), "date", day);
		if (personal) {
			json_object_set_new(s, "at", json_integer(tb_stmt_int(st, 5)));
			json_object_set_new(s, "opinion", json_string(tb_stmt_text(st, 4)));
			json_object_set_new(s, "handler",
			                    tb_stmt_is_null(st, 3)
			                        ? json_null()
			                        : json_integer(tb_stmt_int(st, 3)));
		}
		json_array_append_new(arr, s);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return arr;
}

/* The identifiers of the certificates the case yielded. */
static json_t *certificates_json(struct tb_conn *c, int64_t id)
{
	json_t *arr = json_array();
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT identifier FROM certificates WHERE case_id = ? ORDER BY id", "i",
	    id);
	while (e == TB_OK && row) {
		json_array_append_new(arr, json_string(tb_stmt_text(st, 0)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return arr;
}

/* The applicant's name and code (identity number or credit code: what
 * the department verifies online, /api/v1/verify) and who in the
 * department handles the case ({id, name} or null), as {applicant_name,
 * applicant_code, assignee}. */
static json_t *people_json(struct tb_conn *c, int64_t id)
{
	struct tb_stmt *st;
	bool row;
	json_t *out =
	    json_pack("{s:s, s:s, s:n}", "applicant_name", "", "applicant_code", "", "assignee");
	if (tb_conn_query(c, &st, &row,
	                  "SELECT p.name, COALESCE(a.id, 0), a.name, p.login FROM cases x"
	                  " JOIN accounts p ON p.id = x.applicant_id"
	                  " LEFT JOIN accounts a ON a.id = x.assignee_id WHERE x.id = ?",
	                  "i", id) == TB_OK) {
		if (row) {
			json_object_set_new(out, "applicant_name",
			                    json_string(tb_stmt_text(st, 0)));
			json_object_set_new(out, "applicant_code",
			                    json_string(tb_stmt_text(st, 3)));
			if (tb_stmt_int(st, 1))
				json_object_set_new(out, "assignee",
				                    json_pack("{s:I, s:s}", "id",
				                              (json_int_t)tb_stmt_int(st, 1),
				                              "name", tb_stmt_text(st, 2)));
		}
		tb_stmt_reset(st);
	}
	return out;
}

/* The case's ratings (好差评), each with its follow-up when it is a bad
 * one: [{stage, score, text, at, followup: {state, due, note, done_at} or
 * null}], so that the applicant sees what became of a bad rating. */
static json_t *ratings_json(struct tb_conn *c, int64_t id)
{
	json_t *arr = json_array();
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT r.stage, r.score, r.text, r.created_at, f.id, f.state, f.due, f.note,"
	    " f.done_at FROM ratings r LEFT JOIN followups f ON f.rating_id = r.id"
	    " WHERE r.case_id = ? ORDER BY r.id",
	    "i", id);
	while (e == TB_OK && row) {
		json_t *fu = json_null();
		if (!tb_stmt_is_null(st, 4)) {
			const char *note = tb_stmt_text(st, 7);
			fu = json_pack("{s:s, s:s, s:o, s:o}", "state", tb_stmt_text(st, 5), "due",
			               tb_stmt_text(st, 6), "note",
			               note ? json_string(note) : json_null(), "done_at",
			               tb_stmt_is_null(st, 8) ? json_null()
			                                      : json_integer(tb_stmt_int(st, 8)));
		}
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:I, s:s, s:I, s:o}", "stage", tb_stmt_text(st, 0), "score",
		              (json_int_t)tb_stmt_int(st, 1), "text", tb_stmt_text(st, 2), "at",
		              (json_int_t)tb_stmt_int(st, 3), "followup", fu));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return arr;
}

/* The register of what was given for the case: each material, how it
 * arrived, who gave it and when, and the file's SM3. */
static json_t *given_json(struct tb_conn *c, int64_t id, bool refs)
{
	json_t *arr = json_array();
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT name, source, given_by, created_at, sm3, mime FROM"
	                              " materials WHERE case_id = ? ORDER BY id",
	                              "i", id);
	while (e == TB_OK && row) {
		json_t *g =
		    json_pack("{s:s, s:s, s:I, s:I, s:s}", "material", tb_stmt_text(st, 0),
		              "source", tb_stmt_text(st, 1), "by", (json_int_t)tb_stmt_int(st, 2),
		              "at", (json_int_t)tb_stmt_int(st, 3), "mime", tb_stmt_text(st, 5));
		if (refs)
			json_object_set_new(g, "sm3", json_string(tb_stmt_text(st, 4)));
		json_array_append_new(arr, g);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return arr;
}

/* The required materials of the item, each with how the case has it. */
static json_t *materials_view(struct tb_store *s, const struct row *r, bool refs,
                              struct tb_arena *a, json_t **rules)
{
	struct tb_item_meta meta;
	json_t *item = tb_case_item_doc(s, r->item_code, r->item_version, a, &meta);
	/* The item's eligibility rules, for the applicant's warning. */
	*rules = json_incref(json_object_get(item, "eligibility"));
	json_t *have = json_loads(r->materials, 0, NULL), *out = json_array();
	size_t i, k;
	json_t *m, *h;
	json_array_foreach(item ? json_object_get(item, "materials") : NULL, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		json_t *got = NULL;
		json_array_foreach(
		    have, k, h) if (!strcmp(name, json_string_value(json_object_get(h, "name"))))
		    got = h;
		json_t *v = json_pack(
		    "{s:s, s:O, s:s}", "name", name, "required", json_object_get(m, "required"),
		    "source", got ? json_string_value(json_object_get(got, "source")) : "missing");
		if (refs && got && json_object_get(got, "ref"))
			json_object_set(v, "ref", json_object_get(got, "ref"));
		/* A conditional material: the situation that needs it. */
		if (json_is_string(json_object_get(m, "condition")))
			json_object_set(v, "condition", json_object_get(m, "condition"));
		/* The platform checks it online at submission (cases/share.h):
		 * a required material only. */
		const char *need = json_string_value(json_object_get(m, "required"));
		if (json_is_string(json_object_get(m, "sharing_assertion")) && need &&
		    !strcmp(need, "required"))
			json_object_set_new(v, "online_check", json_true());
		/* May be given by a commitment instead (告知承诺制). */
		if (json_is_object(json_object_get(m, "commitment"))) {
			json_t *promise = json_deep_copy(json_object_get(m, "commitment"));
			/* The department can check it online afterwards. */
			json_object_set_new(
			    promise, "online",
			    json_boolean(json_is_string(json_object_get(m, "sharing_assertion"))));
			json_object_set_new(v, "commitment", promise);
		}
		json_array_append_new(out, v);
	}
	json_decref(item);
	json_decref(have);
	return out;
}

enum tb_err tb_case_read(struct tb_store *s, const struct tb_calendar *cal, const char *case_no,
                         int yellow_days, bool refs, struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct row r;
	e = tb_case_row_load(c, case_no, a, &r);
	json_t *steps = e == TB_OK ? steps_json(c, r.id, true) : NULL;
	json_t *certs = e == TB_OK ? certificates_json(c, r.id) : NULL;
	json_t *given = e == TB_OK ? given_json(c, r.id, refs) : NULL;
	json_t *people = e == TB_OK ? people_json(c, r.id) : NULL;
	json_t *ratings = e == TB_OK ? ratings_json(c, r.id) : NULL;
	json_t *commitments = e == TB_OK ? tb_commitments_of_case_on(c, r.id) : NULL;
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:s, s:I, s:s, s:I}", "case_no", r.case_no,
	              "state", r.state, "item", r.item_code, "item_version", (int)r.item_version,
	              "item_name", r.item_name, "department_id", (json_int_t)r.department, "region",
	              r.region, "applicant_id", (json_int_t)r.applicant, "channel", r.channel,
	              "visits", (json_int_t)r.visits);
	json_object_set_new(j, "agent_id", r.agent ? json_integer(r.agent) : json_null());
	json_object_set_new(j, "case_kind", json_string(r.case_kind));
	json_object_set_new(j, "form", json_loads(r.form, 0, NULL));
	json_t *rules = NULL;
	json_object_set_new(j, "materials", materials_view(s, &r, refs, a, &rules));
	/* What the catalog's rules say of this applicant (a warning; the
	 * department decides by the conditions). */
	json_t *fit = tb_eligibility_check(
	    rules, json_string_value(json_object_get(people, "applicant_code")), tb_date_today());
	json_object_set_new(j, "eligibility", fit ? fit : json_null());
	json_decref(rules);
	json_object_set_new(j, "corrections",
	                    r.corrections ? json_loads(r.corrections, 0, NULL) : json_null());
	json_object_set_new(j, "clock", clock_json(cal, &r, yellow_days));
	json_object_set_new(j, "steps", steps);
	json_object_set_new(j, "certificates", certs);
	json_object_set_new(j, "given", given);
	json_object_set_new(j, "ratings", ratings);
	json_object_set_new(j, "commitments", commitments);
	json_object_update(j, people);
	json_decref(people);
	*text = tb_json_take(j, a);
	return TB_OK;
}

enum tb_err tb_case_progress(struct tb_store *s, const struct tb_calendar *cal, const char *case_no,
                             const char *code, int yellow_days, struct tb_arena *a,
                             const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct row r;
	e = tb_case_row_load(c, case_no, a, &r);
	char salted[160], hash[TB_SM3_HEX], stored[TB_SM3_HEX] = "";
	snprintf(salted, sizeof(salted), "%s:%s", case_no, code ? code : "");
	tb_sm3_hex(salted, strlen(salted), hash);
	struct tb_stmt *st;
	bool row;
	if (e == TB_OK && tb_conn_query(c, &st, &row,
	                                "SELECT query_hash, d.name FROM cases x"
	                                " JOIN departments d ON d.id = x.department_id"
	                                " WHERE x.id = ?",
	                                "i", r.id) == TB_OK) {
		if (row)
			tb_case_copy(stored, sizeof(stored), tb_stmt_text(st, 0));
		const char *dept = row ? tb_arena_strdup(a, tb_stmt_text(st, 1)) : "";
		tb_stmt_reset(st);
		/* A wrong code looks exactly like no case. */
		if (!tb_streq_ct(hash, stored)) {
			e = TB_ENOTFOUND;
		} else {
			json_t *j = json_pack(
			    "{s:s, s:s, s:s, s:s, s:o, s:o}", "case_no", r.case_no, "item_name",
			    r.item_name, "department", dept, "state", r.state, "clock",
			    clock_json(cal, &r, yellow_days), "steps", steps_json(c, r.id, false));
			*text = tb_json_take(j, a);
		}
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_case_list(struct tb_store *s, const struct tb_calendar *cal,
                         const struct tb_case_filter *f, int yellow_days, struct tb_arena *a,
                         struct tb_jw *w)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* "" stands for any state (no state is empty). */
	const char *state = f->state ? f->state : "";
	/* After the row: the applicant's name and the assignee (columns 33-35). */
#define APPLICANT_NAME "(SELECT name FROM accounts WHERE id = cases.applicant_id)"
#define ASSIGNEE_NAME  "(SELECT name FROM accounts WHERE id = cases.assignee_id)"
#define LIST_COLS      ROW_COLS_BRIEF ", " APPLICANT_NAME ", COALESCE(assignee_id, 0), " ASSIGNEE_NAME
	if (f->applicant)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " LIST_COLS " FROM cases WHERE applicant_id = ?"
		                  " AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?",
		                  "issi", f->applicant, state, state, (int64_t)f->limit);
	else if (f->window)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " LIST_COLS " FROM cases WHERE window_department_id = ?"
		                  " AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?",
		                  "issi", f->window, state, state, (int64_t)f->limit);
	else if (f->overdue_region) {
		/* The rule of the indicators' "overdue" (indicators.c count_case):
		 * accepted, not suspended, its queue deadline before today. */
		char today[11], lo[10], hi[12];
		tb_date_format(tb_date_today(), today);
		tb_region_prefix(f->overdue_region, lo);
		snprintf(hi, sizeof(hi), "%s~", lo);
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT " LIST_COLS ", (SELECT name FROM departments WHERE id ="
		    " cases.department_id) FROM cases WHERE region >= ? AND region < ?"
		    " AND queue_due < ? AND accepted_on IS NOT NULL"
		    " AND suspended_on IS NULL AND (? = '' OR state = ?)"
		    " ORDER BY queue_due, id LIMIT ?",
		    "sssssi", lo, hi, today, state, state, (int64_t)f->limit);
	} else {
		/* Overdue: the promised deadline (YYYY-MM-DD, so text order is date
		 * order) lies before today and the clock is not stopped. */
		char today[11];
		tb_date_format(tb_date_today(), today);
		const char *item = f->item ? f->item : "";
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " LIST_COLS " FROM cases WHERE department_id = ?"
		                  " AND queue_due IS NOT NULL AND (? = '' OR state = ?)"
		                  " AND (? = '' OR item_code = ?)"
		                  " AND (? = 0 OR (promised_due < ? AND suspended_on IS NULL))"
		                  " AND (? = 0 OR assignee_id = ?)"
		                  " ORDER BY queue_due, id LIMIT ?",
		                  "issssisiii", f->department, state, state, item, item,
		                  (int64_t)f->overdue, today, f->assignee, f->assignee,
		                  (int64_t)f->limit);
	}
#undef LIST_COLS
#undef APPLICANT_NAME
#undef ASSIGNEE_NAME
	/* Written as text: a queue of 200 built as jansson values, printed,
	 * spent most of its time there. */
	tb_jw_array(w);
	while (e == TB_OK && row) {
		struct row r;
		tb_case_row_read(st, a, &r);
		tb_jw_object(w);
		const char *const texts[][2] = {{"case_no", r.case_no},
		                                {"state", r.state},
		                                {"item", r.item_code},
		                                {"item_name", r.item_name},
		                                {"channel", r.channel}};
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			tb_jw_key(w, texts[i][0]);
			tb_jw_str(w, texts[i][1]);
		}
		tb_jw_key(w, "clock");
		clock_write(w, cal, &r, yellow_days);
		tb_jw_key(w, "submitted_at");
		if (r.submitted_at)
			tb_jw_int(w, r.submitted_at);
		else
			tb_jw_null(w);
		/* Not who applied for the supervisor, who needs no applicant's
		 * name: which department is late (column 36). */
		if (!f->overdue_region) {
			const char *name = tb_stmt_text(st, 33);
			tb_jw_key(w, "applicant_name");
			tb_jw_str(w, name ? name : "");
		}
		int64_t assignee = tb_stmt_int(st, 34);
		const char *aname = tb_stmt_text(st, 35);
		tb_jw_key(w, "assignee");
		if (assignee) {
			tb_jw_object(w);
			tb_jw_key(w, "id");
			tb_jw_int(w, assignee);
			tb_jw_key(w, "name");
			tb_jw_str(w, aname ? aname : "");
			tb_jw_end_object(w);
		} else {
			tb_jw_null(w);
		}
		if (f->overdue_region) {
			const char *dname = tb_stmt_text(st, 36);
			tb_jw_key(w, "region");
			tb_jw_str(w, r.region);
			tb_jw_key(w, "department_id");
			tb_jw_int(w, r.department);
			tb_jw_key(w, "department_name");
			tb_jw_str(w, dname ? dname : "");
		}
		tb_jw_end_object(w);
		e = tb_stmt_step(st, &row);
	}
	tb_jw_end_array(w);
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

bool tb_case_state_known(const char *state)
{
	const char *from, *event, *role, *to;
	for (int i = 0; tb_machine_row(i, &from, &event, &role, &to); i++)
		if (!strcmp(state, from) || !strcmp(state, to))
			return true;
	return false;
}
