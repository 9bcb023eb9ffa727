/* Data sharing over HTTP: the public sharing catalog, providers' resources
 * and records, grants, the verification query and each person's view of
 * who used their data. Rules live in src/sharing; here: who may ask
 * (policy.tsv) and the JSON in and out. A resource code holds a "/", so
 * its paths carry it as two segments: /sharing/resources/{front}/{seq}. */
#include "app/app.h"
#include "http/handlers.h"
#include "identity/accounts.h"
#include "identity/departments.h"
#include "sharing/sharing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code named by path parameters i and i+1. */
static const char *path_code(struct tb_req *r, int i)
{
	return tb_arena_printf(r->arena, "%s/%s", r->params[i], r->params[i + 1]);
}

/* The resource of the path (answers 404 and returns false when there is
 * none). */
static bool path_resource(struct tb_req *r, struct tb_share_resource *res)
{
	const char *code = path_code(r, 0);
	enum tb_err e = tb_share_resource_get(r->app->store, code, r->arena, res);
	if (e == TB_ENOTFOUND)
		tb_resp_error(r, e, "code", "no such resource");
	else if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	return e == TB_OK;
}

void tb_handle_sharing_resources(struct tb_req *r)
{
	if (!tb_req_allow(r, "sharing.read", NULL))
		return;
	long provider = 0;
	if (!tb_req_query_int(r, "provider", 1, INT32_MAX, &provider))
		return;
	const char *q = tb_req_query(r, "q");
	json_t *list;
	enum tb_err e = tb_share_resources_list(r->app->store, provider, q ? q : "", &list);
	if (e != TB_OK) {
		json_decref(list);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:o}", "items", list));
}

void tb_handle_sharing_resource_get(struct tb_req *r)
{
	if (!tb_req_allow(r, "sharing.read", NULL))
		return;
	struct tb_share_resource res;
	if (!path_resource(r, &res))
		return;
	tb_resp_json(r, 200, tb_share_resource_json(&res));
	tb_share_resource_release(&res);
}

/* Creates (POST, create) or replaces (PUT) a resource. */
static void resource_put(struct tb_req *r, bool create)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	int64_t provider = json_integer_value(json_object_get(body, "provider_id"));
	if (!create) {
		/* The path names the resource; the body must say the same. */
		struct tb_share_resource res;
		if (!path_resource(r, &res)) {
			json_decref(body);
			return;
		}
		provider = res.provider_id;
		const char *code = json_string_value(json_object_get(body, "code"));
		if (!code || strcmp(code, res.code) != 0) {
			tb_resp_error(r, TB_EINVAL, "code", "must be the code of the path");
			tb_share_resource_release(&res);
			json_decref(body);
			return;
		}
		tb_share_resource_release(&res);
	}
	struct tb_authz_object o = tb_req_dept_object(r, provider);
	if (tb_req_allow(r, "sharing.resource.write", &o)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e =
		    tb_share_resource_put(r->app->store, &ctx, body, create, r->arena, &f);
		struct tb_share_resource res;
		if (e == TB_OK)
			e = tb_share_resource_get(r->app->store,
			                          json_string_value(json_object_get(body, "code")),
			                          r->arena, &res);
		if (e != TB_OK) {
			tb_resp_fail(r, e, &f);
		} else {
			tb_resp_json(r, create ? 201 : 200, tb_share_resource_json(&res));
			tb_share_resource_release(&res);
		}
	}
	json_decref(body);
}

void tb_handle_sharing_resource_create(struct tb_req *r)
{
	resource_put(r, true);
}

void tb_handle_sharing_resource_update(struct tb_req *r)
{
	resource_put(r, false);
}

void tb_handle_sharing_records_put(struct tb_req *r)
{
	struct tb_share_resource res;
	if (!path_resource(r, &res))
		return;
	struct tb_authz_object o = tb_req_dept_object(r, res.provider_id);
	json_t *body = NULL;
	if (tb_req_allow(r, "sharing.records.write", &o) && (body = tb_req_json_body(r))) {
		json_t *records = NULL;
		const struct tb_field fields[] = {{"records", 'a', true, &records}};
		if (tb_req_fields(r, body, fields, 1)) {
			struct tb_ctx ctx;
			tb_req_ctx(r, &ctx);
			struct tb_fail f = {0};
			int n;
			enum tb_err e = tb_share_records_put(r->app->store, &ctx, &res, records, &n,
			                                     r->arena, &f);
			if (e != TB_OK)
				tb_resp_fail(r, e, &f);
			else
				tb_resp_json(
				    r, 200,
				    json_pack("{s:s, s:i}", "resource", res.code, "stored", n));
		}
	}
	json_decref(body);
	tb_share_resource_release(&res);
}

