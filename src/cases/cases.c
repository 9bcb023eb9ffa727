/* Cases (see cases.h): opening, editing, transitions and uploads. A case
 * row (row.h) is loaded, changed by the event's rules, and written back
 * with a compare-and-set on its state, together with the step, the audit
 * record and the outbox row. Reads are in views.c. */
#include "cases/cases.h"
#include "cases/prefill.h"
#include "catalog/form.h"
#include "identity/centres.h"
#include "base/json.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/date.h"
#include "calendar/calendar.h"
#include "cases/clock.h"
#include "cases/indicators.h"
#include "cases/machine.h"
#include "cases/result.h"
#include "cases/row.h"
#include "cases/commitments.h"
#include "cases/share.h"
#include "catalog/catalog.h"
#include "identity/accounts.h"
#include "materials/reuse.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FORM 65536

static void today_str(char out[11])
{
	tb_date_format(tb_date_today(), out);
}

/* ---- validation ---------------------------------------------------------- */

static const char *const sources[] = {"upload", "certificate", "library", "sharing",
                                      "window", "commitment",  NULL};

/* Checks a materials array against the item's materials. */
static enum tb_err check_materials(const char *text, json_t *item, struct tb_arena *a,
                                   struct tb_fail *f)
{
	json_t *m = json_loads(text, 0, NULL);
	if (!json_is_array(m) || json_array_size(m) > 100) {
		json_decref(m);
		return tb_fail(f, TB_EINVAL, "materials",
		               "expected an array of {name, source, ref}");
	}
	size_t i;
	json_t *x;
	enum tb_err e = TB_OK;
	json_array_foreach(m, i, x)
	{
		const char *name = json_string_value(json_object_get(x, "name"));
		const char *src = json_string_value(json_object_get(x, "source"));
		bool known = false, ok_src = false;
		size_t k;
		json_t *im;
		json_array_foreach(json_object_get(item, "materials"), k, im) known |=
		    name && strcmp(name, json_string_value(json_object_get(im, "name"))) == 0;
		for (int s = 0; src && sources[s]; s++)
			ok_src |= strcmp(src, sources[s]) == 0;
		if (!json_is_object(x) || !known) {
			e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "materials[%zu].name", i),
			            "not a material of this item");
			break;
		}
		if (!ok_src) {
			e = tb_fail(
			    f, TB_EINVAL, tb_arena_printf(a, "materials[%zu].source", i),
			    "one of upload, certificate, library, sharing, window, commitment");
			break;
		}
	}
	json_decref(m);
	return e;
}

static enum tb_err check_form(const char *form, struct tb_fail *f)
{
	if (strlen(form) > MAX_FORM)
		return tb_fail(f, TB_EINVAL, "form", "larger than 64 KiB");
	json_t *j = json_loads(form, 0, NULL);
	bool ok = json_is_object(j);
	json_decref(j);
	return ok ? TB_OK : tb_fail(f, TB_EINVAL, "form", "expected a JSON object");
}

static char *required_of(json_t *item, const char *form, struct tb_arena *a);
static bool has_condition_field(json_t *item);

/* ---- create ------------------------------------------------------------- */

/* A new query code for case_no: eight random digits into code and the
 * SM3 of "case_no:code", the only form that is stored, into hash. */
static void query_code(const char *case_no, char code[9], char hash[TB_SM3_HEX])
{
	unsigned char rnd[8];
	tb_random(rnd, sizeof(rnd));
	for (int i = 0; i < 8; i++)
		code[i] = (char)('0' + rnd[i] % 10);
	code[8] = '\0';
	char salted[128];
	snprintf(salted, sizeof(salted), "%s:%s", case_no, code);
	tb_sm3_hex(salted, strlen(salted), hash);
}

/* Whether item may be applied for online through channel (web or
 * mobile): the channel is one of the item's, and its online depth is III
 * (handled online) or IV (fully online). Below that the catalog publishes
 * or pre-checks online only, and the guide says where to go. */
static enum tb_err online_allowed(const json_t *item, const char *channel, struct tb_fail *f)
{
	if (json_integer_value(json_object_get(item, "online_depth")) < 3)
		return tb_fail(
		    f, TB_EDENIED, "item",
		    "this item is not handled online: the service guide says where to apply");
	size_t i;
	const json_t *ch;
	json_array_foreach(json_object_get(item, "channels"), i, ch)
	{
		if (strcmp(json_string_value(ch), channel) == 0)
			return TB_OK;
	}
	return tb_fail(f, TB_EDENIED, "channel", "this item is not handled through this channel");
}

/* Whether the catalog states what a case of item needs: its case kind
 * and time limits. A guide imported as published may leave them unstated
 * (null, catalog format 2); such an item is shown, not applied for, until
 * its department states them. */
static enum tb_err handling_stated(const json_t *item, struct tb_fail *f)
{
	if (!json_is_string(json_object_get(item, "case_kind")) ||
	    (!json_is_integer(json_object_get(item, "promised_days")) &&
	     !json_is_integer(json_object_get(item, "promised_hours"))) ||
	    !json_is_integer(json_object_get(item, "statutory_days")))
		return tb_fail(f, TB_EDENIED, "item",
		               "the catalog does not state this item's case kind and time limits:"
		               " it cannot be applied for yet");
	return TB_OK;
}

/* The promised limit of a case of item in working days: the item's days,
 * or a promise in hours (1小时) on the day clock: due the working day it
 * ends, counting eight office hours a working day (up to 8 hours: the day
 * of acceptance). */
static int64_t promised_days_of(const json_t *item)
{
	const json_t *days = json_object_get(item, "promised_days");
	if (json_is_integer(days))
		return (int64_t)json_integer_value(days);
	int64_t hours = (int64_t)json_integer_value(json_object_get(item, "promised_hours"));
	return hours <= 8 ? 0 : (hours + 7) / 8 - 1;
}

/* TB_ECONFLICT, with out->case_no the draft, when applicant already has
 * an online draft of item (one a window opened is the window's). */
