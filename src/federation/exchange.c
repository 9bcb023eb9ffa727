/* The exchange between peer platforms (see exchange.h). */
#include "federation/exchange.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/testmode.h"
#include "certs/keys.h"
#include "federation/forward.h"
#include "regions/regions.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DELIVER_BATCH   50
#define MAX_BACKOFF_S   60 /* a peer that comes back gets its messages within a minute */
#define MAX_REPLY_BYTES (64 * 1024)
#define FUTURE_SKEW_S   300 /* a message "sent" later than this from now is refused */
/* The lock among nodes that makes one of them the exchange's deliverer. */
#define EXCHANGE_LOCK   0x74626578L /* "tbex" */

/* ---- sending ------------------------------------------------------------ */

/* Signs and stores one message on c with key signer (NULL: the platform's
 * active key). */
static enum tb_err send_with(struct tb_conn *c, const struct tb_exchange_env *env,
                             const struct tb_ctx *ctx, int64_t peer, const char *kind, json_t *body,
                             const char *signer, char msg_id[TB_EXCHANGE_ID], struct tb_fail *f)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_peer p;
	char id[TB_EXCHANGE_ID], key_id[TB_SM2_KEY_ID];
	struct tb_sm2_key *key = NULL;
	char *text = NULL;
	enum tb_err e = tb_peer_get_on(c, peer, a, &p);
	if (e == TB_ENOTFOUND)
		tb_fail(f, e, "peer", "no such peer");
	else if (e == TB_OK && !p.active)
		e = tb_fail(f, TB_EDENIED, "peer", "the peer is suspended");
	if (e == TB_OK && signer)
		snprintf(key_id, sizeof(key_id), "%s", signer);
	else if (e == TB_OK)
		e = tb_keys_active_on(c, TB_KEYS_PLATFORM, key_id);
	if (e == TB_OK)
		e = tb_keys_private_on(env->keys, c, key_id, &key);
	if (e == TB_OK) {
		unsigned char raw[16];
		tb_random(raw, sizeof(raw));
		tb_hex(raw, sizeof(raw), id);
		json_t *env_json =
		    json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:O}", "id", id, "from",
		              env->province, "to", p.province, "kind", kind, "at",
		              (json_int_t)time(NULL), "key_id", key_id, "body", body);
		text = env_json ? json_dumps(env_json, JSON_COMPACT) : NULL;
		json_decref(env_json);
		e = text ? TB_OK : TB_EINTERNAL;
	}
	char sig[TB_SM2_SIG_HEX];
	if (e == TB_OK)
		e = tb_sm2_sign(key, text, strlen(text), sig);
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO exchange_out (msg_id, peer_id, kind, envelope, signature,"
		    " state, next_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
		    "sisssii", id, peer, kind, text, sig, now, now);
	if (e == TB_OK) {
		char obj[96];
		snprintf(obj, sizeof(obj), "message:%s;peer:%s;kind:%.24s", id, p.province, kind);
		e = tb_ctx_audit(c, ctx, "exchange.send", obj, "ok");
	}
	if (e == TB_OK && msg_id)
		memcpy(msg_id, id, TB_EXCHANGE_ID);
	free(text);
	tb_sm2_free(key);
	json_decref(body);
	tb_arena_free(a);
	return e;
}

enum tb_err tb_exchange_send_on(struct tb_conn *c, const struct tb_exchange_env *env,
                                const struct tb_ctx *ctx, int64_t peer, const char *kind,
                                json_t *body, char msg_id[TB_EXCHANGE_ID], struct tb_fail *f)
{
	return send_with(c, env, ctx, peer, kind, body, NULL, msg_id, f);
}

struct send_args {
	const struct tb_exchange_env *env;
	const struct tb_ctx *ctx;
	int64_t peer;
	const char *kind;
	json_t *body;
	char *msg_id;
	struct tb_fail *f;
};

