/* The service catalog over HTTP: public reads (lists with filters and
 * search, one item, its versions, life events, the consistency report)
 * and the catalog managers' writes (basic items, drafts, publish,
 * withdraw). Item documents come from the store as JSON text and are sent
 * without being parsed again. */
#include "app/app.h"
#include "base/buf.h"
#include "catalog/catalog.h"
#include "catalog/completeness.h"
#include "catalog/consistency.h"
#include "catalog/synonyms.h"
#include "http/handlers.h"
#include "identity/departments.h"
#include "regions/regions.h"

#include <stdlib.h>
#include <string.h>

/* An implementation code as the catalog keeps it (catalog format 2):
 * 1 to 36 letters, digits, - and . (national 31-character codes, codes as
 * provinces publish them, the platform's own tb... keys). */
static bool code_ok(struct tb_req *r, const char *code)
{
	size_t n = strlen(code);
	for (size_t i = 0; i < n; i++)
		if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
		      (code[i] >= 'a' && code[i] <= 'z') || code[i] == '-' || code[i] == '.'))
			n = 0;
	if (n < 1 || n > 36) {
		tb_resp_error(r, TB_EINVAL, "code",
		              "expected an implementation code (letters, digits, - and .)");
		return false;
	}
	return true;
}

void tb_handle_items_list(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	struct tb_item_query q = {.page = 1, .per_page = 20};
	long page = 1, per = 20, obj = 0, depth = 0;
	if (!tb_req_query_int(r, "page", 1, 100000, &page) ||
	    !tb_req_query_int(r, "per_page", 1, 100, &per) ||
	    !tb_req_query_int(r, "service_object", 1, 6, &obj) ||
	    !tb_req_query_int(r, "online_depth", 1, 4, &depth))
		return;
	q.page = (int)page;
	q.per_page = (int)per;
	q.service_object = (int)obj;
	q.online_depth = (int)depth;
	if (!tb_req_query_flag(r, "latest", &q.latest))
		return;
	const struct tb_region *g;
	if (!tb_req_query_region(r, &g))
		return;
	if (q.latest && !g) {
		tb_resp_error(r, TB_EINVAL, "region", "required with latest=true");
		return;
	}
	if (g) {
		/* Drafts are for the managers of the region and what lies below
		 * it; items above it are not theirs to see in draft. */
		struct tb_authz_object o = {.region = g->code};
		if (q.latest && !tb_req_allow(r, "catalog.read_draft", &o))
			return;
		/* Items offered at the region, above it (they apply below), and
		 * below it. */
		const struct tb_region *path[4];
		int n = q.latest ? 0 : tb_regions_path(r->app->regions, g, path);
		for (int i = 0; i < n; i++)
			q.regions[q.nregions++] = path[i]->code;
		char sig[10];
		tb_region_prefix(g->code, sig);
		q.region_prefix = tb_arena_printf(r->arena, "%s%%", sig);
	}
	const char *dept = tb_req_query(r, "department");
	if (dept) {
		struct tb_department d;
		char *end;
		long long id = strtoll(dept, &end, 10);
		enum tb_err e = (*end == '\0' && id > 0 && strlen(dept) < 18)
		                    ? tb_department_get(r->app->store, id, r->arena, &d)
		                    : tb_department_find(r->app->store, dept, r->arena, &d);
		if (e != TB_OK) {
			tb_resp_error(r, e == TB_ENOTFOUND ? TB_EINVAL : e, "department",
			              "no such department (id or credit code)");
			return;
		}
		q.department_id = d.id;
	}
	const char *type = tb_req_query(r, "item_type");
	if (type && (strlen(type) != 2 || type[0] < '0' || type[0] > '2' || type[1] < '0' ||
	             type[1] > '9')) {
		tb_resp_error(r, TB_EINVAL, "item_type", "expected two digits such as 01 or 20");
		return;
	}
	q.item_type = type;
	q.event = tb_req_query(r, "event");
	if (q.event && (strlen(q.event) > 60 || strchr(q.event, ',') || strchr(q.event, '%'))) {
		tb_resp_error(r, TB_EINVAL, "event", "expected an event name such as 出生");
		return;
	}
	q.q = tb_req_query(r, "q");
	if (q.q && strspn(q.q, " \t") == strlen(q.q))
		q.q = NULL; /* an empty search is no search */
	if (q.q && strlen(q.q) > 200) {
		tb_resp_error(r, TB_EINVAL, "q", "at most 200 bytes");
		return;
	}
	const char *items;
	int64_t total;
	/* The published catalog may come from a standby; the editors' view
	 * of the latest versions (drafts) from the primary. */
	enum tb_err e = tb_item_search(q.latest ? r->app->store : tb_app_reader(r->app), &q,
	                               r->arena, &items, &total);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_printf(&b, "{\"total\":%lld,\"page\":%d,\"per_page\":%d,\"items\":%s}",
	              (long long)total, q.page, q.per_page, items);
	size_t len = b.len;
	tb_resp_take(r, 200, "application/json; charset=utf-8", tb_buf_take(&b), len);
}