static enum tb_err no_draft_yet(struct tb_conn *c, int64_t applicant, const char *item,
                                struct tb_arena *a, struct tb_case_created *out, struct tb_fail *f)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT case_no FROM cases WHERE applicant_id = ? AND"
	                              " item_code = ? AND state = 'draft' AND"
	                              " window_department_id IS NULL ORDER BY id LIMIT 1",
	                              "is", applicant, item);
	if (e == TB_OK && row) {
		out->case_no = tb_arena_strdup(a, tb_stmt_text(st, 0));
		e = tb_fail(f, TB_ECONFLICT, "item",
		            "you already have a draft of this item: go on with it");
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_case_create(struct tb_store *s, const struct tb_ctx *ctx,
                           const struct tb_case_new *in, struct tb_arena *a,
                           struct tb_case_created *out, struct tb_fail *f)
{
	memset(out, 0, sizeof(*out));
	const struct tb_principal *p = ctx->who;
	if (p->kind != TB_PERSON)
		return tb_fail(f, TB_EUNAUTH, "session", "sign in as a person");
	struct tb_item_meta meta;
	json_t *item = in->item ? tb_case_item_doc(s, in->item, 0, a, &meta) : NULL;
	if (!item)
		return tb_fail(f, TB_ENOTFOUND, "item",
		               "no published item in force with this code");
	enum tb_err e = TB_OK;
	bool clerk = tb_authz_as(p, "window_clerk", "case.create", NULL) == TB_OK;
	int64_t applicant = p->acting_for ? p->acting_for : p->account_id;
	int64_t agent = p->acting_for ? p->account_id : 0;
	bool on_behalf = false;
	if (in->applicant) {
		struct tb_account acc;
		if (tb_account_find(s, in->applicant, a, &acc) != TB_OK) {
			e = tb_fail(f, TB_EINVAL, "applicant", "no account with this number");
		} else if (acc.id == p->account_id) {
			applicant = acc.id;
			agent = 0;
		} else if (strcmp(acc.kind, "organisation") == 0 &&
		           tb_agent_check(s, p->account_id, acc.id) == TB_OK) {
			applicant = acc.id;
			agent = p->account_id;
		} else if (clerk) {
			applicant = acc.id;
			agent = 0;
			on_behalf = true;
		} else {
			e = tb_fail(f, TB_EDENIED, "applicant", "you may not apply for them");
		}
	}
	const char *channel = on_behalf ? "window" : in->channel ? in->channel : "web";
	/* The centre whose window opens the case: its clerks handle it from
	 * here on (policy scope "window"), no other clerk does. */
	int64_t window = on_behalf ? tb_principal_window(p) : 0;
	/* A centre's window receives the items of the departments it hosts. */
	if (e == TB_OK && on_behalf) {
		enum tb_err r = tb_centre_receives(s, window, meta.department_id);
		if (r == TB_EDENIED)
			e = tb_fail(f, TB_EDENIED, "item",
			            "this window does not receive the items of this department");
		else if (r != TB_OK)
			e = r;
	}
	if (e == TB_OK && !on_behalf && strcmp(channel, "web") && strcmp(channel, "mobile"))
		e = tb_fail(f, TB_EINVAL, "channel",
		            "web or mobile (the window opens its own cases)");
	struct tb_authz_object o = {
	    .owner = applicant, .department = meta.department_id, .region = meta.region};
	/* An agent applies for the organisation as if acting for it. */
	struct tb_principal as = *p;
	if (agent && !on_behalf)
		as.acting_for = applicant;
	if (e == TB_OK && tb_authz(&as, "case.create", &o) != TB_OK)
		e = tb_fail(f, TB_EDENIED, "item", "you may not open a case for this applicant");
	if (e == TB_OK && !on_behalf)
		e = online_allowed(item, channel, f);
	if (e == TB_OK)
		e = handling_stated(item, f);
	const char *form = in->form ? in->form : "{}";
	const char *materials = in->materials ? in->materials : "[]";
	if (e == TB_OK)
		e = check_form(form, f);
	const json_t *fields = json_object_get(item, "form_fields");
	json_t *given = e == TB_OK ? json_loads(form, 0, NULL) : NULL;
	if (e == TB_OK)
		e = tb_form_check(fields, given, false, a, f);
	if (e == TB_OK)
		e = check_materials(materials, item, a, f);
	if (e != TB_OK) {
		json_decref(given);
		json_decref(item);
		return e;
	}

	char day[11], ymd[9], code[12];
	today_str(day);
	snprintf(ymd, sizeof(ymd), "%.4s%.2s%.2s", day, day + 5, day + 8);
	int64_t now = (int64_t)time(NULL);
	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK) {
		json_decref(given);
		json_decref(item);
		return e;
	}
	e = tb_case_prefill_on(c, fields, applicant, agent, given, a);
	if (e == TB_OK)
		form = tb_json_take(given, a);
	else
		json_decref(given);
	char prefix[64], case_no[96], hash[TB_SM3_HEX];
	snprintf(prefix, sizeof(prefix), "%s%s", in->item, ymd);
	struct tb_stmt *st;
	bool row;
	if (e == TB_OK)
		e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO case_serials (prefix, last) VALUES (?, 1) ON CONFLICT"
		    " (prefix) DO UPDATE SET last = case_serials.last + 1 RETURNING last",
		    "s", prefix);
	int64_t serial = 0;
	if (e == TB_OK) {
		serial = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
		if (serial < 1 || serial > 9999)
			e = tb_fail(f, TB_EUNAVAIL, "item",
			            "no case numbers left for this item today");
	}
	snprintf(case_no, sizeof(case_no), "%s%04lld", prefix, (long long)serial);
	int reused = 0;
	if (e == TB_OK)
		e = tb_reuse_check_on(c, applicant, channel, item, materials, NULL, a, f);
	if (e == TB_OK)
		e = tb_commitments_allowed_on(c, applicant, item, materials, a, f);
	/* One online draft per applicant and item: a return resumes it. Asked
	 * after the serial's row lock above, which two racing opens of one item
	 * wait on, so that only one of them makes a draft; the refusal rolls
	 * the serial back. */
	if (e == TB_OK && !on_behalf && !in->forwarded)
		e = no_draft_yet(c, applicant, in->item, a, out, f);
	if (e == TB_OK)
		e = tb_reuse_fill_on(c, applicant, item, materials, NULL, a, &materials, &reused);
	query_code(case_no, code, hash);
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO cases (case_no, query_hash, item_code, item_version, item_name,"
		    " department_id, region, applicant_id, agent_id, created_by, channel, visits,"
		    " state, case_kind, promised_days, statutory_days, extension_days, form,"
		    " materials, required, created_at, updated_at, window_department_id) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		    " RETURNING id",
		    "sssisisiIisisiiisssiiI", case_no, hash, in->item, meta.version,
		    json_string_value(json_object_get(item, "name")), meta.department_id,
		    meta.region, applicant, agent, p->account_id, channel,
		    (int64_t)(on_behalf ? 1 : 0),
		    /* An item immediate only in some situations (either) is
		     * handled as promised unless decided otherwise. */
		    strcmp(json_string_value(json_object_get(item, "case_kind")), "either")
		        ? json_string_value(json_object_get(item, "case_kind"))
		        : "promised",
		    promised_days_of(item),
		    (int64_t)json_integer_value(json_object_get(item, "statutory_days")),
		    (int64_t)json_integer_value(json_object_get(item, "extension_days")), form,
		    materials, required_of(item, form, a), now, now, window);
	int64_t id = 0;
	if (e == TB_OK) {
		id = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO case_steps (case_id, event, from_state, to_state, handler,"
		    " opinion, at) VALUES (?, 'create', '', 'draft', ?, '', ?)",
		    "iii", id, p->account_id, now);
	}
	if (e == TB_OK)
		e = tb_reuse_record_on(c, applicant, id, p->account_id, materials);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "case.create", tb_arena_printf(a, "case:%s", case_no),
		                 "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	json_decref(item);
	if (e != TB_OK)
		return e;
	out->case_no = tb_arena_strdup(a, case_no);
	out->query_code = tb_arena_strdup(a, code);
	return TB_OK;
}

