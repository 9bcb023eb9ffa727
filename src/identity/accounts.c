/* Person and organisation accounts (see accounts.h). Password hashing
 * runs before the transaction: it takes ~75 ms and must not hold the
 * write lock. */
#include "regions/regions.h"
#include "identity/accounts.h"
#include "base/pwhash.h"
#include "codes/credit.h"
#include "codes/idnum.h"
#include "identity/validate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The one answer to a person registration whose number is registered
 * already or whose name is not the one registered for the number. */
static const char REGISTER_REFUSED[] =
    "this identity number cannot be registered with this name: check both; if you have"
    " registered before, sign in or recover your account";

#define ACCOUNT_COLS "id, kind, login, name, phone, region, status, created_at, identity_proven"

static void read_row(struct tb_stmt *st, struct tb_arena *a, struct tb_account *out)
{
	const char *phone = tb_stmt_text(st, 4);
	out->id = tb_stmt_int(st, 0);
	out->kind = tb_arena_strdup(a, tb_stmt_text(st, 1));
	out->login = tb_arena_strdup(a, tb_stmt_text(st, 2));
	out->name = tb_arena_strdup(a, tb_stmt_text(st, 3));
	out->phone = phone ? tb_arena_strdup(a, phone) : NULL;
	out->region = tb_arena_strdup(a, tb_stmt_text(st, 5));
	out->status = tb_arena_strdup(a, tb_stmt_text(st, 6));
	out->created_at = tb_stmt_int(st, 7);
	out->identity_proven = tb_stmt_int(st, 8) != 0;
}

enum tb_err tb_person_register(struct tb_store *s, const struct tb_ctx *ctx,
                               const struct tb_person_new *in, int64_t *id, struct tb_fail *f)
{
	*id = 0;
	enum tb_err e = tb_check_person_name(in->name, "name", f);
	if (e != TB_OK)
		return e;
	struct tb_idnum idn;
	if (!in->id_number)
		return tb_fail(f, TB_EINVAL, "id_number", "required");
	e = tb_idnum_check(in->id_number, &idn, f);
	if (e != TB_OK)
		return e;
	if ((in->phone && (e = tb_check_phone(in->phone, "phone", f)) != TB_OK) ||
	    (e = tb_check_password(in->password, "password", f)) != TB_OK)
		return e;
	if (strstr(in->password, idn.normalized) || (in->phone && strstr(in->password, in->phone)))
		return tb_fail(f, TB_EINVAL, "password",
		               "must not contain the identity number or phone");

	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	/* Rule 2: what can be checked online is checked online. */
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT name FROM population_registry WHERE id_number = ?",
	                  "s", idn.normalized);
	bool mismatch = e == TB_OK && row && strcmp(tb_stmt_text(st, 0), in->name) != 0;
	/* Known to the registry (under this name, or refused below): proven. */
	int64_t proven = e == TB_OK && row;
	tb_stmt_reset(st);
	/* A wrong name for the number and a number registered already answer
	 * alike, and both before the slow hash: telling them apart would
	 * tell anyone the registered name of a number. */
	if (e == TB_OK) {
		bool taken = false;
		e = tb_conn_query(c, &st, &taken, "SELECT 1 FROM accounts WHERE login = ?", "s",
		                  idn.normalized);
		tb_stmt_reset(st);
		if (e == TB_OK && taken)
			mismatch = true;
	}
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	if (mismatch)
		return tb_fail(f, TB_ECONFLICT, "id_number", REGISTER_REFUSED);

	char hash[TB_PWHASH_LEN];
	if (!tb_pwhash(in->password, hash))
		return TB_EINTERNAL;

	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "INSERT INTO accounts (kind, login, name, phone, password_hash,"
		    " region, created_at, identity_proven) VALUES ('person', ?, ?, ?, ?, ?,"
		    " ?, ?) RETURNING id",
		    "sssssii", idn.normalized, in->name, in->phone, hash, idn.region,
		    (int64_t)time(NULL), proven);
	if (e == TB_OK) {
		*id = tb_stmt_int(st, 0);
		tb_stmt_reset(st);
		char obj[32];
		snprintf(obj, sizeof(obj), "account:%lld", (long long)*id);
		e = tb_ctx_audit(c, ctx, "account.register", obj, "ok");
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e == TB_ECONFLICT)
		tb_fail(f, e, "id_number", REGISTER_REFUSED);
	if (e != TB_OK)
		*id = 0;
	return e;
}

/* The proof that person may register the business code under name: the
 * business registry holds the code under that name, and person (whose own
 * identity is proven) is its legal representative. The representative is
 * never named in a refusal. */
