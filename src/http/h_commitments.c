/* Notification and commitment over HTTP (告知承诺制): an applicant
 * commits instead of bringing a certificate, the department checks the
 * commitment afterwards, supervisors see the checks that are late, and
 * people see and departments repair credit records of false ones. Rules
 * live in cases/commitments.c and cases/credit.c. */
#include "app/app.h"
#include "cases/cases.h"
#include "cases/commitments.h"
#include "cases/credit.h"
#include "cases/notify.h"
#include "http/handlers.h"
#include "identity/accounts.h"

#include <stdint.h>
#include <string.h>

void tb_handle_case_commit(struct tb_req *r)
{
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.update", &ref, &o))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *material = NULL;
	int commit = 1;
	const struct tb_field fields[] = {{"material", 's', true, &material},
	                                  {"commit", 'b', false, &commit}};
	if (tb_req_fields(r, body, fields, 2)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = tb_case_commit(r->app->store, &ctx, r->params[0], material, commit,
		                               r->arena, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:s, s:s, s:b}", "case_no", r->params[0],
			                       "material", material, "commit", commit));
	}
	json_decref(body);
}

void tb_handle_commitment_check(struct tb_req *r)
{
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.commitment.check", &ref, &o))
		return;
	int64_t id;
	if (!tb_req_path_id(r, 1, "id", &id))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *method = NULL, *finding = NULL;
	json_t *outcome = NULL;
	const struct tb_field fields[] = {{"method", 's', true, &method},
	                                  {"outcome", 'o', false, &outcome},
	                                  {"finding", 's', false, &finding}};
	if (tb_req_fields(r, body, fields, 3)) {
		struct tb_commitment_check in = {method, -1, finding};
		if (outcome && !json_is_boolean(outcome) && !json_is_null(outcome)) {
			tb_resp_error(r, TB_EINVAL, "outcome", "true (属实) or false (不实)");
			goto out;
		}
		if (json_is_boolean(outcome))
			in.outcome = json_is_true(outcome);
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		json_t *answer = NULL;
		enum tb_err e = tb_commitment_check(r->app->store, &ctx, r->params[0], id, &in,
		                                    r->arena, &answer, &f);
		if (e != TB_OK) {
			tb_resp_fail(r, e, &f);
			goto out;
		}
		/* A false one wrote the applicant's message to the outbox. */
		if (json_object_get(answer, "credit_record_id"))
			tb_notifier_kick(r->app->notifier);
		tb_resp_json(r, 200, answer);
	}
out:
	json_decref(body);
}

void tb_handle_commitments(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	long dept = 0;
	bool overdue = false;
	if (!tb_req_query_int(r, "department_id", 1, INT32_MAX, &dept) ||
	    !tb_req_query_flag(r, "overdue", &overdue))
		return;
	const char *state = tb_req_query(r, "state");
	if (state && strcmp(state, "pending") && strcmp(state, "true") && strcmp(state, "false")) {
		tb_resp_error(r, TB_EINVAL, "state", "pending, true or false");
		return;
	}
	/* A department's own, or (supervisors) those of the widest region the
	 * caller's grants cover; department staff get their department's. */
	const char *region = dept ? NULL : tb_authz_widest_region(p, "commitment.read");
	/* Department staff without a department named: their own. */
	for (int i = 0; !dept && !region && i < p->ngrants; i++)
		if (p->grants[i].department_id &&
		    tb_authz_as(p, p->grants[i].role, "commitment.read",
		                &(struct tb_authz_object){.department = p->grants[i].department_id,
		                                          .region = p->grants[i].region}) == TB_OK)
			dept = p->grants[i].department_id;
	struct tb_authz_object o =
	    dept ? tb_req_dept_object(r, dept)
	         : (struct tb_authz_object){.region = region ? region : "none"};
	if (!tb_req_allow(r, "commitment.read", &o))
		return;
	json_t *list;
	enum tb_err e =
	    tb_commitments_list(r->app->store, dept, dept ? "" : region, state, overdue, &list);
	if (e != TB_OK) {
		json_decref(list);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:o}", "items", list));
}

void tb_handle_my_credit_records(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t me = p->acting_for ? p->acting_for : p->account_id;
	if (!tb_req_allow(r, "credit.read", &(struct tb_authz_object){.owner = me}))
		return;
	struct tb_account acc;
	enum tb_err e = tb_account_get(r->app->store, me, r->arena, &acc);
	json_t *list = NULL;
	if (e == TB_OK)
		e = tb_credit_list(r->app->store, acc.login, &list);
	if (e != TB_OK) {
		json_decref(list);
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:s, s:o}", "subject", acc.login, "items", list));
}

void tb_handle_credit_repair(struct tb_req *r)
{
	int64_t id, dept = 0;
	if (!tb_req_path_id(r, 0, "id", &id))
		return;
	enum tb_err e = tb_credit_department(r->app->store, id, &dept);
	struct tb_authz_object o = tb_req_dept_object(r, e == TB_OK ? dept : 0);
	if (!tb_req_allow(r, "credit.repair", &o))
		return;
	if (e != TB_OK) {
		tb_resp_error(r, e, "id", e == TB_ENOTFOUND ? "no such credit record" : NULL);
		return;
	}
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *reason = NULL;
	const struct tb_field fields[] = {{"reason", 's', true, &reason}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		e = tb_credit_repair(r->app->store, &ctx, id, reason, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:I, s:b}", "id", (json_int_t)id, "restricts", 0));
	}
	json_decref(body);
}
