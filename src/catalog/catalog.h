/* The service catalog in the store: basic items, and implementation items
 * with every version kept (draft -> published -> superseded | withdrawn),
 * each write in one transaction with its audit record; and the public
 * reads (current version, a given version, the version list, filtered and
 * searched lists). Items travel as JSON text: the canonical document of
 * validate.h with "version" and "state" in front. */
#ifndef TB_CATALOG_CATALOG_H
#define TB_CATALOG_CATALOG_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tb_item_meta {
	int64_t version;
	const char *state;
	int64_t department_id;
	char region[10];
};

/* Creates (or, when it exists with the same code, refuses with conflict) a
 * basic item. *out_text gets the canonical JSON (arena). */
enum tb_err tb_basic_create(struct tb_store *s, const struct tb_ctx *ctx, json_t *in,
                            struct tb_arena *a, const char **out_text, struct tb_fail *f);
/* The basic item code as JSON (arena), with its children's codes. */
enum tb_err tb_basic_get(struct tb_store *s, const char *code, struct tb_arena *a,
                         const char **out_text);

/* Checks an item document and returns its canonical form and the region
 * and department it belongs to (for authorisation before writing). */
enum tb_err tb_item_check(struct tb_store *s, json_t *in, struct tb_arena *a, json_t **canon,
                          struct tb_item_meta *meta, struct tb_fail *f);
/* Creates version 1 of a new implementation item as a draft. canon is a
 * document from tb_item_check. TB_ECONFLICT when the code exists. */
enum tb_err tb_item_create(struct tb_store *s, const struct tb_ctx *ctx, json_t *canon,
                           const struct tb_item_meta *meta);
/* Edits item code: the latest version when it is a draft, else a new draft
 * version (the published one stays as it is until the draft is
 * published). *version gets the draft's version. */
enum tb_err tb_item_update(struct tb_store *s, const struct tb_ctx *ctx, const char *code,
                           json_t *canon, const struct tb_item_meta *meta, int64_t *version,
                           struct tb_fail *f);
/* Publishes the latest draft of code; the version published before it
 * becomes superseded. TB_ECONFLICT when there is no draft. */
enum tb_err tb_item_publish(struct tb_store *s, const struct tb_ctx *ctx, const char *code,
                            int64_t *version, struct tb_fail *f);
/* Withdraws the published version of code. TB_ECONFLICT when none is. */
enum tb_err tb_item_withdraw(struct tb_store *s, const struct tb_ctx *ctx, const char *code,
                             struct tb_fail *f);

/* The latest version of code in any state (for authorising edits). */
enum tb_err tb_item_latest(struct tb_store *s, const char *code, struct tb_item_meta *meta);
/* Item code as JSON text (arena): version 0 means the published version in
 * force today; otherwise that version, whatever its state. */
enum tb_err tb_item_get(struct tb_store *s, const char *code, int64_t version, struct tb_arena *a,
                        const char **text, struct tb_item_meta *meta);
/* The same on connection c (inside the caller's transaction: a case
 * reads its item without taking a second connection from the pool). */
enum tb_err tb_item_get_on(struct tb_conn *c, const char *code, int64_t version, struct tb_arena *a,
                           const char **text, struct tb_item_meta *meta);
/* The document of version (not 0) of code as stored, without its version
 * and state (arena), on c: what a case reads of its item. A version past
 * draft never changes, so its document is read from the database once
 * per process (the store's memo). TB_ENOTFOUND when there is none. */
enum tb_err tb_item_doc_on(struct tb_conn *c, const char *code, int64_t version, struct tb_arena *a,
                           const char **doc);
/* The form_fields of that document as JSON array text (arena), "" when it
 * has none: what a submission checks its form against, without parsing
 * the whole document each time (memoised as the document is). */
enum tb_err tb_item_form_fields_on(struct tb_conn *c, const char *code, int64_t version,
                                   struct tb_arena *a, const char **fields);
/* The versions of code as a JSON array text (arena), newest first. */
enum tb_err tb_item_versions(struct tb_store *s, const char *code, struct tb_arena *a,
                             const char **text);

/* Gives every item version stored before search documents existed
 * (migration 020) its search document; nothing to do on a newer store.
 * Run once when the store opens. */
enum tb_err tb_catalog_search_backfill(struct tb_store *s);

struct tb_item_query {
	const char *regions[5]; /* the region and its ancestors: items offered there */
	int nregions;
	const char *region_prefix; /* and items below it ("3301%"), or NULL */
	int64_t department_id;     /* 0: any */
	const char *item_type;     /* NULL: any */
	int service_object;        /* 0: any */
	const char *event;         /* NULL: any */
	int online_depth;          /* 0: any */
	const char *q;             /* search text, or NULL */
	bool latest;               /* the latest version of each item, any state (managers) */
	int page, per_page;
};

/* Published items in force today matching q (with q->latest instead the
 * latest version of each item whatever its state or validity, for the
 * catalog's managers): ordered by name, or, for a
 * keyword search, in catalog order (the text index's order, so that a
 * page never sorts every match). *text gets a JSON array of item
 * summaries (arena: the main fields and the materials); *total the number of matches, counted up to 1001
 * (more than 1000 means "over 1000"). */
enum tb_err tb_item_search(struct tb_store *s, const struct tb_item_query *q, struct tb_arena *a,
                           const char **text, int64_t *total);

/* Life and business events with the number of published items in each,
 * as a JSON array text (arena). */
enum tb_err tb_item_events(struct tb_store *s, struct tb_arena *a, const char **text);

/* Prepends {"version": v, "state": s, ...} to a stored document (arena). */
const char *tb_item_with_meta(struct tb_arena *a, const char *doc, int64_t version,
                              const char *state);

/* Writes one item version inside c's transaction (the import uses it):
 * the row with its search terms, filter columns and timestamps. */
enum tb_err tb_item_insert(struct tb_conn *c, json_t *canon, int64_t department_id, int64_t version,
                           const char *state, int64_t created_at, int64_t published_at);

#endif
