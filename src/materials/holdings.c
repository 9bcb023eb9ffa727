/* Counts of what an applicant holds (see holdings.h). */
#include "materials/holdings.h"
#include "base/date.h"

#include <string.h>

enum tb_err tb_holdings_count(struct tb_store *s, int64_t owner, const char *login,
                              struct tb_holdings *out)
{
	memset(out, 0, sizeof(*out));
	char day[11];
	tb_date_format(tb_date_today(), day);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT COUNT(*) FROM certificates WHERE holder_code = ? AND"
	                  " revoked_at IS NULL AND valid_from <= ? AND (valid_to IS NULL OR"
	                  " valid_to >= ?)",
	                  "sss", login, day, day);
	if (e == TB_OK) {
		out->certificates = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
		e = tb_conn_query(c, &st, &row,
		                  "SELECT COUNT(*) FROM materials WHERE owner_id = ? AND source ="
		                  " 'upload' AND deleted_at IS NULL AND (valid_until IS NULL OR"
		                  " valid_until >= ?)",
		                  "is", owner, day);
	}
	if (e == TB_OK) {
		out->library = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	return e;
}
