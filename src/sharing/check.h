/* Checking members of the sharing module's JSON documents: the first
 * problem found is kept (member path and reason, in the arena) and later
 * checks do nothing. Internal to src/sharing. */
#ifndef TB_SHARING_CHECK_H
#define TB_SHARING_CHECK_H

#include "base/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct tb_arena;

struct tb_share_check {
	struct tb_arena *a;
	struct tb_fail *f;
	bool bad;
};

/* Records the first problem: field (copied) and reason (static). */
void tb_share_bad(struct tb_share_check *k, const char *field, const char *reason);
/* Member key of o at path ("" or "fields[2]."): a string of minc..maxc
 * characters of one clean line (or several lines: multiline); NULL when
 * absent and not required, or bad. */
const char *tb_share_text(struct tb_share_check *k, json_t *o, const char *path, const char *key,
                          size_t minc, size_t maxc, bool required, bool multiline);
/* Whether s (a string given apart from a document) is minc..maxc
 * characters of clean text; else the problem, naming field. */
bool tb_share_text_ok(struct tb_share_check *k, const char *field, const char *s, size_t minc,
                      size_t maxc, bool multiline);
/* Member key: one of words (NULL-terminated); NULL when bad or absent. */
const char *tb_share_word(struct tb_share_check *k, json_t *o, const char *path, const char *key,
                          const char *const *words, bool required);
/* Whether o holds only the members named in keys (NULL-terminated);
 * else the first other one is the problem ("unknown member"). */
bool tb_share_only(struct tb_share_check *k, json_t *o, const char *path, const char *const *keys);
/* The names of a JSON array of field names (strings), each a field of
 * resource_fields ([{name, ...}]), no repeats, at least one. */
bool tb_share_field_names(struct tb_share_check *k, json_t *names, const char *path,
                          json_t *resource_fields);
/* Ends the write transaction of c (taken from s's pool): with e TB_OK,
 * appends the audit record (ctx's actor, action, object, "ok") and
 * commits; otherwise rolls back. Releases c either way; returns the
 * outcome. */
struct tb_conn;
struct tb_ctx;
enum tb_err tb_share_finish(struct tb_conn *c, const struct tb_ctx *ctx, enum tb_err e,
                            const char *action, const char *object);
/* The entry of fields ([{name, ...}]) named name, or NULL. */
json_t *tb_share_field(json_t *fields, const char *name);

#endif
