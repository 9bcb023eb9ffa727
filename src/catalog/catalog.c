/* Catalog writes and reads (see catalog.h). The stored doc is canonical
 * JSON without version and state; readers get them prepended by string
 * splicing, so the hot read path never parses JSON. */
#include "catalog/catalog.h"
#include "catalog/completeness.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "base/date.h"
#include "base/json.h"
#include "base/mem.h"
#include "catalog/terms.h"
#include "catalog/validate.h"
#include "store/memo.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- references against the store ------------------------------------ */

struct store_refs {
	struct tb_conn *c;
	int64_t department_id; /* of the last department looked up */
};

static bool ref_department(void *ctx, const char *code, char level[12], char region[10])
{
	struct store_refs *r = ctx;
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(r->c, &st, &row,
	                  "SELECT id, level, region FROM departments WHERE credit_code = ?", "s",
	                  code) != TB_OK)
		return false;
	if (row) {
		r->department_id = tb_stmt_int(st, 0);
		snprintf(level, 12, "%s", tb_stmt_text(st, 1));
		snprintf(region, 10, "%s", tb_stmt_text(st, 2));
	}
	tb_stmt_reset(st);
	return row;
}

static bool ref_basic(void *ctx, const char *code, char type[3])
{
	struct store_refs *r = ctx;
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(r->c, &st, &row, "SELECT item_type FROM basic_items WHERE code = ?", "s",
	                  code) != TB_OK)
		return false;
	if (row)
		snprintf(type, 3, "%s", tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	return row;
}

static char *dumps(json_t *j, struct tb_arena *a)
{
	char *s = json_dumps(j, JSON_COMPACT);
	char *copy = tb_arena_strdup(a, s ? s : "null");
	free(s);
	return copy;
}

const char *tb_item_with_meta(struct tb_arena *a, const char *doc, int64_t version,
                              const char *state)
{
	/* Copied, not printed: documents run to kilobytes and a list holds
	 * many (printf with %s measured a tenth of a search's time). */
	char head[96];
	int hn = snprintf(head, sizeof(head), "{\"version\":%lld,\"state\":\"%.20s\",",
	                  (long long)version, state);
	const char *rest = doc[0] == '{' ? doc + 1 : "}";
	size_t rn = strlen(rest);
	char *out = tb_arena_alloc(a, (size_t)hn + rn + 1);
	memcpy(out, head, (size_t)hn);
	memcpy(out + hn, rest, rn + 1);
	return out;
}

static void today(char out[11])
{
	tb_date_format(tb_date_today(), out);
}

/* ---- basic items -------------------------------------------------------- */

enum tb_err tb_basic_create(struct tb_store *s, const struct tb_ctx *ctx, json_t *in,
                            struct tb_arena *a, const char **out_text, struct tb_fail *f)
{
	*out_text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct store_refs r = {c, 0};
	struct tb_catalog_refs refs = {ref_department, ref_basic, &r};
	json_t *canon = NULL;
	e = tb_catalog_check_basic(in, &refs, "", a, &canon, f);
	if (e == TB_OK)
		e = tb_conn_begin(c);
	if (e == TB_OK) {
		const char *code = json_string_value(json_object_get(canon, "code"));
		e = tb_conn_run(c, NULL,
		                "INSERT INTO basic_items (code, name, item_type, parent_code,"
		                " legal_basis, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		                "sssssi", code, json_string_value(json_object_get(canon, "name")),
		                json_string_value(json_object_get(canon, "item_type")),
		                json_string_value(json_object_get(canon, "parent_code")),
		                json_string_value(json_object_get(canon, "legal_basis")),
		                (int64_t)time(NULL));
		if (e == TB_OK)
			e = tb_ctx_audit(c, ctx, "catalog.basic.create",
			                 tb_arena_printf(a, "basic:%s", code), "ok");
		if (e == TB_OK)
			e = tb_conn_commit(c);
		if (e == TB_ECONFLICT)
			tb_fail(f, e, "code", "a basic item with this code exists");
	}
	tb_store_release(c);
	if (e == TB_OK)
		*out_text = dumps(canon, a);
	json_decref(canon);
	return e;
}