/* ---- reads of one case ---------------------------------------------------- */

enum tb_err tb_case_ref(struct tb_store *s, const char *case_no, struct tb_case_ref *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, applicant_id, department_id, region, state,"
	                  " COALESCE(window_department_id, 0), item_code, item_version"
	                  " FROM cases WHERE case_no = ?",
	                  "s", case_no);
	if (e == TB_OK && row) {
		out->id = tb_stmt_int(st, 0);
		out->applicant = tb_stmt_int(st, 1);
		out->department = tb_stmt_int(st, 2);
		tb_case_copy(out->region, sizeof(out->region), tb_stmt_text(st, 3));
		tb_case_copy(out->state, sizeof(out->state), tb_stmt_text(st, 4));
		out->window = tb_stmt_int(st, 5);
		tb_case_copy(out->item_code, sizeof(out->item_code), tb_stmt_text(st, 6));
		out->item_version = tb_stmt_int(st, 7);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* The new materials list with each entry that names a source needing a
 * reference (upload, certificate, library) but no "ref" given the one the
 * case already has for that material and source: a reader who is not
 * shown references (a window clerk) can send the list back without losing
 * what was given. Text in a; the list as it was when nothing is kept. */
static const char *keep_refs(const char *materials, const char *current, struct tb_arena *a)
{
	json_t *in = json_loads(materials, 0, NULL), *have = json_loads(current, 0, NULL);
	bool changed = false;
	size_t i, k;
	json_t *m, *h;
	json_array_foreach(in, i, m)
	{
		const char *src = json_string_value(json_object_get(m, "source"));
		if (!json_is_object(m) || json_object_get(m, "ref") || !src ||
		    (strcmp(src, "upload") && strcmp(src, "certificate") && strcmp(src, "library")))
			continue;
		const char *name = json_string_value(json_object_get(m, "name"));
		json_array_foreach(have, k, h)
		{
			json_t *ref = json_object_get(h, "ref");
			const char *hn = json_string_value(json_object_get(h, "name"));
			const char *hs = json_string_value(json_object_get(h, "source"));
			if (name && ref && hn && hs && !strcmp(name, hn) && !strcmp(src, hs)) {
				json_object_set(m, "ref", ref);
				changed = true;
				break;
			}
		}
	}
	const char *out = changed ? tb_json_take(in, a) : materials;
	if (!changed)
		json_decref(in);
	json_decref(have);
	return out;
}

enum tb_err tb_case_update(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                           const char *form, const char *materials, struct tb_arena *out,
                           struct tb_fail *f)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	struct row r;
	if (e == TB_OK)
		e = tb_case_row_load(c, case_no, a, &r);
	if (e == TB_OK && strcmp(r.state, "draft") && strcmp(r.state, "needs_correction"))
		e = tb_fail(f, TB_ECONFLICT, "state",
		            tb_arena_printf(a, "a %s case cannot be edited", r.state));
	if (e == TB_OK && form)
		e = check_form(form, f);
	json_t *item = NULL;
	if (e == TB_OK && (form || materials)) {
		item = tb_case_item_doc_on(c, r.item_code, r.item_version, a);
		e = item ? TB_OK : TB_ESTORE;
	}
	if (e == TB_OK && form) {
		json_t *given = json_loads(form, 0, NULL);
		/* Its field ("form.NAME") and reason leave with f: in out. */
		e = tb_form_check(json_object_get(item, "form_fields"), given, false, out, f);
		json_decref(given);
	}
	if (e == TB_OK && materials)
		materials = keep_refs(materials, r.materials, a);
	if (e == TB_OK && materials) {
		e = check_materials(materials, item, a, f);
		if (e == TB_OK)
			e = tb_reuse_check_on(c, r.applicant, r.channel, item, materials,
			                      r.materials, a, f);
		/* Its reason (naming a case) leaves with f: in out. */
		if (e == TB_OK)
			e = tb_commitments_allowed_on(c, r.applicant, item, materials, out, f);
	}
	if (e == TB_OK)
		e = tb_conn_begin(c);
	/* A conditional material the form makes necessary (组成形式 家庭经营:
	 * 家庭成员关系证明) is required from now on: the list follows the
	 * form as it is saved, so that a submission reads no item document
	 * for it. */
	const char *required = r.required;
	if (e == TB_OK && form && item && has_condition_field(item))
		required = required_of(item, form, a);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "UPDATE cases SET form = ?, materials = ?, required = ?, "
		                "updated_at = ? WHERE id = ?",
		                "sssii", form ? form : r.form, materials ? materials : r.materials,
		                required, (int64_t)time(NULL), r.id);
	if (e == TB_OK && materials) /* claimed certificates and library files */
		e = tb_reuse_record_on(c, r.applicant, r.id, ctx->who->account_id, materials);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "case.update", tb_arena_printf(a, "case:%s", case_no),
		                 "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	if (c)
		tb_store_release(c);
	json_decref(item);
	/* f may point into a: keep reasons static where they leave. */
	if (e != TB_OK && f && f->reason && strncmp(f->reason, "a ", 2) == 0)
		f->reason = "only a draft or a case that needs correction can be edited";
	if (e != TB_OK && f && f->field && strncmp(f->field, "materials[", 10) == 0)
		f->field = "materials";
	tb_arena_free(a);
	return e;
}

