/* Login, sessions and token resolution (see sessions.h). */
#include "identity/sessions.h"
#include "base/crypto.h"
#include "base/pwhash.h"
#include "identity/lockout.h"
#include "identity/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A short-lived cache of resolved sessions: a signed-in client's requests
 * come in bursts, and each would otherwise cost the session row and the
 * grants. Entries live CACHE_TTL seconds, so a role change or a disabled
 * account takes effect within that; logout, acting-for and the removal of
 * an agent drop the entries at once. Every drop advances cache_gen, and a
 * resolution only caches what it read if no drop happened meanwhile: a
 * request that read the session just before a removal committed cannot put
 * the old acting back for CACHE_TTL. */
#define CACHE_SLOTS 1024
#define CACHE_TTL   2

struct cached {
	char hash[TB_SM3_HEX];
	int64_t at;
	struct tb_principal p;
	char csrf[48];
};

static struct cached cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t cache_gen;

static uint64_t cache_generation(void)
{
	pthread_mutex_lock(&cache_mu);
	uint64_t g = cache_gen;
	pthread_mutex_unlock(&cache_mu);
	return g;
}

static struct cached *slot_of(const char *hash)
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
	return &cache[h % CACHE_SLOTS];
}

static bool cache_get(const char *hash, int64_t now, struct tb_principal *p, char csrf[48])
{
	pthread_mutex_lock(&cache_mu);
	struct cached *c = slot_of(hash);
	bool hit = strcmp(c->hash, hash) == 0 && now >= c->at && now - c->at < CACHE_TTL;
	if (hit) {
		*p = c->p;
		memcpy(csrf, c->csrf, 48);
	}
	pthread_mutex_unlock(&cache_mu);
	return hit;
}

static void cache_put(const char *hash, int64_t now, const struct tb_principal *p,
                      const char csrf[48], uint64_t gen)
{
	pthread_mutex_lock(&cache_mu);
	if (gen != cache_gen) {
		pthread_mutex_unlock(&cache_mu);
		return;
	}
	struct cached *c = slot_of(hash);
	memcpy(c->hash, hash, TB_SM3_HEX);
	c->at = now;
	c->p = *p;
	memcpy(c->csrf, csrf, 48);
	pthread_mutex_unlock(&cache_mu);
}

static void cache_drop(const char *hash)
{
	pthread_mutex_lock(&cache_mu);
	cache_gen++;
	struct cached *c = slot_of(hash);
	if (strcmp(c->hash, hash) == 0)
		c->hash[0] = '\0';
	pthread_mutex_unlock(&cache_mu);
}

void tb_session_cache_drop_person(int64_t person)
{
	pthread_mutex_lock(&cache_mu);
	cache_gen++;
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].hash[0] && cache[i].p.account_id == person)
			cache[i].hash[0] = '\0';
	pthread_mutex_unlock(&cache_mu);
}

void tb_login_normalise(const char *in, char out[20])
{
	size_t n = in ? strnlen(in, 19) : 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 32) : in[i];
	out[n] = '\0';
}

