/* The verification query: the access rules, the answer (assertions or the
 * fields asked, nothing more) and the use log written, answered or
 * refused, before the answer leaves (see sharing.h). */
#include "sharing/sharing.h"
#include "audit/audit.h"
#include "base/arena.h"
#include "base/date.h"
#include "base/utf8.h"
#include "sharing/check.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One use of data, as logged. */
struct use {
	const struct tb_ctx *ctx;
	const char *subject, *resource_code, *fields, *assertions, *purpose, *case_no;
	const char *reason; /* why it was refused; NULL when answered */
	int64_t resource_id, consumer;
	bool answered, by_platform;
	int64_t id; /* out */
};

static enum tb_err log_use(struct tb_conn *c, void *arg)
{
	struct use *u = arg;
	char actor[48];
	tb_ctx_actor(u->ctx, actor, sizeof(actor));
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "INSERT INTO data_uses (at, subject, resource_id, consumer_id, actor, official_id,"
	    " fields, assertions, purpose, case_no, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?) RETURNING id",
	    "isiisIssssss", (int64_t)time(NULL), u->subject, u->resource_id, u->consumer, actor,
	    u->ctx->who->kind == TB_PERSON && !u->by_platform ? u->ctx->who->account_id : 0,
	    u->fields, u->assertions, u->purpose, u->case_no, u->answered ? "answered" : "refused",
	    u->reason ? u->reason : "");
	u->id = e == TB_OK && row ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	if (e != TB_OK)
		return e;
	char obj[200];
	snprintf(obj, sizeof(obj), "data_use:%lld;resource:%s;subject:%s;case:%s;department:%lld",
	         (long long)u->id, u->resource_code, u->subject, u->case_no,
	         (long long)u->consumer);
	return tb_ctx_audit(c, u->ctx, "sharing.verify", obj, u->answered ? "ok" : "denied");
}

/* Text fit for the log: what a client sent, kept to letters, digits and
 * a few marks, at most max bytes (a refused query's values can be any). */
static const char *loggable(struct tb_arena *a, const char *s, size_t max)
{
	char *out = tb_arena_alloc(a, max + 1);
	size_t n = 0;
	for (; s && *s && n < max; s++)
		if (isalnum((unsigned char)*s) || *s == '/' || *s == '-' || *s == '_')
			out[n++] = *s;
	out[n] = '\0';
	return out;
}

/* Whether assertion a holds over record data (NULL: no record). */
static bool holds(json_t *a, json_t *data)
{
	const char *op = json_string_value(json_object_get(a, "op"));
	json_t *v = json_object_get(data, json_string_value(json_object_get(a, "field")));
	json_t *want = json_object_get(a, "value");
	if (!v || json_is_null(v))
		return false;
	if (!strcmp(op, "present"))
		return true;
	if (!strcmp(op, "not_expired")) {
		char today[11];
		tb_date_format(tb_date_today(), today);
		return json_is_string(v) && strcmp(json_string_value(v), today) >= 0;
	}
	if (!strcmp(op, "in")) {
		size_t i;
		json_t *w;
		json_array_foreach(want, i, w) if (json_equal(v, w)) return true;
		return false;
	}
	int cmp;
	if (json_is_number(v) && json_is_number(want)) {
		double x = json_number_value(v), y = json_number_value(want);
		cmp = x < y ? -1 : x > y;
	} else if (json_is_string(v) && json_is_string(want)) {
		cmp = strcmp(json_string_value(v), json_string_value(want));
	} else {
		cmp = json_equal(v, want) ? 0 : 1;
	}
	if (!strcmp(op, "eq"))
		return cmp == 0;
	if (!strcmp(op, "ne"))
		return cmp != 0;
	if (!strcmp(op, "gte"))
		return json_typeof(v) == json_typeof(want) ? cmp >= 0 : false;
	return json_typeof(v) == json_typeof(want) ? cmp <= 0 : false;
}

/* The assertions of res named by names (array) into *picked (new array);
 * their fields into *fields. The first unknown name is the problem. */