enum tb_err tb_basic_get(struct tb_store *s, const char *code, struct tb_arena *a,
                         const char **out_text)
{
	*out_text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *j = NULL;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT code, name, item_type, parent_code, legal_basis FROM basic_items"
	                  " WHERE code = ?",
	                  "s", code);
	if (e == TB_OK && row) {
		const char *parent = tb_stmt_text(st, 3);
		j = json_pack("{s:s, s:s, s:s, s:o, s:s}", "code", tb_stmt_text(st, 0), "name",
		              tb_stmt_text(st, 1), "item_type", tb_stmt_text(st, 2), "parent_code",
		              parent ? json_string(parent) : json_null(), "legal_basis",
		              tb_stmt_text(st, 4));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	if (e == TB_OK) {
		json_t *kids = json_array();
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT code FROM basic_items WHERE parent_code = ? ORDER BY code", "s", code);
		while (e == TB_OK && row) {
			json_array_append_new(kids, json_string(tb_stmt_text(st, 0)));
			e = tb_stmt_step(st, &row);
		}
		tb_stmt_reset(st);
		json_object_set_new(j, "children", kids);
	}
	tb_store_release(c);
	if (e == TB_OK)
		*out_text = dumps(j, a);
	json_decref(j);
	return e;
}

/* ---- implementation items ---------------------------------------------- */

enum tb_err tb_item_check(struct tb_store *s, json_t *in, struct tb_arena *a, json_t **canon,
                          struct tb_item_meta *meta, struct tb_fail *f)
{
	memset(meta, 0, sizeof(*meta));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct store_refs r = {c, 0};
	struct tb_catalog_refs refs = {ref_department, ref_basic, &r};
	e = tb_catalog_check_item(in, &refs, "", a, canon, f);
	tb_store_release(c);
	if (e == TB_OK) {
		meta->department_id = r.department_id;
		snprintf(meta->region, sizeof(meta->region), "%s",
		         json_string_value(json_object_get(*canon, "region")));
	}
	return e;
}

/* ",a,b," of a JSON array of strings or integers. */
static char *list_column(json_t *arr, struct tb_arena *a)
{
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_adds(&b, ",");
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		if (json_is_integer(x))
			tb_buf_printf(&b, "%lld,", (long long)json_integer_value(x));
		else
			tb_buf_printf(&b, "%s,", json_string_value(x));
	}
	char *s = tb_arena_strdup(a, b.data);
	tb_buf_free(&b);
	return s;
}

/* The list form of an item: what a result list shows, and each material's
 * name, form, requirement, source and certificate type. */
static char *summary(json_t *canon, struct tb_arena *a)
{
	static const char *const keys[] = {"implementation_code",
	                                   "basic_code",
	                                   "item_type",
	                                   "department",
	                                   "region",
	                                   "use_level",
	                                   "name",
	                                   "statutory_days",
	                                   "promised_days",
	                                   "case_kind",
	                                   "online_depth",
	                                   "required_visits",
	                                   "channels",
	                                   "service_objects",
	                                   "events",
	                                   "cross_region",
	                                   "result",
	                                   "valid_from",
	                                   "valid_to"};
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(canon, keys[i]);
		if (v)
			json_object_set(o, keys[i], v);
	}
	json_t *mats = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(canon, "materials"), i, m) json_array_append_new(
	    mats, json_pack("{s:O, s:O, s:O, s:O, s:O}", "name", json_object_get(m, "name"), "form",
	                    json_object_get(m, "form"), "required", json_object_get(m, "required"),
	                    "source", json_object_get(m, "source"), "certificate_type",
	                    json_object_get(m, "certificate_type")));
	json_object_set_new(o, "materials", mats);
	char *s = dumps(o, a);
	json_decref(o);
	return s;
}

/* The search document of canon (migration 020): its name, result name,
 * conditions and materials' names as text, found by their SM3 or added.
 * Two writers adding the same text at once: the second's insert does
 * nothing and its select finds the first's. */
