/* Departments, role grants and API tokens (see departments.h). */
#include "identity/departments.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "codes/credit.h"
#include "identity/authz.h"
#include "identity/sectors.h"
#include "identity/validate.h"
#include "regions/regions.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Runs sql (an INSERT ... RETURNING id) and the audit line in one
 * transaction; *id gets the new row. */
static enum tb_err insert_audited(struct tb_conn *c, const struct tb_ctx *ctx, const char *action,
                                  const char *kind, int64_t *id, const char *sql, const char *fmt,
                                  ...);

bool tb_department_level_fits(const char *level, const struct tb_region *g)
{
	/* A village service point sits at its township's code: the division
	 * tables stop at townships. */
	if (level && g && !strcmp(level, "village"))
		return g->level == TB_REGION_TOWNSHIP;
	return level && g && !strcmp(level, tb_region_level_name(g->level));
}

enum tb_err tb_department_create(struct tb_store *s, const struct tb_regions *regions,
                                 const struct tb_ctx *ctx, const char *name,
                                 const char *credit_code, const char *region, const char *level,
                                 const char *sector, int64_t *id, struct tb_fail *f)
{
	*id = 0;
	enum tb_err e = tb_check_org_name(name, "name", f);
	if (e != TB_OK)
		return e;
	struct tb_credit cc;
	if (!credit_code)
		return tb_fail(f, TB_EINVAL, "credit_code", "required");
	if ((e = tb_credit_check(credit_code, &cc, f)) != TB_OK)
		return e;
	const struct tb_region *g = region ? tb_regions_find(regions, region) : NULL;
	if (!g || g->retired || g->placeholder)
		return tb_fail(f, TB_EINVAL, "region", "not a current GB/T 2260 region code");
	if (!tb_department_level_fits(level, g))
		return tb_fail(f, TB_EINVAL, "level", "must be the level of the region");
	if (!sector)
		sector = "other";
	if (!tb_sector_known(sector))
		return tb_fail(f, TB_EINVAL, "sector", "not a known sector");
	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) != TB_OK)
		return e;
	e = insert_audited(c, ctx, "department.create", "department", id,
	                   "INSERT INTO departments (name, credit_code, region, level, sector,"
	                   " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	                   "sssssi", name, cc.normalized, g->code, level, sector,
	                   (int64_t)time(NULL));
	tb_store_release(c);
	if (e == TB_ECONFLICT)
		tb_fail(f, e, "credit_code", "a department with this code exists");
	return e;
}

static void read_dept(struct tb_stmt *st, struct tb_arena *a, struct tb_department *d)
{
	d->id = tb_stmt_int(st, 0);
	d->name = tb_arena_strdup(a, tb_stmt_text(st, 1));
	d->credit_code = tb_arena_strdup(a, tb_stmt_text(st, 2));
	d->region = tb_arena_strdup(a, tb_stmt_text(st, 3));
	d->level = tb_arena_strdup(a, tb_stmt_text(st, 4));
	d->sector = tb_arena_strdup(a, tb_stmt_text(st, 5));
}

enum tb_err tb_department_get(struct tb_store *s, int64_t id, struct tb_arena *a,
                              struct tb_department *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT id, name, credit_code, region, level, sector FROM departments WHERE id = ?",
	    "i", id);
	if (e == TB_OK && row)
		read_dept(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_department_find(struct tb_store *s, const char *credit_code, struct tb_arena *a,
                               struct tb_department *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_credit cc;
	if (!credit_code || tb_credit_check(credit_code, &cc, NULL) != TB_OK)
		return TB_ENOTFOUND;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, name, credit_code, region, level, sector FROM departments"
	                  " WHERE credit_code = ?",
	                  "s", cc.normalized);
	if (e == TB_OK && row)
		read_dept(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_department_collect(struct tb_stmt *st, bool row, struct tb_arena *a,
                                  struct tb_department **out, size_t *n)
{
	size_t cap = 0;
	struct tb_department *v = NULL;
	enum tb_err e = TB_OK;
	*n = 0;
	while (e == TB_OK && row) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct tb_department *nv = tb_arena_alloc(a, ncap * sizeof(*nv));
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
			cap = ncap;
		}
		read_dept(st, a, &v[(*n)++]);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	*out = v;
	return e;
}

enum tb_err tb_department_list(struct tb_store *s, const char *region, struct tb_arena *a,
                               struct tb_department **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	char sig[10], prefix[12];
	tb_region_prefix(region, sig);
	snprintf(prefix, sizeof(prefix), "%s%%", sig);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, name, credit_code, region, level, sector FROM departments"
	                  " WHERE region LIKE ? ORDER BY region, name LIMIT 1000",
	                  "s", prefix);
	if (e == TB_OK)
		e = tb_department_collect(st, row, a, out, n);
	tb_store_release(c);
	return e;
}

