/* The kinds of exchange message this platform takes, and what receiving
 * each does (see exchange.h). */
#include "federation/exchange.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ping: a peer checks the link (an administrator's 测试连接). The reply
 * names this platform and when it answered. */
static enum tb_err on_ping(struct tb_conn *c, const struct tb_exchange_env *env,
                           const struct tb_exchange_msg *m, json_t **reply, struct tb_fail *f)
{
	(void)c;
	(void)m;
	(void)f;
	*reply = json_pack("{s:s, s:I}", "province", env->province, "at", (json_int_t)time(NULL));
	return TB_OK;
}

/* key.announce {key_id, public_pem}: the peer rotated its exchange key;
 * the message is signed with a key already known, so the new one is
 * taken as the peer's too (the old stays for what it signed). */
static enum tb_err on_key_announce(struct tb_conn *c, const struct tb_exchange_env *env,
                                   const struct tb_exchange_msg *m, json_t **reply,
                                   struct tb_fail *f)
{
	(void)env;
	const char *key_id = NULL, *pem = NULL;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s, s:s}", "key_id", &key_id,
	                   "public_pem", &pem) != 0)
		return tb_fail(f, TB_EINVAL, "body", "expected key_id and public_pem");
	/* Registered already (by an administrator, or announced to a node
	 * that answered too late): nothing to add. A key's id is the hash of
	 * its public half, so the same id is the same key. */
	struct tb_sm2_key *known = NULL;
	enum tb_err e = tb_peer_key_on(c, m->peer->id, key_id, &known);
	tb_sm2_free(known);
	char got[TB_SM2_KEY_ID];
	snprintf(got, sizeof(got), "%s", key_id);
	if (e == TB_ENOTFOUND) {
		struct tb_sm2_key *k = NULL;
		e = tb_sm2_load_public(pem, &k);
		if (e == TB_OK)
			tb_sm2_key_id(k, got);
		tb_sm2_free(k);
		if (e != TB_OK)
			e = tb_fail(f, TB_EINVAL, "public_pem",
			            "expected an SM2 public key in PEM");
		else if (strcmp(got, key_id) != 0)
			e = tb_fail(f, TB_EINVAL, "key_id", "not the id of public_pem");
		else
			e = tb_peer_add_key_on(c, m->peer->id, pem, got, f);
	}
	if (e == TB_OK)
		*reply = json_pack("{s:s}", "key_id", got);
	return e;
}

static const struct {
	const char *kind;
	tb_exchange_handler fn;
} kinds[] = {
    {"ping", on_ping},
    {"key.announce", on_key_announce},
};

tb_exchange_handler tb_exchange_handler_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].fn;
	return NULL;
}