enum tb_err tb_case_commit(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                           const char *material, bool commit, struct tb_arena *out,
                           struct tb_fail *f)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct row r;
	e = tb_case_row_load(c, case_no, out, &r);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	json_t *list = json_loads(r.materials, 0, NULL), *kept = json_array();
	bool had = false;
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		const char *n = json_string_value(json_object_get(m, "name"));
		if (n && material && !strcmp(n, material)) {
			const char *src = json_string_value(json_object_get(m, "source"));
			had |= src && !strcmp(src, "commitment");
			continue;
		}
		json_array_append(kept, m);
	}
	json_decref(list);
	if (commit)
		json_array_append_new(kept,
		                      json_pack("{s:s, s:s}", "name", material ? material : "",
		                                "source", "commitment"));
	else if (!had) {
		json_decref(kept);
		return tb_fail(f, TB_EINVAL, "material",
		               "this material is not given as a commitment");
	}
	e = tb_case_update(s, ctx, case_no, NULL, tb_json_take(kept, out), out, f);
	/* The list's entry is the member the caller named. */
	if (e == TB_EINVAL && f->field && !strncmp(f->field, "materials", 9))
		f->field = "material";
	return e;
}

/* Required materials of item missing from the case's list, as JSON. */
static json_t *missing_materials(const char *required, const char *materials)
{
	json_t *have = json_loads(materials, 0, NULL), *out = json_array();
	json_t *need = json_loads(required, 0, NULL);
	size_t i, k;
	json_t *m, *h;
	json_array_foreach(need, i, m)
	{
		const char *name = json_string_value(m);
		bool found = false;
		json_array_foreach(have, k, h) found |=
		    strcmp(name, json_string_value(json_object_get(h, "name"))) == 0;
		if (!found)
			json_array_append_new(out,
			                      json_pack("{s:s, s:s}", "material", name, "reason",
			                                "required and not provided"));
	}
	json_decref(have);
	json_decref(need);
	return out;
}

/* Whether material m of an item is required for a case whose form is
 * form (a JSON object text, or NULL): "required" ones always; a
 * conditional one when its condition_field's form value equals what it
 * names (one without is the applicant's call, checked by the
 * department). */
static bool needed(json_t *m, json_t *form)
{
	const char *req = json_string_value(json_object_get(m, "required"));
	if (req && !strcmp(req, "required"))
		return true;
	json_t *when = json_object_get(m, "condition_field");
	if (!req || strcmp(req, "conditional") || !when)
		return false;
	const char *got = json_string_value(
	    json_object_get(form, json_string_value(json_object_get(when, "name"))));
	const char *want = json_string_value(json_object_get(when, "equals"));
	return got && want && !strcmp(got, want);
}

/* Whether any material of item has a condition_field (its required list
 * then depends on the form). */
static bool has_condition_field(json_t *item)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(item, "materials"), i, m)
	{
		if (json_object_get(m, "condition_field"))
			return true;
	}
	return false;
}

/* The names of the materials item requires of a case with form (JSON
 * object text, or NULL), as a JSON array text. */
static char *required_of(json_t *item, const char *form, struct tb_arena *a)
{
	json_t *out = json_array(), *f = form ? json_loads(form, 0, NULL) : NULL;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(item, "materials"), i, m)
	{
		if (needed(m, f))
			json_array_append(out, json_object_get(m, "name"));
	}
	json_decref(f);
	return tb_json_take(out, a);
}

/* ---- transitions ----------------------------------------------------------- */

/* Writes r over the case row, which holds stored (read and locked in this
 * transaction, in state from); stored becomes r. */
static enum tb_err write_back(struct tb_conn *c, struct row *stored, const struct row *r,
                              const char *from)
{
	struct tb_stmt *st;
	/* The indicators move from the row as stored to r. */
	enum tb_err e = tb_indicators_case_on(c, stored, r);
	if (e != TB_OK)
		return e;
	e = tb_conn_prepare(
	    c,
	    "UPDATE cases SET state = ?, visits = ?, corrections = ?, accepted_on = ?,"
	    " promised_due = ?, statutory_due = ?, suspended_on = ?, extended = ?, queue_due = ?,"
	    " submitted_at = ?, finished_at = ?, updated_at = ?, materials = ?, mat_required = ?,"
	    " mat_certificate = ?, mat_library = ?, mat_sharing = ? WHERE id = ? AND state = ?",
	    &st);
	if (e != TB_OK)
		return e;
	const char *texts[] = {r->accepted_on, r->promised_due, r->statutory_due, r->suspended_on};
	tb_stmt_bind_text(st, 1, r->state);
	tb_stmt_bind_int(st, 2, r->visits);
	tb_stmt_bind_text(st, 3, r->corrections);
	for (int i = 0; i < 4; i++)
		tb_stmt_bind_text(st, 4 + i, texts[i][0] ? texts[i] : NULL);
	tb_stmt_bind_int(st, 8, r->extended);
	tb_stmt_bind_text(st, 9, r->queue_due[0] ? r->queue_due : NULL);
	if (r->submitted_at)
		tb_stmt_bind_int(st, 10, r->submitted_at);
	else
		tb_stmt_bind_null(st, 10);
	if (r->finished_at)
		tb_stmt_bind_int(st, 11, r->finished_at);
	else
		tb_stmt_bind_null(st, 11);
	tb_stmt_bind_int(st, 12, (int64_t)time(NULL));
	tb_stmt_bind_text(st, 13, r->materials);
	const int64_t counts[] = {r->mat_required, r->mat_certificate, r->mat_library,
	                          r->mat_sharing};
	for (int i = 0; i < 4; i++)
		tb_stmt_bind_int(st, 14 + i, counts[i]);
	tb_stmt_bind_int(st, 18, r->id);
	tb_stmt_bind_text(st, 19, from);
	/* One row, or someone moved it first (TB_ECONFLICT, here or at the
	 * next statement that waits for its answer). */
	e = tb_stmt_run_later(st, 1);
	if (e == TB_OK)
		*stored = *r;
	return e;
}

