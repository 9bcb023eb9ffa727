/* The general window (综合窗口) over HTTP: a window clerk looks up the
 * applicant standing at the counter by identity number or credit code,
 * to open a case for them (POST /api/v1/cases with "applicant"). */
#include "app/app.h"
#include "http/handlers.h"
#include "identity/accounts.h"
#include "materials/holdings.h"

#include <string.h>

void tb_handle_applicant_get(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	if (p->kind == TB_ANON) {
		tb_resp_error(r, TB_EUNAUTH, "session", "sign in first");
		return;
	}
	if (!tb_req_allow(r, "applicant.read", NULL))
		return;
	struct tb_account acc;
	enum tb_err e = tb_account_find(r->app->store, r->params[0], r->arena, &acc);
	if (e == TB_ENOTFOUND) {
		tb_resp_error(r, e, "code", "no account with this number");
		return;
	}
	struct tb_holdings held;
	if (e == TB_OK)
		e = tb_holdings_count(r->app->store, acc.id, acc.login, &held);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	/* Who is standing at the counter is itself a read of their record. */
	if (!tb_req_audit_read(r, "applicant.read",
	                       tb_arena_printf(r->arena, "account:%lld", (long long)acc.id)))
		return;
	tb_resp_json(r, 200,
	             json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}", "kind", acc.kind, "name", acc.name,
	                       "login", tb_mask(r->arena, acc.login), "identity_proven",
	                       acc.identity_proven, "certificates", (json_int_t)held.certificates,
	                       "library", (json_int_t)held.library));
}
