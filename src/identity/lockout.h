/* Per-account sign-in lockout, kept in the store (login_failures): failed
 * sign-ins of an existing account are counted under the account policy of
 * identity/ratelimit.h, and reaching it locks the account until the lock
 * ends or its owner recovers it (identity/recovery.h). Only existing
 * accounts have a row, so nothing another name does can end a lock. Also
 * the process's lockout counters for /metrics. */
#ifndef TB_IDENTITY_LOCKOUT_H
#define TB_IDENTITY_LOCKOUT_H

#include "base/err.h"
#include "store/store.h"

#include <stdint.h>

/* Counts a failed sign-in of account at now inside c's open transaction;
 * *lock_s gets the seconds of the lock this failure starts (0 when still
 * under the limit). */
enum tb_err tb_lockout_fail(struct tb_conn *c, int64_t account, int64_t now, int *lock_s);
/* Counts a wrong recovery code of account inside c's transaction. */
enum tb_err tb_lockout_recovery_fail(struct tb_conn *c, int64_t account, int64_t now);
/* Forgets account's failures and lock inside c's transaction. */
enum tb_err tb_lockout_clear(struct tb_conn *c, int64_t account);

enum tb_lockout_kind { TB_LOCKOUT_ACCOUNT, TB_LOCKOUT_ADDRESS };
/* Counts one lock that began (call once it is committed). */
void tb_lockout_count(enum tb_lockout_kind kind);
/* Locks begun since the process started. */
uint64_t tb_lockouts(enum tb_lockout_kind kind);

#endif
