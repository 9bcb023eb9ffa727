/* 异地代收代办 (see forward.h). */
#include "federation/forward.h"
#include "audit/audit.h"
#include "base/crypto.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "cases/cases.h"
#include "codes/idnum.h"
#include "federation/identity.h"
#include "identity/accounts.h"
#include "materials/blobs.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_MATERIALS 16

/* ---- files as base64 ------------------------------------------------------ */

/* Decodes base64 text into *out (malloc'd) of *n bytes; false when it is
 * not base64. */
static bool decode64(const char *text, unsigned char **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t len = text ? strlen(text) : 0;
	if (len == 0 || len % 4 != 0 || len > (size_t)INT32_MAX)
		return false;
	unsigned char *buf = tb_xmalloc(len / 4 * 3 + 1);
	int got = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
	if (got < 0) {
		free(buf);
		return false;
	}
	size_t pad = text[len - 1] == '=' ? (text[len - 2] == '=' ? 2 : 1) : 0;
	*out = buf;
	*n = (size_t)got - pad;
	return true;
}

/* Stores bytes[0..n) in the blob store: its SM3 and type. TB_EMEDIA for a
 * type the platform does not keep, TB_ETOOBIG over max bytes. */
static enum tb_err keep_file(struct tb_blobs *blobs, const unsigned char *bytes, size_t n,
                             size_t max, char sm3[TB_SM3_HEX], const char **mime)
{
	struct tb_blob_writer *w;
	enum tb_err e = tb_blob_begin(blobs, max, &w);
	if (e != TB_OK)
		return e;
	if ((e = tb_blob_write(w, bytes, n)) != TB_OK)
		return e; /* the writer is gone */
	size_t size;
	bool existed;
	return tb_blob_finish(w, sm3, &size, mime, &existed);
}

/* ---- at the receiving window ---------------------------------------------- */

struct create_args {
	const struct tb_exchange_env *env;
	const struct tb_ctx *ctx;
	int64_t department;
	const struct tb_forward_new *in;
	const struct tb_peer *peer;
	const char *item_name, *forward_no;
	json_t *files; /* [{material, name, sm3, mime, size}] */
	struct tb_fail *f;
};

static enum tb_err create_in(struct tb_conn *c, void *arg)
{
	struct create_args *x = arg;
	const struct tb_forward_new *in = x->in;
	int64_t now = (int64_t)time(NULL);
	enum tb_err e = TB_OK;
	if (in->case_id) {
		/* One part under way or done per case: checked here, in the
		 * transaction, so that two officials starting it at once
		 * send one. A part the peer turned down may be sent again. */
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(c, &st, &row,
		                  "SELECT forward_no FROM forwards WHERE case_id = ? AND state NOT"
		                  " IN ('failed', 'not_accepted', 'withdrawn')",
		                  "i", in->case_id);
		tb_stmt_reset(st);
		if (e == TB_OK && row)
			return tb_fail(x->f, TB_ECONFLICT, "joint",
			               "the joint part of this case is already under way");
	}
	char *materials = json_dumps(x->files, JSON_COMPACT);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO forwards (forward_no, peer_id, item_code, item_name,"
		    " window_department_id, clerk_id, applicant_name, applicant_id_number,"
		    " applicant_phone, form, materials, state, created_at, updated_at, case_id)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'forwarded', ?, ?, ?)",
		    "sissiisssssiiI", x->forward_no, x->peer->id, in->item, x->item_name,
		    x->department, x->ctx->who->account_id, in->name, in->id_number, in->phone,
		    in->form, materials, now, now, in->case_id);
	free(materials);
	/* The files first: the peer takes the application only once every
	 * file it names has arrived, and messages to a peer arrive in order. */
	size_t i;
	json_t *file;
	json_array_foreach(x->files, i, file)
	{
		if (e != TB_OK)
			break;
		e = tb_exchange_send_on(
		    c, x->env, x->ctx, x->peer->id, "material.put",
		    json_pack("{s:O, s:O, s:O, s:s}", "sm3", json_object_get(file, "sm3"), "name",
		              json_object_get(file, "name"), "mime", json_object_get(file, "mime"),
		              "content", in->materials[i].content),
		    NULL, x->f);
	}
	json_t *form = json_loads(in->form, 0, NULL);
	if (e == TB_OK)
		e = tb_exchange_send_on(
		    c, x->env, x->ctx, x->peer->id, "case.forward",
		    json_pack("{s:s, s:s, s:{s:s, s:s, s:s*}, s:o, s:O}", "origin_no",
		              x->forward_no, "item", in->item, "applicant", "name", in->name,
		              "id_number", in->id_number, "phone", in->phone, "form",
		              form ? form : json_object(), "materials", x->files),
		    NULL, x->f);
	else
		json_decref(form);
	if (e == TB_OK) {
		char obj[96];
		snprintf(obj, sizeof(obj), "forward:%s;peer:%s", x->forward_no, x->peer->province);
		e = tb_ctx_audit(c, x->ctx, "forward.create", obj, "ok");
	}
	return e;
}

