/* Search synonyms (see synonyms.h). */
#include "catalog/synonyms.h"
#include "base/asset.h"
#include "base/buf.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Whether s is 1..max characters of one line with no space. */
static bool word_ok(const char *s, size_t minc, size_t maxc)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || !tb_utf8_is_line(s, n) || strpbrk(s, " \t") || strstr(s, "\xe3\x80\x80"))
		return false;
	size_t c = tb_utf8_chars(s, n);
	return c >= minc && c <= maxc;
}

static enum tb_err upsert(struct tb_conn *c, const char *word, const char *expansions, int64_t by)
{
	return tb_conn_run(c, NULL,
	                   "INSERT INTO search_synonyms (word, expansions, updated_by, updated_at)"
	                   " VALUES (?, ?, ?, ?) ON CONFLICT (word) DO UPDATE SET expansions ="
	                   " excluded.expansions, updated_by = excluded.updated_by, updated_at ="
	                   " excluded.updated_at",
	                   "ssIi", word, expansions, by, (int64_t)time(NULL));
}

enum tb_err tb_synonyms_seed(struct tb_store *s)
{
	const struct tb_asset *data = tb_asset_find("data/catalog/synonyms.tsv");
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row, "SELECT COUNT(*) FROM search_synonyms", "");
	bool empty = e == TB_OK && row && tb_stmt_int(st, 0) == 0;
	tb_stmt_reset(st);
	if (e == TB_OK && empty && data) {
		char *text = malloc(data->size + 1);
		memcpy(text, data->data, data->size);
		text[data->size] = '\0';
		e = tb_conn_begin(c);
		for (char *line = text, *next; e == TB_OK && line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			char *tab = strchr(line, '\t');
			if (line[0] == '#' || !tab)
				continue;
			*tab = '\0';
			json_t *list = json_array();
			for (char *x = tab + 1, *sep; x && *x; x = sep) {
				sep = strstr(x, "\xe3\x80\x81"); /* 、 */
				if (sep) {
					*sep = '\0';
					sep += 3;
				}
				json_array_append_new(list, json_string(x));
			}
			char *js = json_dumps(list, JSON_COMPACT);
			e = upsert(c, line, js, 0);
			free(js);
			json_decref(list);
		}
		if (e == TB_OK)
			e = tb_conn_commit(c);
		free(text);
	}
	tb_store_release(c);
	return e;
}

const char *tb_synonyms_of_on(struct tb_conn *c, const char *word, struct tb_arena *a)
{
	struct tb_stmt *st;
	bool row;
	if (tb_conn_query(c, &st, &row, "SELECT expansions FROM search_synonyms WHERE word = ?",
	                  "s", word) != TB_OK)
		return NULL;
	json_t *list = row ? json_loads(tb_stmt_text(st, 0), 0, NULL) : NULL;
	tb_stmt_reset(st);
	if (!json_array_size(list)) {
		json_decref(list);
		return NULL;
	}
	struct tb_buf b = TB_BUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(list, i, x)
	{
		const char *t = json_string_value(x);
		if (t)
			tb_buf_add(&b, t, strlen(t) + 1);
	}
	tb_buf_add(&b, "", 1);
	json_decref(list);
	char *out = tb_arena_alloc(a, b.len);
	memcpy(out, b.data, b.len);
	tb_buf_free(&b);
	return out;
}

enum tb_err tb_synonyms_list(struct tb_store *s, json_t **out)
{
	*out = json_array();
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	struct tb_stmt *st;
	bool row;
	e = tb_conn_query(c, &st, &row,
	                  "SELECT word, expansions FROM search_synonyms ORDER BY word LIMIT 5000",
	                  "");
	while (e == TB_OK && row) {
		json_array_append_new(*out, json_pack("{s:s, s:o}", "word", tb_stmt_text(st, 0),
		                                      "expansions",
		                                      json_loads(tb_stmt_text(st, 1), 0, NULL)));
		e = tb_stmt_step(st, &row);
	}
	tb_stmt_reset(st);
	tb_store_release(c);
	return e;
}

/* Sets word's expansions (a JSON array text), or removes word when
 * expansions is NULL, in a transaction with an audit record action. */
static enum tb_err audited(struct tb_store *s, const struct tb_ctx *ctx, const char *word,
                           const char *action, const char *expansions, struct tb_fail *f)
{
	struct tb_conn *c;
	enum tb_err e = tb_store_acquire(s, &c);
	if (e != TB_OK)
		return e;
	int64_t changed = 1;
	e = tb_conn_begin(c);
	if (e == TB_OK)
		e = expansions
		        ? upsert(c, word, expansions, ctx->who->account_id)
		        : tb_conn_run(c, &changed, "DELETE FROM search_synonyms WHERE word = ?",
		                      "s", word);
	if (e == TB_OK && !changed)
		e = tb_fail(f, TB_ENOTFOUND, "word", "no such word");
	char object[128];
	snprintf(object, sizeof(object), "synonym:%s", word);
	if (e == TB_OK)
		e = tb_ctx_audit(c, ctx, action, object, "ok");
	if (e == TB_OK)
		e = tb_conn_commit(c);
	else
		tb_conn_rollback(c);
	tb_store_release(c);
	return e;
}

enum tb_err tb_synonym_put(struct tb_store *s, const struct tb_ctx *ctx, const char *word,
                           json_t *expansions, struct tb_fail *f)
{
	if (!word_ok(word, 1, 20))
		return tb_fail(f, TB_EINVAL, "word", "1 to 20 characters without spaces");
	if (!json_is_array(expansions) || json_array_size(expansions) < 1 ||
	    json_array_size(expansions) > 10)
		return tb_fail(f, TB_EINVAL, "expansions", "1 to 10 words");
	size_t i, k;
	json_t *x, *y;
	json_array_foreach(expansions, i, x)
	{
		const char *t = json_string_value(x);
		if (!word_ok(t, 2, 20) || !strcmp(t, word))
			return tb_fail(
			    f, TB_EINVAL, "expansions",
			    "each 2 to 20 characters without spaces, not the word itself");
		json_array_foreach(expansions, k, y) if (k < i && json_equal(x, y)) return tb_fail(
		    f, TB_EINVAL, "expansions", "a word is named twice");
	}
	char *js = json_dumps(expansions, JSON_COMPACT);
	enum tb_err e = audited(s, ctx, word, "catalog.synonym.set", js, f);
	free(js);
	return e;
}

enum tb_err tb_synonym_delete(struct tb_store *s, const struct tb_ctx *ctx, const char *word,
                              struct tb_fail *f)
{
	return audited(s, ctx, word, "catalog.synonym.delete", NULL, f);
}
