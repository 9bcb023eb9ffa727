/* Notification and commitment (证明事项告知承诺制): a material whose
 * catalog entry carries a commitment ({content, check_days}) may be given
 * as the applicant's written commitment (source "commitment") instead of
 * the document. The commitment is recorded when the case is submitted,
 * checked afterwards by the department (online through the material's
 * sharing resource where it names one; else on site, by another body's
 * assistance or by a document), and a false one goes into the applicant's
 * credit record (cases/credit.h), which keeps them from committing again
 * until it is repaired. */
#ifndef TB_CASES_COMMITMENTS_H
#define TB_CASES_COMMITMENTS_H

#include "base/arena.h"
#include "base/err.h"
#include "calendar/calendar.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The catalog material of item (its document) named name when it allows
 * a commitment, else NULL (borrowed from item). */
const json_t *tb_commitment_of(const json_t *item, const char *name);

/* On c: every material of the case's list (materials, JSON array text)
 * given as a commitment (source "commitment") is one the item allows and
 * the applicant (account id) has no unrepaired false commitment on
 * record; TB_EINVAL naming "materials[i].source" otherwise. For a draft
 * being edited, so that the applicant learns at once. */
enum tb_err tb_commitments_allowed_on(struct tb_conn *c, int64_t applicant, const json_t *item,
                                      const char *materials, struct tb_arena *a, struct tb_fail *f);

/* Inside the submission's transaction on c: every material of the case's
 * list (materials, JSON array text) given as a commitment is one the item
 * allows, and the applicant (account id; the subject is its identity
 * number or credit code) has
 * no unrepaired false commitment on record (TB_EINVAL naming
 * "materials[i].source" otherwise). Each becomes a pending commitment
 * (once per case and material: a resubmission keeps the first), due
 * check_days working days after today on cal; on a resubmission a pending
 * one whose material is no longer committed is dropped. submitter: the account submitting
 * (the applicant, their agent or the window clerk who took the signed
 * letter). */
enum tb_err tb_commitments_submit_on(struct tb_conn *c, const struct tb_calendar *cal,
                                     int64_t case_id, int64_t applicant, int64_t submitter,
                                     const json_t *item, const char *materials, bool resubmission,
                                     struct tb_arena *a, struct tb_fail *f);

/* The commitments of case case_id on c, oldest first, as a new JSON array
 * of {id, material, content, committed_at, due_date, overdue, state,
 * method, finding, checked_at, last_use_id}. */
json_t *tb_commitments_of_case_on(struct tb_conn *c, int64_t case_id);

/* How a department checks a commitment. method: "online" (the material's
 * sharing resource and assertion, asked as the case's department), or
 * "onsite", "assist", "document" with outcome (1 true, 0 false) and a
 * finding (2 to 500 characters); online takes an optional finding and
 * decides by itself only when the fact holds. */
struct tb_commitment_check {
	const char *method;
	int outcome; /* -1 when not given */
	const char *finding;
};

/* Checks commitment id of case case_no as ctx (the caller has checked
 * the policy for the case). A pending commitment becomes true or false
 * (false: a credit record and a message to the applicant, in the same
 * transaction, with audit records commitment.check and credit.record); an
 * online check that does not hold leaves it pending with its data use
 * noted, for the official to decide. *out: {id, state, method, finding,
 * holds (online only), data_use_id (online only), credit_record_id (when
 * false)}. TB_ENOTFOUND "id"; TB_ECONFLICT "state" when already checked;
 * TB_EINVAL naming the member; the refusals of tb_share_verify. */
enum tb_err tb_commitment_check(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                                int64_t id, const struct tb_commitment_check *in,
                                struct tb_arena *a, json_t **out, struct tb_fail *f);

/* The commitments of department (0: any) of cases within region ("" for
 * any), in state ("pending", "true", "false" or NULL for all), only the
 * overdue pending ones when overdue_only; soonest due first for pending,
 * newest first otherwise; at most 500. *out: a new JSON array of {id,
 * case_no, item_name, department {id, name}, material, content,
 * committed_at, due_date, overdue, state, method, finding, checked_at}. */
enum tb_err tb_commitments_list(struct tb_store *s, int64_t department, const char *region,
                                const char *state, bool overdue_only, json_t **out);

#endif
