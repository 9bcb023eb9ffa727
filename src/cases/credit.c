/* Credit records of false commitments (see credit.h). */
#include "cases/credit.h"
#include "base/utf8.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum tb_err tb_credit_restriction_on(struct tb_conn *c, const char *subject, struct tb_arena *a,
                                     const char **case_no)
{
	*case_no = NULL;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT case_no FROM credit_records WHERE subject = ? AND"
	                              " repaired_at IS NULL ORDER BY id LIMIT 1",
	                              "s", subject);
	if (e == TB_OK && row)
		*case_no = tb_arena_strdup(a, tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_credit_list(struct tb_store *s, const char *subject, json_t **out)
{
	*out = json_array();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT r.id, r.kind, r.case_no, r.item_name, r.material, r.finding, d.id, d.name,"
	    " r.recorded_at, r.repaired_at, r.repair_reason FROM credit_records r JOIN"
	    " departments d ON d.id = r.department_id WHERE r.subject = ? ORDER BY r.id DESC"
	    " LIMIT 200",
	    "s", subject);
	while (e == TB_OK && row) {
		bool repaired = !tb_stmt_is_null(st, 9);
		json_t *x = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}, s:I, s:o, s:o, s:b}", "id",
		    (json_int_t)tb_stmt_int(st, 0), "kind", tb_stmt_text(st, 1), "case_no",
		    tb_stmt_text(st, 2), "item_name", tb_stmt_text(st, 3), "material",
		    tb_stmt_text(st, 4), "finding", tb_stmt_text(st, 5), "department", "id",
		    (json_int_t)tb_stmt_int(st, 6), "name", tb_stmt_text(st, 7), "recorded_at",
		    (json_int_t)tb_stmt_int(st, 8), "repaired_at",
		    repaired ? json_integer(tb_stmt_int(st, 9)) : json_null(), "repair_reason",
		    repaired ? json_string(tb_stmt_text(st, 10)) : json_null(), "restricts",
		    !repaired);
		if (x)
			json_array_append_new(*out, x);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_credit_department(struct tb_store *s, int64_t id, int64_t *department)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT department_id FROM credit_records WHERE id = ?",
	                  "i", id);
	if (e == TB_OK && row)
		*department = tb_stmt_int(st, 0);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

enum tb_err tb_credit_repair(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                             const char *reason, struct tb_fail *f)
{
	size_t n = reason ? strlen(reason) : 0;
	if (!reason || !tb_utf8_valid(reason, n) || tb_utf8_chars(reason, n) < 4 ||
	    tb_utf8_chars(reason, n) > 500)
		return tb_fail(f, TB_EINVAL, "reason",
		               "say what the subject put right (4 to 500 characters)");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(c, &changed,
		                "UPDATE credit_records SET repaired_at = ?, repaired_by = ?,"
		                " repair_reason = ? WHERE id = ? AND repaired_at IS NULL",
		                "iisi", (int64_t)time(NULL), ctx->who->account_id, reason, id);
	if (e == TB_OK && changed == 0)
		e = tb_fail(f, TB_ECONFLICT, "id", "this record was repaired already");
	char object[40];
	snprintf(object, sizeof(object), "credit_record:%lld", (long long)id);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, "credit.repair", object, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	return e;
}