static enum tb_err search_doc(struct tb_conn *c, json_t *canon, int64_t *id)
{
	struct tb_buf cond = TB_BUF_INIT, mats = TB_BUF_INIT, codes = TB_BUF_INIT,
	              all = TB_BUF_INIT, terms = TB_BUF_INIT;
	const char *name = json_string_value(json_object_get(canon, "name"));
	const char *result =
	    json_string_value(json_object_get(json_object_get(canon, "result"), "name"));
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(canon, "conditions"), i, x)
	    tb_buf_printf(&cond, "%s%s", i ? "\n" : "", json_string_value(x));
	json_array_foreach(json_object_get(canon, "materials"), i, x) tb_buf_printf(
	    &mats, "%s%s", i ? "\n" : "", json_string_value(json_object_get(x, "name")));
	/* The codes a guide prints (format 2), found as printed. */
	json_array_foreach(json_object_get(canon, "codes"), i, x) tb_buf_printf(
	    &codes, "%s%s", i ? "\n" : "", json_string_value(json_object_get(x, "code")));
	const char *f[5] = {name ? name : "", result ? result : "", cond.data ? cond.data : "",
	                    mats.data ? mats.data : "", codes.data ? codes.data : ""};
	for (int k = 0; k < 5; k++) {
		/* A field separator that no text holds, so that moving a line
		 * from one field to the next changes the hash. */
		tb_buf_printf(&all, "%s%c", f[k], 0x1e);
		tb_buf_printf(&terms, "%s", k ? "\n" : "");
		tb_terms(f[k], &terms);
	}
	char hash[TB_SM3_HEX];
	tb_sm3_hex(all.data, all.len, hash);
	enum tb_err e = tb_conn_run(c, NULL,
	                            "INSERT INTO search_docs (hash, name, result, conditions,"
	                            " materials, terms) VALUES (?, ?, ?, ?, ?, ?)"
	                            " ON CONFLICT (hash) DO NOTHING",
	                            "ssssss", hash, f[0], f[1], f[2], f[3], terms.data);
	struct tb_stmt *st;
	bool row = false;
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row, "SELECT id FROM search_docs WHERE hash = ?", "s",
		                  hash);
	if (e == TB_OK) {
		*id = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
		if (!row)
			e = TB_EINTERNAL;
	}
	tb_buf_free(&cond);
	tb_buf_free(&mats);
	tb_buf_free(&codes);
	tb_buf_free(&all);
	tb_buf_free(&terms);
	return e;
}

enum tb_err tb_item_insert(struct tb_conn *c, json_t *canon, int64_t department_id, int64_t version,
                           const char *state, int64_t created_at, int64_t published_at)
{
	struct tb_arena *a = tb_arena_new();
	struct tb_stmt *st;
	enum tb_err e = tb_conn_prepare(
	    c,
	    "INSERT INTO items (implementation_code, version, state, basic_code, department_id,"
	    " region, name, item_type, online_depth, required_visits, service_objects,"
	    " valid_from, valid_to, created_at, published_at, search_doc, cross_region)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    &st);
	int64_t id = 0, doc = 0;
	if (e == TB_OK)
		e = search_doc(c, canon, &doc);
	if (e == TB_OK) {
#define S(k) json_string_value(json_object_get(canon, k))
#define I(k) (int64_t) json_integer_value(json_object_get(canon, k))
		tb_stmt_bind_text(st, 1, S("implementation_code"));
		tb_stmt_bind_int(st, 2, version);
		tb_stmt_bind_text(st, 3, state);
		/* '' for an item without a national basic item or stated type
		 * (migration 021). */
		tb_stmt_bind_text(st, 4, S("basic_code") ? S("basic_code") : "");
		tb_stmt_bind_int(st, 5, department_id);
		tb_stmt_bind_text(st, 6, S("region"));
		tb_stmt_bind_text(st, 7, S("name"));
		tb_stmt_bind_text(st, 8, S("item_type") ? S("item_type") : "");
		tb_stmt_bind_int(st, 9, I("online_depth"));
		tb_stmt_bind_int(st, 10, I("required_visits"));
		tb_stmt_bind_text(st, 11,
		                  list_column(json_object_get(canon, "service_objects"), a));
		tb_stmt_bind_text(st, 12, S("valid_from"));
		tb_stmt_bind_text(st, 13, S("valid_to"));
		tb_stmt_bind_int(st, 14, created_at);
		if (published_at)
			tb_stmt_bind_int(st, 15, published_at);
		else
			tb_stmt_bind_null(st, 15);
		tb_stmt_bind_int(st, 16, doc);
		/* Offered across provinces when "nationwide" (跨省通办). */
		tb_stmt_bind_text(st, 17, S("cross_region"));
#undef S
#undef I
		bool row;
		e = tb_stmt_step(st, &row);
		if (e == TB_OK)
			id = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
	}
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "INSERT INTO item_docs (item_id, doc, summary) VALUES (?, ?, ?)",
		                "iss", id, dumps(canon, a), summary(canon, a));
	size_t k;
	json_t *ev;
	json_array_foreach(json_object_get(canon, "events"), k, ev)
	{
		if (e == TB_OK)
			e = tb_conn_run(c, NULL,
			                "INSERT INTO item_events (event, item_id) VALUES (?, ?)"
			                " ON CONFLICT (event, item_id) DO NOTHING",
			                "si", json_string_value(ev), id);
	}
	tb_arena_free(a);
	return e;
}

