/* See ctx.h. */
#include "identity/ctx.h"
#include "audit/audit.h"

#include <stdio.h>
#include <string.h>

const char *tb_ctx_actor(const struct tb_ctx *c, char *buf, unsigned long size)
{
	const struct tb_principal *p = c->who;
	if (p->kind == TB_PERSON)
		snprintf(buf, size, "account:%lld", (long long)p->account_id);
	else if (p->kind == TB_TOKEN)
		snprintf(buf, size, "token:%lld", (long long)p->token_id);
	else if (c->client && strcmp(c->client, "cli") == 0)
		snprintf(buf, size, "system");
	else
		snprintf(buf, size, "anonymous");
	return buf;
}

const char *tb_ctx_acting_for(const struct tb_ctx *c, char *buf, unsigned long size)
{
	if (c->who->kind == TB_PERSON && c->who->acting_for)
		snprintf(buf, size, "account:%lld", (long long)c->who->acting_for);
	else if (size)
		buf[0] = '\0';
	return buf;
}

static void fill(struct tb_audit_rec *r, const struct tb_ctx *ctx, char *actor, char *acting,
                 const char *action, const char *object, const char *outcome)
{
	tb_ctx_actor(ctx, actor, 32);
	tb_ctx_acting_for(ctx, acting, 32);
	*r = (struct tb_audit_rec){
	    .ts = 0,
	    .actor = actor,
	    .acting_for = acting,
	    .action = action,
	    .object = object,
	    .outcome = outcome,
	    .client = ctx->client ? ctx->client : "",
	    .request_id = ctx->request_id ? ctx->request_id : "",
	};
}

enum tb_err tb_ctx_audit(struct tb_conn *c, const struct tb_ctx *ctx, const char *action,
                         const char *object, const char *outcome)
{
	char actor[32], acting[32];
	struct tb_audit_rec r;
	fill(&r, ctx, actor, acting, action, object, outcome);
	return tb_audit_append(c, &r, NULL);
}

enum tb_err tb_ctx_audit_alone(struct tb_store *s, const struct tb_ctx *ctx, const char *action,
                               const char *object, const char *outcome)
{
	char actor[32], acting[32];
	struct tb_audit_rec r;
	fill(&r, ctx, actor, acting, action, object, outcome);
	return tb_audit_log(s, &r);
}
