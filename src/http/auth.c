/* Who is asking, per request: the session cookie (tb_session) or a bearer
 * API token, resolved once and kept on the request; the CSRF check for
 * cookie-authenticated writes; and the one door to the policy table. */
#include "app/app.h"
#include "base/crypto.h"
#include "http/req.h"
#include "identity/ctx.h"
#include "identity/sessions.h"

#include <string.h>

/* A store that cannot answer is not a wrong credential: 503, so that the
 * client tries again instead of signing in again. Returns NULL (answered). */
static const struct tb_principal *unavailable(struct tb_req *r)
{
	memset(&r->who, 0, sizeof(r->who));
	r->who_failed = true;
	tb_resp_error(r, TB_EUNAVAIL, "db", "the store is unavailable: try again shortly");
	return NULL;
}

static bool store_down(enum tb_err e)
{
	return e == TB_EUNAVAIL || e == TB_ESTORE;
}

const struct tb_principal *tb_req_principal(struct tb_req *r)
{
	if (r->who_resolved)
		return r->who_failed ? NULL : &r->who;
	r->who_resolved = true;
	memset(&r->who, 0, sizeof(r->who));
	const char *auth = tb_req_header(r, "Authorization");
	if (auth) {
		enum tb_err e = strncmp(auth, "Bearer ", 7) != 0
		                    ? TB_EUNAUTH
		                    : tb_token_resolve(r->app->store, auth + 7, &r->who);
		if (store_down(e))
			return unavailable(r);
		if (e != TB_OK) {
			memset(&r->who, 0, sizeof(r->who));
			r->who_failed = true;
			tb_resp_header(r, "WWW-Authenticate", "Bearer realm=\"tongban\"");
			tb_resp_error(r, TB_EUNAUTH, "Authorization", "unknown or revoked token");
			return NULL;
		}
		return &r->who;
	}
	const char *cookie = tb_req_cookie(r, "tb_session");
	if (cookie) {
		struct tb_session_limits lim = {r->app->session_idle_s, r->app->session_absolute_s};
		enum tb_err e = tb_session_resolve(r->app->store, &lim, cookie, &r->who, r->csrf);
		if (store_down(e))
			return unavailable(r);
		if (e == TB_OK) {
			r->via_cookie = true;
			r->session_token = tb_arena_strdup(r->arena, cookie);
		} else {
			memset(&r->who, 0, sizeof(r->who));
		}
	}
	return &r->who;
}

static bool state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

bool tb_req_allow(struct tb_req *r, const char *action, const struct tb_authz_object *o)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return false;
	if (r->via_cookie && state_changing(r->method)) {
		const char *sent = tb_req_header(r, "X-CSRF-Token");
		if (!sent || !tb_streq_ct(sent, r->csrf)) {
			tb_resp_error(r, TB_EDENIED, "X-CSRF-Token", "missing or wrong CSRF token");
			return false;
		}
	}
	enum tb_err e = tb_authz(p, action, o);
	if (e == TB_OK)
		return true;
	if (e == TB_EUNAUTH)
		tb_resp_error(r, e, "session", "sign in first");
	else
		tb_resp_error(r, e, "action", action);
	return false;
}

void tb_req_ctx(struct tb_req *r, struct tb_ctx *ctx)
{
	const struct tb_principal *p = tb_req_principal(r);
	static const struct tb_principal anon;
	ctx->who = p ? p : &anon;
	ctx->client = r->client;
	ctx->request_id = r->request_id;
}

bool tb_req_audit_read(struct tb_req *r, const char *action, const char *object)
{
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	enum tb_err e = tb_ctx_audit_alone(r->app->store, &ctx, action, object, "ok");
	if (e == TB_OK)
		return true;
	/* No record, no data: a read that cannot be accounted for is refused. */
	tb_resp_error(r, e, NULL, "the read could not be recorded in the audit trail");
	return false;
}
