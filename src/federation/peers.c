/* Peer platforms (see peers.h). */
#include "federation/peers.h"
#include "base/json.h"
#include "base/utf8.h"
#include "regions/regions.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whether url is an http(s) URL with a host and nothing a base URL must
 * not have; the canonical text (no trailing slash) goes to out (malloc'd). */
static bool base_url_ok(const char *url, char **out)
{
	*out = NULL;
	if (!url || strlen(url) > 200)
		return false;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *frag = NULL;
	bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	          curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	          (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	          curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && *host &&
	          curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER &&
	          curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_NO_QUERY &&
	          curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_NO_FRAGMENT;
	if (ok) {
		char *full = NULL;
		ok = curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK;
		if (ok) {
			size_t n = strlen(full);
			while (n > 0 && full[n - 1] == '/')
				full[--n] = '\0';
			*out = strdup(full);
			ok = *out != NULL;
		}
		curl_free(full);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return ok;
}

/* The key of pem into key_id; TB_EINVAL on "public_pem" when it is none. */
static enum tb_err pem_key_id(const char *pem, char key_id[TB_SM2_KEY_ID], struct tb_fail *f)
{
	struct tb_sm2_key *k = NULL;
	if (!pem || strlen(pem) > 4096 || tb_sm2_load_public(pem, &k) != TB_OK)
		return tb_fail(f, TB_EINVAL, "public_pem", "expected an SM2 public key in PEM");
	tb_sm2_key_id(k, key_id);
	tb_sm2_free(k);
	return TB_OK;
}

enum tb_err tb_peer_add_key_on(struct tb_conn *c, int64_t id, const char *public_pem,
                               char key_id[TB_SM2_KEY_ID], struct tb_fail *f)
{
	enum tb_err e = pem_key_id(public_pem, key_id, f);
	if (e == TB_OK)
		e = tb_conn_run(c, NULL,
		                "INSERT INTO peer_keys (peer_id, key_id, public_pem, added_at)"
		                " VALUES (?, ?, ?, ?)",
		                "issi", id, key_id, public_pem, (int64_t)time(NULL));
	if (e == TB_ECONFLICT)
		tb_fail(f, e, "public_pem", "the peer has this key already");
	return e;
}

struct register_args {
	const struct tb_ctx *ctx;
	const struct tb_peer_new *in;
	const char *url;
	int64_t *id;
	struct tb_fail *f;
};

static enum tb_err register_in(struct tb_conn *c, void *arg)
{
	struct register_args *x = arg;
	int64_t now = (int64_t)time(NULL);
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row,
	                  "INSERT INTO peers (province, name, base_url, state, created_at,"
	                  " updated_at) VALUES (?, ?, ?, 'active', ?, ?) RETURNING id",
	                  "sssii", x->in->province, x->in->name, x->url, now, now);
	if (e == TB_OK && row)
		*x->id = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	if (e == TB_ECONFLICT)
		return tb_fail(x->f, e, "province",
		               "a peer of this province is registered already");
	char key_id[TB_SM2_KEY_ID];
	if (e == TB_OK)
		e = tb_peer_add_key_on(c, *x->id, x->in->public_pem, key_id, x->f);
	char obj[64];
	snprintf(obj, sizeof(obj), "peer:%s;key:%s", x->in->province, key_id);
	return e == TB_OK ? tb_ctx_audit(c, x->ctx, "peer.register", obj, "ok") : e;
}

enum tb_err tb_peer_register(struct tb_store *s, const struct tb_regions *regions, const char *own,
                             const struct tb_ctx *ctx, const struct tb_peer_new *in, int64_t *id,
                             struct tb_fail *f)
{
	*id = 0;
	const struct tb_region *p = in->province ? tb_regions_find(regions, in->province) : NULL;
	if (!p || p->level != TB_REGION_PROVINCE || strcmp(p->code, in->province) != 0)
		return tb_fail(f, TB_EINVAL, "province",
		               "expected the code of a province, e.g. 440000");
	if (own && strcmp(own, in->province) == 0)
		return tb_fail(f, TB_EINVAL, "province", "that is this platform's own province");
	size_t chars = in->name ? tb_utf8_chars(in->name, strlen(in->name)) : 0;
	if (chars < 1 || chars > 64)
		return tb_fail(f, TB_EINVAL, "name", "1 to 64 characters");
	char *url;
	if (!base_url_ok(in->base_url, &url))
		return tb_fail(f, TB_EINVAL, "base_url",
		               "expected an http or https URL without user, query or fragment");
	char key_id[TB_SM2_KEY_ID];
	enum tb_err e = pem_key_id(in->public_pem, key_id, f);
	struct register_args x = {ctx, in, url, id, f};
	if (e == TB_OK)
		e = tb_store_write(s, register_in, &x);
	free(url);
	return e;
}

struct state_args {
	const struct tb_ctx *ctx;
	int64_t id;
	bool active;
	struct tb_fail *f;
};

static enum tb_err state_in(struct tb_conn *c, void *arg)
{
	struct state_args *x = arg;
	int64_t changed = 0;
	enum tb_err e =
	    tb_conn_run(c, &changed, "UPDATE peers SET state = ?, updated_at = ? WHERE id = ?",
	                "sii", x->active ? "active" : "suspended", (int64_t)time(NULL), x->id);
	if (e == TB_OK && changed == 0)
		return tb_fail(x->f, TB_ENOTFOUND, "id", "no such peer");
	char obj[32];
	snprintf(obj, sizeof(obj), "peer:%lld", (long long)x->id);
	return e == TB_OK
	           ? tb_ctx_audit(c, x->ctx, x->active ? "peer.resume" : "peer.suspend", obj, "ok")
	           : e;
}

enum tb_err tb_peer_set_active(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                               bool active, struct tb_fail *f)
{
	struct state_args x = {ctx, id, active, f};
	return tb_store_write(s, state_in, &x);
}

struct key_args {
	const struct tb_ctx *ctx;
	int64_t id;
	const char *pem;
	char *key_id;
	struct tb_fail *f;
};

static enum tb_err key_in(struct tb_conn *c, void *arg)
{
	struct key_args *x = arg;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row, "SELECT 1 FROM peers WHERE id = ?", "i", x->id);
	tb_stmt_reset(st);
	if (e == TB_OK && !row)
		return tb_fail(x->f, TB_ENOTFOUND, "id", "no such peer");
	if (e == TB_OK)
		e = tb_peer_add_key_on(c, x->id, x->pem, x->key_id, x->f);
	char obj[64];
	snprintf(obj, sizeof(obj), "peer:%lld;key:%s", (long long)x->id, x->key_id);
	return e == TB_OK ? tb_ctx_audit(c, x->ctx, "peer.key", obj, "ok") : e;
}

enum tb_err tb_peer_add_key(struct tb_store *s, const struct tb_ctx *ctx, int64_t id,
                            const char *public_pem, char key_id[TB_SM2_KEY_ID], struct tb_fail *f)
{
	key_id[0] = '\0';
	enum tb_err e = pem_key_id(public_pem, key_id, f);
	struct key_args x = {ctx, id, public_pem, key_id, f};
	return e == TB_OK ? tb_store_write(s, key_in, &x) : e;
}

/* The peer of the statement's row (id, province, name, base_url, state). */
static void peer_of(struct tb_stmt *st, struct tb_arena *a, struct tb_peer *out)
{
	out->id = tb_stmt_int(st, 0);
	snprintf(out->province, sizeof(out->province), "%s", tb_stmt_text(st, 1));
	out->name = tb_arena_strdup(a, tb_stmt_text(st, 2));
	out->base_url = tb_arena_strdup(a, tb_stmt_text(st, 3));
	out->active = strcmp(tb_stmt_text(st, 4), "active") == 0;
}

#define PEER_COLUMNS "SELECT id, province, name, base_url, state FROM peers"

enum tb_err tb_peer_find_on(struct tb_conn *c, const char *province, struct tb_arena *a,
                            struct tb_peer *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e =
	    tb_conn_query(c, &st, &row, PEER_COLUMNS " WHERE province = ?", "s", province);
	if (e == TB_OK && row)
		peer_of(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_peer_get_on(struct tb_conn *c, int64_t id, struct tb_arena *a, struct tb_peer *out)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row, PEER_COLUMNS " WHERE id = ?", "i", id);
	if (e == TB_OK && row)
		peer_of(st, a, out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_peer_key_on(struct tb_conn *c, int64_t peer, const char *key_id,
                           struct tb_sm2_key **out)
{
	*out = NULL;
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT public_pem FROM peer_keys WHERE peer_id = ? AND key_id = ?", "is",
	    peer, key_id);
	if (e == TB_OK && row)
		e = tb_sm2_load_public(tb_stmt_text(st, 0), out);
	else if (e == TB_OK)
		e = TB_ENOTFOUND;
	tb_stmt_reset(st);
	return e;
}

static void put_key(json_t *p, struct tb_stmt *st)
{
	json_array_append_new(json_object_get(p, "keys"),
	                      json_pack("{s:s, s:I}", "key_id", tb_stmt_text(st, 1), "added_at",
	                                (json_int_t)tb_stmt_int(st, 2)));
}

static void put_count(json_t *p, struct tb_stmt *st)
{
	json_object_set_new(json_object_get(p, "messages"), tb_stmt_text(st, 1),
	                    json_integer(tb_stmt_int(st, 2)));
}

/* Runs sql (rows: a peer id, then what put reads) and has put add each
 * row to that peer's object in by_id. */
static enum tb_err each_row(struct tb_conn *c, const char *sql, json_t *by_id,
                            void (*put)(json_t *p, struct tb_stmt *st))
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(c, &st, &row, sql, "");
	while (e == TB_OK && row) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)tb_stmt_int(st, 0));
		json_t *p = json_object_get(by_id, id);
		if (p)
			put(p, st);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_peer_list(struct tb_store *s, struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	json_t *items = json_array(), *by_id = json_object();
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT id, province, name, base_url, state, created_at, updated_at"
	                  " FROM peers ORDER BY province",
	                  "");
	while (e == TB_OK && row) {
		json_t *p =
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:[], s:{s:i, s:i, s:i, s:i}}",
		              "id", (json_int_t)tb_stmt_int(st, 0), "province", tb_stmt_text(st, 1),
		              "name", tb_stmt_text(st, 2), "base_url", tb_stmt_text(st, 3), "state",
		              tb_stmt_text(st, 4), "created_at", (json_int_t)tb_stmt_int(st, 5),
		              "updated_at", (json_int_t)tb_stmt_int(st, 6), "keys", "messages",
		              "pending", 0, "delivered", 0, "dead", 0, "received", 0);
		json_array_append_new(items, p);
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)tb_stmt_int(st, 0));
		json_object_set(by_id, id, p);
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	if (e == TB_OK)
		e = each_row(c,
		             "SELECT peer_id, key_id, added_at FROM peer_keys ORDER BY peer_id,"
		             " added_at",
		             by_id, put_key);
	/* Messages sent by state, and received. */
	if (e == TB_OK)
		e = each_row(
		    c,
		    "SELECT peer_id, state, count(*) FROM exchange_out GROUP BY peer_id,"
		    " state UNION ALL SELECT peer_id, 'received', count(*) FROM exchange_in"
		    " GROUP BY peer_id",
		    by_id, put_count);
	tb_store_release(c);
	json_decref(by_id);
	json_t *j = json_pack("{s:o}", "items", items);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}

enum tb_err tb_peer_list_public(struct tb_store *s, const char *own, const char *own_name,
                                struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	json_t *items = json_array();
	e = tb_conn_query(c, &st, &row,
	                  "SELECT province, name, base_url FROM peers WHERE state = 'active'"
	                  " ORDER BY province",
	                  "");
	while (e == TB_OK && row) {
		json_array_append_new(
		    items, json_pack("{s:s, s:s, s:s}", "province", tb_stmt_text(st, 0), "name",
		                     tb_stmt_text(st, 1), "base_url", tb_stmt_text(st, 2)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	json_t *j = json_pack("{s:s, s:s, s:o}", "province", own, "name", own_name ? own_name : "",
	                      "items", items);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}
