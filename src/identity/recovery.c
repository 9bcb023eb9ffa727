/* Recovery codes and recovering an account (see recovery.h). */
#include "identity/recovery.h"
#include "base/crypto.h"
#include "base/pwhash.h"
#include "identity/lockout.h"
#include "identity/ratelimit.h"
#include "identity/sessions.h"
#include "identity/validate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Crockford's base32: no I, L, O or U to misread. */
static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* A new code and the SM3 of its 20 symbols. */
static void make_code(char code[TB_RECOVERY_CODE_LEN], char hash[TB_SM3_HEX])
{
	unsigned char r[20];
	char sym[21];
	tb_random(r, sizeof(r));
	for (int i = 0; i < 20; i++)
		sym[i] = ALPHABET[r[i] & 31];
	sym[20] = '\0';
	snprintf(code, TB_RECOVERY_CODE_LEN, "%.5s-%.5s-%.5s-%.5s", sym, sym + 5, sym + 10,
	         sym + 15);
	tb_sm3_hex(sym, 20, hash);
}

/* The SM3 of a code as typed: letters and digits only, upper case, and
 * the letters Crockford reads as digits (O as 0, I and L as 1). */
static void hash_typed(const char *typed, char hash[TB_SM3_HEX])
{
	char sym[64];
	size_t n = 0;
	for (const char *p = typed ? typed : ""; *p && n + 1 < sizeof(sym); p++) {
		char ch = *p;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z'))
			sym[n++] = ch;
	}
	tb_sm3_hex(sym, n, hash);
}

enum tb_err tb_recovery_renew(struct tb_store *s, const struct tb_ctx *ctx, int64_t account,
                              char code[TB_RECOVERY_CODE_LEN])
{
	char hash[TB_SM3_HEX];
	make_code(code, hash);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, &changed,
		    "UPDATE accounts SET recovery_hash = ? WHERE id = ? AND kind = 'person'", "si",
		    hash, account);
	if (e == TB_OK && !changed)
		e = TB_ENOTFOUND;
	char obj[32];
	snprintf(obj, sizeof(obj), "account:%lld", (long long)account);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "account.recovery_code", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e != TB_OK)
		memset(code, 0, TB_RECOVERY_CODE_LEN);
	return e;
}

/* A wrong code: counted per account (when there is one) with its audit
 * record, and per address; TB_ERATE when the address is now locked. */
static enum tb_err wrong_code(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                              const char *ckey, int64_t now, int *retry_after, struct tb_fail *f)
{
	int lc = tb_limit_fail(ckey, tb_limit_client_policy(), now);
	if (id) {
		struct tb_conn *c;
		enum tb_err e = tb_store_acquire(s, &c);
		if (e != TB_OK)
			return e;
		char obj[32];
		snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
		e = tb_conn_begin(c);
		if (e == TB_OK)
			e = tb_lockout_recovery_fail(c, id, now);
		if (e == TB_OK)
			e = tb_ctx_audit(c, ctx, "auth.recover", obj, "denied");
		if (e == TB_OK)
			e = tb_conn_commit(c);
		tb_store_release(c);
		if (e != TB_OK)
			return e;
	} else {
		tb_ctx_audit_alone(s, ctx, "auth.recover", "login", "denied");
	}
	if (lc) {
		tb_lockout_count(TB_LOCKOUT_ADDRESS);
		*retry_after = lc;
		return TB_ERATE;
	}
	return tb_fail(f, TB_EUNAUTH, "recovery_code", "wrong login or recovery code");
}

enum tb_err tb_recover(struct tb_store *s, const struct tb_ctx *ctx, const char *login,
                       const char *code, const char *new_password,
                       char new_code[TB_RECOVERY_CODE_LEN], int *retry_after, struct tb_fail *f)
{
	memset(new_code, 0, TB_RECOVERY_CODE_LEN);
	*retry_after = 0;
	int64_t now = (int64_t)time(NULL);
	char ckey[80], norm[20];
	snprintf(ckey, sizeof(ckey), "c:%s", ctx->client ? ctx->client : "");
	int wait = tb_limit_locked(ckey, now);
	if (wait > 0) {
		*retry_after = wait;
		tb_ctx_audit_alone(s, ctx, "auth.recover", "login", "denied");
		return TB_ERATE;
	}
	tb_login_normalise(login, norm);
	size_t n = strlen(norm);
	enum tb_err e = tb_check_password(new_password, "new_password", f);
	if (e != TB_OK)
		return e;
	if (n && strstr(new_password, norm))
		return tb_fail(f, TB_EINVAL, "new_password",
		               "must not contain the identity number");

	char given[TB_SM3_HEX];
	hash_typed(code, given);
	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, recovery_hash FROM accounts WHERE login = ? AND"
	                  " kind = 'person' AND status = 'active'",
	                  "s", norm);
	int64_t id = 0;
	bool match = false;
	if (e == TB_OK && row) {
		id = tb_stmt_int(st, 0);
		const char *h = tb_stmt_text(st, 1);
		match = h && tb_streq_ct(h, given);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	if (!match)
		return wrong_code(s, ctx, id, ckey, now, retry_after, f);

	char pw[TB_PWHASH_LEN], next[TB_SM3_HEX];
	if (!tb_pwhash(new_password, pw))
		return TB_EINTERNAL;
	make_code(new_code, next);
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	/* The code is used up: only the request that replaces it wins. */
	if (e == TB_OK)
		e = tb_conn_run(
		    c, &changed,
		    "UPDATE accounts SET password_hash = ?, recovery_hash = ? WHERE id = ?"
		    " AND recovery_hash = ?",
		    "ssis", pw, next, id, given);
	if (e == TB_OK && !changed)
		e = TB_EUNAUTH;
	if (e == TB_OK)
		e = tb_conn_run(c, NULL, "DELETE FROM sessions WHERE account_id = ?", "i", id);
	if (e == TB_OK)
		e = tb_lockout_clear(c, id);
	if (e == TB_OK) {
		/* The actor of this record is the account just proven. */
		struct tb_principal who = {.kind = TB_PERSON, .account_id = id};
		struct tb_ctx as = {&who, ctx->client, ctx->request_id};
		char obj[32];
		snprintf(obj, sizeof(obj), "account:%lld", (long long)id);
		e = tb_ctx_audit(c, &as, "auth.recover", obj, "ok");
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e != TB_OK) {
		memset(new_code, 0, TB_RECOVERY_CODE_LEN);
		if (e == TB_EUNAUTH)
			tb_fail(f, e, "recovery_code", "wrong login or recovery code");
		return e;
	}
	tb_session_cache_drop_person(id);
	return TB_OK;
}
