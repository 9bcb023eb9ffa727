/* Response helpers of req.h: JSON bodies, error bodies and headers. */
#include "http/req.h"
#include "base/mem.h"

#include <string.h>

void tb_resp_take(struct tb_req *r, int status, const char *content_type, char *data, size_t len)
{
	if (r->resp_body && !r->resp_static)
		free(r->resp_body);
	r->status = status;
	r->content_type = content_type;
	r->resp_body = data;
	r->resp_len = len;
	r->resp_static = false;
}

void tb_resp_static(struct tb_req *r, int status, const char *content_type, const char *data,
                    size_t len)
{
	tb_resp_take(r, status, content_type, NULL, 0);
	r->resp_body = (char *)data;
	r->resp_len = len;
	r->resp_static = true;
}

void tb_resp_json(struct tb_req *r, int status, json_t *json)
{
	char *s = json_dumps(json, JSON_COMPACT);
	json_decref(json);
	if (!s) {
		s = tb_xstrdup("{\"error\":\"internal error\"}");
		status = 500;
	}
	tb_resp_take(r, status, "application/json; charset=utf-8", s, strlen(s));
}

void tb_resp_error(struct tb_req *r, enum tb_err e, const char *field, const char *reason)
{
	json_t *j = json_object();
	json_object_set_new(j, "error", json_string(tb_err_message(e)));
	if (field)
		json_object_set_new(j, "field", json_string(field));
	if (reason)
		json_object_set_new(j, "reason", json_string(reason));
	json_object_set_new(j, "request_id", json_string(r->request_id));
	tb_resp_json(r, tb_err_status(e), j);
}

void tb_resp_fail(struct tb_req *r, enum tb_err e, const struct tb_fail *f)
{
	tb_resp_error(r, e, f ? f->field : NULL, f ? f->reason : NULL);
}

void tb_resp_header(struct tb_req *r, const char *name, const char *value)
{
	if (r->nhdr >= TB_REQ_MAX_HEADERS)
		return;
	r->hdr_name[r->nhdr] = tb_arena_strdup(r->arena, name);
	r->hdr_value[r->nhdr] = tb_arena_strdup(r->arena, value);
	r->nhdr++;
}

json_t *tb_req_json_body(struct tb_req *r)
{
	const char *ct = tb_req_header(r, "Content-Type");
	if (!ct || strncmp(ct, "application/json", 16) != 0 || (ct[16] != '\0' && ct[16] != ';')) {
		tb_resp_error(r, TB_EMEDIA, "Content-Type", "expected application/json");
		return NULL;
	}
	if (!r->body || r->body_len == 0) {
		tb_resp_error(r, TB_EINVAL, "body", "empty body");
		return NULL;
	}
	json_error_t err;
	json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		tb_resp_error(r, TB_EINVAL, "body",
		              tb_arena_printf(r->arena, "malformed JSON: %s", err.text));
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		tb_resp_error(r, TB_EINVAL, "body", "expected a JSON object");
		return NULL;
	}
	return j;
}
