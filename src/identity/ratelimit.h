/* The limiter: failures (or any counted events) per key in a window; too
 * many lock the key for a while, and the lock ends by itself. Kept in
 * memory when one process serves a province (a restart clears it, which
 * only shortens a lock); in the store when several nodes share one
 * PostgreSQL (tb_limit_share), so that spreading attempts over the nodes
 * gains nothing. Used per client address (failed sign-ins
 * and recovery codes, registrations, query codes) and for sign-in names
 * that have no account. Locks of accounts themselves are kept in the store
 * (identity/lockout.h): a fixed table can be made to forget. Thread-safe. */
#ifndef TB_IDENTITY_RATELIMIT_H
#define TB_IDENTITY_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct tb_store;

/* From now on counts and locks live in s (table rate_limits, keys stored
 * as SM3), shared by every process on it; NULL goes back to memory. Call
 * before serving. A store that fails while counting counts nothing (the
 * failure is logged): the limiter never refuses a request on its own
 * failure. */
void tb_limit_share(struct tb_store *s);

struct tb_limit_policy {
	int max_failures; /* within window_s */
	int window_s;
	int lock_s;
	/* A lock other keys may push out of the table when it is full. Only
	 * for locks whose loss costs nothing but a hint (names that have no
	 * account). Every other lock stays until it ends. */
	bool evictable;
};

/* Failed sign-ins per account: 5 in 15 minutes lock it for 15 minutes
 * (kept in the store by identity/lockout.h; here the in-memory lock of a
 * name with no account, so that it answers alike). Per address: 20 in 15
 * minutes. TB_LOGIN_LOCK_SECONDS in the environment shortens both locks
 * (tests). */
const struct tb_limit_policy *tb_limit_account_policy(void);
const struct tb_limit_policy *tb_limit_client_policy(void);
/* Registrations per address: 20 in 10 minutes lock the address's
 * registrations for 10 minutes (a family, an office or a service hall
 * behind one address stays well under it). */
const struct tb_limit_policy *tb_limit_register_policy(void);

/* Seconds the key stays locked (0 when it may try now). */
int tb_limit_locked(const char *key, int64_t now);
/* Counts a failure of key under policy p; returns the lock seconds it
 * starts (0 when still under the limit). When every slot the key could
 * take holds a lock (only under a flood of locked keys), the key is not
 * counted and 0 is returned: locks already held are never given up. */
int tb_limit_fail(const char *key, const struct tb_limit_policy *p, int64_t now);
/* Forgets key (after a successful login). */
void tb_limit_clear(const char *key);

#endif
