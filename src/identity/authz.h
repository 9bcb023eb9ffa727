/* Authorisation: who is acting (struct tb_principal) and the one
 * declarative table (policy.tsv, built into the binary) that says which
 * role may do which action over which objects. Every endpoint asks
 * tb_authz; nothing checks roles by hand. */
#ifndef TB_IDENTITY_AUTHZ_H
#define TB_IDENTITY_AUTHZ_H

#include "base/err.h"

#include <stdbool.h>
#include <stdint.h>

#define TB_MAX_GRANTS 16

enum tb_principal_kind { TB_ANON, TB_PERSON, TB_TOKEN };

/* One staff role of a person: role name, department (0 for none) and the
 * region it covers (the department's region for department roles). */
struct tb_grant {
	int64_t id;
	char role[24];
	int64_t department_id;
	char region[10];
};

struct tb_principal {
	enum tb_principal_kind kind;
	int64_t account_id;      /* TB_PERSON */
	int64_t acting_for;      /* organisation account the person acts for, or 0 */
	int64_t token_id;        /* TB_TOKEN */
	int64_t department_id;   /* TB_TOKEN: the token's department */
	char region[10];         /* TB_TOKEN: the department's region */
	char token_actions[512]; /* TB_TOKEN: comma-separated */
	int ngrants;
	struct tb_grant grants[TB_MAX_GRANTS];
};

/* What an action is about. owner: the account the object belongs to (0 for
 * none); department: the department it belongs to (0 for none); region: a
 * GB/T 2260 code it lies in ("" for none); window: the service centre
 * whose general window opened it (0 for none). */
struct tb_authz_object {
	int64_t owner;
	int64_t department;
	const char *region;
	int64_t window; /* a case opened at a general window: that service centre (else 0) */
};

/* May p do action over o (o may be NULL for no object)? TB_OK; TB_EUNAUTH
 * when p is anonymous and only signed-in roles may; TB_EDENIED otherwise.
 * Unknown actions are denied. */
enum tb_err tb_authz(const struct tb_principal *p, const char *action,
                     const struct tb_authz_object *o);

/* Like tb_authz, but only through rows of role ("person" for the signed-in
 * person themself). TB_OK or TB_EDENIED (TB_EUNAUTH when anonymous). */
enum tb_err tb_authz_as(const struct tb_principal *p, const char *role, const char *action,
                        const struct tb_authz_object *o);

/* The widest region over which one of p's grants allows action with
 * region scope (a grant's region, borrowed from p), or NULL when none
 * does: what a supervisor's list covers. */
const char *tb_authz_widest_region(const struct tb_principal *p, const char *action);

/* True when region code lies within ancestor, by the GB/T 2260 prefix rule
 * (330106 within 330100 within 330000; 000000 covers every code). */
bool tb_region_covers(const char *ancestor, const char *region);

/* The service centre whose general window p works at: the department of
 * p's first window_clerk grant, or 0 when p is no window clerk. */
int64_t tb_principal_window(const struct tb_principal *p);

/* True when role is a staff role that can be granted. */
bool tb_role_known(const char *role);
/* True when the policy knows action (tokens may only hold such actions). */
bool tb_action_known(const char *action);

/* The policy rows, for tests: row i as role, action, scope; false past
 * the end. */
bool tb_policy_row(int i, const char **role, const char **action, const char **scope);

#endif