static enum tb_err send_in(struct tb_conn *c, void *arg)
{
	struct send_args *x = arg;
	return tb_exchange_send_on(c, x->env, x->ctx, x->peer, x->kind, json_incref(x->body),
	                           x->msg_id, x->f);
}

enum tb_err tb_exchange_send(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                             int64_t peer, const char *kind, json_t *body,
                             char msg_id[TB_EXCHANGE_ID], struct tb_fail *f)
{
	/* The peer first: a refused request changes nothing (not even the
	 * platform's first key, made outside the sending transaction). */
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(env->store, &c);
	if (e == TB_OK) {
		struct tb_arena *a = tb_arena_new();
		struct tb_peer p;
		e = tb_peer_get_on(c, peer, a, &p);
		if (e == TB_ENOTFOUND)
			tb_fail(f, e, "peer", "no such peer");
		else if (e == TB_OK && !p.active)
			e = tb_fail(f, TB_EDENIED, "peer", "the peer is suspended");
		tb_arena_free(a);
		tb_store_release(c);
	}
	if (e == TB_OK)
		e = tb_keys_ensure(env->keys, env->store, TB_KEYS_PLATFORM);
	struct send_args x = {env, ctx, peer, kind, body, msg_id, f};
	if (e == TB_OK)
		e = tb_store_write(env->store, send_in, &x);
	json_decref(body);
	return e;
}

/* ---- receiving ---------------------------------------------------------- */

