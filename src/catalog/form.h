/* The application form of an item (申请表): the "form_fields" of its
 * catalog document (docs/catalog-format.md, FIELD) and the checks of the
 * values a case holds for them. A case's form is a JSON object from field
 * name to value (a string, or a number for the numeric types); an empty
 * string is no value. Keys that are not fields of the item are let
 * through: a window clerk may note more on a paper application. */
#ifndef TB_CATALOG_FORM_H
#define TB_CATALOG_FORM_H

#include "base/arena.h"
#include "base/err.h"

#include <jansson.h>
#include <stdbool.h>

/* The field types, NULL-terminated: text, textarea, integer, decimal,
 * date, select, phone, id_number, credit_code, email. */
extern const char *const tb_form_types[];

/* Whether prefill names something the platform knows: applicant.name,
 * applicant.code, applicant.phone (the applicant: a person, or the
 * business an agent acts for), agent.name, agent.code, agent.phone (the
 * person acting for a business; the applicant when nobody acts), or
 * certificate:TYPE.FIELD (a face field of the applicant's e-certificate of
 * that type, e.g. certificate:居民身份证.address). */
bool tb_form_prefill_ok(const char *prefill);

/* Whether value is well formed for field (a FIELD): what prefill checks
 * before it fills a field, so that nothing it fills is refused later. */
bool tb_form_value_ok(const json_t *field, const json_t *value, struct tb_arena *a);

/* Checks form against fields (NULL or an array of FIELD): each value
 * given is well formed for its field's type, within its length, range or
 * choices; with complete (a submission), every required field also has a
 * value. Answers TB_OK, or TB_EINVAL with f naming "form.NAME" (strings
 * in a). */
enum tb_err tb_form_check(const json_t *fields, const json_t *form, bool complete,
                          struct tb_arena *a, struct tb_fail *f);

#endif
