/* Catalog across platforms (see catalog.h). */
#include "federation/catalog.h"
#include "federation/certs.h"
#include "base/buf.h"
#include "base/json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct sync_args {
	const struct tb_exchange_env *env;
	const struct tb_ctx *ctx;
	int64_t peer;
	struct tb_fail *f;
};

static enum tb_err sync_in(struct tb_conn *c, void *arg)
{
	struct sync_args *x = arg;
	/* The sync's stamp: a second sync started in the same second is the
	 * same sync. */
	enum tb_err e = tb_exchange_send_on(
	    c, x->env, x->ctx, x->peer, "catalog.request",
	    json_pack("{s:s, s:I}", "after", "", "sync", (json_int_t)time(NULL)), NULL, x->f);
	/* The keys the peer's certificates are signed with come along. */
	if (e == TB_OK)
		e = tb_peer_certkeys_sync_on(c, x->env, x->ctx, x->peer, x->f);
	return e;
}

enum tb_err tb_peer_catalog_sync(const struct tb_exchange_env *env, const struct tb_ctx *ctx,
                                 int64_t peer, struct tb_fail *f)
{
	struct sync_args x = {env, ctx, peer, f};
	return tb_store_write(env->store, sync_in, &x);
}

/* q as a LIKE pattern that matches it anywhere, its % _ and \ taken
 * literally (ESCAPE '\'); "%" for none. */
static const char *pattern(const char *q, struct tb_arena *a)
{
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_adds(&b, "%");
	for (const char *p = q ? q : ""; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			tb_buf_adds(&b, "\\");
		tb_buf_add(&b, p, 1);
	}
	tb_buf_adds(&b, "%");
	char *s = tb_buf_take(&b);
	const char *out = tb_arena_strdup(a, s);
	free(s);
	return out;
}

/* The columns of a peer item with its peer, as the list shows it. */
#define ITEM_COLUMNS                                                                         \
	"SELECT p.province, p.name, p.base_url, i.implementation_code, i.version, i.name,"   \
	" i.department, i.region, i.online_depth, i.synced_at, i.doc FROM peer_items i JOIN" \
	" peers p ON p.id = i.peer_id WHERE p.state = 'active'"

static json_t *item_json(struct tb_stmt *st)
{
	return json_pack("{s:{s:s, s:s, s:s}, s:s, s:I, s:s, s:s, s:s, s:I, s:I}", "peer",
	                 "province", tb_stmt_text(st, 0), "name", tb_stmt_text(st, 1), "base_url",
	                 tb_stmt_text(st, 2), "code", tb_stmt_text(st, 3), "version",
	                 (json_int_t)tb_stmt_int(st, 4), "name", tb_stmt_text(st, 5), "department",
	                 tb_stmt_text(st, 6), "region", tb_stmt_text(st, 7), "online_depth",
	                 (json_int_t)tb_stmt_int(st, 8), "synced_at",
	                 (json_int_t)tb_stmt_int(st, 9));
}

enum tb_err tb_peer_items_list(struct tb_store *s, const char *q, const char *province, int page,
                               int per_page, struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	const char *like = pattern(q, a);
	const char *prov = province ? province : "";
	struct tb_stmt *st;
	bool row;
	int64_t total = 0;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT count(*) FROM peer_items i JOIN peers p ON p.id = i.peer_id WHERE"
	                  " p.state = 'active' AND i.name LIKE ? ESCAPE '\\' AND (? = '' OR"
	                  " p.province = ?)",
	                  "sss", like, prov, prov);
	if (e == TB_OK && row)
		total = tb_stmt_int(st, 0);
	tb_stmt_reset(st);
	json_t *items = json_array();
	if (e == TB_OK)
		e = tb_conn_query(c, &st, &row,
		                  ITEM_COLUMNS " AND i.name LIKE ? ESCAPE '\\' AND (? = '' OR"
		                               " p.province = ?) ORDER BY i.name, p.province,"
		                               " i.implementation_code LIMIT ? OFFSET ?",
		                  "sssii", like, prov, prov, (int64_t)per_page,
		                  (int64_t)(page - 1) * per_page);
	while (e == TB_OK && row) {
		json_array_append_new(items, item_json(st));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	json_t *j = json_pack("{s:I, s:o}", "total", (json_int_t)total, "items", items);
	if (e == TB_OK)
		*text = tb_json_take(j, a);
	else
		json_decref(j);
	return e;
}

enum tb_err tb_peer_item_get(struct tb_store *s, const char *province, const char *code,
                             struct tb_arena *a, const char **text)
{
	*text = NULL;
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  ITEM_COLUMNS " AND p.province = ? AND i.implementation_code = ?", "ss",
	                  province, code);
	if (e == TB_OK && row) {
		json_t *j = item_json(st);
		json_t *doc = json_loads(tb_stmt_text(st, 10), 0, NULL);
		json_object_set_new(j, "doc", doc ? doc : json_object());
		*text = tb_json_take(j, a);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}