bool tb_exchange_hex_ok(const char *s, size_t len)
{
	if (!s || strlen(s) != len)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static bool province_code(const char *s)
{
	if (!s || strlen(s) != 6 || strcmp(s + 2, "0000") != 0)
		return false;
	return s[0] >= '1' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

/* Reads the envelope's members into m; TB_EINVAL naming the bad one. */
static enum tb_err parse(json_t *j, struct tb_exchange_msg *m, struct tb_fail *f)
{
	json_int_t at = 0;
	json_error_t err;
	if (!json_is_object(j))
		return tb_fail(f, TB_EINVAL, "body", "expected a JSON object");
	if (json_unpack_ex(j, &err, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:I, s:s, s:o}", "id",
	                   &m->id, "from", &m->from, "to", &m->to, "kind", &m->kind, "at", &at,
	                   "key_id", &m->key_id, "body", &m->body) != 0)
		return tb_fail(f, TB_EINVAL, "body",
		               "expected the members id, from, to, kind, at, key_id and body");
	m->at = at;
	if (!tb_exchange_hex_ok(m->id, TB_EXCHANGE_ID - 1))
		return tb_fail(f, TB_EINVAL, "id", "expected 32 lower-case hex digits");
	if (!province_code(m->from))
		return tb_fail(f, TB_EINVAL, "from", "expected a province code");
	if (!province_code(m->to))
		return tb_fail(f, TB_EINVAL, "to", "expected a province code");
	if (!tb_exchange_hex_ok(m->key_id, TB_SM2_KEY_ID - 1))
		return tb_fail(f, TB_EINVAL, "key_id", "expected 16 lower-case hex digits");
	if (strlen(m->kind) == 0 || strlen(m->kind) > 32)
		return tb_fail(f, TB_EINVAL, "kind", "1 to 32 characters");
	return TB_OK;
}

/* Audits a refusal of a parsed message m (its claimed sender as actor). */
static void audit_refusal(struct tb_store *s, const struct tb_exchange_msg *m, const char *client,
                          const struct tb_fail *f)
{
	char actor[32], obj[160];
	snprintf(actor, sizeof(actor), "peer:%s", m->from);
	snprintf(obj, sizeof(obj), "message:%s;kind:%.24s;refused:%.40s", m->id, m->kind,
	         f->field ? f->field : "");
	struct tb_audit_rec r = {.actor = actor,
	                         .action = "exchange.refuse",
	                         .object = obj,
	                         .outcome = "denied",
	                         .client = client,
	                         .request_id = ""};
	if (tb_audit_log(s, &r) != TB_OK)
		tb_log_warn("exchange", "could not audit the refusal of message %s", m->id);
}

/* The reply stored for message id of peer on c into *reply (arena), or
 * NULL when the message has not been received. */
static enum tb_err stored_reply(struct tb_conn *c, int64_t peer, const char *id, struct tb_arena *a,
                                const char **reply)
{
	*reply = NULL;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT reply FROM exchange_in WHERE peer_id = ? AND msg_id = ?", "is",
	    peer, id);
	if (e == TB_OK && row)
		*reply = tb_arena_strdup(a, tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	return e;
}

/* The answer to the sender: {"id", "duplicate", "reply"} (arena). */
static const char *answer(struct tb_arena *a, const char *id, bool duplicate, const char *reply)
{
	json_t *r = json_loads(reply, 0, NULL);
	json_t *j = json_pack("{s:s, s:b, s:o}", "id", id, "duplicate", duplicate, "reply",
	                      r ? r : json_null());
	return tb_json_take(j, a);
}

struct receive_args {
	const struct tb_exchange_env *env;
	const struct tb_exchange_msg *m;
	const char *text, *sig, *client;
	tb_exchange_handler handler;
	struct tb_arena *a;
	const char **reply;
	bool duplicate;
	struct tb_fail *f;
};

static enum tb_err receive_in(struct tb_conn *c, void *arg)
{
	struct receive_args *x = arg;
	const struct tb_exchange_msg *m = x->m;
	enum tb_err e = stored_reply(c, m->peer->id, m->id, x->a, x->reply);
	if (e != TB_OK || *x->reply) {
		x->duplicate = *x->reply != NULL;
		return e;
	}
	json_t *reply = NULL;
	e = x->handler(c, x->env, m, &reply, x->f);
	char *reply_text = reply ? json_dumps(reply, JSON_COMPACT) : tb_xstrdup("null");
	json_decref(reply);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO exchange_in (peer_id, msg_id, kind, envelope, signature,"
		    " reply, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		    "isssssi", m->peer->id, m->id, m->kind, x->text, x->sig, reply_text,
		    (int64_t)time(NULL));
	if (e == TB_OK) {
		char actor[32], obj[96];
		snprintf(actor, sizeof(actor), "peer:%s", m->from);
		snprintf(obj, sizeof(obj), "message:%s;kind:%.24s", m->id, m->kind);
		struct tb_audit_rec r = {.actor = actor,
		                         .action = "exchange.receive",
		                         .object = obj,
		                         .outcome = "ok",
		                         .client = x->client,
		                         .request_id = ""};
		e = tb_audit_append(c, &r, NULL);
	}
	if (e == TB_OK)
		*x->reply = tb_arena_strdup(x->a, reply_text);
	free(reply_text);
	return e;
}

enum tb_err tb_exchange_check_sender(const struct tb_exchange_env *env, const char *from,
                                     const char *key_id, const char *text, size_t n,
                                     const char *sig, struct tb_arena *a, struct tb_peer *peer,
                                     struct tb_fail *f)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(env->store, &c);
	if (e != TB_OK)
		return e;
	struct tb_sm2_key *key = NULL;
	e = tb_peer_find_on(c, from, a, peer);
	if (e == TB_ENOTFOUND)
		e = tb_fail(f, TB_EDENIED, "from", "not a peer of this platform");
	else if (e == TB_OK && !peer->active)
		e = tb_fail(f, TB_EDENIED, "from", "this platform has suspended the peer");
	if (e == TB_OK) {
		e = tb_peer_key_on(c, peer->id, key_id, &key);
		if (e == TB_ENOTFOUND || e == TB_EINVAL)
			e = tb_fail(f, TB_EDENIED, "key_id", "not a key of the peer");
	}
	if (e == TB_OK && !tb_sm2_verify(key, text, n, sig))
		e = tb_fail(f, TB_EUNAUTH, "signature", "the signature does not verify");
	tb_sm2_free(key);
	tb_store_release(c);
	return e;
}

