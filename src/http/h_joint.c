/* 多地联办 over HTTP (federation/joint.h): the joint part of a case, read
 * by whoever may read the case (with the peers' items that can do it,
 * for the officials who may send it), and sent by an official of the
 * case's department. And certificates issued at peers that their holders
 * bring here, to be reused as materials (federation/certs.h). */
#include "app/app.h"
#include "cases/cases.h"
#include "cases/notify.h"
#include "certs/record.h"
#include "federation/certs.h"
#include "federation/joint.h"
#include "http/handlers.h"
#include "identity/authz.h"

#include <stdbool.h>

void tb_handle_case_joint_get(struct tb_req *r)
{
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.read", &ref, &o))
		return;
	bool offers = tb_authz(tb_req_principal(r), "case.joint", &o) == TB_OK;
	const char *text = NULL;
	enum tb_err e = tb_joint_read(r->app->store, r->params[0], offers, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_case_joint_start(struct tb_req *r)
{
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.joint", &ref, &o))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *peer = NULL, *item = NULL;
	const struct tb_field fields[] = {{"peer", 's', true, &peer}, {"item", 's', true, &item}};
	if (tb_req_fields(r, body, fields, 2)) {
		struct tb_exchange_env env;
		tb_app_exchange_env(r->app, &env);
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		const char *no = NULL;
		enum tb_err e = tb_joint_start(&env, &ctx, r->params[0], peer, item,
		                               r->app->max_upload, r->arena, &no, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else {
			tb_notifier_kick(r->app->notifier);
			tb_resp_json(r, 201,
			             json_pack("{s:s, s:s, s:s}", "case_no", r->params[0],
			                       "part_no", no, "state", "forwarded"));
		}
	}
	json_decref(body);
}

/* The account a person acts as (themselves, or the organisation they act
 * for), after the policy allowed action on it; 0 when refused. */
static int64_t own_account(struct tb_req *r, const char *action)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return 0;
	int64_t me = p->acting_for ? p->acting_for : p->account_id;
	return tb_req_allow(r, action, &(struct tb_authz_object){.owner = me}) ? me : 0;
}

void tb_handle_my_peer_certs(struct tb_req *r)
{
	int64_t me = own_account(r, "cert.read");
	if (!me)
		return;
	const char *text = NULL;
	enum tb_err e = tb_peer_certs_of(r->app->store, me, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_my_peer_cert_add(struct tb_req *r)
{
	int64_t me = own_account(r, "cert.bring");
	if (!me)
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_t *doc = NULL;
	const struct tb_field fields[] = {{"document", 'o', true, &doc}};
	const char *why = NULL, *bad = NULL;
	if (tb_req_fields(r, body, fields, 1) && (bad = tb_cert_doc_malformed(doc, &why)) != NULL)
		tb_resp_error(r, TB_EINVAL, tb_arena_printf(r->arena, "document.%s", bad), why);
	else if (doc) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		const char *id = NULL;
		enum tb_err e = tb_peer_cert_keep(r->app->store, &ctx, me, doc, r->arena, &id, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 201, json_pack("{s:s}", "identifier", id));
	}
	json_decref(body);
}
