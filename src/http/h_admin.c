/* Administration over HTTP: departments, staff accounts, role grants and
 * department API tokens. Each handler asks the policy with the object's
 * region or department, then calls the identity domain. */
#include "app/app.h"
#include "http/handlers.h"
#include "codes/idnum.h"
#include "identity/accounts.h"
#include "identity/centres.h"
#include "identity/departments.h"
#include "identity/sectors.h"
#include "regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A department as the API shows it. */
static json_t *dept_json(const struct tb_department *d)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)d->id, "name",
	                 d->name, "credit_code", d->credit_code, "region", d->region, "level",
	                 d->level, "sector", d->sector, "sector_name", tb_sector_name(d->sector));
}

void tb_handle_departments_list(struct tb_req *r)
{
	if (!tb_req_allow(r, "department.read", NULL))
		return;
	const char *region = tb_req_query(r, "region"), *hosted = tb_req_query(r, "hosted_by");
	char canon[10] = "";
	if (region && !tb_region_code_normalize(region, canon)) {
		tb_resp_error(r, TB_EINVAL, "region", "expected a GB/T 2260 code");
		return;
	}
	char *end = NULL;
	long long centre = hosted ? strtoll(hosted, &end, 10) : 0;
	if (hosted && (!*hosted || *end || centre <= 0)) {
		tb_resp_error(r, TB_EINVAL, "hosted_by", "a department id");
		return;
	}
	if (hosted && region) {
		tb_resp_error(r, TB_EINVAL, "hosted_by", "not together with region");
		return;
	}
	struct tb_department *v;
	size_t n;
	/* hosted_by: the departments whose items that centre's window receives. */
	enum tb_err e = hosted ? tb_centre_departments(r->app->store, centre, r->arena, &v, &n)
	                       : tb_department_list(r->app->store, canon, r->arena, &v, &n);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, dept_json(&v[i]));
	tb_resp_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

void tb_handle_department_get(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id) || !tb_req_allow(r, "department.read", NULL))
		return;
	struct tb_department d;
	enum tb_err e = tb_department_get(r->app->store, id, r->arena, &d);
	if (e != TB_OK)
		tb_resp_error(r, e, "id", e == TB_ENOTFOUND ? "no such department" : NULL);
	else
		tb_resp_json(r, 200, dept_json(&d));
}

void tb_handle_department_create(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *name = NULL, *code = NULL, *region = NULL, *level = NULL, *sector = NULL;
	const struct tb_field fields[] = {
	    {"name", 's', true, &name},      {"credit_code", 's', true, &code},
	    {"region", 's', true, &region},  {"level", 's', true, &level},
	    {"sector", 's', false, &sector},
	};
	char canon[10] = "";
	if (!tb_req_fields(r, body, fields, 5))
		goto out;
	if (!tb_region_code_normalize(region, canon)) {
		tb_resp_error(r, TB_EINVAL, "region", "expected a GB/T 2260 code");
		goto out;
	}
	struct tb_authz_object o = {.region = canon};
	if (!tb_req_allow(r, "department.create", &o))
		goto out;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t id;
	enum tb_err e = tb_department_create(r->app->store, r->app->regions, &ctx, name, code,
	                                     canon, level, sector, &id, &f);
	struct tb_department d;
	if (e == TB_OK)
		e = tb_department_get(r->app->store, id, r->arena, &d);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 201, dept_json(&d));
out:
	json_decref(body);
}

static json_t *account_json(struct tb_req *r, const struct tb_account *a)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id, "kind",
	                      a->kind, "name", a->name, "login", tb_mask(r->arena, a->login),
	                      "region", a->region, "status", a->status);
	if (a->phone)
		json_object_set_new(j, "phone", json_string(tb_mask(r->arena, a->phone)));
	return j;
}

