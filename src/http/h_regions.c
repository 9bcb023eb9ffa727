/* GET /api/v1/regions/{code} and GET /api/v1/regions?parent=CODE, answered
 * from the in-memory region snapshot. */
#include "app/app.h"
#include "http/handlers.h"
#include "regions/regions.h"

#include <string.h>

static json_t *brief(const struct tb_region *g)
{
	return json_pack("{s:s, s:s, s:s}", "code", g->code, "name", g->name, "level",
	                 tb_region_level_name(g->level));
}

/* Checks a code parameter; on failure sends 400 and returns false. */
static bool valid_code(struct tb_req *r, const char *field, const char *code, char canon[10])
{
	if (!tb_region_code_normalize(code, canon)) {
		tb_resp_error(r, TB_EINVAL, field,
		              "expected a GB/T 2260 code of 2, 4, 6 or 9 digits");
		return false;
	}
	return true;
}

void tb_handle_region_get(struct tb_req *r)
{
	char canon[10];
	if (!valid_code(r, "code", r->params[0], canon))
		return;
	const struct tb_regions *all = r->app->regions;
	const struct tb_region *g = tb_regions_find(all, canon);
	if (!g || (g->placeholder && strlen(r->params[0]) != 6)) {
		tb_resp_error(r, TB_ENOTFOUND, "code", "no such region");
		return;
	}
	const struct tb_region *path[4];
	int n = tb_regions_path(all, g, path);
	json_t *jp = json_array();
	char full[256] = "";
	size_t flen = 0;
	for (int i = 0; i < n; i++) {
		json_array_append_new(jp, brief(path[i]));
		size_t l = strlen(path[i]->name);
		if (flen + l < sizeof(full)) {
			memcpy(full + flen, path[i]->name, l + 1);
			flen += l;
		}
	}
	json_t *j = brief(g);
	json_object_set_new(j, "parent", g->parent[0] ? json_string(g->parent) : json_null());
	json_object_set_new(j, "full_name", json_string(full));
	json_object_set_new(j, "retired", json_boolean(g->retired));
	json_object_set_new(j, "placeholder", json_boolean(g->placeholder));
	json_object_set_new(j, "path", jp);
	tb_resp_json(r, 200, j);
}

void tb_handle_regions_list(struct tb_req *r)
{
	const struct tb_regions *all = r->app->regions;
	const char *p = tb_req_query(r, "parent");
	const struct tb_region *parent = NULL;
	if (p) {
		char canon[10];
		if (!valid_code(r, "parent", p, canon))
			return;
		parent = tb_regions_find(all, canon);
		if (!parent) {
			tb_resp_error(r, TB_ENOTFOUND, "parent", "no such region");
			return;
		}
	}
	const struct tb_region *const *kids;
	size_t n = tb_regions_children(all, parent, &kids);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, brief(kids[i]));
	json_t *j = json_object();
	json_object_set_new(j, "parent", parent ? brief(parent) : json_null());
	json_object_set_new(j, "items", items);
	json_object_set_new(j, "total", json_integer((json_int_t)n));
	tb_resp_json(r, 200, j);
}
