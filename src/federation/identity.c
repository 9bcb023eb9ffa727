/* Identity assertions between peer platforms (see identity.h). */
#include "federation/identity.h"
#include "audit/audit.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/utf8.h"
#include "certs/keys.h"
#include "codes/idnum.h"
#include "identity/accounts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLOCK_SKEW_S 120 /* a peer's clock may be this far ahead of ours */

enum tb_err tb_assertion_issue(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                               const char *audience, struct tb_arena *a, struct tb_assertion *out,
                               struct tb_fail *f)
{
	memset(out, 0, sizeof(*out));
	const struct tb_principal *who = ctx->who;
	if (who->kind != TB_PERSON || who->acting_for)
		return tb_fail(f, TB_EDENIED, "audience",
		               "only a person acting for themself takes their identity along");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(env->store, &c);
	if (e != TB_OK)
		return e;
	struct tb_peer peer;
	struct tb_account acc;
	char key_id[TB_SM2_KEY_ID];
	struct tb_sm2_key *key = NULL;
	e = audience ? tb_peer_find_on(c, audience, a, &peer) : TB_ENOTFOUND;
	if (e == TB_ENOTFOUND || (e == TB_OK && !peer.active))
		e = tb_fail(f, TB_EINVAL, "audience", "not an active peer of this platform");
	if (e == TB_OK)
		e = tb_account_get_on(c, who->account_id, a, &acc);
	tb_store_release(c);
	/* The platform's first key is made only for an assertion that will be
	 * signed (a refused request changes nothing). */
	if (e == TB_OK)
		e = tb_keys_ensure(env->keys, env->store, TB_KEYS_PLATFORM);
	if (e == TB_OK)
		e = tb_store_acquire(env->store, &c);
	if (e != TB_OK)
		return e;
	e = tb_keys_active_on(c, TB_KEYS_PLATFORM, key_id);
	if (e == TB_OK)
		e = tb_keys_private_on(env->keys, c, key_id, &key);
	tb_store_release(c);
	char *text = NULL;
	if (e == TB_OK) {
		unsigned char raw[16];
		char jti[33];
		tb_random(raw, sizeof(raw));
		tb_hex(raw, sizeof(raw), jti);
		int64_t now = (int64_t)time(NULL);
		json_t *j =
		    json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:s, s:s}", "iss", env->province,
		              "aud", peer.province, "sub", acc.login, "name", acc.name, "proven",
		              acc.identity_proven, "iat", (json_int_t)now, "exp",
		              (json_int_t)(now + TB_ASSERTION_TTL_S), "jti", jti, "key_id", key_id);
		text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		e = text ? tb_sm2_sign(key, text, strlen(text), out->signature) : TB_EINTERNAL;
	}
	tb_sm2_free(key);
	if (e == TB_OK) {
		char obj[64];
		snprintf(obj, sizeof(obj), "peer:%s;account:%lld", peer.province,
		         (long long)who->account_id);
		e = tb_ctx_audit_alone(env->store, ctx, "federation.assert", obj, "ok");
	}
	if (e == TB_OK) {
		out->text = tb_arena_strdup(a, text);
		out->peer_url = peer.base_url;
	}
	free(text);
	return e;
}

/* What an assertion says. */
struct claims {
	const char *iss, *aud, *sub, *name, *jti, *key_id;
	int proven;
	json_int_t iat, exp;
	struct tb_idnum id;
};

static enum tb_err parse(json_t *j, struct claims *c, struct tb_fail *f)
{
	json_error_t err;
	if (!j ||
	    json_unpack_ex(j, &err, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:s, s:s}",
	                   "iss", &c->iss, "aud", &c->aud, "sub", &c->sub, "name", &c->name,
	                   "proven", &c->proven, "iat", &c->iat, "exp", &c->exp, "jti", &c->jti,
	                   "key_id", &c->key_id) != 0)
		return tb_fail(
		    f, TB_EINVAL, "assertion",
		    "expected the members iss, aud, sub, name, proven, iat, exp, jti and key_id");
	if (!tb_exchange_hex_ok(c->jti, 32))
		return tb_fail(f, TB_EINVAL, "jti", "expected 32 lower-case hex digits");
	if (!tb_exchange_hex_ok(c->key_id, TB_SM2_KEY_ID - 1))
		return tb_fail(f, TB_EINVAL, "key_id", "expected 16 lower-case hex digits");
	if (tb_idnum_check(c->sub, &c->id, NULL) != TB_OK)
		return tb_fail(f, TB_EINVAL, "sub", "not a citizen identity number");
	size_t chars = tb_utf8_chars(c->name, strlen(c->name));
	if (chars < 1 || chars > 64)
		return tb_fail(f, TB_EINVAL, "name", "1 to 64 characters");
	return TB_OK;
}

/* Audits a refused assertion under the issuer it claimed (or "anonymous"). */
static void audit_refusal(struct tb_store *s, const struct tb_ctx *ctx, const struct claims *c,
                          const struct tb_fail *f)
{
	char actor[32], obj[128];
	if (c->iss && strlen(c->iss) == 6)
		snprintf(actor, sizeof(actor), "peer:%s", c->iss);
	else
		snprintf(actor, sizeof(actor), "anonymous");
	snprintf(obj, sizeof(obj), "assertion:%.32s;refused:%.40s", c->jti ? c->jti : "",
	         f->field ? f->field : "");
	struct tb_audit_rec r = {.actor = actor,
	                         .action = "federation.refuse",
	                         .object = obj,
	                         .outcome = "denied",
	                         .client = ctx->client,
	                         .request_id = ctx->request_id};
	if (tb_audit_log(s, &r) != TB_OK)
		tb_log_warn("federation", "could not audit a refused assertion");
}