void tb_handle_sharing_record_delete(struct tb_req *r)
{
	struct tb_share_resource res;
	if (!path_resource(r, &res))
		return;
	struct tb_authz_object o = tb_req_dept_object(r, res.provider_id);
	if (tb_req_allow(r, "sharing.records.write", &o)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		enum tb_err e = tb_share_record_delete(r->app->store, &ctx, &res, r->params[2]);
		if (e == TB_ENOTFOUND)
			tb_resp_error(r, e, "subject", "no record of this subject");
		else if (e != TB_OK)
			tb_resp_error(r, e, NULL, NULL);
		else
			tb_resp_json(
			    r, 200,
			    json_pack("{s:s, s:s}", "resource", res.code, "deleted", r->params[2]));
	}
	tb_share_resource_release(&res);
}

void tb_handle_sharing_grant_apply(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *code = NULL, *purpose = NULL;
	json_int_t dept = 0;
	json_t *names = NULL;
	const struct tb_field fields[] = {{"resource", 's', true, &code},
	                                  {"department_id", 'i', true, &dept},
	                                  {"purpose", 's', true, &purpose},
	                                  {"fields", 'a', true, &names}};
	struct tb_share_resource res = {0};
	if (tb_req_fields(r, body, fields, 4) &&
	    tb_req_allow(r, "sharing.grant.apply", &(struct tb_authz_object){.department = dept})) {
		enum tb_err e = tb_share_resource_get(r->app->store, code, r->arena, &res);
		struct tb_fail f = {0};
		int64_t id = 0;
		if (e == TB_ENOTFOUND) {
			tb_fail(&f, e, "resource", "no such resource");
		} else if (e == TB_OK) {
			struct tb_ctx ctx;
			tb_req_ctx(r, &ctx);
			e = tb_share_grant_apply(r->app->store, r->app->calendar, &ctx, &res, dept,
			                         purpose, names, &id, r->arena, &f);
		}
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(
			    r, 201,
			    json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "pending"));
	}
	tb_share_resource_release(&res);
	json_decref(body);
}

void tb_handle_sharing_grants(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	long dept = 0;
	bool overdue = false;
	if (!tb_req_query_int(r, "department_id", 1, INT32_MAX, &dept) ||
	    !tb_req_query_flag(r, "overdue", &overdue))
		return;
	/* A department's own grants, or (supervisors) every grant of the
	 * widest region the caller's grants cover. */
	const char *region = dept ? NULL : tb_authz_widest_region(p, "sharing.grant.read");
	struct tb_authz_object o =
	    dept ? tb_req_dept_object(r, dept)
	         : (struct tb_authz_object){.region = region ? region : "none"};
	if (!tb_req_allow(r, "sharing.grant.read", &o))
		return;
	json_t *list;
	enum tb_err e =
	    tb_share_grants_list(r->app->store, dept, dept ? "" : region, overdue, &list);
	if (e != TB_OK) {
		json_decref(list);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:o}", "items", list));
}

/* The grant of the path, checked for the provider's action; false when
 * answered already. */
static bool grant_for_provider(struct tb_req *r, int64_t *id)
{
	if (!tb_req_path_id(r, 0, "id", id))
		return false;
	int64_t provider, consumer;
	enum tb_err e = tb_share_grant_parties(r->app->store, *id, &provider, &consumer);
	struct tb_authz_object o = tb_req_dept_object(r, e == TB_OK ? provider : 0);
	if (!tb_req_allow(r, "sharing.grant.decide", &o))
		return false;
	if (e != TB_OK) {
		tb_resp_error(r, e, "id", e == TB_ENOTFOUND ? "no such grant" : NULL);
		return false;
	}
	return true;
}

void tb_handle_sharing_grant_decide(struct tb_req *r)
{
	int64_t id;
	if (!grant_for_provider(r, &id))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	int approve = 0;
	json_t *names = NULL;
	const char *expires = NULL, *reason = NULL;
	const struct tb_field fields[] = {{"approve", 'b', true, &approve},
	                                  {"fields", 'a', false, &names},
	                                  {"expires_on", 's', false, &expires},
	                                  {"reason", 's', false, &reason}};
	if (tb_req_fields(r, body, fields, 4)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = tb_share_grant_decide(r->app->store, &ctx, id, approve, names,
		                                      expires, reason, r->arena, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:I, s:s}", "id", (json_int_t)id, "state",
			                       approve ? "approved" : "refused"));
	}
	json_decref(body);
}

