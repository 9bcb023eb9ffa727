/* A fixed table of slots addressed by a keyed hash of the key (SipHash
 * with a random key per process, so that nobody can choose keys that
 * crowd one place of the table) with linear probing. An expired slot is
 * reused; when a key finds none, the least recently touched slot that
 * holds no lock is overwritten: under a flood of distinct keys we forget
 * counts, never locks, and never grow. */
#include "identity/ratelimit.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/testmode.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192
#define PROBE 16

struct slot {
	uint64_t hash;
	int64_t window_start;
	int64_t locked_until;
	int64_t touched;
	int window_s;
	int failures;
	bool evictable;
};

static struct slot table[SLOTS];
/* Set when several nodes share one store: counts and locks live there. */
static struct tb_store *shared;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char hash_key[crypto_shorthash_KEYBYTES];

static struct tb_limit_policy account_policy = {5, 900, 900, true};
static struct tb_limit_policy client_policy = {20, 900, 900, false};
static struct tb_limit_policy register_policy = {20, 600, 600, false};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	if (sodium_init() < 0)
		abort(); /* no random key: nothing safe can continue */
	randombytes_buf(hash_key, sizeof(hash_key));
	const char *v = tb_test_getenv("TB_LOGIN_LOCK_SECONDS");
	long s = v ? strtol(v, NULL, 10) : 0;
	if (s > 0 && s < 86400)
		account_policy.lock_s = client_policy.lock_s = (int)s;
}

const struct tb_limit_policy *tb_limit_account_policy(void)
{
	pthread_once(&once, init);
	return &account_policy;
}

const struct tb_limit_policy *tb_limit_client_policy(void)
{
	pthread_once(&once, init);
	return &client_policy;
}

const struct tb_limit_policy *tb_limit_register_policy(void)
{
	pthread_once(&once, init);
	return &register_policy;
}

static uint64_t hash(const char *s)
{
	pthread_once(&once, init);
	unsigned char out[crypto_shorthash_BYTES];
	crypto_shorthash(out, (const unsigned char *)s, strlen(s), hash_key);
	uint64_t h;
	memcpy(&h, out, sizeof(h));
	return h ? h : 1;
}

/* Nothing to remember: no lock and no window running. */
static bool idle(const struct slot *s, int64_t now)
{
	return s->hash == 0 || (s->locked_until <= now && s->window_start + s->window_s < now);
}

/* The slot of key, or (when create) a free slot claimed for it, else the
 * least recently touched one that holds no lock; NULL when there is none. */
static struct slot *find(uint64_t h, bool create, int64_t now)
{
	for (int i = 0; i < PROBE; i++) {
		struct slot *s = &table[(h + (uint64_t)i) & (SLOTS - 1)];
		if (s->hash == h)
			return s;
	}
	if (!create)
		return NULL;
	struct slot *victim = NULL;
	for (int i = 0; i < PROBE; i++) {
		struct slot *s = &table[(h + (uint64_t)i) & (SLOTS - 1)];
		if (idle(s, now)) {
			victim = s;
			break;
		}
		if (s->locked_until > now && !s->evictable)
			continue;
		if (!victim || s->touched < victim->touched)
			victim = s;
	}
	if (victim) {
		memset(victim, 0, sizeof(*victim));
		victim->hash = h;
	}
	return victim;
}

/* ---- in the store, shared by every node -------------------------------- */

void tb_limit_share(struct tb_store *s)
{
	shared = s;
}

/* The stored key of key: SM3 hex, so that no address is kept. */
static void stored_key(const char *key, char out[TB_SM3_HEX])
{
	tb_sm3_hex(key, strlen(key), out);
}

