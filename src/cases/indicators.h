/* Indicators (GET /api/v1/indicators): public aggregates of a region over
 * a period, read from counters that the case transitions, ratings and
 * follow-ups keep current in their own transactions (migrations 011 and
 * 014: per region, department and day), so
 * that a read never scans cases. No personal data is counted or read. */
#ifndef TB_CASES_INDICATORS_H
#define TB_CASES_INDICATORS_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

#include <stdint.h>

struct tb_regions;
struct row;

/* The indicators of region (canonical; "000000": everything) from day
 * from to day to (day numbers, both included), with today's item counts
 * and overdue cases, and the same for each of its current children, as
 * the JSON object text of the API (arena). name is the region's name.
 * With departments, also "departments": the same figures within the
 * region per department that has anything there (its items or cases). */
enum tb_err tb_indicators_read(struct tb_store *s, const struct tb_regions *regions,
                               const char *region, const char *name, int64_t from, int64_t to,
                               bool departments, struct tb_arena *a, const char **text);

/* Makes every counter again from the cases, ratings and follow-ups, in one
 * transaction (after cases were written straight into the store). *days
 * and *due (may be NULL) get the number of counter rows. */
enum tb_err tb_indicators_rebuild(struct tb_store *s, int64_t *days, int64_t *due);

/* ---- the counting, inside the writer's transaction (src/cases only) ---- */

/* Before the case row r->id is written back as r: moves the counters from
 * what the stored row counted (stored: the row as read, locked, in this
 * transaction) to what r counts (submission, completion, open deadline). */
enum tb_err tb_indicators_case_on(struct tb_conn *c, const struct row *stored, const struct row *r);
/* A rating of score given at time at (Unix seconds) for a case of region
 * and department dept. */
enum tb_err tb_indicators_rating_on(struct tb_conn *c, const char *region, int64_t dept, int score,
                                    int64_t at);
/* The follow-up followup (just closed) counts for its rating's day. */
enum tb_err tb_indicators_followup_on(struct tb_conn *c, int64_t followup);

#endif
