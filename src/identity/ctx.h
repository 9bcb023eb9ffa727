/* Who is asking, from where, for which request: what every write hands to
 * the audit trail. Built by the HTTP layer per request (or by the CLI). */
#ifndef TB_IDENTITY_CTX_H
#define TB_IDENTITY_CTX_H

#include "identity/authz.h"

#include <stdint.h>

struct tb_ctx {
	const struct tb_principal *who; /* never NULL: anonymous is a principal */
	const char *client;             /* client address, or "cli" */
	const char *request_id;         /* or "" */
};

/* "account:ID", "token:ID", "system" (CLI) or "anonymous" into buf. */
const char *tb_ctx_actor(const struct tb_ctx *c, char *buf, unsigned long size);
/* "account:ID" of the organisation acted for, or "". */
const char *tb_ctx_acting_for(const struct tb_ctx *c, char *buf, unsigned long size);

struct tb_conn;
struct tb_store;

/* Appends an audit record for ctx's actor inside c's open transaction:
 * action (e.g. "auth.login"), object (e.g. "account:12"), outcome ("ok",
 * "denied", "failed"). */
enum tb_err tb_ctx_audit(struct tb_conn *c, const struct tb_ctx *ctx, const char *action,
                         const char *object, const char *outcome);
/* The same in a transaction of its own, for records that go with no other
 * change (a refused login). */
enum tb_err tb_ctx_audit_alone(struct tb_store *s, const struct tb_ctx *ctx, const char *action,
                               const char *object, const char *outcome);

#endif