/* The offered item code of peer on c: its name into *name (arena). */
static enum tb_err offered_on(struct tb_conn *c, int64_t peer, const char *code, struct tb_arena *a,
                              const char **name)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT name FROM peer_items WHERE peer_id = ? AND implementation_code = ?", "is", peer,
	    code);
	if (e == TB_OK && row)
		*name = tb_arena_strdup(a, tb_stmt_text(st, 0));
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

/* Checks the applicant and form of in (f names the bad member). */
static enum tb_err check_applicant(const struct tb_forward_new *in, struct tb_fail *f)
{
	struct tb_idnum idn;
	if (!in->id_number || tb_idnum_check(in->id_number, &idn, NULL) != TB_OK)
		return tb_fail(f, TB_EINVAL, "id_number", "not a citizen identity number");
	size_t chars = in->name ? tb_utf8_chars(in->name, strlen(in->name)) : 0;
	if (chars < 1 || chars > 64)
		return tb_fail(f, TB_EINVAL, "name", "1 to 64 characters");
	json_t *form = in->form ? json_loads(in->form, 0, NULL) : NULL;
	bool ok = json_is_object(form);
	json_decref(form);
	if (!ok)
		return tb_fail(f, TB_EINVAL, "form", "expected a JSON object");
	if (in->nmaterials == 0 || in->nmaterials > MAX_MATERIALS)
		return tb_fail(f, TB_EINVAL, "materials", "1 to 16 files");
	return TB_OK;
}

enum tb_err tb_forward_create(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                              int64_t department, const struct tb_forward_new *in, size_t max_size,
                              struct tb_arena *a, const char **forward_no, struct tb_fail *f)
{
	*forward_no = NULL;
	if (max_size > TB_FORWARD_FILE_MAX)
		max_size = TB_FORWARD_FILE_MAX;
	enum tb_err e = check_applicant(in, f);
	struct tb_peer peer;
	const char *item_name = NULL;
	struct tb_conn *c;
	if (e == TB_OK && (e = tb_store_acquire(env->store, &c)) == TB_OK) {
		e = in->peer ? tb_peer_find_on(c, in->peer, a, &peer) : TB_ENOTFOUND;
		if (e == TB_ENOTFOUND)
			e = tb_fail(f, TB_EINVAL, "peer", "not a peer of this platform");
		else if (e == TB_OK && !peer.active)
			e = tb_fail(f, TB_EDENIED, "peer", "the peer is suspended");
		if (e == TB_OK && (e = offered_on(c, peer.id, in->item ? in->item : "", a,
		                                  &item_name)) == TB_ENOTFOUND)
			e = tb_fail(f, TB_EINVAL, "item",
			            "not an item the peer offers for cross-province handling");
		tb_store_release(c);
	}
	/* The files into the blob store (content checked), named by SM3. */
	json_t *files = json_array();
	for (size_t i = 0; e == TB_OK && i < in->nmaterials; i++) {
		const struct tb_forward_material *m = &in->materials[i];
		unsigned char *bytes;
		size_t n;
		char sm3[TB_SM3_HEX];
		const char *mime = NULL;
		const char *field = tb_arena_printf(a, "materials[%zu].content", i);
		if (!m->material || !*m->material || !m->name || !*m->name)
			e = tb_fail(f, TB_EINVAL, tb_arena_printf(a, "materials[%zu]", i),
			            "expected material, name and content");
		else if (!decode64(m->content, &bytes, &n))
			e = tb_fail(f, TB_EINVAL, field, "not base64");
		else {
			e = n > max_size ? TB_ETOOBIG
			                 : keep_file(env->blobs, bytes, n, max_size, sm3, &mime);
			free(bytes);
			if (e == TB_EMEDIA || e == TB_EINVAL)
				e = tb_fail(f, TB_EINVAL, field,
				            "expected a PDF, JPEG, PNG or OFD file");
			else if (e == TB_ETOOBIG)
				tb_fail(f, e, field, "the file is too large");
			else if (e == TB_OK)
				json_array_append_new(
				    files, json_pack("{s:s, s:s, s:s, s:s, s:I}", "material",
				                     m->material, "name", m->name, "sm3", sm3,
				                     "mime", mime, "size", (json_int_t)n));
		}
	}
	char no[96];
	if (e == TB_OK) {
		unsigned char raw[3];
		char hex[7];
		tb_random(raw, sizeof(raw));
		tb_hex(raw, sizeof(raw), hex);
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(no, sizeof(no), "KS%.2s%04d%02d%02d%02d%02d%02d%s", env->province,
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		         tm.tm_sec, hex);
		struct create_args x = {env, ctx, department, in, &peer, item_name, no, files, f};
		e = tb_store_write(env->store, create_in, &x);
	}
	json_decref(files);
	if (e == TB_OK)
		*forward_no = tb_arena_strdup(a, no);
	return e;
}

