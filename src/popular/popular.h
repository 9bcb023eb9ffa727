/* The most used services of a region: the published items in force with
 * the most cases submitted within a recent window, counted from the cases
 * themselves (a GROUP BY over an index of submission time, region and
 * item; migration 015), then, when fewer items than asked have cases,
 * the region's other items in catalog order; one entry per basic item. */
#ifndef TB_POPULAR_POPULAR_H
#define TB_POPULAR_POPULAR_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

#include <stdint.h>

struct tb_popular_query {
	const char *regions[4]; /* the region and its ancestors (province first) */
	int nregions;           /* 0: the whole platform */
	const char *prefix;     /* and what lies below it ("3301"), or NULL */
	int64_t since;          /* cases submitted at or after (Unix seconds) */
	int limit;              /* 1 to 50 */
};

/* At most q->limit item summaries (as GET /api/v1/items lists them, with
 * "cases" in front: the cases submitted since q->since, 0 for the items
 * that fill up in catalog order), most used first, as a JSON array text
 * (arena) in *text. The region rule is that of the catalog lists: cases
 * of items offered at the region, above it and below it. A basic item
 * implemented by several regions is there once, as its implementation
 * with the most cases (else the first in catalog order). */
enum tb_err tb_popular_items(struct tb_store *s, const struct tb_popular_query *q,
                             struct tb_arena *a, const char **text);

#endif
