/* The rules of the catalog (docs/catalog-format.md), checked on every
 * write and every import record: shapes, enumerations, lengths, codes
 * (basic code shape and item-type prefix; implementation code = the
 * department's credit code + use level + basic code), promised <= statutory,
 * online depth IV implies zero visits, a government-issued material names
 * its issuing body, and no unknown fields. Each refusal names the field
 * by its JSON path. The catalog works on the item as a JSON document
 * (jansson): it is a rich, nested, versioned record and the exchange
 * format, so a parallel C struct model would only copy it. */
#ifndef TB_CATALOG_VALIDATE_H
#define TB_CATALOG_VALIDATE_H

#include "base/arena.h"
#include "base/err.h"

#include <jansson.h>
#include <stdbool.h>

/* How validation looks up what a record refers to. */
struct tb_catalog_refs {
	/* The department with this credit code: its level and region. */
	bool (*department)(void *ctx, const char *credit_code, char level[12], char region[10]);
	/* The basic item with this code: its item type (2 digits). */
	bool (*basic)(void *ctx, const char *code, char item_type[3]);
	void *ctx;
};

/* Validates a basic item; *out (a new reference, caller decrefs) gets the
 * canonical form. prefix ("" or e.g. "basic_items[2].") is put in front
 * of field names in f; the strings live in arena a. */
enum tb_err tb_catalog_check_basic(json_t *in, const struct tb_catalog_refs *refs,
                                   const char *prefix, struct tb_arena *a, json_t **out,
                                   struct tb_fail *f);

/* Validates an implementation item document (without version and state);
 * *out gets the canonical document (keys in the format's order, defaults
 * filled in). */
enum tb_err tb_catalog_check_item(json_t *in, const struct tb_catalog_refs *refs,
                                  const char *prefix, struct tb_arena *a, json_t **out,
                                  struct tb_fail *f);

/* Whether code is one of the platform's own keys ("tb..."): the key of a
 * department whose credit code, or of an item whose implementation code,
 * its guide does not publish (catalog/exchange.c makes them). */
bool tb_catalog_is_key(const char *code);

/* The use level of a department level: province 2, city 3, county 4,
 * township 5, village 6 (0 for anything else). */
int tb_catalog_use_level(const char *dept_level);

#endif