enum tb_err tb_forward_list(struct tb_store *s, int64_t department, int limit, struct tb_arena *a,
                            const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT f.forward_no, p.province, p.name, f.item_code, f.item_name,"
	    " f.applicant_name, f.applicant_id_number, f.state, f.peer_case_no,"
	    " f.created_at, f.updated_at, f.handed_out_at, f.delivery, f.applicant_phone"
	    " FROM forwards f JOIN peers p ON p.id = f.peer_id WHERE (? = 0 OR"
	    " f.window_department_id = ?) AND f.case_id IS NULL ORDER BY f.id DESC LIMIT ?",
	    "iii", department, department, (int64_t)limit);
	json_t *items = json_array();
	while (e == TB_OK && row) {
		/* Masked as accounts are everywhere (330106********123X). */
		const char *masked = tb_mask(a, tb_stmt_text(st, 6));
		json_array_append_new(
		    items,
		    json_pack(
		        "{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:o, s:I, s:I}",
		        "forward_no", tb_stmt_text(st, 0), "peer", "province", tb_stmt_text(st, 1),
		        "name", tb_stmt_text(st, 2), "item", "code", tb_stmt_text(st, 3), "name",
		        tb_stmt_text(st, 4), "applicant", "name", tb_stmt_text(st, 5), "id_number",
		        masked, "state", tb_stmt_text(st, 7), "peer_case_no",
		        tb_stmt_is_null(st, 8) ? json_null() : json_string(tb_stmt_text(st, 8)),
		        "created_at", (json_int_t)tb_stmt_int(st, 9), "updated_at",
		        (json_int_t)tb_stmt_int(st, 10)));
		json_t *last = json_array_get(items, json_array_size(items) - 1);
		json_object_set_new(last, "handed_out",
		                    tb_stmt_is_null(st, 11)
		                        ? json_null()
		                        : json_pack("{s:I, s:s}", "at",
		                                    (json_int_t)tb_stmt_int(st, 11), "delivery",
		                                    tb_stmt_text(st, 12)));
		json_object_set_new(last, "phone",
		                    tb_stmt_is_null(st, 13) ? json_null()
		                                            : json_string(tb_stmt_text(st, 13)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	json_t *j = json_pack("{s:o}", "items", items);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}

enum tb_err tb_forward_steps_on(struct tb_conn *c, int64_t id, json_t *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row,
	                              "SELECT step, event, to_state, opinion, at FROM forward_steps"
	                              " WHERE forward_id = ? ORDER BY step",
	                              "i", id);
	while (e == TB_OK && row) {
		json_array_append_new(
		    out,
		    json_pack("{s:I, s:s, s:s, s:s, s:I}", "step", (json_int_t)tb_stmt_int(st, 0),
		              "event", tb_stmt_text(st, 1), "state", tb_stmt_text(st, 2), "opinion",
		              tb_stmt_text(st, 3), "at", (json_int_t)tb_stmt_int(st, 4)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_forward_get(struct tb_store *s, const char *forward_no, struct tb_arena *a,
                           const char **text, int64_t *department)
{
	*text = NULL;
	*department = 0;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(
	    c, &st, &row,
	    "SELECT f.id, p.province, p.name, p.base_url, f.item_code, f.item_name,"
	    " f.applicant_name, f.applicant_id_number, f.applicant_phone, f.form,"
	    " f.materials, f.state, f.peer_case_no, f.note, f.created_at, f.updated_at,"
	    " f.window_department_id FROM forwards f JOIN peers p ON p.id = f.peer_id"
	    " WHERE f.forward_no = ?",
	    "s", forward_no);
	json_t *j = NULL;
	int64_t id = 0;
	if (e == TB_OK && row) {
		id = tb_stmt_int(st, 0);
		*department = tb_stmt_int(st, 16);
		json_t *form = json_loads(tb_stmt_text(st, 9), 0, NULL);
		json_t *mats = json_loads(tb_stmt_text(st, 10), 0, NULL);
		j = json_pack(
		    "{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:o}, s:o, s:o,"
		    " s:s, s:o, s:o, s:I, s:I, s:[]}",
		    "forward_no", forward_no, "peer", "province", tb_stmt_text(st, 1), "name",
		    tb_stmt_text(st, 2), "base_url", tb_stmt_text(st, 3), "item", "code",
		    tb_stmt_text(st, 4), "name", tb_stmt_text(st, 5), "applicant", "name",
		    tb_stmt_text(st, 6), "id_number", tb_stmt_text(st, 7), "phone",
		    tb_stmt_is_null(st, 8) ? json_null() : json_string(tb_stmt_text(st, 8)), "form",
		    form ? form : json_object(), "materials", mats ? mats : json_array(), "state",
		    tb_stmt_text(st, 11), "peer_case_no",
		    tb_stmt_is_null(st, 12) ? json_null() : json_string(tb_stmt_text(st, 12)),
		    "note",
		    tb_stmt_is_null(st, 13) ? json_null() : json_string(tb_stmt_text(st, 13)),
		    "created_at", (json_int_t)tb_stmt_int(st, 14), "updated_at",
		    (json_int_t)tb_stmt_int(st, 15), "steps");
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	if (e == TB_OK)
		e = tb_forward_steps_on(c, id, json_object_get(j, "steps"));
	tb_store_release(c);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}

/* case.state {origin_no, case_no, state, note, steps: [{step, event,
 * state, opinion, at}]}: the peer reports on a forward of ours. */
enum tb_err tb_forward_on_state(struct tb_conn *c, const struct tb_exchange_env *env,
                                const struct tb_exchange_msg *m, json_t **reply, struct tb_fail *f)
{
	(void)env;
	const char *origin = NULL, *case_no = NULL, *state = NULL, *note = NULL;
	json_t *steps = NULL;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s, s?s, s:s, s?s, s:o}", "origin_no",
	                   &origin, "case_no", &case_no, "state", &state, "note", &note, "steps",
	                   &steps) != 0 ||
	    !json_is_array(steps))
		return tb_fail(f, TB_EINVAL, "body", "expected origin_no, state and steps");
	struct tb_stmt *st;
	bool row;
	int64_t id = 0;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT id FROM forwards WHERE forward_no = ? AND peer_id = ?", "si",
	    origin, m->peer->id);
	if (e == TB_OK && row)
		id = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	if (e == TB_OK && !row)
		return tb_fail(f, TB_EINVAL, "origin_no",
		               "not a forward of this platform to the peer");
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s)
	{
		json_int_t step = 0, at = 0;
		const char *event = NULL, *to = NULL, *opinion = NULL;
		if (e != TB_OK)
			break;
		if (json_unpack_ex(s, &err, 0, "{s:I, s:s, s:s, s:s, s:I}", "step", &step, "event",
		                   &event, "state", &to, "opinion", &opinion, "at", &at) != 0)
			return tb_fail(f, TB_EINVAL, "steps",
			               "expected step, event, state, opinion and at");
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO forward_steps (forward_id, step, event, to_state, opinion,"
		    " at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (forward_id, step) DO NOTHING",
		    "iisssi", id, (int64_t)step, event, to, opinion, (int64_t)at);
	}
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "UPDATE forwards SET state = ?, peer_case_no = COALESCE(?, peer_case_no),"
		    " note = COALESCE(?, note), updated_at = ? WHERE id = ?",
		    "sssii", state, case_no, note, (int64_t)time(NULL), id);
	if (e == TB_OK)
		*reply = json_pack("{s:s, s:s}", "origin_no", origin, "state", state);
	return e;
}

