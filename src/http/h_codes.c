/* GET /api/v1/codes/check?code=...: the identity-number and credit-code
 * checks over HTTP. A code of the wrong length or alphabet is bad input
 * (400); a well-formed code that fails a check is a normal answer with
 * "valid": false and the reason, like the check-id command. */
#include "app/app.h"
#include "base/date.h"
#include "codes/code.h"
#include "codes/credit.h"
#include "codes/idnum.h"
#include "http/handlers.h"
#include "regions/regions.h"

#include <string.h>

/* Adds region and region_name (the full name, when the code is known). */
static void add_region(struct tb_req *r, json_t *d, const char *code)
{
	json_object_set_new(d, "region", json_string(code));
	const struct tb_region *g = tb_regions_find(r->app->regions, code);
	if (!g)
		return;
	const struct tb_region *path[4];
	int n = tb_regions_path(r->app->regions, g, path);
	char full[256] = "";
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(path[i]->name);
		if (len + l < sizeof(full)) {
			memcpy(full + len, path[i]->name, l + 1);
			len += l;
		}
	}
	json_object_set_new(d, "region_name", json_string(full));
	if (g->retired)
		json_object_set_new(d, "region_retired", json_true());
}

/* The answer for one code: {"code", "kind", "valid", "details" | "reason"}. */
static json_t *check_one(struct tb_req *r, const char *code)
{
	enum tb_code_kind kind = tb_code_guess(code);
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(tb_code_kind_name(kind)));
	struct tb_fail f = {0};
	if (kind == TB_CODE_RESIDENT_ID) {
		struct tb_idnum id;
		if (tb_idnum_check(code, &id, &f) == TB_OK) {
			json_t *d = json_object();
			add_region(r, d, id.region);
			char birth[11];
			tb_date_format(id.birth, birth);
			json_object_set_new(d, "birth", json_string(birth));
			json_object_set_new(d, "sex",
			                    json_string(id.sex == 'M' ? "male" : "female"));
			json_object_set_new(j, "code", json_string(id.normalized));
			json_object_set_new(j, "valid", json_true());
			json_object_set_new(j, "details", d);
			return j;
		}
	} else if (kind == TB_CODE_CREDIT) {
		struct tb_credit cc;
		if (tb_credit_check(code, &cc, &f) == TB_OK) {
			json_t *d = json_object();
			char dept[2] = {cc.dept, 0}, cat[2] = {cc.category, 0};
			json_object_set_new(d, "registration_dept", json_string(dept));
			json_object_set_new(d, "registration_dept_name", json_string(cc.dept_name));
			json_object_set_new(d, "category", json_string(cat));
			json_object_set_new(d, "category_name", json_string(cc.category_name));
			add_region(r, d, cc.region);
			json_object_set_new(j, "code", json_string(cc.normalized));
			json_object_set_new(j, "valid", json_true());
			json_object_set_new(j, "details", d);
			return j;
		}
	} else {
		f.reason = strlen(code) != 18 ? "length" : "alphabet";
	}
	json_object_set_new(j, "code", json_string(code));
	json_object_set_new(j, "valid", json_false());
	json_object_set_new(j, "reason", json_string(f.reason ? f.reason : "invalid"));
	return j;
}

void tb_handle_codes_check(struct tb_req *r)
{
	const char *code = tb_req_query(r, "code");
	if (!code || !*code) {
		tb_resp_error(r, TB_EINVAL, "code", "required");
		return;
	}
	if (tb_code_guess(code) == TB_CODE_UNKNOWN) {
		tb_resp_error(r, TB_EINVAL, "code",
		              strlen(code) != 18 ? "length: expected 18 characters"
		                                 : "alphabet: neither an identity number nor a "
		                                   "credit code");
		return;
	}
	tb_resp_json(r, 200, check_one(r, code));
}

#define MAX_BATCH 1000

void tb_handle_codes_check_batch(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_t *codes = NULL;
	json_error_t err;
	if (json_unpack_ex(body, &err, JSON_STRICT, "{s:o}", "codes", &codes) != 0) {
		/* An unknown member is named by jansson after "unpacked: ". */
		const char *left = strstr(err.text, "unpacked: ");
		if (left)
			tb_resp_error(r, TB_EINVAL, tb_arena_strdup(r->arena, left + 10),
			              "unknown field");
		else
			tb_resp_error(r, TB_EINVAL, "codes", "required");
		json_decref(body);
		return;
	}
	if (!json_is_array(codes) || json_array_size(codes) == 0 ||
	    json_array_size(codes) > MAX_BATCH) {
		tb_resp_error(r, TB_EINVAL, "codes", "expected an array of 1 to 1000 strings");
		json_decref(body);
		return;
	}
	json_t *results = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(codes, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) > 64) {
			json_decref(results);
			json_decref(body);
			tb_resp_error(r, TB_EINVAL, tb_arena_printf(r->arena, "codes[%zu]", i),
			              "expected a string of at most 64 bytes");
			return;
		}
		json_array_append_new(results, check_one(r, json_string_value(v)));
	}
	json_decref(body);
	tb_resp_json(r, 200, json_pack("{s:o}", "results", results));
}