void tb_handle_item_get(struct tb_req *r)
{
	const char *code = r->params[0];
	long version = 0;
	if (!code_ok(r, code) || !tb_req_query_int(r, "version", 1, 1000000, &version))
		return;
	const char *text;
	struct tb_item_meta meta;
	enum tb_err e = tb_item_get(version ? r->app->store : tb_app_reader(r->app), code, version,
	                            r->arena, &text, &meta);
	if (e == TB_ENOTFOUND) {
		tb_resp_error(r, e, "code", version ? "no such version" : "no published item");
		return;
	}
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	/* Drafts are for the catalog's managers only. */
	struct tb_authz_object o = {.department = meta.department_id, .region = meta.region};
	if (!tb_req_allow(
	        r, strcmp(meta.state, "draft") == 0 ? "catalog.read_draft" : "catalog.read", &o))
		return;
	tb_resp_json_text(r, 200, text);
}

void tb_handle_item_versions(struct tb_req *r)
{
	if (!code_ok(r, r->params[0]) || !tb_req_allow(r, "catalog.read", NULL))
		return;
	const char *text;
	enum tb_err e = tb_item_versions(r->app->store, r->params[0], r->arena, &text);
	if (e != TB_OK) {
		tb_resp_error(r, e, "code", e == TB_ENOTFOUND ? "no such item" : NULL);
		return;
	}
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_printf(&b, "{\"implementation_code\":\"%s\",\"versions\":%s}", r->params[0], text);
	size_t len = b.len;
	tb_resp_take(r, 200, "application/json; charset=utf-8", tb_buf_take(&b), len);
}

/* Parses and checks an item body. Whoever holds action anywhere learns why
 * a body is bad; the item's own region is checked once it is known. */
static json_t *checked_item(struct tb_req *r, const char *action, struct tb_item_meta *meta)
{
	if (!tb_req_allow(r, action, NULL))
		return NULL;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return NULL;
	json_t *canon = NULL;
	struct tb_fail f = {0};
	enum tb_err e = tb_item_check(r->app->store, body, r->arena, &canon, meta, &f);
	json_decref(body);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return NULL;
	}
	struct tb_authz_object o = {.department = meta->department_id, .region = meta->region};
	if (!tb_req_allow(r, action, &o)) {
		json_decref(canon);
		return NULL;
	}
	return canon;
}

void tb_handle_item_create(struct tb_req *r)
{
	struct tb_item_meta meta;
	json_t *canon = checked_item(r, "catalog.write", &meta);
	if (!canon)
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	enum tb_err e = tb_item_create(r->app->store, &ctx, canon, &meta);
	const char *code = tb_arena_strdup(
	    r->arena, json_string_value(json_object_get(canon, "implementation_code")));
	json_decref(canon);
	if (e == TB_ECONFLICT)
		tb_resp_error(r, e, "implementation_code", "exists: edit it with PUT");
	else if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json(r, 201,
		             json_pack("{s:s, s:i, s:s}", "implementation_code", code, "version", 1,
		                       "state", "draft"));
}