/* ---- at the handling platform --------------------------------------------- */

/* material.put {sm3, name, mime, content}: a file of an application a peer
 * forwards; kept when its bytes have the SM3 it claims. */
enum tb_err tb_forward_on_material(struct tb_conn *c, const struct tb_exchange_env *env,
                                   const struct tb_exchange_msg *m, json_t **reply,
                                   struct tb_fail *f)
{
	(void)c;
	const char *sm3 = NULL, *name = NULL, *mime = NULL, *content = NULL;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s, s:s, s:s, s:s}", "sm3", &sm3, "name",
	                   &name, "mime", &mime, "content", &content) != 0)
		return tb_fail(f, TB_EINVAL, "body", "expected sm3, name, mime and content");
	unsigned char *bytes;
	size_t n;
	if (!decode64(content, &bytes, &n))
		return tb_fail(f, TB_EINVAL, "content", "not base64");
	char got[TB_SM3_HEX];
	tb_sm3_hex(bytes, n, got);
	enum tb_err e = TB_OK;
	const char *kept_mime = NULL;
	if (strcmp(got, sm3) != 0)
		e = tb_fail(f, TB_EINVAL, "sm3", "the content does not match its SM3");
	else if ((e = keep_file(env->blobs, bytes, n, 64u << 20, got, &kept_mime)) != TB_OK)
		e = tb_fail(f, TB_EINVAL, "content", "expected a PDF, JPEG, PNG or OFD file");
	free(bytes);
	if (e == TB_OK)
		*reply = json_pack("{s:s}", "sm3", got);
	return e;
}

/* case.forward {origin_no, item, applicant, form, materials}: recorded
 * when the item is one this platform offers across provinces and every
 * file named has arrived; made a case by tb_forward_admit. */
