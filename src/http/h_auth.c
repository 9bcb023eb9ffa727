/* Registration, login, logout, "who am I" and acting for an organisation:
 * POST /api/v1/auth/register, /auth/login, /auth/logout, /auth/act-for,
 * /auth/recover, /me/recovery-code and GET /api/v1/me. */
#include "app/app.h"
#include "federation/identity.h"
#include "http/handlers.h"
#include "identity/accounts.h"
#include "identity/departments.h"
#include "identity/ratelimit.h"
#include "identity/recovery.h"
#include "identity/sessions.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void set_cookie(struct tb_req *r, const char *value, int max_age)
{
	char *c = tb_arena_printf(r->arena,
	                          "tb_session=%s; Path=/; HttpOnly; SameSite=Strict; "
	                          "Max-Age=%d%s",
	                          value, max_age, r->app->secure_cookies ? "; Secure" : "");
	tb_resp_header(r, "Set-Cookie", c);
}

static json_t *account_json(struct tb_req *r, const struct tb_account *a)
{
	json_t *j =
	    json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)a->id, "kind", a->kind, "name",
	              a->name, "login", tb_mask(r->arena, a->login), "region", a->region);
	if (a->phone)
		json_object_set_new(j, "phone", json_string(tb_mask(r->arena, a->phone)));
	json_object_set_new(j, "identity_proven", json_boolean(a->identity_proven));
	return j;
}

void tb_handle_register(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *kind = NULL;
	json_t *k = json_object_get(body, "kind");
	if (json_is_string(k))
		kind = json_string_value(k);
	struct tb_ctx ctx;
	struct tb_fail f = {0};
	enum tb_err e;
	int64_t id = 0;
	char recovery[TB_RECOVERY_CODE_LEN] = "";
	if (kind && strcmp(kind, "person") == 0) {
		struct tb_person_new in = {0};
		const struct tb_field fields[] = {
		    {"kind", 's', true, &kind},
		    {"name", 's', true, &in.name},
		    {"id_number", 's', true, &in.id_number},
		    {"phone", 's', true, &in.phone},
		    {"password", 's', true, &in.password},
		};
		if (!tb_req_fields(r, body, fields, 5))
			goto out;
		/* Registrations that reach the store are counted per address:
		 * no one registers dozens of people in minutes, and each costs
		 * a password hash. */
		char key[80];
		snprintf(key, sizeof(key), "r:%s", r->client);
		int64_t now = (int64_t)time(NULL);
		int wait = tb_limit_locked(key, now);
		if (wait > 0) {
			char s[16];
			snprintf(s, sizeof(s), "%d", wait);
			tb_resp_header(r, "Retry-After", s);
			tb_resp_error(r, TB_ERATE, "id_number",
			              "too many registrations from this address; try again later");
			goto out;
		}
		tb_req_ctx(r, &ctx);
		e = tb_person_register(r->app->store, &ctx, &in, &id, &f);
		if (e == TB_OK || e == TB_ECONFLICT)
			tb_limit_fail(key, tb_limit_register_policy(), now);
		/* The code is shown this once; without it (a store failure) the
		 * owner makes one after signing in. */
		if (e == TB_OK && tb_recovery_renew(r->app->store, &ctx, id, recovery) != TB_OK)
			recovery[0] = '\0';
	} else if (kind && strcmp(kind, "organisation") == 0) {
		const char *name = NULL, *code = NULL;
		const struct tb_field fields[] = {
		    {"kind", 's', true, &kind},
		    {"name", 's', true, &name},
		    {"credit_code", 's', true, &code},
		};
		if (!tb_req_fields(r, body, fields, 3) ||
		    !tb_req_allow(r, "organisation.register", NULL))
			goto out;
		tb_req_ctx(r, &ctx);
		e = tb_org_register(r->app->store, &ctx, name, code, &id, &f);
	} else {
		tb_resp_error(r, TB_EINVAL, "kind", "expected \"person\" or \"organisation\"");
		goto out;
	}
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		goto out;
	}
	struct tb_account a;
	if (tb_account_get(r->app->store, id, r->arena, &a) != TB_OK) {
		tb_resp_error(r, TB_ESTORE, NULL, NULL);
		goto out;
	}
	json_t *j = account_json(r, &a);
	if (recovery[0])
		json_object_set_new(j, "recovery_code", json_string(recovery));
	tb_resp_json(r, 201, j);
out:
	json_decref(body);
}