static enum tb_err audit_item(struct tb_conn *c, const struct tb_ctx *ctx, const char *action,
                              const char *code, int64_t version)
{
	char obj[64];
	snprintf(obj, sizeof(obj), "item:%s:%lld", code, (long long)version);
	return tb_ctx_audit(c, ctx, action, obj, "ok");
}

enum tb_err tb_item_create(struct tb_store *s, const struct tb_ctx *ctx, json_t *canon,
                           const struct tb_item_meta *meta)
{
	const char *code = json_string_value(json_object_get(canon, "implementation_code"));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_begin(c);
	if (e == TB_OK) {
		e = tb_conn_query(c, &st, &row,
		                  "SELECT 1 FROM items WHERE implementation_code = ? LIMIT 1", "s",
		                  code);
		tb_stmt_reset(st);
		if (e == TB_OK && row)
			e = TB_ECONFLICT;
	}
	if (e == TB_OK)
		e = tb_item_insert(c, canon, meta->department_id, 1, "draft", (int64_t)time(NULL),
		                   0);
	if (e == TB_OK)
		e = audit_item(c, ctx, "catalog.item.create", code, 1);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}

static enum tb_err latest(struct tb_conn *c, const char *code, struct tb_item_meta *meta)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT version, state, department_id, region FROM items"
	                  " WHERE implementation_code = ? ORDER BY version DESC LIMIT 1",
	                  "s", code);
	if (e == TB_OK && row) {
		meta->version = tb_stmt_int(st, 0);
		const char *state = tb_stmt_text(st, 1);
		meta->state = strcmp(state, "draft") == 0       ? "draft"
		              : strcmp(state, "published") == 0 ? "published"
		              : strcmp(state, "withdrawn") == 0 ? "withdrawn"
		                                                : "superseded";
		meta->department_id = tb_stmt_int(st, 2);
		snprintf(meta->region, sizeof(meta->region), "%s", tb_stmt_text(st, 3));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_item_latest(struct tb_store *s, const char *code, struct tb_item_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = latest(c, code, meta);
	tb_store_release(c);
	return e;
}

enum tb_err tb_item_update(struct tb_store *s, const struct tb_ctx *ctx, const char *code,
                           json_t *canon, const struct tb_item_meta *meta, int64_t *version,
                           struct tb_fail *f)
{
	*version = 0;
	if (strcmp(code, json_string_value(json_object_get(canon, "implementation_code"))) != 0)
		return tb_fail(f, TB_EINVAL, "implementation_code", "must be the code in the path");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_item_meta cur;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = latest(c, code, &cur);
	if (e == TB_OK && strcmp(cur.state, "draft") == 0) {
		/* Replace the draft in place: same version. */
		e = tb_conn_run(c, NULL,
		                "DELETE FROM item_docs WHERE item_id IN (SELECT id FROM items"
		                " WHERE implementation_code = ? AND version = ?)",
		                "si", code, cur.version);
		if (e == TB_OK)
			e = tb_conn_run(
			    c, NULL,
			    "DELETE FROM item_events WHERE item_id IN (SELECT id FROM items"
			    " WHERE implementation_code = ? AND version = ?)",
			    "si", code, cur.version);
		if (e == TB_OK)
			e = tb_conn_run(
			    c, NULL,
			    "DELETE FROM items WHERE implementation_code = ? AND version = ?", "si",
			    code, cur.version);
		*version = cur.version;
	} else if (e == TB_OK) {
		*version = cur.version + 1;
	}
	if (e == TB_OK)
		e = tb_item_insert(c, canon, meta->department_id, *version, "draft",
		                   (int64_t)time(NULL), 0);
	if (e == TB_OK)
		e = audit_item(c, ctx, "catalog.item.edit", code, *version);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e != TB_OK)
		*version = 0;
	return e;
}

