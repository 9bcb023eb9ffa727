/* Certificate types (see types.h). */
#include "certs/types.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/asset.h"
#include "base/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_COLS                                                                         \
	"code, name, defining_body, holder_type, validity_years, fields, issuing_bodies," \
	" issuer_sectors"

/* The sectors of type t as one comma-separated text: the one list a check
 * walks. */
static void sectors_of(const json_t *t, char *out, size_t size)
{
	size_t k, used = 0;
	const json_t *sec;
	out[0] = '\0';
	json_array_foreach(json_object_get(t, "issuer_sectors"), k, sec)
	{
		int n = snprintf(out + used, size - used, "%s%s", k ? "," : "",
		                 json_string_value(sec) ? json_string_value(sec) : "");
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/* Writes each type of the array arg as the file has it (new or changed). */
static enum tb_err upsert_all(struct tb_conn *c, void *arg)
{
	json_t *types = arg;
	size_t i;
	json_t *t;
	enum tb_err e = TB_OK;
	json_array_foreach(types, i, t)
	{
		char *fields = json_dumps(json_object_get(t, "fields"), JSON_COMPACT);
		char sectors[128];
		sectors_of(t, sectors, sizeof(sectors));
		const char *bodies = json_string_value(json_object_get(t, "issuing_bodies"));
		e = tb_conn_run(c, NULL,
		                "INSERT INTO cert_types (" TYPE_COLS
		                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET"
		                " name = excluded.name, defining_body = excluded.defining_body,"
		                " holder_type = excluded.holder_type, validity_years ="
		                " excluded.validity_years, fields = excluded.fields,"
		                " issuing_bodies = excluded.issuing_bodies, issuer_sectors ="
		                " excluded.issuer_sectors",
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

/* Type t of the file as one text of its stored columns, for comparing. */
static char *as_stored(const json_t *t)
{
	char *fields = json_dumps(json_object_get(t, "fields"), JSON_COMPACT);
	char sectors[128];
	sectors_of(t, sectors, sizeof(sectors));
	const char *bodies = json_string_value(json_object_get(t, "issuing_bodies"));
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_printf(&b, "%s\x1f%s\x1f%s\x1f%lld\x1f%s\x1f%s\x1f%s",
	              json_string_value(json_object_get(t, "name")),
	              json_string_value(json_object_get(t, "defining_body")),
	              json_string_value(json_object_get(t, "holder_type")),
	              (long long)json_integer_value(json_object_get(t, "validity_years")), fields,
	              bodies ? bodies : "", sectors);
	free(fields);
	return b.data;
}

enum tb_err tb_cert_types_sync(struct tb_store *s, int *changed)
{
	*changed = 0;
	const struct tb_asset *asset = tb_asset_find("data/certs/types.json");
	json_t *doc = asset ? json_loadb(asset->data, asset->size, 0, NULL) : NULL;
	json_t *types = json_object_get(doc, "types");
	if (!json_is_array(types)) {
		json_decref(doc);
		return TB_EINTERNAL;
	}
	/* What the store holds, code -> the same text as as_stored(). */
	json_t *have = json_object();
	struct tb_conn *c = NULL;
	enum tb_err e = tb_store_acquire(s, &c);
	struct tb_stmt *st = NULL;
	bool row = false;
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row,
		                  "SELECT code, name, defining_body, holder_type, validity_years,"
		                  " fields, issuing_bodies, issuer_sectors FROM cert_types",
		                  "");
	while (e == TB_OK && row) {
		struct tb_buf b = TB_BUF_INIT;
		tb_buf_printf(&b, "%s\x1f%s\x1f%s\x1f%lld\x1f%s\x1f%s\x1f%s", tb_stmt_text(st, 1),
		              tb_stmt_text(st, 2), tb_stmt_text(st, 3),
		              (long long)tb_stmt_int(st, 4), tb_stmt_text(st, 5),
		              tb_stmt_text(st, 6), tb_stmt_text(st, 7));
		json_object_set_new(have, tb_stmt_text(st, 0), json_string(b.data));
		tb_buf_free(&b);
		e = tb_stmt_step(st, &row);
	}
	if (st)
		tb_stmt_reset(st);
	if (c)
		tb_store_release(c);
	/* Only what differs is written: the usual start writes nothing. */
	json_t *stale = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(types, i, t)
	{
		char *want = as_stored(t);
		const char *held = json_string_value(
		    json_object_get(have, json_string_value(json_object_get(t, "code"))));
		if (!held || strcmp(held, want) != 0)
			json_array_append(stale, t);
		free(want);
	}
	if (e == TB_OK && json_array_size(stale))
		e = tb_store_write(s, upsert_all, stale);
	if (e == TB_OK && json_array_size(stale)) {
		*changed = (int)json_array_size(stale);
		tb_log_info("certs", "wrote %d built-in certificate types of %zu", *changed,
		            json_array_size(types));
	}
	json_decref(stale);
	json_decref(have);
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
