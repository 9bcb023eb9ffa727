/* The sharing catalog (政务信息资源目录): resource documents checked and
 * stored, read back and listed (see sharing.h). */
#include "sharing/sharing.h"
#include "base/arena.h"
#include "base/date.h"
#include "sharing/check.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const SUBJECT_KINDS[] = {"person", "organisation", NULL};
static const char *const SHARING_TYPES[] = {"unconditional", "conditional", "none", NULL};
static const char *const CYCLES[] = {"realtime",  "daily",  "weekly",    "monthly",
                                     "quarterly", "yearly", "on_change", NULL};
static const char *const FIELD_TYPES[] = {"string", "integer", "decimal", "date", "boolean", NULL};
static const char *const OPS[] = {"eq", "ne", "in", "gte", "lte", "present", "not_expired", NULL};

bool tb_share_code_valid(const char *code)
{
	const char *slash = strchr(code, '/');
	if (!slash)
		return false;
	size_t front = (size_t)(slash - code), seq = strlen(slash + 1);
	if (front < 6 || front > 15 || seq < 1 || seq > 9 || code[0] < '1' || code[0] > '3')
		return false;
	for (const char *p = code; *p; p++)
		if (p != slash && !isdigit((unsigned char)*p))
			return false;
	return true;
}

void tb_share_resource_release(struct tb_share_resource *r)
{
	json_decref(r->fields);
	json_decref(r->assertions);
	r->fields = r->assertions = NULL;
}

/* fields: 1..50 of {name, type, personal}, names unique. */
static void check_fields(struct tb_share_check *k, json_t *fields)
{
	static const char *const keys[] = {"name", "type", "personal", NULL};
	if (!json_is_array(fields) || json_array_size(fields) < 1 || json_array_size(fields) > 50) {
		tb_share_bad(k, "fields", "expected 1 to 50 fields");
		return;
	}
	size_t i;
	json_t *x;
	json_array_foreach(fields, i, x)
	{
		const char *path = tb_arena_printf(k->a, "fields[%zu].", i);
		if (!tb_share_only(k, x, path, keys))
			return;
		const char *name = tb_share_text(k, x, path, "name", 1, 32, true, false);
		tb_share_word(k, x, path, "type", FIELD_TYPES, true);
		if (!k->bad && !json_is_boolean(json_object_get(x, "personal")))
			tb_share_bad(k, tb_arena_printf(k->a, "%spersonal", path),
			             "expected true or false");
		for (size_t j = 0; !k->bad && j < i; j++)
			if (strcmp(json_string_value(
			               json_object_get(json_array_get(fields, j), "name")),
			           name) == 0)
				tb_share_bad(k, tb_arena_printf(k->a, "%sname", path),
				             "named twice");
	}
}

/* The value an assertion compares with, as its op and field type need. */
static void check_value(struct tb_share_check *k, const char *path, const char *op,
                        const char *type, json_t *value)
{
	const char *field = tb_arena_printf(k->a, "%svalue", path);
	bool none = !strcmp(op, "present") || !strcmp(op, "not_expired");
	if (none) {
		if (value)
			tb_share_bad(k, field, "this comparison takes no value");
		if (!strcmp(op, "not_expired") && strcmp(type, "date") != 0)
			tb_share_bad(k, tb_arena_printf(k->a, "%sop", path),
			             "not_expired needs a date field");
		return;
	}
	if (!value) {
		tb_share_bad(k, field, "required");
		return;
	}
	bool numeric = !strcmp(type, "integer") || !strcmp(type, "decimal");
	int64_t day;
	if (!strcmp(op, "in")) {
		size_t i, n = json_array_size(value);
		json_t *v;
		bool ok = json_is_array(value) && n >= 1 && n <= 50 && !strcmp(type, "string");
		json_array_foreach(value, i, v) ok = ok && json_is_string(v);
		if (!ok)
			tb_share_bad(k, field, "in needs a string field and 1 to 50 strings");
	} else if (!strcmp(op, "gte") || !strcmp(op, "lte")) {
		bool ok = numeric ? json_is_number(value)
		                  : !strcmp(type, "date") && json_is_string(value) &&
		                        tb_date_parse(json_string_value(value), &day);
		if (!ok)
			tb_share_bad(k, field, "expected a number, or a date for a date field");
	} else {
		bool ok = numeric                    ? json_is_number(value)
		          : !strcmp(type, "boolean") ? json_is_boolean(value)
		                                     : json_is_string(value);
		if (!ok)
			tb_share_bad(k, field, "not of the field's type");
	}
}

