/* Ratings (好差评): the applicant rates a case 1 (very satisfied) to 5
 * (very dissatisfied) at acceptance or after completion; a 4 or 5 opens a
 * follow-up for the department due in 5 working days; supervisors read
 * the open follow-ups and the follow-up rate. */
#ifndef TB_CASES_RATINGS_H
#define TB_CASES_RATINGS_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

struct tb_calendar;

/* Rates case_no (the caller has been authorised as its applicant). stage
 * is "completed" for a completed case and "accepted" for one in handling.
 * TB_ECONFLICT when the case is in neither or was rated at that stage. */
enum tb_err tb_rating_add(struct tb_store *s, const struct tb_calendar *cal,
                          const struct tb_ctx *ctx, const char *case_no, int score,
                          const char *text, const char *channel, int64_t *followup,
                          struct tb_fail *f);
/* Follow-ups of region (prefix rule), open ones first, with the rate:
 * {items, bad_ratings, followed_up, follow_up_rate} as JSON (arena). */
enum tb_err tb_followups(struct tb_store *s, const char *region, struct tb_arena *a,
                         const char **text);
/* The department of follow-up id (for authorisation). */
enum tb_err tb_followup_department(struct tb_store *s, int64_t id, int64_t *department);
/* Closes follow-up id with a note of what was done. */
enum tb_err tb_followup_close(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                              const char *note, struct tb_fail *f);

#endif
