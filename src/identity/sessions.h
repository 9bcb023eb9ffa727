/* Signing in and out: password login with the limiter, sessions (256-bit
 * random tokens; only their SM3 is stored), idle and absolute expiry, the
 * CSRF token of each session, and API-token resolution for department
 * systems. Resolving fills a tb_principal with the account's grants. */
#ifndef TB_IDENTITY_SESSIONS_H
#define TB_IDENTITY_SESSIONS_H

#include "base/err.h"
#include "identity/authz.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

struct tb_session_limits {
	int idle_s;     /* default 1800 */
	int absolute_s; /* default 43200 */
};

struct tb_login_result {
	int64_t account_id;
	char token[64]; /* the cookie value: give it to the client, keep nothing */
	char csrf[48];
	int retry_after; /* seconds, with TB_ERATE */
};

/* A login as typed into its stored form (at most 19 characters, a-z upper
 * cased: 33010619900101123x is 33010619900101123X) into out. */
void tb_login_normalise(const char *in, char out[20]);

/* Checks login (identity number, any case) and password. TB_EUNAUTH with
 * the same answer whether or not the account exists; TB_ERATE while the
 * account or the client address is locked out (out->retry_after): an
 * account's failures and lock are kept in the store (identity/lockout.h),
 * a name with no account is locked alike in memory. A successful login
 * clears the account's failures. Every attempt leaves an audit record. */
enum tb_err tb_login(struct tb_store *s, const struct tb_ctx *ctx, const char *login,
                     const char *password, struct tb_login_result *out);

/* Opens a session of account on c, inside the caller's transaction, with
 * the audit record action over object (the account as actor): a sign-in
 * proven another way than by password (a peer platform's assertion).
 * out gets the token and CSRF token. */
enum tb_err tb_session_open_on(struct tb_conn *c, const struct tb_ctx *ctx, int64_t account,
                               const char *action, const char *object, struct tb_login_result *out);

/* Resolves a session token into *p (TB_PERSON with its grants and the
 * organisation acted for) and its csrf token. TB_EUNAUTH when unknown or
 * expired (an expired session is deleted). A session acting for an
 * organisation the person is no longer an agent of acts for no one from
 * then on (acting_for is cleared). Touches last_seen at most once a
 * minute. */
enum tb_err tb_session_resolve(struct tb_store *s, const struct tb_session_limits *lim,
                               const char *token, struct tb_principal *p, char csrf[48]);
/* Ends the session of token. */
enum tb_err tb_session_end(struct tb_store *s, const struct tb_ctx *ctx, const char *token);
/* Sets the organisation the session's person acts for (0: themself). The
 * person must be its agent (TB_EDENIED otherwise). */
enum tb_err tb_session_act_for(struct tb_store *s, const struct tb_ctx *ctx, const char *token,
                               int64_t organisation);

/* Drops every cached resolution of person's sessions at once (after their
 * agent links changed). */
void tb_session_cache_drop_person(int64_t person);

/* Resolves "tbk_..." into a TB_TOKEN principal. TB_EUNAUTH when unknown or
 * revoked. */
enum tb_err tb_token_resolve(struct tb_store *s, const char *secret, struct tb_principal *p);

/* Loads the grants of account into p. */
enum tb_err tb_grants_load(struct tb_conn *c, int64_t account, struct tb_principal *p);

#endif
