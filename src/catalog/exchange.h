/* Catalog import and export in the exchange format of
 * docs/catalog-format.md: export is deterministic (a round trip through an
 * empty store gives identical bytes); import checks every record first and
 * writes all of them or none. */
#ifndef TB_CATALOG_EXCHANGE_H
#define TB_CATALOG_EXCHANGE_H

#include "base/err.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stddef.h>
#include <stdio.h>

struct tb_regions;

/* The platform's key of a department whose guide publishes no credit
 * code: "tb" and 16 hex digits of the SM3 of its region and name. */
void tb_catalog_dept_key(const char *region, const char *name, char out[19]);

/* The platform's key of an item whose guide publishes no implementation
 * code: "tb", the region, "-" and 10 hex digits of the SM3 of its
 * department's code (or key) and name. */
void tb_catalog_item_key(const char *dept_key, const char *region, const char *name, char out[24]);

/* Writes the catalog of region (prefix rule; "000000" or NULL for all) to
 * out. */
enum tb_err tb_catalog_export(struct tb_store *s, const char *region, FILE *out);

struct tb_import_report {
	long departments, basic_items, items; /* written */
	char **errors; /* "position: reason" lines; caller frees with _free */
	size_t nerrors;
};

/* Imports text (the exchange format). On TB_EINVAL report->errors lists
 * every bad record and nothing was written. */
enum tb_err tb_catalog_import(struct tb_store *s, const struct tb_regions *regions,
                              const struct tb_ctx *ctx, const char *text, size_t len,
                              struct tb_import_report *report);
void tb_import_report_free(struct tb_import_report *r);

#endif
