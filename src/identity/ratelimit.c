/* A fixed table of slots addressed by a keyed hash of the key (SipHash
 * with a random key per process, so that nobody can choose keys that
 * crowd one place of the table) with linear probing. An expired slot is
 * reused; when a key finds none, the least recently touched slot that
 * holds no lock is overwritten: under a flood of distinct keys we forget
 * counts, never locks, and never grow. */
#include "identity/ratelimit.h"
#include "base/testmode.h"

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

int tb_limit_locked(const char *key, int64_t now)
{
	uint64_t h = hash(key);
	pthread_mutex_lock(&mu);
	struct slot *s = find(h, false, now);
	int left = (s && s->locked_until > now) ? (int)(s->locked_until - now) : 0;
	pthread_mutex_unlock(&mu);
	return left;
}

int tb_limit_fail(const char *key, const struct tb_limit_policy *p, int64_t now)
{
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
	uint64_t h = hash(key);
	pthread_mutex_lock(&mu);
	struct slot *s = find(h, false, 0);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&mu);
}