void tb_handle_item_update(struct tb_req *r)
{
	const char *code = r->params[0];
	if (!code_ok(r, code))
		return;
	struct tb_item_meta cur;
	enum tb_err e = tb_item_latest(r->app->store, code, &cur);
	if (e == TB_ENOTFOUND) {
		if (tb_req_allow(r, "catalog.write", NULL))
			tb_resp_error(r, e, "code", "no such item: create it with POST");
		return;
	}
	struct tb_item_meta meta;
	json_t *canon = checked_item(r, "catalog.write", &meta);
	if (!canon)
		return;
	/* The writer must cover the item as it is, not only as it would be. */
	struct tb_authz_object o = {.department = cur.department_id, .region = cur.region};
	if (!tb_req_allow(r, "catalog.write", &o)) {
		json_decref(canon);
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t version;
	e = tb_item_update(r->app->store, &ctx, code, canon, &meta, &version, &f);
	json_decref(canon);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 200,
		             json_pack("{s:s, s:I, s:s}", "implementation_code", code, "version",
		                       (json_int_t)version, "state", "draft"));
}

static void lifecycle(struct tb_req *r, bool publish)
{
	const char *code = r->params[0];
	if (!code_ok(r, code))
		return;
	struct tb_item_meta cur;
	enum tb_err e = tb_item_latest(r->app->store, code, &cur);
	struct tb_authz_object o = {.department = cur.department_id,
	                            .region = e == TB_OK ? cur.region : r->app->province};
	if (!tb_req_allow(r, "catalog.publish", &o))
		return;
	if (e != TB_OK) {
		tb_resp_error(r, e, "code", "no such item");
		return;
	}
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	int64_t version = 0;
	e = publish ? tb_item_publish(r->app->store, &ctx, code, &version, &f)
	            : tb_item_withdraw(r->app->store, &ctx, code, &f);
	if (e != TB_OK) {
		tb_resp_fail(r, e, &f);
		return;
	}
	json_t *j = json_pack("{s:s, s:s}", "implementation_code", code, "state",
	                      publish ? "published" : "withdrawn");
	if (publish)
		json_object_set_new(j, "version", json_integer(version));
	tb_resp_json(r, 200, j);
}

void tb_handle_item_publish(struct tb_req *r)
{
	lifecycle(r, true);
}

void tb_handle_item_withdraw(struct tb_req *r)
{
	lifecycle(r, false);
}

void tb_handle_events(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	const char *text;
	enum tb_err e = tb_item_events(r->app->store, r->arena, &text);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_printf(&b, "{\"items\":%s}", text);
	size_t len = b.len;
	tb_resp_take(r, 200, "application/json; charset=utf-8", tb_buf_take(&b), len);
}

