/* Ratings and follow-ups, the applicant's message inbox, and department
 * webhooks over HTTP. */
#include "app/app.h"
#include "cases/cases.h"
#include "cases/notify.h"
#include "cases/ratings.h"
#include "http/handlers.h"
#include "identity/departments.h"

#include <stdlib.h>
#include <string.h>

void tb_handle_case_rate(struct tb_req *r)
{
	/* As for every case path: signed out is 401 whether or not the number
	 * exists, and whoever may not read the case gets the same 404 as for
	 * no case, so that rating tells nobody which numbers exist. */
	struct tb_case_ref ref;
	struct tb_authz_object o;
	if (!tb_req_case(r, "case.rate", &ref, &o))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_int_t score = 0;
	const char *text = "", *channel = "web";
	const struct tb_field fields[] = {
	    {"score", 'i', true, &score},
	    {"text", 's', false, &text},
	    {"channel", 's', false, &channel},
	};
	if (tb_req_fields(r, body, fields, 3)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		int64_t followup;
		enum tb_err e = tb_rating_add(r->app->store, r->app->calendar, &ctx, r->params[0],
		                              (int)score, text, channel, &followup, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 201,
			             json_pack("{s:s, s:I, s:o}", "case_no", r->params[0], "score",
			                       score, "followup_id",
			                       followup ? json_integer(followup) : json_null()));
	}
	json_decref(body);
}

void tb_handle_followups(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	/* The widest region the caller's grants cover for this action. */
	const char *region = tb_authz_widest_region(p, "rating.followups");
	if (!tb_req_allow(r, "rating.followups",
	                  &(struct tb_authz_object){.region = region ? region : "none"}))
		return;
	const char *text;
	enum tb_err e = tb_followups(r->app->store, region, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_followup_close(struct tb_req *r)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	if (*end || id <= 0) {
		tb_resp_error(r, TB_EINVAL, "id", "expected a positive integer");
		return;
	}
	int64_t dept = 0;
	enum tb_err e = tb_followup_department(r->app->store, id, &dept);
	if (!tb_req_allow(r, "rating.followup", &(struct tb_authz_object){.department = dept}))
		return;
	if (e != TB_OK) {
		tb_resp_error(r, e, "id", "no such follow-up");
		return;
	}
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *note = NULL;
	const struct tb_field fields[] = {{"note", 's', true, &note}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		e = tb_followup_close(r->app->store, &ctx, id, note, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(
			    r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "done"));
	}
	json_decref(body);
}

void tb_handle_messages(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t me = p->acting_for ? p->acting_for : p->account_id;
	if (!tb_req_allow(r, "message.read", &(struct tb_authz_object){.owner = me}))
		return;
	const char *text;
	enum tb_err e = tb_inbox_list(r->app->store, me, 100, r->arena, &text);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	tb_resp_json(r, 200, json_pack("{s:o}", "items", json_loads(text, 0, NULL)));
}

void tb_handle_webhook_create(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	json_int_t dept = 0;
	const char *url = NULL;
	const struct tb_field fields[] = {{"department_id", 'i', true, &dept},
	                                  {"url", 's', true, &url}};
	if (tb_req_fields(r, body, fields, 2)) {
		struct tb_department d;
		bool known = tb_department_get(r->app->store, dept, r->arena, &d) == TB_OK;
		if (tb_req_allow(r, "webhook.create",
		                 &(struct tb_authz_object){.department = dept,
		                                           .region = known ? d.region : "none"})) {
			struct tb_ctx ctx;
			tb_req_ctx(r, &ctx);
			struct tb_fail f = {0};
			int64_t id;
			char secret[64];
			enum tb_err e =
			    tb_webhook_create(r->app->store, &ctx, dept, url,
			                      r->app->allow_private_webhooks, &id, secret, &f);
			if (e != TB_OK)
				tb_resp_fail(r, e, &f);
			else
				tb_resp_json(r, 201,
				             json_pack("{s:I, s:I, s:s, s:s, s:s}", "id",
				                       (json_int_t)id, "department_id", dept, "url",
				                       url, "secret", secret, "note",
				                       "shown once: deliveries carry X-Tongban-"
				                       "Signature: sha256=HMAC(secret, body)"));
		}
	}
	json_decref(body);
}
