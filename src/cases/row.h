/* The case row as the case functions share it (private to src/cases):
 * struct row, the columns that fill it, loading it, and small helpers of
 * cases.c (writes) and views.c (reads). */
#ifndef TB_CASES_ROW_H
#define TB_CASES_ROW_H

#include "base/arena.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct tb_item_meta;

struct row {
	int64_t id, applicant, agent, department, item_version, visits, extended;
	int64_t promised_days, statutory_days, extension_days, submitted_at, finished_at;
	int64_t mat_required, mat_certificate, mat_library, mat_sharing;
	int64_t window; /* window_department_id, or 0 */
	char case_no[64], item_code[40], region[10], state[24], case_kind[16], channel[12];
	char accepted_on[11], promised_due[11], statutory_due[11], suspended_on[11], queue_due[11];
	const char *item_name, *form, *materials, *corrections, *required;
};

#define ROW_COLS                                                                                  \
	"id, applicant_id, COALESCE(agent_id, 0), department_id, item_version, visits, extended," \
	" promised_days, statutory_days, extension_days, COALESCE(submitted_at, 0),"              \
	" COALESCE(finished_at, 0), case_no, item_code, region, state, case_kind, channel,"       \
	" accepted_on, promised_due, statutory_due, suspended_on, queue_due, item_name, form,"    \
	" materials, corrections, required, mat_required, mat_certificate, mat_library,"          \
	" mat_sharing, COALESCE(window_department_id, 0)"

/* The same columns for lists: the large texts a list never shows (form,
 * materials, corrections, required) are left out as constants in their
 * places, so the rows read with tb_case_row_read stay aligned. A queue of
 * 200 rows read them all before (about 85 KB of text per request). */
#define ROW_COLS_BRIEF                                                                            \
	"id, applicant_id, COALESCE(agent_id, 0), department_id, item_version, visits, extended," \
	" promised_days, statutory_days, extension_days, COALESCE(submitted_at, 0),"              \
	" COALESCE(finished_at, 0), case_no, item_code, region, state, case_kind, channel,"       \
	" accepted_on, promised_due, statutory_due, suspended_on, queue_due, item_name, '{}',"    \
	" '[]', NULL, '[]', mat_required, mat_certificate, mat_library,"                          \
	" mat_sharing, COALESCE(window_department_id, 0)"

/* Copies src (NULL as "") into dst of n bytes, cut to fit. */
void tb_case_copy(char *dst, size_t n, const char *src);
/* Fills r from the current row of st (selected with ROW_COLS); texts in a. */
void tb_case_row_read(struct tb_stmt *st, struct tb_arena *a, struct row *r);
/* The case case_no on c; TB_ENOTFOUND. */
enum tb_err tb_case_row_load(struct tb_conn *c, const char *case_no, struct tb_arena *a,
                             struct row *r);
/* The same, locked until the end of c's transaction (for a transition: r
 * is then the row as stored until it is written back). */
enum tb_err tb_case_row_lock(struct tb_conn *c, const char *case_no, struct tb_arena *a,
                             struct row *r);
/* The day number of a YYYY-MM-DD text (0 when it is none). */
int64_t tb_case_day_of(const char *s);
/* Whether a case in state has ended (completed, not accepted, withdrawn). */
bool tb_case_terminal(const char *state);
/* The item version a case follows, parsed (caller decrefs), or NULL. */
json_t *tb_case_item_doc(struct tb_store *s, const char *code, int64_t version, struct tb_arena *a,
                         struct tb_item_meta *meta);
/* The same on a connection the caller holds (never a second one from the
 * pool while holding the first: that can exhaust it). */
json_t *tb_case_item_doc_on(struct tb_conn *c, const char *code, int64_t version,
                            struct tb_arena *a);

#endif
