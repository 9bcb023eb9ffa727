/* What the catalog does not know (issue #16): a real guide often leaves
 * its fees, phone, hours, address, steps, conditions or legal basis
 * unstated. The catalog keeps such a member null ("not stated", shown as
 * 未公布) instead of inventing a value; this module lists what each item
 * leaves unstated (the completeness report) and keeps each province's
 * rule of what must be stated before a version is published. */
#ifndef TB_CATALOG_COMPLETENESS_H
#define TB_CATALOG_COMPLETENESS_H

#include "base/arena.h"
#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The members an item may leave unstated, NULL-terminated. */
extern const char *const tb_unstatable[];

/* The members of item document doc that are unstated (null or absent), in
 * the order of tb_unstatable: a new JSON array. */
json_t *tb_item_unstated(const json_t *doc);

/* The completeness report of the items of region (a GB/T 2260 code; its
 * prefix) and, when department is not 0, of that department: each item's
 * current version (the newest version of each code when drafts, else the
 * published version in force), with what it leaves unstated. *out: a new
 * {region, items: [{implementation_code, version, state, name,
 * department: {id, name}, region, unstated}] (only those leaving
 * something unstated, at most 1000), total, complete, unstated: {member:
 * count}}. */
enum tb_err tb_catalog_completeness(struct tb_store *s, const char *region, int64_t department,
                                    bool drafts, json_t **out);

/* The province's rule (province: its 6-digit code): the members that must
 * be stated before publication, as a new JSON array ([] when the province
 * set none). */
enum tb_err tb_catalog_rule_get(struct tb_store *s, const char *province, json_t **stated);

/* Sets the province's rule to stated (an array of members of
 * tb_unstatable, each once), with an audit record catalog.rule.set.
 * TB_EINVAL naming "stated_for_publication". */
enum tb_err tb_catalog_rule_put(struct tb_store *s, const struct tb_ctx *ctx, const char *province,
                                json_t *stated, struct tb_fail *f);

/* On c: whether doc (an item of region) may be published under its
 * province's rule; TB_ECONFLICT naming the first member the rule needs
 * stated that doc leaves unstated. */
enum tb_err tb_catalog_rule_check_on(struct tb_conn *c, const char *region, const json_t *doc,
                                     struct tb_fail *f);

#endif