static enum tb_err org_proof_on(struct tb_conn *c, int64_t person, const char *code,
                                const char *name, struct tb_fail *f)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT b.name, b.representative_id = a.login AND"
	                              " b.representative_name = a.name, a.identity_proven"
	                              " FROM business_registry b, accounts a WHERE"
	                              " b.credit_code = ? AND a.id = ?",
	                              "si", code, person);
	bool known = e == TB_OK && row;
	bool same_name = known && strcmp(tb_stmt_text(st, 0), name) == 0;
	bool representative = known && tb_stmt_int(st, 1) != 0;
	bool proven = known && tb_stmt_int(st, 2) != 0;
	tb_stmt_reset(st);
	if (e != TB_OK)
		return e;
	if (!known)
		return tb_fail(f, TB_EINVAL, "credit_code",
		               "not in the business registry (市场主体登记信息): register the"
		               " business with market regulation first");
	if (!same_name)
		return tb_fail(f, TB_EINVAL, "name",
		               "does not match the name registered for this credit code");
	if (!proven)
		return tb_fail(f, TB_EDENIED, "identity_proven",
		               "your identity is not proven yet: prove it (for example at a"
		               " window) before registering a business");
	if (!representative)
		return tb_fail(f, TB_EDENIED, "credit_code",
		               "you are not the registered legal representative of this business");
	return TB_OK;
}

enum tb_err tb_org_register(struct tb_store *s, const struct tb_ctx *ctx, const char *name,
                            const char *credit_code, int64_t *id, struct tb_fail *f)
{
	*id = 0;
	if (ctx->who->kind != TB_PERSON)
		return tb_fail(f, TB_EUNAUTH, "session", "sign in as a natural person");
	enum tb_err e = tb_check_org_name(name, "name", f);
	if (e != TB_OK)
		return e;
	if (!credit_code)
		return tb_fail(f, TB_EINVAL, "credit_code", "required");
	struct tb_credit cc;
	if ((e = tb_credit_check(credit_code, &cc, f)) != TB_OK)
		return e;

	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	int64_t now = (int64_t)time(NULL);
	struct tb_stmt *st;
	bool row;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = org_proof_on(c, ctx->who->account_id, cc.normalized, name, f);
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row,
		                  "INSERT INTO accounts (kind, login, name, region, created_at,"
		                  " identity_proven) VALUES ('organisation', ?, ?, ?, ?, 1)"
		                  " RETURNING id",
		                  "sssi", cc.normalized, name, cc.region, now);
	if (e == TB_OK) {
		*id = tb_stmt_int(st, 0);
		tb_stmt_reset(st);
		e = tb_conn_run(c, NULL,
		                "INSERT INTO agents (organisation_id, person_id, created_at)"
		                " VALUES (?, ?, ?)",
		                "iii", *id, ctx->who->account_id, now);
	}
	if (e == TB_OK) {
		char obj[32];
		snprintf(obj, sizeof(obj), "account:%lld", (long long)*id);
		e = tb_ctx_audit(c, ctx, "organisation.register", obj, "ok");
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e == TB_ECONFLICT)
		tb_fail(f, e, "credit_code", "already registered");
	if (e != TB_OK)
		*id = 0;
	return e;
}

enum tb_err tb_account_get_on(struct tb_conn *c, int64_t id, struct tb_arena *a,
                              struct tb_account *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?", "i", id);
	if (e == TB_OK && row)
		read_row(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_account_get(struct tb_store *s, int64_t id, struct tb_arena *a,
                           struct tb_account *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_account_get_on(c, id, a, out);
	tb_store_release(c);
	return e;
}

enum tb_err tb_account_find(struct tb_store *s, const char *login, struct tb_arena *a,
                            struct tb_account *out)
{
	memset(out, 0, sizeof(*out));
	char norm[19];
	size_t n = login ? strlen(login) : 0;
	if (n != 18)
		return TB_ENOTFOUND;
	for (size_t i = 0; i < n; i++)
		norm[i] = (login[i] >= 'a' && login[i] <= 'z') ? (char)(login[i] - 32) : login[i];
	norm[18] = '\0';
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT " ACCOUNT_COLS " FROM accounts WHERE login = ?",
	                  "s", norm);
	if (e == TB_OK && row)
		read_row(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* Collects the rows of st (positioned on the first) into an arena array. */
static enum tb_err collect(struct tb_stmt *st, bool row, struct tb_arena *a,
                           struct tb_account **out, size_t *n, size_t max)
{
	struct tb_account *v = tb_arena_alloc(a, (max ? max : 1) * sizeof(*v));
	enum tb_err e = TB_OK;
	*n = 0;
	while (e == TB_OK && row && *n < max) {
		read_row(st, a, &v[(*n)++]);
		e = tb_stmt_step(st, &row);
	}
	*out = v;
	return e;
}

enum tb_err tb_account_list(struct tb_store *s, const char *region, const char *q, int limit,
                            struct tb_arena *a, struct tb_account **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (limit < 1 || limit > 500)
		limit = 50;
	/* Region prefix: 330000 -> "33%". */
	char sig[10], prefix[12];
	tb_region_prefix(region, sig);
	snprintf(prefix, sizeof(prefix), "%s%%", sig);
	char *like = q ? tb_arena_printf(a, "%%%s%%", q) : NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	if (like)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " ACCOUNT_COLS " FROM accounts WHERE region LIKE ?"
		                  " AND (login LIKE ? OR name LIKE ?) ORDER BY id DESC LIMIT ?",
		                  "sssi", prefix, like, like, (int64_t)limit);
	else
		e = tb_conn_query(c, &st, &row,
		                  "SELECT " ACCOUNT_COLS " FROM accounts WHERE region LIKE ?"
		                  " ORDER BY id DESC LIMIT ?",
		                  "si", prefix, (int64_t)limit);
	if (e == TB_OK) {
		e = collect(st, row, a, out, n, (size_t)limit);
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_agent_orgs(struct tb_store *s, int64_t person, struct tb_arena *a,
                          struct tb_account **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT a.id, a.kind, a.login, a.name, a.phone, a.region, a.status,"
	                  " a.created_at, a.identity_proven FROM agents g JOIN accounts a ON"
	                  " a.id = g.organisation_id"
	                  " WHERE g.person_id = ? ORDER BY a.id LIMIT 100",
	                  "i", person);
	if (e == TB_OK) {
		e = collect(st, row, a, out, n, 100);
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	return e;
}

enum tb_err tb_agent_check(struct tb_store *s, int64_t person, int64_t organisation)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT 1 FROM agents WHERE person_id = ? AND organisation_id = ?", "ii",
	                  person, organisation);
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK)
		return e;
	return row ? TB_OK : TB_EDENIED;
}

enum tb_err tb_registry_put(struct tb_store *s, const char *id_number, const char *name,
                            const char *source)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_run(c, NULL,
	                "INSERT INTO population_registry (id_number, name, source) VALUES (?, ?, ?)"
	                " ON CONFLICT (id_number) DO UPDATE SET name = excluded.name,"
	                " source = excluded.source",
	                "sss", id_number, name, source);
	tb_store_release(c);
	return e;
}

