/* Online verification at submission (see share.h). */
#include "cases/share.h"
#include "cases/cases.h"
#include "cases/row.h"
#include "catalog/catalog.h"
#include "identity/accounts.h"
#include "sharing/sharing.h"

#include <string.h>

/* Whether the case's list (JSON array of {name, ...}) has name. */
static bool listed(json_t *list, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
	{
		const char *n = json_string_value(json_object_get(m, "name"));
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

/* The item's document when a submission of a case in state may have
 * anything to check (a draft or back for correction, its item naming an
 * assertion to verify), else NULL. */
static const char *checkable_doc(struct tb_conn *c, const char *state, const char *item_code,
                                 int64_t item_version, struct tb_arena *a)
{
	const char *text;
	return (!strcmp(state, "draft") || !strcmp(state, "needs_correction")) &&
	               tb_item_doc_on(c, item_code, item_version, a, &text) == TB_OK &&
	               strstr(text, "\"sharing_assertion\"")
	           ? text
	           : NULL;
}

/* What to check: [{material, resource, assertion}] of the item's required
 * materials the case lacks, on c; the applicant's code and kind ("person"
 * or "organisation") into subject and kind. */
static json_t *to_check(struct tb_conn *c, const char *case_no, struct tb_arena *a, struct row *r,
                        const char **subject, const char **kind)
{
	const char *text;
	struct tb_account acc;
	if (tb_case_row_load(c, case_no, a, r) != TB_OK ||
	    !(text = checkable_doc(c, r->state, r->item_code, r->item_version, a)) ||
	    tb_account_get_on(c, r->applicant, a, &acc) != TB_OK)
		return NULL;
	*subject = acc.login;
	*kind = acc.kind;
	json_t *item = json_loads(text, 0, NULL), *have = json_loads(r->materials, 0, NULL);
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(item, "materials"), i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		const char *need = json_string_value(json_object_get(m, "required"));
		json_t *assertion = json_object_get(m, "sharing_assertion");
		if (name && need && !strcmp(need, "required") && json_is_string(assertion) &&
		    !listed(have, name))
			json_array_append_new(out, json_pack("{s:s, s:O, s:O}", "material", name,
			                                     "resource",
			                                     json_object_get(m, "sharing_resource"),
			                                     "assertion", assertion));
	}
	json_decref(item);
	json_decref(have);
	return out;
}

json_t *tb_case_share_check(struct tb_store *s, const struct tb_ctx *ctx, const char *case_no,
                            const struct tb_case_ref *seen, struct tb_arena *a)
{
	struct tb_conn *c;
	if (tb_store_acquire(s, &c) != TB_OK)
		return NULL;
	struct row r;
	memset(&r, 0, sizeof(r));
	const char *subject = NULL, *kind = NULL;
	json_t *list =
	    seen && !checkable_doc(c, seen->state, seen->item_code, seen->item_version, a)
	        ? NULL
	        : to_check(c, case_no, a, &r, &subject, &kind);
	tb_store_release(c);
	json_t *held = NULL;
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
	{
		const char *material = json_string_value(json_object_get(x, "material"));
		/* A resource about organisations says nothing of a person
		 * applying in their own name (nor the reverse): not asked. */
		struct tb_share_resource res;
		if (tb_share_resource_get(s, json_string_value(json_object_get(x, "resource")), a,
		                          &res) != TB_OK)
			continue;
		bool fits = !strcmp(res.subject_kind, "person") == !strcmp(kind, "person");
		tb_share_resource_release(&res);
		if (!fits)
			continue;
		json_t *names = json_pack("[O]", json_object_get(x, "assertion"));
		struct tb_share_query q = {
		    .resource = json_string_value(json_object_get(x, "resource")),
		    .subject = subject,
		    .purpose = tb_arena_printf(a, "办理“%s”，在线核验“%s”（申请人提交时同意）",
		                               r.item_name, material),
		    .case_no = r.case_no,
		    .assertions = names,
		    .submitting = true,
		};
		struct tb_fail f = {0};
		json_t *answer = NULL;
		if (tb_share_verify(s, ctx, r.department, &q, &answer, a, &f) == TB_OK &&
		    json_is_true(json_object_get(
		        json_array_get(json_object_get(answer, "results"), 0), "holds"))) {
			if (!held)
				held = json_object();
			json_object_set_new(
			    held, material,
			    json_sprintf("data_use:%lld", (long long)json_integer_value(
			                                      json_object_get(answer, "use_id"))));
		}
		json_decref(answer);
		json_decref(names);
	}
	json_decref(list);
	return held;
}
