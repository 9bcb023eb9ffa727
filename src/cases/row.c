/* The shared case row (see row.h). */
#include "cases/row.h"
#include "base/date.h"
#include "catalog/catalog.h"

#include <stdio.h>
#include <string.h>

void tb_case_copy(char *dst, size_t n, const char *src)
{
	/* As snprintf("%s") would, without its cost: a page of the queue
	 * copies thousands of these. */
	if (n == 0)
		return;
	size_t len = src ? strnlen(src, n - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

void tb_case_row_read(struct tb_stmt *st, struct tb_arena *a, struct row *r)
{
	memset(r, 0, sizeof(*r));
	int64_t *ints[] = {&r->id,
	                   &r->applicant,
	                   &r->agent,
	                   &r->department,
	                   &r->item_version,
	                   &r->visits,
	                   &r->extended,
	                   &r->promised_days,
	                   &r->statutory_days,
	                   &r->extension_days,
	                   &r->submitted_at,
	                   &r->finished_at};
	for (int i = 0; i < 12; i++)
		*ints[i] = tb_stmt_int(st, i);
	tb_case_copy(r->case_no, sizeof(r->case_no), tb_stmt_text(st, 12));
	tb_case_copy(r->item_code, sizeof(r->item_code), tb_stmt_text(st, 13));
	tb_case_copy(r->region, sizeof(r->region), tb_stmt_text(st, 14));
	tb_case_copy(r->state, sizeof(r->state), tb_stmt_text(st, 15));
	tb_case_copy(r->case_kind, sizeof(r->case_kind), tb_stmt_text(st, 16));
	tb_case_copy(r->channel, sizeof(r->channel), tb_stmt_text(st, 17));
	tb_case_copy(r->accepted_on, sizeof(r->accepted_on), tb_stmt_text(st, 18));
	tb_case_copy(r->promised_due, sizeof(r->promised_due), tb_stmt_text(st, 19));
	tb_case_copy(r->statutory_due, sizeof(r->statutory_due), tb_stmt_text(st, 20));
	tb_case_copy(r->suspended_on, sizeof(r->suspended_on), tb_stmt_text(st, 21));
	tb_case_copy(r->queue_due, sizeof(r->queue_due), tb_stmt_text(st, 22));
	r->item_name = tb_arena_strdup(a, tb_stmt_text(st, 23));
	r->form = tb_arena_strdup(a, tb_stmt_text(st, 24));
	r->materials = tb_arena_strdup(a, tb_stmt_text(st, 25));
	r->corrections = tb_stmt_text(st, 26) ? tb_arena_strdup(a, tb_stmt_text(st, 26)) : NULL;
	r->required = tb_arena_strdup(a, tb_stmt_text(st, 27) ? tb_stmt_text(st, 27) : "[]");
	r->mat_required = tb_stmt_int(st, 28);
	r->mat_certificate = tb_stmt_int(st, 29);
	r->mat_library = tb_stmt_int(st, 30);
	r->mat_sharing = tb_stmt_int(st, 31);
	r->window = tb_stmt_int(st, 32);
}

static enum tb_err load(struct tb_conn *c, const char *sql, const char *case_no, struct tb_arena *a,
                        struct row *r)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row, sql, "s", case_no);
	if (e == TB_OK && row)
		tb_case_row_read(st, a, r);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_case_row_load(struct tb_conn *c, const char *case_no, struct tb_arena *a,
                             struct row *r)
{
	return load(c, "SELECT " ROW_COLS " FROM cases WHERE case_no = ?", case_no, a, r);
}

enum tb_err tb_case_row_lock(struct tb_conn *c, const char *case_no, struct tb_arena *a,
                             struct row *r)
{
	/* The lock its UPDATE takes anyway (not FOR UPDATE, which would also
	 * wait for the key-share locks of rows that refer to the case). The
	 * batch writer of SQLite holds the database already. */
	if (tb_conn_kind(c) != TB_STORE_PG)
		return tb_case_row_load(c, case_no, a, r);
	return load(c, "SELECT " ROW_COLS " FROM cases WHERE case_no = ? FOR NO KEY UPDATE",
	            case_no, a, r);
}

int64_t tb_case_day_of(const char *s)
{
	int64_t d = 0;
	tb_date_parse(s, &d);
	return d;
}

bool tb_case_terminal(const char *state)
{
	return !strcmp(state, "completed") || !strcmp(state, "not_accepted") ||
	       !strcmp(state, "withdrawn");
}

json_t *tb_case_item_doc(struct tb_store *s, const char *code, int64_t version, struct tb_arena *a,
                         struct tb_item_meta *meta)
{
	const char *text;
	if (tb_item_get(s, code, version, a, &text, meta) != TB_OK)
		return NULL;
	return json_loads(text, 0, NULL);
}

json_t *tb_case_item_doc_on(struct tb_conn *c, const char *code, int64_t version,
                            struct tb_arena *a)
{
	const char *text;
	if (tb_item_doc_on(c, code, version, a, &text) != TB_OK)
		return NULL;
	return json_loads(text, 0, NULL);
}