static bool department_role(const char *role)
{
	return strcmp(role, "window_clerk") == 0 || strcmp(role, "reviewer") == 0 ||
	       strcmp(role, "approver") == 0 || strcmp(role, "sharing_officer") == 0;
}

enum tb_err tb_role_grant(struct tb_store *s, const struct tb_regions *regions,
                          const struct tb_ctx *ctx, int64_t account, const char *role,
                          int64_t department_id, const char *region, int64_t *id, struct tb_fail *f)
{
	*id = 0;
	if (!role || !tb_role_known(role))
		return tb_fail(f, TB_EINVAL, "role", "not a staff role");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	char scope[10] = "";
	e = tb_conn_query(c, &st, &row, "SELECT kind FROM accounts WHERE id = ?", "i", account);
	if (e == TB_OK && (!row || strcmp(tb_stmt_text(st, 0), "person") != 0))
		e = tb_fail(f, TB_ENOTFOUND, "account", "no such natural person");
	tb_stmt_reset(st);
	if (e == TB_OK && department_id) {
		e = tb_conn_query(c, &st, &row, "SELECT region FROM departments WHERE id = ?", "i",
		                  department_id);
		if (e == TB_OK && row)
			snprintf(scope, sizeof(scope), "%s", tb_stmt_text(st, 0));
		else if (e == TB_OK)
			e = tb_fail(f, TB_EINVAL, "department_id", "no such department");
		tb_stmt_reset(st);
	}
	if (e == TB_OK && department_role(role) && !department_id)
		e = tb_fail(f, TB_EINVAL, "department_id", "required for this role");
	/* A department role covers its department's region and nothing else:
	 * a region that says otherwise is a mistake or an attempt. */
	if (e == TB_OK && department_role(role) && region && strcmp(region, scope) != 0)
		e = tb_fail(f, TB_EINVAL, "region",
		            "a department role covers its department's region");
	if (e == TB_OK && !department_role(role) && region) {
		const struct tb_region *g = tb_regions_find(regions, region);
		bool all = strcmp(region, "000000") == 0;
		if (!all && (!g || g->retired || strlen(g->code) != 6))
			e = tb_fail(f, TB_EINVAL, "region",
			            "not a current region code of 6 digits");
		else if (scope[0] && !tb_region_covers(all ? "000000" : g->code, scope))
			e = tb_fail(f, TB_EINVAL, "region", "does not cover the department");
		else
			snprintf(scope, sizeof(scope), "%s", all ? "000000" : g->code);
	}
	if (e == TB_OK && !scope[0])
		e = tb_fail(f, TB_EINVAL, "region", "required for this role");
	if (e == TB_OK) {
		/* NULL departments are distinct in UNIQUE: check duplicates here. */
		e = tb_conn_query(c, &st, &row,
		                  "SELECT 1 FROM role_grants WHERE account_id = ? AND role = ?"
		                  " AND COALESCE(department_id, 0) = ? AND region = ?",
		                  "isis", account, role, department_id, scope);
		tb_stmt_reset(st);
		if (e == TB_OK && row)
			e = TB_ECONFLICT;
	}
	if (e == TB_OK)
		e = insert_audited(
		    c, ctx, "role.grant", "grant", id,
		    "INSERT INTO role_grants (account_id, role, department_id, region,"
		    " granted_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		    "isIsii", account, role, department_id, scope, ctx->who->account_id,
		    (int64_t)time(NULL));
	tb_store_release(c);
	if (e == TB_ECONFLICT)
		tb_fail(f, e, "role", "already granted");
	return e;
}

enum tb_err tb_role_region(struct tb_store *s, int64_t account, int64_t grant, char region[10])
{
	region[0] = '\0';
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT region FROM role_grants WHERE id = ? AND account_id = ?", "ii",
	                  grant, account);
	if (e == TB_OK && row)
		snprintf(region, 10, "%s", tb_stmt_text(st, 0));
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_role_revoke(struct tb_store *s, const struct tb_ctx *ctx, int64_t account,
                           int64_t grant)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(c, &changed,
		                "DELETE FROM role_grants WHERE id = ? AND account_id = ?", "ii",
		                grant, account);
	if (e == TB_OK && changed == 0)
		e = TB_ENOTFOUND;
	char obj[40];
	snprintf(obj, sizeof(obj), "grant:%lld", (long long)grant);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "role.revoke", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}