void tb_handle_accounts_list(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	/* The list is limited to the widest region an admin grant covers. */
	const char *scope = NULL;
	for (int i = 0; i < p->ngrants; i++)
		if (strcmp(p->grants[i].role, "admin") == 0 &&
		    (!scope || tb_region_covers(p->grants[i].region, scope)))
			scope = p->grants[i].region;
	struct tb_authz_object o = {.region = scope ? scope : "none"};
	if (!tb_req_allow(r, "account.list", &o))
		return;
	const char *q = tb_req_query(r, "q");
	if (q && (strlen(q) < 2 || strlen(q) > 40)) {
		tb_resp_error(r, TB_EINVAL, "q", "expected 2 to 40 bytes");
		return;
	}
	for (const char *c = q; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			tb_resp_error(r, TB_EINVAL, "q", "control characters");
			return;
		}
	/* A search of people's accounts is on the record, with what was
	 * searched for. */
	if (!tb_req_audit_read(
	        r, "account.list",
	        tb_arena_printf(r->arena, "accounts:%s%s%s", scope, q ? ";q=" : "", q ? q : "")))
		return;
	struct tb_account *v;
	size_t n;
	enum tb_err e = tb_account_list(r->app->store, scope, q, 100, r->arena, &v, &n);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, account_json(r, &v[i]));
	tb_resp_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

void tb_handle_account_get(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id))
		return;
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	if (p->kind == TB_ANON) {
		tb_resp_error(r, TB_EUNAUTH, "session", "sign in first");
		return;
	}
	struct tb_account a;
	enum tb_err e = tb_account_get(r->app->store, id, r->arena, &a);
	if (e != TB_OK && e != TB_ENOTFOUND) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	/* An account one may not read answers like one that does not exist:
	 * a 403 would tell that it does. */
	struct tb_authz_object o = {.owner = a.id, .region = a.region};
	if (e == TB_ENOTFOUND || tb_authz(p, "account.read", &o) != TB_OK) {
		tb_resp_error(r, TB_ENOTFOUND, "id", "no such account");
		return;
	}
	/* Reading someone else's record is itself recorded (no record, no
	 * data). */
	if (p->account_id != a.id &&
	    !tb_req_audit_read(r, "account.read",
	                       tb_arena_printf(r->arena, "account:%lld", (long long)a.id)))
		return;
	tb_resp_json(r, 200, account_json(r, &a));
}

void tb_handle_account_create(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_person_new in = {0};
	const struct tb_field fields[] = {
	    {"name", 's', true, &in.name},
	    {"id_number", 's', true, &in.id_number},
	    {"phone", 's', true, &in.phone},
	    {"password", 's', true, &in.password},
	};
	if (!tb_req_fields(r, body, fields, 4))
		goto out;
	/* The new account's region is that of its identity number. */
	struct tb_idnum idn;
	struct tb_fail idf = {0};
	if (tb_idnum_check(in.id_number, &idn, &idf) != TB_OK) {
		tb_resp_fail(r, TB_EINVAL, &idf);
		goto out;
	}
	const char *region = idn.region;
	struct tb_authz_object o = {.region = region};
	if (!tb_req_allow(r, "account.create", &o))
		goto out;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t id;
	enum tb_err e = tb_person_register(r->app->store, &ctx, &in, &id, &f);
	struct tb_account a;
	if (e == TB_OK)
		e = tb_account_get(r->app->store, id, r->arena, &a);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 201, account_json(r, &a));
out:
	json_decref(body);
}

