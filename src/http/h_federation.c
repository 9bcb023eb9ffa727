/* Cross-province handling over HTTP (issue 18): this platform as peers see
 * it, the peers an administrator registers, suspends and gives keys, the
 * messages sent (the dead-letter view) and the endpoint where peers
 * deliver theirs. Administration asks the policy over the platform's
 * province; the message endpoint is open to all and trusts only the
 * signature (federation/exchange.h). */
#include "app/app.h"
#include "cases/notify.h"
#include "certs/keys.h"
#include "federation/catalog.h"
#include "federation/exchange.h"
#include "federation/forward.h"
#include "federation/identity.h"
#include "http/handlers.h"
#include "regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The policy over the platform's province for action. */
static bool allow(struct tb_req *r, const char *action)
{
	return tb_req_allow(r, action, &(struct tb_authz_object){.region = r->app->province});
}

/* Answers text (JSON) with 200, or e. */
static void answer(struct tb_req *r, enum tb_err e, const char *text)
{
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_federation_self(struct tb_req *r)
{
	struct tb_exchange_env env;
	tb_app_exchange_env(r->app, &env);
	const char *text;
	enum tb_err e = tb_exchange_self(&env, r->arena, &text);
	answer(r, e, text);
}

void tb_handle_federation_key_rotate(struct tb_req *r)
{
	if (!allow(r, "peer.manage"))
		return;
	struct tb_exchange_env env;
	tb_app_exchange_env(r->app, &env);
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	char key_id[TB_SM2_KEY_ID];
	enum tb_err e = tb_exchange_rotate(&env, &ctx, key_id);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_notifier_kick(r->app->notifier);
	tb_resp_json(r, 201, json_pack("{s:s}", "key_id", key_id));
}

void tb_handle_peers_list(struct tb_req *r)
{
	if (!allow(r, "peer.read"))
		return;
	const char *text;
	enum tb_err e = tb_peer_list(r->app->store, r->arena, &text);
	answer(r, e, text);
}

void tb_handle_peer_register(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_peer_new in = {0};
	const struct tb_field fields[] = {
	    {"province", 's', true, &in.province},
	    {"name", 's', true, &in.name},
	    {"base_url", 's', true, &in.base_url},
	    {"public_pem", 's', true, &in.public_pem},
	};
	if (tb_req_fields(r, body, fields, 4) && allow(r, "peer.manage")) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		int64_t id;
		enum tb_err e = tb_peer_register(r->app->store, r->app->regions, r->app->province,
		                                 &ctx, &in, &id, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(
			    r, 201,
			    json_pack("{s:I, s:s}", "id", (json_int_t)id, "province", in.province));
	}
	json_decref(body);
}

void tb_handle_peer_state(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *state = NULL;
	const struct tb_field fields[] = {{"state", 's', true, &state}};
	if (tb_req_fields(r, body, fields, 1) && allow(r, "peer.manage")) {
		bool active = strcmp(state, "active") == 0;
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e =
		    active || strcmp(state, "suspended") == 0
		        ? tb_peer_set_active(r->app->store, &ctx, id, active, &f)
		        : tb_fail(&f, TB_EINVAL, "state", "expected active or suspended");
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else {
			if (active) /* what waited for it goes now */
				tb_notifier_kick(r->app->notifier);
			tb_resp_json(r, 200,
			             json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", state));
		}
	}
	json_decref(body);
}

void tb_handle_peer_key_add(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *pem = NULL;
	const struct tb_field fields[] = {{"public_pem", 's', true, &pem}};
	if (tb_req_fields(r, body, fields, 1) && allow(r, "peer.manage")) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		char key_id[TB_SM2_KEY_ID];
		enum tb_err e = tb_peer_add_key(r->app->store, &ctx, id, pem, key_id, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(
			    r, 201,
			    json_pack("{s:I, s:s}", "id", (json_int_t)id, "key_id", key_id));
	}
	json_decref(body);
}

void tb_handle_peer_ping(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id) || !allow(r, "peer.manage"))
		return;
	struct tb_exchange_env env;
	tb_app_exchange_env(r->app, &env);
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	char msg_id[TB_EXCHANGE_ID];
	enum tb_err e = tb_exchange_send(&env, &ctx, id, "ping", json_object(), msg_id, &f);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return;
	}
	tb_notifier_kick(r->app->notifier);
	tb_resp_json(r, 202, json_pack("{s:s, s:s}", "msg_id", msg_id, "state", "pending"));
}