enum tb_err tb_exchange_receive(const struct tb_exchange_env *env, const char *client,
                                const char *text, size_t n, const char *sig_hex, struct tb_arena *a,
                                const char **reply, struct tb_fail *f)
{
	*reply = NULL;
	json_error_t err;
	json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return tb_fail(f, TB_EINVAL, "body", "expected a JSON object");
	struct tb_exchange_msg m = {0};
	struct tb_peer peer = {0};
	enum tb_err e = parse(j, &m, f);
	bool parsed = e == TB_OK;
	if (e == TB_OK && strcmp(m.to, env->province) != 0)
		e = tb_fail(f, TB_EINVAL, "to", "not addressed to this platform");
	if (e == TB_OK && (!sig_hex || !*sig_hex))
		e = tb_fail(f, TB_EUNAUTH, "signature",
		            "the X-Tongban-Signature header is missing");
	if (e == TB_OK)
		e = tb_exchange_check_sender(env, m.from, m.key_id, text, n, sig_hex, a, &peer, f);
	m.peer = &peer;
	if (e == TB_OK && m.at > (int64_t)time(NULL) + FUTURE_SKEW_S)
		e = tb_fail(f, TB_EINVAL, "at", "sent in the future: check the sender's clock");
	tb_exchange_handler h = e == TB_OK ? tb_exchange_handler_of(m.kind) : NULL;
	if (e == TB_OK && !h)
		e = tb_fail(f, TB_EINVAL, "kind", "not a kind of message this platform takes");
	struct receive_args x = {env, &m, NULL, sig_hex, client, h, a, reply, false, f};
	if (e == TB_OK) {
		x.text = tb_arena_strndup(a, text, n);
		e = tb_store_write(env->store, receive_in, &x);
		/* Two copies at once: the second finds the first's row. */
		if (e == TB_ECONFLICT && !f->field)
			e = tb_store_write(env->store, receive_in, &x);
	}
	if (e == TB_OK && x.duplicate) {
		char actor[32], obj[96];
		snprintf(actor, sizeof(actor), "peer:%s", m.from);
		snprintf(obj, sizeof(obj), "message:%s;kind:%.24s", m.id, m.kind);
		struct tb_audit_rec r = {.actor = actor,
		                         .action = "exchange.duplicate",
		                         .object = obj,
		                         .outcome = "denied",
		                         .client = client,
		                         .request_id = ""};
		if (tb_audit_log(env->store, &r) != TB_OK)
			tb_log_warn("exchange", "could not audit the duplicate %s", m.id);
	}
	if (e == TB_OK)
		*reply = answer(a, m.id, x.duplicate, *reply);
	else if (parsed && e != TB_ESTORE && e != TB_EUNAVAIL && e != TB_EINTERNAL)
		audit_refusal(env->store, &m, client, f);
	json_decref(j);
	return e;
}

/* ---- delivering ----------------------------------------------------------- */

struct reply_buf {
	struct tb_buf b;
	size_t max;
	bool too_big;
};

static size_t keep_reply(char *p, size_t size, size_t nmemb, void *ud)
{
	struct reply_buf *r = ud;
	size_t n = size * nmemb;
	if (r->b.len + n > r->max)
		r->too_big = true;
	else
		tb_buf_add(&r->b, p, n);
	return n;
}

long tb_exchange_http(const char *url, const char *body, const char *sig, long timeout_s,
                      size_t max, char **reply)
{
	*reply = NULL;
	CURL *h = curl_easy_init();
	if (!h)
		return 0;
	char sig_hdr[TB_SM2_SIG_HEX + 40];
	struct curl_slist *hdrs = NULL;
	if (body)
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (sig) {
		snprintf(sig_hdr, sizeof(sig_hdr), TB_EXCHANGE_SIG_HEADER ": %s", sig);
		hdrs = curl_slist_append(hdrs, sig_hdr);
	}
	struct reply_buf r = {TB_BUF_INIT, max, false};
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_s < 3 ? timeout_s : 3L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_reply);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	long status = 0;
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (r.too_big)
		status = status ? 502 : 0;
	*reply = tb_buf_take(&r.b);
	return status;
}

