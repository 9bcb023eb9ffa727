/* 多地联办 (see joint.h). */
#include "federation/joint.h"
#include "base/json.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "federation/forward.h"
#include "materials/blobs.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 16

/* What the part needs of the case, read in one go. */
struct joint_case {
	int64_t id, department;
	const char *state, *item_name, *doc, *form;
	const char *name, *login, *phone; /* the applicant */
};

static enum tb_err case_on(struct tb_conn *c, const char *case_no, struct tb_arena *a,
                           struct joint_case *out)
{
	struct tb_stmt *st;
	bool row;
	int64_t version = 0;
	const char *code = NULL;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT k.id, k.department_id, k.state, k.item_name, k.form, k.item_code,"
	    " k.item_version, a.name, a.login, a.phone FROM cases k JOIN accounts a ON"
	    " a.id = k.applicant_id WHERE k.case_no = ?",
	    "s", case_no);
	if (e == TB_OK && row) {
		out->id = tb_stmt_int(st, 0);
		out->department = tb_stmt_int(st, 1);
		out->state = tb_arena_strdup(a, tb_stmt_text(st, 2));
		out->item_name = tb_arena_strdup(a, tb_stmt_text(st, 3));
		out->form = tb_arena_strdup(a, tb_stmt_text(st, 4));
		code = tb_arena_strdup(a, tb_stmt_text(st, 5));
		version = tb_stmt_int(st, 6);
		out->name = tb_arena_strdup(a, tb_stmt_text(st, 7));
		out->login = tb_arena_strdup(a, tb_stmt_text(st, 8));
		out->phone =
		    tb_stmt_is_null(st, 9) ? NULL : tb_arena_strdup(a, tb_stmt_text(st, 9));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	if (e == TB_OK)
		e = tb_item_doc_on(c, code, version, a, &out->doc);
	return e;
}

/* The joint_part of an item's document text, or NULL (taken: decref). */
static json_t *joint_of(const char *doc)
{
	json_t *d = json_loads(doc ? doc : "", 0, NULL);
	json_t *j = json_object_get(d, "joint_part");
	if (json_is_object(j))
		json_incref(j);
	else
		j = NULL;
	json_decref(d);
	return j;
}

/* The file of blob sm3 as base64 (malloc'd), or NULL. */
static char *file64(struct tb_blobs *blobs, const char *sm3, size_t max)
{
	char path[4096];
	if (!tb_blob_path(blobs, sm3, path, sizeof(path)))
		return NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	unsigned char *buf = tb_xmalloc(max + 1);
	size_t n = fread(buf, 1, max + 1, fp);
	fclose(fp);
	char *out = NULL;
	if (n > 0 && n <= max) {
		out = tb_xmalloc((n + 2) / 3 * 4 + 1);
		EVP_EncodeBlock((unsigned char *)out, buf, (int)n);
	}
	free(buf);
	return out;
}

/* Checks that the peer offers item as the national basic item basic (the
 * one that does the joint part) and puts the names of its materials (its
 * guide as the peer published it) into names (a JSON array, taken). */
static enum tb_err peer_item_on(struct tb_conn *c, const char *peer, const char *item,
                                const char *basic, json_t **names, struct tb_fail *f)
{
	*names = json_array();
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT i.doc FROM peers p LEFT JOIN peer_items i ON"
	                              " i.peer_id = p.id AND i.implementation_code = ? WHERE"
	                              " p.province = ?",
	                              "ss", item, peer);
	bool known = e == TB_OK && row, offered = known && !tb_stmt_is_null(st, 0);
	json_t *doc = offered ? json_loads(tb_stmt_text(st, 0), 0, NULL) : NULL;
	tb_stmt_reset(st);
	const char *b = json_string_value(json_object_get(doc, "basic_code"));
	if (e == TB_OK && !known)
		e = tb_fail(f, TB_EINVAL, "peer", "not a peer of this platform");
	else if (e == TB_OK && !offered)
		e = tb_fail(f, TB_EINVAL, "item",
		            "not an item the peer offers for cross-province handling");
	else if (e == TB_OK && (!b || strcmp(b, basic) != 0))
		e = tb_fail(f, TB_EINVAL, "item", "not the item that does the joint part");
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(doc, "materials"), i, m)
	    json_array_append(*names, json_object_get(m, "name"));
	json_decref(doc);
	return e;
}