void tb_handle_exchange_list(struct tb_req *r)
{
	if (!allow(r, "peer.read"))
		return;
	const char *state = tb_req_query(r, "state");
	if (state && strcmp(state, "pending") != 0 && strcmp(state, "delivered") != 0 &&
	    strcmp(state, "dead") != 0) {
		tb_resp_error(r, TB_EINVAL, "state", "expected pending, delivered or dead");
		return;
	}
	long peer = 0, limit = 100;
	if (!tb_req_query_int(r, "peer", 1, INT64_MAX / 2, &peer) ||
	    !tb_req_query_int(r, "limit", 1, 500, &limit))
		return;
	const char *text;
	enum tb_err e =
	    tb_exchange_list(r->app->store, state ? state : "", peer, (int)limit, r->arena, &text);
	answer(r, e, text);
}

void tb_handle_exchange_retry(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id) || !allow(r, "peer.manage"))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	enum tb_err e = tb_exchange_retry(r->app->store, &ctx, id, &f);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return;
	}
	tb_notifier_kick(r->app->notifier);
	tb_resp_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "pending"));
}

void tb_handle_exchange_receive(struct tb_req *r)
{
	struct tb_exchange_env env;
	tb_app_exchange_env(r->app, &env);
	const char *ct = tb_req_header(r, "Content-Type");
	if (!ct || strncmp(ct, "application/json", 16) != 0) {
		tb_resp_error(r, TB_EMEDIA, "Content-Type", "expected application/json");
		return;
	}
	struct tb_fail f = {0};
	const char *reply;
	enum tb_err e =
	    tb_exchange_receive(&env, r->client, r->body ? r->body : "", r->body ? r->body_len : 0,
	                        tb_req_header(r, TB_EXCHANGE_SIG_HEADER), r->arena, &reply, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json_text(r, 200, reply);
}

void tb_handle_assertion_issue(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *audience = NULL;
	const struct tb_field fields[] = {{"audience", 's', true, &audience}};
	const struct tb_principal *p = tb_req_principal(r);
	if (p && tb_req_fields(r, body, fields, 1) &&
	    tb_req_allow(r, "federation.assert",
	                 &(struct tb_authz_object){.owner = p->acting_for ? p->acting_for
	                                                                  : p->account_id})) {
		struct tb_exchange_env env;
		tb_app_exchange_env(r->app, &env);
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		struct tb_assertion as;
		enum tb_err e = tb_assertion_issue(&env, &ctx, audience, r->arena, &as, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 201,
			             json_pack("{s:s, s:s, s:s, s:I}", "assertion", as.text,
			                       "signature", as.signature, "peer_url", as.peer_url,
			                       "expires_in", (json_int_t)TB_ASSERTION_TTL_S));
	}
	json_decref(body);
}

void tb_handle_peers_public(struct tb_req *r)
{
	const char *text;
	const struct tb_region *p = tb_regions_find(r->app->regions, r->app->province);
	enum tb_err e = tb_peer_list_public(r->app->store, r->app->province, p ? p->name : NULL,
	                                    r->arena, &text);
	answer(r, e, text);
}

void tb_handle_peer_catalog_sync(struct tb_req *r)
{
	int64_t id;
	if (!tb_req_path_id(r, 0, "id", &id) || !allow(r, "peer.manage"))
		return;
	struct tb_exchange_env env;
	tb_app_exchange_env(r->app, &env);
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	enum tb_err e = tb_peer_catalog_sync(&env, &ctx, id, &f);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return;
	}
	tb_notifier_kick(r->app->notifier);
	tb_resp_json(r, 202, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "pending"));
}

void tb_handle_peer_items_list(struct tb_req *r)
{
	const char *q = tb_req_query(r, "q"), *province = tb_req_query(r, "province");
	long page = 1, per = 20;
	if (!tb_req_query_int(r, "page", 1, 10000, &page) ||
	    !tb_req_query_int(r, "per_page", 1, 100, &per))
		return;
	if (q && strlen(q) > 100) {
		tb_resp_error(r, TB_EINVAL, "q", "at most 100 bytes");
		return;
	}
	const char *text;
	enum tb_err e = tb_peer_items_list(tb_app_reader(r->app), q && *q ? q : NULL,
	                                   province && *province ? province : NULL, (int)page,
	                                   (int)per, r->arena, &text);
	answer(r, e, text);
}

void tb_handle_peer_item_get(struct tb_req *r)
{
	const char *text;
	enum tb_err e =
	    tb_peer_item_get(tb_app_reader(r->app), r->params[0], r->params[1], r->arena, &text);
	if (e == TB_ENOTFOUND)
		tb_resp_error(r, e, "code", "no such item offered by that province");
	else
		answer(r, e, text);
}

/* The members of the applicant and materials of a forward's body into in
 * (strings borrowed from body); false after answering 400. */
