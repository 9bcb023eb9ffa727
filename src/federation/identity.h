/* 全程网办 across provinces (issue 18): "authenticate once, handled
 * everywhere". A person signed in at their home platform asks it for an
 * identity assertion addressed to a peer; the home platform signs it with
 * its exchange key; the peer checks it and opens a session for that
 * person (making their account there on first use, remembering the home
 * province).
 *
 * The assertion is JSON {"iss", "aud", "sub", "name", "proven", "iat",
 * "exp", "jti", "key_id"}: issuing and receiving province, the person's
 * identity number and name, whether the home platform proved the
 * identity (实名核验), issued and expiry times (at most five minutes
 * apart), a unique id and the signing key. Its signature is over its
 * exact bytes. Exports tb_assertion_*. */
#ifndef TB_FEDERATION_IDENTITY_H
#define TB_FEDERATION_IDENTITY_H

#include "federation/exchange.h"
#include "identity/sessions.h"

#define TB_ASSERTION_TTL_S 300

/* An assertion made for a peer: its text and signature (arena), and where
 * the person goes with it (the peer's base URL). */
struct tb_assertion {
	const char *text;
	char signature[TB_SM2_SIG_HEX];
	const char *peer_url;
};

/* Makes the assertion of ctx's person (a signed-in person acting for
 * themself) for the peer of province audience: TB_EINVAL on "audience"
 * for no such active peer, TB_EDENIED when the principal is not a person.
 * Audited federation.assert. */
enum tb_err tb_assertion_issue(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                               const char *audience, struct tb_arena *a, struct tb_assertion *out,
                               struct tb_fail *f);

/* Checks text (signed sig_hex) as an assertion for this platform and
 * opens a session for its person, made an account here on first use.
 * Refusals change nothing and are audited (federation.refuse):
 * TB_EINVAL for a malformed assertion ("assertion") or one for another
 * platform ("aud"), TB_EDENIED for an unknown or suspended issuer
 * ("iss") or an unknown key ("key_id"), TB_EUNAUTH for a bad signature
 * ("signature"), an expired or not yet valid one ("exp"), or one used
 * before ("jti"). */
enum tb_err tb_assertion_accept(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                                const char *text, const char *sig_hex, struct tb_login_result *out,
                                struct tb_fail *f);

/* The account of the person id_number (any case of its X) on c, made when
 * there is none: a person of home (a peer's province), named name, proven
 * or not as their home platform says, without a password (they come
 * through their home platform or a window), audited account.federated.
 * TB_EDENIED on "sub" for an account that is not active. */
enum tb_err tb_federated_account_on(struct tb_conn *c, const struct tb_ctx *ctx,
                                    const char *id_number, const char *name, bool proven,
                                    const char *home, int64_t *id, struct tb_fail *f);

#endif
