/* The agents of an organisation: GET and POST
 * /api/v1/organisations/{id}/agents, DELETE
 * /api/v1/organisations/{id}/agents/{person_id}. Its agents manage them. */
#include "app/app.h"
#include "http/handlers.h"
#include "identity/accounts.h"
#include "identity/agents.h"

#include <stdlib.h>
#include <string.h>

/* Authorises action over the agents of the organisation of the path (its
 * own object: scope own). An agent manages them on the organisation's
 * behalf, so once the store confirms the link this request acts for it
 * (and its audit records say so) whether or not the session does. Anyone
 * else is refused alike, whether or not the organisation exists. */
static bool allow_org(struct tb_req *r, const char *action, int64_t *org)
{
	if (!tb_req_path_id(r, 0, "id", org))
		return false;
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return false;
	if (p->kind == TB_PERSON && p->acting_for != *org &&
	    tb_agent_check(r->app->store, p->account_id, *org) == TB_OK)
		r->who.acting_for = *org;
	return tb_req_allow(r, action, &(struct tb_authz_object){.owner = *org});
}

void tb_handle_agents_list(struct tb_req *r)
{
	int64_t org;
	if (!allow_org(r, "agent.list", &org))
		return;
	struct tb_account acc;
	struct tb_agent *v = NULL;
	size_t n = 0;
	enum tb_err e = tb_account_get(r->app->store, org, r->arena, &acc);
	if (e == TB_OK)
		e = tb_agents_list(r->app->store, org, r->arena, &v, &n);
	if (e != TB_OK) {
		tb_resp_error(r, e, e == TB_ENOTFOUND ? "id" : NULL, NULL);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:s, s:s, s:I, s:b}", "person_id", (json_int_t)v[i].person_id,
		              "name", v[i].name, "login", tb_mask(r->arena, v[i].login), "since",
		              (json_int_t)v[i].since, "you", v[i].person_id == r->who.account_id));
	tb_resp_json(r, 200,
	             json_pack("{s:{s:I, s:s, s:s}, s:o}", "organisation", "id", (json_int_t)acc.id,
	                       "name", acc.name, "credit_code", acc.login, "items", items));
}

void tb_handle_agent_add(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	int64_t org, person = 0;
	const char *id_number = NULL, *name = NULL;
	const struct tb_field fields[] = {
	    {"id_number", 's', true, &id_number},
	    {"name", 's', true, &name},
	};
	if (tb_req_fields(r, body, fields, 2) && allow_org(r, "agent.add", &org)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e =
		    tb_agent_add(r->app->store, &ctx, org, id_number, name, &person, &f);
		struct tb_account a;
		if (e == TB_OK)
			e = tb_account_get(r->app->store, person, r->arena, &a);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 201,
			             json_pack("{s:I, s:s, s:s}", "person_id", (json_int_t)person,
			                       "name", a.name, "login",
			                       tb_mask(r->arena, a.login)));
	}
	json_decref(body);
}

void tb_handle_agent_remove(struct tb_req *r)
{
	int64_t org, person;
	if (!allow_org(r, "agent.remove", &org) || !tb_req_path_id(r, 1, "person_id", &person))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	enum tb_err e = tb_agent_remove(r->app->store, &ctx, org, person, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 200, json_pack("{s:b}", "removed", 1));
}