enum tb_err tb_login(struct tb_store *s, const struct tb_ctx *ctx, const char *login,
                     const char *password, struct tb_login_result *out)
{
	memset(out, 0, sizeof(*out));
	int64_t now = (int64_t)time(NULL);
	char norm[20], akey[40], ckey[80];
	tb_login_normalise(login, norm);
	snprintf(akey, sizeof(akey), "a:%s", norm);
	snprintf(ckey, sizeof(ckey), "c:%s", ctx->client ? ctx->client : "");
	/* Accounts are locked in the store (a table in memory can be made to
	 * forget); a name with no account is locked in memory so that it
	 * answers exactly alike. */
	int wait = tb_limit_locked(ckey, now);
	if (wait > 0) {
		out->retry_after = wait;
		tb_ctx_audit_alone(s, ctx, "auth.login", "login", "denied");
		return TB_ERATE;
	}

	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	char hash[TB_PWHASH_LEN] = "";
	int64_t id = 0, locked_until = 0;
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT a.id, a.password_hash, f.locked_until FROM accounts a LEFT JOIN"
	    " login_failures f ON f.account_id = a.id WHERE a.login = ? AND a.kind = 'person'"
	    " AND a.status = 'active'",
	    "s", norm);
	if (e == TB_OK && row && tb_stmt_text(st, 1)) {
		id = tb_stmt_int(st, 0);
		snprintf(hash, sizeof(hash), "%s", tb_stmt_text(st, 1));
		locked_until = tb_stmt_int(st, 2);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	wait =
	    id ? (locked_until > now ? (int)(locked_until - now) : 0) : tb_limit_locked(akey, now);
	if (wait > 0) {
		out->retry_after = wait;
		char obj[32];
		snprintf(obj, sizeof(obj), id ? "account:%lld" : "login", (long long)id);
		tb_ctx_audit_alone(s, ctx, "auth.login", obj, "denied");
		return TB_ERATE;
	}

	/* The same work whether or not the account exists. */
	bool ok = false;
	if (hash[0])
		ok = tb_pwhash_verify(hash, password ? password : "");
	else
		tb_pwhash_dummy(password ? password : "");
	if (!ok) {
		int la = 0, lc = tb_limit_fail(ckey, tb_limit_client_policy(), now);
		char obj[32];
		snprintf(obj, sizeof(obj), id ? "account:%lld" : "login", (long long)id);
		if (id) {
			/* The count and the record of the failure go together. */
			if ((e = tb_store_acquire(s, &c)) != TB_OK)
				return e;
			e = tb_conn_begin(c);
			if (e == TB_OK)
				e = tb_lockout_fail(c, id, now, &la);
			if (e == TB_OK)
				e = tb_ctx_audit(c, ctx, "auth.login", obj, "denied");
			if (e == TB_OK)
				e = tb_conn_commit(c);
			tb_store_release(c);
			if (e != TB_OK)
				return e;
		} else {
			la = tb_limit_fail(akey, tb_limit_account_policy(), now);
			tb_ctx_audit_alone(s, ctx, "auth.login", obj, "denied");
		}
		if (id && la)
			tb_lockout_count(TB_LOCKOUT_ACCOUNT);
		if (lc)
			tb_lockout_count(TB_LOCKOUT_ADDRESS);
		if (la || lc) {
			out->retry_after = la > lc ? la : lc;
			return TB_ERATE;
		}
		return TB_EUNAUTH;
	}

	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_lockout_clear(c, id);
	char obj[32];
	snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
	if (e == TB_OK)
		e = tb_session_open_on(c, ctx, id, "auth.login", obj, out);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	if (e != TB_OK)
		memset(out, 0, sizeof(*out));
	return e;
}

enum tb_err tb_session_open_on(struct tb_conn *c, const struct tb_ctx *ctx, int64_t account,
                               const char *action, const char *object, struct tb_login_result *out)
{
	int64_t now = (int64_t)time(NULL);
	char hashed[TB_SM3_HEX];
	tb_token("", 32, out->token, sizeof(out->token));
	tb_token("", 24, out->csrf, sizeof(out->csrf));
	tb_sm3_hex(out->token, strlen(out->token), hashed);
	enum tb_err e = tb_conn_run(
	    c, NULL,
	    "INSERT INTO sessions (token_hash, account_id, csrf_token, client,"
	    " created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
	    "sissii", hashed, account, out->csrf, ctx->client ? ctx->client : "", now, now);
	if (e == TB_OK) {
		/* The actor of this record is the account just proven. */
		struct tb_principal who = {.kind = TB_PERSON, .account_id = account};
		struct tb_ctx as = {&who, ctx->client, ctx->request_id};
		e = tb_ctx_audit(c, &as, action, object, "ok");
	}
	if (e == TB_OK)
		out->account_id = account;
	return e;
}

