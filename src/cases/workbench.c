/* Claim and assign, the department's officials, and the files of a case
 * (see workbench.h). */
#include "cases/workbench.h"
#include "base/json.h"
#include "cases/row.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The roles that work on a department's cases (transitions.tsv). */
#define CASE_ROLES "('window_clerk', 'reviewer', 'approver')"

struct assign_args {
	const struct tb_ctx *ctx;
	const char *case_no;
	int64_t assignee;
	struct tb_fail *f;
};

static enum tb_err assign_in(struct tb_conn *c, void *arg)
{
	struct assign_args *x = arg;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT id, department_id, state FROM cases WHERE case_no = ?", "s",
	    x->case_no);
	if (e != TB_OK)
		return e;
	int64_t id = row ? tb_stmt_int(st, 0) : 0, department = row ? tb_stmt_int(st, 1) : 0;
	char state[24];
	tb_case_copy(state, sizeof(state), row ? tb_stmt_text(st, 2) : "");
	tb_stmt_reset(st);
	if (!id)
		return TB_ENOTFOUND;
	if (tb_case_terminal(state))
		return tb_fail(x->f, TB_ECONFLICT, "state", "the case has ended");
	e = tb_conn_query(c, &st, &row,
	                  "SELECT 1 FROM role_grants g JOIN accounts a ON a.id = g.account_id"
	                  " WHERE g.account_id = ? AND g.department_id = ? AND a.status = 'active'"
	                  " AND g.role IN " CASE_ROLES,
	                  "ii", x->assignee, department);
	if (e != TB_OK)
		return e;
	bool colleague = row;
	tb_stmt_reset(st);
	if (!colleague)
		return tb_fail(x->f, TB_EINVAL, "assignee",
		               "not an official of the case's department");
	e = tb_conn_run(c, NULL, "UPDATE cases SET assignee_id = ?, updated_at = ? WHERE id = ?",
	                "iii", x->assignee, (int64_t)time(NULL), id);
	if (e != TB_OK)
		return e;
	char object[96];
	snprintf(object, sizeof(object), "case:%s", x->case_no);
	return tb_ctx_audit(c, x->ctx, "case.assign", object, "ok");
}

enum tb_err tb_case_assign(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                           int64_t assignee, struct tb_fail *f)
{
	struct assign_args x = {ctx, case_no, assignee, f};
	return tb_store_write(s, assign_in, &x);
}

enum tb_err tb_case_staff(struct tb_store *s, int64_t department, struct tb_arena *a,
                          const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT a.id, a.name, g.role FROM role_grants g"
	                  " JOIN accounts a ON a.id = g.account_id WHERE g.department_id = ?"
	                  " AND a.status = 'active' AND g.role IN " CASE_ROLES
	                  " ORDER BY a.id, g.role",
	                  "i", department);
	json_t *arr = json_array(), *last = NULL;
	int64_t last_id = 0;
	while (e == TB_OK && row) {
		int64_t id = tb_stmt_int(st, 0);
		if (!last || id != last_id) {
			last = json_pack("{s:I, s:s, s:[]}", "id", (json_int_t)id, "name",
			                 tb_stmt_text(st, 1), "roles");
			json_array_append_new(arr, last);
			last_id = id;
		}
		json_array_append_new(json_object_get(last, "roles"),
		                      json_string(tb_stmt_text(st, 2)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK) {
		json_decref(arr);
		return e;
	}
	*text = tb_json_take(arr, a);
	return TB_OK;
}

enum tb_err tb_case_material_mime(struct tb_store *s, int64_t case_id, const char *sm3,
                                  struct tb_arena *a, const char **mime)
{
	*mime = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* Files only: a certificate given as a material is read (and
	 * verified) as a certificate. */
	e = tb_conn_query(c, &st, &row,
	                  "SELECT mime FROM materials WHERE case_id = ? AND sm3 = ?"
	                  " AND source IN ('upload', 'library') ORDER BY id LIMIT 1",
	                  "is", case_id, sm3);
	if (e == TB_OK) {
		if (row)
			*mime = tb_arena_strdup(a, tb_stmt_text(st, 0));
		else
			e = TB_ENOTFOUND;
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	return e;
}
