/* Unstated members, the completeness report and the publication rule
 * (see completeness.h). */
#include "catalog/completeness.h"
#include "base/date.h"
#include "regions/regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The members of version 1 first, then those catalog format 2 lets a
 * guide leave unstated. */
const char *const tb_unstatable[] = {"conditions",     "steps",           "fees",
                                     "legal_basis",    "address",         "hours",
                                     "phone",          "complaint_phone", "materials",
                                     "statutory_days", "promised_days",   "case_kind",
                                     "online_depth",   "required_visits", "cross_region",
                                     "appeals",        "result",          NULL};

json_t *tb_item_unstated(const json_t *doc)
{
	json_t *out = json_array();
	for (int i = 0; tb_unstatable[i]; i++) {
		json_t *x = json_object_get(doc, tb_unstatable[i]);
		if (!x || json_is_null(x))
			json_array_append_new(out, json_string(tb_unstatable[i]));
	}
	return out;
}

/* The province of region: its first two digits and 0000. */
static void province_of(const char *region, char out[7])
{
	snprintf(out, 7, "%.2s0000", region ? region : "00");
}

static json_t *rule_on(struct tb_conn *c, const char *province, enum tb_err *e)
{
	struct tb_stmt *st;
	bool row;
	*e = tb_conn_query(c, &st, &row,
	                   "SELECT stated_for_publication FROM catalog_rules WHERE province = ?",
	                   "s", province);
	json_t *out = *e == TB_OK && row ? json_loads(tb_stmt_text(st, 0), 0, NULL) : NULL;
	tb_stmt_reset(st);
	return json_is_array(out) ? out : (json_decref(out), json_array());
}

enum tb_err tb_catalog_rule_get(struct tb_store *s, const char *province, json_t **stated)
{
	*stated = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	*stated = rule_on(c, province, &e);
	tb_store_release(c);
	return e;
}

enum tb_err tb_catalog_rule_put(struct tb_store *s, const struct tb_ctx *ctx, const char *province,
                                json_t *stated, struct tb_fail *f)
{
	static const char field[] = "stated_for_publication";
	if (!json_is_array(stated))
		return tb_fail(f, TB_EINVAL, field, "expected an array of item members");
	size_t i, k;
	json_t *x, *y;
	json_array_foreach(stated, i, x)
	{
		bool known = false;
		for (int j = 0; json_is_string(x) && tb_unstatable[j]; j++)
			known |= !strcmp(json_string_value(x), tb_unstatable[j]);
		if (!known)
			return tb_fail(f, TB_EINVAL, field,
			               "each one of the members that may be unstated (unstatable)");
		json_array_foreach(stated, k, y) if (k < i && json_equal(x, y)) return tb_fail(
		    f, TB_EINVAL, field, "a member is named twice");
	}
	char *text = json_dumps(stated, JSON_COMPACT);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		e = tb_conn_begin(c);
		if (e == TB_OK)
			e = tb_conn_run(
			    c, NULL,
			    "INSERT INTO catalog_rules (province, stated_for_publication,"
			    " updated_by, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT"
			    " (province) DO UPDATE SET stated_for_publication ="
			    " excluded.stated_for_publication, updated_by ="
			    " excluded.updated_by, updated_at = excluded.updated_at",
			    "ssIi", province, text, ctx->who->account_id, (int64_t)time(NULL));
		char object[32];
		snprintf(object, sizeof(object), "catalog_rule:%s", province);
		if (e == TB_OK)
			e = tb_ctx_audit(c, ctx, "catalog.rule.set", object, "ok");
		if (e == TB_OK)
			e = tb_conn_commit(c);
		else
			tb_conn_rollback(c);
		tb_store_release(c);
	}
	free(text);
	return e;
}

