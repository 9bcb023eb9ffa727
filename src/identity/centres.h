/* Government service centres and the departments whose items their general
 * window receives (进驻部门, table centre_departments): 一窗受理 as data.
 * Writes record their audit line in the same transaction; callers have
 * already asked tb_authz. */
#ifndef TB_IDENTITY_CENTRES_H
#define TB_IDENTITY_CENTRES_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "identity/departments.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes centre's window receive (on) or stop receiving (!on) the items of
 * department. centre must be a department of sector "centre" (else
 * TB_EINVAL, field "id"), department another existing department (else
 * TB_EINVAL, field "department_id"). Receiving twice is TB_ECONFLICT;
 * stopping what is not received is TB_ENOTFOUND. */
enum tb_err tb_centre_receive(struct tb_store *s, const struct tb_ctx *ctx, int64_t centre,
                              int64_t department, bool on, struct tb_fail *f);

/* The departments centre receives, by region and name (arena). */
enum tb_err tb_centre_departments(struct tb_store *s, int64_t centre, struct tb_arena *a,
                                  struct tb_department **out, size_t *n);

/* TB_OK when centre's window receives department's items; TB_EDENIED when
 * it does not. */
enum tb_err tb_centre_receives(struct tb_store *s, int64_t centre, int64_t department);

#endif
