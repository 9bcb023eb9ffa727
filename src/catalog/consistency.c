/* The consistency report (see consistency.h): each compared field of each
 * item is reduced to a canonical JSON string; items with the same string
 * share a variant; a field with more than one variant is a difference. */
#include "regions/regions.h"
#include "catalog/consistency.h"
#include "base/date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What "the same standard" compares. Materials compare by what the
 * applicant must bring: name, form, required, source. */
static const char *const fields[] = {"conditions",      "materials",      "statutory_days",
                                     "promised_days",   "extension_days", "fees",
                                     "required_visits", "online_depth",   "case_kind",
                                     "service_objects", "channels",       "cross_region"};

static json_t *project(json_t *doc, const char *field)
{
	json_t *v = json_object_get(doc, field);
	if (strcmp(field, "materials") != 0)
		return json_incref(v ? v : json_null());
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(v, i, m) json_array_append_new(
	    out, json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(m, "name"), "form",
	                   json_object_get(m, "form"), "required", json_object_get(m, "required"),
	                   "source", json_object_get(m, "source")));
	return out;
}

enum tb_err tb_catalog_consistency(struct tb_store *s, const char *basic_code, const char *region,
                                   struct tb_arena *a, const char **text)
{
	*text = NULL;
	char prefix[10], like[12];
	tb_region_prefix(region, prefix);
	snprintf(like, sizeof(like), "%s%%", prefix);
	char day[11];
	tb_date_format(tb_date_today(), day);

	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *docs = json_array(), *impls = json_array();
	e = tb_conn_query(c, &st, &row,
	                  "SELECT x.doc, d.name FROM items i JOIN departments d ON d.id ="
	                  " i.department_id JOIN item_docs x ON x.item_id = i.id WHERE "
	                  "i.basic_code = ? AND i.region LIKE ? AND"
	                  " i.state = 'published' AND i.valid_from <= ? AND (i.valid_to IS NULL OR"
	                  " i.valid_to >= ?) ORDER BY i.implementation_code",
	                  "ssss", basic_code, like, day, day);
	while (e == TB_OK && row) {
		json_t *doc = json_loads(tb_stmt_text(st, 0), 0, NULL);
		if (doc) {
			json_array_append_new(
			    impls, json_pack("{s:O, s:O, s:s, s:O}", "implementation_code",
			                     json_object_get(doc, "implementation_code"), "name",
			                     json_object_get(doc, "name"), "department",
			                     tb_stmt_text(st, 1), "region",
			                     json_object_get(doc, "region")));
			json_array_append_new(docs, doc);
		}
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);

	json_t *diffs = json_array();
	for (size_t f = 0; e == TB_OK && f < sizeof(fields) / sizeof(fields[0]); f++) {
		json_t *variants = json_array(), *keys = json_object();
		size_t i;
		json_t *doc;
		json_array_foreach(docs, i, doc)
		{
			json_t *val = project(doc, fields[f]);
			char *key = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
			json_t *idx = json_object_get(keys, key);
			json_t *code = json_object_get(doc, "implementation_code");
			if (idx) {
				json_t *var =
				    json_array_get(variants, (size_t)json_integer_value(idx));
				json_array_append(json_object_get(var, "implementations"), code);
			} else {
				json_object_set_new(
				    keys, key, json_integer((json_int_t)json_array_size(variants)));
				json_array_append_new(variants,
				                      json_pack("{s:O, s:[O]}", "value", val,
				                                "implementations", code));
			}
			free(key);
			json_decref(val);
		}
		if (json_array_size(variants) > 1)
			json_array_append_new(diffs, json_pack("{s:s, s:O}", "field", fields[f],
			                                       "variants", variants));
		json_decref(variants);
		json_decref(keys);
	}
	json_t *out =
	    json_pack("{s:s, s:s, s:I, s:o, s:b, s:o}", "basic_code", basic_code, "region", region,
	              "count", (json_int_t)json_array_size(docs), "implementations", impls,
	              "consistent", json_array_size(diffs) == 0, "differences", diffs);
	json_decref(docs);
	char *dump = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (e == TB_OK)
		*text = tb_arena_strdup(a, dump);
	free(dump);
	return e;
}
