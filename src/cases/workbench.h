/* The department workbench's own reads and writes (issue #12): who in the
 * department handles a case (claim and assign), the officials a case can
 * be assigned to, and the stored file of a material given for a case. The
 * queue itself is tb_case_list (cases.h). */
#ifndef TB_CASES_WORKBENCH_H
#define TB_CASES_WORKBENCH_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

/* Makes assignee the official who handles case case_no, with an audit
 * record (case.assign) in the same transaction. The caller has checked
 * that ctx's actor may assign the case (policy case.assign). TB_ENOTFOUND:
 * no such case; TB_EINVAL (f names "assignee"): assignee holds no case
 * role (window clerk, reviewer, approver) in the case's department, or is
 * disabled; TB_ECONFLICT (f names "state"): the case has ended. */
enum tb_err tb_case_assign(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                           int64_t assignee, struct tb_fail *f);

/* The active officials holding a case role in department, as a JSON array
 * (arena) of {id, name, roles: [...]}, by id: names only, no identity
 * numbers. */
enum tb_err tb_case_staff(struct tb_store *s, int64_t department, struct tb_arena *a,
                          const char **text);

/* The content type (arena) of the file with hash sm3 given for the case
 * with id case_id as an upload or from the library. TB_ENOTFOUND when the
 * case has no such file. */
enum tb_err tb_case_material_mime(struct tb_store *s, int64_t case_id, const char *sm3,
                                  struct tb_arena *a, const char **mime);

#endif