enum tb_err tb_forward_on_case(struct tb_conn *c, const struct tb_exchange_env *env,
                               const struct tb_exchange_msg *m, json_t **reply, struct tb_fail *f)
{
	const char *origin = NULL, *item = NULL;
	json_t *applicant = NULL, *form = NULL, *materials = NULL;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s, s:s, s:o, s:o, s:o}", "origin_no",
	                   &origin, "item", &item, "applicant", &applicant, "form", &form,
	                   "materials", &materials) != 0 ||
	    !json_is_array(materials) || !json_is_object(form))
		return tb_fail(f, TB_EINVAL, "body",
		               "expected origin_no, item, applicant, form and materials");
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "SELECT 1 FROM items WHERE implementation_code = ? AND state ="
	                  " 'published' AND cross_region = 'nationwide'",
	                  "s", item);
	tb_stmt_reset(st);
	if (e == TB_OK && !row)
		return tb_fail(f, TB_EDENIED, "item",
		               "not an item this platform offers for cross-province handling");
	size_t i;
	json_t *mat;
	json_array_foreach(materials, i, mat)
	{
		const char *sm3 = json_string_value(json_object_get(mat, "sm3"));
		char path[4096];
		if (!sm3 || !tb_blob_path(env->blobs, sm3, path, sizeof(path)))
			return tb_fail(f, TB_EINVAL, "materials",
			               "a file it names has not arrived");
	}
	char *payload = json_dumps(m->body, JSON_COMPACT);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "INSERT INTO forwarded_in (peer_id, origin_no, item_code, payload, state,"
		    " created_at) VALUES (?, ?, ?, ?, 'received', ?)",
		    "isssi", m->peer->id, origin, item, payload, (int64_t)time(NULL));
	free(payload);
	if (e == TB_ECONFLICT)
		return tb_fail(f, TB_ECONFLICT, "origin_no",
		               "this application was forwarded already");
	if (e == TB_OK)
		*reply = json_pack("{s:s, s:s}", "origin_no", origin, "state", "received");
	return e;
}

struct admit {
	int64_t id, peer;
	char *origin, *item, *payload, *peer_province;
	char *case_no; /* once made */
};

static enum tb_err set_case_in(struct tb_conn *c, void *arg)
{
	const struct admit *x = arg;
	return tb_conn_run(
	    c, NULL,
	    "UPDATE forwarded_in SET case_no = ?, case_id = (SELECT id FROM cases WHERE"
	    " case_no = ?) WHERE id = ?",
	    "ssi", x->case_no, x->case_no, x->id);
}

struct finish_args {
	const struct admit *x;
	const char *state, *why;
};

static enum tb_err finish_in(struct tb_conn *c, void *arg)
{
	struct finish_args *y = arg;
	return tb_conn_run(c, NULL,
	                   "UPDATE forwarded_in SET state = ?, last_error = ? WHERE id = ?", "ssi",
	                   y->state, y->why, y->x->id);
}

struct account_args {
	const struct tb_ctx *ctx;
	json_t *applicant;
	const char *home;
	int64_t *id;
	struct tb_fail *f;
};

static enum tb_err account_in(struct tb_conn *c, void *arg)
{
	struct account_args *y = arg;
	/* The window of the home platform saw the person and their papers. */
	return tb_federated_account_on(
	    c, y->ctx, json_string_value(json_object_get(y->applicant, "id_number")),
	    json_string_value(json_object_get(y->applicant, "name")), true, y->home, y->id, y->f);
}

/* The draft an earlier admission of forward origin made for person
 * before a crash kept it from being recorded, or NULL: the case its
 * case.create audit record names (the request id is the forward's
 * number; found by the actor's index). */
static enum tb_err made_before_on(struct tb_store *s, int64_t person, const char *origin,
                                  struct tb_arena *a, const char **case_no)
{
	*case_no = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	char actor[32];
	snprintf(actor, sizeof(actor), "account:%lld", (long long)person);
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT k.case_no FROM audit_log l JOIN cases k ON 'case:' || k.case_no ="
	                  " l.object WHERE l.actor = ? AND l.action = 'case.create' AND"
	                  " l.request_id = ? AND k.state = 'draft' ORDER BY l.seq DESC LIMIT 1",
	                  "ss", actor, origin);
	if (e == TB_OK && row)
		*case_no = tb_arena_strdup(a, tb_stmt_text(st, 0));
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* Makes x a case of this platform and submits it; the reason of a
 * refusal into *why (arena). */