/* Step, audit and outbox of one transition, inside c's transaction, each
 * written without waiting for its answer (tb_conn_run_later); on
 * PostgreSQL the step and the outbox row are one statement. */
static enum tb_err record(struct tb_conn *c, const struct tb_ctx *ctx, const struct row *r,
                          const char *event, const char *from, const char *opinion, int64_t now,
                          struct tb_arena *a)
{
	int64_t handler = ctx && ctx->who->kind == TB_PERSON ? ctx->who->account_id : 0;
	bool pg = tb_conn_kind(c) == TB_STORE_PG;
	enum tb_err e =
	    pg ? tb_conn_run_later(
	             c, 1,
	             "WITH s AS (INSERT INTO case_steps (case_id, event, from_state,"
	             " to_state, handler, opinion, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	             " RETURNING case_id, event, to_state, at)"
	             " INSERT INTO outbox (case_id, case_no, event, state, account_id,"
	             " department_id, created_at) SELECT s.case_id, ?, s.event,"
	             " s.to_state, CAST(? AS bigint), CAST(? AS bigint), s.at FROM s",
	             "isssIsisii", r->id, event, from, r->state, handler, opinion ? opinion : "",
	             now, r->case_no, r->applicant, r->department)
	       : tb_conn_run_later(c, -1,
	                           "INSERT INTO case_steps (case_id, event, from_state, to_state,"
	                           " handler, opinion, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                           "isssIsi", r->id, event, from, r->state, handler,
	                           opinion ? opinion : "", now);
	if (e == TB_OK && ctx)
		e = tb_ctx_audit(c, ctx, tb_arena_printf(a, "case.%s", event),
		                 tb_arena_printf(a, "case:%s", r->case_no), "ok");
	if (e == TB_OK && !pg)
		e = tb_conn_run_later(
		    c, -1,
		    "INSERT INTO outbox (case_id, case_no, event, state, account_id,"
		    " department_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		    "isssiii", r->id, r->case_no, event, r->state, r->applicant, r->department,
		    now);
	return e;
}

static bool needs_opinion(const char *event)
{
	static const char *const events[] = {"reject", "refuse", "suspend", "extend", NULL};
	for (int i = 0; events[i]; i++)
		if (strcmp(events[i], event) == 0)
			return true;
	return false;
}

/* Counts the required materials of r and those that came without an
 * upload, by source (GET /api/v1/stats/reuse). */
static void count_sources(struct row *r)
{
	json_t *need = json_loads(r->required, 0, NULL), *have = json_loads(r->materials, 0, NULL);
	r->mat_required = (int64_t)json_array_size(need);
	r->mat_certificate = r->mat_library = r->mat_sharing = 0;
	size_t i, k;
	json_t *m, *h;
	json_array_foreach(need, i, m) json_array_foreach(have, k, h)
	{
		if (strcmp(json_string_value(m), json_string_value(json_object_get(h, "name"))))
			continue;
		const char *src = json_string_value(json_object_get(h, "source"));
		r->mat_certificate += src && !strcmp(src, "certificate");
		r->mat_library += src && !strcmp(src, "library");
		r->mat_sharing += src && !strcmp(src, "sharing");
	}
	json_decref(need);
	json_decref(have);
}

/* The event's own rules: the clock, corrections, materials. */
static enum tb_err rules(const struct tb_calendar *cal, struct row *r,
                         const struct tb_case_event *ev, const char *to, struct tb_arena *a,
                         const char **missing, struct tb_fail *f)
{
	int64_t today = tb_date_today();
	char day[11];
	tb_date_format(today, day);
	const char *event = ev->event;
	if (needs_opinion(event) && (!ev->opinion || !*ev->opinion))
		return tb_fail(f, TB_EINVAL, "opinion", "a reason is required for this event");
	if (!strcmp(event, "submit")) {
		json_t *miss = missing_materials(r->required, r->materials);
		if (json_array_size(miss) > 0) {
			*missing = tb_json_take(miss, a);
			return tb_fail(f, TB_EINVAL, "materials", "required materials are missing");
		}
		json_decref(miss);
		count_sources(r);
		r->visits += ev->visits;
		if (!r->submitted_at)
			r->submitted_at = (int64_t)time(NULL);
		r->corrections = NULL;
		tb_case_copy(r->queue_due, sizeof(r->queue_due), day);
	} else if (!strcmp(event, "request_correction")) {
		json_t *cj = ev->corrections ? json_loads(ev->corrections, 0, NULL) : NULL;
		bool ok = json_is_array(cj) && json_array_size(cj) > 0;
		json_decref(cj);
		if (!ok)
			return tb_fail(f, TB_EINVAL, "corrections",
			               "list every missing or wrong material and field at once");
		r->corrections = ev->corrections;
		r->queue_due[0] = '\0'; /* waiting for the applicant */
	} else if (!strcmp(event, "accept")) {
		tb_case_copy(r->accepted_on, sizeof(r->accepted_on), day);
		tb_date_format(tb_clock_due(cal, today, (int)r->promised_days), r->promised_due);
		tb_date_format(tb_clock_due(cal, today, (int)r->statutory_days), r->statutory_due);
		tb_case_copy(r->queue_due, sizeof(r->queue_due), r->promised_due);
	} else if (!strcmp(event, "suspend")) {
		tb_case_copy(r->suspended_on, sizeof(r->suspended_on), day);
	} else if (!strcmp(event, "resume")) {
		int64_t since = tb_case_day_of(r->suspended_on);
		tb_date_format(tb_clock_resume(cal, tb_case_day_of(r->promised_due), since, today),
		               r->promised_due);
		tb_date_format(tb_clock_resume(cal, tb_case_day_of(r->statutory_due), since, today),
		               r->statutory_due);
		r->suspended_on[0] = '\0';
		tb_case_copy(r->queue_due, sizeof(r->queue_due), r->promised_due);
	} else if (!strcmp(event, "extend")) {
		if (r->extended)
			return tb_fail(f, TB_ECONFLICT, "event", "a case is extended once only");
		if (r->extension_days <= 0)
			return tb_fail(f, TB_ECONFLICT, "event", "this item allows no extension");
		tb_date_format(tb_calendar_add_workdays(cal, tb_case_day_of(r->statutory_due),
		                                        (int)r->extension_days),
		               r->statutory_due);
		r->extended = 1;
	}
	/* A move within an end state (handing out the result) keeps the
	 * finishing time: it is what the clock and the statistics count. */
	bool ended = tb_case_terminal(r->state);
	tb_case_copy(r->state, sizeof(r->state), to);
	if (tb_case_terminal(to) && !ended) {
		r->finished_at = (int64_t)time(NULL);
		r->queue_due[0] = '\0';
	}
	return TB_OK;
}