static void pick_assertions(struct tb_share_check *k, const struct tb_share_resource *res,
                            json_t *names, json_t **picked, json_t **fields)
{
	*picked = json_array();
	*fields = json_array();
	if (!json_is_array(names) || json_array_size(names) < 1 || json_array_size(names) > 20) {
		tb_share_bad(k, "assertions", "expected 1 to 20 assertion names");
		return;
	}
	size_t i, j;
	json_t *n, *a;
	json_array_foreach(names, i, n)
	{
		json_t *found = NULL;
		json_array_foreach(res->assertions, j,
		                   a) if (json_equal(json_object_get(a, "name"), n)) found = a;
		if (!found) {
			tb_share_bad(k, tb_arena_printf(k->a, "assertions[%zu]", i),
			             "not an assertion of this resource");
			return;
		}
		json_array_append(*picked, found);
		json_t *field = json_object_get(found, "field");
		bool seen = false;
		json_array_foreach(*fields, j, a) seen = seen || json_equal(a, field);
		if (!seen)
			json_array_append(*fields, field);
	}
}

/* The consumer's grant of res on c: the fields granted (new array), or
 * NULL when it holds no approved grant that runs today. */
static enum tb_err granted_on(struct tb_conn *c, const struct tb_share_resource *res,
                              int64_t consumer, json_t **fields)
{
	*fields = NULL;
	char today[11];
	tb_date_format(tb_date_today(), today);
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT fields_granted FROM sharing_grants WHERE"
	                              " resource_id = ? AND consumer_id = ? AND state ="
	                              " 'approved' AND expires_on >= ? ORDER BY id DESC LIMIT 1",
	                              "iis", res->id, consumer, today);
	if (e == TB_OK && row)
		*fields = json_loads(tb_stmt_text(st, 0), 0, NULL);
	tb_stmt_reset(st);
	return e;
}

/* Whether case_no on c is a case of consumer (deciding it or received at
 * its window), past its draft (or, submitting, a draft or a correction
 * being submitted), whose applicant or agent is subject; else *reason. */
static enum tb_err case_serves(struct tb_conn *c, const char *case_no, int64_t consumer,
                               const char *subject, bool submitting, const char **reason)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT c.department_id, c.window_department_id, c.state, a.login, g.login"
	    " FROM cases c JOIN accounts a ON a.id = c.applicant_id"
	    " LEFT JOIN accounts g ON g.id = c.agent_id WHERE c.case_no = ?",
	    "s", case_no);
	*reason = NULL;
	if (e == TB_OK && !row) {
		*reason = "no such case";
	} else if (e == TB_OK) {
		const char *state = tb_stmt_text(st, 2), *applicant = tb_stmt_text(st, 3),
		           *agent = tb_stmt_text(st, 4);
		if (tb_stmt_int(st, 0) != consumer && tb_stmt_int(st, 1) != consumer)
			*reason = "the case is not handled by this department";
		else if (submitting ? strcmp(state, "draft") && strcmp(state, "needs_correction")
		                    : !strcmp(state, "draft") || !strcmp(state, "withdrawn"))
			*reason = "the case is not before the department";
		else if (strcmp(applicant, subject) != 0 && !(agent && !strcmp(agent, subject)))
			*reason = "the subject is neither the applicant nor the agent of the case";
	}
	tb_stmt_reset(st);
	return e;
}

void tb_share_case_departments(struct tb_store *s, const char *case_no, int64_t *department,
                               int64_t *window)
{
	*department = *window = 0;
	struct tb_conn *c;
	if (tb_store_acquire(s, &c) != TB_OK)
		return;
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(c, &st, &row,
	                  "SELECT department_id, window_department_id FROM cases WHERE case_no = ?",
	                  "s", case_no) == TB_OK &&
	    row) {
		*department = tb_stmt_int(st, 0);
		*window = tb_stmt_int(st, 1);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
}

/* The record of subject (NULL when none) into *data. */
static enum tb_err record_on(struct tb_conn *c, int64_t resource, const char *subject,
                             json_t **data)
{
	*data = NULL;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT data FROM sharing_records WHERE resource_id = ? AND"
	                              " subject = ?",
	                              "is", resource, subject);
	if (e == TB_OK && row)
		*data = json_loads(tb_stmt_text(st, 0), 0, NULL);
	tb_stmt_reset(st);
	return e;
}

