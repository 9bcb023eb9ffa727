/* Certificate types (see types.h). */
#include "certs/types.h"
#include "base/json.h"
#include "base/asset.h"
#include "base/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_COLS                                                                         \
	"code, name, defining_body, holder_type, validity_years, fields, issuing_bodies," \
	" issuer_sectors"

static enum tb_err insert_all(struct tb_conn *c, void *arg)
{
	json_t *types = arg;
	size_t i;
	json_t *t;
	enum tb_err e = TB_OK;
	json_array_foreach(types, i, t)
	{
		char *fields = json_dumps(json_object_get(t, "fields"), JSON_COMPACT);
		/* The sectors as one comma-separated text: the one list a check walks. */
		char sectors[128] = "";
		size_t k, used = 0;
		json_t *sec;
		json_array_foreach(json_object_get(t, "issuer_sectors"), k, sec)
		{
			int n =
			    snprintf(sectors + used, sizeof(sectors) - used, "%s%s", k ? "," : "",
			             json_string_value(sec) ? json_string_value(sec) : "");
			if (n < 0 || (size_t)n >= sizeof(sectors) - used)
				break;
			used += (size_t)n;
		}
		const char *bodies = json_string_value(json_object_get(t, "issuing_bodies"));
		e = tb_conn_run(c, NULL,
		                "INSERT INTO cert_types (" TYPE_COLS
		                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		                "ssssisss", json_string_value(json_object_get(t, "code")),
		                json_string_value(json_object_get(t, "name")),
		                json_string_value(json_object_get(t, "defining_body")),
		                json_string_value(json_object_get(t, "holder_type")),
		                (int64_t)json_integer_value(json_object_get(t, "validity_years")),
		                fields, bodies ? bodies : "", sectors);
		free(fields);
		if (e != TB_OK)
			break;
	}
	return e;
}

enum tb_err tb_cert_types_seed(struct tb_store *s, bool *seeded)
{
	*seeded = false;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM cert_types", "");
	int64_t have = e == TB_OK && row ? tb_stmt_int(st, 0) : 0;
	tb_stmt_reset(st);
	tb_store_release(c);
	if (e != TB_OK || have > 0)
		return e; /* the usual start: nothing to parse */
	const struct tb_asset *asset = tb_asset_find("data/certs/types.json");
	json_t *doc = asset ? json_loadb(asset->data, asset->size, 0, NULL) : NULL;
	json_t *types = json_object_get(doc, "types");
	e = json_is_array(types) ? tb_store_write(s, insert_all, types) : TB_EINTERNAL;
	if (e == TB_OK) {
		*seeded = true;
		tb_log_info("certs", "loaded %zu built-in certificate types",
		            json_array_size(types));
	}
	json_decref(doc);
	return e;
}

static void read_type(struct tb_stmt *st, struct tb_arena *a, struct tb_cert_type *out)
{
	out->code = tb_arena_strdup(a, tb_stmt_text(st, 0));
	out->name = tb_arena_strdup(a, tb_stmt_text(st, 1));
	out->defining_body = tb_arena_strdup(a, tb_stmt_text(st, 2));
	out->holder_type = tb_arena_strdup(a, tb_stmt_text(st, 3));
	out->validity_years = (int)tb_stmt_int(st, 4);
	out->fields = tb_arena_strdup(a, tb_stmt_text(st, 5));
	out->issuing_bodies = tb_arena_strdup(a, tb_stmt_text(st, 6));
	out->issuer_sectors = tb_arena_strdup(a, tb_stmt_text(st, 7));
}

enum tb_err tb_cert_type_get_on(struct tb_conn *c, const char *key, struct tb_arena *a,
                                struct tb_cert_type *out)
{
	memset(out, 0, sizeof(*out));
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT " TYPE_COLS " FROM cert_types WHERE code = ? OR name = ?", "ss",
	    key ? key : "", key ? key : "");
	if (e == TB_OK && row)
		read_type(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_cert_types_list(struct tb_store *s, struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *arr = json_array();
	e = tb_conn_query(c, &st, &row, "SELECT " TYPE_COLS " FROM cert_types ORDER BY code", "");
	while (e == TB_OK && row) {
		struct tb_cert_type t;
		read_type(st, a, &t);
		json_t *sectors = json_array();
		for (const char *p = t.issuer_sectors; *p;) {
			const char *comma = strchr(p, ',');
			size_t l = comma ? (size_t)(comma - p) : strlen(p);
			json_array_append_new(sectors, json_stringn(p, l));
			p = comma ? comma + 1 : p + l;
		}
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:o}", "code", t.code,
		                   "name", t.name, "defining_body", t.defining_body,
		                   "issuing_bodies", t.issuing_bodies, "issuer_sectors", sectors,
		                   "holder_type", t.holder_type, "validity_years", t.validity_years,
		                   "fields", json_loads(t.fields, 0, NULL)));
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