/* Before a submission: what became available since the draft was made
 * (a certificate issued, a library file given) fills what is missing, and
 * goes into the register as given by the submitter. item: the document
 * text of the case's item version, parsed only when something is missing. */
static enum tb_err reuse_missing(struct tb_conn *c, struct row *r, int64_t given_by,
                                 const char *item, const json_t *verified, struct tb_arena *a)
{
	json_t *miss = missing_materials(r->required, r->materials);
	size_t n = json_array_size(miss);
	json_decref(miss);
	if (n == 0)
		return TB_OK;
	json_t *doc = json_loads(item, 0, NULL);
	if (!doc)
		return TB_ESTORE;
	int filled;
	enum tb_err e = tb_reuse_fill_on(c, r->applicant, doc, r->materials, verified, a,
	                                 &r->materials, &filled);
	json_decref(doc);
	if (e == TB_OK && filled)
		e = tb_reuse_record_on(c, r->applicant, r->id, given_by, r->materials);
	return e;
}

/* Before a submission: the application form has every required field of
 * the item's form (item: its document text), each well formed. Most items
 * have no form; the others' fields come from the memo, not from parsing
 * the whole document each time. */
static enum tb_err form_complete(struct tb_conn *c, const struct row *r, const char *item,
                                 struct tb_arena *a, struct tb_fail *f)
{
	if (!strstr(item, "\"form_fields\""))
		return TB_OK;
	const char *text;
	enum tb_err e = tb_item_form_fields_on(c, r->item_code, r->item_version, a, &text);
	if (e != TB_OK || !*text)
		return e;
	json_t *fields = json_loads(text, 0, NULL), *form = json_loads(r->form, 0, NULL);
	e = fields ? tb_form_check(fields, form, true, a, f) : TB_ESTORE;
	json_decref(form);
	json_decref(fields);
	return e;
}

/* Handing out the result (统一窗口出件, or sent by post): once per case;
 * the step's opinion says how (at the window, or posted with the tracking
 * number the official gives). */
static enum tb_err hand_out(struct tb_conn *c, const struct row *r, const struct tb_case_event *ev,
                            struct tb_arena *a, const char **opinion, struct tb_fail *f)
{
	const char *how = ev->delivery;
	if (!how || (strcmp(how, "window") && strcmp(how, "post")))
		return tb_fail(f, TB_EINVAL, "delivery", "window or post");
	if (!strcmp(how, "post") && (!ev->opinion || !*ev->opinion))
		return tb_fail(f, TB_EINVAL, "opinion", "the postal service and tracking number");
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT 1 FROM case_steps WHERE case_id = ? AND event = 'hand_out'", "i",
	    r->id);
	tb_stmt_reset(st);
	if (e == TB_OK && row)
		return tb_fail(f, TB_ECONFLICT, "event", "the result was handed out already");
	const char *note = ev->opinion && *ev->opinion ? ev->opinion : NULL;
	if (!strcmp(how, "window"))
		*opinion = note ? tb_arena_printf(a, "窗口领取：%s", note) : "窗口领取";
	else
		*opinion = tb_arena_printf(a, "邮寄送达：%s", note);
	return e;
}

struct apply_args;
static enum tb_err commitments(struct tb_conn *c, struct apply_args *x, struct row *r,
                               const char *item, bool resubmission);

struct apply_args {
	const struct tb_calendar *cal;
	struct tb_keys *keys;
	const struct tb_ctx *ctx;
	const char *case_no;
	const struct tb_case_event *ev;
	struct tb_arena *a;
	const char **missing;
	struct tb_fail *f;
	const char *state;      /* out */
	const json_t *verified; /* a submission's online checks (cases/share.h) */
};

/* The transition inside the writer's transaction (tb_store_write). */
/* 多地联办 (federation/joint.h): a case whose item names a joint_part is
 * approved only once that part has been approved and completed at the
 * peer platform, as the peer reported it (forwards tied to the case). */
static enum tb_err joint_done(struct tb_conn *c, const struct row *r, struct tb_arena *a,
                              struct tb_fail *f)
{
	const char *doc = NULL;
	enum tb_err e = tb_item_doc_on(c, r->item_code, r->item_version, a, &doc);
	json_t *d = e == TB_OK ? json_loads(doc, 0, NULL) : NULL;
	const char *part =
	    json_string_value(json_object_get(json_object_get(d, "joint_part"), "name"));
	part = part ? tb_arena_strdup(a, part) : NULL;
	json_decref(d);
	if (e != TB_OK || !part)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT 1 FROM forwards f WHERE f.case_id = ? AND f.state = 'completed'"
	                  " AND EXISTS (SELECT 1 FROM forward_steps s WHERE s.forward_id = f.id"
	                  " AND s.event = 'approve')",
	                  "i", r->id);
	tb_stmt_reset(st);
	if (e == TB_OK && !row)
		e = tb_fail(
		    f, TB_ECONFLICT, "joint",
		    tb_arena_printf(a,
		                    "the joint part (%s) has not been approved and completed"
		                    " at the other platform",
		                    part));
	return e;
}

