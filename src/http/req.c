/* Response helpers of req.h: JSON bodies, error bodies and headers. */
#include "http/req.h"
#include "base/asset.h"
#include "base/mem.h"
#include "http/lang.h"
#include "app/app.h"
#include "regions/regions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void tb_resp_file(struct tb_req *r, int status, const char *content_type, int fd, size_t size)
{
	tb_resp_take(r, status, content_type, NULL, 0);
	if (r->resp_fd >= 0)
		close(r->resp_fd);
	r->resp_fd = fd;
	r->resp_len = size;
}

void tb_resp_static(struct tb_req *r, int status, const char *content_type, const char *data,
                    size_t len)
{
	tb_resp_take(r, status, content_type, NULL, 0);
	r->resp_body = (char *)data;
	r->resp_len = len;
	r->resp_static = true;
}

#define JSON_TYPE "application/json; charset=utf-8"

void tb_resp_json_text(struct tb_req *r, int status, const char *text)
{
	size_t n = strlen(text);
	tb_resp_take(r, status, JSON_TYPE, tb_xstrndup(text, n), n);
}

void tb_resp_json_buf(struct tb_req *r, int status, struct tb_buf *b)
{
	size_t n = b->len;
	tb_resp_take(r, status, JSON_TYPE, tb_buf_take(b), n);
}

void tb_resp_json(struct tb_req *r, int status, json_t *json)
{
	char *s = json_dumps(json, JSON_COMPACT);
	json_decref(json);
	if (!s) {
		s = tb_xstrdup("{\"error\":\"internal error\"}");
		status = 500;
	}
	tb_resp_take(r, status, JSON_TYPE, s, strlen(s));
}

/* A browser's GET of a page that does not exist (outside /api/, Accept
 * preferring text/html) gets the Chinese page web/404.html; API clients
 * get JSON. Returns whether the page was sent. */
static bool page_not_found(struct tb_req *r)
{
	if (!r->conn || !r->method || !r->path || strncmp(r->path, "/api/", 5) == 0 ||
	    (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) ||
	    !tb_lang_html(tb_req_header(r, "Accept")))
		return false;
	const struct tb_asset *a = tb_asset_find("web/404.html");
	if (!a)
		return false;
	tb_resp_static(r, 404, "text/html; charset=utf-8", a->data, a->size);
	return true;
}

void tb_resp_error(struct tb_req *r, enum tb_err e, const char *field, const char *reason)
{
	tb_resp_error_with(r, e, field, reason, NULL);
}

