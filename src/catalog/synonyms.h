/* The words people type for services and what the catalog calls them
 * (issue #16): 社保 finds 社会保障卡 services, 户口 the 户口迁移 ones. A table
 * (search_synonyms), seeded from data/catalog/synonyms.tsv on first start
 * and kept by catalog managers, that the catalog search expands each
 * query word with (catalog/terms.h). */
#ifndef TB_CATALOG_SYNONYMS_H
#define TB_CATALOG_SYNONYMS_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>

/* Fills the table from the built-in data/catalog/synonyms.tsv when it is
 * empty. */
enum tb_err tb_synonyms_seed(struct tb_store *s);

/* The other names of word on c, NUL-separated and doubly NUL-terminated
 * (in a), or NULL when it has none. */
const char *tb_synonyms_of_on(struct tb_conn *c, const char *word, struct tb_arena *a);

/* Every word and its expansions, by word: a new JSON array of {word,
 * expansions}. */
enum tb_err tb_synonyms_list(struct tb_store *s, json_t **out);

/* Sets word's expansions (1 to 10 strings of 2 to 20 characters, none
 * the word itself; the word 1 to 20 characters without spaces), with an
 * audit record catalog.synonym.set. TB_EINVAL naming "word" or
 * "expansions". */
enum tb_err tb_synonym_put(struct tb_store *s, const struct tb_ctx *ctx, const char *word,
                           json_t *expansions, struct tb_fail *f);

/* Removes word (audited as catalog.synonym.delete). TB_ENOTFOUND. */
enum tb_err tb_synonym_delete(struct tb_store *s, const struct tb_ctx *ctx, const char *word,
                              struct tb_fail *f);

#endif
