/* GET /api/v1/audit: the audit trail for supervisors, filtered by actor,
 * object and time range, newest first, paged with ?before=SEQ; and GET
 * /api/v1/audit/checkpoint, the newest signed checkpoint of its head. */
#include "app/app.h"
#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "http/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses an optional non-negative integer parameter; sends 400 if bad. */
static bool int_param(struct tb_req *r, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const char *s = tb_req_query(r, name);
	if (!s)
		return true;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < lo || v > hi) {
		tb_resp_error(r, TB_EINVAL, name,
		              tb_arena_printf(r->arena, "expected an integer from %lld to %lld",
		                              (long long)lo, (long long)hi));
		return false;
	}
	*out = v;
	return true;
}

static bool text_param(struct tb_req *r, const char *name, const char **out)
{
	const char *s = tb_req_query(r, name);
	if (s && (strlen(s) == 0 || strlen(s) > 64)) {
		tb_resp_error(r, TB_EINVAL, name, "expected 1 to 64 bytes");
		return false;
	}
	*out = s;
	return true;
}

void tb_handle_audit_list(struct tb_req *r)
{
	/* The trail covers the whole deployment: its object is the province. */
	struct tb_authz_object o = {.region = r->app->province};
	if (!tb_req_allow(r, "audit.read", &o))
		return;
	struct tb_audit_filter f = {.limit = 50};
	int64_t limit = 50;
	if (!text_param(r, "actor", &f.actor) || !text_param(r, "object", &f.object) ||
	    !int_param(r, "from", 0, INT64_MAX / 2, &f.from_ts) ||
	    !int_param(r, "to", 0, INT64_MAX / 2, &f.to_ts) ||
	    !int_param(r, "before", 1, INT64_MAX / 2, &f.before_seq) ||
	    !int_param(r, "limit", 1, 500, &limit))
		return;
	f.limit = (int)limit;
	if (f.from_ts && f.to_ts && f.from_ts > f.to_ts) {
		tb_resp_error(r, TB_EINVAL, "to", "earlier than from");
		return;
	}
	struct tb_audit_entry *v;
	size_t n;
	enum tb_err e = tb_audit_query(r->app->store, &f, r->arena, &v, &n);
	if (e != TB_OK) {
		tb_resp_error(r, e, NULL, NULL);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
		              (json_int_t)v[i].seq, "ts", (json_int_t)v[i].ts, "actor", v[i].actor,
		              "acting_for", v[i].acting_for, "action", v[i].action, "object",
		              v[i].object, "outcome", v[i].outcome, "client", v[i].client,
		              "request_id", v[i].request_id, "hash", v[i].hash));
	json_t *j = json_pack("{s:o, s:I}", "items", items, "count", (json_int_t)n);
	if (n == (size_t)f.limit)
		json_object_set_new(j, "next_before", json_integer(v[n - 1].seq));
	tb_resp_json(r, 200, j);
}

/* GET /api/v1/audit/checkpoint: the newest signed checkpoint of the audit
 * head (public, so that anyone may keep a copy outside the platform). */
void tb_handle_audit_checkpoint(struct tb_req *r)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", r->app->checkpoint_dir, TB_CHECKPOINT_LATEST);
	struct tb_checkpoint cp;
	struct tb_fail f = {0};
	enum tb_err e = tb_checkpoint_load(path, &cp, &f);
	if (e == TB_ENOTFOUND) {
		tb_resp_error(r, e, "checkpoint", "no checkpoint has been made yet");
		return;
	}
	if (e != TB_OK) {
		tb_resp_error(r, TB_EINTERNAL, NULL, NULL);
		return;
	}
	char *text = tb_checkpoint_json(&cp);
	tb_checkpoint_clear(&cp);
	if (!text) {
		tb_resp_error(r, TB_EINTERNAL, NULL, NULL);
		return;
	}
	tb_resp_json_text(r, 200, text);
	free(text);
}