enum tb_err tb_token_create(struct tb_store *s, const struct tb_ctx *ctx, const char *name,
                            int64_t department_id, const char *const *actions, size_t nactions,
                            int64_t *id, char secret[64], struct tb_fail *f)
{
	*id = 0;
	secret[0] = '\0';
	enum tb_err e = tb_check_org_name(name, "name", f);
	if (e != TB_OK)
		return e;
	if (nactions == 0 || nactions > 32)
		return tb_fail(f, TB_EINVAL, "actions", "expected 1 to 32 actions");
	struct tb_buf list = TB_BUF_INIT;
	for (size_t i = 0; i < nactions; i++) {
		/* Only actions the policy grants to tokens at all. */
		bool ok = false;
		const char *role, *action, *scope;
		for (int k = 0; tb_policy_row(k, &role, &action, &scope); k++)
			if (strcmp(role, "token") == 0 && strcmp(action, actions[i]) == 0)
				ok = true;
		if (!ok) {
			tb_buf_free(&list);
			return tb_fail(f, TB_EINVAL, "actions", "an action tokens cannot hold");
		}
		tb_buf_printf(&list, "%s%s", i ? "," : "", actions[i]);
	}
	char token[64], hash[TB_SM3_HEX];
	tb_token("tbk_", 32, token, sizeof(token));
	tb_sm3_hex(token, strlen(token), hash);
	struct tb_conn *c;
	if ((e = tb_store_acquire(s, &c)) == TB_OK) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(c, &st, &row, "SELECT 1 FROM departments WHERE id = ?", "i",
		                  department_id);
		tb_stmt_reset(st);
		if (e == TB_OK && !row)
			e = tb_fail(f, TB_EINVAL, "department_id", "no such department");
		if (e == TB_OK)
			e = insert_audited(
			    c, ctx, "token.create", "token", id,
			    "INSERT INTO api_tokens (token_hash, name, department_id,"
			    " actions, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
			    " RETURNING id",
			    "ssisii", hash, name, department_id, list.data, ctx->who->account_id,
			    (int64_t)time(NULL));
		tb_store_release(c);
	}
	tb_buf_free(&list);
	if (e == TB_OK)
		memcpy(secret, token, strlen(token) + 1);
	return e;
}

enum tb_err tb_token_list(struct tb_store *s, int64_t department_id, struct tb_arena *a,
                          struct tb_api_token **out, size_t *n)
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
	                  "SELECT id, name, department_id, actions, created_at, revoked_at"
	                  " FROM api_tokens WHERE ? = 0 OR department_id = ? ORDER BY id DESC"
	                  " LIMIT 200",
	                  "ii", department_id, department_id);
	struct tb_api_token *v = tb_arena_alloc(a, 200 * sizeof(*v));
	while (e == TB_OK && row && *n < 200) {
		struct tb_api_token *t = &v[(*n)++];
		t->id = tb_stmt_int(st, 0);
		t->name = tb_arena_strdup(a, tb_stmt_text(st, 1));
		t->department_id = tb_stmt_int(st, 2);
		t->actions = tb_arena_strdup(a, tb_stmt_text(st, 3));
		t->created_at = tb_stmt_int(st, 4);
		t->revoked_at = tb_stmt_int(st, 5);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	*out = v;
	return e;
}

enum tb_err tb_token_department(struct tb_store *s, int64_t id, int64_t *department_id)
{
	*department_id = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT department_id FROM api_tokens WHERE id = ?", "i",
	                  id);
	if (e == TB_OK && row)
		*department_id = tb_stmt_int(st, 0);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_token_revoke(struct tb_store *s, const struct tb_ctx *ctx, int64_t id)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, &changed,
		    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
		    "ii", (int64_t)time(NULL), id);
	if (e == TB_OK && changed == 0)
		e = TB_ENOTFOUND;
	char obj[40];
	snprintf(obj, sizeof(obj), "token:%lld", (long long)id);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "token.revoke", obj, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}

static enum tb_err insert_audited(struct tb_conn *c, const struct tb_ctx *ctx, const char *action,
                                  const char *kind, int64_t *id, const char *sql, const char *fmt,
                                  ...)
{
	struct tb_stmt *st;
	enum tb_err e = tb_conn_begin(c);
	if (e != TB_OK)
		return e;
	e = tb_conn_prepare(c, sql, &st);
	if (e == TB_OK) {
		va_list ap;
		va_start(ap, fmt);
		for (int i = 0; fmt[i]; i++) {
			if (fmt[i] == 's') {
				tb_stmt_bind_text(st, i + 1, va_arg(ap, const char *));
			} else {
				/* 'I': an id where 0 means NULL. */
				int64_t v = va_arg(ap, int64_t);
				if (fmt[i] == 'I' && v == 0)
					tb_stmt_bind_null(st, i + 1);
				else
					tb_stmt_bind_int(st, i + 1, v);
			}
		}
		va_end(ap);
		bool row;
		e = tb_stmt_step(st, &row);
		if (e == TB_OK)
			*id = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
	}
	if (e == TB_OK) {
		char obj[48];
		snprintf(obj, sizeof(obj), "%s:%lld", kind, (long long)*id);
		e = tb_ctx_audit(c, ctx, action, obj, "ok");
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	if (e != TB_OK)
		*id = 0;
	return e;
}