void tb_handle_consistency(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	const char *basic = tb_req_query(r, "basic_code");
	const char *region = tb_req_query(r, "region");
	if (!basic || strlen(basic) != 12 || strspn(basic, "0123456789") != 12) {
		tb_resp_error(r, TB_EINVAL, "basic_code", "required: 12 digits");
		return;
	}
	char canon[10] = "000000";
	if (region && (!tb_region_code_normalize(region, canon) ||
	               !tb_regions_find(r->app->regions, canon))) {
		tb_resp_error(r, TB_EINVAL, "region", "no such GB/T 2260 region");
		return;
	}
	const char *text;
	enum tb_err e = tb_catalog_consistency(r->app->store, basic, canon, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_basic_create(struct tb_req *r)
{
	struct tb_authz_object o = {.region = r->app->province};
	if (!tb_req_allow(r, "catalog.write", &o))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	const char *text;
	enum tb_err e = tb_basic_create(r->app->store, &ctx, body, r->arena, &text, &f);
	json_decref(body);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json_text(r, 201, text);
}

void tb_handle_basic_get(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	const char *text;
	enum tb_err e = tb_basic_get(r->app->store, r->params[0], r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, "code", e == TB_ENOTFOUND ? "no such basic item" : NULL);
	else
		tb_resp_json_text(r, 200, text);
}

/* ---- completeness (issue #16) ------------------------------------------ */

void tb_handle_completeness(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	const struct tb_region *g;
	long dept = 0;
	if (!tb_req_query_region(r, &g) ||
	    !tb_req_query_int(r, "department_id", 1, INT32_MAX, &dept))
		return;
	const char *region = g ? g->code : r->app->province;
	/* The region's catalog managers see drafts too; everyone else the
	 * published versions in force. */
	const struct tb_principal *p = tb_req_principal(r);
	bool drafts = p && tb_authz(p, "catalog.read_draft",
	                            &(struct tb_authz_object){.region = region}) == TB_OK;
	json_t *out;
	enum tb_err e = tb_catalog_completeness(r->app->store, region, dept, drafts, &out);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_object_set_new(out, "drafts", json_boolean(drafts));
	tb_resp_json(r, 200, out);
}

/* The province of the path ("330000"), or NULL after answering 404. */
static const char *path_province(struct tb_req *r)
{
	const char *code = r->params[0];
	const struct tb_region *g = strlen(code) == 6 && !strcmp(code + 2, "0000")
	                                ? tb_regions_find(r->app->regions, code)
	                                : NULL;
	if (!g) {
		tb_resp_error(r, TB_ENOTFOUND, "province", "not a province of GB/T 2260");
		return NULL;
	}
	return g->code;
}

void tb_handle_catalog_rule_get(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	const char *province = path_province(r);
	if (!province)
		return;
	json_t *stated;
	enum tb_err e = tb_catalog_rule_get(r->app->store, province, &stated);
	if (e != TB_OK) {
		json_decref(stated);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *all = json_array();
	for (int i = 0; tb_unstatable[i]; i++)
		json_array_append_new(all, json_string(tb_unstatable[i]));
	tb_resp_json(r, 200,
	             json_pack("{s:s, s:o, s:o}", "province", province, "stated_for_publication",
	                       stated, "unstatable", all));
}

void tb_handle_catalog_rule_put(struct tb_req *r)
{
	const char *province = path_province(r);
	if (!province ||
	    !tb_req_allow(r, "catalog.rule.write", &(struct tb_authz_object){.region = province}))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_t *stated = NULL;
	const struct tb_field fields[] = {{"stated_for_publication", 'a', true, &stated}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = tb_catalog_rule_put(r->app->store, &ctx, province, stated, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:s, s:O}", "province", province,
			                       "stated_for_publication", stated));
	}
	json_decref(body);
}

/* ---- search synonyms (issue #16) --------------------------------------- */

void tb_handle_synonyms(struct tb_req *r)
{
	if (!tb_req_allow(r, "catalog.read", NULL))
		return;
	json_t *list;
	enum tb_err e = tb_synonyms_list(r->app->store, &list);
	if (e != TB_OK) {
		json_decref(list);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:o}", "items", list));
}

/* The table serves the whole platform: its province's managers keep it. */
static bool synonyms_writer(struct tb_req *r)
{
	return tb_req_allow(r, "catalog.synonym.write",
	                    &(struct tb_authz_object){.region = r->app->province});
}

void tb_handle_synonym_put(struct tb_req *r)
{
	if (!synonyms_writer(r))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_t *expansions = NULL;
	const struct tb_field fields[] = {{"expansions", 'a', true, &expansions}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = tb_synonym_put(r->app->store, &ctx, r->params[0], expansions, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:s, s:O}", "word", r->params[0], "expansions",
			                       expansions));
	}
	json_decref(body);
}

void tb_handle_synonym_delete(struct tb_req *r)
{
	if (!synonyms_writer(r))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	enum tb_err e = tb_synonym_delete(r->app->store, &ctx, r->params[0], &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 200, json_pack("{s:s, s:b}", "word", r->params[0], "deleted", 1));
}