/* Whether every name in want is in have (both arrays of strings). */
static bool within(json_t *want, json_t *have)
{
	size_t i, j;
	json_t *w, *h;
	json_array_foreach(want, i, w)
	{
		bool found = false;
		json_array_foreach(have, j, h) found = found || json_equal(w, h);
		if (!found)
			return false;
	}
	return true;
}

/* The rules, in order; the answer into *out when they all pass. */
static enum tb_err decide(struct tb_conn *c, int64_t consumer, const struct tb_share_query *q,
                          const struct tb_share_resource *res, const char *subject, json_t *asked,
                          json_t *picked, json_t **out, struct tb_share_check *k)
{
	if (!strcmp(res->sharing_type, "none"))
		return tb_fail(k->f, TB_EDENIED, "resource", "this resource is not shared");
	json_t *granted = NULL;
	enum tb_err e = TB_OK;
	if (!strcmp(res->sharing_type, "conditional") && consumer != res->provider_id) {
		e = granted_on(c, res, consumer, &granted);
		if (e == TB_OK && !granted)
			e = tb_fail(k->f, TB_EDENIED, "resource",
			            "this department holds no grant of this resource");
		else if (e == TB_OK && !within(asked, granted))
			e = tb_fail(k->f, TB_EDENIED, q->fields ? "fields" : "assertions",
			            "beyond the fields this department is granted");
		json_decref(granted);
		if (e != TB_OK)
			return e;
	}
	const char *why;
	e = case_serves(c, q->case_no, consumer, subject, q->submitting, &why);
	if (e == TB_OK && why)
		return tb_fail(k->f, TB_EDENIED, "case_no", why);
	json_t *data = NULL;
	if (e == TB_OK)
		e = record_on(c, res->id, subject, &data);
	/* A subject the platform holds no copy of: asked of the provider. */
	if (e == TB_OK && !data && res->endpoint)
		e = tb_share_endpoint_fetch(res, subject, &data, k->f);
	if (e != TB_OK)
		return e;
	*out = json_pack("{s:s, s:s, s:b}", "resource", res->code, "subject", subject, "found",
	                 data != NULL);
	size_t i;
	json_t *x;
	if (picked) {
		json_t *results = json_array();
		json_array_foreach(picked, i, x) json_array_append_new(
		    results,
		    json_pack("{s:O, s:O, s:b}", "assertion", json_object_get(x, "name"), "label",
		              json_object_get(x, "label"), "holds", holds(x, data)));
		json_object_set_new(*out, "results", results);
	} else {
		json_t *fields = json_object();
		json_array_foreach(asked, i, x)
		{
			json_t *v = json_object_get(data, json_string_value(x));
			json_object_set(fields, json_string_value(x), v ? v : json_null());
		}
		json_object_set_new(*out, "fields", fields);
	}
	json_decref(data);
	return TB_OK;
}

/* The rules and the answer (*out) for q, and the use to log (*u, its
 * strings in a), whatever the outcome; the outcome is returned. */
