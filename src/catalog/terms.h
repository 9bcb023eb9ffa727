/* Search terms for Chinese and Latin text: each run of CJK characters
 * becomes its overlapping bigrams (结婚登记 -> 结婚 婚登 登记; a lone
 * character stays itself), each run of Latin letters and digits one
 * lower-case word. Both stores index these terms as plain tokens, so a
 * query of two or more characters is an exact phrase match (trigram
 * indexes cannot serve the two-character words that most Chinese queries
 * are). Pure functions. */
#ifndef TB_CATALOG_TERMS_H
#define TB_CATALOG_TERMS_H

#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends the terms of text to out, separated by single spaces. */
void tb_terms(const char *text, struct tb_buf *out);

/* The next word of *p (words are separated by ASCII spaces, tabs and
 * ideographic spaces): returns its start and sets *n to its length, and
 * moves *p past it; NULL when no word is left. */
const char *tb_terms_word(const char **p, size_t *n);

/* The query forms of q for each store: fts (an FTS5 MATCH expression, each
 * word a quoted phrase, words ANDed) and tsq (a PostgreSQL to_tsquery
 * expression with <-> between terms and & between words). like gets a
 * LIKE pattern (%x%) for a query that is one lone CJK character (no
 * bigram to look up), in which case fts and tsq are empty. False when q
 * holds no term at all. Operators and quotes in q are never passed on:
 * only terms are. */
bool tb_terms_query(const char *q, struct tb_buf *fts, struct tb_buf *tsq, struct tb_buf *like);

/* As tb_terms_query, with each word's other names: expand(word, ctx)
 * gives a NUL-separated, doubly NUL-terminated list of words that mean
 * the same (社保 -> 社会保险, 社会保障), or NULL; a word then matches any of
 * them: fts ("社保" OR "社会 会保 保险" ...), tsq (('社保') | ('社会' <->
 * '会保' <-> '保险') ...). The list is the callback's to keep. */
bool tb_terms_query_ex(const char *q, const char *(*expand)(const char *word, void *ctx), void *ctx,
                       struct tb_buf *fts, struct tb_buf *tsq, struct tb_buf *like);

#endif