/* POSTs envelope to the peer at base; the status (0: no answer) and the
 * answer's text into *reply (malloc'd, may be NULL). Peers are registered
 * by administrators and are often on the government extranet's private
 * addresses: no public-only check here, unlike webhooks. */
static long post(const char *base, const char *envelope, const char *sig, char **reply)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, TB_EXCHANGE_PATH);
	return tb_exchange_http(url, envelope, sig, 10L, MAX_REPLY_BYTES, reply);
}

/* The reason of a refusal's JSON answer (malloc'd), or a short text. */
static char *refusal_of(long status, const char *reply)
{
	json_t *j = reply ? json_loads(reply, 0, NULL) : NULL;
	const char *field = json_string_value(json_object_get(j, "field"));
	const char *reason = json_string_value(json_object_get(j, "reason"));
	const char *error = json_string_value(json_object_get(j, "error"));
	struct tb_buf b = TB_BUF_INIT;
	if (status == 0)
		tb_buf_printf(&b, "no answer");
	else
		tb_buf_printf(&b, "HTTP %ld%s%s%s%s%s", status, error ? ": " : "",
		              error ? error : "", field ? " (" : "", field ? field : "",
		              field ? ")" : "");
	if (reason)
		tb_buf_printf(&b, ": %.200s", reason);
	json_decref(j);
	return tb_buf_take(&b);
}

struct job {
	int64_t id, peer, attempts;
	char *msg_id, *envelope, *sig, *base, *province;
};

/* Has the kind's reply handler take reply_text (the peer's answer) on c,
 * inside the caller's transaction. */
static enum tb_err take_reply(struct tb_conn *c, const struct tb_exchange_env *env,
                              const struct job *j, const char *reply_text)
{
	json_t *sent = json_loads(j->envelope, 0, NULL);
	const char *kind = json_string_value(json_object_get(sent, "kind"));
	tb_exchange_reply_handler h = kind ? tb_exchange_reply_handler_of(kind) : NULL;
	json_t *answer = reply_text ? json_loads(reply_text, 0, NULL) : NULL;
	enum tb_err e = !h ? TB_OK
	                : json_is_object(json_object_get(answer, "reply"))
	                    ? h(c, env, j->peer, json_object_get(sent, "body"),
	                        json_object_get(answer, "reply"))
	                    : TB_EINVAL;
	json_decref(answer);
	json_decref(sent);
	return e;
}

/* Records one attempt of j on c: delivered (with the peer's reply, taken
 * by the kind's reply handler, and an audit record), dead (refused), or
 * pending again after a backoff (also when the reply could not be
 * taken). */