static enum tb_err prepare(struct tb_store *s, const struct tb_ctx *ctx, int64_t consumer,
                           const struct tb_share_query *q, json_t **out, struct use *u,
                           struct tb_arena *a, struct tb_fail *f)
{
	*out = NULL;
	struct tb_share_check k = {a, f, false};
	struct tb_share_resource res = {0};
	json_t *asked = NULL, *picked = NULL;
	enum tb_err e = TB_OK;
	char subject[19] = "";
	const char *why;
	bool purpose_ok = q->purpose && tb_utf8_is_line(q->purpose, strlen(q->purpose)) &&
	                  tb_utf8_chars(q->purpose, strlen(q->purpose)) >= 4 &&
	                  strlen(q->purpose) <= 600;
	if (!purpose_ok)
		e = tb_fail(f, TB_EINVAL, "purpose",
		            "every query states its purpose (4 to 200 characters of one line)");
	else if (!q->case_no || !*q->case_no)
		e = tb_fail(f, TB_EINVAL, "case_no", "every query names the case it serves");
	else if (!q->assertions == !q->fields)
		e = tb_fail(f, TB_EINVAL, "assertions", "ask for either assertions or fields");
	/* One connection for every read of the query. */
	struct tb_conn *c = NULL;
	if (e == TB_OK)
		e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		e = tb_share_resource_get_on(c, q->resource ? q->resource : "", a, &res);
		if (e == TB_ENOTFOUND)
			tb_fail(f, e, "resource", "no such resource");
	}
	if (e == TB_OK &&
	    !tb_share_subject_valid(res.subject_kind, q->subject ? q->subject : "", subject, &why))
		e = tb_fail(f, TB_EINVAL, "subject", why);
	if (e == TB_OK) {
		if (q->assertions) {
			json_t *fields;
			pick_assertions(&k, &res, q->assertions, &picked, &fields);
			asked = fields;
		} else {
			tb_share_field_names(&k, q->fields, "fields", res.fields);
			asked = json_incref(q->fields);
		}
		if (k.bad)
			e = TB_EINVAL;
	}
	if (e == TB_OK)
		e = decide(c, consumer, q, &res, subject, asked, picked, out, &k);
	if (c)
		tb_store_release(c);
	/* What is logged lives in a: the log may be written after the
	 * request's JSON body is gone. */
	char *fields_s = asked ? json_dumps(asked, JSON_COMPACT) : NULL;
	char *assert_s = q->assertions && json_is_array(q->assertions)
	                     ? json_dumps(q->assertions, JSON_COMPACT)
	                     : NULL;
	*u = (struct use){
	    .ctx = ctx,
	    .subject = *subject ? tb_arena_strdup(a, subject) : loggable(a, q->subject, 18),
	    .resource_code = res.code ? res.code : loggable(a, q->resource, 30),
	    .fields = tb_arena_strdup(a, fields_s && strlen(fields_s) < 2000 ? fields_s : "[]"),
	    .assertions = tb_arena_strdup(a, assert_s && strlen(assert_s) < 2000 ? assert_s : "[]"),
	    .purpose = purpose_ok ? tb_arena_strdup(a, q->purpose) : loggable(a, q->purpose, 200),
	    .case_no = loggable(a, q->case_no, 60),
	    .reason = e == TB_OK  ? NULL
	              : f->reason ? f->reason
	                          : tb_err_message(e),
	    .resource_id = res.id,
	    .consumer = consumer,
	    .answered = e == TB_OK,
	    .by_platform = q->submitting,
	};
	free(fields_s);
	free(assert_s);
	json_decref(asked);
	json_decref(picked);
	tb_share_resource_release(&res);
	return e;
}

/* The answer once the use is logged (logged: the log's outcome): nothing
 * is answered that is not in the log. */
static enum tb_err conclude(enum tb_err e, enum tb_err logged, const struct use *u, json_t **out)
{
	if (logged != TB_OK) {
		json_decref(*out);
		*out = NULL;
		return e == TB_OK ? logged : e;
	}
	if (*out)
		json_object_set_new(*out, "use_id", json_integer(u->id));
	return e;
}

enum tb_err tb_share_verify(struct tb_store *s, const struct tb_ctx *ctx, int64_t consumer,
                            const struct tb_share_query *q, json_t **out, struct tb_arena *a,
                            struct tb_fail *f)
{
	struct use u;
	enum tb_err e = prepare(s, ctx, consumer, q, out, &u, a, f);
	/* The use, answered or refused, is logged before anything is said. */
	return conclude(e, tb_store_write(s, log_use, &u), &u, out);
}

/* A verification waiting for its log on the batch writer. */
struct later {
	struct use u;
	struct tb_ctx ctx;
	enum tb_err e;
	json_t *out;
	struct tb_fail *f;
	void (*done)(void *cb, enum tb_err e, json_t *out);
	void *cb;
};

static void logged_later(void *arg, enum tb_err logged)
{
	struct later *y = arg;
	enum tb_err e = conclude(y->e, logged, &y->u, &y->out);
	y->done(y->cb, e, y->out);
}

void tb_share_verify_async(struct tb_store *s, const struct tb_ctx *ctx, int64_t consumer,
                           const struct tb_share_query *q, struct tb_arena *a, struct tb_fail *f,
                           void (*done)(void *cb, enum tb_err e, json_t *out), void *cb)
{
	struct later *y = tb_arena_zalloc(a, sizeof(*y));
	y->ctx = *ctx;
	y->f = f;
	y->done = done;
	y->cb = cb;
	y->e = prepare(s, &y->ctx, consumer, q, &y->out, &y->u, a, f);
	tb_store_write_async(s, log_use, &y->u, logged_later, y);
}
