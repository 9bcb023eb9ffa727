/* A case's result: when a case completes and its item's result is a
 * certificate of a known type, the implementing department issues the
 * e-certificate in the same transaction as the completion. */
#ifndef TB_CASES_RESULT_H
#define TB_CASES_RESULT_H

#include "base/arena.h"
#include "base/err.h"
#include "certs/keys.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <stdint.h>

struct tb_case_result {
	int64_t case_id, applicant, department, item_version;
	const char *item_code;
	const char *form;        /* the case form (JSON object text) */
	const char *certificate; /* from the completing official: JSON object text
	                            {holder: {code, name}, face: {...}}, or NULL */
};

/* The department's item result type name when the item of case_no's
 * version yields a certificate, for making its key beforehand; *department
 * gets the department. TB_ENOTFOUND when it yields none. */
enum tb_err tb_case_result_needs_key(struct tb_store *s, const char *case_no, int64_t *department);

/* Issues the certificate the completed case yields, if any, on c.
 * *identifier (arena) is NULL when the item yields none. The holder is the
 * applicant unless the official names one ({holder}), which a type held by
 * the other kind of holder needs (a 营业执照 for a newly registered
 * business). TB_EINVAL with f naming "certificate.*" fields. */
enum tb_err tb_case_result_on(struct tb_keys *k, struct tb_conn *c, const struct tb_ctx *ctx,
                              const struct tb_case_result *in, struct tb_arena *a,
                              const char **identifier, struct tb_fail *f);

#endif
