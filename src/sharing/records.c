/* The records a provider keeps current on the platform: pushed in
 * batches, all or none, one per subject (see sharing.h). */
#include "sharing/sharing.h"
#include "base/arena.h"
#include "base/date.h"
#include "codes/credit.h"
#include "codes/idnum.h"
#include "sharing/check.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool tb_share_subject_valid(const char *kind, const char *subject, char norm[19],
                            const char **reason)
{
	norm[0] = '\0';
	if (!strcmp(kind, "person")) {
		struct tb_idnum id;
		if (tb_idnum_check(subject, &id, NULL) != TB_OK) {
			*reason = "not a valid identity number";
			return false;
		}
		memcpy(norm, id.normalized, 19);
	} else {
		struct tb_credit cc;
		if (tb_credit_check(subject, &cc, NULL) != TB_OK) {
			*reason = "not a valid unified social credit code";
			return false;
		}
		memcpy(norm, cc.normalized, 19);
	}
	return true;
}

/* Whether value suits a field of type (null: not recorded, always). */
static bool value_fits(const char *type, json_t *value)
{
	if (json_is_null(value))
		return true;
	int64_t day;
	if (!strcmp(type, "integer"))
		return json_is_integer(value);
	if (!strcmp(type, "decimal"))
		return json_is_number(value);
	if (!strcmp(type, "boolean"))
		return json_is_boolean(value);
	if (!json_is_string(value) || strlen(json_string_value(value)) != json_string_length(value))
		return false;
	if (!strcmp(type, "date"))
		return tb_date_parse(json_string_value(value), &day);
	return true;
}

bool tb_share_data_valid(const struct tb_share_resource *res, json_t *data, const char **why)
{
	const char *key;
	json_t *v;
	json_object_foreach(data, key, v)
	{
		json_t *field = tb_share_field(res->fields, key);
		if (!field) {
			*why = "not a field of this resource";
			return false;
		}
		if (!value_fits(json_string_value(json_object_get(field, "type")), v) ||
		    (json_is_string(v) && json_string_length(v) > 2000)) {
			*why = "not of the field's type";
			return false;
		}
	}
	return true;
}

/* One record {"subject", "data"} at records[i]. */
static void check_record(struct tb_share_check *k, const struct tb_share_resource *res, json_t *rec,
                         size_t i)
{
	static const char *const keys[] = {"subject", "data", NULL};
	const char *path = tb_arena_printf(k->a, "records[%zu].", i);
	if (!tb_share_only(k, rec, path, keys))
		return;
	const char *subject = tb_share_text(k, rec, path, "subject", 18, 18, true, false);
	const char *why;
	char norm[19];
	if (subject && !tb_share_subject_valid(res->subject_kind, subject, norm, &why))
		tb_share_bad(k, tb_arena_printf(k->a, "%ssubject", path), why);
	else if (subject) /* stored, and compared within the batch, as normalised */
		json_object_set_new(rec, "subject", json_string(norm));
	json_t *data = json_object_get(rec, "data");
	if (!k->bad && !json_is_object(data))
		tb_share_bad(k, tb_arena_printf(k->a, "%sdata", path), "expected an object");
	const char *key;
	json_t *v;
	json_object_foreach(data, key, v)
	{
		if (k->bad)
			return;
		json_t *field = tb_share_field(res->fields, key);
		const char *member = tb_arena_printf(k->a, "%sdata.%s", path, key);
		if (!field)
			tb_share_bad(k, member, "not a field of this resource");
		else if (!value_fits(json_string_value(json_object_get(field, "type")), v))
			tb_share_bad(k, member, "not of the field's type");
		else if (json_is_string(v) && json_string_length(v) > 2000)
			tb_share_bad(k, member, "longer than 2000 bytes");
	}
}

enum tb_err tb_share_records_put(struct tb_store *s, const struct tb_ctx *ctx,
                                 const struct tb_share_resource *res, json_t *records, int *stored,
                                 struct tb_arena *a, struct tb_fail *f)
{
	*stored = 0;
	struct tb_share_check k = {a, f, false};
	size_t n = json_array_size(records);
	if (!json_is_array(records) || n < 1 || n > TB_SHARE_BATCH_MAX)
		return tb_fail(f, TB_EINVAL, "records", "expected 1 to 1000 records");
	for (size_t i = 0; i < n && !k.bad; i++)
		check_record(&k, res, json_array_get(records, i), i);
	for (size_t i = 0; i < n && !k.bad; i++)
		for (size_t j = 0; j < i && !k.bad; j++)
			if (json_equal(json_object_get(json_array_get(records, i), "subject"),
			               json_object_get(json_array_get(records, j), "subject")))
				tb_share_bad(&k, tb_arena_printf(a, "records[%zu].subject", i),
				             "this subject is in the batch twice");
	if (k.bad)
		return TB_EINVAL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t now = (int64_t)time(NULL);
	e = tb_conn_begin(c);
	for (size_t i = 0; i < n && e == TB_OK; i++) {
		json_t *rec = json_array_get(records, i);
		const char *subject = json_string_value(json_object_get(rec, "subject"));
		char *data =
		    json_dumps(json_object_get(rec, "data"), JSON_COMPACT | JSON_SORT_KEYS);
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO sharing_records (resource_id, subject, data, updated_at)"
		    " VALUES (?, ?, ?, ?) ON CONFLICT (resource_id, subject) DO UPDATE"
		    " SET data = excluded.data, updated_at = excluded.updated_at",
		    "issi", res->id, subject, data, now);
		free(data);
	}
	char obj[96];
	snprintf(obj, sizeof(obj), "sharing_resource:%s;records:%zu", res->code, n);
	e = tb_share_finish(c, ctx, e, "sharing.records.put", obj);
	if (e == TB_OK)
		*stored = (int)n;
	return e;
}

enum tb_err tb_share_record_delete(struct tb_store *s, const struct tb_ctx *ctx,
                                   const struct tb_share_resource *res, const char *subject)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 0;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = tb_conn_run(c, &changed,
		                "DELETE FROM sharing_records WHERE resource_id = ? AND subject = ?",
		                "is", res->id, subject);
	if (e == TB_OK && changed == 0)
		e = TB_ENOTFOUND;
	char obj[96];
	snprintf(obj, sizeof(obj), "sharing_resource:%s;subject:%.20s", res->code, subject);
	return tb_share_finish(c, ctx, e, "sharing.records.delete", obj);
}