static enum tb_err admit_one(const struct tb_exchange_env *env, struct admit *x, struct tb_arena *a,
                             const char **why)
{
	json_t *p = json_loads(x->payload, 0, NULL);
	struct tb_fail f = {0};
	char client[40];
	snprintf(client, sizeof(client), "peer:%s", x->peer_province);
	int64_t person = 0;
	struct tb_principal anon = {.kind = TB_ANON};
	struct tb_ctx sys = {&anon, client, x->origin};
	struct account_args acc = {&sys, json_object_get(p, "applicant"), x->peer_province, &person,
	                           &f};
	enum tb_err e = tb_store_write(env->store, account_in, &acc);
	/* The case is the applicant's own, as if they applied online here;
	 * its audit records name the forwarding platform as the client. */
	struct tb_principal who = {.kind = TB_PERSON, .account_id = person};
	struct tb_ctx ctx = {&who, client, x->origin};
	char *form = json_dumps(json_object_get(p, "form"), JSON_COMPACT);
	struct tb_case_new in = {.item = x->item, .form = form, .forwarded = true};
	struct tb_case_created made = {0};
	/* Made before a crash, not yet recorded: the draft this admission
	 * created (its audit record carries the forward's number as the
	 * request), never one the applicant opened here themselves. */
	if (e == TB_OK)
		e = made_before_on(env->store, person, x->origin, a, &made.case_no);
	if (e == TB_OK && !made.case_no)
		e = tb_case_create(env->store, &ctx, &in, a, &made, &f);
	free(form);
	if (e == TB_OK) {
		x->case_no = tb_xstrdup(made.case_no);
		e = tb_store_write(env->store, set_case_in, x);
	}
	size_t i;
	json_t *mat;
	json_array_foreach(json_object_get(p, "materials"), i, mat)
	{
		if (e != TB_OK)
			break;
		e = tb_case_add_upload(env->store, &ctx, x->case_no,
		                       json_string_value(json_object_get(mat, "material")),
		                       json_string_value(json_object_get(mat, "sm3")),
		                       (size_t)json_integer_value(json_object_get(mat, "size")),
		                       json_string_value(json_object_get(mat, "mime")), NULL, &f);
	}
	const char *state = NULL, *missing = NULL;
	struct tb_case_event ev = {.event = "submit"};
	if (e == TB_OK)
		e = tb_case_apply(env->store, env->calendar, env->keys, &ctx, x->case_no, &ev, a,
		                  &state, &missing, &f);
	if (e != TB_OK)
		*why = tb_arena_printf(a, "%s%s%s%s%s", tb_err_message(e), f.field ? " (" : "",
		                       f.field ? f.field : "", f.field ? ")" : "",
		                       missing    ? tb_arena_printf(a, ": missing %s", missing)
		                       : f.reason ? tb_arena_printf(a, ": %s", f.reason)
		                                  : "");
	json_decref(p);
	return e;
}

