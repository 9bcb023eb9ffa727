/* Departments (implementing bodies), staff role grants and the API tokens
 * of department systems. Every write records its audit line in the same
 * transaction; callers have already asked tb_authz. */
#ifndef TB_IDENTITY_DEPARTMENTS_H
#define TB_IDENTITY_DEPARTMENTS_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "regions/regions.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_regions;

struct tb_department {
	int64_t id;
	const char *name;
	const char *credit_code;
	const char *region;
	const char *level;  /* province, city, county, township */
	const char *sector; /* see identity/sectors.h; "" when not yet said */
};

/* Whether a department of level may sit in region g: level is the
 * region's own (province, city, county, or township for a 9-digit code of
 * a 街道 or 乡镇), or village (a village service point, at its township's
 * code). */
bool tb_department_level_fits(const char *level, const struct tb_region *g);

/* Creates a department. The credit code must be valid (GB 32100), the
 * region a current GB/T 2260 code whose level matches level, and sector a
 * known sector key (NULL for "other"). */
enum tb_err tb_department_create(struct tb_store *s, const struct tb_regions *regions,
                                 const struct tb_ctx *ctx, const char *name,
                                 const char *credit_code, const char *region, const char *level,
                                 const char *sector, int64_t *id, struct tb_fail *f);
enum tb_err tb_department_get(struct tb_store *s, int64_t id, struct tb_arena *a,
                              struct tb_department *out);
/* The department with credit code (any case). TB_ENOTFOUND. */
enum tb_err tb_department_find(struct tb_store *s, const char *credit_code, struct tb_arena *a,
                               struct tb_department *out);
/* Reads every row of st (selected as id, name, credit_code, region, level,
 * sector) into *out (arena), *n of them, and resets st; row says whether
 * st is on a row already. */
enum tb_err tb_department_collect(struct tb_stmt *st, bool row, struct tb_arena *a,
                                  struct tb_department **out, size_t *n);
/* Departments whose region lies within region ("" for all), by region and
 * name. */
enum tb_err tb_department_list(struct tb_store *s, const char *region, struct tb_arena *a,
                               struct tb_department **out, size_t *n);

/* Grants role to person account. Department roles (window_clerk, reviewer,
 * approver, sharing_officer) need department_id and cover its region;
 * region roles (catalog_manager, supervisor, admin) take region and an
 * optional department. *id gets the grant. */
enum tb_err tb_role_grant(struct tb_store *s, const struct tb_regions *regions,
                          const struct tb_ctx *ctx, int64_t account, const char *role,
                          int64_t department_id, const char *region, int64_t *id,
                          struct tb_fail *f);
/* Removes grant id of account. TB_ENOTFOUND when there is none. */
enum tb_err tb_role_revoke(struct tb_store *s, const struct tb_ctx *ctx, int64_t account,
                           int64_t grant);
/* The region a grant covers (for authorising the revoke), into region. */
enum tb_err tb_role_region(struct tb_store *s, int64_t account, int64_t grant, char region[10]);

struct tb_api_token {
	int64_t id;
	const char *name;
	int64_t department_id;
	const char *actions;
	int64_t created_at;
	int64_t revoked_at; /* 0 when live */
};

/* Creates a token for a department system holding actions (each must be
 * an action the policy gives the token role). The secret is written to
 * secret (shown once; only its SM3 is stored). */
enum tb_err tb_token_create(struct tb_store *s, const struct tb_ctx *ctx, const char *name,
                            int64_t department_id, const char *const *actions, size_t nactions,
                            int64_t *id, char secret[64], struct tb_fail *f);
/* Tokens of a department (0 for all), newest first. */
enum tb_err tb_token_list(struct tb_store *s, int64_t department_id, struct tb_arena *a,
                          struct tb_api_token **out, size_t *n);
/* The department of token id (for authorising a revoke). */
enum tb_err tb_token_department(struct tb_store *s, int64_t id, int64_t *department_id);
/* Revokes token id; TB_ENOTFOUND when unknown or already revoked. */
enum tb_err tb_token_revoke(struct tb_store *s, const struct tb_ctx *ctx, int64_t id);

#endif
