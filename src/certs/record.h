/* The signed form of an e-certificate, shared by the server and the
 * offline `tongban cert verify`. A certificate document is
 *   {"format": "tongban-certificate", "format_version": 1,
 *    "record": {...}, "digest": SM3 hex, "signature": SM2 hex}
 * where record holds identifier, type {code, name, defining_body}, number,
 * holder {name, code, code_type}, issuer {name, code}, issued_on,
 * valid_from, valid_to (null: long-term), jurisdiction, face [{key, label,
 * value}], key_id and algorithm; the signature is SM2 with SM3 over the
 * canonical text of record (keys sorted, no spaces, UTF-8 as is). */
#ifndef TB_CERTS_RECORD_H
#define TB_CERTS_RECORD_H

#include "base/crypto.h"
#include "base/sm2.h"

#include <jansson.h>
#include <stdint.h>

enum tb_cert_status {
	TB_CERT_VALID,
	TB_CERT_REVOKED,
	TB_CERT_EXPIRED,
	TB_CERT_FORGED,
	TB_CERT_UNKNOWN
};

/* "valid", "revoked", "expired", "forged", "unknown". */
const char *tb_cert_status_name(enum tb_cert_status s);

/* The canonical text of record (malloc'd; NULL when record is no object). */
char *tb_cert_canonical(const json_t *record);

/* The member of doc (or "body") that keeps it from being a certificate
 * document as exported, with *why the reason, or NULL (*why NULL): record
 * an object, signature a string, digest (optional) a string, format
 * "tongban-certificate", format_version 1, and no member else but the
 * register's answer the export carries beside them (status, revoked_at,
 * revoke_reason; never trusted). */
const char *tb_cert_doc_malformed(const json_t *doc, const char **why);

/* Checks a document offline against the issuer's public key as of day
 * today (a day number): VALID, EXPIRED, or FORGED with *reason saying
 * what gave it away ("identifier", "identifier check character",
 * "identifier does not match the record", "key" (no key, or the record
 * names another key id than key's), "issuer" (the record's issuer is not
 * key_issuer), "digest", "signature"). key_issuer is the credit code of
 * the department key is known to belong to (from the key's JSON or the
 * verifier's own assertion): a key signs only for its department. NULL
 * skips that check, for records taken from or compared with the register
 * afterwards (the server). A document that is not one at all is FORGED
 * with reason "not a certificate document" (tb_cert_doc_malformed). Revocation cannot be seen
 * offline. */
enum tb_cert_status tb_cert_check(const json_t *doc, const struct tb_sm2_key *key,
                                  const char *key_issuer, int64_t today, const char **reason);

#endif
