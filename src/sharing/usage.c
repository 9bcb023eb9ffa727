/* Who used my data: the uses of one subject's data, newest first (see
 * sharing.h). */
#include "sharing/sharing.h"
#include "store/store.h"

#include <stdint.h>
#include <string.h>

/* names (an array of assertion names; taken) as [{name, label}], the
 * label from the resource's assertions (defined: its JSON text, or NULL);
 * a name it no longer has keeps its name as label. */
static json_t *labelled(json_t *names, const char *defined)
{
	json_t *out = json_array(), *defs = defined ? json_loads(defined, 0, NULL) : NULL;
	size_t i, j;
	json_t *n, *d;
	json_array_foreach(names, i, n)
	{
		json_t *label = n;
		json_array_foreach(defs, j, d) if (json_equal(json_object_get(d, "name"), n))
		    label = json_object_get(d, "label");
		json_array_append_new(out, json_pack("{s:O, s:O}", "name", n, "label", label));
	}
	json_decref(defs);
	json_decref(names);
	return out;
}

enum tb_err tb_share_usage(struct tb_store *s, const char *subject, int64_t before, int limit,
                           json_t **out)
{
	*out = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* One more than asked, to know whether there is a next page. */
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT u.id, u.at, u.consumer_id, d.name, a.name, r.code, r.name, u.fields,"
	    " u.assertions, u.purpose, u.case_no, u.outcome, u.reason, r.assertions, u.actor,"
	    " u.official_id"
	    " FROM data_uses u"
	    " LEFT JOIN departments d ON d.id = u.consumer_id"
	    " LEFT JOIN accounts a ON a.id = u.official_id"
	    " LEFT JOIN sharing_resources r ON r.id = u.resource_id"
	    " WHERE u.subject = ? AND u.id < ? ORDER BY u.id DESC LIMIT ?",
	    "sii", subject, before > 0 ? before : INT64_MAX, (int64_t)limit + 1);
	json_t *items = json_array();
	int64_t last = 0;
	bool more = false;
	while (e == TB_OK && row) {
		if ((int)json_array_size(items) == limit) {
			more = true;
			break;
		}
		last = tb_stmt_int(st, 0);
		json_t *fields = json_loads(tb_stmt_text(st, 7), 0, NULL);
		json_t *assertions =
		    labelled(json_loads(tb_stmt_text(st, 8), 0, NULL), tb_stmt_text(st, 13));
		/* Who asked: an official, a department's system (API token),
		 * or the platform itself at a submission. */
		const char *actor = tb_stmt_text(st, 14);
		const char *by = !tb_stmt_is_null(st, 15)       ? "official"
		                 : !strncmp(actor, "token:", 6) ? "system"
		                                                : "platform";
		json_array_append_new(
		    items,
		    json_pack(
		        "{s:I, s:I, s:{s:I, s:s?}, s:s?, s:s, s:{s:s?, s:s?}, s:o, s:o, s:s, s:s,"
		        " s:s, s:s}",
		        "id", (json_int_t)last, "at", (json_int_t)tb_stmt_int(st, 1), "department",
		        "id", (json_int_t)tb_stmt_int(st, 2), "name", tb_stmt_text(st, 3),
		        "official", tb_stmt_text(st, 4), "by", by, "resource", "code",
		        tb_stmt_text(st, 5), "name", tb_stmt_text(st, 6), "fields",
		        fields ? fields : json_array(), "assertions", assertions, "purpose",
		        tb_stmt_text(st, 9), "case_no", tb_stmt_text(st, 10), "outcome",
		        tb_stmt_text(st, 11), "reason", tb_stmt_text(st, 12)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:o, s:o}", "items", items, "next_before",
	                 more ? json_integer(last) : json_null());
	return TB_OK;
}
