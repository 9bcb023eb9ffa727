/* Certificates across platforms (see certs.h). */
#include "federation/certs.h"
#include "base/date.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/sm2.h"
#include "certs/certs.h"
#include "identity/accounts.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYS_PAGE  20
/* What is read of a peer register's answer: a verdict is a few hundred
 * bytes. */
#define MAX_ANSWER (16 * 1024)

enum tb_err tb_peer_certkeys_sync_on(struct tb_conn *c, const struct tb_exchange_env *env,
                                     const struct tb_ctx *ctx, int64_t peer, struct tb_fail *f)
{
	return tb_exchange_send_on(c, env, ctx, peer, "certkeys.request",
	                           json_pack("{s:s}", "after", ""), NULL, f);
}

enum tb_err tb_peer_certkeys_on_request(struct tb_conn *c, const struct tb_exchange_env *env,
                                        const struct tb_exchange_msg *m, json_t **reply,
                                        struct tb_fail *f)
{
	(void)env;
	const char *after = NULL;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s}", "after", &after) != 0)
		return tb_fail(f, TB_EINVAL, "body", "expected after");
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT k.key_id, d.credit_code, d.name, k.public_pem, k.created_at, k.retired_at"
	    " FROM dept_keys k JOIN departments d ON d.id = k.department_id WHERE k.key_id > ?"
	    " ORDER BY k.key_id LIMIT ?",
	    "si", after, (int64_t)KEYS_PAGE);
	json_t *keys = json_array();
	while (e == TB_OK && row) {
		json_array_append_new(
		    keys, json_pack("{s:s, s:{s:s, s:s}, s:s, s:I, s:o}", "key_id",
		                    tb_stmt_text(st, 0), "department", "code", tb_stmt_text(st, 1),
		                    "name", tb_stmt_text(st, 2), "public_pem", tb_stmt_text(st, 3),
		                    "created_at", (json_int_t)tb_stmt_int(st, 4), "retired_at",
		                    tb_stmt_is_null(st, 5) ? json_null()
		                                           : json_integer(tb_stmt_int(st, 5))));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	size_t n = json_array_size(keys);
	json_t *last = n ? json_object_get(json_array_get(keys, n - 1), "key_id") : NULL;
	if (e == TB_OK)
		*reply = json_pack("{s:o, s:O}", "keys", keys, "next",
		                   n == KEYS_PAGE && last ? last : json_null());
	else
		json_decref(keys);
	return e;
}

enum tb_err tb_peer_certkeys_on_reply(struct tb_conn *c, const struct tb_exchange_env *env,
                                      int64_t peer, json_t *sent, json_t *reply)
{
	(void)sent;
	json_t *keys = json_object_get(reply, "keys");
	if (!json_is_array(keys))
		return TB_EINVAL;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k)
	{
		const char *id = json_string_value(json_object_get(k, "key_id"));
		const char *pem = json_string_value(json_object_get(k, "public_pem"));
		json_t *dept = json_object_get(k, "department");
		const char *code = json_string_value(json_object_get(dept, "code"));
		const char *name = json_string_value(json_object_get(dept, "name"));
		json_t *retired = json_object_get(k, "retired_at");
		/* A key whose id is not the hash of its PEM is not kept: the id
		 * is what documents name. */
		struct tb_sm2_key *key = NULL;
		char got[TB_SM2_KEY_ID] = "";
		if (pem && tb_sm2_load_public(pem, &key) == TB_OK)
			tb_sm2_key_id(key, got);
		tb_sm2_free(key);
		if (!id || !code || !name || strcmp(got, id) != 0)
			continue;
		/* One of this platform's own keys, copied: never a peer's. */
		struct tb_stmt *st;
		bool own;
		enum tb_err q = tb_conn_query(c, &st, &own,
		                              "SELECT 1 FROM dept_keys WHERE key_id = ?", "s", id);
		tb_stmt_reset(st);
		if (q != TB_OK)
			return q;
		if (own)
			continue;
		enum tb_err e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO peer_cert_keys (key_id, peer_id, department_code, department_name,"
		    " public_pem, created_at, retired_at, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
		    "?)"
		    " ON CONFLICT (key_id) DO UPDATE SET retired_at = excluded.retired_at,"
		    " department_name = excluded.department_name, synced_at = excluded.synced_at"
		    " WHERE peer_cert_keys.peer_id = excluded.peer_id",
		    "sisssiIi", id, peer, code, name, pem,
		    (int64_t)json_integer_value(json_object_get(k, "created_at")),
		    (int64_t)(json_is_integer(retired) ? json_integer_value(retired) : 0), now);
		if (e != TB_OK)
			return e;
	}
	const char *next = json_string_value(json_object_get(reply, "next"));
	if (!next)
		return TB_OK;
	struct tb_principal system = {.kind = TB_ANON};
	struct tb_ctx ctx = {&system, "cli", ""};
	struct tb_fail f = {0};
	return tb_exchange_send_on(c, env, &ctx, peer, "certkeys.request",
	                           json_pack("{s:s}", "after", next), NULL, &f);
}