void tb_handle_role_grant(struct tb_req *r)
{
	int64_t account;
	if (!tb_req_path_id(r, 0, "id", &account))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *role = NULL, *region = NULL;
	json_int_t dept = 0;
	const struct tb_field fields[] = {
	    {"role", 's', true, &role},
	    {"department_id", 'i', false, &dept},
	    {"region", 's', false, &region},
	};
	if (!tb_req_fields(r, body, fields, 3))
		goto out;
	if (!dept && !region) {
		tb_resp_error(r, TB_EINVAL, "department_id", "department_id or region is required");
		goto out;
	}
	/* Authorise everything the grant will cover: the department's region
	 * (a department role covers it, whatever region the body names) and
	 * the region member. Authorising only the member let an admin of one
	 * city make approvers in another city's departments. */
	char scope[10] = "";
	struct tb_department d;
	if (region && !tb_region_code_normalize(region, scope)) {
		tb_resp_error(r, TB_EINVAL, "region", "expected a GB/T 2260 code");
		goto out;
	}
	struct tb_authz_object o = {.region = scope[0] ? scope : "none"};
	if (region && !tb_req_allow(r, "role.grant", &o))
		goto out;
	if (dept) {
		enum tb_err de = tb_department_get(r->app->store, dept, r->arena, &d);
		if (de != TB_OK && de != TB_ENOTFOUND) {
			tb_resp_error(r, de, NULL, NULL);
			goto out;
		}
		o.region = de == TB_OK ? d.region : "none";
		if (!tb_req_allow(r, "role.grant", &o))
			goto out;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t id;
	enum tb_err e = tb_role_grant(r->app->store, r->app->regions, &ctx, account, role, dept,
	                              region ? scope : NULL, &id, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 201,
		             json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "account_id",
		                       (json_int_t)account, "role", role));
out:
	json_decref(body);
}