void tb_handle_login(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *login = NULL, *password = NULL;
	const struct tb_field fields[] = {
	    {"login", 's', true, &login},
	    {"password", 's', true, &password},
	};
	if (!tb_req_fields(r, body, fields, 2)) {
		json_decref(body);
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_login_result res;
	enum tb_err e = tb_login(r->app->store, &ctx, login, password, &res);
	json_decref(body);
	if (e == TB_ERATE) {
		char s[16];
		snprintf(s, sizeof(s), "%d", res.retry_after);
		tb_resp_header(r, "Retry-After", s);
		tb_resp_error(r, e, "login", "too many failed attempts; try again later");
		return;
	}
	if (e == TB_EUNAUTH) {
		tb_resp_error(r, e, "login", "wrong login or password");
		return;
	}
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	struct tb_account a;
	if (tb_account_get(r->app->store, res.account_id, r->arena, &a) != TB_OK) {
		tb_resp_error(r, TB_ESTORE, NULL, NULL);
		return;
	}
	set_cookie(r, res.token, r->app->session_absolute_s);
	tb_resp_json(
	    r, 200,
	    json_pack("{s:s, s:o}", "csrf_token", res.csrf, "account", account_json(r, &a)));
}

/* 全程网办 across provinces: a person of a peer platform arrives with the
 * identity assertion their home platform signed (federation/identity.h). */
void tb_handle_login_federated(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *assertion = NULL, *signature = NULL;
	const struct tb_field fields[] = {
	    {"assertion", 's', true, &assertion},
	    {"signature", 's', true, &signature},
	};
	if (!tb_req_fields(r, body, fields, 2)) {
		json_decref(body);
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_exchange_env env;
	tb_app_exchange_env(r->app, &env);
	struct tb_login_result res;
	struct tb_fail f = {0};
	enum tb_err e = tb_assertion_accept(&env, &ctx, assertion, signature, &res, &f);
	json_decref(body);
	struct tb_account a;
	if (e == TB_OK &&
	    (e = tb_account_get(r->app->store, res.account_id, r->arena, &a)) != TB_OK)
		tb_fail(&f, e, NULL, NULL);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return;
	}
	set_cookie(r, res.token, r->app->session_absolute_s);
	tb_resp_json(
	    r, 200,
	    json_pack("{s:s, s:o}", "csrf_token", res.csrf, "account", account_json(r, &a)));
}

void tb_handle_logout(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	struct tb_authz_object self = {.owner = p->account_id};
	if (!r->session_token) {
		tb_resp_error(r, TB_EUNAUTH, "session", "sign in first");
		return;
	}
	if (!tb_req_allow(r, "session.end", &self))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	enum tb_err e = tb_session_end(r->app->store, &ctx, r->session_token);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	set_cookie(r, "", 0);
	tb_resp_json(r, 200, json_pack("{s:b}", "signed_out", 1));
}

void tb_handle_act_for(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *code = NULL;
	const struct tb_field fields[] = {{"credit_code", 'S', true, &code}};
	const struct tb_principal *p = tb_req_principal(r);
	struct tb_authz_object self = {.owner = p ? p->account_id : 0};
	if (!p || !tb_req_fields(r, body, fields, 1) || !tb_req_allow(r, "organisation.act", &self))
		goto out;
	if (!r->session_token) {
		tb_resp_error(r, TB_EUNAUTH, "session", "sign in with a session first");
		goto out;
	}
	int64_t org = 0;
	if (code) {
		struct tb_account a;
		if (tb_account_find(r->app->store, code, r->arena, &a) != TB_OK ||
		    strcmp(a.kind, "organisation") != 0) {
			tb_resp_error(r, TB_EDENIED, "credit_code", "you are not an agent of it");
			goto out;
		}
		org = a.id;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	enum tb_err e = tb_session_act_for(r->app->store, &ctx, r->session_token, org);
	if (e == TB_EDENIED)
		tb_resp_error(r, e, "credit_code", "you are not an agent of it");
	else if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json(r, 200, json_pack("{s:I}", "acting_for", (json_int_t)org));
out:
	json_decref(body);
}

/* The officials' pages the person may use, asked of the policy table with
 * the action each page is for (any scope): the navigation shows these. */
static json_t *pages_json(const struct tb_principal *p)
{
	static const struct {
		const char *page, *role, *action;
	} pages[] = {
	    {"window", "window_clerk", "case.create"}, {"workbench", NULL, "case.queue"},
	    {"catalog", NULL, "catalog.write"},        {"supervision", NULL, "supervision.read"},
	    {"sharing", NULL, "sharing.grant.read"},   {"admin", NULL, "account.list"},
	};
	json_t *out = json_array();
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (tb_authz_as(p, pages[i].role, pages[i].action, NULL) == TB_OK)
			json_array_append_new(out, json_string(pages[i].page));
	return out;
}

void tb_handle_me(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	struct tb_authz_object self = {.owner = p->account_id, .department = p->department_id};
	if (!tb_req_allow(r, "me.read", &self))
		return;
	struct tb_store *s = r->app->store;
	if (p->kind == TB_TOKEN) {
		struct tb_department d;
		json_t *actions = json_array();
		char list[sizeof(p->token_actions)];
		snprintf(list, sizeof(list), "%s", p->token_actions);
		for (char *a = list, *c; a && *a; a = c ? c + 1 : NULL) {
			c = strchr(a, ',');
			if (c)
				*c = '\0';
			json_array_append_new(actions, json_string(a));
		}
		json_t *j = json_pack("{s:s, s:I, s:o}", "kind", "token", "token_id",
		                      (json_int_t)p->token_id, "actions", actions);
		if (tb_department_get(s, p->department_id, r->arena, &d) == TB_OK)
			json_object_set_new(j, "department",
			                    json_pack("{s:I, s:s, s:s}", "id", (json_int_t)d.id,
			                              "name", d.name, "region", d.region));
		tb_resp_json(r, 200, j);
		return;
	}
	struct tb_account a;
	enum tb_err e = tb_account_get(s, p->account_id, r->arena, &a);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *roles = json_array();
	for (int i = 0; i < p->ngrants; i++) {
		const struct tb_grant *g = &p->grants[i];
		json_t *jg = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)g->id, "role", g->role,
		                       "region", g->region);
		struct tb_department d;
		if (g->department_id &&
		    tb_department_get(s, g->department_id, r->arena, &d) == TB_OK)
			json_object_set_new(
			    jg, "department",
			    json_pack("{s:I, s:s}", "id", (json_int_t)d.id, "name", d.name));
		json_array_append_new(roles, jg);
	}
	struct tb_account *orgs;
	size_t n;
	json_t *jorgs = json_array();
	json_t *acting = json_null();
	if (tb_agent_orgs(s, p->account_id, r->arena, &orgs, &n) == TB_OK) {
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)orgs[i].id,
			                      "name", orgs[i].name, "credit_code", orgs[i].login);
			if (orgs[i].id == p->acting_for) {
				json_decref(acting);
				acting = json_deep_copy(o);
			}
			json_array_append_new(jorgs, o);
		}
	}
	json_t *j = account_json(r, &a);
	json_object_set_new(j, "roles", roles);
	json_object_set_new(j, "organisations", jorgs);
	json_object_set_new(j, "acting_for", acting);
	json_object_set_new(j, "pages", pages_json(p));
	tb_resp_json(r, 200, j);
}

