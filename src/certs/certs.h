/* E-certificates (电子证照): issuing (the GB/T 36904 identifier, the face
 * filled from the type's fields, an SM2 signature by the issuing
 * department over the canonical record), reading, listing a holder's,
 * verifying (by identifier, or a whole document offered back), revoking,
 * and finding a holder's valid certificate of a type for reuse. See
 * record.h for the document's form. */
#ifndef TB_CERTS_CERTS_H
#define TB_CERTS_CERTS_H

#include "base/arena.h"
#include "base/err.h"
#include "certs/keys.h"
#include "certs/record.h"
#include "identity/ctx.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

struct tb_cert_issue {
	const char *type;           /* type code or name */
	const char *holder_code;    /* identity number or credit code, by the type's holder */
	const char *holder_name;    /* 1-100 characters */
	const char *applicant_name; /* for "applicant.name" fields; NULL: the holder's */
	const json_t *inputs;       /* values of "input" fields (object, may be NULL) */
	const json_t *form;         /* the case form: inputs not given above (may be NULL) */
	int64_t department;         /* the issuer */
	int64_t case_id;            /* 0: issued outside a case */
	const char *valid_from;     /* NULL: the issue date */
	const char *valid_to;       /* NULL: by the type's validity ("" forces long-term) */
};

/* Issues a certificate on c, inside the caller's transaction, with its
 * audit record; *identifier (arena) gets its identifier. The department
 * must have a key (tb_keys_ensure, outside the transaction). TB_EINVAL
 * with f naming the field: "type", "holder.code" (not a valid identity
 * number / credit code for this type's holder), "holder.name" (not a
 * name, or not the name the platform's account or the population /
 * business registry holds for the code), "face.<key>" (not an input field
 * of the type, a required field without a value, a value that is not one
 * line of text in the field's format), "valid_from", "valid_to". */
enum tb_err tb_cert_issue_on(struct tb_keys *k, struct tb_conn *c, const struct tb_ctx *ctx,
                             const struct tb_cert_issue *in, struct tb_arena *a,
                             const char **identifier, struct tb_fail *f);
/* The same in a transaction of its own (making the department's key if
 * it has none). */
enum tb_err tb_cert_issue(struct tb_keys *k, struct tb_store *s, const struct tb_ctx *ctx,
                          const struct tb_cert_issue *in, struct tb_arena *a,
                          const char **identifier, struct tb_fail *f);

/* Who a certificate belongs to, for authorisation. */
struct tb_cert_ref {
	int64_t department;
	char holder_code[19];
	char region[10]; /* the issuer's */
};
/* TB_ENOTFOUND when no certificate has this identifier. */
enum tb_err tb_cert_ref(struct tb_store *s, const char *identifier, struct tb_cert_ref *out);

/* The certificate document (see record.h) with "status" and, when
 * revoked, "revoked_at" and "revoke_reason" beside it (arena JSON). */
enum tb_err tb_cert_get(struct tb_store *s, const char *identifier, struct tb_arena *a,
                        const char **text);

/* Certificates held by holder_code (NULL: any) and/or issued by
 * department (0: any; one of the two is needed), newest first, at most
 * limit (1-500), each record with its status, as a JSON array (arena). */
enum tb_err tb_cert_list(struct tb_store *s, const char *holder_code, int64_t department, int limit,
                         struct tb_arena *a, const char **text);

/* Verifies by identifier. TB_EINVAL (f: "identifier" and the reason) for
 * a malformed one; otherwise TB_OK with *status and *text (arena JSON:
 * identifier, status, reason, type, issuer, valid_from, valid_to, key id;
 * revoked_at and revoke_reason when revoked; nothing of the holder and no
 * number: anyone may ask). A wrong check character is "forged"; an
 * identifier not on the register is "unknown"; a stored record whose
 * signature fails is "forged". */
enum tb_err tb_cert_verify(struct tb_store *s, const char *identifier, struct tb_arena *a,
                           enum tb_cert_status *status, const char **text, struct tb_fail *f);

/* Verifies a document offered back (doc): its identifier, signature (with
 * the issuer's key from the register) and that it is the record on the
 * register, then revocation and expiry. *text as tb_cert_verify, plus
 * what the document shows anyway: the holder's name masked, the number
 * and issued_on. */
enum tb_err tb_cert_verify_document(struct tb_store *s, const json_t *doc, struct tb_arena *a,
                                    enum tb_cert_status *status, const char **text);

/* The holder's name with all but its first character masked (arena): what
 * a verifier who shows the document is told of it. */
char *tb_cert_mask_name(const char *name, struct tb_arena *a);

/* Revokes a certificate with a reason and an audit record. TB_ECONFLICT
 * when it is revoked already. */
enum tb_err tb_cert_revoke(struct tb_store *s, const struct tb_ctx *ctx, const char *identifier,
                           const char *reason, struct tb_fail *f);

/* The value (arena) of face field key of the newest certificate of
 * type_name held by holder_code that is valid on day; TB_ENOTFOUND when
 * there is no such certificate or its face has no such field. */
enum tb_err tb_cert_face_on(struct tb_conn *c, const char *holder_code, const char *type_name,
                            const char *key, const char *day, struct tb_arena *a,
                            const char **value);

/* The identifier (arena) of a certificate of type_name held by
 * holder_code that is neither revoked nor expired on day (YYYY-MM-DD),
 * the newest of this register, else the newest one issued at a peer
 * platform that the holder brought here (peer_certificates);
 * TB_ENOTFOUND when there is none. */
enum tb_err tb_cert_find_valid_on(struct tb_conn *c, const char *holder_code, const char *type_name,
                                  const char *day, struct tb_arena *a, const char **identifier);

#endif
