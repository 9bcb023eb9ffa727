/* "Same item, same standard": compares the published implementations of
 * one basic item under a region, field by field, and lists where they
 * differ (materials, limits, fees, visits, conditions, ...). */
#ifndef TB_CATALOG_CONSISTENCY_H
#define TB_CATALOG_CONSISTENCY_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

/* The report as JSON text (arena): {basic_code, region, implementations:
 * [{implementation_code, name, department, region}], differences: [{field,
 * variants: [{value, implementations: [codes]}]}], consistent}. */
enum tb_err tb_catalog_consistency(struct tb_store *s, const char *basic_code, const char *region,
                                   struct tb_arena *a, const char **text);

#endif