static enum tb_err apply_in(struct tb_conn *c, void *arg)
{
	struct apply_args *x = arg;
	const struct tb_case_event *ev = x->ev;
	struct tb_arena *a = x->a;
	struct row r;
	memset(&r, 0, sizeof(r));
	enum tb_err e = tb_case_row_lock(c, x->case_no, a, &r);
	if (e != TB_OK)
		return e;
	struct row stored = r;
	struct tb_authz_object o = {.owner = r.applicant,
	                            .department = r.department,
	                            .region = r.region,
	                            .window = r.window};
	const char *to = NULL;
	if (!strcmp(ev->event, "submit") && !strcmp(r.state, "submitted") &&
	    tb_machine_next("draft", "submit", x->ctx->who, &o, &to) == TB_OK) {
		/* The same draft submitted twice by whoever may submit it: one
		 * case, one submission. */
		x->state = "submitted";
		return TB_OK;
	}
	char from[24];
	tb_case_copy(from, sizeof(from), r.state);
	e = tb_machine_next(r.state, ev->event, x->ctx->who, &o, &to);
	if (e == TB_ECONFLICT)
		tb_fail(x->f, e, "state",
		        tb_arena_printf(a, "cannot %s a case that is %s", ev->event, r.state));
	else if (e != TB_OK)
		tb_fail(x->f, e, "event", "your role may not do this to this case");
	/* A submission reads the item version's document once, for what the
	 * platform can fill and for the form's required fields. */
	bool submit = e == TB_OK && !strcmp(ev->event, "submit");
	const char *item = NULL;
	if (submit)
		e = tb_item_doc_on(c, r.item_code, r.item_version, a, &item);
	if (submit && e == TB_OK)
		e = reuse_missing(c, &r, x->ctx->who->account_id, item, x->verified, a);
	bool resubmission = r.submitted_at != 0;
	const char *opinion = ev->opinion;
	if (e == TB_OK && !strcmp(ev->event, "hand_out"))
		e = hand_out(c, &r, ev, a, &opinion, x->f);
	if (e == TB_OK && !strcmp(ev->event, "approve"))
		e = joint_done(c, &r, a, x->f);
	if (e == TB_OK)
		e = rules(x->cal, &r, ev, to, a, x->missing, x->f);
	/* After the materials, which are listed all at once when missing. */
	if (submit && e == TB_OK)
		e = form_complete(c, &r, item, a, x->f);
	if (submit && e == TB_OK)
		e = commitments(c, x, &r, item, resubmission);
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK)
		e = write_back(c, &stored, &r, from);
	if (e == TB_OK)
		e = record(c, x->ctx, &r, ev->event, from, opinion, now, a);
	/* An immediate item (即办件) completes on acceptance. */
	if (e == TB_OK && !strcmp(r.state, "accepted") && !strcmp(r.case_kind, "immediate")) {
		const char *done;
		if (tb_machine_next("accepted", "complete", NULL, &o, &done) == TB_OK) {
			tb_case_copy(from, sizeof(from), r.state);
			tb_case_copy(r.state, sizeof(r.state), done);
			r.finished_at = now;
			r.queue_due[0] = '\0';
			e = write_back(c, &stored, &r, from);
			if (e == TB_OK)
				e = record(c, NULL, &r, "complete", from, "即办件受理即办结", now,
				           a);
		}
	}
	/* The result is issued once, by the transition that completes the case:
	 * not again when a completed case is handed out. */
	if (e == TB_OK && !strcmp(r.state, "completed") && strcmp(from, "completed") != 0 &&
	    x->keys) {
		struct tb_case_result res = {r.id,           r.applicant, r.department,
		                             r.item_version, r.item_code, r.form,
		                             ev->certificate};
		const char *identifier;
		e = tb_case_result_on(x->keys, c, x->ctx, &res, a, &identifier, x->f);
	}
	if (e == TB_OK)
		x->state = tb_arena_strdup(a, r.state);
	return e;
}

/* A submission's commitments (告知承诺, cases/commitments.h): the item's
 * document (its text) is parsed only when the list commits something or
 * the case comes back from a correction. */
static enum tb_err commitments(struct tb_conn *c, struct apply_args *x, struct row *r,
                               const char *item, bool resubmission)
{
	if (!resubmission && !strstr(r->materials, "\"commitment\""))
		return TB_OK;
	json_t *doc = json_loads(item, 0, NULL);
	enum tb_err e =
	    doc ? tb_commitments_submit_on(c, x->cal, r->id, r->applicant, x->ctx->who->account_id,
	                                   doc, r->materials, resubmission, x->a, x->f)
	        : TB_ESTORE;
	json_decref(doc);
	return e;
}

enum tb_err tb_case_apply_prepare(struct tb_store *s, struct tb_keys *keys, const char *case_no,
                                  const struct tb_case_event *ev, struct tb_fail *f)
{
	if (!ev->event || !tb_machine_event_known(ev->event))
		return tb_fail(f, TB_EINVAL, "event", "not an event of the case state machine");
	/* A completion may issue a certificate: its department's key is made
	 * beforehand, outside the batched transaction. */
	int64_t department;
	if (keys && (!strcmp(ev->event, "complete") || !strcmp(ev->event, "accept")) &&
	    tb_case_result_needs_key(s, case_no, &department) == TB_OK)
		return tb_keys_ensure(keys, s, department);
	return TB_OK;
}

enum tb_err tb_case_apply(struct tb_store *s, const struct tb_calendar *cal, struct tb_keys *keys,
                          const struct tb_ctx *ctx, const char *case_no,
                          const struct tb_case_event *ev, struct tb_arena *a, const char **state,
                          const char **missing, struct tb_fail *f)
{
	*state = NULL;
	*missing = NULL;
	enum tb_err e = tb_case_apply_prepare(s, keys, case_no, ev, f);
	if (e != TB_OK)
		return e;
	/* A submission first checks online what the catalog lets the
	 * platform verify, each check logged in its own transaction. */
	json_t *verified =
	    !strcmp(ev->event, "submit") ? tb_case_share_check(s, ctx, case_no, ev->seen, a) : NULL;
	struct apply_args x = {cal, keys, ctx, case_no, ev, a, missing, f, NULL, verified};
	/* Batched with concurrent transitions: one commit, one fsync. */
	e = tb_store_write(s, apply_in, &x);
	/* On PostgreSQL transitions of one case run side by side: one that
	 * read the case before another committed finds it moved when it
	 * writes (write_back), or meets the other's row in a unique index, a
	 * conflict without a reason. Run again, it sees the case as it is
	 * now: a second submission answers as the first did, another event is
	 * refused saying why. */
	for (int i = 0; i < 3 && e == TB_ECONFLICT && !f->reason; i++) {
		*missing = NULL;
		e = tb_store_write(s, apply_in, &x);
	}
	if (e == TB_ECONFLICT && !f->reason)
		tb_fail(f, e, "state", "the case changed meanwhile: try again");
	if (e == TB_OK)
		*state = x.state;
	json_decref(verified);
	return e;
}

/* A transition in the background: everything it reads lives here, in the
 * request's arena, until done has run. */
struct apply_later {
	struct apply_args x;
	struct tb_ctx ctx;
	struct tb_case_event ev;
	const char *missing;
	struct tb_case_outcome o;
	void (*done)(void *cb, const struct tb_case_outcome *o);
	void *cb;
};