static int shared_locked(const char *key, int64_t now)
{
	char k[TB_SM3_HEX];
	stored_key(key, k);
	struct tb_conn *c;
	if (tb_store_acquire(shared, &c) != TB_OK)
		return 0;
	struct tb_stmt *st;
	bool row;
	int left = 0;
	if (tb_conn_query(c, &st, &row, "SELECT locked_until FROM rate_limits WHERE key = ?", "s",
	                  k) == TB_OK) {
		int64_t until = row ? tb_stmt_int(st, 0) : 0;
		left = until > now ? (int)(until - now) : 0;
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	return left;
}

/* Counts a failure in one transaction (the row locked while it is read
 * and written: two nodes counting at once both count). Once in a while it
 * also forgets rows whose window and lock are over, so that the table
 * holds only what matters now. */
static enum tb_err shared_fail_on(struct tb_conn *c, const char *k, const struct tb_limit_policy *p,
                                  int64_t now, int *lock)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT window_start, failures, locked_until FROM rate_limits WHERE key = ? FOR UPDATE",
	    "s", k);
	if (e != TB_OK)
		return e;
	int64_t start = row ? tb_stmt_int(st, 0) : now;
	int64_t failures = row ? tb_stmt_int(st, 1) : 0;
	int64_t until = row ? tb_stmt_int(st, 2) : 0;
	tb_stmt_reset(st);
	if (start + p->window_s < now) {
		start = now;
		failures = 0;
	}
	if (++failures >= p->max_failures) {
		until = now + p->lock_s;
		failures = 0;
		start = now;
		*lock = p->lock_s;
	}
	int64_t expires = start + p->window_s > until ? start + p->window_s : until;
	e = tb_conn_run(
	    c, NULL,
	    "INSERT INTO rate_limits (key, window_start, failures, locked_until, expires)"
	    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET window_start ="
	    " excluded.window_start, failures = excluded.failures, locked_until ="
	    " excluded.locked_until, expires = excluded.expires",
	    "siiii", k, start, failures, until, expires);
	static _Atomic unsigned calls;
	if (e == TB_OK && ++calls % 256 == 0)
		e = tb_conn_run(c, NULL, "DELETE FROM rate_limits WHERE expires < ?", "i", now);
	return e;
}

static int shared_fail(const char *key, const struct tb_limit_policy *p, int64_t now)
{
	char k[TB_SM3_HEX];
	stored_key(key, k);
	struct tb_conn *c;
	if (tb_store_acquire(shared, &c) != TB_OK)
		return 0;
	int lock = 0;
	enum tb_err e = tb_conn_begin(c);
	if (e == TB_OK)
		e = shared_fail_on(c, k, p, now, &lock);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	if (e != TB_OK) {
		tb_log_warn("ratelimit", "a failure could not be counted in the store");
		return 0;
	}
	return lock;
}

static void shared_clear(const char *key)
{
	char k[TB_SM3_HEX];
	stored_key(key, k);
	struct tb_conn *c;
	if (tb_store_acquire(shared, &c) != TB_OK)
		return;
	tb_conn_run(c, NULL, "DELETE FROM rate_limits WHERE key = ?", "s", k);
	tb_store_release(c);
}

/* ---- the API --------------------------------------------------------------- */

int tb_limit_locked(const char *key, int64_t now)
{
	if (shared)
		return shared_locked(key, now);
	uint64_t h = hash(key);
	pthread_mutex_lock(&mu);
	struct slot *s = find(h, false, now);
	int left = (s && s->locked_until > now) ? (int)(s->locked_until - now) : 0;
	pthread_mutex_unlock(&mu);
	return left;
}

int tb_limit_fail(const char *key, const struct tb_limit_policy *p, int64_t now)
{
	if (shared)
		return shared_fail(key, p, now);
	uint64_t h = hash(key);
	pthread_mutex_lock(&mu);
	struct slot *s = find(h, true, now);
	int lock = 0;
	if (!s)
		goto out;
	s->touched = now;
	s->window_s = p->window_s;
	s->evictable = p->evictable;
	if (s->window_start + p->window_s < now) {
		s->window_start = now;
		s->failures = 0;
	}
	if (++s->failures >= p->max_failures) {
		s->locked_until = now + p->lock_s;
		s->failures = 0;
		s->window_start = now;
		lock = p->lock_s;
	}
out:
	pthread_mutex_unlock(&mu);
	return lock;
}

void tb_limit_clear(const char *key)
{
	if (shared) {
		shared_clear(key);
		return;
	}
	uint64_t h = hash(key);
	pthread_mutex_lock(&mu);
	struct slot *s = find(h, false, 0);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&mu);
}
