/* Import and export of the catalog (see exchange.h). */
#include "catalog/exchange.h"
#include "base/arena.h"
#include "base/crypto.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "catalog/validate.h"
#include "codes/credit.h"
#include "identity/departments.h"
#include "regions/regions.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- keys ---------------------------------------------------------------- */

void tb_catalog_dept_key(const char *region, const char *name, char out[19])
{
	char text[512], hex[TB_SM3_HEX];
	snprintf(text, sizeof(text), "%s\n%s", region, name);
	tb_sm3_hex(text, strlen(text), hex);
	snprintf(out, 19, "tb%.16s", hex);
}

void tb_catalog_item_key(const char *dept_key, const char *region, const char *name, char out[24])
{
	char text[512], hex[TB_SM3_HEX];
	snprintf(text, sizeof(text), "%s\n%s", dept_key, name);
	tb_sm3_hex(text, strlen(text), hex);
	snprintf(out, 24, "tb%s-%.10s", region, hex);
}

/* ---- export -------------------------------------------------------------- */

static char *prefix_of(const char *region)
{
	/* 330000 -> "33%", 000000 -> "%" */
	char prefix[10], buf[12];
	tb_region_prefix(region, prefix);
	snprintf(buf, sizeof(buf), "%s%%", prefix);
	return tb_xstrdup(buf);
}

/* Departments with a credit code by code, then those without (null) by
 * region and name, in byte order on both stores. */
static int dept_order(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	const char *ca = json_string_value(json_object_get(a, "credit_code"));
	const char *cb = json_string_value(json_object_get(b, "credit_code"));
	if (ca && cb)
		return strcmp(ca, cb);
	if (ca || cb)
		return ca ? -1 : 1;
	int r = strcmp(json_string_value(json_object_get(a, "region")),
	               json_string_value(json_object_get(b, "region")));
	return r ? r
	         : strcmp(json_string_value(json_object_get(a, "name")),
	                  json_string_value(json_object_get(b, "name")));
}

static void sort_departments(json_t *depts)
{
	size_t n = json_array_size(depts);
	json_t **v = tb_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(depts, i));
	qsort(v, n, sizeof(*v), dept_order);
	json_array_clear(depts);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(depts, v[i]);
	free(v);
}