/* The case's uploaded files whose material the peer's item asks for, as
 * forward materials (contents base64, malloc'd into out[i].content). */
static enum tb_err files_on(struct tb_conn *c, struct tb_blobs *blobs, int64_t case_id,
                            json_t *wanted, size_t max, struct tb_arena *a,
                            struct tb_forward_material *out, size_t *n, struct tb_fail *f)
{
	*n = 0;
	if (max > TB_FORWARD_FILE_MAX)
		max = TB_FORWARD_FILE_MAX;
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT name, sm3, mime, size FROM materials WHERE case_id = ?"
	                  " AND source = 'upload' ORDER BY id",
	                  "i", case_id);
	while (e == TB_OK && row && *n < MAX_FILES) {
		const char *name = tb_stmt_text(st, 0);
		bool asked = false;
		size_t i;
		json_t *w;
		json_array_foreach(wanted, i, w) asked =
		    asked || !strcmp(json_string_value(w), name);
		/* Refused by name rather than left out: the part would reach the
		 * peer without a material its item asks for. */
		if (asked && (size_t)tb_stmt_int(st, 3) > max) {
			e = tb_fail(
			    f, TB_EINVAL, "materials",
			    tb_arena_printf(a,
			                    "the file of %s is over 700 KB, the most the exchange"
			                    " between platforms carries",
			                    name));
			break;
		}
		char *content = asked ? file64(blobs, tb_stmt_text(st, 1), max) : NULL;
		if (content) {
			const char *mime = tb_stmt_text(st, 2);
			const char *ext = strstr(mime, "pdf")    ? "pdf"
			                  : strstr(mime, "jpeg") ? "jpg"
			                  : strstr(mime, "png")  ? "png"
			                                         : "ofd";
			out[*n] = (struct tb_forward_material){
			    tb_arena_strdup(a, name), tb_arena_printf(a, "%s.%s", name, ext),
			    tb_arena_strdup(a, content)};
			free(content);
			(*n)++;
		}
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_joint_start(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                           const char *case_no, const char *peer, const char *item, size_t max_size,
                           struct tb_arena *a, const char **part_no, struct tb_fail *f)
{
	*part_no = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(env->store, &c);
	if (e != TB_OK)
		return e;
	struct joint_case k = {0};
	json_t *joint = NULL, *wanted = NULL;
	struct tb_forward_material files[MAX_FILES];
	size_t nfiles = 0;
	e = case_on(c, case_no, a, &k);
	if (e == TB_ENOTFOUND)
		tb_fail(f, e, "case_no", "no such case");
	if (e == TB_OK && !(joint = joint_of(k.doc)))
		e = tb_fail(f, TB_EINVAL, "case_no",
		            "the item of this case is handled at one platform");
	if (e == TB_OK && strcmp(k.state, "accepted") != 0 && strcmp(k.state, "under_review") != 0)
		e = tb_fail(f, TB_ECONFLICT, "state",
		            tb_arena_printf(a,
		                            "the joint part is sent for a case accepted or under"
		                            " review, not one that is %s",
		                            k.state));
	if (e == TB_OK)
		e = peer_item_on(c, peer ? peer : "", item ? item : "",
		                 json_string_value(json_object_get(joint, "basic_code")), &wanted,
		                 f);
	if (e == TB_OK)
		e = files_on(c, env->blobs, k.id, wanted, max_size, a, files, &nfiles, f);
	tb_store_release(c);
	json_decref(wanted);
	/* The form says whose part this is: the peer's officials see the
	 * case and the item it belongs to. */
	json_t *form = json_loads(k.form ? k.form : "{}", 0, NULL);
	if (!json_is_object(form)) {
		json_decref(form);
		form = json_object();
	}
	json_object_set_new(
	    form, "联办事项",
	    json_string(tb_arena_printf(a, "%s（%s）", k.item_name ? k.item_name : "",
	                                json_string_value(json_object_get(joint, "name")))));
	json_object_set_new(form, "联办办件编号", json_string(case_no));
	char *form_text = json_dumps(form, JSON_COMPACT);
	json_decref(form);
	json_decref(joint);
	if (e == TB_OK && nfiles == 0)
		e = tb_fail(f, TB_EINVAL, "materials",
		            "the case has no uploaded file that the peer's item asks for");
	if (e == TB_OK) {
		struct tb_forward_new in = {.peer = peer,
		                            .item = item,
		                            .name = k.name,
		                            .id_number = k.login,
		                            .phone = k.phone,
		                            .form = form_text,
		                            .materials = files,
		                            .nmaterials = nfiles,
		                            .case_id = k.id};
		e = tb_forward_create(env, ctx, k.department, &in, max_size, a, part_no, f);
	}
	free(form_text);
	return e;
}

/* The parts of case id: [{...}] as joint.h says. */
static enum tb_err parts_on(struct tb_conn *c, int64_t id, json_t *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT f.id, f.forward_no, p.province, p.name, f.item_code, f.item_name, f.state,"
	    " f.peer_case_no, f.note, f.created_at, f.updated_at, EXISTS (SELECT 1 FROM"
	    " forward_steps s WHERE s.forward_id = f.id AND s.event = 'approve') FROM forwards"
	    " f JOIN peers p ON p.id = f.peer_id WHERE f.case_id = ? ORDER BY f.id",
	    "i", id);
	while (e == TB_OK && row) {
		json_array_append_new(
		    out,
		    json_pack(
		        "{s:I, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:o, s:o, s:b, s:I, s:I,"
		        " s:[]}",
		        "id", (json_int_t)tb_stmt_int(st, 0), "part_no", tb_stmt_text(st, 1),
		        "peer", "province", tb_stmt_text(st, 2), "name", tb_stmt_text(st, 3),
		        "item", "code", tb_stmt_text(st, 4), "name", tb_stmt_text(st, 5), "state",
		        tb_stmt_text(st, 6), "peer_case_no",
		        tb_stmt_is_null(st, 7) ? json_null() : json_string(tb_stmt_text(st, 7)),
		        "note",
		        tb_stmt_is_null(st, 8) ? json_null() : json_string(tb_stmt_text(st, 8)),
		        "approved", (int)tb_stmt_int(st, 11), "created_at",
		        (json_int_t)tb_stmt_int(st, 9), "updated_at",
		        (json_int_t)tb_stmt_int(st, 10), "steps"));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	size_t i;
	json_t *part;
	json_array_foreach(out, i, part)
	{
		if (e != TB_OK)
			break;
		e = tb_forward_steps_on(c, (int64_t)json_integer_value(json_object_get(part, "id")),
		                        json_object_get(part, "steps"));
		json_object_del(part, "id");
	}
	return e;
}

/* The items active peers offer whose national basic item is basic. */
static enum tb_err offers_on(struct tb_conn *c, const char *basic, json_t *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT p.province, p.name, i.implementation_code, i.name, i.doc FROM peer_items i"
	    " JOIN peers p ON p.id = i.peer_id WHERE p.state = 'active' ORDER BY p.province,"
	    " i.implementation_code",
	    "");
	while (e == TB_OK && row) {
		json_t *doc = json_loads(tb_stmt_text(st, 4), 0, NULL);
		const char *b = json_string_value(json_object_get(doc, "basic_code"));
		if (b && !strcmp(b, basic))
			json_array_append_new(
			    out, json_pack("{s:s, s:s, s:s, s:s}", "province", tb_stmt_text(st, 0),
			                   "name", tb_stmt_text(st, 1), "code", tb_stmt_text(st, 2),
			                   "item_name", tb_stmt_text(st, 3)));
		json_decref(doc);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_joint_read(struct tb_store *s, const char *case_no, bool with_offers,
                          struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct joint_case k = {0};
	e = case_on(c, case_no, a, &k);
	json_t *joint = e == TB_OK ? joint_of(k.doc) : NULL;
	json_t *out = json_pack("{s:o, s:[], s:[]}", "joint_part", joint ? joint : json_null(),
	                        "parts", "offers");
	if (e == TB_OK)
		e = parts_on(c, k.id, json_object_get(out, "parts"));
	if (e == TB_OK && joint && with_offers)
		e = offers_on(c, json_string_value(json_object_get(joint, "basic_code")),
		              json_object_get(out, "offers"));
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_json_take(out, a);
	else
		json_decref(out);
	return e;
}