static void record(struct tb_conn *c, const struct tb_exchange_env *env, const struct job *j,
                   int64_t now, long status, const char *reply)
{
	int64_t attempts = j->attempts + 1;
	bool ok = status >= 200 && status < 300;
	/* 4xx is the peer's refusal of this message, which sending it again
	 * cannot change (but 408 and 429: later). */
	bool refused = status >= 400 && status < 500 && status != 408 && status != 429;
	int64_t backoff = (int64_t)1 << (attempts < 8 ? attempts : 8);
	const char *cap = tb_test_getenv("TB_EXCHANGE_RETRY_MAX_S");
	int64_t most = cap ? strtoll(cap, NULL, 10) : MAX_BACKOFF_S;
	if (backoff > most)
		backoff = most;
	char *why = ok ? NULL : refusal_of(status, reply);
	json_t *rj = ok && reply ? json_loads(reply, 0, NULL) : NULL;
	char *kept =
	    rj ? json_dumps(json_object_get(rj, "reply"), JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(rj);
	enum tb_err e = tb_conn_begin(c);
	if (e == TB_OK && ok && (e = take_reply(c, env, j, reply)) != TB_OK) {
		tb_conn_rollback(c);
		ok = false;
		why = tb_xstrdup("the reply could not be taken");
		e = tb_conn_begin(c);
	}
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "UPDATE exchange_out SET attempts = ?, state = ?, last_status = ?,"
		    " last_error = ?, next_at = ?, reply = ?, delivered_at = ? WHERE id = ?",
		    "isisisIi", attempts,
		    ok        ? "delivered"
		    : refused ? "dead"
		              : "pending",
		    (int64_t)status, why, now + backoff, kept, ok ? now : (int64_t)0, j->id);
	if (e == TB_OK && (ok || refused)) {
		char obj[96];
		snprintf(obj, sizeof(obj), "message:%s;peer:%s", j->msg_id, j->province);
		struct tb_audit_rec r = {.actor = "system",
		                         .action = ok ? "exchange.delivered" : "exchange.dead",
		                         .object = obj,
		                         .outcome = ok ? "ok" : "failed",
		                         .client = "cli",
		                         .request_id = ""};
		e = tb_audit_append(c, &r, NULL);
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	if (e != TB_OK)
		tb_log_warn("exchange", "message %s: could not record attempt %lld", j->msg_id,
		            (long long)attempts);
	else if (refused)
		tb_log_warn("exchange", "message %s to %s refused: %s", j->msg_id, j->province,
		            why);
	else if (!ok && attempts % 5 == 1)
		tb_log_warn("exchange", "message %s to %s: attempt %lld: %s", j->msg_id,
		            j->province, (long long)attempts, why);
	free(why);
	free(kept);
}

int tb_exchange_deliver(struct tb_store *s, int64_t now, void *arg)
{
	struct tb_conn *c;
	if (tb_store_acquire(s, &c) != TB_OK)
		return 0;
	if (!tb_conn_node_lock(c, EXCHANGE_LOCK)) {
		tb_store_release(c);
		return 0;
	}
	/* Forwarded applications made cases here, and the steps of those
	 * cases reported back, before what is due goes out. */
	int tried = tb_forward_admit(arg);
	tried += tb_forward_relay(arg);
	struct tb_stmt *st;
	bool row;
	struct job jobs[DELIVER_BATCH];
	int n = 0;
	if (tb_conn_query(c, &st, &row,
	                  "SELECT o.id, o.peer_id, o.attempts, o.msg_id, o.envelope, o.signature,"
	                  " p.base_url, p.province FROM exchange_out o JOIN peers p ON p.id ="
	                  " o.peer_id WHERE o.state = 'pending' AND p.state = 'active' AND (SELECT"
	                  " h.next_at FROM exchange_out h WHERE h.peer_id = o.peer_id AND h.state ="
	                  " 'pending' ORDER BY h.id LIMIT 1) <= ? ORDER BY o.id LIMIT ?",
	                  "ii", now, (int64_t)DELIVER_BATCH) == TB_OK) {
		while (row && n < DELIVER_BATCH) {
			struct job *j = &jobs[n++];
			j->id = tb_stmt_int(st, 0);
			j->peer = tb_stmt_int(st, 1);
			j->attempts = tb_stmt_int(st, 2);
			j->msg_id = tb_xstrdup(tb_stmt_text(st, 3));
			j->envelope = tb_xstrdup(tb_stmt_text(st, 4));
			j->sig = tb_xstrdup(tb_stmt_text(st, 5));
			j->base = tb_xstrdup(tb_stmt_text(st, 6));
			j->province = tb_xstrdup(tb_stmt_text(st, 7));
			if (tb_stmt_step(st, &row) != TB_OK)
				break;
		}
		tb_stmt_reset(st);
	}
	/* In order per peer: after a peer's first failure, its later messages
	 * wait for the next pass (the network calls run outside any
	 * transaction). */
	int64_t failed[DELIVER_BATCH];
	int nfailed = 0;
	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		bool skip = false;
		for (int k = 0; k < nfailed && !skip; k++)
			skip = failed[k] == j->peer;
		if (!skip) {
			char *reply = NULL;
			long status = post(j->base, j->envelope, j->sig, &reply);
			record(c, arg, j, now, status, reply);
			tried++;
			if (status < 200 || status >= 300)
				failed[nfailed++] = j->peer;
			free(reply);
		}
		free(j->msg_id);
		free(j->envelope);
		free(j->sig);
		free(j->base);
		free(j->province);
	}
	tb_conn_node_unlock(c, EXCHANGE_LOCK);
	tb_store_release(c);
	return tried;
}