enum tb_err tb_item_publish(struct tb_store *s, const struct tb_ctx *ctx, const char *code,
                            int64_t *version, struct tb_fail *f)
{
	*version = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_item_meta cur;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = latest(c, code, &cur);
	if (e == TB_OK && strcmp(cur.state, "draft") != 0)
		e = tb_fail(f, TB_ECONFLICT, "state", "no draft to publish");
	/* What the province requires stated before publication. */
	if (e == TB_OK) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(c, &st, &row,
		                  "SELECT x.doc FROM items i JOIN item_docs x ON x.item_id = i.id"
		                  " WHERE i.implementation_code = ? AND i.version = ?",
		                  "si", code, cur.version);
		json_t *doc = e == TB_OK && row ? json_loads(tb_stmt_text(st, 0), 0, NULL) : NULL;
		tb_stmt_reset(st);
		if (e == TB_OK)
			e = doc ? tb_catalog_rule_check_on(c, cur.region, doc, f) : TB_ESTORE;
		json_decref(doc);
	}
	int64_t now = (int64_t)time(NULL);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "UPDATE items SET state = 'superseded' WHERE implementation_code = ?"
		    " AND state = 'published'",
		    "s", code);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "UPDATE items SET state = 'published', published_at = ?"
		                " WHERE implementation_code = ? AND version = ?",
		                "isi", now, code, cur.version);
	if (e == TB_OK)
		e = audit_item(c, ctx, "catalog.item.publish", code, cur.version);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	if (e == TB_OK)
		*version = cur.version;
	return e;
}

enum tb_err tb_item_withdraw(struct tb_store *s, const struct tb_ctx *ctx, const char *code,
                             struct tb_fail *f)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0, version = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(c, &st, &row,
		                  "SELECT version FROM items WHERE implementation_code = ?"
		                  " AND state = 'published'",
		                  "s", code);
		version = (e == TB_OK && row) ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
	}
	if (e == TB_OK)
		e = tb_conn_run(c, &changed,
		                "UPDATE items SET state = 'withdrawn' WHERE implementation_code = ?"
		                " AND state = 'published'",
		                "s", code);
	if (e == TB_OK && changed == 0)
		e = tb_fail(f, TB_ECONFLICT, "state", "no published version to withdraw");
	if (e == TB_OK)
		e = audit_item(c, ctx, "catalog.item.withdraw", code, version);
	if (e == TB_OK)
		e = tb_conn_commit(c);
	tb_store_release(c);
	return e;
}

enum tb_err tb_item_get(struct tb_store *s, const char *code, int64_t version, struct tb_arena *a,
                        const char **text, struct tb_item_meta *meta)
{
	*text = NULL;
	memset(meta, 0, sizeof(*meta));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_item_get_on(c, code, version, a, text, meta);
	tb_store_release(c);
	return e;
}

enum tb_err tb_item_get_on(struct tb_conn *c, const char *code, int64_t version, struct tb_arena *a,
                           const char **text, struct tb_item_meta *meta)
{
	*text = NULL;
	memset(meta, 0, sizeof(*meta));
	enum tb_err e;
	struct tb_stmt *st;
	bool row;
	char day[11];
	today(day);
	if (version)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT d.doc, i.version, i.state, i.department_id, i.region FROM items i"
		    " JOIN item_docs d ON d.item_id = i.id"
		    " WHERE i.implementation_code = ? AND i.version = ?",
		    "si", code, version);
	else
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT d.doc, i.version, i.state, i.department_id, i.region FROM items i"
		    " JOIN item_docs d ON d.item_id = i.id"
		    " WHERE i.implementation_code = ? AND i.state = 'published'"
		    " AND i.valid_from <= ? AND (i.valid_to IS NULL OR i.valid_to >= ?)",
		    "sss", code, day, day);
	if (e == TB_OK && row) {
		meta->version = tb_stmt_int(st, 1);
		meta->state = tb_arena_strdup(a, tb_stmt_text(st, 2));
		meta->department_id = tb_stmt_int(st, 3);
		snprintf(meta->region, sizeof(meta->region), "%s", tb_stmt_text(st, 4));
		*text = tb_item_with_meta(a, tb_stmt_text(st, 0), meta->version, meta->state);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e;
}

/* The memo key of what kind ("item-doc", "item-form") of version of
 * code, or false when the code is too long for one (a key cut short
 * could name two items: such a code is not memoised). */
static bool memo_key(char key[96], const char *kind, const char *code, int64_t version)
{
	int kn = snprintf(key, 96, "%s:%s#%lld", kind, code, (long long)version);
	return kn > 0 && kn < 96;
}

/* tb_item_doc_on; *fixed says whether the version is past draft, so that
 * what is made of its document may be memoised too. */