void tb_handle_role_revoke(struct tb_req *r)
{
	int64_t account, grant;
	if (!tb_req_path_id(r, 0, "id", &account) || !tb_req_path_id(r, 1, "grant", &grant))
		return;
	char region[10];
	enum tb_err e = tb_role_region(r->app->store, account, grant, region);
	struct tb_authz_object o = {.region = e == TB_OK ? region : "none"};
	if (!tb_req_allow(r, "role.revoke", &o))
		return;
	if (e != TB_OK) {
		tb_resp_error(r, e, "grant", "no such grant");
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	e = tb_role_revoke(r->app->store, &ctx, account, grant);
	if (e != TB_OK)
		tb_resp_error(r, e, "grant", NULL);
	else
		tb_resp_json(r, 200, json_pack("{s:b}", "revoked", 1));
}

/* Authorises action over department id (its region). */
static bool allow_department(struct tb_req *r, const char *action, int64_t id)
{
	struct tb_department d;
	bool known = id && tb_department_get(r->app->store, id, r->arena, &d) == TB_OK;
	struct tb_authz_object o = {.department = id, .region = known ? d.region : "none"};
	return tb_req_allow(r, action, &o);
}

void tb_handle_token_create(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *name = NULL;
	json_int_t dept = 0;
	json_t *actions = NULL;
	const struct tb_field fields[] = {
	    {"name", 's', true, &name},
	    {"department_id", 'i', true, &dept},
	    {"actions", 'a', true, &actions},
	};
	if (!tb_req_fields(r, body, fields, 3) || !allow_department(r, "token.create", dept))
		goto out;
	size_t n = json_array_size(actions);
	const char *list[32];
	if (n == 0 || n > 32) {
		tb_resp_error(r, TB_EINVAL, "actions", "expected 1 to 32 actions");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(actions, i);
		if (!json_is_string(v)) {
			tb_resp_error(r, TB_EINVAL, tb_arena_printf(r->arena, "actions[%zu]", i),
			              "expected a string");
			goto out;
		}
		list[i] = json_string_value(v);
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t id;
	char secret[64];
	enum tb_err e = tb_token_create(r->app->store, &ctx, name, dept, list, n, &id, secret, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 201,
		             json_pack("{s:I, s:s, s:s, s:O}", "id", (json_int_t)id, "token",
		                       secret, "note", "shown once: store it now", "actions",
		                       actions));
out:
	json_decref(body);
}

void tb_handle_tokens_list(struct tb_req *r)
{
	const char *ds = tb_req_query(r, "department_id");
	char *end = NULL;
	long long dept = ds ? strtoll(ds, &end, 10) : 0;
	if (!ds || *end || dept <= 0) {
		tb_resp_error(r, TB_EINVAL, "department_id", "required: a department id");
		return;
	}
	if (!allow_department(r, "token.list", dept))
		return;
	struct tb_api_token *v;
	size_t n;
	enum tb_err e = tb_token_list(r->app->store, dept, r->arena, &v, &n);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *t =
		    json_pack("{s:I, s:s, s:I, s:s, s:I}", "id", (json_int_t)v[i].id, "name",
		              v[i].name, "department_id", (json_int_t)v[i].department_id, "actions",
		              v[i].actions, "created_at", (json_int_t)v[i].created_at);
		json_object_set_new(t, "revoked_at",
		                    v[i].revoked_at ? json_integer(v[i].revoked_at) : json_null());
		json_array_append_new(items, t);
	}
	tb_resp_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

void tb_handle_token_revoke(struct tb_req *r)
{
	int64_t id, dept = 0;
	if (!tb_req_path_id(r, 0, "id", &id))
		return;
	enum tb_err e = tb_token_department(r->app->store, id, &dept);
	if (!allow_department(r, "token.revoke", dept))
		return;
	if (e != TB_OK) {
		tb_resp_error(r, e, "id", "no such token");
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	e = tb_token_revoke(r->app->store, &ctx, id);
	if (e != TB_OK)
		tb_resp_error(r, e, "id", e == TB_ENOTFOUND ? "already revoked" : NULL);
	else
		tb_resp_json(r, 200, json_pack("{s:b}", "revoked", 1));
}

void tb_handle_identity_prove(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *id_number = NULL, *name = NULL, *document = NULL;
	const struct tb_field fields[] = {
	    {"id_number", 's', true, &id_number},
	    {"name", 's', true, &name},
	    {"document", 's', true, &document},
	};
	if (!tb_req_fields(r, body, fields, 3) || !tb_req_allow(r, "account.prove", NULL))
		goto out;
	/* The documents a window accepts as proof of a person's identity. */
	static const char *const documents[] = {"居民身份证",
	                                        "临时居民身份证",
	                                        "护照",
	                                        "港澳居民来往内地通行证",
	                                        "台湾居民来往大陆通行证",
	                                        "外国人永久居留身份证"};
	bool known = false;
	for (size_t i = 0; i < sizeof(documents) / sizeof(documents[0]); i++)
		known |= strcmp(document, documents[i]) == 0;
	if (!known) {
		tb_resp_error(r, TB_EINVAL, "document",
		              "not an identity document the window accepts");
		goto out;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t id;
	enum tb_err e = tb_person_prove(r->app->store, &ctx, id_number, name, document, &id, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(
		    r, 200,
		    json_pack("{s:I, s:b}", "account_id", (json_int_t)id, "identity_proven", 1));
out:
	json_decref(body);
}

/* POST /api/v1/departments/{id}/received and DELETE .../received/{department}:
 * what a centre's window receives. */
static void centre_receive(struct tb_req *r, bool on)
{
	int64_t centre, dept = 0;
	if (!tb_req_path_id(r, 0, "id", &centre))
		return;
	json_t *body = NULL;
	if (on) {
		body = tb_req_json_body(r);
		if (!body)
			return;
		json_int_t d = 0;
		const struct tb_field fields[] = {{"department_id", 'i', true, &d}};
		if (!tb_req_fields(r, body, fields, 1))
			goto out;
		dept = d;
	} else if (!tb_req_path_id(r, 1, "department", &dept)) {
		return;
	}
	if (!allow_department(r, "centre.manage", centre))
		goto out;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	enum tb_err e = tb_centre_receive(r->app->store, &ctx, centre, dept, on, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, on ? 201 : 200,
		             json_pack("{s:I, s:I, s:b}", "centre_id", (json_int_t)centre,
		                       "department_id", (json_int_t)dept, "received", on));
out:
	json_decref(body);
}

void tb_handle_centre_receive(struct tb_req *r)
{
	centre_receive(r, true);
}

void tb_handle_centre_release(struct tb_req *r)
{
	centre_receive(r, false);
}