int tb_forward_admit(const struct tb_exchange_env *env)
{
	struct tb_conn *c;
	if (tb_store_acquire(env->store, &c) != TB_OK)
		return 0;
	struct tb_stmt *st;
	bool row;
	struct admit list[8];
	int n = 0;
	if (tb_conn_query(
	        c, &st, &row,
	        "SELECT f.id, f.peer_id, f.origin_no, f.item_code, f.payload, p.province"
	        " FROM forwarded_in f JOIN peers p ON p.id = f.peer_id WHERE f.done = 0 AND"
	        " f.state = 'received' ORDER BY f.id LIMIT 8",
	        "") == TB_OK) {
		while (row && n < 8) {
			struct admit *x = &list[n++];
			*x = (struct admit){tb_stmt_int(st, 0),
			                    tb_stmt_int(st, 1),
			                    tb_xstrdup(tb_stmt_text(st, 2)),
			                    tb_xstrdup(tb_stmt_text(st, 3)),
			                    tb_xstrdup(tb_stmt_text(st, 4)),
			                    tb_xstrdup(tb_stmt_text(st, 5)),
			                    NULL};
			if (tb_stmt_step(st, &row) != TB_OK)
				break;
		}
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	for (int i = 0; i < n; i++) {
		struct admit *x = &list[i];
		struct tb_arena *a = tb_arena_new();
		const char *why = NULL;
		enum tb_err e = admit_one(env, x, a, &why);
		/* A store that failed is tried again on the next pass; a refusal
		 * of the case itself is final and reported back. */
		if (e != TB_ESTORE && e != TB_EUNAVAIL) {
			struct finish_args y = {x, e == TB_OK ? "admitted" : "failed", why};
			if (tb_store_write(env->store, finish_in, &y) != TB_OK)
				tb_log_warn("forward",
				            "forwarded %s: could not record its admission",
				            x->origin);
			if (e != TB_OK)
				tb_log_warn("forward", "forwarded %s from %s not admitted: %s",
				            x->origin, x->peer_province, why ? why : "");
		}
		tb_arena_free(a);
		free(x->origin);
		free(x->item);
		free(x->payload);
		free(x->peer_province);
		free(x->case_no);
	}
	return n;
}

/* Whether a case in state is over (nothing more will be reported). */
static bool final_state(const char *state)
{
	return strcmp(state, "completed") == 0 || strcmp(state, "not_accepted") == 0 ||
	       strcmp(state, "withdrawn") == 0;
}

struct relay_args {
	const struct tb_exchange_env *env;
	int64_t id, peer;
	const char *origin, *case_no, *state, *why;
};

/* Reports the steps of forwarded case x after its last reported one (or
 * its failure) in one transaction with the mark of what was reported. */
static enum tb_err relay_in(struct tb_conn *c, void *arg)
{
	struct relay_args *x = arg;
	json_t *steps = json_array();
	int64_t last = 0;
	enum tb_err e = TB_OK;
	const char *state = x->state;
	if (x->case_no) {
		struct tb_stmt *st;
		bool row;
		e = tb_conn_query(
		    c, &st, &row,
		    "SELECT s.id, s.event, s.to_state, s.opinion, s.at FROM case_steps s"
		    " JOIN forwarded_in f ON f.case_id = s.case_id WHERE f.id = ? AND s.id"
		    " > f.relayed_step ORDER BY s.id",
		    "i", x->id);
		while (e == TB_OK && row) {
			last = tb_stmt_int(st, 0);
			json_array_append_new(
			    steps, json_pack("{s:I, s:s, s:s, s:s, s:I}", "step", (json_int_t)last,
			                     "event", tb_stmt_text(st, 1), "state",
			                     tb_stmt_text(st, 2), "opinion", tb_stmt_text(st, 3),
			                     "at", (json_int_t)tb_stmt_int(st, 4)));
			state = json_string_value(json_object_get(
			    json_array_get(steps, json_array_size(steps) - 1), "state"));
			e = tb_stmt_step(st, &row);
		}
		tb_stmt_reset(st);
	}
	if (e == TB_OK && x->case_no && !json_array_size(steps)) {
		json_decref(steps);
		return TB_OK; /* nothing new */
	}
	bool done = !x->case_no || final_state(state);
	struct tb_principal anon = {.kind = TB_ANON};
	struct tb_ctx sys = {&anon, "cli", ""};
	struct tb_fail f = {0};
	if (e == TB_OK)
		e = tb_exchange_send_on(c, x->env, &sys, x->peer, "case.state",
		                        json_pack("{s:s, s:s*, s:s, s:s*, s:O}", "origin_no",
		                                  x->origin, "case_no", x->case_no, "state", state,
		                                  "note", x->why, "steps", steps),
		                        NULL, &f);
	json_decref(steps);
	if (e == TB_OK)
		e = tb_conn_run(
		    c, NULL,
		    "UPDATE forwarded_in SET relayed_step = CASE WHEN ? > relayed_step THEN ?"
		    " ELSE relayed_step END, done = ? WHERE id = ?",
		    "iiii", last, last, (int64_t)(done ? 1 : 0), x->id);
	return e;
}

int tb_forward_relay(const struct tb_exchange_env *env)
{
	struct tb_conn *c;
	if (tb_store_acquire(env->store, &c) != TB_OK)
		return 0;
	/* The open forwarded cases with a step not yet reported, and the
	 * failed ones not yet reported. */
	struct tb_stmt *st;
	bool row;
	struct {
		int64_t id, peer;
		char *origin, *case_no, *why;
		bool failed;
	} list[32];
	int n = 0;
	if (tb_conn_query(
	        c, &st, &row,
	        "SELECT f.id, f.peer_id, f.origin_no, f.case_no, f.last_error, f.state FROM"
	        " forwarded_in f WHERE f.done = 0 AND (f.state = 'failed' OR (f.state ="
	        " 'admitted' AND EXISTS (SELECT 1 FROM case_steps s WHERE s.case_id ="
	        " f.case_id AND s.id > f.relayed_step))) ORDER BY f.id LIMIT 32",
	        "") == TB_OK) {
		while (row && n < 32) {
			list[n].id = tb_stmt_int(st, 0);
			list[n].peer = tb_stmt_int(st, 1);
			list[n].origin = tb_xstrdup(tb_stmt_text(st, 2));
			list[n].case_no =
			    tb_stmt_is_null(st, 3) ? NULL : tb_xstrdup(tb_stmt_text(st, 3));
			list[n].why =
			    tb_stmt_is_null(st, 4) ? NULL : tb_xstrdup(tb_stmt_text(st, 4));
			list[n].failed = strcmp(tb_stmt_text(st, 5), "failed") == 0;
			n++;
			if (tb_stmt_step(st, &row) != TB_OK)
				break;
		}
		tb_stmt_reset(st);
	}
	tb_store_release(c);
	for (int i = 0; i < n; i++) {
		struct relay_args x = {env,
		                       list[i].id,
		                       list[i].peer,
		                       list[i].origin,
		                       list[i].failed ? NULL : list[i].case_no,
		                       list[i].failed ? "failed" : NULL,
		                       list[i].why};
		if (tb_store_write(env->store, relay_in, &x) != TB_OK)
			tb_log_warn("forward", "forwarded %s: could not report its steps",
			            list[i].origin);
		free(list[i].origin);
		free(list[i].case_no);
		free(list[i].why);
	}
	return n;
}

/* ---- the result handed out at the forwarding window ----------------------- */

struct hand_out_args {
	const struct tb_exchange_env *env;
	const struct tb_ctx *ctx;
	int64_t department;
	const char *forward_no, *delivery, *note;
	struct tb_fail *f;
};

static enum tb_err hand_out_in(struct tb_conn *c, void *arg)
{
	struct hand_out_args *x = arg;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row,
	    "SELECT id, peer_id, state, handed_out_at IS NOT NULL, window_department_id FROM"
	    " forwards WHERE forward_no = ?",
	    "s", x->forward_no);
	int64_t id = 0, peer = 0, window = 0;
	bool done = false, completed = false;
	if (e == TB_OK && row) {
		id = tb_stmt_int(st, 0);
		peer = tb_stmt_int(st, 1);
		completed = !strcmp(tb_stmt_text(st, 2), "completed");
		done = tb_stmt_int(st, 3) != 0;
		window = tb_stmt_int(st, 4);
	}
	tb_stmt_reset(st);
	if (e != TB_OK)
		return e;
	if (!row || window != x->department)
		return tb_fail(x->f, TB_ENOTFOUND, "forward_no", "no such forward");
	if (done)
		return tb_fail(x->f, TB_ECONFLICT, "state", "the result was handed out already");
	if (!completed)
		return tb_fail(x->f, TB_ECONFLICT, "state",
		               "the peer has not completed the case yet");
	int64_t now = (int64_t)time(NULL);
	e = tb_conn_run(c, NULL,
	                "UPDATE forwards SET handed_out_at = ?, delivery = ?, delivery_note = ?,"
	                " updated_at = ? WHERE id = ?",
	                "issii", now, x->delivery, x->note, now, id);
	if (e == TB_OK)
		e = tb_exchange_send_on(c, x->env, x->ctx, peer, "case.handed_out",
		                        json_pack("{s:s, s:s, s:s*}", "origin_no", x->forward_no,
		                                  "delivery", x->delivery, "note", x->note),
		                        NULL, x->f);
	if (e == TB_OK) {
		char obj[96];
		snprintf(obj, sizeof(obj), "forward:%s", x->forward_no);
		e = tb_ctx_audit(c, x->ctx, "forward.hand_out", obj, "ok");
	}
	return e;
}

