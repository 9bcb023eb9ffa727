/* The applicant's library (see library.h). */
#include "materials/library.h"
#include "base/json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum tb_err tb_material_library(struct tb_store *s, int64_t owner, struct tb_arena *a,
                                const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *arr = json_array();
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT m.id, m.name, m.sm3, m.size, m.mime, m.source, m.created_at,"
	    " m.valid_until, x.case_no, m.kind FROM materials m LEFT JOIN cases x ON x.id ="
	    " m.case_id WHERE m.owner_id = ? AND m.source = 'upload' AND m.deleted_at IS NULL"
	    " ORDER BY m.id DESC"
	    " LIMIT 500",
	    "i", owner);
	while (e == TB_OK && row) {
		const char *until = tb_stmt_text(st, 7), *case_no = tb_stmt_text(st, 8);
		json_array_append_new(
		    arr,
		    json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:o}", "id",
		              (json_int_t)tb_stmt_int(st, 0), "name", tb_stmt_text(st, 1), "sm3",
		              tb_stmt_text(st, 2), "size", (json_int_t)tb_stmt_int(st, 3), "mime",
		              tb_stmt_text(st, 4), "source", tb_stmt_text(st, 5), "created_at",
		              (json_int_t)tb_stmt_int(st, 6), "valid_until",
		              until ? json_string(until) : json_null(), "case_no",
		              case_no ? json_string(case_no) : json_null()));
		json_t *last = json_array_get(arr, json_array_size(arr) - 1);
		json_object_set_new(last, "kind",
		                    tb_stmt_text(st, 9) ? json_string(tb_stmt_text(st, 9))
		                                        : json_null());
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_json_take(arr, a);
	else
		json_decref(arr);
	return e;
}

enum tb_err tb_material_file(struct tb_store *s, int64_t owner, int64_t id, struct tb_arena *a,
                             struct tb_material_file *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT sm3, mime, name FROM materials WHERE id = ? AND owner_id = ? AND"
	                  " source = 'upload' AND deleted_at IS NULL",
	                  "ii", id, owner);
	if (e == TB_OK && row) {
		out->sm3 = tb_arena_strdup(a, tb_stmt_text(st, 0));
		out->mime = tb_arena_strdup(a, tb_stmt_text(st, 1));
		out->name = tb_arena_strdup(a, tb_stmt_text(st, 2));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

struct delete_args {
	const struct tb_ctx *ctx;
	int64_t owner, id;
};

static enum tb_err delete_in(struct tb_conn *c, void *arg)
{
	struct delete_args *x = arg;
	int64_t changed = 0;
	enum tb_err e =
	    tb_conn_run(c, &changed,
	                "UPDATE materials SET deleted_at = ? WHERE id = ? AND owner_id = ?"
	                " AND source = 'upload' AND deleted_at IS NULL",
	                "iii", (int64_t)time(NULL), x->id, x->owner);
	if (e == TB_OK && changed != 1)
		return TB_ENOTFOUND;
	char object[40];
	snprintf(object, sizeof(object), "material:%lld", (long long)x->id);
	return e == TB_OK ? tb_ctx_audit(c, x->ctx, "material.delete", object, "ok") : e;
}

enum tb_err tb_material_delete(struct tb_store *s, const struct tb_ctx *ctx, int64_t owner,
                               int64_t id)
{
	struct delete_args x = {ctx, owner, id};
	return tb_store_write(s, delete_in, &x);
}