void tb_handle_sharing_grant_revoke(struct tb_req *r)
{
	int64_t id;
	if (!grant_for_provider(r, &id))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *reason = NULL;
	const struct tb_field fields[] = {{"reason", 's', true, &reason}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = tb_share_grant_revoke(r->app->store, &ctx, id, reason, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(
			    r, 200,
			    json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "revoked"));
	}
	json_decref(body);
}

/* A verification whose use is being logged (tb_share_verify_async). */
struct verified {
	json_t *body; /* the request's, kept until the answer */
	enum tb_err e;
	json_t *answer;
	struct tb_fail f;
};

static void verified_answer(struct tb_req *r)
{
	struct verified *v = r->later;
	if (v->e != TB_OK)
		tb_resp_fail(r, v->e, &v->f);
	else
		tb_resp_json(r, 200, v->answer);
	json_decref(v->body);
}

/* On the store's writer thread: keep the outcome, wake the request. */
static void verified_later(void *cb, enum tb_err e, json_t *answer)
{
	struct tb_req *r = cb;
	struct verified *v = r->later;
	v->e = e;
	v->answer = answer;
	tb_req_resume(r, verified_answer);
}

void tb_handle_verify(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_share_query q = {0};
	const struct tb_field fields[] = {
	    {"resource", 's', true, &q.resource},      {"subject", 's', true, &q.subject},
	    {"purpose", 'S', false, &q.purpose},       {"case_no", 'S', false, &q.case_no},
	    {"assertions", 'a', false, &q.assertions}, {"fields", 'a', false, &q.fields}};
	if (!tb_req_fields(r, body, fields, 6)) {
		json_decref(body);
		return;
	}
	/* The consumer is the department the case is before: the deciding
	 * department, or the centre whose window received it, whichever the
	 * caller may verify for; else the caller's first such department
	 * (the query is then refused, and logged, for the case). */
	int64_t dept = 0, window = 0, consumer = 0;
	tb_share_case_departments(r->app->store, q.case_no ? q.case_no : "", &dept, &window);
	const int64_t tries[2] = {dept, window};
	for (int i = 0; i < 2 && !consumer; i++)
		if (tries[i] &&
		    tb_authz(p, "sharing.verify",
		             &(struct tb_authz_object){.department = tries[i]}) == TB_OK)
			consumer = tries[i];
	if (!consumer && p->kind == TB_TOKEN &&
	    tb_authz(p, "sharing.verify",
	             &(struct tb_authz_object){.department = p->department_id}) == TB_OK)
		consumer = p->department_id;
	for (int i = 0; i < p->ngrants && !consumer; i++)
		if (tb_authz(p, "sharing.verify",
		             &(struct tb_authz_object){.department = p->grants[i].department_id}) ==
		    TB_OK)
			consumer = p->grants[i].department_id;
	if (!tb_req_allow(r, "sharing.verify", &(struct tb_authz_object){.department = consumer})) {
		json_decref(body);
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_store *s = r->app->store;
	if (tb_store_async(s)) {
		/* The use joins the writer's next batch while this thread serves
		 * others; the answer goes once the use is durable. */
		struct verified *v = tb_arena_zalloc(r->arena, sizeof(*v));
		v->body = body;
		r->later = v;
		tb_req_suspend(r);
		tb_share_verify_async(s, &ctx, consumer, &q, r->arena, &v->f, verified_later, r);
		return;
	}
	struct tb_fail f = {0};
	json_t *answer;
	enum tb_err e = tb_share_verify(s, &ctx, consumer, &q, &answer, r->arena, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 200, answer);
	json_decref(body);
}

void tb_handle_my_data_usage(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t me = p->acting_for ? p->acting_for : p->account_id;
	if (!tb_req_allow(r, "data_usage.read", &(struct tb_authz_object){.owner = me}))
		return;
	long before = 0, limit = 50;
	if (!tb_req_query_int(r, "before", 1, INT64_MAX, &before) ||
	    !tb_req_query_int(r, "limit", 1, 200, &limit))
		return;
	struct tb_account acc;
	enum tb_err e = tb_account_get(r->app->store, me, r->arena, &acc);
	json_t *out = NULL;
	if (e == TB_OK)
		e = tb_share_usage(r->app->store, acc.login, before, (int)limit, &out);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_object_set_new(out, "subject", json_string(acc.login));
	tb_resp_json(r, 200, out);
}
