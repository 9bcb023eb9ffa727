/* Who may apply, as far as a machine can tell (issue #16): an item's
 * eligibility rules (catalog member "eligibility", checked by
 * validate.c) evaluated for an applicant, so that the application page
 * can warn before submission. The conditions' own words stay what the
 * department decides by; this only warns. */
#ifndef TB_CATALOG_ELIGIBILITY_H
#define TB_CATALOG_ELIGIBILITY_H

#include <jansson.h>
#include <stdint.h>

/* The rules (an item's "eligibility" array, or NULL) that apply to the
 * applicant known by code (an identity number; a credit code or NULL for
 * an organisation, to which no age rule applies) on day today (days since
 * 1970-01-01), each as {text, min, max, sex, holds (true or false), age,
 * reason (Chinese, for the page)}: a new JSON array, or NULL when the item
 * has no rules or none applies. A rule for the other sex does not apply. */
json_t *tb_eligibility_check(const json_t *rules, const char *code, int64_t today);

#endif
