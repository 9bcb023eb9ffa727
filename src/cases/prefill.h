/* Filling an application form from what the platform already knows (the
 * second of the three rules: what can be shared is not asked again): the
 * applicant's and the acting agent's name, number and phone, and face
 * fields of the applicant's valid e-certificates (catalog/form.h names the
 * sources a field may give as its prefill). */
#ifndef TB_CASES_PREFILL_H
#define TB_CASES_PREFILL_H

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

#include <jansson.h>

/* Sets in form (a JSON object) each field of fields (the item's
 * form_fields, or NULL) that has a prefill, no value in form yet, and a
 * value the platform holds: applicant (an account id) and agent (the person
 * acting for it, 0 when the applicant acts alone). Certificates are read
 * only for an applicant whose identity is proven, as for materials. */
enum tb_err tb_case_prefill_on(struct tb_conn *c, const json_t *fields, int64_t applicant,
                               int64_t agent, json_t *form, struct tb_arena *a);

#endif