enum tb_err tb_business_registry_put_on(struct tb_conn *c, const char *credit_code,
                                        const char *name, const char *rep_id, const char *rep_name,
                                        const char *source)
{
	/* A business the registry holds already keeps its record: a
	 * certificate issued here does not change who represents it. */
	return tb_conn_run(c, NULL,
	                   "INSERT INTO business_registry (credit_code, name, representative_id,"
	                   " representative_name, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT"
	                   " (credit_code) DO NOTHING",
	                   "sssss", credit_code, name, rep_id, rep_name, source);
}

enum tb_err tb_business_registry_put(struct tb_store *s, const char *credit_code, const char *name,
                                     const char *rep_id, const char *rep_name, const char *source)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_conn_run(c, NULL,
	                "INSERT INTO business_registry (credit_code, name, representative_id,"
	                " representative_name, source) VALUES (?, ?, ?, ?, ?) ON CONFLICT"
	                " (credit_code) DO UPDATE SET name = excluded.name, representative_id ="
	                " excluded.representative_id, representative_name ="
	                " excluded.representative_name, source = excluded.source",
	                "sssss", credit_code, name, rep_id, rep_name, source);
	tb_store_release(c);
	return e;
}

const char *tb_mask(struct tb_arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *m = tb_arena_strdup(a, s);
	size_t keep_head = n == 18 ? 6 : 3, keep_tail = 4;
	for (size_t i = keep_head; i + keep_tail < n; i++)
		m[i] = '*';
	return m;
}

enum tb_err tb_person_prove(struct tb_store *s, const struct tb_ctx *ctx, const char *id_number,
                            const char *name, const char *document, int64_t *id, struct tb_fail *f)
{
	*id = 0;
	struct tb_idnum idn;
	if (!id_number || tb_idnum_check(id_number, &idn, NULL) != TB_OK)
		return tb_fail(f, TB_EINVAL, "id_number", "not a valid identity number");
	enum tb_err e = tb_check_person_name(name, "name", f);
	if (e != TB_OK)
		return e;
	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT id, name FROM accounts WHERE login = ? AND kind = 'person'", "s",
		    idn.normalized);
	bool same = false;
	if (e == TB_OK) {
		if (row) {
			*id = tb_stmt_int(st, 0);
			same = strcmp(tb_stmt_text(st, 1), name) == 0;
		}
		tb_stmt_reset(st);
		if (!row)
			e = tb_fail(f, TB_ENOTFOUND, "id_number",
			            "no person account with this number");
		else if (!same)
			e = tb_fail(f, TB_EINVAL, "name",
			            "not the name of the account with this number");
	}
	if (e == TB_OK)
		e = tb_conn_run(c, NULL, "UPDATE accounts SET identity_proven = 1 WHERE id = ?",
		                "i", *id);
	if (e == TB_OK) {
		char obj[160];
		snprintf(obj, sizeof(obj), "account:%lld;document:%.100s", (long long)*id,
		         document ? document : "");
		e = tb_ctx_audit(c, ctx, "account.prove", obj, "ok");
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	if (e != TB_OK)
		*id = 0;
	return e;
}