enum tb_err tb_grants_load(struct tb_conn *c, int64_t account, struct tb_principal *p)
{
	struct tb_stmt *st;
	bool row;
	p->ngrants = 0;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT id, role, department_id, region FROM role_grants"
	                              " WHERE account_id = ? ORDER BY id",
	                              "i", account);
	while (e == TB_OK && row) {
		if (p->ngrants < TB_MAX_GRANTS) {
			struct tb_grant *g = &p->grants[p->ngrants++];
			g->id = tb_stmt_int(st, 0);
			snprintf(g->role, sizeof(g->role), "%s", tb_stmt_text(st, 1));
			g->department_id = tb_stmt_int(st, 2);
			snprintf(g->region, sizeof(g->region), "%s", tb_stmt_text(st, 3));
		}
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_session_resolve(struct tb_store *s, const struct tb_session_limits *lim,
                               const char *token, struct tb_principal *p, char csrf[48])
{
	memset(p, 0, sizeof(*p));
	csrf[0] = '\0';
	if (!token || strlen(token) < 20 || strlen(token) > 64)
		return TB_EUNAUTH;
	char hashed[TB_SM3_HEX];
	tb_sm3_hex(token, strlen(token), hashed);
	int64_t now = (int64_t)time(NULL);
	if (cache_get(hashed, now, p, csrf))
		return TB_OK;
	uint64_t gen = cache_generation();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* Acting holds only while the agent link does: it is checked here, on
	 * every resolution, not only when acting begins. */
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT s.account_id, s.acting_for, s.csrf_token, s.created_at, s.last_seen,"
	    " (SELECT COUNT(*) FROM agents g WHERE g.person_id = s.account_id AND"
	    " g.organisation_id = s.acting_for)"
	    " FROM sessions s JOIN accounts a ON a.id = s.account_id"
	    " WHERE s.token_hash = ? AND a.status = 'active'",
	    "s", hashed);
	int64_t created = 0, seen = 0, stale_acting = 0;
	if (e == TB_OK && row) {
		p->kind = TB_PERSON;
		p->account_id = tb_stmt_int(st, 0);
		p->acting_for = tb_stmt_int(st, 1);
		snprintf(csrf, 48, "%s", tb_stmt_text(st, 2));
		created = tb_stmt_int(st, 3);
		seen = tb_stmt_int(st, 4);
		if (p->acting_for && tb_stmt_int(st, 5) == 0) {
			stale_acting = p->acting_for;
			p->acting_for = 0;
		}
	}
	tb_stmt_reset(st);
	if (e == TB_OK && stale_acting)
		e = tb_conn_run(c, NULL,
		                "UPDATE sessions SET acting_for = NULL WHERE token_hash = ? AND"
		                " acting_for = ?",
		                "si", hashed, stale_acting);
	if (e == TB_OK && p->kind == TB_PERSON &&
	    (now - seen > lim->idle_s || now - created > lim->absolute_s)) {
		tb_conn_run(c, NULL, "DELETE FROM sessions WHERE token_hash = ?", "s", hashed);
		memset(p, 0, sizeof(*p));
		csrf[0] = '\0';
	}
	if (e == TB_OK && p->kind == TB_PERSON) {
		if (now - seen >= 60)
			e = tb_conn_run(c, NULL,
			                "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
			                "is", now, hashed);
		if (e == TB_OK)
			e = tb_grants_load(c, p->account_id, p);
	}
	tb_store_release(c);
	if (e != TB_OK) {
		memset(p, 0, sizeof(*p));
		return e;
	}
	if (p->kind != TB_PERSON)
		return TB_EUNAUTH;
	cache_put(hashed, now, p, csrf, gen);
	return TB_OK;
}

enum tb_err tb_session_end(struct tb_store *s, const struct tb_ctx *ctx, const char *token)
{
	char hashed[TB_SM3_HEX];
	tb_sm3_hex(token, strlen(token), hashed);
	cache_drop(hashed);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL, "DELETE FROM sessions WHERE token_hash = ?", "s", hashed);
	char obj[32];
	snprintf(obj, sizeof(obj), "account:%lld", (long long)ctx->who->account_id);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "auth.logout", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}

enum tb_err tb_session_act_for(struct tb_store *s, const struct tb_ctx *ctx, const char *token,
                               int64_t organisation)
{
	char hashed[TB_SM3_HEX];
	tb_sm3_hex(token, strlen(token), hashed);
	cache_drop(hashed);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	if (organisation) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT 1 FROM agents WHERE person_id = ? AND organisation_id = ?", "ii",
		    ctx->who->account_id, organisation);
		tb_stmt_reset(st);
		if (e == TB_OK && !row)
			e = TB_EDENIED;
	}
	if (e == TB_OK)
		e = tb_conn_begin(c);
	if (e == TB_OK) {
		struct tb_stmt *st;
		e = tb_conn_prepare(c, "UPDATE sessions SET acting_for = ? WHERE token_hash = ?",
		                    &st);
		if (e == TB_OK) {
			bool row;
			if (organisation)
				tb_stmt_bind_int(st, 1, organisation);
			else
				tb_stmt_bind_null(st, 1);
			tb_stmt_bind_text(st, 2, hashed);
			e = tb_stmt_step(st, &row);
			tb_stmt_reset(st);
		}
	}
	char obj[32];
	snprintf(obj, sizeof(obj), "account:%lld", (long long)organisation);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "organisation.act", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}

enum tb_err tb_token_resolve(struct tb_store *s, const char *secret, struct tb_principal *p)
{
	memset(p, 0, sizeof(*p));
	if (!secret || strncmp(secret, "tbk_", 4) != 0 || strlen(secret) > 64)
		return TB_EUNAUTH;
	char hashed[TB_SM3_HEX];
	tb_sm3_hex(secret, strlen(secret), hashed);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT t.id, t.department_id, t.actions, d.region FROM api_tokens t"
	                  " JOIN departments d ON d.id = t.department_id"
	                  " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
	                  "s", hashed);
	if (e == TB_OK && row) {
		p->kind = TB_TOKEN;
		p->token_id = tb_stmt_int(st, 0);
		p->department_id = tb_stmt_int(st, 1);
		snprintf(p->token_actions, sizeof(p->token_actions), "%s", tb_stmt_text(st, 2));
		snprintf(p->region, sizeof(p->region), "%s", tb_stmt_text(st, 3));
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	return p->kind == TB_TOKEN ? TB_OK : TB_EUNAUTH;
}
