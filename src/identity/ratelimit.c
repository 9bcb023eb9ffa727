/* A fixed table of slots addressed by a hash of the key (linear probing;
 * an expired slot is reused). When the table is full the oldest slot is
 * overwritten: under a flood of distinct keys we forget, we never grow. */
#include "identity/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192
#define PROBE 16

struct slot {
	uint64_t hash;
	int64_t window_start;
	int64_t locked_until;
	int64_t touched;
	int failures;
};

static struct slot table[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static struct tb_limit_policy account_policy = {5, 900, 900};
static struct tb_limit_policy client_policy = {20, 900, 900};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	const char *v = getenv("TB_LOGIN_LOCK_SECONDS");
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

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

/* The slot of key, or a free/oldest one claimed for it when create. */
static struct slot *find(uint64_t h, bool create, int64_t now)
{
	struct slot *oldest = NULL;
	for (int i = 0; i < PROBE; i++) {
		struct slot *s = &table[(h + (uint64_t)i) & (SLOTS - 1)];
		if (s->hash == h)
			return s;
		bool idle = s->hash == 0 || (s->locked_until < now && s->window_start + 3600 < now);
		if (idle && create) {
			memset(s, 0, sizeof(*s));
			s->hash = h;
			return s;
		}
		if (!oldest || s->touched < oldest->touched)
			oldest = s;
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	oldest->hash = h;
	return oldest;
}

int tb_limit_locked(const char *key, int64_t now)
{
	pthread_mutex_lock(&mu);
	struct slot *s = find(hash(key), false, now);
	int left = (s && s->locked_until > now) ? (int)(s->locked_until - now) : 0;
	pthread_mutex_unlock(&mu);
	return left;
}

int tb_limit_fail(const char *key, const struct tb_limit_policy *p, int64_t now)
{
	pthread_mutex_lock(&mu);
	struct slot *s = find(hash(key), true, now);
	s->touched = now;
	if (s->window_start + p->window_s < now) {
		s->window_start = now;
		s->failures = 0;
	}
	int lock = 0;
	if (++s->failures >= p->max_failures) {
		s->locked_until = now + p->lock_s;
		s->failures = 0;
		s->window_start = now;
		lock = p->lock_s;
	}
	pthread_mutex_unlock(&mu);
	return lock;
}

void tb_limit_clear(const char *key)
{
	pthread_mutex_lock(&mu);
	struct slot *s = find(hash(key), false, 0);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&mu);
}
