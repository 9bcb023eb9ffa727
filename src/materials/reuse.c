/* Reuse of certificates and library materials (see reuse.h). */
#include "materials/reuse.h"
#include "base/json.h"
#include "base/date.h"
#include "certs/certs.h"
#include "regions/regions.h"
#include "base/crypto.h"

#include <stdio.h>
#include <time.h>

#include <stdlib.h>
#include <string.h>

const char *tb_material_kind(const json_t *material)
{
	const char *cert = json_string_value(json_object_get(material, "certificate_type"));
	return cert && *cert ? cert : NULL;
}

static bool listed(const json_t *list, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) if (strcmp(json_string_value(json_object_get(m, "name")),
	                                          name) == 0) return true;
	return false;
}

/* The newest still-valid library file of kind owned by owner (its SM3). */
static enum tb_err from_library(struct tb_conn *c, int64_t owner, const char *kind, const char *day,
                                struct tb_arena *a, const char **sm3)
{
	*sm3 = NULL;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT sm3 FROM materials WHERE owner_id = ? AND kind = ?"
	                              " AND source = 'upload' AND deleted_at IS NULL AND"
	                              " (valid_until IS NULL OR valid_until >= ?) ORDER BY id DESC"
	                              " LIMIT 1",
	                              "iss", owner, kind, day);
	if (e == TB_OK && row)
		*sm3 = tb_arena_strdup(a, tb_stmt_text(st, 0));
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

/* The code certificates of account are held under; "" (none found) while
 * its identity is not proven: certificates issued to a number are not
 * used for whoever registered it. */
static enum tb_err holder_code(struct tb_conn *c, int64_t account, char out[19])
{
	out[0] = '\0';
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT login FROM accounts WHERE id = ? AND identity_proven = 1", "i",
	    account);
	if (e == TB_OK && row)
		snprintf(out, 19, "%s", tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_reuse_fill_on(struct tb_conn *c, int64_t applicant, const json_t *item,
                             const char *materials, const json_t *verified, struct tb_arena *a,
                             const char **out, int *filled)
{
	*out = materials;
	*filled = 0;
	json_t *list = json_loads(materials, 0, NULL);
	if (!json_is_array(list)) {
		json_decref(list);
		return TB_EINVAL;
	}
	char code[19], day[11];
	tb_date_format(tb_date_today(), day);
	enum tb_err e = holder_code(c, applicant, code);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(item, "materials"), i, m)
	{
		if (e != TB_OK)
			break;
		const char *name = json_string_value(json_object_get(m, "name"));
		const char *need = json_string_value(json_object_get(m, "required"));
		if (!name || !need || strcmp(need, "required") != 0 || listed(list, name))
			continue;
		const char *cert = json_string_value(json_object_get(m, "certificate_type"));
		const char *ref = NULL, *source = NULL;
		if (cert && *cert) {
			e = tb_cert_find_valid_on(c, code, cert, day, a, &ref);
			source = "certificate";
		}
		if ((e == TB_ENOTFOUND || !ref) && tb_material_kind(m)) {
			e = from_library(c, applicant, tb_material_kind(m), day, a, &ref);
			source = "library";
		}
		if ((e == TB_ENOTFOUND || (e == TB_OK && !ref)) &&
		    json_is_string(json_object_get(verified, name))) {
			/* Verified online at this submission: the use's id. */
			e = TB_OK;
			ref = json_string_value(json_object_get(verified, name));
			source = "sharing";
		}
		if (e == TB_ENOTFOUND || (e == TB_OK && !ref)) {
			e = TB_OK;
			continue;
		}
		if (e == TB_OK) {
			json_array_append_new(list,
			                      json_pack("{s:s, s:s, s:s, s:s}", "name", name,
			                                "source", source, "ref", ref, "at", day));
			(*filled)++;
		}
	}
	if (e == TB_OK && *filled)
		*out = tb_json_take(list, a);
	else
		json_decref(list);
	return e;
}

/* The catalog material of item named name, or NULL. */
static const json_t *material_of(const json_t *item, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(item, "materials"), i,
	                   m) if (name && strcmp(json_string_value(json_object_get(m, "name")),
	                                         name) == 0) return m;
	return NULL;
}

static bool in_library(struct tb_conn *c, int64_t owner, const char *sm3, enum tb_err *e)
{
	struct tb_stmt *st;
	bool row = false;
	*e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT 1 FROM materials WHERE owner_id = ? AND sm3 = ? AND deleted_at IS"
	                  " NULL LIMIT 1",
	                  "is", owner, sm3);
	tb_stmt_reset(st);
	return *e == TB_OK && row;
}

/* Whether list (JSON array text, or NULL) has an entry of name from the
 * sharing query with ref. */
static bool shared_before(const char *list, const char *name, const char *ref)
{
	json_t *have = list && name && ref ? json_loads(list, 0, NULL) : NULL;
	bool found = false;
	size_t i;
	json_t *h;
	json_array_foreach(have, i, h)
	{
		const char *n = json_string_value(json_object_get(h, "name"));
		const char *s = json_string_value(json_object_get(h, "source"));
		const char *r = json_string_value(json_object_get(h, "ref"));
		found |=
		    n && s && r && !strcmp(n, name) && !strcmp(s, "sharing") && !strcmp(r, ref);
	}
	json_decref(have);
	return found;
}