struct accept_args {
	const struct tb_ctx *ctx;
	const struct claims *c;
	const struct tb_peer *peer;
	struct tb_login_result *out;
	struct tb_fail *f;
};

enum tb_err tb_federated_account_on(struct tb_conn *c, const struct tb_ctx *ctx,
                                    const char *id_number, const char *name, bool proven,
                                    const char *home, int64_t *id, struct tb_fail *f)
{
	struct tb_idnum idn;
	if (tb_idnum_check(id_number, &idn, NULL) != TB_OK)
		return tb_fail(f, TB_EINVAL, "id_number", "not a citizen identity number");
	struct tb_stmt *st;
	bool row;
	char status[16] = "";
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT id, status FROM accounts WHERE login = ? AND kind = 'person'",
	    "s", idn.normalized);
	if (e == TB_OK && row) {
		*id = tb_stmt_int(st, 0);
		snprintf(status, sizeof(status), "%s", tb_stmt_text(st, 1));
	}
	tb_stmt_reset(st);
	if (e != TB_OK)
		return e;
	if (row)
		return strcmp(status, "active") == 0
		           ? TB_OK
		           : tb_fail(f, TB_EDENIED, "sub", "this account is not active here");
	e = tb_conn_query(c, &st, &row,
	                  "INSERT INTO accounts (kind, login, name, region, created_at,"
	                  " identity_proven, home_province) VALUES ('person', ?, ?, ?, ?, ?, ?)"
	                  " RETURNING id",
	                  "sssiis", idn.normalized, name, idn.region, (int64_t)time(NULL),
	                  (int64_t)(proven ? 1 : 0), home);
	if (e == TB_OK && row)
		*id = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	if (e == TB_OK) {
		char actor[32], obj[32];
		snprintf(actor, sizeof(actor), "peer:%s", home);
		snprintf(obj, sizeof(obj), "account:%lld", (long long)*id);
		struct tb_audit_rec r = {.actor = actor,
		                         .action = "account.federated",
		                         .object = obj,
		                         .outcome = "ok",
		                         .client = ctx->client,
		                         .request_id = ctx->request_id};
		e = tb_audit_append(c, &r, NULL);
	}
	return e;
}

static enum tb_err accept_in(struct tb_conn *c, void *arg)
{
	struct accept_args *x = arg;
	int64_t id = 0;
	enum tb_err e = tb_federated_account_on(c, x->ctx, x->c->sub, x->c->name, x->c->proven,
	                                        x->c->iss, &id, x->f);
	if (e == TB_OK) {
		e = tb_conn_run(c, NULL,
		                "INSERT INTO federated_logins (peer_id, jti, account_id, at)"
		                " VALUES (?, ?, ?, ?)",
		                "isii", x->peer->id, x->c->jti, id, (int64_t)time(NULL));
		if (e == TB_ECONFLICT)
			return tb_fail(x->f, TB_EUNAUTH, "jti", "the assertion was used before");
	}
	char obj[64];
	snprintf(obj, sizeof(obj), "account:%lld;peer:%s", (long long)id, x->c->iss);
	return e == TB_OK ? tb_session_open_on(c, x->ctx, id, "auth.federated", obj, x->out) : e;
}

enum tb_err tb_assertion_accept(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                                const char *text, const char *sig_hex, struct tb_login_result *out,
                                struct tb_fail *f)
{
	memset(out, 0, sizeof(*out));
	struct claims cl = {0};
	json_error_t err;
	json_t *j = text ? json_loads(text, JSON_REJECT_DUPLICATES, &err) : NULL;
	enum tb_err e = parse(j, &cl, f);
	bool parsed = e == TB_OK;
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK && strcmp(cl.aud, env->province) != 0)
		e = tb_fail(f, TB_EINVAL, "aud", "not addressed to this platform");
	struct tb_arena *a = tb_arena_new();
	struct tb_peer peer;
	if (e == TB_OK) {
		e = tb_exchange_check_sender(env, cl.iss, cl.key_id, text, strlen(text),
		                             sig_hex ? sig_hex : "", a, &peer, f);
		if (f->field && strcmp(f->field, "from") == 0)
			f->field = "iss";
	}
	if (e == TB_OK && (cl.exp <= now || cl.iat > now + CLOCK_SKEW_S))
		e = tb_fail(f, TB_EUNAUTH, "exp", "the assertion has expired or is not valid yet");
	if (e == TB_OK && cl.exp - cl.iat > 2 * TB_ASSERTION_TTL_S)
		e = tb_fail(f, TB_EINVAL, "exp", "the assertion is valid for too long");
	struct accept_args x = {ctx, &cl, &peer, out, f};
	if (e == TB_OK)
		e = tb_store_write(env->store, accept_in, &x);
	if (e != TB_OK && parsed && e != TB_ESTORE && e != TB_EUNAVAIL && e != TB_EINTERNAL)
		audit_refusal(env->store, ctx, &cl, f);
	if (e != TB_OK)
		memset(out, 0, sizeof(*out));
	tb_arena_free(a);
	json_decref(j);
	return e;
}
