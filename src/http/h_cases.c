/* Cases over HTTP: open (online or at the window), edit the draft, submit,
 * events of the state machine, read one case, my cases or my department's
 * queue, and the public progress by query code. */
#include "app/app.h"
#include "base/jsonw.h"
#include "cases/cases.h"
#include "cases/machine.h"
#include "cases/notify.h"
#include "http/handlers.h"
#include "identity/departments.h"
#include "identity/ratelimit.h"
#include "regions/regions.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Serialises a JSON value member of body to text (arena), or NULL. */
static const char *member_text(struct tb_req *r, json_t *v)
{
	if (!v)
		return NULL;
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *out = tb_arena_strdup(r->arena, t ? t : "null");
	free(t);
	return out;
}

void tb_handle_case_create(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_case_new in = {0};
	json_t *form = NULL, *materials = NULL;
	const struct tb_field fields[] = {
	    {"item", 's', true, &in.item},        {"applicant", 'S', false, &in.applicant},
	    {"form", 'o', false, &form},          {"materials", 'a', false, &materials},
	    {"channel", 's', false, &in.channel},
	};
	if (!tb_req_fields(r, body, fields, 5) || !tb_req_allow(r, "case.create", NULL))
		goto out;
	if (form && !json_is_object(form)) {
		tb_resp_error(r, TB_EINVAL, "form", "expected a JSON object");
		goto out;
	}
	in.form = member_text(r, form);
	in.materials = member_text(r, materials);
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	struct tb_case_created made;
	enum tb_err e = tb_case_create(r->app->store, &ctx, &in, r->arena, &made, &f);
	if (e == TB_ECONFLICT && made.case_no) /* the draft to go on with */
		tb_resp_error_with(r, e, f.field, f.reason,
		                   json_pack("{s:s}", "case_no", made.case_no));
	else if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 201,
		             json_pack("{s:s, s:s, s:s}", "case_no", made.case_no, "query_code",
		                       made.query_code, "state", "draft"));
out:
	json_decref(body);
}

struct tb_authz_object tb_req_dept_object(struct tb_req *r, int64_t id)
{
	struct tb_department d;
	bool known = id > 0 && tb_department_get(r->app->store, id, r->arena, &d) == TB_OK;
	return (struct tb_authz_object){.department = id, .region = known ? d.region : "none"};
}

/* What the policy is asked about a case. */
static struct tb_authz_object case_object(const struct tb_case_ref *ref)
{
	return (struct tb_authz_object){.owner = ref->applicant,
	                                .department = ref->department,
	                                .region = ref->region,
	                                .window = ref->window};
}

bool tb_req_case(struct tb_req *r, const char *action, struct tb_case_ref *ref,
                 struct tb_authz_object *o)
{
	/* Signed out: 401 whether or not the number exists. */
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return false;
	if (p->kind == TB_ANON) {
		tb_resp_error(r, TB_EUNAUTH, "session", "sign in first");
		return false;
	}
	enum tb_err e = tb_case_ref(r->app->store, r->params[0], ref);
	if (e != TB_OK && e != TB_ENOTFOUND) {
		tb_resp_error(r, e, NULL, NULL);
		return false;
	}
	*o = case_object(ref);
	/* Whoever may not even read a case learns nothing of it: 404 alike. */
	if (e == TB_ENOTFOUND || tb_authz(p, "case.read", o) != TB_OK) {
		tb_resp_error(r, TB_ENOTFOUND, "case_no", "no such case");
		return false;
	}
	return tb_req_allow(r, action, o);
}

/* tb_req_case when the caller needs no object. */
static bool case_allowed(struct tb_req *r, const char *action, struct tb_case_ref *ref)
{
	struct tb_authz_object o;
	return tb_req_case(r, action, ref, &o);
}

void tb_handle_case_get(struct tb_req *r)
{
	struct tb_case_ref ref;
	if (!case_allowed(r, "case.read", &ref))
		return;
	const struct tb_principal *p = tb_req_principal(r);
	struct tb_authz_object o = case_object(&ref);
	/* Staff reading someone's case leave a record; the applicant (or their
	 * agent) reading their own does not. */
	if (tb_authz_as(p, "person", "case.read", &o) != TB_OK &&
	    !tb_req_audit_read(r, "case.read", tb_arena_printf(r->arena, "case:%s", r->params[0])))
		return;
	/* Which certificate or file each material is (identifier, SM3) is for
	 * the applicant and the department deciding, not for every reader. */
	bool refs = tb_authz(p, "case.read_materials", &o) == TB_OK;
	const char *text;
	enum tb_err e = tb_case_read(r->app->store, r->app->calendar, r->params[0],
	                             r->app->yellow_days, refs, r->arena, &text);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	/* What this caller may do to the case now (the pages' buttons). */
	json_t *j = json_loads(text, 0, NULL);
	const char *events[16];
	int n =
	    tb_machine_allowed(json_string_value(json_object_get(j, "state")), p, &o, events, 16);
	json_t *allowed = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(allowed, json_string(events[i]));
	json_object_set_new(j, "allowed_events", allowed);
	json_object_set_new(j, "window_department_id",
	                    ref.window ? json_integer(ref.window) : json_null());
	tb_resp_json(r, 200, j);
}