enum tb_err tb_reuse_check_on(struct tb_conn *c, int64_t applicant, const char *channel,
                              const json_t *item, const char *materials, const char *current,
                              struct tb_arena *a, struct tb_fail *f)
{
	json_t *list = json_loads(materials, 0, NULL);
	char code[19], day[11];
	tb_date_format(tb_date_today(), day);
	enum tb_err e = holder_code(c, applicant, code);
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		if (e != TB_OK)
			break;
		const char *src = json_string_value(json_object_get(m, "source"));
		const char *ref = json_string_value(json_object_get(m, "ref"));
		const json_t *cm = material_of(item, json_string_value(json_object_get(m, "name")));
		const char *field = tb_arena_printf(a, "materials[%zu].ref", i);
		if (!src || !cm) {
			continue; /* the list's shape is checked by the case */
		} else if (!strcmp(src, "sharing") &&
		           !shared_before(current, json_string_value(json_object_get(m, "name")),
		                          ref)) {
			e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "materials[%zu].source", i),
			            "sharing is filled by the platform's data-sharing query only");
		} else if (!strcmp(src, "certificate")) {
			const char *type =
			    json_string_value(json_object_get(cm, "certificate_type"));
			const char *valid = NULL;
			if (!type || !ref)
				e = tb_fail(f, TB_EINVAL, field,
				            "this material has no certificate type, or no "
				            "identifier given");
			else if ((e = tb_cert_find_valid_on(c, code, type, day, a, &valid)) ==
			         TB_ENOTFOUND)
				e = tb_fail(
				    f, TB_EINVAL, field,
				    "no valid certificate of this type is held by the applicant");
			/* Any valid one of the type will do; the case names the one meant. */
			if (e == TB_OK && strcmp(valid, ref) != 0) {
				struct tb_stmt *st;
				bool row = false;
				/* Of this register, or issued at a peer platform and
				 * brought here by its holder. */
				e = tb_conn_query(
				    c, &st, &row,
				    "SELECT 1 FROM certificates c JOIN cert_types t ON t.code ="
				    " c.type_code WHERE c.identifier = ? AND c.holder_code = ? AND"
				    " t.name = ? AND c.revoked_at IS NULL AND (c.valid_to IS NULL "
				    "OR c.valid_to >= ?) UNION ALL SELECT 1 FROM peer_certificates"
				    " WHERE identifier = ? AND holder_code = ? AND type_name = ? "
				    "AND"
				    " (valid_to IS NULL OR valid_to >= ?)",
				    "ssssssss", ref, code, type, day, ref, code, type, day);
				tb_stmt_reset(st);
				if (e == TB_OK && !row)
					e = tb_fail(
					    f, TB_EINVAL, field,
					    "not a valid certificate of this type held by the "
					    "applicant");
			}
		} else if (!strcmp(src, "library") || !strcmp(src, "upload")) {
			/* Uploads arrive through the upload endpoint, which records
			 * them; a list may only name what was given. */
			if (!ref || !in_library(c, applicant, ref, &e))
				e = e != TB_OK ? e
				    : !strcmp(src, "library")
				        ? tb_fail(f, TB_EINVAL, field,
				                  "not a file of the applicant's library")
				        : tb_fail(f, TB_EINVAL, field,
				                  "no such upload: give the file with POST "
				                  "/api/v1/cases/{case_no}/materials");
		} else if (!strcmp(src, "window") && strcmp(channel, "window") != 0) {
			e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "materials[%zu].source", i),
			            "only the general window takes papers in hand");
		}
	}
	json_decref(list);
	return e;
}

static bool recorded(struct tb_conn *c, int64_t case_id, const char *name, enum tb_err *e)
{
	struct tb_stmt *st;
	bool row = false;
	*e = tb_conn_query(c, &st, &row,
	                   "SELECT 1 FROM materials WHERE case_id = ? AND name = ? AND source IN"
	                   " ('certificate', 'library') LIMIT 1",
	                   "is", case_id, name);
	tb_stmt_reset(st);
	return *e == TB_OK && row;
}