void tb_resp_error_with(struct tb_req *r, enum tb_err e, const char *field, const char *reason,
                        json_t *extra)
{
	if (e == TB_ENOTFOUND && page_not_found(r)) {
		json_decref(extra);
		return;
	}
	/* The store could not answer (no writable server, a failover under
	 * way): say so, and when to try again, whichever call met it. */
	if (e == TB_EUNAVAIL) {
		if (!reason) {
			field = "db";
			reason = "the store is unavailable: try again shortly";
		}
		tb_resp_header(r, "Retry-After", "2");
	}
	const char *error = tb_err_message(e), *error_en = NULL, *reason_en = NULL;
	/* Chinese for those who ask for it (the pages send zh-CN), with the
	 * English kept beside it for logs and scripts; English for the rest. A
	 * reason the table lacks (e.g. a parser's own words) is replaced by the
	 * Chinese of the error rather than shown in English to a person. */
	const char *zh_error = r->conn && tb_lang_zh(tb_req_header(r, "Accept-Language"))
	                           ? tb_lang_reason_zh(r->arena, error)
	                           : NULL;
	if (zh_error) {
		error_en = error;
		error = zh_error;
		if (reason) {
			const char *zh = tb_lang_reason_zh(r->arena, reason);
			reason_en = reason;
			reason = zh ? zh : zh_error;
		}
		tb_resp_header(r, "Content-Language", "zh-CN");
	}
	json_t *j = extra ? extra : json_object();
	json_object_set_new(j, "error", json_string(error));
	if (field)
		json_object_set_new(j, "field", json_string(field));
	if (reason)
		json_object_set_new(j, "reason", json_string(reason));
	if (error_en)
		json_object_set_new(j, "error_en", json_string(error_en));
	if (reason_en)
		json_object_set_new(j, "reason_en", json_string(reason_en));
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

/* The reason a member of type t is refused when it has another type. */
static const char *type_name(char t)
{
	switch (t) {
	case 's': return "expected a string";
	case 'S': return "expected a string or null";
	case 'i': return "expected an integer";
	case 'b': return "expected true or false";
	case 'a': return "expected an array";
	case 'o': return "expected a JSON value";
	default: return "wrong type";
	}
}

bool tb_req_fields(struct tb_req *r, json_t *body, const struct tb_field *fields, size_t n)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(fields[i].name, key) == 0;
		if (!known) {
			tb_resp_error(r, TB_EINVAL, tb_arena_strdup(r->arena, key),
			              "unknown field");
			return false;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct tb_field *fd = &fields[i];
		v = json_object_get(body, fd->name);
		if (!v || (json_is_null(v) && fd->type != 'S')) {
			if (fd->required) {
				tb_resp_error(r, TB_EINVAL, fd->name, "required");
				return false;
			}
			continue;
		}
		bool ok = false;
		switch (fd->type) {
		case 's':
		case 'S':
			if (json_is_null(v)) {
				*(const char **)fd->out = NULL;
				ok = true;
			} else if (json_is_string(v) &&
			           strlen(json_string_value(v)) == json_string_length(v)) {
				*(const char **)fd->out = json_string_value(v);
				ok = true;
			}
			break;
		case 'i':
			if (json_is_integer(v)) {
				*(json_int_t *)fd->out = json_integer_value(v);
				ok = true;
			}
			break;
		case 'b':
			if (json_is_boolean(v)) {
				*(int *)fd->out = json_is_true(v);
				ok = true;
			}
			break;
		case 'a':
			if (json_is_array(v)) {
				*(json_t **)fd->out = v;
				ok = true;
			}
			break;
		case 'o':
			*(json_t **)fd->out = v;
			ok = true;
			break;
		}
		if (!ok) {
			tb_resp_error(r, TB_EINVAL, fd->name, type_name(fd->type));
			return false;
		}
	}
	return true;
}

bool tb_req_path_id(struct tb_req *r, int i, const char *field, int64_t *id)
{
	char *end;
	long long v = strtoll(r->params[i], &end, 10);
	if (*end || v <= 0 || end == r->params[i]) {
		tb_resp_error(r, TB_EINVAL, field, "expected a positive integer");
		return false;
	}
	*id = v;
	return true;
}

bool tb_req_query_int(struct tb_req *r, const char *name, long lo, long hi, long *out)
{
	const char *s = tb_req_query(r, name);
	if (!s)
		return true;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	/* Out of long's range saturates: refused, not taken as the bound. */
	if (!*s || *end || errno == ERANGE || v < lo || v > hi) {
		tb_resp_error(
		    r, TB_EINVAL, name,
		    tb_arena_printf(r->arena, "expected an integer from %ld to %ld", lo, hi));
		return false;
	}
	*out = v;
	return true;
}

bool tb_req_query_region(struct tb_req *r, const struct tb_region **out)
{
	const char *code = tb_req_query(r, "region");
	*out = code ? tb_regions_find(r->app->regions, code) : NULL;
	if (code && !*out) {
		tb_resp_error(r, TB_EINVAL, "region", "no such GB/T 2260 region");
		return false;
	}
	return true;
}

bool tb_req_query_flag(struct tb_req *r, const char *name, bool *out)
{
	const char *v = tb_req_query(r, name);
	*out = v && !strcmp(v, "true");
	if (v && strcmp(v, "true") && strcmp(v, "false")) {
		tb_resp_error(r, TB_EINVAL, name, "expected true or false");
		return false;
	}
	return true;
}
