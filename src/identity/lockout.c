/* Per-account lockout in the store (see lockout.h). */
#include "identity/lockout.h"
#include "identity/ratelimit.h"

#include <stdatomic.h>
#include <stddef.h>

static _Atomic uint64_t counts[2];

enum tb_err tb_lockout_fail(struct tb_conn *c, int64_t account, int64_t now, int *lock_s)
{
	const struct tb_limit_policy *p = tb_limit_account_policy();
	*lock_s = 0;
	/* One statement counts, so that concurrent failures are not lost (the
	 * row stays locked until the transaction ends). */
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "INSERT INTO login_failures (account_id, failures, window_start, locked_until)"
	    " VALUES (?, 1, ?, 0) ON CONFLICT (account_id) DO UPDATE SET failures = CASE"
	    " WHEN login_failures.window_start + ? < ? THEN 1 ELSE login_failures.failures + 1"
	    " END, window_start = CASE WHEN login_failures.window_start + ? < ? THEN ? ELSE"
	    " login_failures.window_start END RETURNING failures",
	    "iiiiiii", account, now, (int64_t)p->window_s, now, (int64_t)p->window_s, now, now);
	int64_t failures = (e == TB_OK && row) ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	if (e != TB_OK || failures < p->max_failures)
		return e;
	int64_t changed = 0;
	e = tb_conn_run(c, &changed,
	                "UPDATE login_failures SET locked_until = ?, failures = 0, window_start = ?"
	                " WHERE account_id = ? AND failures >= ?",
	                "iiii", now + p->lock_s, now, account, (int64_t)p->max_failures);
	if (e == TB_OK && changed)
		*lock_s = p->lock_s;
	return e;
}

enum tb_err tb_lockout_recovery_fail(struct tb_conn *c, int64_t account, int64_t now)
{
	return tb_conn_run(c, NULL,
	                   "INSERT INTO login_failures (account_id, failures, window_start,"
	                   " locked_until, recovery_failures) VALUES (?, 0, ?, 0, 1) ON CONFLICT"
	                   " (account_id) DO UPDATE SET recovery_failures ="
	                   " login_failures.recovery_failures + 1",
	                   "ii", account, now);
}

enum tb_err tb_lockout_clear(struct tb_conn *c, int64_t account)
{
	return tb_conn_run(c, NULL, "DELETE FROM login_failures WHERE account_id = ?", "i",
	                   account);
}

void tb_lockout_count(enum tb_lockout_kind kind)
{
	atomic_fetch_add_explicit(&counts[kind == TB_LOCKOUT_ADDRESS], 1, memory_order_relaxed);
}

uint64_t tb_lockouts(enum tb_lockout_kind kind)
{
	return atomic_load_explicit(&counts[kind == TB_LOCKOUT_ADDRESS], memory_order_relaxed);
}