enum tb_err tb_forward_hand_out(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                                int64_t department, const char *forward_no, const char *delivery,
                                const char *note, struct tb_fail *f)
{
	if (!delivery || (strcmp(delivery, "window") && strcmp(delivery, "post")))
		return tb_fail(f, TB_EINVAL, "delivery", "window or post");
	if (note && (!*note || tb_utf8_chars(note, strlen(note)) > 200 ||
	             !tb_utf8_is_line(note, strlen(note))))
		return tb_fail(f, TB_EINVAL, "note", "1 to 200 characters on one line");
	if (!strcmp(delivery, "post") && !note)
		return tb_fail(f, TB_EINVAL, "note", "the postal service and tracking number");
	struct hand_out_args x = {env, ctx, department, forward_no, delivery, note, f};
	return tb_store_write(env->store, hand_out_in, &x);
}

enum tb_err tb_forward_on_handed_out(struct tb_conn *c, const struct tb_exchange_env *env,
                                     const struct tb_exchange_msg *m, json_t **reply,
                                     struct tb_fail *f)
{
	(void)env;
	const char *origin = NULL, *delivery = NULL, *note = NULL;
	json_error_t err;
	if (json_unpack_ex(m->body, &err, JSON_STRICT, "{s:s, s:s, s?s}", "origin_no", &origin,
	                   "delivery", &delivery, "note", &note) != 0)
		return tb_fail(f, TB_EINVAL, "body", "expected origin_no, delivery and note");
	int64_t changed = 0;
	enum tb_err e = tb_conn_run(
	    c, &changed,
	    "UPDATE forwarded_in SET handed_out_at = ?, delivery = ? WHERE peer_id = ? AND"
	    " origin_no = ?",
	    "isis", (int64_t)time(NULL), delivery, m->peer->id, origin);
	if (e == TB_OK && changed == 0)
		return tb_fail(f, TB_EINVAL, "origin_no",
		               "not an application the peer forwarded here");
	if (e == TB_OK)
		*reply = json_pack("{s:s, s:s}", "origin_no", origin, "delivery", delivery);
	return e;
}