void tb_handle_case_update(struct tb_req *r)
{
	struct tb_case_ref ref;
	if (!case_allowed(r, "case.update", &ref))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_t *form = NULL, *materials = NULL;
	const struct tb_field fields[] = {{"form", 'o', false, &form},
	                                  {"materials", 'a', false, &materials}};
	if (!tb_req_fields(r, body, fields, 2))
		goto out;
	if (form && !json_is_object(form)) {
		tb_resp_error(r, TB_EINVAL, "form", "expected a JSON object");
		goto out;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	enum tb_err e = tb_case_update(r->app->store, &ctx, r->params[0], member_text(r, form),
	                               member_text(r, materials), r->arena, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 200,
		             json_pack("{s:s, s:s}", "case_no", r->params[0], "state", ref.state));
out:
	json_decref(body);
}

/* The answer to an event: the new state, or the error with what is
 * missing and, on a conflict, the case's current state. */
static void answer(struct tb_req *r, enum tb_err e, const char *state, const char *missing,
                   const struct tb_fail *f)
{
	if (e == TB_OK) {
		tb_notifier_kick(r->app->notifier);
		tb_resp_json(r, 200,
		             json_pack("{s:s, s:s}", "case_no", r->params[0], "state", state));
		return;
	}
	json_t *j = json_object();
	if (missing)
		json_object_set_new(j, "missing", json_loads(missing, 0, NULL));
	if (e == TB_ECONFLICT) {
		struct tb_case_ref ref;
		if (tb_case_ref(r->app->store, r->params[0], &ref) == TB_OK)
			json_object_set_new(j, "state", json_string(ref.state));
	}
	if (e == TB_EUNAVAIL && !f->reason) /* the store's own field and reason */
		tb_resp_error_with(r, e, NULL, NULL, j);
	else
		tb_resp_error_with(r, e, f->field ? f->field : "event", f->reason ? f->reason : "",
		                   j);
}

static void answer_later(struct tb_req *r)
{
	const struct tb_case_outcome *o = r->later;
	answer(r, o->e, o->state, o->missing, &o->f);
}

/* On the store's writer thread: keep the outcome, wake the request. */
static void applied(void *cb, const struct tb_case_outcome *o)
{
	struct tb_req *r = cb;
	*(struct tb_case_outcome *)r->later = *o;
	tb_req_resume(r, answer_later);
}

static void apply(struct tb_req *r, struct tb_case_event *ev)
{
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	struct tb_store *s = r->app->store;
	if (tb_store_async(s)) {
		/* The transition joins the writer's next batch while this thread
		 * serves other requests; the answer is made when it is durable. */
		enum tb_err e = tb_case_apply_prepare(s, r->app->keys, r->params[0], ev, &f);
		if (e != TB_OK) {
			answer(r, e, NULL, NULL, &f);
			return;
		}
		r->later = tb_arena_zalloc(r->arena, sizeof(struct tb_case_outcome));
		tb_req_suspend(r);
		tb_case_apply_async(s, r->app->calendar, r->app->keys, &ctx, r->params[0], ev,
		                    r->arena, applied, r);
		return;
	}
	const char *state, *missing;
	enum tb_err e = tb_case_apply(s, r->app->calendar, r->app->keys, &ctx, r->params[0], ev,
	                              r->arena, &state, &missing, &f);
	answer(r, e, state, missing, &f);
}

void tb_handle_case_submit(struct tb_req *r)
{
	struct tb_case_ref ref;
	if (!case_allowed(r, "case.read", &ref))
		return;
	struct tb_case_event ev = {.event = "submit", .seen = &ref};
	json_t *body = NULL;
	if (r->body_len) {
		body = tb_req_json_body(r);
		if (!body)
			return;
		json_int_t visits = 0;
		const struct tb_field fields[] = {{"visits", 'i', false, &visits}};
		if (!tb_req_fields(r, body, fields, 1)) {
			json_decref(body);
			return;
		}
		if (visits < 0 || visits > 10) {
			tb_resp_error(r, TB_EINVAL, "visits", "expected 0 to 10");
			json_decref(body);
			return;
		}
		ev.visits = (int)visits;
	}
	/* case_allowed checked reading and CSRF; the machine decides who may submit. */
	apply(r, &ev);
	json_decref(body);
}

void tb_handle_case_event(struct tb_req *r)
{
	struct tb_case_ref ref;
	if (!case_allowed(r, "case.read", &ref))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_case_event ev = {0};
	json_t *corrections = NULL, *certificate = NULL;
	json_int_t visits = 0;
	const struct tb_field fields[] = {
	    {"event", 's', true, &ev.event},           {"opinion", 's', false, &ev.opinion},
	    {"corrections", 'a', false, &corrections}, {"visits", 'i', false, &visits},
	    {"certificate", 'o', false, &certificate}, {"delivery", 's', false, &ev.delivery},
	};
	if (tb_req_fields(r, body, fields, 6)) {
		if (ev.opinion && strlen(ev.opinion) > 2000) {
			tb_resp_error(r, TB_EINVAL, "opinion", "at most 2000 bytes");
		} else if (certificate && !json_is_object(certificate)) {
			tb_resp_error(r, TB_EINVAL, "certificate", "expected {holder, face}");
		} else if (visits < 0 || visits > 10) {
			tb_resp_error(r, TB_EINVAL, "visits", "expected 0 to 10");
		} else {
			ev.visits = (int)visits;
			ev.corrections = member_text(r, corrections);
			ev.certificate = member_text(r, certificate);
			apply(r, &ev);
		}
	}
	json_decref(body);
}

/* The department queue's own filters (item, overdue, mine) into f; on a
 * bad value sends 400 and returns false. */
static bool queue_filters(struct tb_req *r, const struct tb_principal *p, struct tb_case_filter *f)
{
	bool mine;
	f->item = tb_req_query(r, "item");
	if (f->item && (!*f->item || strlen(f->item) > 40)) {
		tb_resp_error(r, TB_EINVAL, "item", "an implementation code");
		return false;
	}
	if (!tb_req_query_flag(r, "overdue", &f->overdue) || !tb_req_query_flag(r, "mine", &mine))
		return false;
	if (mine && p->kind != TB_PERSON) {
		tb_resp_error(r, TB_EINVAL, "mine", "only for a signed-in official");
		return false;
	}
	f->assignee = mine ? p->account_id : 0;
	return true;
}

void tb_handle_cases_list(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	const char *ls = tb_req_query(r, "limit"), *view = tb_req_query(r, "view");
	const char *state = tb_req_query(r, "state");
	char *end = NULL;
	long limit = ls ? strtol(ls, &end, 10) : 50;
	if ((ls && (!*ls || *end)) || limit < 1 || limit > 200) {
		tb_resp_error(r, TB_EINVAL, "limit", "expected 1 to 200");
		return;
	}
	if (view && strcmp(view, "mine") && strcmp(view, "queue") && strcmp(view, "window") &&
	    strcmp(view, "overdue")) {
		tb_resp_error(r, TB_EINVAL, "view", "expected mine, queue, window or overdue");
		return;
	}
	if (state && !tb_case_state_known(state)) {
		tb_resp_error(r, TB_EINVAL, "state", "not a case state");
		return;
	}
	struct tb_case_filter f = {.state = state, .limit = (int)limit};
	if (!queue_filters(r, p, &f))
		return;
	/* Without a view, staff with a department see its queue; everyone else
	 * their cases. view=window: the cases opened at the clerk's centre. */
	const char *as = "mine";
	char region[10];
	if (view && !strcmp(view, "overdue")) {
		/* Supervision: a region's overdue cases, for case.read over it. */
		const char *q = tb_req_query(r, "region");
		if (!q || !tb_region_code_normalize(q, region)) {
			tb_resp_error(r, TB_EINVAL, "region", "required: a GB/T 2260 code");
			return;
		}
		if (!tb_req_allow(r, "case.read", &(struct tb_authz_object){.region = region}))
			return;
		f.overdue_region = region;
		as = "overdue";
	} else if (view && !strcmp(view, "window")) {
		f.window = tb_principal_window(p);
		if (!tb_req_allow(r, "case.read",
		                  &(struct tb_authz_object){.window = f.window ? f.window : -1}))
			return;
		as = "window";
	} else if (!view || !strcmp(view, "queue")) {
		f.department = p->kind == TB_TOKEN ? p->department_id : 0;
		for (int i = 0; !f.department && i < p->ngrants; i++)
			if (p->grants[i].department_id &&
			    tb_authz_as(p, p->grants[i].role, "case.queue",
			                &(struct tb_authz_object){
			                    .department = p->grants[i].department_id}) == TB_OK)
				f.department = p->grants[i].department_id;
		if (f.department || view) {
			if (!tb_req_allow(r, "case.queue",
			                  &(struct tb_authz_object){
			                      .department = f.department ? f.department : -1}))
				return;
			as = "department_queue";
		}
	}
	if ((f.item || f.overdue || f.assignee) && !f.department) {
		tb_resp_error(r, TB_EINVAL,
		              f.item      ? "item"
		              : f.overdue ? "overdue"
		                          : "mine",
		              "only for a department's queue (view=queue)");
		return;
	}
	if (!f.window && !f.department && !f.overdue_region) {
		f.applicant = p->acting_for ? p->acting_for : p->account_id;
		if (!tb_req_allow(r, "case.read", &(struct tb_authz_object){.owner = f.applicant}))
			return;
	}
	/* Written as text straight into the answer (200 cases are 90 KB). */
	struct tb_buf b = TB_BUF_INIT;
	struct tb_jw w;
	tb_jw_init(&w, &b);
	tb_jw_object(&w);
	tb_jw_key(&w, "view");
	tb_jw_str(&w, as);
	tb_jw_key(&w, "items");
	enum tb_err e =
	    tb_case_list(r->app->store, r->app->calendar, &f, r->app->yellow_days, r->arena, &w);
	if (e != TB_OK) {
		tb_buf_free(&b);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	const struct {
		const char *key;
		int64_t id;
	} ids[] = {{"department_id", f.department}, {"window_department_id", f.window}};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i].id) {
			tb_jw_key(&w, ids[i].key);
			tb_jw_int(&w, ids[i].id);
		}
	}
	if (f.overdue_region) {
		tb_jw_key(&w, "region");
		tb_jw_str(&w, f.overdue_region);
	}
	tb_jw_end_object(&w);
	tb_resp_json_buf(r, 200, &b);
}