enum tb_err tb_catalog_export(struct tb_store *s, const char *region, FILE *out)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char *like = prefix_of(region);
	json_t *root = json_object(), *depts = json_array(), *basics = json_array(),
	       *items = json_array();
	json_object_set_new(root, "format", json_string("tongban-catalog"));
	json_object_set_new(root, "format_version", json_integer(2));
	json_object_set_new(root, "region", json_string(region ? region : "000000"));
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT credit_code, name, region, level FROM departments"
	                  " WHERE region LIKE ? ORDER BY credit_code",
	                  "s", like);
	/* A department known by the platform's key: its guide publishes no
	 * credit code, and the export says so (null); items name it. */
	json_t *key_names = json_object();
	while (e == TB_OK && row) {
		const char *code = tb_stmt_text(st, 0);
		bool key = tb_catalog_is_key(code);
		if (key)
			json_object_set_new(key_names, code, json_string(tb_stmt_text(st, 1)));
		json_array_append_new(depts,
		                      json_pack("{s:o, s:s, s:s, s:s}", "credit_code",
		                                key ? json_null() : json_string(code), "name",
		                                tb_stmt_text(st, 1), "region", tb_stmt_text(st, 2),
		                                "level", tb_stmt_text(st, 3)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	sort_departments(depts);
	/* Basic items used by the exported items, and their parents. */
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT code, name, item_type, parent_code, legal_basis FROM"
		    " basic_items b WHERE b.code <> '' AND EXISTS (SELECT 1 FROM items i WHERE"
		    " i.region LIKE ? AND (i.basic_code = b.code OR i.basic_code IN"
		    " (SELECT code FROM basic_items k WHERE k.parent_code = b.code)))"
		    " ORDER BY code",
		    "s", like);
	while (e == TB_OK && row) {
		const char *parent = tb_stmt_text(st, 3);
		json_array_append_new(
		    basics, json_pack("{s:s, s:s, s:s, s:o, s:s}", "code", tb_stmt_text(st, 0),
		                      "name", tb_stmt_text(st, 1), "item_type", tb_stmt_text(st, 2),
		                      "parent_code", parent ? json_string(parent) : json_null(),
		                      "legal_basis", tb_stmt_text(st, 4)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	if (e == TB_OK)
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT d.doc, i.version, i.state FROM items i JOIN item_docs d ON"
		    " d.item_id = i.id WHERE i.region LIKE ?"
		    " ORDER BY i.implementation_code, i.version",
		    "s", like);
	while (e == TB_OK && row) {
		json_t *doc = json_loads(tb_stmt_text(st, 0), 0, NULL);
		json_t *it = json_pack("{s:I, s:s}", "version", (json_int_t)tb_stmt_int(st, 1),
		                       "state", tb_stmt_text(st, 2));
		const char *k;
		json_t *v;
		json_object_foreach(doc, k, v) json_object_set(it, k, v);
		json_decref(doc);
		/* The platform's own keys are not published codes: null, with the
		 * department named (an import makes the same keys again). */
		const char *dept = json_string_value(json_object_get(it, "department"));
		if (tb_catalog_is_key(dept)) {
			json_t *name = json_object_get(key_names, dept);
			json_object_set(it, "department_name", name ? name : json_null());
			json_object_set_new(it, "department", json_null());
		}
		if (tb_catalog_is_key(
		        json_string_value(json_object_get(it, "implementation_code"))))
			json_object_set_new(it, "implementation_code", json_null());
		json_array_append_new(items, it);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	json_decref(key_names);
	free(like);
	json_object_set_new(root, "departments", depts);
	json_object_set_new(root, "basic_items", basics);
	json_object_set_new(root, "items", items);
	if (e == TB_OK && (json_dumpf(root, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF))
		e = TB_EINTERNAL;
	json_decref(root);
	return e;
}

/* ---- import -------------------------------------------------------------- */

struct import {
	struct tb_conn *c;
	const struct tb_regions *regions;
	json_t *file_depts;  /* credit code or key -> {level, region} */
	json_t *dept_names;  /* name -> key, of the file's departments without a code */
	json_t *file_basics; /* code -> item_type */
	struct tb_import_report *rep;
	struct tb_arena *a;
	int version; /* the file's format_version */
};

static void report(struct import *im, const char *pos, const struct tb_fail *f)
{
	struct tb_import_report *r = im->rep;
	r->errors = tb_xrealloc(r->errors, (r->nerrors + 1) * sizeof(char *));
	char line[600];
	snprintf(line, sizeof(line), "%s: %s", f->field ? f->field : pos,
	         f->reason ? f->reason : "invalid");
	r->errors[r->nerrors++] = tb_xstrdup(line);
}

static bool file_or_store_dept(void *ctx, const char *code, char level[12], char region[10])
{
	struct import *im = ctx;
	json_t *d = json_object_get(im->file_depts, code);
	if (d) {
		snprintf(level, 12, "%s", json_string_value(json_object_get(d, "level")));
		snprintf(region, 10, "%s", json_string_value(json_object_get(d, "region")));
		return true;
	}
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(im->c, &st, &row,
	                  "SELECT level, region FROM departments WHERE credit_code = ?", "s",
	                  code) != TB_OK)
		return false;
	if (row) {
		snprintf(level, 12, "%s", tb_stmt_text(st, 0));
		snprintf(region, 10, "%s", tb_stmt_text(st, 1));
	}
	tb_stmt_reset(st);
	return row;
}

static bool file_or_store_basic(void *ctx, const char *code, char type[3])
{
	struct import *im = ctx;
	json_t *b = json_object_get(im->file_basics, code);
	if (b) {
		snprintf(type, 3, "%s", json_string_value(b));
		return true;
	}
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(im->c, &st, &row, "SELECT item_type FROM basic_items WHERE code = ?", "s",
	                  code) != TB_OK)
		return false;
	if (row)
		snprintf(type, 3, "%s", tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	return row;
}

static bool check_department(struct import *im, json_t *d, size_t i)
{
	char pos[40];
	snprintf(pos, sizeof(pos), "departments[%zu]", i);
	struct tb_fail f = {0};
	static const char *const keys[] = {"credit_code", "name", "region", "level"};
	const char *k;
	json_t *x;
	if (!json_is_object(d)) {
		f.reason = "expected an object";
		report(im, pos, &f);
		return false;
	}
	json_object_foreach(d, k, x)
	{
		bool ok = false;
		for (int n = 0; n < 4; n++)
			ok |= strcmp(keys[n], k) == 0;
		if (!ok) {
			f.field = tb_arena_printf(im->a, "%s.%s", pos, k);
			f.reason = "unknown field";
			report(im, pos, &f);
			return false;
		}
	}
	const char *code = json_string_value(json_object_get(d, "credit_code"));
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *region = json_string_value(json_object_get(d, "region"));
	const char *level = json_string_value(json_object_get(d, "level"));
	struct tb_credit cc;
	const struct tb_region *g = region ? tb_regions_find(im->regions, region) : NULL;
	/* Format 2: a department whose guide publishes no credit code (null)
	 * gets the platform's key, made from its region and name. */
	char key[19] = "";
	bool keyed =
	    im->version >= 2 && json_is_null(json_object_get(d, "credit_code")) && name && region;
	if (keyed) {
		tb_catalog_dept_key(region, name, key);
		code = key;
	}
	if (keyed && json_object_get(im->dept_names, name)) {
		f.field = tb_arena_printf(im->a, "%s.name", pos);
		f.reason = "two departments without a credit code have this name";
	} else if (!keyed && (!code || tb_credit_check(code, &cc, &f) != TB_OK)) {
		f.field = tb_arena_printf(im->a, "%s.credit_code", pos);
		f.reason = f.reason ? f.reason : "required";
	} else if (!name || strlen(name) < 2 || strlen(name) > 400) {
		f.field = tb_arena_printf(im->a, "%s.name", pos);
		f.reason = "expected 2 to 100 characters";
	} else if (!g || g->retired || g->placeholder ||
	           (strlen(region) != 6 && g->level != TB_REGION_TOWNSHIP)) {
		f.field = tb_arena_printf(im->a, "%s.region", pos);
		f.reason = "not a current division code (6 digits, or a township's 9)";
	} else if (!tb_department_level_fits(level, g)) {
		f.field = tb_arena_printf(im->a, "%s.level", pos);
		f.reason = "must be the level of the region";
	} else if (json_object_get(im->file_depts, code)) {
		f.field = tb_arena_printf(im->a, "%s.credit_code", pos);
		f.reason = "appears twice";
	} else {
		json_object_set_new(im->file_depts, code,
		                    json_pack("{s:s, s:s}", "level", level, "region", region));
		if (keyed) {
			json_object_set_new(im->dept_names, name, json_string(key));
			json_object_set_new(d, "_key", json_string(key));
		}
		return true;
	}
	report(im, pos, &f);
	return false;
}

/* Checks versions and states of consecutive records of one code. */
static bool check_versions(struct import *im, json_t *items, size_t from, size_t to)
{
	int published = 0;
	for (size_t k = from; k < to; k++) {
		json_t *it = json_array_get(items, k);
		char pos[40];
		snprintf(pos, sizeof(pos), "items[%zu]", k);
		struct tb_fail f = {tb_arena_printf(im->a, "%s.version", pos), NULL};
		json_t *v = json_object_get(it, "version");
		const char *state = json_string_value(json_object_get(it, "state"));
		if (!json_is_integer(v) || json_integer_value(v) != (json_int_t)(k - from + 1)) {
			f.reason = "versions of one code must run 1, 2, 3... in order";
		} else if (!state || (strcmp(state, "draft") && strcmp(state, "published") &&
		                      strcmp(state, "superseded") && strcmp(state, "withdrawn"))) {
			f.field = tb_arena_printf(im->a, "%s.state", pos);
			f.reason = "one of draft, published, superseded, withdrawn";
		} else if (strcmp(state, "draft") == 0 && k + 1 != to) {
			f.field = tb_arena_printf(im->a, "%s.state", pos);
			f.reason = "only the latest version may be a draft";
		} else if (strcmp(state, "published") == 0 && ++published > 1) {
			f.field = tb_arena_printf(im->a, "%s.state", pos);
			f.reason = "only one version may be published";
		} else {
			continue;
		}
		report(im, pos, &f);
		return false;
	}
	return true;
}

static enum tb_err write_all(struct import *im, json_t *root, json_t **canon_items,
                             const struct tb_ctx *ctx)
{
	struct tb_conn *c = im->c;
	int64_t now = (int64_t)time(NULL);
	enum tb_err e = TB_OK;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(root, "departments"), i, d)
	{
		const char *code = json_string_value(json_object_get(d, "credit_code"));
		struct tb_credit cc;
		if (code)
			tb_credit_check(code, &cc, NULL);
		else
			snprintf(cc.normalized, sizeof(cc.normalized), "%s",
			         json_string_value(json_object_get(d, "_key")));
		int64_t changed = 0;
		e = tb_conn_run(
		    c, &changed,
		    "INSERT INTO departments (name, credit_code, region, level, created_at)"
		    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (credit_code) DO NOTHING",
		    "ssssi", json_string_value(json_object_get(d, "name")), cc.normalized,
		    json_string_value(json_object_get(d, "region")),
		    json_string_value(json_object_get(d, "level")), now);
		if (e != TB_OK)
			return e;
		im->rep->departments += changed;
	}
	json_array_foreach(json_object_get(root, "basic_items"), i, d)
	{
		int64_t changed = 0;
		e = tb_conn_run(c, &changed,
		                "INSERT INTO basic_items (code, name, item_type, parent_code,"
		                " legal_basis, created_at) VALUES (?, ?, ?, ?, ?, ?)"
		                " ON CONFLICT (code) DO NOTHING",
		                "sssssi", json_string_value(json_object_get(d, "code")),
		                json_string_value(json_object_get(d, "name")),
		                json_string_value(json_object_get(d, "item_type")),
		                json_string_value(json_object_get(d, "parent_code")),
		                json_string_value(json_object_get(d, "legal_basis")), now);
		if (e != TB_OK)
			return e;
		im->rep->basic_items += changed;
	}
	json_array_foreach(json_object_get(root, "items"), i, d)
	{
		json_t *canon = canon_items[i];
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(c, &st, &row, "SELECT id FROM departments WHERE credit_code = ?",
		                  "s", json_string_value(json_object_get(canon, "department")));
		int64_t dept = row ? tb_stmt_int(st, 0) : 0;
		tb_stmt_reset(st);
		const char *state = json_string_value(json_object_get(d, "state"));
		if (e == TB_OK)
			e = tb_item_insert(c, canon, dept,
			                   json_integer_value(json_object_get(d, "version")), state,
			                   now, strcmp(state, "draft") ? now : 0);
		if (e != TB_OK)
			return e;
		im->rep->items++;
	}
	char obj[96];
	snprintf(obj, sizeof(obj), "catalog:%ld/%ld/%ld", im->rep->departments,
	         im->rep->basic_items, im->rep->items);
	return tb_ctx_audit(c, ctx, "catalog.import", obj, "ok");
}

/* Format 2: an item names a department without a credit code by its name
 * (department null, department_name), and may publish no implementation
 * code (null): both get the platform's keys, the same on every import of
 * the same file. What cannot be resolved is left null for the item's
 * check to refuse. */
static void with_keys(struct import *im, json_t *it)
{
	if (!json_is_object(it))
		return;
	const char *name = json_string_value(json_object_get(it, "department_name"));
	if (json_is_null(json_object_get(it, "department")) && name) {
		json_t *key = json_object_get(im->dept_names, name);
		if (key) {
			json_object_set(it, "department", key);
		} else {
			struct tb_stmt *st;
			bool row = false;
			/* Within the item's region when it states one: names such as
			 * 公证处 repeat across regions. */
			const char *region = json_string_value(json_object_get(it, "region"));
			if (tb_conn_query(
			        im->c, &st, &row,
			        "SELECT credit_code, level, region FROM departments WHERE"
			        " name = ? AND credit_code LIKE 'tb%' AND (? = '' OR region = ?)"
			        " ORDER BY id LIMIT 1",
			        "sss", name, region ? region : "", region ? region : "") == TB_OK) {
				if (row) {
					json_object_set_new(it, "department",
					                    json_string(tb_stmt_text(st, 0)));
					json_object_set_new(im->file_depts, tb_stmt_text(st, 0),
					                    json_pack("{s:s, s:s}", "level",
					                              tb_stmt_text(st, 1), "region",
					                              tb_stmt_text(st, 2)));
				}
				tb_stmt_reset(st);
			}
		}
	}
	const char *dept = json_string_value(json_object_get(it, "department"));
	const char *item = json_string_value(json_object_get(it, "name"));
	json_t *where = dept ? json_object_get(im->file_depts, dept) : NULL;
	if (json_is_null(json_object_get(it, "implementation_code")) && dept && item && where) {
		char key[24];
		tb_catalog_item_key(dept, json_string_value(json_object_get(where, "region")), item,
		                    key);
		json_object_set_new(it, "implementation_code", json_string(key));
	}
}

static bool code_in_store(struct import *im, const char *code)
{
	struct tb_stmt *st;
	bool row = false;
	if (tb_conn_query(im->c, &st, &row,
	                  "SELECT 1 FROM items WHERE implementation_code = ? LIMIT 1", "s",
	                  code) == TB_OK)
		tb_stmt_reset(st);
	return row;
}

enum tb_err tb_catalog_import(struct tb_store *s, const struct tb_regions *regions,
                              const struct tb_ctx *ctx, const char *text, size_t len,
                              struct tb_import_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	struct tb_fail f = {0};
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	struct import im = {NULL,          regions, json_object(),  json_object(),
	                    json_object(), rep,     tb_arena_new(), 1};
	if (!root || !json_is_object(root)) {
		f.field = root ? "file"
		               : tb_arena_printf(im.a, "line %d column %d", jerr.line, jerr.column);
		f.reason = root ? "expected a JSON object" : tb_arena_strdup(im.a, jerr.text);
		report(&im, "file", &f);
	} else if (!json_is_string(json_object_get(root, "format")) ||
	           strcmp(json_string_value(json_object_get(root, "format")), "tongban-catalog") ||
	           json_integer_value(json_object_get(root, "format_version")) < 1 ||
	           json_integer_value(json_object_get(root, "format_version")) > 2) {
		f.field = "format";
		f.reason = "expected format tongban-catalog, format_version 1 or 2";
		report(&im, "format", &f);
	} else {
		static const char *const keys[] = {"format",      "format_version", "region",
		                                   "departments", "basic_items",    "items"};
		const char *k;
		json_t *x;
		json_object_foreach(root, k, x)
		{
			bool ok = false;
			for (int n = 0; n < 6; n++)
				ok |= strcmp(keys[n], k) == 0;
			if (!ok) {
				f.field = tb_arena_strdup(im.a, k);
				f.reason = "unknown field";
				report(&im, k, &f);
			}
		}
		for (int n = 3; n < 6; n++)
			if (!json_is_array(json_object_get(root, keys[n]))) {
				f.field = keys[n];
				f.reason = "expected an array";
				report(&im, keys[n], &f);
			}
	}
	im.version = (int)json_integer_value(json_object_get(root, "format_version"));
	if (rep->nerrors) {
		json_decref(root);
		json_decref(im.dept_names);
		json_decref(im.file_depts);
		json_decref(im.file_basics);
		tb_arena_free(im.a);
		return TB_EINVAL;
	}

	enum tb_err e = tb_store_acquire(s, &im.c);
	json_t *depts = json_object_get(root, "departments");
	json_t *basics = json_object_get(root, "basic_items");
	json_t *items = json_object_get(root, "items");
	size_t nitems = json_array_size(items);
	json_t **canon = tb_xcalloc(nitems ? nitems : 1, sizeof(json_t *));
	struct tb_catalog_refs refs = {file_or_store_dept, file_or_store_basic, &im};
	size_t i;
	json_t *d;
	if (e == TB_OK) {
		json_array_foreach(depts, i, d) check_department(&im, d, i);
		/* Main items first, so that sub items find their parents. */
		json_array_foreach(basics, i, d)
		{
			const char *code = json_string_value(json_object_get(d, "code"));
			const char *type = json_string_value(json_object_get(d, "item_type"));
			if (code && type && !json_object_get(im.file_basics, code))
				json_object_set_new(im.file_basics, code, json_string(type));
		}
		json_array_foreach(basics, i, d)
		{
			char *pos = tb_arena_printf(im.a, "basic_items[%zu].", i);
			json_t *out = NULL;
			memset(&f, 0, sizeof(f));
			if (tb_catalog_check_basic(d, &refs, pos, im.a, &out, &f) != TB_OK)
				report(&im, pos, &f);
			json_decref(out);
		}
		if (im.version >= 2)
			json_array_foreach(items, i, d) with_keys(&im, d);
		json_array_foreach(items, i, d)
		{
			char *pos = tb_arena_printf(im.a, "items[%zu].", i);
			memset(&f, 0, sizeof(f));
			json_t *doc = json_is_object(d) ? json_deep_copy(d) : json_incref(d);
			if (json_is_object(doc)) {
				json_object_del(doc, "version");
				json_object_del(doc, "state");
			}
			if (tb_catalog_check_item(doc, &refs, pos, im.a, &canon[i], &f) != TB_OK) {
				report(&im, pos, &f);
			} else if (code_in_store(&im, json_string_value(json_object_get(
			                                  canon[i], "implementation_code")))) {
				f.field = tb_arena_printf(im.a, "%simplementation_code", pos);
				f.reason = "exists in the store already";
				report(&im, pos, &f);
			}
			json_decref(doc);
		}
		/* Versions: runs of one code, in order; a code whose records are
		 * not together would collide on write. */
		json_t *seen = json_object();
		for (size_t from = 0; from < nitems;) {
			const char *code = json_string_value(
			    json_object_get(json_array_get(items, from), "implementation_code"));
			size_t to = from + 1;
			while (to < nitems && code &&
			       json_string_value(json_object_get(json_array_get(items, to),
			                                         "implementation_code")) &&
			       strcmp(code,
			              json_string_value(json_object_get(
			                  json_array_get(items, to), "implementation_code"))) == 0)
				to++;
			if (code && json_object_get(seen, code)) {
				f.field =
				    tb_arena_printf(im.a, "items[%zu].implementation_code", from);
				f.reason = "the versions of one code must be consecutive records";
				report(&im, "items", &f);
			} else {
				if (code)
					json_object_set_new(seen, code, json_true());
				check_versions(&im, items, from, to);
			}
			from = to;
		}
		json_decref(seen);
	}
	if (e == TB_OK && rep->nerrors == 0) {
		e = tb_conn_begin(im.c);
		if (e == TB_OK)
			e = write_all(&im, root, canon, ctx);
		if (e == TB_OK)
			e = tb_conn_commit(im.c);
		else
			tb_conn_rollback(im.c);
		if (e != TB_OK)
			rep->departments = rep->basic_items = rep->items = 0;
	} else if (e == TB_OK) {
		e = TB_EINVAL;
	}
	if (im.c)
		tb_store_release(im.c);
	for (i = 0; i < nitems; i++)
		json_decref(canon[i]);
	free(canon);
	json_decref(root);
	json_decref(im.dept_names);
	json_decref(im.file_depts);
	json_decref(im.file_basics);
	tb_arena_free(im.a);
	return e;
}

void tb_import_report_free(struct tb_import_report *r)
{
	for (size_t i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	free(r->errors);
	r->errors = NULL;
	r->nerrors = 0;
}
