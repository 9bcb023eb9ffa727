/* Credit records (信用记录) of false commitments: written when a
 * department finds a commitment false (cases/commitments.h), shown to the
 * person or business they concern, and repaired (信用修复) by the
 * recording department; while one is unrepaired its subject may not
 * commit instead of bringing a certificate (国办发〔2020〕42号: 曾作出虚假
 * 承诺的，在信用修复前不适用告知承诺制). */
#ifndef TB_CASES_CREDIT_H
#define TB_CASES_CREDIT_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

/* On c: the case number of subject's unrepaired false commitment into
 * *case_no (in a), or NULL when there is none. */
enum tb_err tb_credit_restriction_on(struct tb_conn *c, const char *subject, struct tb_arena *a,
                                     const char **case_no);

/* The credit records of subject, newest first, as a new JSON array of
 * {id, kind, case_no, item_name, material, finding, department {id,
 * name}, recorded_at, repaired_at, repair_reason, restricts}. */
enum tb_err tb_credit_list(struct tb_store *s, const char *subject, json_t **out);

/* The department that recorded credit record id. TB_ENOTFOUND. */
enum tb_err tb_credit_department(struct tb_store *s, int64_t id, int64_t *department);

/* Repairs credit record id as ctx with reason (4 to 500 characters: what
 * the subject put right), with an audit record credit.repair. TB_EINVAL
 * "reason"; TB_ECONFLICT "id" when it was repaired already. */
enum tb_err tb_credit_repair(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                             const char *reason, struct tb_fail *f);

#endif
