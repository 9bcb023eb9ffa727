/* Account recovery: a one-time recovery code per person account (shown
 * once, at registration or when the signed-in owner makes a new one; only
 * its SM3 is stored) lets the owner set a new password even while the
 * account is locked, which ends the lock and every session of the
 * account. Wrong codes are counted per account and throttled per client
 * address together with failed sign-ins. */
#ifndef TB_IDENTITY_RECOVERY_H
#define TB_IDENTITY_RECOVERY_H

#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

/* "XXXXX-XXXXX-XXXXX-XXXXX": 20 symbols of Crockford's base32 (100 bits). */
#define TB_RECOVERY_CODE_LEN 24

/* Gives person account a new recovery code (the previous one stops
 * working) and records it in the audit trail as ctx's act. code gets the
 * new code. TB_ENOTFOUND when account is no person account. */
enum tb_err tb_recovery_renew(struct tb_store *s, const struct tb_ctx *ctx, int64_t account,
                              char code[TB_RECOVERY_CODE_LEN]);

/* Recovers the account of login with its recovery code (read loosely: any
 * case, dashes and spaces ignored): sets new_password, clears the lock and
 * failure counts, ends every session of the account and gives it a new
 * code in new_code. TB_EINVAL (f names new_password) for a password that
 * is not acceptable, checked before the code so that the code is not used
 * up; TB_EUNAUTH (f names recovery_code) for a wrong code or login, the
 * same either way; TB_ERATE while the client address is locked
 * (*retry_after seconds). Every attempt leaves an audit record. */
enum tb_err tb_recover(struct tb_store *s, const struct tb_ctx *ctx, const char *login,
                       const char *code, const char *new_password,
                       char new_code[TB_RECOVERY_CODE_LEN], int *retry_after, struct tb_fail *f);

#endif
