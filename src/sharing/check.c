/* Member checks of the sharing documents (see check.h). */
#include "sharing/check.h"
#include "base/arena.h"
#include "base/utf8.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <string.h>

void tb_share_bad(struct tb_share_check *k, const char *field, const char *reason)
{
	if (k->bad)
		return;
	k->bad = true;
	tb_fail(k->f, TB_EINVAL, tb_arena_strdup(k->a, field), reason);
}

/* Clean text: valid UTF-8, no control characters but (multiline) line
 * breaks, minc..maxc characters. */
static bool clean(const char *s, size_t minc, size_t maxc, bool multiline)
{
	size_t n = strlen(s);
	if (!tb_utf8_valid(s, n))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t')))
			return false;
	size_t c = tb_utf8_chars(s, n);
	return c >= minc && c <= maxc;
}

bool tb_share_text_ok(struct tb_share_check *k, const char *field, const char *s, size_t minc,
                      size_t maxc, bool multiline)
{
	if (k->bad)
		return false;
	if (!s || !clean(s, minc, maxc, multiline)) {
		tb_share_bad(k, field,
		             tb_arena_printf(k->a, "expected %zu to %zu characters of clean text",
		                             minc, maxc));
		return false;
	}
	return true;
}

const char *tb_share_text(struct tb_share_check *k, json_t *o, const char *path, const char *key,
                          size_t minc, size_t maxc, bool required, bool multiline)
{
	if (k->bad)
		return NULL;
	json_t *x = json_object_get(o, key);
	const char *field = tb_arena_printf(k->a, "%s%s", path, key);
	if (!x || json_is_null(x)) {
		if (required)
			tb_share_bad(k, field, "required");
		return NULL;
	}
	if (!json_is_string(x) || strlen(json_string_value(x)) != json_string_length(x)) {
		tb_share_bad(k, field, "expected a string");
		return NULL;
	}
	const char *s = json_string_value(x);
	return tb_share_text_ok(k, field, s, minc, maxc, multiline) ? s : NULL;
}

const char *tb_share_word(struct tb_share_check *k, json_t *o, const char *path, const char *key,
                          const char *const *words, bool required)
{
	const char *s = tb_share_text(k, o, path, key, 1, 40, required, false);
	if (!s)
		return NULL;
	for (size_t i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return words[i];
	tb_share_bad(k, tb_arena_printf(k->a, "%s%s", path, key), "not one of the allowed values");
	return NULL;
}

bool tb_share_only(struct tb_share_check *k, json_t *o, const char *path, const char *const *keys)
{
	if (k->bad)
		return false;
	if (!json_is_object(o)) {
		tb_share_bad(k, *path ? tb_arena_strndup(k->a, path, strlen(path) - 1) : "body",
		             "expected an object");
		return false;
	}
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		bool known = false;
		for (size_t i = 0; keys[i] && !known; i++)
			known = strcmp(key, keys[i]) == 0;
		if (!known) {
			tb_share_bad(k, tb_arena_printf(k->a, "%s%s", path, key), "unknown member");
			return false;
		}
	}
	return true;
}

enum tb_err tb_share_finish(struct tb_conn *c, const struct tb_ctx *ctx, enum tb_err e,
                            const char *action, const char *object)
{
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, action, object, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	return e;
}

json_t *tb_share_field(json_t *fields, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *n = json_string_value(json_object_get(f, "name"));
		if (n && strcmp(n, name) == 0)
			return f;
	}
	return NULL;
}

bool tb_share_field_names(struct tb_share_check *k, json_t *names, const char *path,
                          json_t *resource_fields)
{
	if (k->bad)
		return false;
	if (!json_is_array(names) || json_array_size(names) == 0) {
		tb_share_bad(k, path, "expected a non-empty array of field names");
		return false;
	}
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n)
	{
		const char *field = tb_arena_printf(k->a, "%s[%zu]", path, i);
		const char *s = json_string_value(n);
		if (!s) {
			tb_share_bad(k, field, "expected a string");
			return false;
		}
		if (!tb_share_field(resource_fields, s)) {
			tb_share_bad(k, field, "not a field of this resource");
			return false;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(json_string_value(json_array_get(names, j)), s) == 0) {
				tb_share_bad(k, field, "named twice");
				return false;
			}
	}
	return true;
}