static enum tb_err doc_on(struct tb_conn *c, const char *code, int64_t version, struct tb_arena *a,
                          const char **doc, bool *fixed)
{
	*doc = NULL;
	*fixed = false;
	char key[96];
	struct tb_memo *m = memo_key(key, "item-doc", code, version) ? tb_conn_memo(c) : NULL;
	if (m && (*doc = tb_memo_get(m, key, a))) {
		*fixed = true;
		return TB_OK;
	}
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT d.doc, i.state FROM items i JOIN item_docs d ON d.item_id = i.id"
	                  " WHERE i.implementation_code = ? AND i.version = ?",
	                  "si", code, version);
	if (e == TB_OK && row) {
		*doc = tb_arena_strdup(a, tb_stmt_text(st, 0));
		/* A draft is replaced in place; every later state keeps the
		 * document (a new text is a new version). */
		*fixed = strcmp(tb_stmt_text(st, 1), "draft") != 0;
		if (m && *fixed)
			tb_memo_put(m, key, *doc);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_item_doc_on(struct tb_conn *c, const char *code, int64_t version, struct tb_arena *a,
                           const char **doc)
{
	bool fixed;
	return doc_on(c, code, version, a, doc, &fixed);
}

enum tb_err tb_item_form_fields_on(struct tb_conn *c, const char *code, int64_t version,
                                   struct tb_arena *a, const char **fields)
{
	*fields = NULL;
	char key[96];
	struct tb_memo *m = memo_key(key, "item-form", code, version) ? tb_conn_memo(c) : NULL;
	if (m && (*fields = tb_memo_get(m, key, a)))
		return TB_OK;
	const char *doc;
	bool fixed;
	enum tb_err e = doc_on(c, code, version, a, &doc, &fixed);
	if (e != TB_OK)
		return e;
	json_t *j = json_loads(doc, 0, NULL);
	if (!j)
		return TB_ESTORE;
	json_t *ff = json_object_get(j, "form_fields");
	*fields = json_array_size(ff) ? tb_json_take(json_incref(ff), a) : "";
	json_decref(j);
	if (m && fixed)
		tb_memo_put(m, key, *fields);
	return TB_OK;
}

enum tb_err tb_item_versions(struct tb_store *s, const char *code, struct tb_arena *a,
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
	    "SELECT version, state, created_at, published_at, name FROM items"
	    " WHERE implementation_code = ? AND state <> 'draft' ORDER BY version DESC",
	    "s", code);
	while (e == TB_OK && row) {
		json_t *v =
		    json_pack("{s:I, s:s, s:s, s:I}", "version", (json_int_t)tb_stmt_int(st, 0),
		              "state", tb_stmt_text(st, 1), "name", tb_stmt_text(st, 4),
		              "created_at", (json_int_t)tb_stmt_int(st, 2));
		json_object_set_new(v, "published_at",
		                    tb_stmt_is_null(st, 3) ? json_null()
		                                           : json_integer(tb_stmt_int(st, 3)));
		json_array_append_new(arr, v);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e == TB_OK && json_array_size(arr) == 0)
		e = TB_ENOTFOUND;
	if (e == TB_OK)
		*text = dumps(arr, a);
	json_decref(arr);
	return e;
}

enum tb_err tb_catalog_search_backfill(struct tb_store *s)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	for (;;) {
		/* In batches of one transaction each, until no row is left. */
		struct tb_stmt *st;
		bool row;
		int64_t ids[200];
		char *docs[200];
		int n = 0;
		e = tb_conn_query(c, &st, &row,
		                  "SELECT i.id, d.doc FROM items i JOIN item_docs d ON d.item_id ="
		                  " i.id WHERE i.search_doc IS NULL LIMIT 200",
		                  "");
		while (e == TB_OK && row && n < 200) {
			ids[n] = tb_stmt_int(st, 0);
			docs[n++] = tb_xstrdup(tb_stmt_text(st, 1));
			e = tb_stmt_step(st, &row);
		}
		if (e == TB_OK)
			tb_stmt_reset(st);
		if (e == TB_OK && n)
			e = tb_conn_begin(c);
		for (int k = 0; k < n; k++) {
			json_t *canon = json_loads(docs[k], 0, NULL);
			int64_t doc = 0;
			if (e == TB_OK)
				e = canon ? search_doc(c, canon, &doc) : TB_EINTERNAL;
			if (e == TB_OK)
				e = tb_conn_run(c, NULL,
				                "UPDATE items SET search_doc = ? WHERE id = ?",
				                "ii", doc, ids[k]);
			json_decref(canon);
			free(docs[k]);
		}
		if (n && e == TB_OK)
			e = tb_conn_commit(c);
		else if (n)
			tb_conn_rollback(c);
		if (e != TB_OK || n < 200)
			break;
	}
	tb_store_release(c);
	return e;
}
