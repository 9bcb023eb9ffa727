/* The kinds of exchange message this platform takes, and what receiving
 * each does (see exchange.h). */
#include "federation/exchange.h"
#include "federation/certs.h"
#include "federation/forward.h"
#include "base/date.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
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

/* catalog.request {after, sync}: a peer asks for the items this platform
 * offers for cross-province handling (published, in force, cross_region
 * "nationwide"), in implementation-code order after `after`, a page at a
 * time: the reply {items: [{code, version, name, department, region,
 * online_depth, doc}], next, sync} (next: the last code when more may
 * follow, else null; sync echoed). */
#define CATALOG_PAGE 5

static enum tb_err on_catalog_request(struct tb_conn *c, const struct tb_exchange_env *env,
                                      const struct tb_exchange_msg *m, json_t **reply,
                                      struct tb_fail *f)
{
	(void)env;
	const char *after = NULL;
	json_int_t sync = 0;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s, s:I}", "after", &after, "sync",
	                   &sync) != 0)
		return tb_fail(f, TB_EINVAL, "body", "expected after and sync");
	char day[11];
	tb_date_format(tb_date_today(), day);
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT i.implementation_code, i.version, i.name, p.name, i.region, i.online_depth,"
	    " d.doc FROM items i JOIN item_docs d ON d.item_id = i.id JOIN departments p ON p.id ="
	    " i.department_id WHERE i.cross_region = 'nationwide' AND i.state = 'published' AND"
	    " i.implementation_code > ? AND i.valid_from <= ? AND (i.valid_to IS NULL OR"
	    " i.valid_to >= ?) ORDER BY i.implementation_code LIMIT ?",
	    "sssi", after, day, day, (int64_t)CATALOG_PAGE);
	json_t *items = json_array();
	const char *last = NULL;
	while (e == TB_OK && row) {
		json_t *doc = json_loads(tb_stmt_text(st, 6), 0, NULL);
		json_t *it = json_pack(
		    "{s:s, s:I, s:s, s:s, s:s, s:I, s:o}", "code", tb_stmt_text(st, 0), "version",
		    (json_int_t)tb_stmt_int(st, 1), "name", tb_stmt_text(st, 2), "department",
		    tb_stmt_text(st, 3), "region", tb_stmt_text(st, 4), "online_depth",
		    (json_int_t)tb_stmt_int(st, 5), "doc", doc ? doc : json_object());
		json_array_append_new(items, it);
		last = json_string_value(json_object_get(it, "code"));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	bool more = json_array_size(items) == CATALOG_PAGE;
	if (e == TB_OK)
		*reply = json_pack("{s:o, s:o, s:I}", "items", items, "next",
		                   more && last ? json_string(last) : json_null(), "sync", sync);
	else
		json_decref(items);
	return e;
}

static const struct {
	const char *kind;
	tb_exchange_handler fn;
} kinds[] = {
    {"ping", on_ping},
    {"key.announce", on_key_announce},
    {"catalog.request", on_catalog_request},
    {"material.put", tb_forward_on_material},
    {"case.forward", tb_forward_on_case},
    {"case.state", tb_forward_on_state},
    {"certkeys.request", tb_peer_certkeys_on_request},
    {"case.handed_out", tb_forward_on_handed_out},
};

tb_exchange_handler tb_exchange_handler_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return kinds[i].fn;
	return NULL;
}

/* ---- what the sender does with a peer's reply ------------------------------ */

/* The reply to catalog.request: the page of the peer's offered items
 * replaces what was kept of them; the next page is asked for in the same
 * transaction, and after the last, what the peer no longer offers (not
 * stamped by this sync) is removed. */
static enum tb_err on_catalog_reply(struct tb_conn *c, const struct tb_exchange_env *env,
                                    int64_t peer, json_t *sent, json_t *reply)
{
	json_int_t sync = json_integer_value(json_object_get(sent, "sync"));
	json_t *items = json_object_get(reply, "items");
	if (!json_is_array(items))
		return TB_EINVAL;
	enum tb_err e = TB_OK;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *code = json_string_value(json_object_get(it, "code"));
		const char *name = json_string_value(json_object_get(it, "name"));
		const char *dept = json_string_value(json_object_get(it, "department"));
		const char *region = json_string_value(json_object_get(it, "region"));
		char *doc = json_dumps(json_object_get(it, "doc"), JSON_COMPACT);
		if (!code || !name || !dept || !region || !doc) {
			free(doc);
			return TB_EINVAL;
		}
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO peer_items (peer_id, implementation_code, version, name,"
		    " department, region, online_depth, doc, synced_at) VALUES (?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?) ON CONFLICT (peer_id, implementation_code) DO UPDATE"
		    " SET version = excluded.version, name = excluded.name, department ="
		    " excluded.department, region = excluded.region, online_depth ="
		    " excluded.online_depth, doc = excluded.doc, synced_at ="
		    " excluded.synced_at",
		    "isisssisi", peer, code,
		    (int64_t)json_integer_value(json_object_get(it, "version")), name, dept, region,
		    (int64_t)json_integer_value(json_object_get(it, "online_depth")), doc,
		    (int64_t)sync);
		free(doc);
		if (e != TB_OK)
			return e;
	}
	const char *next = json_string_value(json_object_get(reply, "next"));
	if (next) {
		struct tb_principal system = {.kind = TB_ANON};
		struct tb_ctx ctx = {&system, "cli", ""};
		struct tb_fail f = {0};
		return tb_exchange_send_on(c, env, &ctx, peer, "catalog.request",
		                           json_pack("{s:s, s:I}", "after", next, "sync", sync),
		                           NULL, &f);
	}
	return tb_conn_run(c, NULL, "DELETE FROM peer_items WHERE peer_id = ? AND synced_at < ?",
	                   "ii", peer, (int64_t)sync);
}

static const struct {
	const char *kind;
	tb_exchange_reply_handler fn;
} replies[] = {
    {"catalog.request", on_catalog_reply},
    {"certkeys.request", tb_peer_certkeys_on_reply},
};

tb_exchange_reply_handler tb_exchange_reply_handler_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++)
		if (strcmp(replies[i].kind, kind) == 0)
			return replies[i].fn;
	return NULL;
}