/* ---- the administrators' view --------------------------------------------- */

enum tb_err tb_exchange_list(struct tb_store *s, const char *state, int64_t peer, int limit,
                             struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT o.id, o.msg_id, p.id, p.province, p.name, o.kind, o.state,"
	                  " o.attempts, o.last_status, o.last_error, o.created_at, o.delivered_at"
	                  " FROM exchange_out o JOIN peers p ON p.id = o.peer_id WHERE (? = '' OR"
	                  " o.state = ?) AND (? = 0 OR o.peer_id = ?) ORDER BY o.id DESC LIMIT ?",
	                  "ssiii", state, state, peer, peer, (int64_t)limit);
	json_t *items = json_array();
	while (e == TB_OK && row) {
		json_array_append_new(
		    items,
		    json_pack(
		        "{s:I, s:s, s:{s:I, s:s, s:s}, s:s, s:s, s:I, s:o, s:o, s:I, s:o}", "id",
		        (json_int_t)tb_stmt_int(st, 0), "msg_id", tb_stmt_text(st, 1), "peer", "id",
		        (json_int_t)tb_stmt_int(st, 2), "province", tb_stmt_text(st, 3), "name",
		        tb_stmt_text(st, 4), "kind", tb_stmt_text(st, 5), "state",
		        tb_stmt_text(st, 6), "attempts", (json_int_t)tb_stmt_int(st, 7),
		        "last_status",
		        tb_stmt_is_null(st, 8) ? json_null() : json_integer(tb_stmt_int(st, 8)),
		        "last_error",
		        tb_stmt_is_null(st, 9) ? json_null() : json_string(tb_stmt_text(st, 9)),
		        "created_at", (json_int_t)tb_stmt_int(st, 10), "delivered_at",
		        tb_stmt_is_null(st, 11) || tb_stmt_int(st, 11) == 0
		            ? json_null()
		            : json_integer(tb_stmt_int(st, 11))));
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

struct retry_args {
	const struct tb_ctx *ctx;
	int64_t id;
	struct tb_fail *f;
};

static enum tb_err retry_in(struct tb_conn *c, void *arg)
{
	struct retry_args *x = arg;
	struct tb_stmt *st;
	bool row;
	char state[16] = "", msg_id[TB_EXCHANGE_ID] = "";
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT state, msg_id FROM exchange_out WHERE id = ?", "i", x->id);
	if (e == TB_OK && row) {
		snprintf(state, sizeof(state), "%s", tb_stmt_text(st, 0));
		snprintf(msg_id, sizeof(msg_id), "%s", tb_stmt_text(st, 1));
	}
	tb_stmt_reset(st);
	if (e == TB_OK && !row)
		return tb_fail(x->f, TB_ENOTFOUND, "id", "no such message");
	if (e == TB_OK && strcmp(state, "dead") != 0)
		return tb_fail(x->f, TB_ECONFLICT, "state", "only a dead message is sent again");
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "UPDATE exchange_out SET state = 'pending', attempts = 0, next_at = ?"
		    " WHERE id = ?",
		    "ii", (int64_t)time(NULL), x->id);
	char obj[64];
	snprintf(obj, sizeof(obj), "message:%s", msg_id);
	return e == TB_OK ? tb_ctx_audit(c, x->ctx, "exchange.retry", obj, "ok") : e;
}

