/* The login limiter: failed logins counted per account and per client
 * address in a sliding window; too many lock the key for a while, and the
 * lock ends by itself. Kept in memory (one process serves a province; a
 * restart clears it, which only shortens a lockout). Thread-safe. */
#ifndef TB_IDENTITY_RATELIMIT_H
#define TB_IDENTITY_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct tb_limit_policy {
	int max_failures; /* within window_s */
	int window_s;
	int lock_s;
};

/* Per account: 5 failures in 15 minutes lock it for 15 minutes; per
 * address: 20 in 15 minutes. TB_LOGIN_LOCK_SECONDS in the environment
 * shortens the lock (tests). */
const struct tb_limit_policy *tb_limit_account_policy(void);
const struct tb_limit_policy *tb_limit_client_policy(void);

/* Seconds the key stays locked (0 when it may try now). */
int tb_limit_locked(const char *key, int64_t now);
/* Counts a failure of key under policy p; returns the lock seconds it
 * starts (0 when still under the limit). */
int tb_limit_fail(const char *key, const struct tb_limit_policy *p, int64_t now);
/* Forgets key (after a successful login). */
void tb_limit_clear(const char *key);

#endif
