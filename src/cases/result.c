/* Certificates issued on completion (see result.h). */
#include "cases/result.h"
#include "catalog/catalog.h"
#include "certs/certs.h"
#include "certs/types.h"
#include "codes/credit.h"
#include "identity/accounts.h"

#include <jansson.h>
#include <string.h>

/* The certificate type the item's result names, or NULL. */
static const char *result_type(json_t *item)
{
	json_t *r = json_object_get(item, "result");
	const char *type = json_string_value(json_object_get(r, "type"));
	const char *cert = json_string_value(json_object_get(r, "certificate_type"));
	return type && strcmp(type, "certificate") == 0 && cert && *cert ? cert : NULL;
}

enum tb_err tb_case_result_needs_key(struct tb_store *s, const char *case_no, int64_t *department)
{
	*department = 0;
	struct tb_arena *a = tb_arena_new();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK) {
		tb_arena_free(a);
		return e;
	}
	struct tb_stmt *st;
	bool row;
	char code[48] = "";
	int64_t version = 0;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT item_code, item_version, department_id FROM cases WHERE"
	                  " case_no = ?",
	                  "s", case_no);
	if (e == TB_OK && row) {
		snprintf(code, sizeof(code), "%s", tb_stmt_text(st, 0));
		version = tb_stmt_int(st, 1);
		*department = tb_stmt_int(st, 2);
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	const char *text;
	if (e == TB_OK)
		e = tb_item_doc_on(c, code, version, a, &text);
	json_t *item = e == TB_OK ? json_loads(text, 0, NULL) : NULL;
	if (e == TB_OK && !result_type(item))
		e = TB_ENOTFOUND;
	json_decref(item);
	tb_store_release(c);
	tb_arena_free(a);
	return e;
}

static enum tb_err applicant_on(struct tb_conn *c, int64_t id, struct tb_arena *a,
                                const char **kind, const char **code, const char **name)
{
	struct tb_stmt *st;
	bool row;
	enum tb_err e = tb_conn_query(
	    c, &st, &row, "SELECT kind, login, name FROM accounts WHERE id = ?", "i", id);
	if (e == TB_OK && row) {
		*kind = tb_arena_strdup(a, tb_stmt_text(st, 0));
		*code = tb_arena_strdup(a, tb_stmt_text(st, 1));
		*name = tb_arena_strdup(a, tb_stmt_text(st, 2));
	} else if (e == TB_OK) {
		e = TB_ENOTFOUND;
	}
	tb_stmt_reset(st);
	return e;
}

enum tb_err tb_case_result_on(struct tb_keys *k, struct tb_conn *c, const struct tb_ctx *ctx,
                              const struct tb_case_result *in, struct tb_arena *a,
                              const char **identifier, struct tb_fail *f)
{
	*identifier = NULL;
	const char *text;
	enum tb_err e = tb_item_doc_on(c, in->item_code, in->item_version, a, &text);
	if (e != TB_OK)
		return e;
	json_t *item = json_loads(text, 0, NULL);
	const char *type_name = result_type(item);
	struct tb_cert_type type;
	if (!type_name || tb_cert_type_get_on(c, type_name, a, &type) != TB_OK) {
		json_decref(item); /* no certificate, or a type the platform does not know */
		return TB_OK;
	}
	json_decref(item);
	json_t *given = in->certificate ? json_loads(in->certificate, 0, NULL) : NULL;
	json_t *form = json_loads(in->form ? in->form : "{}", 0, NULL);
	if (in->certificate && !json_is_object(given)) {
		json_decref(given);
		json_decref(form);
		return tb_fail(f, TB_EINVAL, "certificate", "expected {holder, face}");
	}
	const char *kind = "", *code = NULL, *name = NULL;
	e = applicant_on(c, in->applicant, a, &kind, &code, &name);
	json_t *holder = json_object_get(given, "holder");
	const char *hcode = json_string_value(json_object_get(holder, "code"));
	const char *hname = json_string_value(json_object_get(holder, "name"));
	if (e == TB_OK && !holder && strcmp(kind, type.holder_type) != 0)
		e = tb_fail(
		    f, TB_EINVAL, "certificate.holder",
		    tb_arena_printf(
		        a, "a %s is held by %s: give the holder's code and name", type.name,
		        strcmp(type.holder_type, "person") == 0 ? "a person" : "an organisation"));
	struct tb_cert_issue is = {
	    .type = type.code,
	    .holder_code = holder ? hcode : code,
	    .holder_name = holder ? hname : name,
	    .applicant_name = name,
	    .inputs = json_object_get(given, "face"),
	    .form = form,
	    .department = in->department,
	    .case_id = in->case_id,
	};
	struct tb_fail cf = {0};
	if (e == TB_OK)
		e = tb_cert_issue_on(k, c, ctx, &is, a, identifier, &cf);
	/* A 营业执照 issued here registers its business, with the applicant
	 * (the operator) as legal representative: then they, and only they,
	 * can register it on the platform (tb_org_register). */
	struct tb_credit cc;
	if (e == TB_OK && strcmp(type.name, "营业执照") == 0 && strcmp(kind, "person") == 0 &&
	    tb_credit_check(is.holder_code, &cc, NULL) == TB_OK)
		e = tb_business_registry_put_on(c, cc.normalized, is.holder_name, code, name,
		                                tb_arena_printf(a, "cert:%s", *identifier));
	if (e != TB_OK && cf.field)
		tb_fail(f, e, tb_arena_printf(a, "certificate.%s", cf.field), cf.reason);
	json_decref(given);
	json_decref(form);
	return e;
}