/* ---- verifying a peer's certificate ------------------------------------------ */

/* The peer register's verdict on identifier (GET .../verify, public), or
 * NULL when it could not be asked (taken: decref). */
static json_t *ask_register(const char *base, const char *identifier)
{
	CURL *h = curl_easy_init();
	char *esc = h ? curl_easy_escape(h, identifier, 0) : NULL;
	char url[768];
	snprintf(url, sizeof(url), "%s/api/v1/certificates/%s/verify", base, esc ? esc : "");
	curl_free(esc);
	if (h)
		curl_easy_cleanup(h);
	char *text = NULL;
	long status = esc ? tb_exchange_http(url, NULL, NULL, 5L, MAX_ANSWER, &text) : 0;
	/* 404 is the register's "unknown", with its verdict. */
	json_t *j = (status == 200 || status == 404) && text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (j && !json_is_string(json_object_get(j, "status"))) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* The key of a peer's certificate, with whose it is. */
struct peer_key {
	char *pem, *code, *province, *peer_name, *base_url;
};

static enum tb_err peer_key_of(struct tb_store *s, const char *key_id, struct tb_arena *a,
                               struct peer_key *out)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT k.public_pem, k.department_code, p.province, p.name,"
	                  " p.base_url FROM peer_cert_keys k JOIN peers p ON p.id ="
	                  " k.peer_id WHERE k.key_id = ?",
	                  "s", key_id);
	if (e == TB_OK && row) {
		char **f[] = {&out->pem, &out->code, &out->province, &out->peer_name,
		              &out->base_url};
		for (int i = 0; i < 5; i++)
			*f[i] = tb_arena_strdup(a, tb_stmt_text(st, i));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* A register's status name as ours. */
static enum tb_cert_status status_of(const char *name)
{
	static const enum tb_cert_status all[] = {TB_CERT_VALID, TB_CERT_REVOKED, TB_CERT_EXPIRED,
	                                          TB_CERT_FORGED, TB_CERT_UNKNOWN};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (name && !strcmp(tb_cert_status_name(all[i]), name))
			return all[i];
	return TB_CERT_UNKNOWN;
}

/* tb_peer_cert_verify with the verdict as JSON (*out, taken) and
 * register_checked into *checked. */
static enum tb_err verify_doc(struct tb_store *s, const json_t *doc, struct tb_arena *a,
                              enum tb_cert_status *status, json_t **out, bool *checked)
{
	*out = NULL;
	*checked = false;
	const json_t *record = json_object_get(doc, "record");
	const char *key_id = json_string_value(json_object_get(record, "key_id"));
	const char *identifier = json_string_value(json_object_get(record, "identifier"));
	struct peer_key pk;
	enum tb_err e = key_id ? peer_key_of(s, key_id, a, &pk) : TB_ENOTFOUND;
	if (e != TB_OK)
		return e;
	struct tb_sm2_key *key = NULL;
	const char *reason = "key";
	*status = TB_CERT_FORGED;
	/* The key signs for its own department only: the issuer the record
	 * names must be the department the peer said the key is of. */
	if (tb_sm2_load_public(pk.pem, &key) == TB_OK)
		*status = tb_cert_check(doc, key, pk.code, tb_date_today(), &reason);
	tb_sm2_free(key);
	json_t *j =
	    json_pack("{s:s, s:s, s:s?, s:{s:s, s:s}, s:b}", "identifier",
	              identifier ? identifier : "", "status", "", "reason", NULL, "platform",
	              "province", pk.province, "name", pk.peer_name, "register_checked", 0);
	if (*status != TB_CERT_FORGED) {
		json_object_set(j, "type", json_object_get(record, "type"));
		json_object_set(j, "issuer", json_object_get(record, "issuer"));
		json_object_set_new(
		    j, "holder",
		    json_string(tb_cert_mask_name(json_string_value(json_object_get(
		                                      json_object_get(record, "holder"), "name")),
		                                  a)));
		static const char *const keep[] = {"valid_from", "valid_to",  "key_id",
		                                   "number",     "issued_on", NULL};
		for (int i = 0; keep[i]; i++)
			json_object_set(j, keep[i], json_object_get(record, keep[i]));
		/* The issuing platform's register: whether it holds this very
		 * record (forged or unknown there is so here) and whether it
		 * was revoked. */
		json_t *reg = identifier ? ask_register(pk.base_url, identifier) : NULL;
		if (reg) {
			*checked = true;
			json_object_set_new(j, "register_checked", json_true());
			enum tb_cert_status theirs =
			    status_of(json_string_value(json_object_get(reg, "status")));
			if (theirs != TB_CERT_VALID && theirs != TB_CERT_EXPIRED) {
				*status = theirs;
				const char *why = json_string_value(json_object_get(reg, "reason"));
				reason = why ? tb_arena_strdup(a, why) : NULL;
			}
			static const char *const rev[] = {"revoked_at", "revoke_reason", NULL};
			for (int i = 0; rev[i]; i++)
				if (json_object_get(reg, rev[i]))
					json_object_set(j, rev[i], json_object_get(reg, rev[i]));
			json_decref(reg);
		}
	}
	json_object_set_new(j, "status", json_string(tb_cert_status_name(*status)));
	json_object_set_new(j, "reason",
	                    reason && *status != TB_CERT_VALID ? json_string(reason) : json_null());
	*out = j;
	return TB_OK;
}

enum tb_err tb_peer_cert_verify(struct tb_store *s, const json_t *doc, struct tb_arena *a,
                                enum tb_cert_status *status, const char **text)
{
	*text = NULL;
	json_t *j;
	bool checked;
	enum tb_err e = verify_doc(s, doc, a, status, &j, &checked);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	return e;
}

enum tb_err tb_peer_cert_verify_id(struct tb_store *s, const char *identifier,
                                   const char *issuer_code, struct tb_arena *a,
                                   enum tb_cert_status *status, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	char *province = NULL, *name = NULL, *base = NULL;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT p.province, p.name, p.base_url FROM peer_cert_keys k JOIN peers p"
	                  " ON p.id = k.peer_id WHERE k.department_code = ? LIMIT 1",
	                  "s", issuer_code);
	if (e == TB_OK && row) {
		province = tb_arena_strdup(a, tb_stmt_text(st, 0));
		name = tb_arena_strdup(a, tb_stmt_text(st, 1));
		base = tb_arena_strdup(a, tb_stmt_text(st, 2));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	/* By identifier the answer is the issuing register's alone: this
	 * platform holds no copy to check its signature against. */
	json_t *reg = ask_register(base, identifier);
	json_t *j = json_pack("{s:s, s:s, s:o, s:{s:s, s:s}, s:b}", "identifier", identifier,
	                      "status", "unknown", "reason", json_null(), "platform", "province",
	                      province, "name", name, "register_checked", reg != NULL);
	*status = TB_CERT_UNKNOWN;
	if (reg) {
		*status = status_of(json_string_value(json_object_get(reg, "status")));
		static const char *const keep[] = {"reason",     "type",          "issuer",
		                                   "valid_from", "valid_to",      "key_id",
		                                   "revoked_at", "revoke_reason", NULL};
		for (int i = 0; keep[i]; i++)
			if (json_object_get(reg, keep[i]))
				json_object_set(j, keep[i], json_object_get(reg, keep[i]));
		json_decref(reg);
	} else {
		json_object_set_new(j, "reason",
		                    json_string("the issuing platform could not be reached"));
	}
	json_object_set_new(j, "status", json_string(tb_cert_status_name(*status)));
	*text = tb_json_take(j, a);
	return TB_OK;
}

/* ---- a peer's certificate kept for its holder --------------------------------- */

struct keep_args {
	const struct tb_ctx *ctx;
	int64_t account;
	const json_t *record;
	const char *document, *key_id;
	struct tb_arena *a;
	struct tb_fail *f;
};

static enum tb_err keep_in(struct tb_conn *c, void *arg)
{
	struct keep_args *x = arg;
	const json_t *r = x->record;
	char *canon = tb_cert_canonical(r);
	const char *id = json_string_value(json_object_get(r, "identifier"));
	int64_t now = (int64_t)time(NULL);
	const char *to = json_string_value(json_object_get(r, "valid_to"));
	enum tb_err e = tb_conn_run(
	    c, NULL,
	    "INSERT INTO peer_certificates (identifier, peer_id, holder_code, type_name,"
	    " valid_from, valid_to, record, document, account_id, added_at, checked_at) SELECT ?,"
	    " peer_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM peer_cert_keys WHERE key_id = ? ON CONFLICT"
	    " (identifier) DO UPDATE SET checked_at = excluded.checked_at",
	    "sssssssiiis", id,
	    json_string_value(json_object_get(json_object_get(r, "holder"), "code")),
	    json_string_value(json_object_get(json_object_get(r, "type"), "name")),
	    json_string_value(json_object_get(r, "valid_from")), to, canon, x->document, x->account,
	    now, now, x->key_id);
	free(canon);
	if (e == TB_OK)
		e = tb_ctx_audit(c, x->ctx, "cert.across", tb_arena_printf(x->a, "cert:%s", id),
		                 "ok");
	return e;
}

enum tb_err tb_peer_cert_keep(struct tb_store *s, const struct tb_ctx *ctx, int64_t account,
                              const json_t *doc, struct tb_arena *a, const char **identifier,
                              struct tb_fail *f)
{
	*identifier = NULL;
	struct tb_account acc;
	enum tb_err e = tb_account_get(s, account, a, &acc);
	if (e != TB_OK)
		return e;
	const char *login = acc.identity_proven ? acc.login : NULL;
	if (!login)
		return tb_fail(f, TB_EDENIED, "identity_proven",
		               "the identity of this account is not proven");
	enum tb_cert_status status;
	json_t *verdict = NULL;
	bool checked = false;
	e = verify_doc(s, doc, a, &status, &verdict, &checked);
	json_decref(verdict);
	if (e == TB_ENOTFOUND)
		return tb_fail(f, TB_EINVAL, "record.key_id",
		               "not signed with the key of a peer platform's department");
	if (e != TB_OK)
		return e;
	const json_t *record = json_object_get(doc, "record");
	const char *holder =
	    json_string_value(json_object_get(json_object_get(record, "holder"), "code"));
	if (status != TB_CERT_VALID)
		return tb_fail(
		    f, TB_EINVAL, "document",
		    tb_arena_printf(a, "the certificate is %s", tb_cert_status_name(status)));
	if (!checked)
		return tb_fail(f, TB_EUNAVAIL, "document",
		               "the issuing platform could not be reached: try again later");
	if (!holder || strcmp(holder, login) != 0)
		return tb_fail(f, TB_EDENIED, "record.holder", "issued to another person");
	char *document = json_dumps(doc, JSON_COMPACT);
	struct keep_args x = {
	    ctx, account, record, document, json_string_value(json_object_get(record, "key_id")),
	    a,   f};
	e = tb_store_write(s, keep_in, &x);
	free(document);
	if (e == TB_OK)
		*identifier =
		    tb_arena_strdup(a, json_string_value(json_object_get(record, "identifier")));
	return e;
}

enum tb_err tb_peer_certs_of(struct tb_store *s, int64_t account, struct tb_arena *a,
                             const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT k.record, p.province, p.name, k.added_at, k.checked_at FROM"
	                  " peer_certificates k JOIN peers p ON p.id = k.peer_id WHERE"
	                  " k.account_id = ? ORDER BY k.added_at DESC, k.identifier",
	                  "i", account);
	json_t *items = json_array();
	while (e == TB_OK && row) {
		json_t *r = json_loads(tb_stmt_text(st, 0), 0, NULL);
		if (json_is_object(r)) {
			json_object_set_new(r, "platform",
			                    json_pack("{s:s, s:s}", "province", tb_stmt_text(st, 1),
			                              "name", tb_stmt_text(st, 2)));
			json_object_set_new(r, "added_at", json_integer(tb_stmt_int(st, 3)));
			json_object_set_new(r, "checked_at", json_integer(tb_stmt_int(st, 4)));
			json_array_append_new(items, r);
		} else {
			json_decref(r);
		}
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	json_t *j = json_pack("{s:o}", "items", items);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}