/* assertions: 0..20 of {name, label, field, op, value}. */
static void check_assertions(struct tb_share_check *k, json_t *list, json_t *fields)
{
	static const char *const keys[] = {"name", "label", "field", "op", "value", NULL};
	if (!json_is_array(list) || json_array_size(list) > 20) {
		tb_share_bad(k, "assertions", "expected up to 20 assertions");
		return;
	}
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
	{
		const char *path = tb_arena_printf(k->a, "assertions[%zu].", i);
		if (!tb_share_only(k, x, path, keys))
			return;
		const char *name = tb_share_text(k, x, path, "name", 1, 40, true, false);
		for (const char *p = name; p && *p && !k->bad; p++)
			if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
				tb_share_bad(k, tb_arena_printf(k->a, "%sname", path),
				             "expected lower-case letters, digits and _");
		for (size_t j = 0; !k->bad && j < i; j++)
			if (!strcmp(
			        json_string_value(json_object_get(json_array_get(list, j), "name")),
			        name))
				tb_share_bad(k, tb_arena_printf(k->a, "%sname", path),
				             "named twice");
		tb_share_text(k, x, path, "label", 1, 60, true, false);
		const char *fname = tb_share_text(k, x, path, "field", 1, 32, true, false);
		json_t *field = fname ? tb_share_field(fields, fname) : NULL;
		if (fname && !field)
			tb_share_bad(k, tb_arena_printf(k->a, "%sfield", path),
			             "not a field of this resource");
		const char *op = tb_share_word(k, x, path, "op", OPS, true);
		if (!k->bad)
			check_value(k, path, op, json_string_value(json_object_get(field, "type")),
			            json_object_get(x, "value"));
	}
}

/* The whole document; the parts into r (pointing into doc). */
static bool check_doc(struct tb_share_check *k, json_t *doc, struct tb_share_resource *r)
{
	static const char *const keys[] = {
	    "code",         "name",       "summary",     "provider_id",  "subject_kind",
	    "sharing_type", "conditions", "legal_basis", "update_cycle", "fields",
	    "assertions",   "endpoint",   NULL};
	if (!tb_share_only(k, doc, "", keys))
		return false;
	r->code = tb_share_text(k, doc, "", "code", 8, 25, true, false);
	if (r->code && !tb_share_code_valid(r->code))
		tb_share_bad(k, "code",
		             "expected the class (1, 2 or 3), item, entry and sub-entry digits, "
		             "/ and the sequence");
	r->name = tb_share_text(k, doc, "", "name", 2, 100, true, false);
	r->summary = tb_share_text(k, doc, "", "summary", 2, 1000, true, true);
	json_t *p = json_object_get(doc, "provider_id");
	if (!k->bad && (!json_is_integer(p) || json_integer_value(p) <= 0))
		tb_share_bad(k, "provider_id", "expected a department id");
	r->provider_id = json_integer_value(p);
	r->subject_kind = tb_share_word(k, doc, "", "subject_kind", SUBJECT_KINDS, true);
	r->sharing_type = tb_share_word(k, doc, "", "sharing_type", SHARING_TYPES, true);
	r->conditions = tb_share_text(k, doc, "", "conditions", 2, 1000, false, true);
	r->legal_basis = tb_share_text(k, doc, "", "legal_basis", 2, 1000, false, true);
	r->update_cycle = tb_share_word(k, doc, "", "update_cycle", CYCLES, true);
	/* The provider's real-time service (endpoint.c): an http(s) URL. */
	r->endpoint = tb_share_text(k, doc, "", "endpoint", 10, 500, false, false);
	if (r->endpoint &&
	    ((strncmp(r->endpoint, "http://", 7) && strncmp(r->endpoint, "https://", 8)) ||
	     strpbrk(r->endpoint, " \t")))
		tb_share_bad(k, "endpoint", "expected an http or https URL");
	if (!k->bad && !strcmp(r->sharing_type, "conditional") && !r->conditions)
		tb_share_bad(k, "conditions", "a conditional resource states its conditions");
	if (!k->bad && strcmp(r->sharing_type, "unconditional") != 0 && !r->legal_basis)
		tb_share_bad(k, "legal_basis",
		             "a conditional or not shared resource states its legal basis");
	r->fields = json_object_get(doc, "fields");
	if (!k->bad)
		check_fields(k, r->fields);
	r->assertions = json_object_get(doc, "assertions");
	if (!r->assertions)
		r->assertions = json_array();
	else
		json_incref(r->assertions);
	if (!k->bad)
		check_assertions(k, r->assertions, r->fields);
	json_incref(r->fields);
	return !k->bad;
}