enum tb_err tb_exchange_retry(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                              struct tb_fail *f)
{
	struct retry_args x = {ctx, id, f};
	return tb_store_write(s, retry_in, &x);
}

/* ---- the platform's key ----------------------------------------------------- */

struct announce_args {
	const struct tb_exchange_env *env;
	const struct tb_ctx *ctx;
	char old_id[TB_SM2_KEY_ID];
};

/* Sends the new key to every active peer, signed with the old one. */
static enum tb_err announce(struct tb_conn *c, const char *new_id, void *arg)
{
	struct announce_args *x = arg;
	struct tb_stmt *st;
	bool row;
	char *pem = NULL;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT public_pem FROM exchange_keys WHERE key_id = ?", "s", new_id);
	if (e == TB_OK && row)
		pem = tb_xstrdup(tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	int64_t peers[256];
	int n = 0;
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row, "SELECT id FROM peers WHERE state = 'active'", "");
	while (e == TB_OK && row && n < 256) {
		peers[n++] = tb_stmt_int(st, 0);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	struct tb_fail f = {0};
	for (int i = 0; e == TB_OK && pem && x->old_id[0] && i < n; i++)
		e = send_with(c, x->env, x->ctx, peers[i], "key.announce",
		              json_pack("{s:s, s:s}", "key_id", new_id, "public_pem", pem),
		              x->old_id, NULL, &f);
	free(pem);
	return e;
}

enum tb_err tb_exchange_rotate(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                               char key_id[TB_SM2_KEY_ID])
{
	struct announce_args x = {env, ctx, ""};
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(env->store, &c);
	if (e != TB_OK)
		return e;
	e = tb_keys_active_on(c, TB_KEYS_PLATFORM, x.old_id);
	tb_store_release(c);
	if (e == TB_ENOTFOUND)
		e = TB_OK; /* the first key: nobody knows an older one */
	if (e == TB_OK)
		e = tb_keys_rotate_then(env->keys, env->store, ctx, TB_KEYS_PLATFORM, key_id,
		                        announce, &x);
	return e;
}

enum tb_err tb_exchange_self(const struct tb_exchange_env *env, struct tb_arena *a,
                             const char **text)
{
	*text = NULL;
	enum tb_err e = tb_keys_ensure(env->keys, env->store, TB_KEYS_PLATFORM);
	struct tb_conn *c;
	if (e == TB_OK)
		e = tb_store_acquire(env->store, &c);
	if (e != TB_OK)
		return e;
	const struct tb_region *p = tb_regions_find(env->regions, env->province);
	json_t *keys = json_array();
	json_t *j = json_pack("{s:s, s:s, s:n, s:n, s:o}", "province", env->province, "name",
	                      p ? p->name : "", "key_id", "public_pem", "keys", keys);
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT key_id, public_pem, created_at, retired_at FROM exchange_keys"
	                  " ORDER BY created_at DESC, key_id",
	                  "");
	while (e == TB_OK && row) {
		bool active = tb_stmt_is_null(st, 3);
		json_array_append_new(
		    keys, json_pack("{s:s, s:s, s:I, s:o}", "key_id", tb_stmt_text(st, 0),
		                    "public_pem", tb_stmt_text(st, 1), "created_at",
		                    (json_int_t)tb_stmt_int(st, 2), "retired_at",
		                    active ? json_null() : json_integer(tb_stmt_int(st, 3))));
		if (active) {
			json_object_set_new(j, "key_id", json_string(tb_stmt_text(st, 0)));
			json_object_set_new(j, "public_pem", json_string(tb_stmt_text(st, 1)));
		}
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}