static bool forward_members(struct tb_req *r, json_t *applicant, json_t *materials,
                            struct tb_forward_new *in, struct tb_forward_material *m)
{
	json_error_t err;
	if (!applicant ||
	    json_unpack_ex(applicant, &err, JSON_STRICT, "{s:s, s:s, s?s}", "name", &in->name,
	                   "id_number", &in->id_number, "phone", &in->phone) != 0) {
		tb_resp_error(r, TB_EINVAL, "applicant", "expected name, id_number and phone");
		return false;
	}
	if (!json_is_array(materials) || json_array_size(materials) > 16) {
		tb_resp_error(r, TB_EINVAL, "materials", "1 to 16 files");
		return false;
	}
	size_t i;
	json_t *x;
	json_array_foreach(materials, i, x)
	{
		if (json_unpack_ex(x, &err, JSON_STRICT, "{s:s, s:s, s:s}", "material",
		                   &m[i].material, "name", &m[i].name, "content",
		                   &m[i].content) != 0) {
			tb_resp_error(r, TB_EINVAL, tb_arena_printf(r->arena, "materials[%zu]", i),
			              "expected material, name and content");
			return false;
		}
	}
	in->materials = m;
	in->nmaterials = json_array_size(materials);
	return true;
}

void tb_handle_forward_create(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_forward_new in = {0};
	json_t *applicant = NULL, *form = NULL, *materials = NULL;
	const struct tb_field fields[] = {
	    {"peer", 's', true, &in.peer},        {"item", 's', true, &in.item},
	    {"applicant", 'o', true, &applicant}, {"form", 'o', false, &form},
	    {"materials", 'a', true, &materials},
	};
	struct tb_forward_material m[16];
	const struct tb_principal *p = tb_req_principal(r);
	if (p && tb_req_fields(r, body, fields, 5) &&
	    tb_req_allow(r, "forward.create",
	                 &(struct tb_authz_object){.region = r->app->province}) &&
	    forward_members(r, applicant, materials, &in, m)) {
		int64_t window = tb_principal_window(p);
		char *form_text =
		    json_dumps(form ? form : json_object(), JSON_COMPACT | JSON_ENCODE_ANY);
		in.form = tb_arena_strdup(r->arena, form_text);
		free(form_text);
		struct tb_exchange_env env;
		tb_app_exchange_env(r->app, &env);
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		const char *no = NULL;
		enum tb_err e = window
		                    ? tb_forward_create(&env, &ctx, window, &in, r->app->max_upload,
		                                        r->arena, &no, &f)
		                    : tb_fail(&f, TB_EDENIED, "session",
		                              "only a clerk of a service centre's window forwards");
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else {
			tb_notifier_kick(r->app->notifier);
			tb_resp_json(
			    r, 201,
			    json_pack("{s:s, s:s}", "forward_no", no, "state", "forwarded"));
		}
	}
	json_decref(body);
}

void tb_handle_forwards_list(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t window = tb_principal_window(p);
	/* A clerk sees their window's; a supervisor or administrator all. */
	if (!tb_req_allow(r, "forward.read",
	                  &(struct tb_authz_object){.window = window, .region = r->app->province}))
		return;
	bool all = tb_authz(p, "forward.read",
	                    &(struct tb_authz_object){.region = r->app->province}) == TB_OK;
	long limit = 100;
	if (!tb_req_query_int(r, "limit", 1, 500, &limit))
		return;
	const char *text;
	enum tb_err e =
	    tb_forward_list(r->app->store, all ? 0 : window, (int)limit, r->arena, &text);
	answer(r, e, text);
}

void tb_handle_forward_get(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	const char *text = NULL;
	int64_t window = 0;
	enum tb_err e = tb_forward_get(r->app->store, r->params[0], r->arena, &text, &window);
	/* Another window's forward is answered as none. */
	if (e == TB_OK && tb_authz(p, "forward.read",
	                           &(struct tb_authz_object){.window = window,
	                                                     .region = r->app->province}) != TB_OK)
		e = p->kind == TB_ANON ? TB_EUNAUTH : TB_ENOTFOUND;
	if (e == TB_ENOTFOUND)
		tb_resp_error(r, e, "forward_no", "no such forward");
	else if (e == TB_EUNAUTH)
		tb_resp_error(r, e, "session", "sign in first");
	else
		answer(r, e, text);
}

void tb_handle_forward_hand_out(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *delivery = NULL, *note = NULL;
	const struct tb_field fields[] = {{"delivery", 's', true, &delivery},
	                                  {"note", 'S', false, &note}};
	if (p && tb_req_fields(r, body, fields, 2) && allow(r, "forward.create")) {
		int64_t window = tb_principal_window(p);
		struct tb_exchange_env env;
		tb_app_exchange_env(r->app, &env);
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e =
		    window
		        ? tb_forward_hand_out(&env, &ctx, window, r->params[0], delivery, note, &f)
		        : tb_fail(&f, TB_EDENIED, "session",
		                  "only a clerk of a service centre's window hands out");
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else {
			tb_notifier_kick(r->app->notifier);
			tb_resp_json(r, 200,
			             json_pack("{s:s, s:s}", "forward_no", r->params[0], "delivery",
			                       delivery));
		}
	}
	json_decref(body);
}
