/* Centres and the departments they receive (see centres.h). */
#include "identity/centres.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The sector of department id on c into out ("" when there is none). */
static enum tb_err sector_on(struct tb_conn *c, int64_t id, char out[16])
{
	struct tb_stmt *st;
	bool row;
	out[0] = '\0';
	enum tb_err e =
	    tb_conn_query(c, &st, &row, "SELECT sector FROM departments WHERE id = ?", "i", id);
	if (e == TB_OK && row)
		snprintf(out, 16, "%s", tb_stmt_text(st, 0) ? tb_stmt_text(st, 0) : "");
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_centre_receive(struct tb_store *s, const struct tb_ctx *ctx, int64_t centre,
                              int64_t department, bool on, struct tb_fail *f)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char sector[16];
	e = tb_conn_begin(c);
	if (e == TB_OK) {
		e = sector_on(c, centre, sector);
		if (e == TB_ENOTFOUND || (e == TB_OK && strcmp(sector, "centre") != 0))
			e = tb_fail(f, TB_EINVAL, "id", "not a government service centre");
	}
	if (e == TB_OK && department == centre)
		e = tb_fail(f, TB_EINVAL, "department_id", "a centre does not receive itself");
	if (e == TB_OK) {
		e = sector_on(c, department, sector);
		if (e == TB_ENOTFOUND)
			e = tb_fail(f, TB_EINVAL, "department_id", "no such department");
	}
	int64_t changed = 0;
	if (e == TB_OK && on)
		e = tb_conn_run(c, NULL,
		                "INSERT INTO centre_departments (centre_id, department_id,"
		                " created_at) VALUES (?, ?, ?)",
		                "iii", centre, department, (int64_t)time(NULL));
	else if (e == TB_OK) {
		e = tb_conn_run(c, &changed,
		                "DELETE FROM centre_departments WHERE centre_id = ? AND"
		                " department_id = ?",
		                "ii", centre, department);
		if (e == TB_OK && changed == 0)
			e = tb_fail(f, TB_ENOTFOUND, "department_id",
			            "not received by this centre");
	}
	if (e == TB_ECONFLICT)
		tb_fail(f, e, "department_id", "already received by this centre");
	if (e == TB_OK) {
		char obj[64];
		snprintf(obj, sizeof(obj), "centre:%lld;department:%lld", (long long)centre,
		         (long long)department);
		e = tb_ctx_audit(c, ctx, on ? "centre.receive" : "centre.release", obj, "ok");
	}
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	return e;
}

enum tb_err tb_centre_departments(struct tb_store *s, int64_t centre, struct tb_arena *a,
                                  struct tb_department **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT d.id, d.name, d.credit_code, d.region, d.level, d.sector FROM"
	                  " centre_departments h JOIN departments d ON d.id = h.department_id"
	                  " WHERE h.centre_id = ? ORDER BY d.region, d.name LIMIT 1000",
	                  "i", centre);
	if (e == TB_OK)
		e = tb_department_collect(st, row, a, out, n);
	tb_store_release(c);
	return e;
}

enum tb_err tb_centre_receives(struct tb_store *s, int64_t centre, int64_t department)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT 1 FROM centre_departments WHERE centre_id = ? AND"
	                  " department_id = ?",
	                  "ii", centre, department);
	tb_stmt_reset(st);
	tb_store_release(c);
	return e == TB_OK && !row ? TB_EDENIED : e;
}