/* The provider of resource code on c (0 when there is no such resource). */
static enum tb_err provider_on(struct tb_conn *c, const char *code, int64_t *provider)
{
	struct tb_stmt *st;
	bool row;
	*provider = 0;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT provider_id FROM sharing_resources WHERE code = ?", "s", code);
	if (e == TB_OK && row)
		*provider = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_share_resource_put(struct tb_store *s, const struct tb_ctx *ctx, json_t *doc,
                                  bool create, struct tb_arena *a, struct tb_fail *f)
{
	struct tb_share_check k = {a, f, false};
	struct tb_share_resource r = {0};
	if (!check_doc(&k, doc, &r)) {
		tb_share_resource_release(&r);
		return TB_EINVAL;
	}
	/* Where the provider's service is, is not published (the listing says
	 * only "realtime"): a replacement that does not name it keeps it, and
	 * null removes it. */
	int64_t keep_endpoint = json_object_get(doc, "endpoint") == NULL;
	char *fields = json_dumps(r.fields, JSON_COMPACT);
	char *assertions = json_dumps(r.assertions, JSON_COMPACT);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e == TB_OK) {
		int64_t now = (int64_t)time(NULL), held;
		e = tb_conn_begin(c);
		if (e == TB_OK)
			e = provider_on(c, r.code, &held);
		if (e == TB_OK && create && held)
			e = tb_fail(f, TB_ECONFLICT, "code", "a resource with this code exists");
		else if (e == TB_OK && !create && !held)
			e = tb_fail(f, TB_ENOTFOUND, "code", "no such resource");
		else if (e == TB_OK && !create && held != r.provider_id)
			e = tb_fail(f, TB_EINVAL, "provider_id", "a resource keeps its provider");
		if (e == TB_OK && create) {
			e = tb_conn_run(
			    c, NULL,
			    "INSERT INTO sharing_resources (code, name, summary, provider_id,"
			    " subject_kind, sharing_type, conditions, legal_basis,"
			    " update_cycle, fields, assertions, endpoint, created_at, updated_at)"
			    " SELECT ?, ?, ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM departments"
			    " WHERE id = ?",
			    "sssssssssssiii", r.code, r.name, r.summary, r.subject_kind,
			    r.sharing_type, r.conditions ? r.conditions : "",
			    r.legal_basis ? r.legal_basis : "", r.update_cycle, fields, assertions,
			    r.endpoint, now, now, r.provider_id);
		} else if (e == TB_OK) {
			e = tb_conn_run(
			    c, NULL,
			    "UPDATE sharing_resources SET name = ?, summary = ?,"
			    " subject_kind = ?, sharing_type = ?, conditions = ?,"
			    " legal_basis = ?, update_cycle = ?, fields = ?, assertions = ?,"
			    " endpoint = CASE WHEN ? = 1 THEN endpoint ELSE ? END, updated_at = ?"
			    " WHERE code = ?",
			    "sssssssssisis", r.name, r.summary, r.subject_kind, r.sharing_type,
			    r.conditions ? r.conditions : "", r.legal_basis ? r.legal_basis : "",
			    r.update_cycle, fields, assertions, keep_endpoint, r.endpoint, now,
			    r.code);
		}
		if (e == TB_OK && create) {
			e = provider_on(c, r.code, &held);
			if (e == TB_OK && !held)
				e = tb_fail(f, TB_EINVAL, "provider_id", "no such department");
		}
		char obj[64];
		snprintf(obj, sizeof(obj), "sharing_resource:%s", r.code);
		e = tb_share_finish(
		    c, ctx, e, create ? "sharing.resource.create" : "sharing.resource.update", obj);
	}
	free(fields);
	free(assertions);
	tb_share_resource_release(&r);
	return e;
}

