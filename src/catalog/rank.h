/* Ranking a keyword search (issue #16): a match in the item's name before
 * one in its result, before its conditions, before its materials; the
 * whole query as one phrase before its words apart; the words as typed
 * before their synonyms; then the shorter name and the earlier word. Matching
 * works on search terms (catalog/terms.h), as the text index does, so
 * punctuation and letter case never decide. Pure functions. */
#ifndef TB_CATALOG_RANK_H
#define TB_CATALOG_RANK_H

#include "base/arena.h"

#include <stdbool.h>

#define TB_RANK_WORDS 8
#define TB_RANK_ALTS  12

/* A parsed query: each word's term phrases (" t1 t2 ", padded with
 * spaces), the word's own first, then its synonyms'. */
struct tb_rank_query {
	int nwords;
	struct {
		const char *alt[TB_RANK_ALTS];
		int nalt;
		bool own; /* alt[0] is the word's own phrase (a lone CJK character has none) */
	} word[TB_RANK_WORDS];
	const char *whole; /* the words together as one phrase, or NULL */
	const char *lone;  /* the query as one CJK character (matched as text), or NULL */
};

/* Parses q the way tb_terms_query_ex does (words split at spaces, each
 * with expand's other names); strings live in a. */
void tb_rank_parse(const char *q, const char *(*expand)(const char *word, void *ctx), void *ctx,
                   struct tb_arena *a, struct tb_rank_query *out);

/* What a search document holds, as text (conditions and materials one per
 * line); terms, when not NULL, the fields' terms already made (tb_terms
 * of name, result, conditions, materials and the codes the guide prints,
 * joined by newlines, as search_docs.terms stores them), which then stand
 * for the text of all but the name's length. Only stored terms hold codes. */
struct tb_rank_doc {
	const char *name, *result, *conditions, *materials;
	const char *terms;
};

/* The tier of d for rq, 0 (best) to 7:
 *   0 the name is the query, or every word is in a printed code; 1 the
 *   name holds the query as one phrase;
 *   2 the name holds every word as typed; 3 ... some by a synonym;
 *   4 the result (with the name) holds every word; 5 the conditions (with
 *   the above); 6 the materials; 7 none of the fields alone (the index
 *   matched across them). */
int tb_rank_tier(const struct tb_rank_query *rq, const struct tb_rank_doc *d, struct tb_arena *a);

/* The sort key of d: tier, then the name's length, then where in the
 * name the first word stands; lower is better. */
long tb_rank_score(const struct tb_rank_query *rq, const struct tb_rank_doc *d, struct tb_arena *a);

#endif