static void apply_later_done(void *arg, enum tb_err e)
{
	struct apply_later *y = arg;
	y->o.e = e;
	y->o.state = e == TB_OK ? y->x.state : NULL;
	y->o.missing = y->missing;
	json_decref((json_t *)y->x.verified);
	y->done(y->cb, &y->o);
}

void tb_case_apply_async(struct tb_store *s, const struct tb_calendar *cal, struct tb_keys *keys,
                         const struct tb_ctx *ctx, const char *case_no,
                         const struct tb_case_event *ev, struct tb_arena *a,
                         void (*done)(void *cb, const struct tb_case_outcome *o), void *cb)
{
	struct apply_later *y = tb_arena_zalloc(a, sizeof(*y));
	y->ctx = *ctx;
	y->ev = *ev;
	/* The event's strings may live in a JSON body freed before the write. */
	const char **strs[] = {&y->ev.event, &y->ev.opinion, &y->ev.corrections, &y->ev.certificate,
	                       &y->ev.delivery};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (*strs[i])
			*strs[i] = tb_arena_strdup(a, *strs[i]);
	json_t *verified = y->ev.event && !strcmp(y->ev.event, "submit")
	                       ? tb_case_share_check(s, &y->ctx, case_no, ev->seen, a)
	                       : NULL;
	y->ev.seen = NULL; /* the caller's, gone when the write runs */
	y->x = (struct apply_args){cal, keys,        &y->ctx, case_no, &y->ev,
	                           a,   &y->missing, &y->o.f, NULL,    verified};
	y->done = done;
	y->cb = cb;
	tb_store_write_async(s, apply_in, &y->x, apply_later_done, y);
}

/* ---- uploaded materials ---------------------------------------------------- */

struct upload_args {
	const struct tb_ctx *ctx;
	const char *case_no, *name, *sm3, *mime, *valid_until;
	size_t size;
	struct tb_arena *a;
	struct tb_fail *f;
};

static enum tb_err add_upload_in(struct tb_conn *c, void *arg)
{
	struct upload_args *x = arg;
	struct row r;
	memset(&r, 0, sizeof(r));
	enum tb_err e = tb_case_row_load(c, x->case_no, x->a, &r);
	if (e != TB_OK)
		return e;
	if (strcmp(r.state, "draft") && strcmp(r.state, "needs_correction"))
		return tb_fail(x->f, TB_ECONFLICT, "state",
		               "materials go with a draft or a case that needs correction");
	json_t *item = tb_case_item_doc_on(c, r.item_code, r.item_version, x->a);
	const char *kind = NULL;
	bool known = false;
	size_t i;
	json_t *m;
	json_array_foreach(item ? json_object_get(item, "materials") : NULL, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "name")), x->name) != 0)
			continue;
		known = true;
		kind = tb_material_kind(m) ? tb_arena_strdup(x->a, tb_material_kind(m)) : NULL;
	}
	json_decref(item);
	if (!known)
		return tb_fail(x->f, TB_EINVAL, "material", "not a material of this item");
	/* The case's list: this material now comes from the upload. */
	json_t *list = json_loads(r.materials, 0, NULL), *out = json_array();
	json_array_foreach(list, i, m) if (strcmp(json_string_value(json_object_get(m, "name")),
	                                          x->name) != 0) json_array_append(out, m);
	json_array_append_new(
	    out, json_pack("{s:s, s:s, s:s}", "name", x->name, "source", "upload", "ref", x->sm3));
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(list);
	json_decref(out);
	int64_t now = (int64_t)time(NULL);
	e = tb_conn_run(c, NULL, "UPDATE cases SET materials = ?, updated_at = ? WHERE id = ?",
	                "sii", text, now, r.id);
	free(text);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO materials (owner_id, name, kind, sm3, size, mime, source, case_id,"
		    " given_by, created_at, valid_until) VALUES (?, ?, ?, ?, ?, ?, 'upload', ?, ?,"
		    " ?, ?)",
		    "isssisiiis", r.applicant, x->name, kind, x->sm3, (int64_t)x->size, x->mime,
		    r.id, x->ctx->who->account_id, now, x->valid_until);
	if (e == TB_OK)
		e = tb_ctx_audit(c, x->ctx, "case.material",
		                 tb_arena_printf(x->a, "case:%s", x->case_no), "ok");
	return e;
}

enum tb_err tb_case_add_upload(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                               const char *name, const char *sm3, size_t size, const char *mime,
                               const char *valid_until, struct tb_fail *f)
{
	int64_t day;
	if (valid_until && (!tb_date_parse(valid_until, &day) || day < tb_date_today()))
		return tb_fail(f, TB_EINVAL, "valid_until", "a date YYYY-MM-DD, today or later");
	struct tb_arena *a = tb_arena_new();
	struct upload_args x = {ctx, case_no, name, sm3, mime, valid_until, size, a, f};
	enum tb_err e = tb_store_write(s, add_upload_in, &x);
	tb_arena_free(a);
	return e;
}

/* ---- a new query code ----------------------------------------------------- */

struct query_code_args {
	const struct tb_ctx *ctx;
	const char *case_no;
	const char *hash;
	struct tb_arena *a;
};

static enum tb_err query_code_in(struct tb_conn *c, void *arg)
{
	struct query_code_args *x = arg;
	int64_t changed = 0;
	enum tb_err e = tb_conn_run(
	    c, &changed, "UPDATE cases SET query_hash = ?, updated_at = ? WHERE case_no = ?", "sis",
	    x->hash, (int64_t)time(NULL), x->case_no);
	if (e == TB_OK && changed != 1)
		return TB_ENOTFOUND;
	return e == TB_OK ? tb_ctx_audit(c, x->ctx, "case.query_code",
	                                 tb_arena_printf(x->a, "case:%s", x->case_no), "ok")
	                  : e;
}

enum tb_err tb_case_query_code(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                               struct tb_arena *a, const char **code)
{
	*code = NULL;
	char digits[9], hash[TB_SM3_HEX];
	query_code(case_no, digits, hash);
	struct query_code_args x = {ctx, case_no, hash, a};
	enum tb_err e = tb_store_write(s, query_code_in, &x);
	if (e == TB_OK)
		*code = tb_arena_strdup(a, digits);
	return e;
}