#define RESOURCE_COLS \
	"r.id, r.code, r.name, r.summary, r.provider_id, r.subject_kind, r.sharing_type,    \
	 r.conditions, r.legal_basis, r.update_cycle, r.fields, r.assertions, d.name, r.endpoint"

/* The current row of a RESOURCE_COLS query into out (copied into a). */
static void resource_row(struct tb_stmt *st, struct tb_arena *a, struct tb_share_resource *out)
{
	out->id = tb_stmt_int(st, 0);
	out->code = tb_arena_strdup(a, tb_stmt_text(st, 1));
	out->name = tb_arena_strdup(a, tb_stmt_text(st, 2));
	out->summary = tb_arena_strdup(a, tb_stmt_text(st, 3));
	out->provider_id = tb_stmt_int(st, 4);
	out->subject_kind = tb_arena_strdup(a, tb_stmt_text(st, 5));
	out->sharing_type = tb_arena_strdup(a, tb_stmt_text(st, 6));
	out->conditions = tb_arena_strdup(a, tb_stmt_text(st, 7));
	out->legal_basis = tb_arena_strdup(a, tb_stmt_text(st, 8));
	out->update_cycle = tb_arena_strdup(a, tb_stmt_text(st, 9));
	out->provider_name = tb_arena_strdup(a, tb_stmt_text(st, 12));
	out->endpoint = tb_stmt_is_null(st, 13) ? NULL : tb_arena_strdup(a, tb_stmt_text(st, 13));
	out->fields = json_loads(tb_stmt_text(st, 10), 0, NULL);
	out->assertions = json_loads(tb_stmt_text(st, 11), 0, NULL);
}

enum tb_err tb_share_resource_get_on(struct tb_conn *c, const char *code, struct tb_arena *a,
                                     struct tb_share_resource *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT " RESOURCE_COLS " FROM sharing_resources r JOIN"
	                              " departments d ON d.id = r.provider_id WHERE r.code = ?",
	                              "s", code);
	if (e == TB_OK && row)
		resource_row(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	if (e == TB_OK && (!out->fields || !out->assertions)) {
		tb_share_resource_release(out);
		e = TB_EINTERNAL;
	}
	return e;
}

enum tb_err tb_share_resource_get(struct tb_store *s, const char *code, struct tb_arena *a,
                                  struct tb_share_resource *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	e = tb_share_resource_get_on(c, code, a, out);
	tb_store_release(c);
	return e;
}

json_t *tb_share_resource_json(const struct tb_share_resource *r)
{
	json_t *out =
	    json_pack("{s:s, s:s, s:s, s:{s:I, s:s}, s:s, s:s, s:s, s:s, s:s, s:O, s:O}", "code",
	              r->code, "name", r->name, "summary", r->summary, "provider", "id",
	              (json_int_t)r->provider_id, "name", r->provider_name ? r->provider_name : "",
	              "subject_kind", r->subject_kind, "sharing_type", r->sharing_type,
	              "conditions", r->conditions, "legal_basis", r->legal_basis, "update_cycle",
	              r->update_cycle, "fields", r->fields, "assertions", r->assertions);
	/* Whether answers may come from the provider in real time; where
	 * from is the provider's own business. */
	json_object_set_new(out, "realtime", json_boolean(r->endpoint != NULL));
	return out;
}

enum tb_err tb_share_resources_list(struct tb_store *s, int64_t provider, const char *q,
                                    json_t **out)
{
	*out = json_array();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_arena *a = tb_arena_new();
	char *like = tb_arena_printf(a, "%%%s%%", q ? q : "");
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT " RESOURCE_COLS " FROM sharing_resources r JOIN departments d"
	                  " ON d.id = r.provider_id WHERE (? = 0 OR r.provider_id = ?)"
	                  " AND (r.name LIKE ? OR r.summary LIKE ?) ORDER BY r.code LIMIT 1000",
	                  "iiss", provider, provider, like, like);
	while (e == TB_OK && row) {
		struct tb_share_resource r;
		resource_row(st, a, &r);
		if (r.fields && r.assertions)
			json_array_append_new(*out, tb_share_resource_json(&r));
		tb_share_resource_release(&r);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	tb_arena_free(a);
	return e;
}
