/* E-certificates over HTTP: the types, issuing outside a case, the
 * holder's list, a certificate's document, verifying (by identifier or a
 * document offered back), revoking, the QR code that leads to the
 * verification, and the departments' public keys. */
#include "app/app.h"
#include "base/buf.h"
#include "certs/certs.h"
#include "certs/types.h"
#include "codes/certid.h"
#include "federation/certs.h"
#include "http/handlers.h"
#include "identity/accounts.h"
#include "identity/departments.h"
#include "identity/ratelimit.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void tb_handle_cert_types(struct tb_req *r)
{
	const char *text;
	enum tb_err e = tb_cert_types_list(r->app->store, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_cert_issue(struct tb_req *r)
{
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *type = NULL, *department = NULL, *valid_from = NULL, *valid_to = NULL;
	json_t *holder = NULL, *face = NULL;
	const struct tb_field fields[] = {
	    {"type", 's', true, &type},
	    {"department", 's', true, &department},
	    {"holder", 'o', true, &holder},
	    {"face", 'o', false, &face},
	    {"valid_from", 'S', false, &valid_from},
	    {"valid_to", 'S', false, &valid_to},
	};
	struct tb_department d;
	if (!tb_req_fields(r, body, fields, sizeof(fields) / sizeof(fields[0])))
		goto out;
	if (!json_is_object(holder) || (face && !json_is_object(face))) {
		tb_resp_error(r, TB_EINVAL, json_is_object(holder) ? "face" : "holder",
		              "expected an object");
		goto out;
	}
	if (tb_department_find(r->app->store, department, r->arena, &d) != TB_OK) {
		tb_resp_error(r, TB_EINVAL, "department", "no such department");
		goto out;
	}
	if (!tb_req_allow(r, "cert.issue",
	                  &(struct tb_authz_object){.department = d.id, .region = d.region}))
		goto out;
	struct tb_cert_issue in = {
	    .type = type,
	    .holder_code = json_string_value(json_object_get(holder, "code")),
	    .holder_name = json_string_value(json_object_get(holder, "name")),
	    .inputs = face,
	    .department = d.id,
	    .valid_from = valid_from,
	    .valid_to = valid_to,
	};
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	struct tb_fail f = {0};
	const char *identifier;
	enum tb_err e =
	    tb_cert_issue(r->app->keys, r->app->store, &ctx, &in, r->arena, &identifier, &f);
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		tb_resp_json(r, 201, json_pack("{s:s}", "identifier", identifier));
out:
	json_decref(body);
}

void tb_handle_my_certificates(struct tb_req *r)
{
	const struct tb_principal *p = tb_req_principal(r);
	if (!p)
		return;
	int64_t me = p->acting_for ? p->acting_for : p->account_id;
	if (!tb_req_allow(r, "cert.read", &(struct tb_authz_object){.owner = me}))
		return;
	struct tb_account acc;
	const char *text = NULL;
	enum tb_err e = tb_account_get(r->app->store, me, r->arena, &acc);
	/* A login proves only that someone registered the number: what was
	 * issued to it is shown once the identity is proven. */
	if (e == TB_OK && !acc.identity_proven) {
		tb_resp_error(r, TB_EDENIED, "identity_proven",
		              "the identity of this account is not proven: prove it (for example"
		              " at a window) to see its certificates");
		return;
	}
	if (e == TB_OK)
		e = tb_cert_list(r->app->store, acc.login, 0, 500, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json(r, 200, json_pack("{s:o}", "items", json_loads(text, 0, NULL)));
}

void tb_handle_certs_list(struct tb_req *r)
{
	const char *ds = tb_req_query(r, "department"), *holder = tb_req_query(r, "holder");
	const char *ls = tb_req_query(r, "limit");
	char *end = NULL;
	long long id = ds ? strtoll(ds, &end, 10) : 0;
	struct tb_department d;
	if (!ds || !*ds || *end || id <= 0 ||
	    tb_department_get(r->app->store, id, r->arena, &d) != TB_OK) {
		tb_resp_error(r, TB_EINVAL, "department", "a department id is required");
		return;
	}
	long limit = ls ? strtol(ls, &end, 10) : 50;
	if ((ls && (!*ls || *end)) || limit < 1 || limit > 500) {
		tb_resp_error(r, TB_EINVAL, "limit", "expected 1 to 500");
		return;
	}
	if (holder && (strlen(holder) != 18)) {
		tb_resp_error(r, TB_EINVAL, "holder", "an identity number or credit code");
		return;
	}
	if (!tb_req_allow(r, "cert.read",
	                  &(struct tb_authz_object){.department = d.id, .region = d.region}))
		return;
	/* The register names holders: every look into it is on the record,
	 * with the holder searched for. */
	if (!tb_req_audit_read(
	        r, "cert.register.read",
	        holder ? tb_arena_printf(r->arena, "department:%lld;holder:%s", id, holder)
	               : tb_arena_printf(r->arena, "department:%lld", id)))
		return;
	const char *text;
	enum tb_err e = tb_cert_list(r->app->store, holder, d.id, (int)limit, r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json(r, 200, json_pack("{s:o}", "items", json_loads(text, 0, NULL)));
}

/* The certificate of the path, if the caller may do action to it (the
 * holder, or its department's staff); otherwise the answer is sent. */
static bool cert_allowed(struct tb_req *r, const char *action, struct tb_cert_ref *ref,
                         int64_t *owner)
{
	enum tb_err e = tb_cert_ref(r->app->store, r->params[0], ref);
	if (e != TB_OK) {
		tb_resp_error(r, e, "identifier", e == TB_ENOTFOUND ? "no such certificate" : NULL);
		return false;
	}
	*owner = 0;
	struct tb_account acc;
	/* The holder's account counts only once its identity is proven. */
	if (tb_account_find(r->app->store, ref->holder_code, r->arena, &acc) == TB_OK &&
	    acc.identity_proven)
		*owner = acc.id;
	return tb_req_allow(r, action,
	                    &(struct tb_authz_object){.owner = *owner,
	                                              .department = ref->department,
	                                              .region = ref->region});
}

void tb_handle_cert_get(struct tb_req *r)
{
	struct tb_cert_ref ref;
	int64_t owner;
	if (!cert_allowed(r, "cert.read", &ref, &owner))
		return;
	/* Staff opening someone's certificate leave a record; its holder
	 * does not. */
	bool holder = owner && tb_authz_as(tb_req_principal(r), "person", "cert.read",
	                                   &(struct tb_authz_object){.owner = owner}) == TB_OK;
	if (!holder &&
	    !tb_req_audit_read(r, "cert.read", tb_arena_printf(r->arena, "cert:%s", r->params[0])))
		return;
	const char *text;
	enum tb_err e = tb_cert_get(r->app->store, r->params[0], r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json_text(r, 200, text);
}

static void send_verdict(struct tb_req *r, enum tb_cert_status status, const char *text)
{
	/* An identifier not on the register is a clear "not found". */
	tb_resp_json_text(r, status == TB_CERT_UNKNOWN ? 404 : 200, text);
}

/* Lookups by identifier per client address: 60 a minute, then a minute's
 * pause. Identifiers are sequential, so unlimited lookups would walk the
 * register; a person checking certificates by hand never comes near.
 * Evictable: a flood of these must not crowd out sign-in locks, and losing
 * one only gives a walker with many addresses what the addresses give. */
static const struct tb_limit_policy lookup_policy = {
    .max_failures = 60, .window_s = 60, .lock_s = 60, .evictable = true};

/* Counts a lookup by identifier (the verification and the QR code) from
 * the request's address; false with 429 sent when it is over the limit. */
static bool lookup_allowed(struct tb_req *r)
{
	char key[80];
	snprintf(key, sizeof(key), "v:%s", r->client);
	int64_t now = (int64_t)time(NULL);
	int wait = tb_limit_locked(key, now);
	if (wait > 0) {
		char sec[16];
		snprintf(sec, sizeof(sec), "%d", wait);
		tb_resp_header(r, "Retry-After", sec);
		tb_resp_error(r, TB_ERATE, "identifier",
		              "too many certificate lookups from this address; try again later");
		return false;
	}
	/* Every lookup counts, known or not: what is limited is reading. */
	tb_limit_fail(key, &lookup_policy, now);
	return true;
}

void tb_handle_cert_verify(struct tb_req *r)
{
	if (!tb_req_allow(r, "cert.verify", NULL) || !lookup_allowed(r))
		return;
	enum tb_cert_status status;
	const char *text;
	struct tb_fail f = {0};
	enum tb_err e = tb_cert_verify(r->app->store, r->params[0], r->arena, &status, &text, &f);
	/* Not on this register: issued at a peer platform, whose register
	 * answers. */
	struct tb_certid id;
	struct tb_fail pf = {0};
	if (e == TB_OK && status == TB_CERT_UNKNOWN &&
	    tb_certid_parse(r->params[0], &id, &pf) == TB_OK) {
		enum tb_cert_status theirs;
		const char *answer;
		if (tb_peer_cert_verify_id(r->app->store, r->params[0], id.issuer, r->arena,
		                           &theirs, &answer) == TB_OK) {
			status = theirs;
			text = answer;
		}
	}
	if (e != TB_OK)
		tb_resp_fail(r, e, &f);
	else
		send_verdict(r, status, text);
}

void tb_handle_cert_verify_document(struct tb_req *r)
{
	if (!tb_req_allow(r, "cert.verify", NULL))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	/* Not a document as exported (another format or version, a member of
	 * the wrong type or unknown): nothing to judge, 400 naming it. */
	const char *why, *bad = tb_cert_doc_malformed(body, &why);
	if (bad) {
		tb_resp_error(r, TB_EINVAL, bad, why);
		json_decref(body);
		return;
	}
	enum tb_cert_status status;
	const char *text;
	/* Issued at a peer platform (its key came over the peer link), or
	 * here. */
	enum tb_err e = tb_peer_cert_verify(r->app->store, body, r->arena, &status, &text);
	if (e == TB_ENOTFOUND)
		e = tb_cert_verify_document(r->app->store, body, r->arena, &status, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		send_verdict(r, status, text);
	json_decref(body);
}

void tb_handle_cert_revoke(struct tb_req *r)
{
	struct tb_cert_ref ref;
	int64_t owner;
	if (!cert_allowed(r, "cert.revoke", &ref, &owner))
		return;
	json_t *body = tb_req_json_body(r);
	if (!body)
		return;
	const char *reason = NULL;
	const struct tb_field fields[] = {{"reason", 's', true, &reason}};
	if (tb_req_fields(r, body, fields, 1)) {
		struct tb_ctx ctx;
		tb_req_ctx(r, &ctx);
		struct tb_fail f = {0};
		enum tb_err e = tb_cert_revoke(r->app->store, &ctx, r->params[0], reason, &f);
		if (e != TB_OK)
			tb_resp_fail(r, e, &f);
		else
			tb_resp_json(r, 200,
			             json_pack("{s:s, s:s}", "identifier", r->params[0], "status",
			                       "revoked"));
	}
	json_decref(body);
}

/* The address a phone should open: this server as the request reached it
 * (a Host header of host name characters only), or the default one. */
static const char *base_url(struct tb_req *r)
{
	const char *host = tb_req_header(r, "Host");
	bool ok = host && *host && strlen(host) < 200;
	for (const char *p = host; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || strchr(".-:[]", *p);
	return tb_arena_printf(r->arena, "http://%s", ok ? host : "127.0.0.1:8080");
}

void tb_handle_cert_qr(struct tb_req *r)
{
	/* 404 or a code tells whether an identifier is on the register. */
	if (!tb_req_allow(r, "cert.verify", NULL) || !lookup_allowed(r))
		return;
	/* Only identifiers on the register get a code (the identifier goes
	 * into the address as is); the verdict is the page's business. */
	struct tb_certid id;
	struct tb_fail f = {0};
	if (tb_certid_parse(r->params[0], &id, &f) != TB_OK &&
	    strcmp(f.reason, "check character") != 0) {
		tb_resp_error(r, TB_EINVAL, "identifier", "not a GB/T 36904 identifier");
		return;
	}
	struct tb_cert_ref ref;
	enum tb_err e = tb_cert_ref(r->app->store, r->params[0], &ref);
	if (e != TB_OK) {
		tb_resp_error(r, e, "identifier", e == TB_ENOTFOUND ? "no such certificate" : NULL);
		return;
	}
	/* A phone that scans it opens the public verification page, which
	 * asks GET /api/v1/certificates/{identifier}/verify and shows the
	 * verdict in words. */
	const char *url = tb_arena_printf(r->arena, "%s/verify.html#%s", base_url(r), r->params[0]);
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr) {
		tb_resp_error(r, TB_EINTERNAL, NULL, NULL);
		return;
	}
	/* One path of unit squares for the dark modules, 4 modules of quiet
	 * zone around. */
	int w = qr->width, side = w + 8;
	struct tb_buf b = TB_BUF_INIT;
	tb_buf_printf(&b,
	              "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	              "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
	              "fill=\"#fff\"/><path fill=\"#000\" d=\"",
	              side, side, side, side);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1)
				tb_buf_printf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
	tb_buf_adds(&b, "\"/></svg>\n");
	QRcode_free(qr);
	size_t len = b.len;
	tb_resp_take(r, 200, "image/svg+xml", tb_buf_take(&b), len);
}

void tb_handle_key_get(struct tb_req *r)
{
	const char *text;
	enum tb_err e = tb_keys_describe(r->app->store, r->params[0], r->arena, &text);
	if (e != TB_OK)
		tb_resp_error(r, e, "key_id", e == TB_ENOTFOUND ? "no such key" : NULL);
	else
		tb_resp_json_text(r, 200, text);
}

void tb_handle_key_rotate(struct tb_req *r)
{
	char *end;
	long long id = strtoll(r->params[0], &end, 10);
	struct tb_department d;
	if (*end || id <= 0 || tb_department_get(r->app->store, id, r->arena, &d) != TB_OK) {
		tb_resp_error(r, TB_ENOTFOUND, "id", "no such department");
		return;
	}
	if (!tb_req_allow(r, "key.rotate",
	                  &(struct tb_authz_object){.department = d.id, .region = d.region}))
		return;
	struct tb_ctx ctx;
	tb_req_ctx(r, &ctx);
	char key_id[TB_SM2_KEY_ID];
	enum tb_err e = tb_keys_rotate(r->app->keys, r->app->store, &ctx, d.id, key_id);
	if (e != TB_OK)
		tb_resp_error(r, e, NULL, NULL);
	else
		tb_resp_json(
		    r, 201,
		    json_pack("{s:s, s:I}", "key_id", key_id, "department_id", (json_int_t)d.id));
}