enum tb_err tb_catalog_rule_check_on(struct tb_conn *c, const char *region, const json_t *doc,
                                     struct tb_fail *f)
{
	char province[7];
	province_of(region, province);
	enum tb_err e;
	json_t *stated = rule_on(c, province, &e), *missing = tb_item_unstated(doc);
	size_t i, k;
	json_t *x, *y;
	json_array_foreach(stated, i, x) json_array_foreach(missing, k, y)
	{
		if (e == TB_OK && json_equal(x, y)) {
			/* Static: the member names of tb_unstatable outlive this. */
			for (int j = 0; tb_unstatable[j]; j++)
				if (!strcmp(tb_unstatable[j], json_string_value(y)))
					e = tb_fail(
					    f, TB_ECONFLICT, tb_unstatable[j],
					    "the province requires this to be stated before "
					    "publication");
		}
	}
	json_decref(stated);
	json_decref(missing);
	return e;
}

enum tb_err tb_catalog_completeness(struct tb_store *s, const char *region, int64_t department,
                                    bool drafts, json_t **out)
{
	*out = NULL;
	char prefix[10], like[12], day[11];
	tb_region_prefix(region, prefix);
	snprintf(like, sizeof(like), "%s%%", prefix);
	tb_date_format(tb_date_today(), day);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	/* Managers see each code's newest version (drafts too); the public
	 * the published versions in force. */
#define REPORT_SQL                                                                                 \
	"SELECT x.doc, i.version, i.state, d.id, d.name FROM items i JOIN departments d ON d.id =" \
	" i.department_id JOIN item_docs x ON x.item_id = i.id WHERE i.region LIKE ? AND (? = 0"   \
	" OR i.department_id = ?) AND "
	e = drafts
	        ? tb_conn_query(c, &st, &row,
	                        REPORT_SQL "i.version = (SELECT MAX(l.version) FROM items l WHERE"
	                                   " l.implementation_code = i.implementation_code)"
	                                   " ORDER BY i.implementation_code",
	                        "sii", like, department, department)
	        : tb_conn_query(c, &st, &row,
	                        REPORT_SQL "i.state = 'published' AND i.valid_from <= ? AND"
	                                   " (i.valid_to IS NULL OR i.valid_to >= ?) ORDER BY"
	                                   " i.implementation_code",
	                        "siiss", like, department, department, day, day);
#undef REPORT_SQL
	json_t *items = json_array(), *counts = json_object();
	int64_t total = 0, complete = 0;
	for (int i = 0; tb_unstatable[i]; i++)
		json_object_set_new(counts, tb_unstatable[i], json_integer(0));
	while (e == TB_OK && row) {
		json_t *doc = json_loads(tb_stmt_text(st, 0), 0, NULL);
		json_t *missing = tb_item_unstated(doc);
		total++;
		size_t k;
		json_t *m;
		json_array_foreach(missing, k, m)
		{
			json_t *n = json_object_get(counts, json_string_value(m));
			json_integer_set(n, json_integer_value(n) + 1);
		}
		if (!json_array_size(missing)) {
			complete++;
			json_decref(missing);
		} else if (json_array_size(items) < 1000) {
			json_array_append_new(
			    items,
			    json_pack("{s:O, s:I, s:s, s:O, s:{s:I, s:s}, s:O, s:o}",
			              "implementation_code",
			              json_object_get(doc, "implementation_code"), "version",
			              (json_int_t)tb_stmt_int(st, 1), "state", tb_stmt_text(st, 2),
			              "name", json_object_get(doc, "name"), "department", "id",
			              (json_int_t)tb_stmt_int(st, 3), "name", tb_stmt_text(st, 4),
			              "region", json_object_get(doc, "region"), "unstated",
			              missing));
		} else {
			json_decref(missing);
		}
		json_decref(doc);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK) {
		json_decref(items);
		json_decref(counts);
		return e;
	}
	*out = json_pack("{s:s, s:o, s:I, s:I, s:o}", "region", region, "items", items, "total",
	                 (json_int_t)total, "complete", (json_int_t)complete, "unstated", counts);
	return TB_OK;
}