void tb_handle_recover(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *login = NULL, *code = NULL, *password = NULL;
	const struct tb_field fields[] = {
	    {"login", 's', true, &login},
	    {"recovery_code", 's', true, &code},
	    {"new_password", 's', true, &password},
	};
	if (!tb_req_fields(r, body, fields, 3)) {
		json_decref(body);
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	char next[TB_RECOVERY_CODE_LEN];
	int retry = 0;
	enum tb_err e = tb_recover(r->app->store, &ctx, login, code, password, next, &retry, &f);
	json_decref(body);
	if (e == TB_ERATE) {
		char s[16];
		snprintf(s, sizeof(s), "%d", retry);
		tb_resp_header(r, "Retry-After", s);
		tb_resp_error(r, e, "recovery_code", "too many failed attempts; try again later");
	} else if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
	} else {
		tb_resp_json(r, 200,
		             json_pack("{s:b, s:s}", "recovered", 1, "recovery_code", next));
	}
}

void tb_handle_recovery_code(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	struct tb_authz_object self = {.owner = p->account_id};
	if (!tb_req_allow(r, "account.recovery_code", &self))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	char code[TB_RECOVERY_CODE_LEN];
	enum tb_err e = tb_recovery_renew(r->app->store, &ctx, p->account_id, code);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json(r, 201, json_pack("{s:s}", "recovery_code", code));
}