/* The SM3 and length of a certificate's signed record. */
static enum tb_err certificate_digest(struct tb_conn *c, const char *identifier,
                                      char sm3[TB_SM3_HEX], int64_t *size)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT record FROM certificates WHERE identifier = ? UNION"
	                  " ALL SELECT record FROM peer_certificates WHERE identifier = ?",
	                  "ss", identifier, identifier);
	if (e == TB_OK && row) {
		const char *rec = tb_stmt_text(st, 0);
		*size = (int64_t)strlen(rec);
		tb_sm3_hex(rec, strlen(rec), sm3);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_reuse_record_on(struct tb_conn *c, int64_t applicant, int64_t case_id,
                               int64_t given_by, const char *materials)
{
	json_t *list = json_loads(materials, 0, NULL);
	int64_t now = (int64_t)time(NULL);
	enum tb_err e = TB_OK;
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		const char *src = json_string_value(json_object_get(m, "source"));
		const char *name = json_string_value(json_object_get(m, "name"));
		const char *ref = json_string_value(json_object_get(m, "ref"));
		if (!src || !name || !ref || (strcmp(src, "certificate") && strcmp(src, "library")))
			continue;
		if (recorded(c, case_id, name, &e) || e != TB_OK) {
			if (e != TB_OK)
				break;
			continue;
		}
		if (!strcmp(src, "library")) {
			e = tb_conn_run(
			    c, NULL,
			    "INSERT INTO materials (owner_id, name, kind, sm3, size, mime,"
			    " source, case_id, given_by, created_at) SELECT owner_id, ?,"
			    " kind, sm3, size, mime, 'library', ?, ?, ? FROM materials WHERE"
			    " owner_id = ? AND sm3 = ? AND source = 'upload' ORDER BY id DESC"
			    " LIMIT 1",
			    "siiiis", name, case_id, given_by, now, applicant, ref);
		} else {
			char sm3[TB_SM3_HEX];
			int64_t size = 0;
			e = certificate_digest(c, ref, sm3, &size);
			if (e == TB_OK)
				e = tb_conn_run(
				    c, NULL,
				    "INSERT INTO materials (owner_id, name, kind, sm3, size,"
				    " mime, source, case_id, given_by, created_at) VALUES (?,"
				    " ?, NULL, ?, ?, 'application/json', 'certificate', ?, ?,"
				    " ?)",
				    "issiiii", applicant, name, sm3, size, case_id, given_by, now);
		}
		if (e != TB_OK)
			break;
	}
	json_decref(list);
	return e;
}

struct tally {
	int64_t cases, required, certificate, library, sharing;
};

static void tally_add(struct tally *t, const struct tally *x)
{
	t->cases += x->cases;
	t->required += x->required;
	t->certificate += x->certificate;
	t->library += x->library;
	t->sharing += x->sharing;
}

static json_t *tally_json(const struct tally *t)
{
	int64_t reused = t->certificate + t->library + t->sharing;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "cases", (json_int_t)t->cases,
	                 "required", (json_int_t)t->required, "certificate",
	                 (json_int_t)t->certificate, "library", (json_int_t)t->library, "sharing",
	                 (json_int_t)t->sharing, "upload", (json_int_t)(t->required - reused),
	                 "without_upload", (json_int_t)reused, "share",
	                 t->required ? (double)reused / (double)t->required : 0.0);
}

enum tb_err tb_reuse_stats(struct tb_store *s, const char *region, const char *item,
                           struct tb_arena *a, const char **text)
{
	*text = NULL;
	char prefix[10] = "", like[12];
	if (region)
		tb_region_prefix(region, prefix);
	snprintf(like, sizeof(like), "%s%%", prefix);
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT region, item_code, MAX(item_name), COUNT(*), SUM(mat_required),"
	                  " SUM(mat_certificate), SUM(mat_library), SUM(mat_sharing) FROM cases"
	                  " WHERE submitted_at IS NOT NULL AND region LIKE ? AND (? = '' OR"
	                  " item_code = ?) GROUP BY region, item_code ORDER BY region, item_code",
	                  "sss", like, item ? item : "", item ? item : "");
	json_t *items = json_array(), *by_region = json_array();
	struct tally total = {0}, reg = {0};
	char current[10] = "";
	while (e == TB_OK && row) {
		struct tally t = {tb_stmt_int(st, 3), tb_stmt_int(st, 4), tb_stmt_int(st, 5),
		                  tb_stmt_int(st, 6), tb_stmt_int(st, 7)};
		const char *region_code = tb_stmt_text(st, 0);
		json_t *j = tally_json(&t);
		json_object_set_new(j, "region", json_string(region_code));
		json_object_set_new(j, "item", json_string(tb_stmt_text(st, 1)));
		json_object_set_new(j, "item_name", json_string(tb_stmt_text(st, 2)));
		json_array_append_new(items, j);
		/* Rows come by region: a region's total is complete when the
		 * next region starts. */
		if (current[0] && strcmp(current, region_code) != 0) {
			json_t *r = tally_json(&reg);
			json_object_set_new(r, "region", json_string(current));
			json_array_append_new(by_region, r);
			memset(&reg, 0, sizeof(reg));
		}
		snprintf(current, sizeof(current), "%s", region_code);
		tally_add(&reg, &t);
		tally_add(&total, &t);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	if (current[0]) {
		json_t *r = tally_json(&reg);
		json_object_set_new(r, "region", json_string(current));
		json_array_append_new(by_region, r);
	}
	if (e != TB_OK) {
		json_decref(items);
		json_decref(by_region);
		return e;
	}
	json_t *out = json_pack("{s:o, s:o, s:o}", "total", tally_json(&total), "by_region",
	                        by_region, "by_item", items);
	*text = tb_json_take(out, a);
	return TB_OK;
}