void tb_handle_progress(struct tb_req *r)
{
	const char *code = tb_req_query(r, "code");
	if (!code || strlen(code) != 8 || strspn(code, "0123456789") != 8) {
		tb_resp_error(r, TB_EINVAL, "code", "required: the 8-digit query code");
		return;
	}
	/* Guessing codes is slowed like guessing passwords: per address. */
	char key[80];
	snprintf(key, sizeof(key), "p:%s", r->client);
	int64_t now = (int64_t)time(NULL);
	int wait = tb_limit_locked(key, now);
	if (wait > 0) {
		char sec[16];
		snprintf(sec, sizeof(sec), "%d", wait);
		tb_resp_header(r, "Retry-After", sec);
		tb_resp_error(r, TB_ERATE, "code", "too many wrong codes; try again later");
		return;
	}
	const char *text;
	/* From a standby, which may not have replayed a case opened a moment
	 * ago: one it lacks is looked for on the primary before the code
	 * counts as wrong. */
	enum tb_err e = tb_case_progress(tb_app_reader(r->app), r->app->calendar, r->params[0],
	                                 code, r->app->yellow_days, r->arena, &text);
	if (e == TB_ENOTFOUND && r->app->read_store)
		e = tb_case_progress(r->app->store, r->app->calendar, r->params[0], code,
		                     r->app->yellow_days, r->arena, &text);
	if (e == TB_ENOTFOUND)
		tb_limit_fail(key, tb_limit_client_policy(), now);
	if (e == TB_ENOTFOUND)
		tb_resp_error(r, e, "case_no", "no case with this number and code");
	else if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_case_query_code(struct tb_req *r)
{
	/* The applicant (or an agent acting for the business) only: staff who
	 * may read the case get 403, everyone else the 404 of no case. */
	struct tb_case_ref ref;
	if (!case_allowed(r, "case.query_code", &ref))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	const char *code;
	enum tb_err e = tb_case_query_code(r->app->store, &ctx, r->params[0], r->arena, &code);
	if (e != TB_OK)
		tb_resp_error(r, e, "case_no", NULL);
	else
		tb_resp_json(r, 200,
		             json_pack("{s:s, s:s}", "case_no", r->params[0], "query_code", code));
}
